#include "engine/mstep.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>

#include "base/consts.h"
#include "engine/prior.h"

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

/* LAPACK's SVD, from OpenBLAS (which carries LAPACK; there is no header
 * for it in Debian's openblas-serial, so the Fortran interface is declared
 * here). */
void dgesvd_(const char *jobu, const char *jobvt, const int *m,
    const int *n, double *a, const int *lda, double *s, double *u,
    const int *ldu, double *vt, const int *ldvt, double *work,
    const int *lwork, int *info);

/* The workspace dgesvd asks for a d x d matrix, in doubles (at least 1). */
static size_t
svd_lwork(size_t d)
{
	int n = (int)d, lw = -1, info = 0;
	double a = 0, s = 0, u = 0, vt = 0, q = 0;

	dgesvd_("A", "A", &n, &n, &a, &n, &s, &u, &n, &vt, &n, &q, &lw,
	    &info);
	return info == 0 && q >= 1 ? (size_t)q : 5 * d + 1;
}

size_t
gmm_mstep_work_bytes(enum gmm_cov_type t, size_t k, size_t d, int prior)
{
	if (gmm_covmodel(t)->sklearn && !prior)
		return 0;
	/* the arrays below, and GSL's symmv workspace (a d-vector and two
	 * of its own, about 4 d doubles with their headers) and the SVD's
	 * (two d x d matrices, d singular values, LAPACK's workspace) */
	return 8 * (2 * k * d * d + k * d + 4 * d * d + 2 * d + k) +
	    8 * (k * d + k + d * d) + 8 * (2 * k * d + 2 * k) + 8 * 4 * d +
	    8 * (2 * d * d + d + svd_lwork(d)) + 256;
}

int
gmm_mstep_work_alloc(struct gmm_mstep_work *w, enum gmm_cov_type t,
    size_t k, size_t d, int prior)
{
	memset(w, 0, sizeof(*w));
	w->k = k;
	w->d = d;
	if (gmm_covmodel(t)->sklearn && !prior)
		return 0;
	w->scatter = malloc(k * d * d * sizeof(double));
	w->evec = malloc(k * d * d * sizeof(double));
	w->eval = malloc(k * d * sizeof(double));
	w->tmp = malloc((4 * d * d + 2 * d + k) * sizeof(double));
	w->eigen = gsl_eigen_symmv_alloc(d);
	w->shape = malloc(k * d * sizeof(double));
	w->scale = malloc(k * sizeof(double));
	w->orient = malloc(d * d * sizeof(double));
	w->svd_lwork = svd_lwork(d);
	w->svd_u = malloc(d * d * sizeof(double));
	w->svd_vt = malloc(d * d * sizeof(double));
	w->svd_s = malloc(d * sizeof(double));
	w->svd_work = malloc(w->svd_lwork * sizeof(double));
	w->xbar = malloc(k * d * sizeof(double));
	w->delta = malloc(k * d * sizeof(double));
	w->cmap = malloc(k * sizeof(double));
	w->den = malloc(k * sizeof(double));
	return w->scatter && w->evec && w->eval && w->tmp && w->eigen &&
	    w->shape && w->scale && w->orient && w->svd_u && w->svd_vt &&
	    w->svd_s && w->svd_work && w->xbar && w->delta && w->cmap &&
	    w->den ? 0 : -1;
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
	free(w->shape);
	free(w->scale);
	free(w->orient);
	free(w->svd_u);
	free(w->svd_vt);
	free(w->svd_s);
	free(w->svd_work);
	free(w->xbar);
	free(w->delta);
	free(w->cmap);
	free(w->den);
	memset(w, 0, sizeof(*w));
}

void
gmm_mstep_work_cold(struct gmm_mstep_work *w)
{
	w->warm = 0;
}

