#include "model.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "consts.h"

static const char *const cov_names[] = { "full", "diag", "spherical", "tied" };

const char *
gmm_cov_type_name(enum gmm_cov_type t)
{
	return cov_names[t];
}

int
gmm_cov_type_parse(const char *s, enum gmm_cov_type *t)
{
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, cov_names[i]) == 0) {
			*t = (enum gmm_cov_type)i;
			return 0;
		}
	}
	return -1;
}

size_t
gmm_cov_size(enum gmm_cov_type t, size_t k, size_t d)
{
	switch (t) {
	case GMM_COV_FULL:
		return k * d * d;
	case GMM_COV_DIAG:
		return k * d;
	case GMM_COV_SPHERICAL:
		return k;
	case GMM_COV_TIED:
		return d * d;
	}
	GMM_BUG("unknown covariance type");
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
	if (t == GMM_COV_FULL || t == GMM_COV_TIED)
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

		if (!(ljj > 0) || !isfinite(ljj))
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

	if (m->cov_type == GMM_COV_TIED) {
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
	size_t per = m->cov_type == GMM_COV_DIAG ? m->d : 1;

	for (size_t c = 0; c < m->k; c++) {
		double s = 0;

		for (size_t j = 0; j < per; j++) {
			double v = m->cov[c * per + j];

			if (!(v > 0) || !isfinite(v))
				return gmm_error_set(err, NULL, 0,
				    "component %zu: variance %g is not positive",
				    c, v);
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
	if (m->cov_type == GMM_COV_FULL || m->cov_type == GMM_COV_TIED)
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
	if (m->cov_type == GMM_COV_FULL || m->cov_type == GMM_COV_TIED) {
		size_t nmat = m->cov_type == GMM_COV_FULL ? k : 1;

		for (size_t c = 0; c < nmat; c++)
			if (check_symmetric(m->cov + c * dd, d) < 0)
				return gmm_error_set(err, name, 0,
				    "covariance %zu is not symmetric", c);
	}
	if (gmm_model_prepare(m, &sub) < 0)
		return gmm_error_set(err, name, 0, "%s", sub.msg);
	return 0;
}

void
gmm_transpose_block(const double *x, size_t rows, size_t d, double *xt)
{
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < d; j++)
			xt[j * rows + i] = x[i * d + j];
}

/*
 * sq[i] = |L^-1 (x_i - mu)|^2 for the r rows of xt, a block stored by
 * columns (xt[j*r + i] = x_ij), by forward substitution run across the rows
 * at once: y_j = (x_j - mu_j - sum_{t<j} L_jt y_t) / L_jj.  Rows go in
 * groups of MAHA_ROWS, whose partial sums stay in vector registers while
 * the t loop runs (the compiler vectorises the fixed-length loops; the
 * clones pick AVX-512 or AVX2 at run time).  y holds d*r doubles.
 */
#define MAHA_ROWS 128

__attribute__((target_clones("avx512f", "avx2", "default")))
static void
mahalanobis_cols(const double *xt, size_t r, size_t d, const double *l,
    const double *mu, double *y, double *sq)
{
	size_t i0 = 0;

	for (; i0 + MAHA_ROWS <= r; i0 += MAHA_ROWS) {
		double s[MAHA_ROWS] = { 0 };

		for (size_t j = 0; j < d; j++) {
			const double *xj = xt + j * r + i0, *lj = l + j * d;
			double acc[MAHA_ROWS], inv = 1 / lj[j];

			for (size_t i = 0; i < MAHA_ROWS; i++)
				acc[i] = xj[i] - mu[j];
			for (size_t t = 0; t < j; t++) {
				const double *yt = y + t * r + i0;

				for (size_t i = 0; i < MAHA_ROWS; i++)
					acc[i] -= lj[t] * yt[i];
			}
			for (size_t i = 0; i < MAHA_ROWS; i++) {
				acc[i] *= inv;
				s[i] += acc[i] * acc[i];
				y[j * r + i0 + i] = acc[i];
			}
		}
		for (size_t i = 0; i < MAHA_ROWS; i++)
			sq[i0 + i] = s[i];
	}
	for (; i0 < r; i0++) {	/* the last rows, one at a time */
		double s = 0;

		for (size_t j = 0; j < d; j++) {
			double acc = xt[j * r + i0] - mu[j];

			for (size_t t = 0; t < j; t++)
				acc -= l[j * d + t] * y[t * r + i0];
			acc *= 1 / l[j * d + j];	/* as in the groups */
			s += acc * acc;
			y[j * r + i0] = acc;
		}
		sq[i0] = s;
	}
}

static void
log_joint_factor(const struct gmm_model *m, const double *xt, size_t rows,
    double *logp, double *y, double *sq)
{
	size_t k = m->k, d = m->d, dd = d * d;
	double log_2pi_d = (double)d * log(2 * M_PI);

	for (size_t c = 0; c < k; c++) {
		const double *l = m->cov_type == GMM_COV_TIED ? m->chol
		    : m->chol + c * dd;
		double base = m->log_weights[c] - 0.5 * (log_2pi_d
		    + m->log_det[c]);

		mahalanobis_cols(xt, rows, d, l, m->means + c * d, y, sq);
		for (size_t i = 0; i < rows; i++)
			logp[i * k + c] = base - 0.5 * sq[i];
	}
}

/*
 * sq[i] = sum_j p_j (x_ij - mu_j)^2 for the r rows of xt (stored by
 * columns, as above), accumulated over j in the same order as a row-wise
 * loop would, each step vectorised across the rows.
 */
__attribute__((target_clones("avx512f", "avx2", "default")))
static void
weighted_sq_cols(const double *xt, size_t r, size_t d, const double *mu,
    const double *p, size_t pstride, double *sq)
{
	for (size_t i = 0; i < r; i++)
		sq[i] = 0;
	for (size_t j = 0; j < d; j++) {
		const double *xj = xt + j * r;
		double mj = mu[j], pj = p[j * pstride];

#pragma omp simd
		for (size_t i = 0; i < r; i++) {
			double t = xj[i] - mj;

			sq[i] += t * t * pj;
		}
	}
}

static void
log_joint_variances(const struct gmm_model *m, const double *xt, size_t rows,
    double *logp, double *sq)
{
	size_t k = m->k, d = m->d;
	int diag = m->cov_type == GMM_COV_DIAG;
	double log_2pi_d = (double)d * log(2 * M_PI);

	for (size_t c = 0; c < k; c++) {
		double base = m->log_weights[c] - 0.5 * (log_2pi_d
		    + m->log_det[c]);

		weighted_sq_cols(xt, rows, d, m->means + c * d,
		    diag ? m->prec + c * d : m->prec + c, diag ? 1 : 0, sq);
		for (size_t i = 0; i < rows; i++)
			logp[i * k + c] = base - 0.5 * sq[i];
	}
}

void
gmm_model_log_joint_cols(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *work)
{
	double sq[GMM_BLOCK_ROWS];

	if (m->cov_type == GMM_COV_FULL || m->cov_type == GMM_COV_TIED)
		log_joint_factor(m, xt, rows, logp, work, sq);
	else
		log_joint_variances(m, xt, rows, logp, sq);
}

void
gmm_model_log_joint(const struct gmm_model *m, const double *x, size_t rows,
    double *logp, double *work)
{
	double *xt = work + (size_t)GMM_BLOCK_ROWS * m->d;

	for (size_t i0 = 0; i0 < rows; i0 += GMM_BLOCK_ROWS) {
		size_t r = rows - i0 < GMM_BLOCK_ROWS ? rows - i0
		    : GMM_BLOCK_ROWS;

		gmm_transpose_block(x + i0 * m->d, r, m->d, xt);
		gmm_model_log_joint_cols(m, xt, r, logp + i0 * m->k, work);
	}
}

void
gmm_resp_from_log_joint(double *logp, size_t rows, size_t k,
    double *log_density)
{
	for (size_t i = 0; i < rows; i++) {
		double *r = logp + i * k, max = -INFINITY, s = 0;

		for (size_t c = 0; c < k; c++)
			if (r[c] > max)
				max = r[c];
		if (!(max > -INFINITY)) {
			for (size_t c = 0; c < k; c++)
				r[c] = 1.0 / (double)k;
			log_density[i] = -INFINITY;
			continue;
		}
		for (size_t c = 0; c < k; c++) {
			r[c] = exp(r[c] - max);
			s += r[c];
		}
		for (size_t c = 0; c < k; c++)
			r[c] /= s;
		log_density[i] = max + log(s);
	}
}

size_t
gmm_n_parameters(enum gmm_cov_type t, size_t k, size_t d)
{
	size_t cov = 0;

	switch (t) {
	case GMM_COV_FULL:
		cov = k * d * (d + 1) / 2;
		break;
	case GMM_COV_DIAG:
		cov = k * d;
		break;
	case GMM_COV_SPHERICAL:
		cov = k;
		break;
	case GMM_COV_TIED:
		cov = d * (d + 1) / 2;
		break;
	}
	return (k - 1) + k * d + cov;
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
	size_t d = m->d, dd = d * d;

	switch (m->cov_type) {
	case GMM_COV_FULL:
		memcpy(sigma, m->cov + c * dd, dd * sizeof(double));
		return;
	case GMM_COV_TIED:
		memcpy(sigma, m->cov, dd * sizeof(double));
		return;
	case GMM_COV_DIAG:
	case GMM_COV_SPHERICAL:
		memset(sigma, 0, dd * sizeof(double));
		for (size_t j = 0; j < d; j++)
			sigma[j * d + j] = m->cov_type == GMM_COV_DIAG
			    ? m->cov[c * d + j] : m->cov[c];
		return;
	}
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
 * Whether the symmetric d x d matrix a has an eigenvalue below floor: when
 * a - floor I has no Cholesky factor.  (GSL's own allocators leak when out
 * of memory, so the scratch space is ours.)  -1 when out of memory.
 */
static int
eigenvalue_below(const double *a, size_t d, double floor)
{
	double *b = malloc(2 * d * d * sizeof(double)), log_det;
	int below;

	if (b == NULL)
		return -1;
	memcpy(b, a, d * d * sizeof(double));
	for (size_t j = 0; j < d; j++)
		b[j * d + j] -= floor;
	below = cholesky(b, d, b + d * d, &log_det) < 0;
	free(b);
	return below;
}

int
gmm_model_degenerate(const struct gmm_model *m, size_t n, double min_var)
{
	size_t d = m->d, dd = d * d;
	double floor = GMM_DEGENERATE_EIG_FRAC * min_var;
	int below;

	for (size_t c = 0; c < m->k; c++)
		if ((double)n * m->weights[c] < (double)(d + 1))
			return 1;
	switch (m->cov_type) {
	case GMM_COV_FULL:
	case GMM_COV_TIED:
		for (size_t c = 0; c < (m->cov_type == GMM_COV_FULL ? m->k : 1);
		    c++) {
			below = eigenvalue_below(m->cov + c * dd, d, floor);
			if (below != 0)
				return below;
		}
		return 0;
	case GMM_COV_DIAG:
	case GMM_COV_SPHERICAL:
		for (size_t i = 0; i < gmm_cov_size(m->cov_type, m->k, d); i++)
			if (m->cov[i] < floor)
				return 1;
		return 0;
	}
	return 0;
}
