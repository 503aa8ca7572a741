#include "sample.h"

#include <math.h>
#include <stdlib.h>

int
gmm_sampler_init(struct gmm_sampler *s, const struct gmm_model *m)
{
	s->m = m;
	s->pick = gsl_ran_discrete_preproc(m->k, m->weights);
	s->z = malloc(m->d * sizeof(double));
	if (s->pick == NULL || s->z == NULL) {
		gmm_sampler_release(s);
		return -1;
	}
	return 0;
}

void
gmm_sampler_release(struct gmm_sampler *s)
{
	if (s->pick != NULL)
		gsl_ran_discrete_free(s->pick);
	free(s->z);
	s->pick = NULL;
	s->z = NULL;
}

size_t
gmm_sampler_draw(struct gmm_sampler *s, gsl_rng *rng, double *x)
{
	const struct gmm_model *m = s->m;
	size_t d = m->d, c = gsl_ran_discrete(rng, s->pick);
	const double *mu = m->means + c * d;

	for (size_t j = 0; j < d; j++)
		s->z[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
	if (m->cov_type == GMM_COV_FULL || m->cov_type == GMM_COV_TIED) {
		/* x = mu + L z, L lower triangular */
		const double *l = m->cov_type == GMM_COV_TIED ? m->chol
		    : m->chol + c * d * d;

		for (size_t i = 0; i < d; i++) {
			double v = mu[i];

			for (size_t j = 0; j <= i; j++)
				v += l[i * d + j] * s->z[j];
			x[i] = v;
		}
		return c;
	}
	for (size_t j = 0; j < d; j++) {
		double var = m->cov_type == GMM_COV_DIAG ? m->cov[c * d + j]
		    : m->cov[c];

		x[j] = mu[j] + sqrt(var) * s->z[j];
	}
	return c;
}