void
gmm_mstep_work_factors(struct gmm_mstep_work *w, size_t q, double *lambda,
    double *psi)
{
	w->q = q;
	w->lambda = lambda;
	w->psi = psi;
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

/* s = lambda V diag(a) V^T + reg I, V's columns the directions. */
static void
compose(const double *v, const double *a, double lambda, double reg,
    size_t d, double *s)
{
	for (size_t i = 0; i < d; i++) {
		for (size_t j = 0; j <= i; j++) {
			double t = 0;

			for (size_t q = 0; q < d; q++)
				t += v[i * d + q] * a[q] * v[j * d + q];
			s[i * d + j] = s[j * d + i] = lambda * t;
		}
		s[i * d + i] += reg;
	}
}

/* EEV from the matrices in w->scatter, the summed eigenvalues over den. */
static int
eev(const struct gmm_stats *st, double den, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d, dd = d * d;
	double *a = w->tmp + dd;

	eigens(w);
	for (size_t j = 0; j < d; j++) {
		a[j] = 0;
		for (size_t c = 0; c < k; c++)
			a[j] += w->eval[c * d + j];
		a[j] /= den;
	}
	for (size_t c = 0; c < k; c++)
		compose(w->evec + c * dd, a, 1, reg, d, cov + c * dd);
	return 0;
}

int
gmm_mstep_eev(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	scatters(st, w);
	return eev(st, total_weight(st), reg, cov, w);
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

/* The largest of |old_i - new_i| / (1 + new_i), mclust's inner change. */
static double
change(const double *old, const double *now, size_t n)
{
	double err = 0;

	for (size_t i = 0; i < n; i++) {
		double e = fabs(old[i] - now[i]) / (1 + now[i]);

		if (e > err)
			err = e;
	}
	return err;
}

/* a scaled to a geometric mean of 1; -1 when an entry is not positive and
 * finite. */
static int
unit_shape(double *a, size_t d)
{
	double g = geomean(a, d, 1);

	if (!(g > 0) || !isfinite(g))
		return -1;
	for (size_t j = 0; j < d; j++)
		a[j] /= g;
	return 0;
}

static int
fail(struct gmm_mstep_work *w, size_t c)
{
	w->failed = c;
	w->warm = 0;
	return -1;
}

/* The first component whose W_c is singular (eigens() done), or k. */
static size_t
singular(const struct gmm_mstep_work *w)
{
	size_t d = w->d;

	for (size_t c = 0; c < w->k; c++)
		if (!(w->eval[c * d + d - 1] > GMM_MSTEP_SINGULAR *
		    w->eval[c * d]))
			return c;
	return w->k;
}

/*
 * VEI and VEV: lambda_c and the common shape a by turns from the
 * component's k x d "eigenvalues" om (the diagonal of W_c for VEI, its
 * eigenvalues for VEV), lambda_c = sum_j om_cj / a_j over den[c] (d n_c
 * when den is NULL); lambda_c and a in w.
 */
static int
volume_shape(const struct gmm_stats *st, const double *om,
    const double *den, struct gmm_mstep_work *w, int first)
{
	size_t k = st->k, d = st->d;
	double *a = w->shape, *lam = w->scale;
	double *olda = w->tmp, *oldl = w->tmp + d, pooled = 0;

	for (size_t i = 0; i < k * d; i++)
		pooled += om[i];
	pooled /= total_weight(st) * (double)d;
	for (w->inner = 1; ; w->inner++) {
		double err;

		memcpy(olda, a, d * sizeof(double));
		memcpy(oldl, lam, k * sizeof(double));
		for (size_t c = 0; c < k; c++) {
			double s = 0;

			for (size_t j = 0; j < d; j++)
				s += om[c * d + j] / a[j];
			lam[c] = s / (den != NULL ? den[c] : (double)d *
			    gmm_mstep_nk(st, c));
			if (!(lam[c] > GMM_MSTEP_SINGULAR * pooled) ||
			    !isfinite(lam[c]))
				return fail(w, c);
		}
		for (size_t j = 0; j < d; j++) {
			a[j] = 0;
			for (size_t c = 0; c < k; c++)
				a[j] += om[c * d + j] / lam[c];
		}
		if (unit_shape(a, d) < 0)
			return fail(w, 0);
		err = change(olda, a, d);
		if (change(oldl, lam, k) > err)
			err = change(oldl, lam, k);
		if (first && w->inner == 1)
			continue;	/* no lambda_c before this one */
		if (!(err > GMM_MSTEP_INNER_TOL) ||
		    w->inner >= GMM_MSTEP_INNER_MAX)
			break;
	}
	w->warm = 1;
	return 0;
}

/* VEI from the diagonals om (k x d), lambda_c over den[c] (volume_shape()),
 * from a = 1 (msvei) unless warm. */
static int
vei(const struct gmm_stats *st, const double *om, const double *den,
    double reg, double *cov, struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;

	if (!w->warm) {
		for (size_t j = 0; j < d; j++)
			w->shape[j] = 1;
		for (size_t c = 0; c < k; c++)
			w->scale[c] = 1;
	}
	if (volume_shape(st, om, den, w, 0) < 0)
		return -1;
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d; j++)
			cov[c * d + j] = w->scale[c] * w->shape[j] + reg;
	return 0;
}

int
gmm_mstep_vei(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;
	double *om = w->eval;

	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d; j++)
			om[c * d + j] = wdiag(st, c, j);
	return vei(st, om, NULL, reg, cov, w);
}

