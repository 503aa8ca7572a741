#include "engine/mstep.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/consts.h"

double
gmm_mstep_nk(const struct gmm_stats *st, size_t c)
{
	return st->nk[c] + GMM_NK_EPS_FACTOR * DBL_EPSILON;
}

int
gmm_mstep_full(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	(void)w;
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
	return 0;
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

int
gmm_mstep_diag(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	(void)w;
	for (size_t c = 0; c < st->k; c++)
		for (size_t j = 0; j < st->d; j++)
			cov[c * st->d + j] = variance(st, c, j) + reg;
	return 0;
}

int
gmm_mstep_spherical(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	(void)w;
	for (size_t c = 0; c < st->k; c++) {
		double mean = 0;

		for (size_t j = 0; j < st->d; j++)
			mean += variance(st, c, j);
		cov[c] = mean / (double)st->d + reg;
	}
	return 0;
}

int
gmm_mstep_tied(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	(void)w;
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
	return 0;
}

size_t
gmm_mstep_work_bytes(enum gmm_cov_type t, size_t k, size_t d)
{
	if (gmm_covmodel(t)->sklearn)
		return 0;
	/* the arrays below, and GSL's symmv workspace (a d-vector and two
	 * of its own, about 4 d doubles with their headers) */
	return 8 * (2 * k * d * d + k * d + d * d + d) + 8 * 4 * d;
}

int
gmm_mstep_work_alloc(struct gmm_mstep_work *w, enum gmm_cov_type t,
    size_t k, size_t d)
{
	memset(w, 0, sizeof(*w));
	w->k = k;
	w->d = d;
	if (gmm_covmodel(t)->sklearn)
		return 0;
	w->scatter = malloc(k * d * d * sizeof(double));
	w->evec = malloc(k * d * d * sizeof(double));
	w->eval = malloc(k * d * sizeof(double));
	w->tmp = malloc((d * d + d) * sizeof(double));
	w->eigen = gsl_eigen_symmv_alloc(d);
	return w->scatter && w->evec && w->eval && w->tmp && w->eigen ? 0
	    : -1;
}

void
gmm_mstep_work_release(struct gmm_mstep_work *w)
{
	free(w->scatter);
	free(w->evec);
	free(w->eval);
	free(w->tmp);
	if (w->eigen != NULL)
		gsl_eigen_symmv_free(w->eigen);
	memset(w, 0, sizeof(*w));
}

/* n = sum_c n_c. */
static double
total_weight(const struct gmm_stats *st)
{
	double n = 0;

	for (size_t c = 0; c < st->k; c++)
		n += gmm_mstep_nk(st, c);
	return n;
}

/* W_c's diagonal (the scatter, not divided by n_c), each entry >= 0, from
 * diagonal-form statistics. */
static double
wdiag(const struct gmm_stats *st, size_t c, size_t j)
{
	return variance(st, c, j) * gmm_mstep_nk(st, c);
}

/* W_c, full and symmetric, into w->scatter, from matrix statistics. */
static void
scatters(const struct gmm_stats *st, struct gmm_mstep_work *w)
{
	size_t d = st->d;

	for (size_t c = 0; c < st->k; c++) {
		const double *sx = st->sx + c * d, *sxx = st->sxx + c * d * d;
		double nk = gmm_mstep_nk(st, c), *s = w->scatter + c * d * d;

		for (size_t i = 0; i < d; i++)
			for (size_t j = 0; j <= i; j++)
				s[i * d + j] = s[j * d + i] = sxx[i * d + j] -
				    sx[i] * sx[j] / nk;
	}
}

/* The eigenvalues (decreasing) and eigenvectors of every W_c. */
static void
eigens(struct gmm_mstep_work *w)
{
	size_t d = w->d, dd = d * d;

	for (size_t c = 0; c < w->k; c++) {
		gsl_matrix_view a = gsl_matrix_view_array(w->tmp, d, d);
		gsl_vector_view v = gsl_vector_view_array(w->eval + c * d, d);
		gsl_matrix_view e = gsl_matrix_view_array(w->evec + c * dd, d,
		    d);

		memcpy(w->tmp, w->scatter + c * dd, dd * sizeof(double));
		gsl_eigen_symmv(&a.matrix, &v.vector, &e.matrix, w->eigen);
		gsl_eigen_symmv_sort(&v.vector, &e.matrix,
		    GSL_EIGEN_SORT_VAL_DESC);
		for (size_t j = 0; j < d; j++)
			if (w->eval[c * d + j] < 0)
				w->eval[c * d + j] = 0;	/* rounding */
	}
}

/* The geometric mean of v[0..d-1], 0 when one is 0. */
static double
geomean(const double *v, size_t d, size_t stride)
{
	double s = 0;

	for (size_t j = 0; j < d; j++) {
		if (!(v[j * stride] > 0))
			return 0;
		s += log(v[j * stride]);
	}
	return exp(s / (double)d);
}

int
gmm_mstep_eii(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	double tr = 0;

	(void)w;
	for (size_t c = 0; c < st->k; c++)
		for (size_t j = 0; j < st->d; j++)
			tr += wdiag(st, c, j);
	cov[0] = tr / (total_weight(st) * (double)st->d) + reg;
	return 0;
}

int
gmm_mstep_eei(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	double n = total_weight(st);

	(void)w;
	for (size_t j = 0; j < st->d; j++) {
		double s = 0;

		for (size_t c = 0; c < st->k; c++)
			s += wdiag(st, c, j);
		cov[j] = s / n + reg;
	}
	return 0;
}

int
gmm_mstep_evi(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;
	double lambda = 0;

	/* W_c's diagonal into cov, its geometric mean into w->eval */
	for (size_t c = 0; c < k; c++) {
		for (size_t j = 0; j < d; j++)
			cov[c * d + j] = wdiag(st, c, j);
		w->eval[c] = geomean(cov + c * d, d, 1);
		if (!(w->eval[c] > 0)) {
			w->failed = c;
			return -1;
		}
		lambda += w->eval[c];
	}
	lambda /= total_weight(st);
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d; j++)
			cov[c * d + j] = lambda * cov[c * d + j] / w->eval[c] +
			    reg;
	return 0;
}

