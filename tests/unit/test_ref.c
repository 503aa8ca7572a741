/*
 * The engine against scikit-learn: from the same starting parameters, the
 * parameters after 1, 5 and 50 EM iterations (tol 0, reg_covar 1e-6) agree
 * to 1e-6 relative, and the mean log-likelihood of the returned parameters
 * to 1e-9 relative, for the four covariance types (tests/ref/README.md).
 * Also: the log-likelihood never falls from one iteration to the next, and
 * --threads changes no bit.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "check.h"
#include "refmodel.h"
#include "rows.h"
#include "io/csvin.h"
#include "engine/em.h"
#include "io/modelfile.h"

static const char *refdir = "tests/ref";

static double *
read_data(const char *name, size_t *n, size_t *d)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/data/%s.csv", refdir, name);
	return read_rows(path, n, d);
}

/* From init on the n x d rows x (refmodel.h's ref_fit_threads()). */
static struct gmm_model *
fit_from(const struct gmm_model *init, double *x, size_t n, size_t d,
    size_t iters, int threads)
{
	struct gmm_model *m;
	struct gmm_data data;

	if (gmm_data_from_rows(&data, x, n, d) < 0) {
		fprintf(stderr, "fit: out of memory\n");
		exit(2);
	}
	m = ref_fit_threads(init, &data, iters, threads);
	gmm_data_release(&data);
	return m;
}

static void
check_case(const char *data, const char *stem, const char *cov)
{
	char path[512], label[128];
	size_t n, d;
	double *x = read_data(data, &n, &d);
	struct gmm_model *init = NULL;
	struct gmm_error err;
	json_t *exp;
	json_error_t jerr;
	static const char *const iters[] = { "1", "5", "50" };

	snprintf(path, sizeof(path), "%s/traj/%s_%s.init.json", refdir, stem,
	    cov);
	if (gmm_modelfile_read(path, &init, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/traj/%s_%s.expected.json", refdir,
	    stem, cov);
	exp = json_load_file(path, 0, &jerr);
	if (exp == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		exit(2);
	}
	for (size_t t = 0; t < 3; t++) {
		size_t it = (size_t)atoi(iters[t]);
		struct gmm_model *got = fit_from(init, x, n, d, it, 1);
		struct gmm_model *want = expected_model(exp, iters[t], cov);
		json_t *by = json_object_get(exp,
		    "mean_log_likelihood_by_iteration");

		snprintf(label, sizeof(label), "%s %s after %zu", stem, cov,
		    it);
		ref_compare("weights", got->weights, want->weights, got->k,
		    1e-6, label);
		ref_compare("means", got->means, want->means, got->k * d,
		    1e-6, label);
		ref_compare("covariances", got->cov, want->cov,
		    gmm_cov_size(got->cov_type, got->k, d), 1e-6, label);
		CHECK_REL(got->training.loglik_mean,
		    json_real_value(json_array_get(by, it)), 1e-9,
		    "%s mean log-likelihood", label);
		gmm_model_free(got);
		gmm_model_free(want);
	}
	/* --max-iter 0: the start itself */
	{
		struct gmm_model *got = fit_from(init, x, n, d, 0, 1);

		CHECK_REL(got->training.loglik_mean, json_real_value(
		    json_array_get(json_object_get(exp,
		    "mean_log_likelihood_by_iteration"), 0)), 1e-9,
		    "%s %s start log-likelihood", stem, cov);
		CHECK(got->training.iterations == 0, "%s %s", stem, cov);
		gmm_model_free(got);
	}
	json_decref(exp);
	gmm_model_free(init);
	free(x);
}

/* EM never lowers the likelihood (beyond rounding). */
static void
check_monotone(const char *data, const char *stem, const char *cov)
{
	char path[512];
	size_t n, d;
	double *x = read_data(data, &n, &d), prev = -INFINITY;
	struct gmm_model *init = NULL;
	struct gmm_error err;

	snprintf(path, sizeof(path), "%s/traj/%s_%s.init.json", refdir, stem,
	    cov);
	if (gmm_modelfile_read(path, &init, &err) < 0)
		exit(2);
	for (size_t it = 0; it <= 20; it++) {
		struct gmm_model *m = fit_from(init, x, n, d, it, 1);
		double ll = m->training.loglik_mean;

		CHECK(ll >= prev - 1e-12 * fabs(prev), "%s %s iteration %zu: "
		    "%.17g after %.17g", stem, cov, it, ll, prev);
		prev = ll;
		gmm_model_free(m);
	}
	gmm_model_free(init);
	free(x);
}

/*
 * Two threads and one give the same bits, on more rows than a chunk; the
 * fit gives the rows back as they were (it holds them by blocks of columns
 * while it runs), from a 64-byte aligned start and from one that is not.
 */
static void
check_threads(void)
{
	size_t n, d;
	double *x = read_data("synth_gmm4_d5", &n, &d);
	double *mem = gmm_doubles_new(5 * n * d + 1), *big = mem + 1;
	double *copy = malloc(5 * n * d * sizeof(double));
	char path[512];
	struct gmm_model *init = NULL, *a, *b, *c;
	struct gmm_error err;

	for (size_t r = 0; r < 5; r++)
		memcpy(big + r * n * d, x, n * d * sizeof(double));
	memcpy(copy, big, 5 * n * d * sizeof(double));
	snprintf(path, sizeof(path), "%s/traj/synth_gmm4_d5_k4_full.init.json",
	    refdir);
	if (gmm_modelfile_read(path, &init, &err) < 0)
		exit(2);
	a = fit_from(init, big, 5 * n, d, 10, 1);
	CHECK(memcmp(big, copy, 5 * n * d * sizeof(double)) == 0,
	    "the fit did not give the rows back");
	b = fit_from(init, big, 5 * n, d, 10, 3);
	CHECK(memcmp(big, copy, 5 * n * d * sizeof(double)) == 0,
	    "the fit on 3 threads did not give the rows back");
	memmove(mem, big, 5 * n * d * sizeof(double));
	c = fit_from(init, mem, 5 * n, d, 10, 2);
	CHECK(memcmp(mem, copy, 5 * n * d * sizeof(double)) == 0,
	    "the fit from an aligned start did not give the rows back");
	CHECK(memcmp(a->cov, c->cov, 4 * d * d * sizeof(double)) == 0,
	    "where the rows start changed the result");
	gmm_model_free(c);
	CHECK(memcmp(a->means, b->means, 4 * d * sizeof(double)) == 0 &&
	    memcmp(a->cov, b->cov, 4 * d * d * sizeof(double)) == 0 &&
	    memcmp(a->weights, b->weights, 4 * sizeof(double)) == 0 &&
	    a->training.loglik_total == b->training.loglik_total,
	    "threads changed the result");
	gmm_model_free(a);
	gmm_model_free(b);
	gmm_model_free(init);
	free(mem);
	free(copy);
	free(x);
}

int
main(int argc, char **argv)
{
	static const char *const covs[] = { "full", "diag", "spherical",
		"tied" };

	gsl_set_error_handler_off();
	if (argc > 1)
		refdir = argv[1];
	for (size_t c = 0; c < 4; c++) {
		check_case("faithful", "faithful_k3", covs[c]);
		check_case("synth_gmm4_d5", "synth_gmm4_d5_k4", covs[c]);
		check_monotone("faithful", "faithful_k3", covs[c]);
	}
	check_threads();
	return check_done("test_ref");
}