/* VEV from the matrices in w->scatter. */
static int
vev(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d, dd = d * d;
	int first = !w->warm;

	eigens(w);
	if (first) {
		for (size_t j = 0; j < d; j++) {
			w->shape[j] = 0;
			for (size_t c = 0; c < k; c++)
				w->shape[j] += w->eval[c * d + j];
		}
		if (unit_shape(w->shape, d) < 0)
			return fail(w, 0);
		for (size_t c = 0; c < k; c++)
			w->scale[c] = 0;
	}
	if (volume_shape(st, w->eval, NULL, w, first) < 0)
		return -1;
	for (size_t c = 0; c < k; c++)
		compose(w->evec + c * dd, w->shape, w->scale[c], reg, d,
		    cov + c * dd);
	return 0;
}

int
gmm_mstep_vev(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	scatters(st, w);
	return vev(st, reg, cov, w);
}

/* The lower Cholesky factor of a (d x d) in place; -1 when a is not
 * positive definite. */
static int
cholesky(double *a, size_t d)
{
	gsl_matrix_view v = gsl_matrix_view_array(a, d, d);

	return gsl_linalg_cholesky_decomp1(&v.matrix) == GSL_SUCCESS ? 0 : -1;
}

/* ||L^-1 R||_F^2 for lower triangular L and R (d x d), y scratch of d. */
static double
solved_norm(const double *l, const double *r, size_t d, double *y)
{
	double s = 0;

	for (size_t q = 0; q < d; q++) {
		for (size_t i = q; i < d; i++) {
			double t = r[i * d + q];

			for (size_t p = q; p < i; p++)
				t -= l[i * d + p] * y[p];
			y[i] = t / l[i * d + i];
			s += y[i] * y[i];
		}
	}
	return s;
}

int
gmm_mstep_vee(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d, dd = d * d;
	double *cm = w->tmp, *l = w->tmp + dd, *y = w->tmp + 4 * dd;
	double *lam = w->scale, prev = DBL_MAX / 2, n = total_weight(st);

	scatters(st, w);
	eigens(w);
	if (singular(w) < k)
		return fail(w, singular(w));
	for (size_t c = 0; c < k; c++) {
		/* R_c, W_c = R_c R_c^T, in the eigenvectors' place */
		memcpy(w->evec + c * dd, w->scatter + c * dd,
		    dd * sizeof(double));
		if (cholesky(w->evec + c * dd, d) < 0)
			return fail(w, c);
		lam[c] = 1;
	}
	for (w->inner = 1; ; w->inner++) {
		double logdet = 0, g, trgt = 0, err;

		memset(cm, 0, dd * sizeof(double));
		for (size_t c = 0; c < k; c++)
			for (size_t i = 0; i < dd; i++)
				cm[i] += w->scatter[c * dd + i] / lam[c];
		memcpy(l, cm, dd * sizeof(double));
		if (cholesky(l, d) < 0)
			return fail(w, 0);
		for (size_t i = 0; i < d; i++)
			logdet += 2 * log(l[i * d + i]);
		g = exp(logdet / (double)d);
		for (size_t i = 0; i < dd; i++) {
			cm[i] /= g;
			l[i] /= sqrt(g);
		}
		for (size_t c = 0; c < k; c++) {
			double nk = gmm_mstep_nk(st, c);

			lam[c] = solved_norm(l, w->evec + c * dd, d, y) /
			    ((double)d * nk);
			if (!(lam[c] > 0) || !isfinite(lam[c]))
				return fail(w, c);
			trgt += nk * log(lam[c]);
		}
		trgt = n * (double)d + (double)d * trgt;
		err = fabs(trgt - prev) / (1 + fabs(trgt));
		prev = trgt;
		if (!(err > GMM_MSTEP_INNER_TOL) ||
		    w->inner >= GMM_MSTEP_INNER_MAX)
			break;
	}
	for (size_t c = 0; c < k; c++) {
		double *s = cov + c * dd;

		for (size_t i = 0; i < dd; i++)
			s[i] = lam[c] * cm[i];
		for (size_t i = 0; i < d; i++)
			s[i * d + i] += reg;
	}
	return 0;
}

