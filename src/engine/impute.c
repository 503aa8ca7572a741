#include "engine/impute.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

int
gmm_imputer_init(struct gmm_imputer *im, const struct gmm_model *m)
{
	size_t k = m->k, d = m->d;

	memset(im, 0, sizeof(*im));
	im->m = m;
	im->resp = malloc(k * sizeof(double));
	im->cmean = malloc(k * d * sizeof(double));
	im->cvar = malloc(k * d * sizeof(double));
	im->l = malloc(d * d * sizeof(double));
	im->z = malloc(d * sizeof(double));
	if (!im->resp || !im->cmean || !im->cvar || !im->l || !im->z ||
	    gmm_marginal_row_init(&im->row, k, d, m->cov_type, 1) < 0)
		return -1;
	return 0;
}

void
gmm_imputer_release(struct gmm_imputer *im)
{
	gmm_marginal_row_release(&im->row);
	free(im->resp);
	free(im->cmean);
	free(im->cvar);
	free(im->l);
	free(im->z);
	memset(im, 0, sizeof(*im));
}

int
gmm_impute_condition(struct gmm_imputer *im, const double *x,
    struct gmm_error *err)
{
	struct gmm_marginal_row *r = &im->row;
	const struct gmm_pattern *p = &r->pat;
	size_t d = im->m->d;
	double logd;

	if (gmm_marginal_row_score(r, im->m, x, im->resp, &logd, err) < 0)
		return -1;
	for (size_t a = 0; a < p->nobs; a++)
		im->z[a] = x[p->obs[a]];
	for (size_t c = 0; c < im->m->k; c++)
		gmm_marginal_conditional(&r->mg, c, im->z, im->cmean + c * d,
		    im->cvar + c * d);
	return 0;
}

int
gmm_impute_mean(struct gmm_imputer *im, double *x, double *var,
    struct gmm_error *err)
{
	const struct gmm_pattern *p = &im->row.pat;
	size_t k = im->m->k, d = im->m->d;

	if (var != NULL)
		memset(var, 0, d * sizeof(double));
	if (gmm_impute_condition(im, x, err) < 0)
		return -1;
	for (size_t t = 0; t < d - p->nobs; t++) {
		double mean = 0, second = 0;

		for (size_t c = 0; c < k; c++) {
			double mu = im->cmean[c * d + t];

			mean += im->resp[c] * mu;
			second += im->resp[c] * (im->cvar[c * d + t] + mu * mu);
		}
		x[p->mis[t]] = mean;
		if (var != NULL)	/* rounding must not make it negative */
			var[p->mis[t]] = second - mean * mean > 0 ?
			    second - mean * mean : 0;
	}
	return 0;
}

int
gmm_impute_draw(struct gmm_imputer *im, gsl_rng *rng, double *x,
    struct gmm_error *err)
{
	if (gmm_impute_condition(im, x, err) < 0)
		return -1;
	gmm_impute_draw_again(im, rng, x);
	return 0;
}

void
gmm_impute_draw_again(struct gmm_imputer *im, gsl_rng *rng, double *x)
{
	const struct gmm_marginal *mg = &im->row.mg;
	const struct gmm_pattern *p = &im->row.pat;
	const struct gmm_covmodel *cm = gmm_covmodel(im->m->cov_type);
	size_t k = im->m->k, d = im->m->d, nm = d - p->nobs, c = 0;
	double u, s = 0;

	u = gsl_rng_uniform(rng);
	for (c = 0; c + 1 < k; c++) {
		s += im->resp[c];
		if (u < s)
			break;
	}
	for (size_t t = 0; t < nm; t++)
		im->z[t] = gsl_ran_gaussian_ziggurat(rng, 1.0);
	if (cm->form != GMM_FORM_MATRIX) {
		for (size_t t = 0; t < nm; t++)
			x[p->mis[t]] = im->cmean[c * d + t] +
			    sqrt(im->cvar[c * d + t]) * im->z[t];
		return;
	}
	/* x_m = mean + L z, L L^T = C (positive definite: a Schur
	 * complement of a positive definite matrix; clamped pivots guard
	 * its rounding) */
	{
		const double *cmm = mg->cmm + (cm->shared ? 0 : c) * d * d;
		double *l = im->l;

		for (size_t j = 0; j < nm; j++) {
			double v = cmm[j * nm + j];

			for (size_t q = 0; q < j; q++)
				v -= l[j * nm + q] * l[j * nm + q];
			l[j * nm + j] = v > 0 ? sqrt(v) : 0;
			for (size_t i = j + 1; i < nm; i++) {
				double t = cmm[i * nm + j];

				for (size_t q = 0; q < j; q++)
					t -= l[i * nm + q] * l[j * nm + q];
				l[i * nm + j] = l[j * nm + j] > 0 ?
				    t / l[j * nm + j] : 0;
			}
		}
		for (size_t i = 0; i < nm; i++) {
			double v = im->cmean[c * d + i];

			for (size_t j = 0; j <= i; j++)
				v += l[i * nm + j] * im->z[j];
			x[p->mis[i]] = v;
		}
	}
}
