#include "engine/model.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "base/consts.h"
#include "base/text.h"
#include "engine/vec.h"

const char *
gmm_cov_type_name(enum gmm_cov_type t)
{
	return gmm_covmodel(t)->name;
}

int
gmm_cov_type_parse(const char *s, enum gmm_cov_type *t)
{
	const struct gmm_covmodel *cm = gmm_covmodel_named(s);

	if (cm == NULL)
		return -1;
	*t = cm->type;
	return 0;
}

size_t
gmm_cov_size(enum gmm_cov_type t, size_t k, size_t d)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	return gmm_covmodel_count(cm, k) * gmm_covmodel_per(cm, d);
}

struct gmm_model *
gmm_model_new(size_t k, size_t d, enum gmm_cov_type t)
{
	struct gmm_model *m = calloc(1, sizeof(*m));
	size_t ncov = gmm_cov_size(t, k, d);

	if (m == NULL)
		return NULL;
	m->k = k;
	m->d = d;
	m->cov_type = t;
	m->weights = calloc(k, sizeof(double));
	m->means = calloc(k * d, sizeof(double));
	m->cov = calloc(ncov, sizeof(double));
	m->columns = calloc(d, sizeof(char *));
	m->log_weights = calloc(k, sizeof(double));
	m->log_det = calloc(k, sizeof(double));
	if (gmm_covmodel(t)->form == GMM_FORM_MATRIX)
		m->chol = calloc(ncov, sizeof(double));
	else
		m->prec = calloc(ncov, sizeof(double));
	if (!m->weights || !m->means || !m->cov || !m->columns ||
	    !m->log_weights || !m->log_det || (!m->chol && !m->prec))
		goto fail;
	for (size_t j = 0; j < d; j++) {
		char name[32];

		snprintf(name, sizeof(name), "x%zu", j + 1);
		if (gmm_model_set_column(m, j, name) < 0)
			goto fail;
	}
	return m;
fail:
	gmm_model_free(m);
	return NULL;
}

void
gmm_model_free(struct gmm_model *m)
{
	if (m == NULL)
		return;
	if (m->columns != NULL)
		for (size_t j = 0; j < m->d; j++)
			free(m->columns[j]);
	free(m->columns);
	free(m->weights);
	free(m->means);
	free(m->cov);
	free(m->log_weights);
	free(m->log_det);
	free(m->chol);
	free(m->prec);
	free(m);
}

int
gmm_model_set_column(struct gmm_model *m, size_t j, const char *name)
{
	char *s = strdup(name);

	if (s == NULL)
		return -1;
	free(m->columns[j]);
	m->columns[j] = s;
	return 0;
}

struct gmm_model *
gmm_model_dup(const struct gmm_model *m)
{
	struct gmm_model *c = gmm_model_new(m->k, m->d, m->cov_type);
	size_t k = m->k, d = m->d, ncov = gmm_cov_size(m->cov_type, k, d);

	if (c == NULL)
		return NULL;
	memcpy(c->weights, m->weights, k * sizeof(double));
	memcpy(c->means, m->means, k * d * sizeof(double));
	memcpy(c->cov, m->cov, ncov * sizeof(double));
	memcpy(c->log_weights, m->log_weights, k * sizeof(double));
	memcpy(c->log_det, m->log_det, k * sizeof(double));
	if (m->chol)
		memcpy(c->chol, m->chol, ncov * sizeof(double));
	if (m->prec)
		memcpy(c->prec, m->prec, ncov * sizeof(double));
	for (size_t j = 0; j < d; j++) {
		if (gmm_model_set_column(c, j, m->columns[j]) < 0) {
			gmm_model_free(c);
			return NULL;
		}
	}
	c->training = m->training;
	return c;
}

/* vec.h: which kernel paths run; tests set it to run both on one machine */
int gmm_vec_force = -1;

/* Lower Cholesky factor of the d x d matrix a into l; log|a| in *log_det. */
static int
cholesky(const double *a, size_t d, double *l, double *log_det)
{
	gsl_matrix_view v = gsl_matrix_view_array(l, d, d);
	double s = 0;

	memcpy(l, a, d * d * sizeof(double));
	if (gsl_linalg_cholesky_decomp1(&v.matrix) != GSL_SUCCESS)
		return -1;
	for (size_t j = 0; j < d; j++) {
		double ljj = l[j * d + j];

		/* a subnormal pivot's reciprocal overflows: refused too */
		if (!(ljj > 0) || !isfinite(ljj) || !isfinite(1 / ljj))
			return -1;
		s += log(ljj);
		for (size_t i = j + 1; i < d; i++)
			l[j * d + i] = 0;	/* upper part held a copy of a */
	}
	*log_det = 2 * s;
	return 0;
}

static int
prepare_factor(struct gmm_model *m, struct gmm_error *err)
{
	size_t d = m->d, dd = d * d;

	if (gmm_covmodel(m->cov_type)->shared) {
		if (cholesky(m->cov, d, m->chol, &m->log_det[0]) < 0)
			return gmm_error_set(err, NULL, 0,
			    "tied covariance is not positive definite");
		for (size_t c = 1; c < m->k; c++)
			m->log_det[c] = m->log_det[0];
		return 0;
	}
	for (size_t c = 0; c < m->k; c++) {
		if (cholesky(m->cov + c * dd, d, m->chol + c * dd,
		    &m->log_det[c]) < 0)
			return gmm_error_set(err, NULL, 0,
			    "component %zu: covariance is not positive definite",
			    c);
	}
	return 0;
}

