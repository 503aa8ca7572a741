#include "engine/sample.h"

#include <math.h>
#include <stdlib.h>

int
gmm_sampler_init(struct gmm_sampler *s, const struct gmm_model *m)
{
	double sum = 0;

	s->m = m;
	s->cum = malloc(m->k * sizeof(double));
	s->z = malloc(m->d * sizeof(double));
	if (s->cum == NULL || s->z == NULL) {
		gmm_sampler_release(s);
		return -1;
	}
	for (size_t c = 0; c < m->k; c++) {
		sum += m->weights[c];
		s->cum[c] = sum;
	}
	return 0;
}

void
gmm_sampler_release(struct gmm_sampler *s)
{
	free(s->cum);
	free(s->z);
	s->cum = NULL;
	s->z = NULL;
}

/*
 * A component drawn by its weight: the first c whose cumulative weight
 * exceeds a uniform draw on [0, total), by bisection.  (GSL's
 * gsl_ran_discrete_preproc() crashes when its own allocations fail.)
 */
static size_t
pick(const struct gmm_sampler *s, gsl_rng *rng)
{
	size_t lo = 0, hi = s->m->k - 1;
	double u = gsl_rng_uniform(rng) * s->cum[hi];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u < s->cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

size_t
gmm_sampler_draw(struct gmm_sampler *s, gsl_rng *rng, double *x)
{
	const struct gmm_model *m = s->m;
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t d = m->d, c = pick(s, rng);
	const double *mu = m->means + c * d;
	double f = 1;

	for (size_t j = 0; j < d; j++)
		s->z[j] = gsl_ran_gaussian_ziggurat(rng, 1.0);
	if (m->family->draw_scale != NULL)	/* a t: 1 / sqrt(g) */
		f = m->family->draw_scale(m, c, rng);
	if (cm->factor && m->factors > 0) {
		/* x = mu + f (Lambda u + Psi^1/2 z), u q further standard
		 * normals: the factor model's own generative form (it keeps
		 * no d x d factor) */
		size_t q = m->factors;
		const double *l = m->loadings + c * d * q;

		for (size_t i = 0; i < d; i++)
			x[i] = sqrt(cm->type == GMM_COV_MFA ? m->psi[c * d + i] :
			    m->psi[c]) * s->z[i];
		for (size_t a = 0; a < q; a++) {
			double u = gsl_ran_gaussian_ziggurat(rng, 1.0);

			for (size_t i = 0; i < d; i++)
				x[i] += l[i * q + a] * u;
		}
		for (size_t i = 0; i < d; i++)
			x[i] = mu[i] + f * x[i];
		return c;
	}
	for (size_t j = 0; f != 1 && j < d; j++)
		s->z[j] *= f;
	if (cm->form == GMM_FORM_MATRIX) {
		/* x = mu + L z, L lower triangular */
		const double *l = m->chol + gmm_covmodel_offset(cm, c, d);

		for (size_t i = 0; i < d; i++) {
			double v = mu[i];

			for (size_t j = 0; j <= i; j++)
				v += l[i * d + j] * s->z[j];
			x[i] = v;
		}
		return c;
	}
	for (size_t j = 0; j < d; j++) {
		double var = gmm_covmodel_var(cm, m->cov, c, j, d);

		x[j] = mu[j] + sqrt(var) * s->z[j];
	}
	return c;
}