/*
 * o = Q P^T from the SVD f = P S Q^T (f is overwritten): the orthogonal
 * matrix nearest f, transposed, as mclust's mseve takes it, by the same
 * LAPACK routine mclust calls, dgesvd (so that a zero f, the MM step from
 * A_c = I, gives O = I as there).  Row-major f is column-major f^T =
 * Q S P^T: dgesvd's U is Q and its V^T is P^T, and o = U V^T.  GSL's SVD
 * is not used: gsl_linalg_SV_decomp allocates on every call and, in GSL
 * 2.7, crashes when that allocation fails (t0003 found it), and its
 * Jacobi SVD made a VVE fit three times slower.
 */
static int
polar(double *f, double *o, struct gmm_mstep_work *w)
{
	int n = (int)w->d, lw = (int)w->svd_lwork, info = 0;
	size_t d = w->d;
	double *u = w->svd_u, *vt = w->svd_vt;

	dgesvd_("A", "A", &n, &n, f, &n, w->svd_s, u, &n, vt, &n, w->svd_work,
	    &lw, &info);
	if (info != 0)
		return -1;
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++) {
			double t = 0;

			for (size_t l = 0; l < d; l++)
				t += u[i + l * d] * vt[l + j * d];
			o[i * d + j] = t;
		}
	return 0;
}

/* c = a b (d x d), by the BLAS. */
static void
matmul(const double *a, const double *b, size_t d, double *c)
{
	gsl_matrix_const_view av = gsl_matrix_const_view_array(a, d, d);
	gsl_matrix_const_view bv = gsl_matrix_const_view_array(b, d, d);
	gsl_matrix_view cv = gsl_matrix_view_array(c, d, d);

	gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &av.matrix, &bv.matrix,
	    0, &cv.matrix);
}