static int
prepare_variances(struct gmm_model *m, struct gmm_error *err)
{
	size_t per = gmm_covmodel_per(gmm_covmodel(m->cov_type), m->d);

	for (size_t c = 0; c < m->k; c++) {
		double s = 0;

		for (size_t j = 0; j < per; j++) {
			double v = m->cov[c * per + j];

			if (!(v > 0) || !isfinite(v))
				return gmm_error_set(err, NULL, 0,
				    "component %zu: variance %g is not positive",
				    c, v);
			if (!isfinite(1 / v))
				return gmm_error_set(err, NULL, 0,
				    "component %zu: variance %g is too small "
				    "for its precision to be finite", c, v);
			m->prec[c * per + j] = 1 / v;
			s += log(v);
		}
		m->log_det[c] = per == 1 ? (double)m->d * s : s;
	}
	return 0;
}

int
gmm_model_prepare(struct gmm_model *m, struct gmm_error *err)
{
	for (size_t c = 0; c < m->k; c++)
		m->log_weights[c] = m->weights[c] > 0 ? log(m->weights[c])
		    : -INFINITY;
	if (gmm_covmodel(m->cov_type)->form == GMM_FORM_MATRIX)
		return prepare_factor(m, err);
	return prepare_variances(m, err);
}

static int
all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static int
check_symmetric(const double *a, size_t d)
{
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < i; j++) {
			double x = a[i * d + j], y = a[j * d + i];

			if (fabs(x - y) > 1e-9 * (fabs(x) + fabs(y)) + DBL_MIN)
				return -1;
		}
	return 0;
}

int
gmm_model_validate(struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	size_t k = m->k, d = m->d, dd = d * d;
	double sum = 0;
	struct gmm_error sub;

	for (size_t c = 0; c < k; c++) {
		if (!isfinite(m->weights[c]) || m->weights[c] < 0)
			return gmm_error_set(err, name, 0,
			    "weight %zu is %g, not a probability", c,
			    m->weights[c]);
		sum += m->weights[c];
	}
	if (fabs(sum - 1) > GMM_WEIGHT_SUM_TOL)
		return gmm_error_set(err, name, 0,
		    "weights sum to %.17g, not 1", sum);
	if (!all_finite(m->means, k * d))
		return gmm_error_set(err, name, 0, "a mean is not finite");
	if (!all_finite(m->cov, gmm_cov_size(m->cov_type, k, d)))
		return gmm_error_set(err, name, 0,
		    "a covariance value is not finite");
	if (gmm_covmodel(m->cov_type)->form == GMM_FORM_MATRIX) {
		size_t nmat = gmm_covmodel_count(gmm_covmodel(m->cov_type), k);

		for (size_t c = 0; c < nmat; c++)
			if (check_symmetric(m->cov + c * dd, d) < 0)
				return gmm_error_set(err, name, 0,
				    "covariance %zu is not symmetric", c);
	}
	for (size_t j = 0; j < d; j++)
		if (!gmm_text_utf8(m->columns[j], strlen(m->columns[j])))
			return gmm_error_set(err, name, 0,
			    "column name %zu is not valid UTF-8", j + 1);
	if (gmm_model_prepare(m, &sub) < 0)
		return gmm_error_set(err, name, 0, "%s", sub.msg);
	return 0;
}

double *
gmm_doubles_new(size_t n)
{
	size_t bytes;

	if (n > SIZE_MAX / sizeof(double) - 64)
		return NULL;
	bytes = (n * sizeof(double) + 63) / 64 * 64;
	return aligned_alloc(64, bytes ? bytes : 64);
}

static size_t
padded_rows(size_t rows)
{
	return (rows + GMM_ROW_GROUP - 1) / GMM_ROW_GROUP * GMM_ROW_GROUP;
}

/* The kernels below run on a group of GMM_ROW_GROUP rows at once, held in
 * vectors (vec.h). */

/* Eight rows of eight doubles turned into eight columns, in registers:
 * pairs, then pairs of pairs, then halves are interleaved. */
static inline void
transpose8(vec r[8])
{
	vec t[8], u[8];

#pragma GCC unroll 4
	for (int p = 0; p < 8; p += 2) {
		t[p] = __builtin_shufflevector(r[p], r[p + 1], 0, 8, 2, 10, 4,
		    12, 6, 14);
		t[p + 1] = __builtin_shufflevector(r[p], r[p + 1], 1, 9, 3, 11,
		    5, 13, 7, 15);
	}
#pragma GCC unroll 2
	for (int p = 0; p < 8; p += 4) {
#pragma GCC unroll 2
		for (int q = 0; q < 2; q++) {
			u[p + q] = __builtin_shufflevector(t[p + q],
			    t[p + q + 2], 0, 1, 8, 9, 4, 5, 12, 13);
			u[p + q + 2] = __builtin_shufflevector(t[p + q],
			    t[p + q + 2], 2, 3, 10, 11, 6, 7, 14, 15);
		}
	}
#pragma GCC unroll 4
	for (int q = 0; q < 4; q++) {
		r[q] = __builtin_shufflevector(u[q], u[q + 4], 0, 1, 2, 3, 8,
		    9, 10, 11);
		r[q + 4] = __builtin_shufflevector(u[q], u[q + 4], 4, 5, 6, 7,
		    12, 13, 14, 15);
	}
}

