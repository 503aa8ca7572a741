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
#include "engine/mstep.h"

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
	m->family = &gmm_family_gaussian;
	m->weights = calloc(k, sizeof(double));
	m->means = calloc(k * d, sizeof(double));
	m->cov = calloc(ncov, sizeof(double));
	m->columns = calloc(d, sizeof(char *));
	m->log_weights = calloc(k, sizeof(double));
	m->log_det = calloc(k, sizeof(double));
	m->df = calloc(k, sizeof(double));
	/* a factor per stored matrix; precisions per component, also when
	 * the variances are shared (the kernels take them by component) */
	if (gmm_covmodel(t)->form == GMM_FORM_MATRIX)
		m->chol = calloc(ncov, sizeof(double));
	else
		m->prec = calloc(k * gmm_covmodel_per(gmm_covmodel(t), d),
		    sizeof(double));
	if (!m->weights || !m->means || !m->cov || !m->columns ||
	    !m->log_weights || !m->log_det || !m->df || (!m->chol &&
	    !m->prec))
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
	for (size_t c = 0; m->classes != NULL && c < m->k; c++)
		free(m->classes[c]);
	free(m->classes);
	free(m->weights);
	free(m->means);
	free(m->cov);
	free(m->log_weights);
	free(m->log_det);
	free(m->df);
	free(m->loadings);
	free(m->psi);
	free(m->fprec);
	free(m->fg);
	free(m->fm);
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

int
gmm_model_set_factors(struct gmm_model *m, size_t q)
{
	size_t k = m->k, d = m->d;
	size_t np = m->cov_type == GMM_COV_MFA ? k * d : k;

	free(m->loadings);
	free(m->psi);
	free(m->fprec);
	free(m->fg);
	free(m->fm);
	m->factors = q;
	m->loadings = calloc(k * d * q, sizeof(double));
	m->psi = calloc(np, sizeof(double));
	m->fprec = calloc(k * d, sizeof(double));
	m->fg = calloc(k * q * d, sizeof(double));
	m->fm = calloc(q * q, sizeof(double));
	if (m->loadings == NULL || m->psi == NULL || m->fprec == NULL ||
	    m->fg == NULL || m->fm == NULL) {
		free(m->loadings);
		free(m->psi);
		free(m->fprec);
		free(m->fg);
		free(m->fm);
		m->loadings = m->psi = m->fprec = m->fg = m->fm = NULL;
		m->factors = 0;
		return -1;
	}
	return 0;
}

void
gmm_model_factor_cov(struct gmm_model *m)
{
	size_t k = m->k, d = m->d, q = m->factors;
	int mfa = m->cov_type == GMM_COV_MFA;

	for (size_t c = 0; c < k; c++)
		gmm_factor_sigma(m->loadings + c * d * q, m->psi + (mfa ? c * d :
		    c), d, q, mfa, m->cov + c * d * d);
}

int
gmm_model_set_classes(struct gmm_model *m, char *const *names, size_t n)
{
	char **c = calloc(m->k, sizeof(*c));

	for (size_t i = 0; c != NULL && i < m->k; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "new%zu", i - n + 1);
		if ((c[i] = strdup(i < n ? names[i] : buf)) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(c[j]);
			free(c);
			c = NULL;
		}
	}
	for (size_t i = 0; m->classes != NULL && i < m->k; i++)
		free(m->classes[i]);
	free(m->classes);
	m->classes = c;
	return c != NULL ? 0 : -1;
}