int
gmm_mstep_eev(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d, dd = d * d;
	double n = total_weight(st), *a = w->tmp + dd;

	scatters(st, w);
	eigens(w);
	for (size_t j = 0; j < d; j++) {
		a[j] = 0;
		for (size_t c = 0; c < k; c++)
			a[j] += w->eval[c * d + j];
		a[j] /= n;
	}
	for (size_t c = 0; c < k; c++) {
		const double *v = w->evec + c * dd;
		double *s = cov + c * dd;

		for (size_t i = 0; i < d; i++)
			for (size_t j = 0; j <= i; j++) {
				double t = 0;

				for (size_t q = 0; q < d; q++)
					t += v[i * d + q] * a[q] * v[j * d + q];
				s[i * d + j] = s[j * d + i] = t;
			}
		for (size_t i = 0; i < d; i++)
			s[i * d + i] += reg;
	}
	return 0;
}

int
gmm_mstep_evv(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d, dd = d * d;
	double lambda = 0;

	scatters(st, w);
	eigens(w);
	for (size_t c = 0; c < k; c++) {
		/* |W_c|^(1/d) in its first eigenvalue's place, which is
		 * not needed after */
		double g = geomean(w->eval + c * d, d, 1);

		if (!(g > 0)) {
			w->failed = c;
			return -1;
		}
		w->eval[c * d] = g;
		lambda += g;
	}
	lambda /= total_weight(st);
	for (size_t c = 0; c < k; c++) {
		double g = w->eval[c * d];
		const double *sc = w->scatter + c * dd;
		double *s = cov + c * dd;

		for (size_t i = 0; i < dd; i++)
			s[i] = lambda * sc[i] / g;
		for (size_t i = 0; i < d; i++)
			s[i * d + i] += reg;
	}
	return 0;
}
