/*
 * The JSON form of a model: what `gmm show --json` prints and what every
 * command that reads a model accepts, so a hand-written model works.
 * Reading goes through jansson; writing is by hand, so that numbers use
 * the round-tripping formatter of csvout.
 */
#include "io/modelfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/consts.h"
#include "io/csvout.h"

static void
json_vector(FILE *f, const double *v, size_t n)
{
	fputc('[', f);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", f);
		gmm_json_number(f, v[i]);
	}
	fputc(']', f);
}

/* rows x cols, one row per line at the given indent. */
static void
json_matrix(FILE *f, const double *v, size_t rows, size_t cols,
    const char *indent)
{
	fputc('[', f);
	for (size_t i = 0; i < rows; i++) {
		fprintf(f, "%s\n%s  ", i ? "," : "", indent);
		json_vector(f, v + i * cols, cols);
	}
	fprintf(f, "\n%s]", indent);
}

/* Component c's diagonal or spherical covariance as a full d x d matrix,
 * laid out as json_matrix() lays one out. */
static void
json_diagonal(FILE *f, const struct gmm_covmodel *cm, const double *cov,
    size_t c, size_t d)
{
	fputc('[', f);
	for (size_t i = 0; i < d; i++) {
		fprintf(f, "%s\n      [", i ? "," : "");
		for (size_t j = 0; j < d; j++) {
			if (j > 0)
				fputs(", ", f);
			gmm_json_number(f, i == j ? gmm_covmodel_var(cm, cov,
			    c, i, d) : 0.0);
		}
		fputc(']', f);
	}
	fputs("\n    ]", f);
}

/* The covariances nested as the model's row says (covmodel.h): the
 * stored array, or k full matrices for the models beyond scikit-learn's. */
static void
json_covariances(FILE *f, const struct gmm_model *m)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t dims[3], rank = gmm_covmodel_dims(cm, m->k, m->d, dims);

	switch (rank) {
	case 3:
		fputc('[', f);
		for (size_t c = 0; c < dims[0]; c++) {
			fprintf(f, "%s\n    ", c ? "," : "");
			if (cm->form != GMM_FORM_MATRIX)
				json_diagonal(f, cm, m->cov, c, m->d);
			else
				json_matrix(f, m->cov + gmm_covmodel_offset(cm,
				    c, m->d), dims[1], dims[2], "    ");
		}
		fputs("\n  ]", f);
		return;
	case 2:
		json_matrix(f, m->cov, dims[0], dims[1], "  ");
		return;
	case 1:
		json_vector(f, m->cov, dims[0]);
		return;
	}
	GMM_BUG("covariances of rank 0");
}

static void
json_training(FILE *f, const struct gmm_training *t)
{
	fprintf(f, ",\n  \"training\": {\"n\": %llu",
	    (unsigned long long)t->n);
	gmm_json_member(f, ", ", "log_likelihood", t->loglik_total);
	gmm_json_member(f, ", ", "mean_log_likelihood", t->loglik_mean);
	gmm_json_member(f, ", ", "bic", t->bic);
	gmm_json_member(f, ", ", "aic", t->aic);
	if (t->has_icl)
		gmm_json_member(f, ", ", "icl", t->icl);
	if (t->prior)
		fputs(", \"prior\": \"conjugate\"", f);
	if (t->weighted)
		gmm_json_member(f, ", ", "weight_total", t->weight_total);
	fprintf(f, ", \"iterations\": %llu, \"converged\": %s, "
	    "\"degenerate\": %s, \"seed\": %llu, \"n_init\": %llu, "
	    "\"reg_covar\": ", (unsigned long long)t->iterations,
	    t->converged ? "true" : "false", t->degenerate ? "true" : "false",
	    (unsigned long long)t->seed, (unsigned long long)t->n_init);
	gmm_json_number(f, t->reg_covar);
	fputs(", \"tol\": ", f);
	gmm_json_number(f, t->tol);
	if (t->has_ldq) {
		fputs(",\n    \"log_density_quantiles\": ", f);
		json_vector(f, t->ldq, GMM_LDQ_N);
	}
	fputc('}', f);
}