void
gmm_model_copy_params(struct gmm_model *c, const struct gmm_model *m)
{
	size_t k = m->k, d = m->d, ncov = gmm_cov_size(m->cov_type, k, d);

	if (c->k != k || c->d != d || c->cov_type != m->cov_type ||
	    c->factors != m->factors)
		GMM_BUG("gmm_model_copy_params: models unlike");
	c->family = m->family;
	c->noise = m->noise;
	c->noise_vinv = m->noise_vinv;
	c->noise_weight = m->noise_weight;
	c->noise_log_joint = m->noise_log_joint;
	c->df_fixed = m->df_fixed;
	memcpy(c->df, m->df, k * sizeof(double));
	if (m->factors > 0) {
		memcpy(c->loadings, m->loadings, k * d * m->factors *
		    sizeof(double));
		memcpy(c->psi, m->psi, (m->cov_type == GMM_COV_MFA ? k * d :
		    k) * sizeof(double));
		memcpy(c->fprec, m->fprec, k * d * sizeof(double));
		memcpy(c->fg, m->fg, k * m->factors * d * sizeof(double));
	}
	memcpy(c->weights, m->weights, k * sizeof(double));
	memcpy(c->means, m->means, k * d * sizeof(double));
	memcpy(c->cov, m->cov, ncov * sizeof(double));
	memcpy(c->log_weights, m->log_weights, k * sizeof(double));
	memcpy(c->log_det, m->log_det, k * sizeof(double));
	if (m->chol)
		memcpy(c->chol, m->chol, ncov * sizeof(double));
	if (m->prec)
		memcpy(c->prec, m->prec, m->k * gmm_covmodel_per(
		    gmm_covmodel(m->cov_type), m->d) * sizeof(double));
}