/* Rows by eight rows and eight columns through transpose8(), the rest
 * one by one. */
GMM_CLONES
void
gmm_transpose_block(const double *x, size_t rows, size_t d, double *xt)
{
	size_t pad = padded_rows(rows), i0 = 0;

	for (; i0 + VLEN <= rows; i0 += VLEN) {
		size_t j0 = 0;

		for (; j0 + VLEN <= d; j0 += VLEN) {
			vec r[VLEN];

#pragma GCC unroll 8
			for (size_t p = 0; p < VLEN; p++)
				vload(&r[p], x + (i0 + p) * d + j0);
			transpose8(r);
#pragma GCC unroll 8
			for (size_t q = 0; q < VLEN; q++)
				vstore(xt + (j0 + q) * GMM_BLOCK_ROWS + i0, &r[q]);
		}
		for (; j0 < d; j0++)
			for (size_t p = 0; p < VLEN; p++)
				xt[j0 * GMM_BLOCK_ROWS + i0 + p] =
				    x[(i0 + p) * d + j0];
	}
	for (; i0 < rows; i0++)
		for (size_t j = 0; j < d; j++)
			xt[j * GMM_BLOCK_ROWS + i0] = x[i0 * d + j];
	for (size_t j = 0; j < d; j++)
		for (size_t i = rows; i < pad; i++)
			xt[j * GMM_BLOCK_ROWS + i] = 0;
}

/*
 * Forward substitution y_j = (x_j - mu_j - sum_{t<j} L_jt y_t) / L_jj for
 * the dims j0 .. j0+nj-1 of one group of rows (xt at the group's first
 * row; y holds the group's y_t, GMM_ROW_GROUP apiece), adding y_j^2 to s.
 * Solving SOLVE_DIMS dims together makes each load of a y_t feed
 * 4 x GROUP_VECS multiply-adds in registers.
 */
#define SOLVE_DIMS 4


__attribute__((always_inline)) static inline void
solve_dims(const double *xt, size_t j0, size_t nj, size_t d, const double *l,
    const double *inv_diag, const double *mu, double *y,
    vec s[GROUP_VECS])
{
	vec a[SOLVE_DIMS][GROUP_VECS];

#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++) {
			vload(&a[q][v], xt + (j0 + q) * GMM_BLOCK_ROWS
			    + v * VLEN);
			a[q][v] -= mu[j0 + q];
		}
	for (size_t t = 0; t < j0; t++) {
		vec yt[GROUP_VECS];

#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++)
			vload(&yt[v], y + t * GMM_ROW_GROUP + v * VLEN);
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			double lqt = l[(j0 + q) * d + t];

#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				a[q][v] -= lqt * yt[v];
		}
	}
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++) {
		const double *lq = l + (j0 + q) * d;
		double inv = inv_diag[j0 + q];

#pragma GCC unroll 4
		for (size_t p = 0; p < q; p++)
#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				a[q][v] -= lq[j0 + p] * a[p][v];
#pragma GCC unroll 4
		for (size_t v = 0; v < GROUP_VECS; v++) {
			a[q][v] *= inv;
			s[v] += a[q][v] * a[q][v];
			vstore(y + (j0 + q) * GMM_ROW_GROUP + v * VLEN, &a[q][v]);
		}
	}
}

/*
 * solve_dims() for eight rows (one vec) as two halves of four (vec4), for
 * processors with 16 vector registers: the same operations on every row
 * in the same order, so the same bits, in registers that do not spill.
 */
__attribute__((always_inline)) static inline void
solve_dims8(const double *xt, size_t j0, size_t nj, size_t d,
    const double *l, const double *inv_diag, const double *mu, double *y,
    vec4 s[2])
{
	vec4 a[SOLVE_DIMS][2];

#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++)
#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++) {
			vload4(&a[q][h], xt + (j0 + q) * GMM_BLOCK_ROWS + 4 * h);
			a[q][h] -= mu[j0 + q];
		}
	for (size_t t = 0; t < j0; t++) {
		vec4 yt[2];

#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++)
			vload4(&yt[h], y + t * GMM_ROW_GROUP + 4 * h);
#pragma GCC unroll 4
		for (size_t q = 0; q < nj; q++) {
			double lqt = l[(j0 + q) * d + t];

#pragma GCC unroll 2
			for (size_t h = 0; h < 2; h++)
				a[q][h] -= lqt * yt[h];
		}
	}
#pragma GCC unroll 4
	for (size_t q = 0; q < nj; q++) {
		const double *lq = l + (j0 + q) * d;
		double inv = inv_diag[j0 + q];

#pragma GCC unroll 4
		for (size_t p = 0; p < q; p++)
#pragma GCC unroll 2
			for (size_t h = 0; h < 2; h++)
				a[q][h] -= lq[j0 + p] * a[p][h];
#pragma GCC unroll 2
		for (size_t h = 0; h < 2; h++) {
			a[q][h] *= inv;
			s[h] += a[q][h] * a[q][h];
			vstore4(y + (j0 + q) * GMM_ROW_GROUP + 4 * h, &a[q][h]);
		}
	}
}