/* EVE (vve 0) and VVE (vve 1). */
static int
common_orientation(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w, int vve)
{
	size_t k = st->k, d = st->d, dd = d * d;
	double *t1 = w->tmp, *t2 = w->tmp + dd, *f = w->tmp + 2 * dd;
	double *o = w->orient, *om = w->tmp + 4 * dd;
	double prev = DBL_MAX / 2, trgt = 0, n = total_weight(st);

	scatters(st, w);
	eigens(w);
	if (singular(w) < k)
		return fail(w, singular(w));
	for (size_t c = 0; c < k; c++)
		om[c] = w->eval[c * d];
	if (!w->warm) {
		memset(o, 0, dd * sizeof(double));
		for (size_t i = 0; i < d; i++)
			o[i * d + i] = 1;
		for (size_t i = 0; i < k * d; i++)
			w->shape[i] = 1;
	}
	for (w->inner = 1; ; w->inner++) {
		double err;

		/* O from sum_c (A_c^-1 O W_c - omega_c A_c^-1 O) */
		memset(f, 0, dd * sizeof(double));
		for (size_t c = 0; c < k; c++) {
			const double *a = w->shape + c * d;

			for (size_t i = 0; i < d; i++)
				for (size_t j = 0; j < d; j++)
					t1[i * d + j] = o[i * d + j] / a[i];
			matmul(t1, w->scatter + c * dd, d, t2);
			for (size_t i = 0; i < dd; i++)
				f[i] += t2[i] - om[c] * t1[i];
		}
		if (polar(f, o, w) < 0)
			return fail(w, 0);
		/* O from sum_c (W_c O A_c^-1 - max_j (1/a_cj) W_c O) */
		memset(f, 0, dd * sizeof(double));
		for (size_t c = 0; c < k; c++) {
			const double *a = w->shape + c * d;
			double mx = 0;

			for (size_t j = 0; j < d; j++)
				if (1 / a[j] > mx)
					mx = 1 / a[j];
			matmul(w->scatter + c * dd, o, d, t1);
			for (size_t i = 0; i < d; i++)
				for (size_t j = 0; j < d; j++)
					f[i * d + j] += t1[i * d + j] / a[j] -
					    mx * t1[i * d + j];
		}
		if (polar(f, o, w) < 0)
			return fail(w, 0);
		/* A_c from the diagonal of O W_c O^T */
		trgt = 0;
		for (size_t c = 0; c < k; c++) {
			double *a = w->shape + c * d, *raw = f, g;

			matmul(o, w->scatter + c * dd, d, t1);
			for (size_t j = 0; j < d; j++) {
				raw[j] = 0;
				for (size_t l = 0; l < d; l++)
					raw[j] += t1[j * d + l] * o[j * d + l];
				a[j] = vve ? raw[j] / gmm_mstep_nk(st, c) :
				    raw[j];
			}
			g = geomean(a, d, 1);
			if (!(g > 0) || !isfinite(g))
				return fail(w, c);
			if (vve)
				w->scale[c] = g;
			for (size_t j = 0; j < d; j++) {
				a[j] /= g;
				if (a[j] < sqrt(DBL_EPSILON))
					return fail(w, c);
				trgt += raw[j] / a[j];
			}
		}
		err = fabs(trgt - prev) / (1 + fabs(trgt));
		prev = trgt;
		if (!(err > GMM_MSTEP_INNER_TOL) ||
		    w->inner >= GMM_MSTEP_INNER_MAX)
			break;
	}
	w->warm = 1;
	/* Sigma_c = lambda_c O^T A_c O: compose() with V = O^T */
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++)
			t2[i * d + j] = o[j * d + i];
	for (size_t c = 0; c < k; c++)
		compose(t2, w->shape + c * d, vve ? w->scale[c] :
		    trgt / (n * (double)d), reg, d, cov + c * dd);
	return 0;
}

int
gmm_mstep_eve(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	return common_orientation(st, reg, cov, w, 0);
}

int
gmm_mstep_vve(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	return common_orientation(st, reg, cov, w, 1);
}

/*
 * The MAP M-steps under mclust's conjugate prior (prior.h), as mclust 6's
 * Fortran ms*p / me*p routines compute them, quirks included (mstep.h).
 * Each first gathers per component n_c, the mean x_c = s_c + sx_c / n_c
 * (means holds the shifts s_c on entry) and delta_c = x_c - mu_p, and
 * writes the MAP means over the shifts.
 */

/* c_c = kappa n_c / (n_c + kappa) into w->scale; x_c and delta_c into
 * w->xbar and w->delta; the means shrunk (shrink) or x_c. */
static void
map_means(const struct gmm_stats *st, const struct gmm_prior *pr,
    double *means, struct gmm_mstep_work *w, int shrink)
{
	size_t d = st->d;
	double kappa = pr->shrinkage;

	for (size_t c = 0; c < st->k; c++) {
		double nk = gmm_mstep_nk(st, c);

		w->cmap[c] = kappa * nk / (nk + kappa);
		for (size_t j = 0; j < d; j++) {
			size_t i = c * d + j;
			double x = means[i] + st->sx[i] / nk;

			w->xbar[i] = x;
			w->delta[i] = x - pr->mean[j];
			means[i] = shrink ? (nk * x + kappa * pr->mean[j]) /
			    (nk + kappa) : x;
		}
	}
}

/* 1 when the prior shrinks the means (mclust adds to the degrees of
 * freedom then). */
static double
shrinks(const struct gmm_prior *pr)
{
	return pr->shrinkage > 0 ? 1 : 0;
}

/* W_c + c_c delta_c delta_c^T + scale (with_scale) into w->scatter. */
static void
map_scatters(const struct gmm_stats *st, const struct gmm_prior *pr,
    struct gmm_mstep_work *w, int with_delta, int with_scale)
{
	size_t d = st->d, dd = d * d;