void
gmm_modelfile_write_json(FILE *f, const struct gmm_model *m)
{
	fprintf(f, "{\n  \"format\": \"gmm-model\", \"version\": %d, "
	    "\"k\": %zu, \"d\": %zu, \"covariance_type\": \"%s\",\n"
	    "  \"columns\": [", GMM_MODEL_JSON_VERSION, m->k, m->d,
	    gmm_cov_type_name(m->cov_type));
	for (size_t j = 0; j < m->d; j++) {
		if (j > 0)
			fputs(", ", f);
		gmm_json_string(f, m->columns[j]);
	}
	fputs("],\n  \"weights\": ", f);
	json_vector(f, m->weights, m->k);
	if (m->classes != NULL) {
		fputs(",\n  \"classes\": [", f);
		for (size_t c = 0; c < m->k; c++) {
			if (c > 0)
				fputs(", ", f);
			gmm_json_string(f, m->classes[c]);
		}
		fputc(']', f);
	}
	if (m->family != &gmm_family_gaussian) {
		fprintf(f, ",\n  \"family\": \"%s\"", m->family->name);
		if (m->family->scaled) {
			fputs(", \"df\": ", f);
			json_vector(f, m->df, m->k);
			if (m->df_fixed)
				fputs(", \"df_fixed\": true", f);
		}
	}
	if (m->noise) {
		gmm_json_member(f, ",\n  \"noise\": {", "weight",
		    m->noise_weight);
		gmm_json_member(f, ", ", "density", m->noise_vinv);
		fputc('}', f);
	}
	fputs(",\n  \"means\": ", f);
	json_matrix(f, m->means, m->k, m->d, "  ");
	if (m->factors > 0) {
		size_t d = m->d, q = m->factors;

		fprintf(f, ",\n  \"factors\": %zu,\n  \"loadings\": [", q);
		for (size_t c = 0; c < m->k; c++) {
			fprintf(f, "%s\n    ", c ? "," : "");
			json_matrix(f, m->loadings + c * d * q, d, q, "    ");
		}
		fputs("\n  ],\n  \"psi\": ", f);
		if (m->cov_type == GMM_COV_MFA)
			json_matrix(f, m->psi, m->k, d, "  ");
		else
			json_vector(f, m->psi, m->k);
	}
	fputs(",\n  \"covariances\": ", f);
	json_covariances(f, m);
	if (m->training.present)
		json_training(f, &m->training);
	fputs("\n}\n", f);
}

/* Read a JSON array of exactly n numbers into v. */
static int
get_vector(json_t *a, double *v, size_t n)
{
	if (!json_is_array(a) || json_array_size(a) != n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_t *x = json_array_get(a, i);

		if (!json_is_number(x))
			return -1;
		v[i] = json_number_value(x);
	}
	return 0;
}

/* Read an array of `rows` arrays of `cols` numbers. */
static int
get_matrix(json_t *a, double *v, size_t rows, size_t cols)
{
	if (!json_is_array(a) || json_array_size(a) != rows)
		return -1;
	for (size_t i = 0; i < rows; i++)
		if (get_vector(json_array_get(a, i), v + i * cols, cols) < 0)
			return -1;
	return 0;
}

/* k full matrices into the stored form: -1 when they lack its structure
 * (covmodel.h) or memory runs out. */
static int
get_full_covariances(json_t *a, struct gmm_model *m)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t k = m->k, d = m->d;
	double *sig = malloc(k * d * d * sizeof(double));
	int r = 0;

	if (sig == NULL)
		return -1;
	for (size_t c = 0; c < k && r == 0; c++)
		r = get_matrix(json_array_get(a, c), sig + c * d * d, d, d);
	if (r == 0)
		r = gmm_covmodel_from_fulls(cm, sig, k, d, m->cov);
	free(sig);
	return r;
}