/*
 * logp[i] = base - |L^-1 (x_i - mu)|^2 / 2 for the `rows` rows (a multiple
 * of GMM_ROW_GROUP) of a block held by columns; y: (GMM_ROW_GROUP + 1) * d
 * doubles.  The reciprocals of L's diagonal are worked out once, not for
 * every group of rows.
 */
GMM_CLONES
static void
log_joint_factor1(const double *xt, size_t rows, size_t d, const double *l,
    const double *mu, double base, double *logp, double *y)
{
	double *inv_diag = y + GMM_ROW_GROUP * d;

	for (size_t j = 0; j < d; j++)
		inv_diag[j] = 1 / l[j * d + j];
	for (size_t i0 = 0; i0 < rows; i0 += GMM_ROW_GROUP) {
		vec s[GROUP_VECS] = { 0 };
		size_t j0 = 0;

		if (vec_narrow()) {
			/* a vector of rows at a time: the same arithmetic
			 * for every row, in fewer registers */
			for (size_t v = 0; v < GROUP_VECS; v++) {
				vec4 s4[2] = { 0 };

				for (j0 = 0; j0 + SOLVE_DIMS <= d;
				    j0 += SOLVE_DIMS)
					solve_dims8(xt + i0 + v * VLEN, j0,
					    SOLVE_DIMS, d, l, inv_diag, mu,
					    y + v * VLEN, s4);
				for (; j0 < d; j0++)
					solve_dims8(xt + i0 + v * VLEN, j0, 1,
					    d, l, inv_diag, mu, y + v * VLEN,
					    s4);
				memcpy(&s[v], s4, sizeof(s[v]));
			}
		} else {
			for (; j0 + SOLVE_DIMS <= d; j0 += SOLVE_DIMS)
				solve_dims(xt + i0, j0, SOLVE_DIMS, d, l,
				    inv_diag, mu, y, s);
			for (; j0 < d; j0++)
				solve_dims(xt + i0, j0, 1, d, l, inv_diag, mu,
				    y, s);
		}
		for (size_t v = 0; v < GROUP_VECS; v++) {
			s[v] = base - 0.5 * s[v];
			vstore(logp + i0 + v * VLEN, &s[v]);
		}
	}
}

/*
 * The same for nc <= VAR_COMPS components with diagonal precisions at once
 * (spherical: pstride 0): for component c, with mean mu + c*d, precision
 * p_j = p[c*cstride + j*pstride] and base base[c], logp[c*GMM_BLOCK_ROWS
 * + i] = base - sum_j p_j (x_ij - mu_j)^2 / 2.  Each load of x feeds all
 * of them: with four, d = k = 16 in L1, 0.60 ns per row and component
 * against 0.64 one at a time.
 */
#define VAR_COMPS 4

__attribute__((always_inline)) static inline void
log_joint_var_n(const double *xt, size_t rows, size_t d, const double *mu,
    const double *p, size_t pstride, size_t cstride, const double *base,
    double *logp, size_t nc)
{
	for (size_t i0 = 0; i0 < rows; i0 += GMM_ROW_GROUP) {
		vec s[VAR_COMPS][GROUP_VECS];

		memset(s, 0, sizeof(s));
		for (size_t j = 0; j < d; j++) {
			const double *xj = xt + j * GMM_BLOCK_ROWS + i0;
			vec x[GROUP_VECS];

#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++)
				vload(&x[v], xj + v * VLEN);
#pragma GCC unroll 4
			for (size_t c = 0; c < nc; c++) {
				double mj = mu[c * d + j];
				double pj = p[c * cstride + j * pstride];

#pragma GCC unroll 4
				for (size_t v = 0; v < GROUP_VECS; v++) {
					vec t = x[v] - mj;

					s[c][v] += t * t * pj;
				}
			}
		}
#pragma GCC unroll 4
		for (size_t c = 0; c < nc; c++)
#pragma GCC unroll 4
			for (size_t v = 0; v < GROUP_VECS; v++) {
				s[c][v] = base[c] - 0.5 * s[c][v];
				vstore(logp + c * GMM_BLOCK_ROWS + i0 + v * VLEN,
				    &s[c][v]);
			}
	}
}

/*
 * log_joint_var_n() by half vectors (vec_narrow()): eight rows at a time,
 * VAR_COMPS x 2 accumulators; every row the same operations in the same
 * order.
 */
__attribute__((always_inline)) static inline void
log_joint_var_n4(const double *xt, size_t rows, size_t d, const double *mu,
    const double *p, size_t pstride, size_t cstride, const double *base,
    double *logp, size_t nc)
{
	for (size_t i0 = 0; i0 < rows; i0 += VLEN) {
		vec4 s[VAR_COMPS][2];

		memset(s, 0, sizeof(s));
		for (size_t j = 0; j < d; j++) {
			const double *xj = xt + j * GMM_BLOCK_ROWS + i0;
			vec4 x[2];

			vload4(&x[0], xj);
			vload4(&x[1], xj + 4);
#pragma GCC unroll 4
			for (size_t c = 0; c < nc; c++) {
				double mj = mu[c * d + j];
				double pj = p[c * cstride + j * pstride];

#pragma GCC unroll 2
				for (size_t h = 0; h < 2; h++) {
					vec4 t = x[h] - mj;

					s[c][h] += t * t * pj;
				}
			}
		}
#pragma GCC unroll 4
		for (size_t c = 0; c < nc; c++)
#pragma GCC unroll 2
			for (size_t h = 0; h < 2; h++) {
				s[c][h] = base[c] - 0.5 * s[c][h];
				vstore4(logp + c * GMM_BLOCK_ROWS + i0 + 4 * h,
				    &s[c][h]);
			}
	}
}