	scatters(st, w);
	for (size_t c = 0; c < st->k; c++) {
		double *s = w->scatter + c * dd;
		const double *dl = w->delta + c * d;

		for (size_t a = 0; a < d; a++)
			for (size_t b = 0; b < d; b++)
				s[a * d + b] += (with_delta ? w->cmap[c] *
				    dl[a] * dl[b] : 0) + (with_scale ?
				    pr->scale[a * d + b] : 0);
	}
}

/* The MAP diagonal W_c,jj + c_c delta_cj^2 (+ scale) of component c. */
static double
map_wdiag(const struct gmm_stats *st, const struct gmm_prior *pr,
    const struct gmm_mstep_work *w, size_t c, size_t j, int with_scale)
{
	double dl = w->delta[c * st->d + j];

	return (with_scale ? pr->scale[0] : 0) + wdiag(st, c, j) +
	    w->cmap[c] * dl * dl;
}

int
gmm_mstep_map_eii(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;
	double s = 0, n = total_weight(st);

	map_means(st, pr, means, w, 1);
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d; j++)
			s += map_wdiag(st, pr, w, c, j, 0);
	/* meeiip: no scale (but in one dimension, mclust's E, me1ep) */
	if (d == 1)
		s += pr->scale[0];
	cov[0] = s / (pr->dof + (n + (double)k) * (double)d + 2) + reg;
	return 0;
}

int
gmm_mstep_map_vii(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t d = st->d;

	map_means(st, pr, means, w, 1);
	for (size_t c = 0; c < st->k; c++) {
		double s = pr->scale[0], nk = gmm_mstep_nk(st, c);

		for (size_t j = 0; j < d; j++)
			s += map_wdiag(st, pr, w, c, j, 0);
		cov[c] = s / (pr->dof + nk * (double)d + 2 + shrinks(pr) *
		    (double)d) + reg;
	}
	return 0;
}

int
gmm_mstep_map_eei(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	double den = pr->dof + total_weight(st) + 1 + shrinks(pr);

	/* meeeip: the means are not shrunk */
	map_means(st, pr, means, w, 0);
	for (size_t j = 0; j < st->d; j++) {
		double s = pr->scale[0];

		for (size_t c = 0; c < st->k; c++)
			s += map_wdiag(st, pr, w, c, j, 0);
		cov[j] = s / den + reg;
	}
	return 0;
}

int
gmm_mstep_map_vei(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;
	double *om = w->eval, *den = w->den;

	map_means(st, pr, means, w, 1);
	for (size_t c = 0; c < k; c++) {
		for (size_t j = 0; j < d; j++)
			om[c * d + j] = map_wdiag(st, pr, w, c, j, 1);
		den[c] = pr->dof + (double)d * gmm_mstep_nk(st, c) + 2 +
		    shrinks(pr);
	}
	return vei(st, om, den, reg, cov, w);
}

int
gmm_mstep_map_evi(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;
	double lambda = 0;

	map_means(st, pr, means, w, 1);
	for (size_t c = 0; c < k; c++) {
		for (size_t j = 0; j < d; j++)
			cov[c * d + j] = map_wdiag(st, pr, w, c, j, 1);
		w->eval[c] = geomean(cov + c * d, d, 1);
		if (!(w->eval[c] > 0))
			return fail(w, c);
		lambda += w->eval[c];
	}
	lambda /= pr->dof + total_weight(st) + 1 + shrinks(pr);
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d; j++)
			cov[c * d + j] = lambda * cov[c * d + j] / w->eval[c] +
			    reg;
	return 0;
}

int
gmm_mstep_map_vvi(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t d = st->d;

	map_means(st, pr, means, w, 1);
	for (size_t c = 0; c < st->k; c++) {
		double den = pr->dof + gmm_mstep_nk(st, c) + 2 + shrinks(pr);

		for (size_t j = 0; j < d; j++)
			cov[c * d + j] = map_wdiag(st, pr, w, c, j, 1) / den +
			    reg;
	}
	return 0;
}