static int
get_covariances(json_t *a, struct gmm_model *m)
{
	size_t dims[3], rank = gmm_covmodel_dims(gmm_covmodel(m->cov_type),
	    m->k, m->d, dims);

	if (!gmm_covmodel(m->cov_type)->sklearn)
		return get_full_covariances(a, m);
	switch (rank) {
	case 3:
		if (!json_is_array(a) || json_array_size(a) != dims[0])
			return -1;
		for (size_t c = 0; c < dims[0]; c++)
			if (get_matrix(json_array_get(a, c), m->cov + c *
			    dims[1] * dims[2], dims[1], dims[2]) < 0)
				return -1;
		return 0;
	case 2:
		return get_matrix(a, m->cov, dims[0], dims[1]);
	case 1:
		return get_vector(a, m->cov, dims[0]);
	}
	return -1;
}

/* 1 when a is nested arrays of exactly dims[0] x dims[1] x ... */
static int
has_shape(json_t *a, const size_t *dims, size_t ndims)
{
	if (ndims == 0)
		return json_is_number(a);
	if (!json_is_array(a) || json_array_size(a) != dims[0])
		return 0;
	for (size_t i = 0; i < dims[0]; i++)
		if (!has_shape(json_array_get(a, i), dims + 1, ndims - 1))
			return 0;
	return 1;
}

/* The covariances' shape, checked before anything of that size exists. */
static int
cov_shape_ok(json_t *a, enum gmm_cov_type t, size_t k, size_t d)
{
	size_t dims[3], rank = gmm_covmodel_dims(gmm_covmodel(t), k, d, dims);

	return has_shape(a, dims, rank);
}

static double
num_or(json_t *o, const char *key, double dflt)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* A count from o[key]: a non-negative integer, or a whole real number up to
 * 2^53; else dflt (casting an out-of-range double is undefined). */
static uint64_t
count_or(json_t *o, const char *key, uint64_t dflt)
{
	json_t *j = json_object_get(o, key);
	double v = num_or(o, key, NAN);

	if (json_is_integer(j))
		return json_integer_value(j) >= 0 ?
		    (uint64_t)json_integer_value(j) : dflt;

	if (!(v >= 0 && v <= 9007199254740992.0) || v != floor(v))
		return dflt;
	return (uint64_t)v;
}

/* The training record; -1 when its quantiles are not GMM_LDQ_N
 * numbers. */
static int
get_training(json_t *t, struct gmm_training *tr)
{
	json_t *q;

	if (!json_is_object(t))
		return 0;
	tr->present = 1;
	tr->n = count_or(t, "n", 0);
	tr->weight_total = num_or(t, "weight_total", NAN);
	tr->weighted = tr->weight_total > 0 && isfinite(tr->weight_total);
	if (!tr->weighted)
		tr->weight_total = (double)tr->n;
	tr->loglik_total = num_or(t, "log_likelihood", NAN);
	tr->loglik_mean = num_or(t, "mean_log_likelihood", NAN);
	tr->bic = num_or(t, "bic", NAN);
	tr->aic = num_or(t, "aic", NAN);
	tr->icl = num_or(t, "icl", NAN);
	tr->has_icl = !isnan(tr->icl);	/* older models have none */
	tr->prior = json_is_string(json_object_get(t, "prior")) &&
	    strcmp(json_string_value(json_object_get(t, "prior")),
	    "conjugate") == 0;
	tr->iterations = count_or(t, "iterations", 0);
	tr->converged = json_is_true(json_object_get(t, "converged"));
	tr->degenerate = json_is_true(json_object_get(t, "degenerate"));
	tr->seed = count_or(t, "seed", 0);
	tr->n_init = count_or(t, "n_init", 1);
	tr->reg_covar = num_or(t, "reg_covar", NAN);
	tr->tol = num_or(t, "tol", NAN);
	q = json_object_get(t, "log_density_quantiles");
	if (q == NULL)
		return 0;
	if (!json_is_array(q) || json_array_size(q) != GMM_LDQ_N)
		return -1;
	for (size_t i = 0; i < GMM_LDQ_N; i++) {
		if (!json_is_number(json_array_get(q, i)))
			return -1;
		tr->ldq[i] = json_number_value(json_array_get(q, i));
	}
	tr->has_ldq = 1;
	return 0;
}

/* k and d: from the fields when given, else from weights and means. */
static int
get_sizes(json_t *root, const char *name, size_t *k, size_t *d,
    struct gmm_error *err)
{
	json_t *w = json_object_get(root, "weights");
	json_t *mu = json_object_get(root, "means");
	json_t *jk = json_object_get(root, "k"), *jd = json_object_get(root,
	    "d");