/* log_joint_var_n() or its half-vector form with nc a constant in each
 * case, so that it unrolls */
#define VAR_BY_NC(f) do { \
	switch (nc) { \
	case 1: \
		f(xt, rows, d, mu, p, pstride, cstride, base, logp, 1); \
		break; \
	case 2: \
		f(xt, rows, d, mu, p, pstride, cstride, base, logp, 2); \
		break; \
	case 3: \
		f(xt, rows, d, mu, p, pstride, cstride, base, logp, 3); \
		break; \
	default: \
		f(xt, rows, d, mu, p, pstride, cstride, base, logp, \
		    VAR_COMPS); \
		break; \
	} \
} while (0)

GMM_CLONES
static void
log_joint_var(const double *xt, size_t rows, size_t d, const double *mu,
    const double *p, size_t pstride, size_t cstride, const double *base,
    double *logp, size_t nc)
{
	if (vec_narrow())
		VAR_BY_NC(log_joint_var_n4);
	else
		VAR_BY_NC(log_joint_var_n);
}

void
gmm_model_log_joint_cols(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *work)
{
	size_t k = m->k, d = m->d, pad = padded_rows(rows);
	double log_2pi_d = (double)d * log(2 * M_PI), base[VAR_COMPS];
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	int diag = cm->form == GMM_FORM_DIAGONAL;

	/* a group of up to VAR_COMPS components at a time: full and tied
	 * one after another, diagonal and spherical together */
	for (size_t c = 0; c < k; c += VAR_COMPS) {
		size_t nc = k - c < VAR_COMPS ? k - c : VAR_COMPS;

		for (size_t q = 0; q < nc; q++)
			base[q] = m->log_weights[c + q] - 0.5 * (log_2pi_d
			    + m->log_det[c + q]);
		if (cm->form != GMM_FORM_MATRIX) {
			log_joint_var(xt, pad, d, m->means + c * d,
			    m->prec + c * (diag ? d : 1), diag, diag ? d : 1,
			    base, logp + c * GMM_BLOCK_ROWS, nc);
			continue;
		}
		for (size_t q = 0; q < nc; q++)
			log_joint_factor1(xt, pad, d,
			    m->chol + gmm_covmodel_offset(cm, c + q, d),
			    m->means + (c + q) * d,
			    base[q], logp + (c + q) * GMM_BLOCK_ROWS, work);
	}
}

/*
 * exp(x) for x <= 0: x = n ln2 + r with |r| <= ln2/2 (n rounded to nearest
 * by the 1.5 * 2^52 trick, r exact by FMA or by the two-part ln2), exp(r)
 * by a polynomial of degree 11 (the Taylor series to degree 13 with its
 * two last terms economised by Chebyshev polynomials, computed exactly in
 * rational arithmetic: truncation below 1e-17 relative), times 2^(n+64)
 * and 2^-64, so that results down to the smallest subnormal come out with
 * one rounding.  Below `least` the result is 0: ln(2^-1075) for every
 * result, or EXP_NORMAL for normal results only.  Subnormal numbers are
 * slow to compute with: gmm_resp_cols() took 1.76 ns per element on
 * differences that gave subnormals, 0.87 once they give 0.
 */
#define EXP_ALL -0x1.74910d52d3052p9	/* ln(2^-1075) */
#define EXP_NORMAL -708.39		/* above ln(2^-1022) */

/* halves: compare by half vectors (vcmp_halves(), the narrow paths) */
__attribute__((always_inline)) static inline void
vexp_nonpos(vec *px, double least, int halves)
{
	vec x = *px;
	const double shifter = 0x1.8p52;
	const double ln2_hi = 0x1.62e42feep-1, ln2_lo = 0x1.a39ef35793c76p-33;
	static const double coef[] = {
		0x1.af780c76ef867p-26, 0x1.28b3c3f13e5ffp-22,
		0x1.71dde78ad96e1p-19, 0x1.a01991db6d211p-16,
		0x1.a01a01b7f7ce0p-13, 0x1.6c16c187eeda8p-10,
		0x1.111111110db8ep-7, 0x1.555555554f100p-5,
		0x1.5555555555562p-3, 0x1.0000000000011p-1, 1, 1,
	};
	vec lv = SPLAT(least);
	ivec live;

	if (halves)
		vcmp_halves(&live, &x, &lv, 0);
	else
		live = x >= lv;
	vec xc = (vec)((ivec)x & live);	/* 0 where the result is 0: no
					 * subnormal on the way */
	vec t = xc * 0x1.71547652b82fep0 + shifter;	/* 1/ln2 */
	vec nf = t - shifter;
	ivec n = (ivec)t - (ivec)SPLAT(shifter);
	vec r = (xc - nf * ln2_hi) - nf * ln2_lo, p = SPLAT(coef[0]);

#pragma GCC unroll 11
	for (size_t i = 1; i < sizeof(coef) / sizeof(coef[0]); i++)
		p = p * r + coef[i];
	p = p * (vec)((n + 1023 + 64) << 52) * 0x1p-64;
	*px = (vec)((ivec)p & live);
}

/*
 * v[i] = f(v[i]) for the n doubles of v, a vector at a time; the lanes
 * past n of the last vector hold `fill`, an argument f takes.
 */
