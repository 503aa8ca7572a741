#include "engine/mstep.h"

#include <float.h>
#include <string.h>

#include "base/consts.h"

double
gmm_mstep_nk(const struct gmm_stats *st, size_t c)
{
	return st->nk[c] + GMM_NK_EPS_FACTOR * DBL_EPSILON;
}

void
gmm_mstep_full(const struct gmm_stats *st, double reg, double *cov)
{
	size_t d = st->d;

	for (size_t c = 0; c < st->k; c++) {
		const double *sx = st->sx + c * d, *sxx = st->sxx + c * d * d;
		double nk = gmm_mstep_nk(st, c), *s = cov + c * d * d;

		for (size_t i = 0; i < d; i++) {
			for (size_t j = 0; j <= i; j++) {
				double v = (sxx[i * d + j] - sx[i] * sx[j] /
				    nk) / nk;

				s[i * d + j] = s[j * d + i] = v;
			}
			s[i * d + i] += reg;
		}
	}
}

/* The variance of column j of component c about its new mean, >= 0. */
static double
variance(const struct gmm_stats *st, size_t c, size_t j)
{
	size_t i = c * st->d + j;
	double nk = gmm_mstep_nk(st, c);
	double v = (st->sxx[i] - st->sx[i] * st->sx[i] / nk) / nk;

	return v > 0 ? v : 0;
}

void
gmm_mstep_diag(const struct gmm_stats *st, double reg, double *cov)
{
	for (size_t c = 0; c < st->k; c++)
		for (size_t j = 0; j < st->d; j++)
			cov[c * st->d + j] = variance(st, c, j) + reg;
}

void
gmm_mstep_spherical(const struct gmm_stats *st, double reg, double *cov)
{
	for (size_t c = 0; c < st->k; c++) {
		double mean = 0;

		for (size_t j = 0; j < st->d; j++)
			mean += variance(st, c, j);
		cov[c] = mean / (double)st->d + reg;
	}
}

void
gmm_mstep_tied(const struct gmm_stats *st, double reg, double *cov)
{
	size_t d = st->d;
	double total = 0;

	memcpy(cov, st->sxx, d * d * sizeof(double));
	for (size_t c = 0; c < st->k; c++) {
		const double *sx = st->sx + c * d;
		double nk = gmm_mstep_nk(st, c);

		total += nk;
		for (size_t i = 0; i < d; i++)
			for (size_t j = 0; j <= i; j++)
				cov[i * d + j] -= sx[i] * sx[j] / nk;
	}
	for (size_t i = 0; i < d; i++) {
		for (size_t j = 0; j <= i; j++)
			cov[j * d + i] = cov[i * d + j] /= total;
		cov[i * d + i] += reg;
	}
}