	if (!json_is_array(w) || !json_is_array(mu) ||
	    json_array_size(mu) == 0 ||
	    !json_is_array(json_array_get(mu, 0)))
		return gmm_error_set(err, name, 0,
		    "\"weights\" and \"means\" must be arrays");
	*k = json_array_size(w);
	*d = json_array_size(json_array_get(mu, 0));
	if ((jk && (!json_is_integer(jk) ||
	    (size_t)json_integer_value(jk) != *k)) ||
	    (jd && (!json_is_integer(jd) ||
	    (size_t)json_integer_value(jd) != *d)))
		return gmm_error_set(err, name, 0,
		    "\"k\" or \"d\" disagrees with the sizes of the arrays");
	if (*k < 1 || *k > GMM_MAX_K || *d < 1 || *d > GMM_MAX_D)
		return gmm_error_set(err, name, 0,
		    "k = %zu and d = %zu are out of range", *k, *d);
	return 0;
}

static int
get_header(json_t *root, const char *name, enum gmm_cov_type *t,
    struct gmm_error *err)
{
	json_t *fmt = json_object_get(root, "format");
	json_t *ver = json_object_get(root, "version");
	json_t *cov = json_object_get(root, "covariance_type");

	if (fmt && (!json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), "gmm-model") != 0))
		return gmm_error_set(err, name, 0,
		    "\"format\" is not \"gmm-model\"");
	if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1))
		return gmm_error_set(err, name, 0, "bad \"version\"");
	if (ver && json_integer_value(ver) > GMM_MODEL_JSON_VERSION)
		return gmm_error_set(err, name, 0,
		    "model format version %lld is newer than this gmm reads "
		    "(%d)", (long long)json_integer_value(ver),
		    GMM_MODEL_JSON_VERSION);
	if (!json_is_string(cov) || gmm_cov_type_parse(json_string_value(cov),
	    t) < 0)
		return gmm_error_set(err, name, 0,
		    "\"covariance_type\" must be full, diag, spherical or "
		    "tied");
	return 0;
}

static int
get_columns(json_t *a, struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) != m->d)
		return gmm_error_set(err, name, 0,
		    "\"columns\" must hold %zu names", m->d);
	for (size_t j = 0; j < m->d; j++) {
		json_t *s = json_array_get(a, j);

		if (!json_is_string(s))
			return gmm_error_set(err, name, 0,
			    "\"columns\" must hold %zu names", m->d);
		if (gmm_model_set_column(m, j, json_string_value(s)) < 0)
			return gmm_error_nomem(err);
	}
	return 0;
}

/* "classes": k strings (absent or null: none).  0, or -1 with err. */
static int
get_classes(json_t *a, struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	const char **names;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) != m->k)
		return gmm_error_set(err, name, 0, "\"classes\" must hold %zu "
		    "names", m->k);
	names = calloc(m->k, sizeof(*names));
	if (names == NULL)
		return gmm_error_nomem(err);
	for (size_t c = 0; c < m->k; c++) {
		json_t *s = json_array_get(a, c);

		if (!json_is_string(s)) {
			free(names);
			return gmm_error_set(err, name, 0, "\"classes\" must "
			    "hold %zu names", m->k);
		}
		names[c] = json_string_value(s);
	}
	if (gmm_model_set_classes(m, (char *const *)names, m->k) < 0) {
		free(names);
		return gmm_error_nomem(err);
	}
	free(names);
	return 0;
}

/* "family": "gaussian" (the default) or "t" with "df": [k] and an
 * optional "df_fixed": true.  0, or -1 with err set. */