__attribute__((always_inline)) static inline void
map_vec(double *v, size_t n, double fill, void (*f)(vec *))
{
	size_t i = 0;

	for (; i + VLEN <= n; i += VLEN) {
		vec e;

		vload(&e, v + i);
		f(&e);
		vstore(v + i, &e);
	}
	if (i < n) {
		double part[VLEN];
		vec e;

		for (size_t j = 0; j < VLEN; j++)
			part[j] = fill;
		memcpy(part, v + i, (n - i) * sizeof(double));
		vload(&e, part);
		f(&e);
		memcpy(v + i, &e, (n - i) * sizeof(double));
	}
}

__attribute__((always_inline)) static inline void
vexp_all(vec *px)
{
	vexp_nonpos(px, EXP_ALL, 0);
}

GMM_CLONES
void
gmm_exp_nonpos(double *v, size_t n)
{
	map_vec(v, n, 0, vexp_all);
}

/*
 * log(x) for x positive and normal (fdlibm's method, the same
 * coefficients): x = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)), then
 * log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2))), s = f / (2 + f), and k
 * ln2 in two parts.  Other arguments are not allowed.
 */
__attribute__((always_inline)) static inline void
vlog_normal(vec *px)
{
	const double ln2_hi = 6.93147180369123816490e-01;
	const double ln2_lo = 1.90821492927058770002e-10;
	const double lg1 = 6.666666666666735130e-01,
	    lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01,
	    lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01,
	    lg6 = 1.531383769920937332e-01, lg7 = 1.479819860511658591e-01;
	const double shifter = 0x1.8p52;
	/* positive arguments: logical shifts, as arithmetic ones would
	 * give, but native on AVX2 */
	ivec ix = (ivec)*px, hx = (ivec)((uvec)ix >> 32), lo = ix & 0xffffffff;
	ivec k = (ivec)((uvec)hx >> 20) - 1023, i;
	vec f, s, z, w, r, hfsq, dk;

	hx &= 0x000fffff;
	i = (hx + 0x95f64) & 0x100000;	/* the mantissa is above sqrt(2) */
	k += (ivec)((uvec)i >> 20);
	f = (vec)(((hx | (i ^ 0x3ff00000)) << 32) | lo) - 1;
	dk = (vec)((ivec)SPLAT(shifter) + k) - shifter;
	s = f / (2 + f);
	z = s * s;
	w = z * z;
	r = w * (lg2 + w * (lg4 + w * lg6))
	    + z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
	hfsq = 0.5 * f * f;
	*px = dk * ln2_hi - ((hfsq - (s * (hfsq + r) + dk * ln2_lo)) - f);
}

GMM_CLONES
void
gmm_log_normal(double *v, size_t n)
{
	map_vec(v, n, 1, vlog_normal);
}

/*
 * gmm_resp_cols() on nvec vectors of rows from col (GMM_BLOCK_ROWS apart
 * by components): the responsibilities in place, the row maxima into mx
 * and log p(x) into ld.  A group of four vectors keeps four independent
 * chains of max and sum, so that their latencies overlap; one vector at a
 * time where the processor has 16 vector registers (vec_narrow()), the
 * same operations on every row in the same order.
 */
__attribute__((always_inline)) static inline void
resp_vecs(double *col, size_t k, size_t nvec, double *mx, double *ld)
{
	vec max[GROUP_VECS], s[GROUP_VECS];

#pragma GCC unroll 4
	for (size_t v = 0; v < nvec; v++) {
		vload(&max[v], col + v * VLEN);
		s[v] = SPLAT(0.0);
	}
	for (size_t c = 1; c < k; c++) {
#pragma GCC unroll 4
		for (size_t v = 0; v < nvec; v++) {
			vec x;

			vload(&x, col + c * GMM_BLOCK_ROWS + v * VLEN);
			ivec gt;

			if (nvec == 1)
				vcmp_halves(&gt, &x, &max[v], 1);
			else
				gt = x > max[v];

			max[v] = (vec)(((ivec)x & gt) | ((ivec)max[v] & ~gt));
		}
	}
	for (size_t c = 0; c < k; c++) {
#pragma GCC unroll 4
		for (size_t v = 0; v < nvec; v++) {
			double *p = col + c * GMM_BLOCK_ROWS + v * VLEN;
			vec e;

			vload(&e, p);
			e -= max[v];
			vexp_nonpos(&e, EXP_NORMAL, nvec == 1);
			s[v] += e;
			vstore(p, &e);
		}
	}
#pragma GCC unroll 4
	for (size_t v = 0; v < nvec; v++) {
		vec inv = 1 / s[v];

		for (size_t c = 0; c < k; c++) {
			double *p = col + c * GMM_BLOCK_ROWS + v * VLEN;
			vec r;

			vload(&r, p);
			r *= inv;
			vstore(p, &r);
		}
		vstore(mx + v * VLEN, &max[v]);
		vlog_normal(&s[v]);	/* s in [1, k] */
		s[v] += max[v];
		vstore(ld + v * VLEN, &s[v]);
	}
}

/*
 * Per row: max over the components, exp of the differences, their sum s,
 * responsibilities = exp(...) / s and log p = max + log s.  The log joint
 * must be there for the rows padded up to a multiple of GMM_ROW_GROUP.
 * Differences below EXP_NORMAL give 0: the responsibility would be under
 * 2^-1022, too small to change any sum, and subnormal, which is slow to
 * compute with.
 */