struct gmm_model *
gmm_model_dup(const struct gmm_model *m)
{
	struct gmm_model *c = gmm_model_new(m->k, m->d, m->cov_type);

	if (c == NULL)
		return NULL;
	if (m->factors > 0 && gmm_model_set_factors(c, m->factors) < 0) {
		gmm_model_free(c);
		return NULL;
	}
	gmm_model_copy_params(c, m);
	for (size_t j = 0; j < m->d; j++) {
		if (gmm_model_set_column(c, j, m->columns[j]) < 0) {
			gmm_model_free(c);
			return NULL;
		}
	}
	if (m->classes != NULL && gmm_model_set_classes(c, m->classes,
	    m->k) < 0) {
		gmm_model_free(c);
		return NULL;
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
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t per = gmm_covmodel_per(cm, m->d);

	for (size_t c = 0; c < m->k; c++) {
		const double *cov = m->cov + gmm_covmodel_offset(cm, c, m->d);
		double s = 0;

		for (size_t j = 0; j < per; j++) {
			double v = cov[j];

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

/*
 * A factor model's Woodbury form: M = I + Lambda^T Psi^-1 Lambda, its
 * lower factor L, and G = L^-1 Lambda^T Psi^-1 by forward substitution,
 * column by column.
 */
static int
prepare_woodbury(struct gmm_model *m, struct gmm_error *err)
{
	size_t k = m->k, d = m->d, q = m->factors;
	int mfa = m->cov_type == GMM_COV_MFA;
	double *l = m->fm;
	gsl_matrix_view lv = gsl_matrix_view_array(l, q, q);

	for (size_t c = 0; c < k; c++) {
		const double *lam = m->loadings + c * d * q;
		double *p = m->fprec + c * d, *g = m->fg + c * q * d;

		for (size_t j = 0; j < d; j++)
			p[j] = 1 / (mfa ? m->psi[c * d + j] : m->psi[c]);
		for (size_t a = 0; a < q; a++)
			for (size_t b = 0; b <= a; b++) {
				double t = a == b;

				for (size_t j = 0; j < d; j++)
					t += lam[j * q + a] * p[j] *
					    lam[j * q + b];
				l[a * q + b] = l[b * q + a] = t;
			}
		if (gsl_linalg_cholesky_decomp1(&lv.matrix) != GSL_SUCCESS)
			return gmm_error_set(err, NULL, 0, "component %zu: the "
			    "factors' inner matrix is not positive definite",
			    c);
		/* the determinant lemma: |Sigma| = |Psi| |M| */
		m->log_det[c] = 0;
		for (size_t j = 0; j < d; j++)
			m->log_det[c] -= log(p[j]);
		for (size_t a = 0; a < q; a++)
			m->log_det[c] += 2 * log(l[a * q + a]);
		for (size_t j = 0; j < d; j++)
			for (size_t a = 0; a < q; a++) {
				double t = lam[j * q + a] * p[j];

				for (size_t b = 0; b < a; b++)
					t -= l[a * q + b] * g[b * d + j];
				g[a * d + j] = t / l[a * q + a];
			}
	}
	return 0;
}

int
gmm_model_prepare(struct gmm_model *m, struct gmm_error *err)
{
	for (size_t c = 0; c < m->k; c++)
		m->log_weights[c] = m->weights[c] > 0 ? log(m->weights[c])
		    : -INFINITY;
	m->noise_log_joint = m->noise && m->noise_weight > 0 ?
	    log(m->noise_weight) + log(m->noise_vinv) : -INFINITY;
	/* a factor model's density is its Woodbury form, no d x d factor
	 * (a model whose psi is not yet estimated has none) */
	if (gmm_covmodel(m->cov_type)->factor && m->factors > 0 &&
	    m->psi[0] > 0)
		return prepare_woodbury(m, err);
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
	if (m->noise && (!isfinite(m->noise_weight) || m->noise_weight < 0))
		return gmm_error_set(err, name, 0,
		    "the noise weight is %g, not a probability",
		    m->noise_weight);
	if (m->noise && (!(m->noise_vinv > 0) || !isfinite(m->noise_vinv)))
		return gmm_error_set(err, name, 0, "the noise density is %g, "
		    "not positive and finite", m->noise_vinv);
	if (m->noise)
		sum += m->noise_weight;
	for (size_t c = 0; m->family->scaled && c < k; c++)
		if (!(m->df[c] > 0) || !isfinite(m->df[c]))
			return gmm_error_set(err, name, 0, "component %zu: "
			    "degrees of freedom %g, not positive and finite",
			    c, m->df[c]);
	if (gmm_covmodel(m->cov_type)->factor) {
		size_t np = m->cov_type == GMM_COV_MFA ? k * d : k;

		if (m->factors < 1 || m->factors >= d || m->loadings == NULL)
			return gmm_error_set(err, name, 0, "%s needs 1 to d - 1 "
			    "= %zu factors, not %zu", gmm_cov_type_name(
			    m->cov_type), d - 1, m->factors);
		if (!all_finite(m->loadings, k * d * m->factors))
			return gmm_error_set(err, name, 0,
			    "a loading is not finite");
		for (size_t i = 0; i < np; i++)
			if (!(m->psi[i] > 0) || !isfinite(m->psi[i]))
				return gmm_error_set(err, name, 0, "psi %zu is "
				    "%g, not positive and finite", i,
				    m->psi[i]);
		gmm_model_factor_cov(m);	/* the covariances they give */
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
	for (size_t c = 0; m->classes != NULL && c < k; c++)
		if (m->classes[c][0] == '\0' || !gmm_text_utf8(m->classes[c],
		    strlen(m->classes[c])))
			return gmm_error_set(err, name, 0, "class name %zu is "
			    "empty or not valid UTF-8", c + 1);
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

size_t
gmm_n_parameters(enum gmm_cov_type t, size_t k, size_t d, int noise)
{
	return (k - 1) + k * d + gmm_covmodel(t)->cov_params(k, d) +
	    (noise ? 2 : 0);
}

size_t
gmm_model_parameters(const struct gmm_model *m)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t p = gmm_n_parameters(m->cov_type, m->k, m->d, m->noise);

	if (cm->factor)	/* the table counts q = 1 */
		p = p - cm->cov_params(m->k, m->d) +
		    gmm_covmodel_factor_params(cm, m->k, m->d, m->factors);
	return p + m->family->params(m);
}

double
gmm_bic(double loglik_total, size_t n_parameters, double n)
{
	return -2 * loglik_total + (double)n_parameters * log(n);
}

double
gmm_icl(double bic, double class_loglik)
{
	return bic - 2 * class_loglik;
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
gmm_model_degenerate(const struct gmm_model *m, double n,
    const struct gmm_data_shape *s)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t d = m->d, r = s->rank, nmat = gmm_covmodel_count(cm, m->k);
	double floor = GMM_DEGENERATE_EIG_FRAC * s->min_var;
	double *sigma, *t, *p, *b;
	int below = 0;

	if (cm->own_rows)
		for (size_t c = 0; c < m->k; c++)
			if (n * m->weights[c] < (double)(r + 1))
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