static int
get_family(json_t *root, struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	json_t *f = json_object_get(root, "family");
	json_t *df = json_object_get(root, "df");
	json_t *fixed = json_object_get(root, "df_fixed");

	if (f != NULL && (!json_is_string(f) ||
	    (m->family = gmm_family_named(json_string_value(f))) == NULL))
		return gmm_error_set(err, name, 0, "\"family\" must be "
		    "\"gaussian\" or \"t\"");
	if (!m->family->scaled) {
		if (df != NULL || fixed != NULL)
			return gmm_error_set(err, name, 0, "\"df\" belongs to "
			    "the t family, not %s", m->family->name);
		return 0;
	}
	if (get_vector(df, m->df, m->k) < 0)
		return gmm_error_set(err, name, 0, "\"df\" must hold %zu "
		    "numbers, one per component", m->k);
	if (fixed != NULL && !json_is_boolean(fixed))
		return gmm_error_set(err, name, 0, "\"df_fixed\" must be "
		    "true or false");
	m->df_fixed = json_is_true(fixed);
	return 0;
}

/* "noise": {"weight": w, "density": 1/V} or {"weight": w, "volume": V};
 * absent or null: none.  0, or -1 with err set. */
static int
get_noise(json_t *o, struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	json_t *w, *dens, *vol;

	if (o == NULL || json_is_null(o))
		return 0;
	w = json_object_get(o, "weight");
	dens = json_object_get(o, "density");
	vol = json_object_get(o, "volume");
	if (!json_is_object(o) || !json_is_number(w) || (dens != NULL) ==
	    (vol != NULL) || !json_is_number(dens ? dens : vol))
		return gmm_error_set(err, name, 0, "\"noise\" must be "
		    "{\"weight\": w, \"density\": 1/V} or {\"weight\": w, "
		    "\"volume\": V}");
	m->noise = 1;
	m->noise_weight = json_number_value(w);
	m->noise_vinv = dens ? json_number_value(dens) : 1 /
	    json_number_value(vol);
	return 0;
}

static int get_columns(json_t *a, struct gmm_model *m, const char *name,
    struct gmm_error *err);
static int get_training(json_t *t, struct gmm_training *tr);

/* "weights" (k) and "means" (k x d) into m.  0, or -1 with err set. */
static int
get_weights_means(json_t *root, struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	size_t k = m->k, d = m->d;

	if (get_vector(json_object_get(root, "weights"), m->weights, k) < 0)
		return gmm_error_set(err, name, 0, "\"weights\" must hold %zu "
		    "numbers", k);
	if (get_matrix(json_object_get(root, "means"), m->means, k, d) < 0)
		return gmm_error_set(err, name, 0, "\"means\" must be %zu rows "
		    "of %zu numbers", k, d);
	return 0;
}

/* What every model has beside its parameters: columns, noise, family,
 * classes, training; then the checks.  0, or -1 with err set. */
static int
finish_decode(json_t *root, struct gmm_model *m, const char *name,
    struct gmm_error *err)
{
	if (get_columns(json_object_get(root, "columns"), m, name, err) < 0 ||
	    get_noise(json_object_get(root, "noise"), m, name, err) < 0 ||
	    get_family(root, m, name, err) < 0 ||
	    get_classes(json_object_get(root, "classes"), m, name, err) < 0 ||
	    gmm_model_validate(m, name, err) < 0)
		return -1;
	if (get_training(json_object_get(root, "training"), &m->training) < 0)
		return gmm_error_set(err, name, 0, "\"training\": "
		    "\"log_density_quantiles\" must be %d numbers", GMM_LDQ_N);
	return gmm_training_check(&m->training, 1, name, err);
}

/*
 * A factor model (covmodel.h): "factors" q, "loadings" [k][d][q], "psi"
 * [k][d] (mfa) or [k] (mppca); "covariances", which gmm writes for
 * readers that want Sigma alone, are Lambda Lambda^T + Psi and are not
 * read (gmm_model_validate() sets them from the factors).
 */