GMM_CLONES
void
gmm_resp_cols(double *logp, size_t rows, size_t k, double *log_density)
{
	for (size_t i0 = 0; i0 < rows; i0 += GMM_ROW_GROUP) {
		double *col = logp + i0, mx[GMM_ROW_GROUP], ld[GMM_ROW_GROUP];

		if (vec_narrow())
			for (size_t v = 0; v < GROUP_VECS; v++)
				resp_vecs(col + v * VLEN, k, 1, mx + v * VLEN,
				    ld + v * VLEN);
		else
			resp_vecs(col, k, GROUP_VECS, mx, ld);
		for (size_t i = 0; i < GMM_ROW_GROUP && i0 + i < rows; i++) {
			if (mx[i] > -INFINITY) {
				log_density[i0 + i] = ld[i];
				continue;
			}
			for (size_t c = 0; c < k; c++)	/* no component */
				col[c * GMM_BLOCK_ROWS + i] = 1.0 / (double)k;
			log_density[i0 + i] = -INFINITY;
		}
	}
}

void
gmm_model_resp(const struct gmm_model *m, const double *x, size_t rows,
    double *resp, double *log_density, double *work)
{
	size_t d = m->d, k = m->k;
	double *xt = work, *logp = xt + (size_t)GMM_BLOCK_ROWS * d;
	double *y = logp + (size_t)GMM_BLOCK_ROWS * k;

	for (size_t i0 = 0; i0 < rows; i0 += GMM_BLOCK_ROWS) {
		size_t r = rows - i0 < GMM_BLOCK_ROWS ? rows - i0
		    : GMM_BLOCK_ROWS;

		gmm_transpose_block(x + i0 * d, r, d, xt);
		gmm_model_log_joint_cols(m, xt, r, logp, y);
		gmm_resp_cols(logp, r, k, log_density + i0);
		for (size_t i = 0; i < r; i++)
			for (size_t c = 0; c < k; c++)
				resp[(i0 + i) * k + c] =
				    logp[c * GMM_BLOCK_ROWS + i];
	}
}

size_t
gmm_n_parameters(enum gmm_cov_type t, size_t k, size_t d)
{
	return (k - 1) + k * d + gmm_covmodel(t)->cov_params(k, d);
}

double
gmm_bic(double loglik_total, size_t n_parameters, size_t n)
{
	return -2 * loglik_total + (double)n_parameters * log((double)n);
}

double
gmm_aic(double loglik_total, size_t n_parameters)
{
	return -2 * loglik_total + 2 * (double)n_parameters;
}

void
gmm_model_component_cov(const struct gmm_model *m, size_t c, double *sigma)
{
	gmm_covmodel_to_full(gmm_covmodel(m->cov_type), m->cov, c, m->d, sigma);
}

double
gmm_min_column_variance(const double *x, size_t n, size_t d)
{
	double best = 0;

	for (size_t j = 0; j < d; j++) {
		double mean = 0, var = 0, scale = 0;

		for (size_t i = 0; i < n; i++)
			mean += x[i * d + j];
		mean /= (double)n;
		for (size_t i = 0; i < n; i++) {
			double t = x[i * d + j] - mean;

			var += t * t;
			if (fabs(x[i * d + j]) > scale)
				scale = fabs(x[i * d + j]);
		}
		var /= (double)n;
		/* constant up to the rounding of the mean */
		if (var <= (DBL_EPSILON * scale) * (DBL_EPSILON * scale))
			continue;
		if (best == 0 || var < best)
			best = var;
	}
	return best;
}

/*
 * Whether the symmetric r x r matrix a has an eigenvalue below floor: when
 * a - floor I has no Cholesky factor.  b: 2 r r doubles of scratch.
 */
static int
eigenvalue_below(double *a, size_t r, double floor, double *b)
{
	double log_det;

	for (size_t j = 0; j < r; j++)
		a[j * r + j] -= floor;
	return cholesky(a, r, b, &log_det) < 0;
}

