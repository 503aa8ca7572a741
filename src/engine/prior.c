#include "engine/prior.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
gmm_prior_supported(enum gmm_cov_type t)
{
	return gmm_covmodel(t)->mstep_map != NULL;
}

int
gmm_prior_default(struct gmm_prior *p, const struct gmm_data *x,
    size_t k, enum gmm_cov_type t)
{
	size_t n = x->n, d = x->d, dd = d * d;
	double *row = malloc(d * sizeof(double));
	double *s = calloc(dd, sizeof(double));
	double fac, tr = 0;

	memset(p, 0, sizeof(*p));
	p->mean = calloc(d, sizeof(double));
	p->scale = calloc(dd, sizeof(double));
	if (row == NULL || s == NULL || p->mean == NULL || p->scale == NULL) {
		free(row);
		free(s);
		gmm_prior_release(p);
		return -1;
	}
	p->d = d;
	p->shrinkage = 0.01;
	p->dof = (double)d + 2;
	/* the column means, then the scatter about them (two passes);
	 * frequency weights count as copies of the row (W = their sum, n
	 * unweighted; a weight of 1 multiplies exactly) */
	for (size_t i = 0; i < n; i++) {
		double w = gmm_data_weight(x, i);

		gmm_data_row(x, i, row);
		for (size_t j = 0; j < d; j++)
			p->mean[j] += w * row[j];
	}
	for (size_t j = 0; j < d; j++)
		p->mean[j] /= x->weight_total;
	for (size_t i = 0; i < n; i++) {
		double w = gmm_data_weight(x, i);

		gmm_data_row(x, i, row);
		for (size_t j = 0; j < d; j++)
			row[j] -= p->mean[j];
		for (size_t a = 0; a < d; a++)
			for (size_t b = 0; b <= a; b++)
				s[a * d + b] += w * (row[a] * row[b]);
	}
	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b <= a; b++)
			s[b * d + a] = s[a * d + b] /= x->weight_total > 1 ?
			    x->weight_total - 1 : 1;
	fac = pow(1 / (double)k, 2 / (double)d);
	if (gmm_covmodel(t)->form != GMM_FORM_MATRIX || d == 1) {
		for (size_t j = 0; j < d; j++)
			tr += s[j * d + j];
		p->scale[0] = fac * tr / (double)d;
	} else {
		for (size_t a = 0; a < dd; a++)
			p->scale[a] = n > d || a % (d + 1) == 0 ? fac * s[a] : 0;
	}
	free(row);
	free(s);
	return 0;
}

void
gmm_prior_release(struct gmm_prior *p)
{
	free(p->mean);
	free(p->scale);
	memset(p, 0, sizeof(*p));
}
