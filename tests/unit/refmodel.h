/*
 * refmodel.h: the parameters a reference trajectory file gives after some
 * iterations (its "after" object, in gmm's JSON model schema), as a model,
 * for the tests that compare against tests/ref (test_ref, test_weights,
 * test_missing), and what those tests share: reading the rows, fitting
 * from a start, comparing arrays.
 * Exits with status 2 when they do not read: a broken test set-up, not a
 * failed check.
 */
#ifndef GMM_TEST_REFMODEL_H
#define GMM_TEST_REFMODEL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include <jansson.h>

#include "check.h"
#include "engine/em.h"
#include "io/csvin.h"
#include "io/modelfile.h"

/* exp's after.<iters> as a model of covariance type cov. */
static struct gmm_model *
expected_model(json_t *exp, const char *iters, const char *cov)
{
	json_t *after = json_object_get(json_object_get(exp, "after"), iters);
	json_t *obj = json_object();
	struct gmm_model *m = NULL;
	struct gmm_error err;
	char *text;

	json_object_set_new(obj, "covariance_type", json_string(cov));
	json_object_set(obj, "weights", json_object_get(after, "weights"));
	json_object_set(obj, "means", json_object_get(after, "means"));
	json_object_set(obj, "covariances",
	    json_object_get(after, "covariances"));
	text = json_dumps(obj, 0);
	if (gmm_modelfile_decode_json((unsigned char *)text, strlen(text),
	    iters, &m, &err) < 0) {
		fprintf(stderr, "expected %s: %s\n", iters, err.msg);
		exit(2);
	}
	free(text);
	json_decref(obj);
	return m;
}

/* path's rows as the options o read them. */
static inline void
read_ref_csv(const char *path, const struct gmm_csvin_options *o,
    struct gmm_data *x)
{
	struct gmm_error err;
	struct gmm_csvin *in = gmm_csvin_open(path, o, &err);

	if (in == NULL || gmm_csvin_read_data(in, x, NULL, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(2);
	}
	gmm_csvin_close(in);
}

/* path's rows (an empty field is a missing value), weighted by column
 * wcol unless NULL. */
static inline void
read_ref_rows(const char *path, const char *wcol, struct gmm_data *x)
{
	struct gmm_csvin_options o = { .delim = ',', .header = -1,
		.weights = wcol, .missing = 1 };

	read_ref_csv(path, &o, x);
}

/* From init, iters iterations with tol 0, on `threads` threads. */
static inline struct gmm_model *
ref_fit_threads(const struct gmm_model *init, const struct gmm_data *x,
    size_t iters, int threads)
{
	struct gmm_em_options o = { 0 };
	struct gmm_model *m = NULL;
	struct gmm_error err;

	o.k = init->k;
	o.cov_type = init->cov_type;
	o.max_iter = iters;
	o.tol = 0;
	o.reg_covar = 1e-6;
	o.n_init = 1;
	o.init = GMM_INIT_MODEL;
	o.init_model = init;
	o.family = init->family;
	o.factors = init->factors;
	o.threads = threads;
	if (gmm_em_fit(x, &o, NULL, &m, &err) < 0) {
		fprintf(stderr, "fit: %s\n", err.msg);
		exit(2);
	}
	return m;
}

/* got against want to rtol, relative to each value or (1e-3 rtol) to the
 * largest. */
static inline void
ref_compare(const char *what, const double *got, const double *want, size_t n,
    double rtol, const char *label)
{
	double scale = 0;

	for (size_t i = 0; i < n; i++)
		scale = fabs(want[i]) > scale ? fabs(want[i]) : scale;
	for (size_t i = 0; i < n; i++)
		CHECK_TOL(got[i], want[i], rtol, rtol * 1e-3 * scale,
		    "%s %s[%zu]", label, what, i);
}

/* The same on one thread. */
static inline struct gmm_model *
ref_fit_from(const struct gmm_model *init, const struct gmm_data *x,
    size_t iters)
{
	return ref_fit_threads(init, x, iters, 1);
}

/*
 * tests/ref/incomplete's trajectory <ds>_k3_<cov>.<kind> (kind weighted,
 * mcar or mcar_weighted) on its rows x: from its start, the parameters
 * after 1, 2, 5 and 50 iterations to 1e-6 relative and the mean
 * log-likelihood to 1e-9; the rows used and the weights' sum.
 */
static inline void
ref_check_incomplete(const char *refdir, const char *ds, const char *cov,
    const char *kind, const struct gmm_data *x)
{
	char path[512], label[128];
	static const char *const iters[] = { "1", "2", "5", "50" };
	struct gmm_model *init = NULL;
	struct gmm_error err;
	json_error_t jerr;
	json_t *exp;

	snprintf(path, sizeof(path), "%s/%s_k3_%s.init.json", refdir, ds, cov);
	if (gmm_modelfile_read(path, &init, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/%s_k3_%s.%s.expected.json", refdir,
	    ds, cov, kind);
	exp = json_load_file(path, 0, &jerr);
	if (exp == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		exit(2);
	}
	CHECK(x->n == (size_t)json_integer_value(json_object_get(exp,
	    "n_rows_used")), "%s %s: %zu rows used", ds, kind, x->n);
	for (size_t t = 0; t < 4; t++) {
		size_t it = (size_t)atoi(iters[t]);
		struct gmm_model *got = ref_fit_from(init, x, it);
		struct gmm_model *want = expected_model(exp, iters[t], cov);
		json_t *after = json_object_get(json_object_get(exp, "after"),
		    iters[t]);

		snprintf(label, sizeof(label), "%s %s %s after %zu", ds, cov,
		    kind, it);
		ref_compare("weights", got->weights, want->weights, got->k,
		    1e-6, label);
		ref_compare("means", got->means, want->means, got->k * x->d,
		    1e-6, label);
		ref_compare("covariances", got->cov, want->cov,
		    gmm_cov_size(got->cov_type, got->k, x->d), 1e-6, label);
		CHECK_REL(got->training.loglik_mean, json_real_value(
		    json_object_get(after, "mean_log_likelihood")), 1e-9,
		    "%s mean log-likelihood", label);
		CHECK(got->training.weighted == (x->wblocks != NULL) &&
		    got->training.weight_total == x->weight_total,
		    "%s: the weight total in training", label);
		gmm_model_free(got);
		gmm_model_free(want);
	}
	json_decref(exp);
	gmm_model_free(init);
}
#endif