int
gmm_data_shape_init(struct gmm_data_shape *s, const double *x, size_t n,
    size_t d)
{
	/* GSL's own workspace allocator leaks when out of memory: ours */
	int wide = d > GMM_SHAPE_MAX_D;
	double *mean = wide ? NULL : calloc(d, sizeof(double));
	double *cov = wide ? NULL : calloc(d * d, sizeof(double));
	double *eval = wide ? NULL : malloc(d * sizeof(double));
	double *ws = wide ? NULL : malloc(4 * d * sizeof(double));
	double *u = wide ? NULL : malloc(d * d * sizeof(double));
	double top = 0;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (d > GMM_SHAPE_MAX_D) {	/* too wide: every direction */
		free(mean);
		free(cov);
		free(eval);
		free(ws);
		free(u);
		s->d = s->rank = d;
		s->min_var = gmm_min_column_variance(x, n, d);
		return 0;
	}
	if (mean == NULL || cov == NULL || eval == NULL || ws == NULL ||
	    u == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			mean[j] += x[i * d + j];
	for (size_t j = 0; j < d; j++)
		mean[j] /= (double)n;
	for (size_t i = 0; i < n; i++) {
		const double *r = x + i * d;

		for (size_t a = 0; a < d; a++) {
			double ta = r[a] - mean[a];

			for (size_t b = 0; b <= a; b++)
				cov[a * d + b] += ta * (r[b] - mean[b]);
		}
	}
	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b <= a; b++)
			cov[b * d + a] = cov[a * d + b] /= (double)n;
	{
		gsl_matrix_view A = gsl_matrix_view_array(cov, d, d);
		gsl_matrix_view U = gsl_matrix_view_array(u, d, d);
		gsl_vector_view E = gsl_vector_view_array(eval, d);
		gsl_eigen_symmv_workspace w = { d, ws, ws + d, ws + 2 * d,
			ws + 3 * d };

		if (gsl_eigen_symmv(&A.matrix, &E.vector, &U.matrix, &w) !=
		    GSL_SUCCESS)
			goto out;
		/* the kept directions first, as u's first rank columns */
		gsl_eigen_symmv_sort(&E.vector, &U.matrix,
		    GSL_EIGEN_SORT_VAL_DESC);
	}
	top = d > 0 ? eval[0] : 0;
	s->rank = 0;
	while (s->rank < d && eval[s->rank] > GMM_DATA_RANK_TOL * top &&
	    eval[s->rank] > 0)
		s->rank++;
	s->d = d;
	s->u = u;
	u = NULL;
	s->min_var = gmm_min_column_variance(x, n, d);
	ret = 0;
out:
	free(mean);
	free(cov);
	free(eval);
	free(ws);
	free(u);
	return ret;
}

void
gmm_data_shape_release(struct gmm_data_shape *s)
{
	free(s->u);
	s->u = NULL;
}

/* p = u_r^T sigma u_r (r x r), for the first r columns of u (d x d). */
static void
project(const double *sigma, const double *u, size_t d, size_t r, double *t,
    double *p)
{
	gsl_matrix_const_view S = gsl_matrix_const_view_array(sigma, d, d);
	gsl_matrix_const_view U = gsl_matrix_const_view_array(u, d, d);
	gsl_matrix_const_view Ur = gsl_matrix_const_submatrix(&U.matrix, 0, 0,
	    d, r);
	gsl_matrix_view T = gsl_matrix_view_array(t, d, r);
	gsl_matrix_view P = gsl_matrix_view_array(p, r, r);

	/* T = Sigma U_r, then P = U_r^T T */
	gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, &S.matrix, &Ur.matrix, 0,
	    &T.matrix);
	gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1, &Ur.matrix, &T.matrix, 0,
	    &P.matrix);
	for (size_t a = 0; a < r; a++)	/* exactly symmetric */
		for (size_t b = 0; b < a; b++)
			p[a * r + b] = p[b * r + a] =
			    0.5 * (p[a * r + b] + p[b * r + a]);
}

int
gmm_model_same_components(const struct gmm_model *m, size_t *a, size_t *b)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t d = m->d, per = cm->shared ? 0 : gmm_covmodel_per(cm, d);

	/* in the stored form: O(k^2 d^2) at most, no d x d copies */
	for (size_t p = 0; p < m->k; p++) {
		for (size_t q = p + 1; q < m->k; q++) {
			const double *sp = m->cov + p * per, *sq = m->cov + q * per;
			int same = 1;

			for (size_t j = 0; j < d && same; j++)
				same = fabs(m->means[p * d + j] -
				    m->means[q * d + j]) <= 1e-6 *
				    sqrt(gmm_covmodel_var(cm, m->cov, p, j, d));
			for (size_t i = 0; i < per && same; i++)
				same = fabs(sp[i] - sq[i]) <= 1e-6 *
				    (fabs(sp[i]) + fabs(sq[i])) + DBL_MIN;
			if (same) {
				*a = p;
				*b = q;
				return 1;
			}
		}
	}
	return 0;
}

int
gmm_model_degenerate(const struct gmm_model *m, size_t n,
    const struct gmm_data_shape *s)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t d = m->d, r = s->rank, nmat = gmm_covmodel_count(cm, m->k);
	double floor = GMM_DEGENERATE_EIG_FRAC * s->min_var;
	double *sigma, *t, *p, *b;
	int below = 0;

	if (cm->form == GMM_FORM_MATRIX && !cm->shared)
		for (size_t c = 0; c < m->k; c++)
			if ((double)n * m->weights[c] < (double)(r + 1))
				return 1;
	if (r == 0)
		return 0;
	if (s->u == NULL && cm->form != GMM_FORM_MATRIX) {
		/* wide data (GMM_SHAPE_MAX_D): the variances themselves */
		for (size_t i = 0; i < gmm_cov_size(m->cov_type, m->k, d); i++)
			if (m->cov[i] < floor)
				return 1;
		return 0;
	}
	sigma = malloc((d * d + d * r + 3 * (r > d ? r : d) * (r > d ? r :
	    d)) * sizeof(double));
	if (sigma == NULL)
		return -1;
	t = sigma + d * d;
	p = t + d * r;
	b = p + r * r;
	for (size_t c = 0; c < nmat && !below; c++) {
		gmm_model_component_cov(m, c, sigma);
		if (s->u != NULL) {
			project(sigma, s->u, d, r, t, p);
			below = eigenvalue_below(p, r, floor, b);
		} else {	/* every direction (GMM_SHAPE_MAX_D) */
			below = eigenvalue_below(sigma, d, floor, b);
		}
	}
	free(sigma);
	return below;
}