static int
decode_factor(json_t *root, const char *name, enum gmm_cov_type t, size_t k,
    size_t d, struct gmm_model **out, struct gmm_error *err)
{
	json_t *jq = json_object_get(root, "factors");
	json_t *ld = json_object_get(root, "loadings");
	json_t *ps = json_object_get(root, "psi");
	struct gmm_model *m;
	size_t q, dims[3];
	int ok;

	if (!json_is_integer(jq) || json_integer_value(jq) < 1 ||
	    (size_t)json_integer_value(jq) >= d)
		return gmm_error_set(err, name, 0, "\"factors\" must be a "
		    "whole number from 1 to d - 1 = %zu", d - 1);
	q = (size_t)json_integer_value(jq);
	dims[0] = k;
	dims[1] = d;
	dims[2] = q;
	if (!has_shape(ld, dims, 3))
		return gmm_error_set(err, name, 0, "\"loadings\" must be "
		    "numbers shaped [k][d][q] (k = %zu, d = %zu, q = %zu)", k,
		    d, q);
	m = gmm_model_new(k, d, t);
	if (m == NULL || gmm_model_set_factors(m, q) < 0) {
		gmm_model_free(m);
		return gmm_error_nomem(err);
	}
	for (size_t c = 0; c < k; c++)
		(void)get_matrix(json_array_get(ld, c), m->loadings + c * d * q,
		    d, q);
	ok = t == GMM_COV_MFA ? get_matrix(ps, m->psi, k, d) == 0 :
	    get_vector(ps, m->psi, k) == 0;
	if (!ok)
		gmm_error_set(err, name, 0, "\"psi\" must be numbers shaped "
		    "%s (k = %zu, d = %zu)", t == GMM_COV_MFA ? "[k][d]" :
		    "[k]", k, d);
	else if (get_weights_means(root, m, name, err) == 0 &&
	    finish_decode(root, m, name, err) == 0) {
		*out = m;
		return 0;
	}
	gmm_model_free(m);
	return -1;
}

static int
decode_root(json_t *root, const char *name, struct gmm_model **out,
    struct gmm_error *err)
{
	enum gmm_cov_type t = GMM_COV_FULL;
	const struct gmm_covmodel *cm;
	size_t k = 0, d = 0;
	struct gmm_model *m;

	if (!json_is_object(root))
		return gmm_error_set(err, name, 0, "not a JSON object");
	if (get_header(root, name, &t, err) < 0 ||
	    get_sizes(root, name, &k, &d, err) < 0)
		return -1;
	cm = gmm_covmodel(t);
	if (cm->factor)
		return decode_factor(root, name, t, k, d, out, err);
	if (!cov_shape_ok(json_object_get(root, "covariances"), t, k, d))
		return gmm_error_set(err, name, 0,
		    "\"covariances\" must be numbers shaped %s for %s (k = %zu, "
		    "d = %zu)", gmm_covmodel_shape(cm), cm->name, k, d);
	m = gmm_model_new(k, d, t);
	if (m == NULL)
		return gmm_error_nomem(err);
	if (get_weights_means(root, m, name, err) < 0)
		goto fail;
	if (get_covariances(json_object_get(root, "covariances"), m) < 0)
		gmm_error_set(err, name, 0,
		    "\"covariances\" must be numbers shaped %s for %s (k = %zu, "
		    "d = %zu)%s", gmm_covmodel_shape(cm), cm->name, k, d,
		    cm->sklearn ? "" : cm->shared ? ", equal for every "
		    "component" : "");
	else if (finish_decode(root, m, name, err) == 0) {
		*out = m;
		return 0;
	}
fail:
	gmm_model_free(m);
	return -1;
}

/*
 * jansson's allocations, watched: when one fails, jansson may report a
 * syntax error or drop a value, so a failure anywhere in a decode makes the
 * whole decode "out of memory".  (Models are decoded on one thread.)
 */
static int json_nomem;

static void *
json_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		json_nomem = 1;
	return p;
}

int
gmm_modelfile_decode_json(const unsigned char *buf, size_t len,
    const char *name, struct gmm_model **out, struct gmm_error *err)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	json_set_alloc_funcs(json_malloc, free);
	json_nomem = 0;
	/* a key given twice (the last would win) is refused */
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (root == NULL)
		ret = gmm_error_set(err, name, (size_t)(jerr.line > 0 ?
		    jerr.line : 0), "invalid JSON: %s", jerr.text);
	else
		ret = decode_root(root, name, out, err);
	json_decref(root);
	if (json_nomem) {
		if (ret == 0)
			gmm_model_free(*out);
		*out = NULL;
		return gmm_error_nomem(err);
	}
	return ret;
}