int
gmm_mstep_map_eee(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t k = st->k, d = st->d;
	double den = pr->dof + total_weight(st) + (double)d + 1 +
	    shrinks(pr) * (double)k;

	map_means(st, pr, means, w, 1);
	/* the pooled statistics: sum_c W_c = sxx - sum_c sx_c sx_c^T / n_c */
	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b <= a; b++) {
			double s = pr->scale[a * d + b] + st->sxx[a * d + b];

			for (size_t c = 0; c < k; c++) {
				const double *sx = st->sx + c * d;
				const double *dl = w->delta + c * d;

				s += w->cmap[c] * dl[a] * dl[b] - sx[a] * sx[b] /
				    gmm_mstep_nk(st, c);
			}
			cov[a * d + b] = cov[b * d + a] = s / den;
		}
	for (size_t i = 0; i < d; i++)
		cov[i * d + i] += reg;
	return 0;
}

int
gmm_mstep_map_eev(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	map_means(st, pr, means, w, 1);
	map_scatters(st, pr, w, 1, 1);
	return eev(st, pr->dof + (double)st->d + 1 + shrinks(pr) +
	    total_weight(st), reg, cov, w);
}

int
gmm_mstep_map_vev(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	map_means(st, pr, means, w, 1);
	map_scatters(st, pr, w, 1, 1);
	return vev(st, reg, cov, w);
}

int
gmm_mstep_map_vvv(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w)
{
	size_t d = st->d, dd = d * d;

	map_means(st, pr, means, w, 1);
	map_scatters(st, pr, w, 1, 1);
	for (size_t c = 0; c < st->k; c++) {
		double den = pr->dof + gmm_mstep_nk(st, c) + (double)d + 1 +
		    shrinks(pr);

		for (size_t i = 0; i < dd; i++)
			cov[c * dd + i] = w->scatter[c * dd + i] / den;
		for (size_t i = 0; i < d; i++)
			cov[c * dd + i * d + i] += reg;
	}
	return 0;
}

void
gmm_factor_sigma(const double *l, const double *psi, size_t d, size_t q,
    int mfa, double *s)
{
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j <= i; j++) {
			double t = 0;

			for (size_t b = 0; b < q; b++)
				t += l[i * q + b] * l[j * q + b];
			if (i == j)
				t += mfa ? psi[i] : psi[0];
			s[i * d + j] = s[j * d + i] = t;
		}
}

/* S_c = W_c / n_c, full, into s (no reg). */
static void
factor_scatter(const struct gmm_stats *st, size_t c, double *s)
{
	size_t d = st->d;
	const double *sx = st->sx + c * d, *sxx = st->sxx + c * d * d;
	double nk = gmm_mstep_nk(st, c);

	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j <= i; j++)
			s[i * d + j] = s[j * d + i] = (sxx[i * d + j] - sx[i] *
			    sx[j] / nk) / nk;
}

/* Probabilistic PCA's closed form from S (a start): l, psi of one
 * component. */
static void
factor_start(struct gmm_mstep_work *w, const double *s, size_t c, int mfa,
    double reg, double *l, double *psi)
{
	size_t d = w->d, q = w->q;
	double *a = w->tmp, *vec = w->evec + c * d * d, *val = w->eval + c * d;
	double sigma2 = 0;
	gsl_matrix_view av = gsl_matrix_view_array(a, d, d);
	gsl_matrix_view vv = gsl_matrix_view_array(vec, d, d);
	gsl_vector_view ev = gsl_vector_view_array(val, d);

	memcpy(a, s, d * d * sizeof(double));
	gsl_eigen_symmv(&av.matrix, &ev.vector, &vv.matrix, w->eigen);
	gsl_eigen_symmv_sort(&ev.vector, &vv.matrix, GSL_EIGEN_SORT_VAL_DESC);
	for (size_t j = q; j < d; j++)
		sigma2 += val[j] > 0 ? val[j] : 0;
	sigma2 /= (double)(d - q);
	for (size_t i = 0; i < d; i++)
		for (size_t b = 0; b < q; b++)
			l[i * q + b] = vec[i * d + b] * sqrt(val[b] > sigma2 ?
			    val[b] - sigma2 : 0);
	if (!mfa) {
		psi[0] = sigma2 + reg;
		return;
	}
	for (size_t i = 0; i < d; i++) {
		double v = s[i * d + i];

		for (size_t b = 0; b < q; b++)
			v -= l[i * q + b] * l[i * q + b];
		psi[i] = (v > 1e-3 * s[i * d + i] ? v : 1e-3 * s[i * d + i]) +
		    reg;
	}
}

/* One AECM cycle of one component (mstep.h); -1 when a factorisation
 * fails. */
static int
factor_cycle(struct gmm_mstep_work *w, const double *s, size_t c, int mfa,
    double reg, double *l, double *psi)
{
	size_t d = w->d, q = w->q;
	double *sig = w->evec + c * d * d, *x = w->tmp, *sxm = x + d * q;
	double *theta = sxm + d * q, *v = theta + q * q, mean = 0;
	gsl_matrix_view sv = gsl_matrix_view_array(sig, d, d);
	gsl_matrix_view tv = gsl_matrix_view_array(theta, q, q);
	gsl_vector_view vd = gsl_vector_view_array(v, d);
	gsl_vector_view vq = gsl_vector_view_array(v, q);

	/* Sigma = Lambda Lambda^T + Psi, factored */
	gmm_factor_sigma(l, psi, d, q, mfa, sig);
	if (gsl_linalg_cholesky_decomp1(&sv.matrix) != GSL_SUCCESS)
		return -1;
	/* X = Sigma^-1 Lambda (d x q): beta = X^T */
	for (size_t b = 0; b < q; b++) {
		for (size_t i = 0; i < d; i++)
			v[i] = l[i * q + b];
		gsl_linalg_cholesky_svx(&sv.matrix, &vd.vector);
		for (size_t i = 0; i < d; i++)
			x[i * q + b] = v[i];
	}
	/* S X (d x q) = S beta^T */
	for (size_t i = 0; i < d; i++)
		for (size_t b = 0; b < q; b++) {
			double t = 0;

			for (size_t j = 0; j < d; j++)
				t += s[i * d + j] * x[j * q + b];
			sxm[i * q + b] = t;
		}
	/* Theta = I - beta Lambda + beta S beta^T */
	for (size_t a = 0; a < q; a++)
		for (size_t b = 0; b < q; b++) {
			double t = a == b;

			for (size_t i = 0; i < d; i++)
				t += x[i * q + a] * (sxm[i * q + b] -
				    l[i * q + b]);
			theta[a * q + b] = t;
		}
	for (size_t a = 0; a < q; a++)		/* symmetric by algebra */
		for (size_t b = 0; b < a; b++)
			theta[a * q + b] = theta[b * q + a] = 0.5 *
			    (theta[a * q + b] + theta[b * q + a]);
	if (gsl_linalg_cholesky_decomp1(&tv.matrix) != GSL_SUCCESS)
		return -1;
	/* Lambda = S beta^T Theta^-1, row by row */
	for (size_t i = 0; i < d; i++) {
		for (size_t b = 0; b < q; b++)
			v[b] = sxm[i * q + b];
		gsl_linalg_cholesky_svx(&tv.matrix, &vq.vector);
		for (size_t b = 0; b < q; b++)
			l[i * q + b] = v[b];
	}
	/* Psi = diag(S - Lambda beta S) + reg */
	for (size_t i = 0; i < d; i++) {
		double t = s[i * d + i];

		for (size_t b = 0; b < q; b++)
			t -= l[i * q + b] * sxm[i * q + b];
		t = t > 0 ? t : 0;
		if (mfa)
			psi[i] = t + reg;
		else
			mean += t;
	}
	if (!mfa)
		psi[0] = mean / (double)d + reg;
	return 0;
}

static int
mstep_factor(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w, int mfa)
{
	size_t k = st->k, d = st->d, q = w->q;

	if (w->lambda == NULL || q < 1 || q >= d)
		GMM_BUG("a factor M-step without its factors");
	for (size_t c = 0; c < k; c++) {
		double *s = w->scatter + c * d * d, *l = w->lambda + c * d * q;
		double *psi = w->psi + (mfa ? c * d : c);

		factor_scatter(st, c, s);
		if (!(psi[0] > 0)) {
			factor_start(w, s, c, mfa, reg, l, psi);
		} else if (factor_cycle(w, s, c, mfa, reg, l, psi) < 0) {
			w->failed = c;
			return -1;
		}
		gmm_factor_sigma(l, psi, d, q, mfa, cov + c * d * d);
	}
	return 0;
}

int
gmm_mstep_mfa(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	return mstep_factor(st, reg, cov, w, 1);
}

int
gmm_mstep_mppca(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w)
{
	return mstep_factor(st, reg, cov, w, 0);
}
