/*
 * Mixtures of factor analysers and of probabilistic PCA (issue 20)
 * against an independent implementation (tests/ref/beyond: the AECM
 * cycle of McLachlan and Peel 2000, its README): from the same start, the
 * covariances Lambda Lambda^T + Psi, psi, the weights and the means after
 * 1, 2, 5 and 50 iterations agree to 1e-6 relative and the mean
 * log-likelihood to 1e-9, on faithful (q = 1) and iris (q = 2), both
 * models; the log-likelihood climbs; the parameter count is the issue's,
 * (k - 1) + k d + k (d q - q (q - 1)/2) + k d (mfa) or + k (mppca); a
 * start from k-means (probabilistic PCA's closed form per cluster) fits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "check.h"
#include "refmodel.h"
#include "engine/em.h"
#include "io/modelfile.h"

static const char *refdir = "tests/ref";

static void
check_reference(const char *ds, const char *stem, size_t q)
{
	static const char *const iters[] = { "1", "2", "5", "50" };
	char path[512], label[128];
	struct gmm_model *init = NULL;
	struct gmm_data x;
	struct gmm_error err;
	json_error_t jerr;
	json_t *exp;
	double prev = -INFINITY;
	int mfa = strstr(stem, "mfa") != NULL;

	snprintf(path, sizeof(path), "%s/data/%s.csv", refdir, ds);
	read_ref_rows(path, NULL, &x);
	snprintf(path, sizeof(path), "%s/beyond/%s.init.json", refdir, stem);
	if (gmm_modelfile_read(path, &init, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(2);
	}
	CHECK(init->factors == q && init->cov_type == (mfa ? GMM_COV_MFA :
	    GMM_COV_MPPCA), "%s: the start has %zu factors", stem, q);
	snprintf(path, sizeof(path), "%s/beyond/%s.expected.json", refdir,
	    stem);
	exp = json_load_file(path, 0, &jerr);
	if (exp == NULL)
		exit(2);
	for (size_t t = 0; t < 4; t++) {
		size_t it = (size_t)atoi(iters[t]), k = init->k, d = x.d;
		struct gmm_model *got = ref_fit_threads(init, &x, it, 2);
		struct gmm_model *want = expected_model(exp, iters[t], "full");
		json_t *after = json_object_get(json_object_get(exp, "after"),
		    iters[t]);
		json_t *psi = json_object_get(after, "psi");
		double wp[64];
		size_t np = mfa ? k * d : k;

		for (size_t i = 0; i < np; i++)
			wp[i] = mfa ? json_number_value(json_array_get(
			    json_array_get(psi, i / d), i % d)) :
			    json_number_value(json_array_get(psi, i));
		snprintf(label, sizeof(label), "%s after %zu", stem, it);
		ref_compare("weights", got->weights, want->weights, k, 1e-6,
		    label);
		ref_compare("means", got->means, want->means, k * d, 1e-6,
		    label);
		ref_compare("covariances", got->cov, want->cov, k * d * d,
		    1e-6, label);
		ref_compare("psi", got->psi, wp, np, 1e-6, label);
		CHECK_REL(got->training.loglik_mean, json_number_value(
		    json_object_get(after, "mean_log_likelihood")), 1e-9,
		    "%s mean log-likelihood", label);
		CHECK(gmm_model_parameters(got) == (k - 1) + k * d + k * (d * q -
		    q * (q - 1) / 2) + (mfa ? k * d : k), "%s: %zu parameters",
		    label, gmm_model_parameters(got));
		gmm_model_free(got);
		gmm_model_free(want);
	}
	for (size_t it = 0; it <= 10; it++) {
		struct gmm_model *got = ref_fit_threads(init, &x, it, 1);

		CHECK(got->training.loglik_mean >= prev - 1e-12 * fabs(prev),
		    "%s iteration %zu: %.17g after %.17g", stem, it,
		    got->training.loglik_mean, prev);
		prev = got->training.loglik_mean;
		gmm_model_free(got);
	}
	json_decref(exp);
	gmm_model_free(init);
	gmm_data_release(&x);
}

/* From k-means: the closed-form start, then EM; iris, k = 3: no worse
 * than the reference's start reaches, and close to full's optimum for
 * q = d - 1 = 3 (mppca with q = d - 1 is full but for one variance). */
static void
check_kmeans_start(void)
{
	char path[512];
	struct gmm_data x;

	snprintf(path, sizeof(path), "%s/data/iris.csv", refdir);
	read_ref_rows(path, NULL, &x);
	for (int mfa = 0; mfa < 2; mfa++)
		for (size_t q = 1; q <= 3; q++) {
			struct gmm_em_options o = { .k = 3, .max_iter = 1000,
				.tol = 1e-8, .reg_covar = 1e-6, .n_init = 3,
				.init = GMM_INIT_KMEANS, .threads = 2,
				.factors = q };
			struct gmm_model *m = NULL;
			struct gmm_error err;
			gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

			gsl_rng_set(rng, 1);
			o.cov_type = mfa ? GMM_COV_MFA : GMM_COV_MPPCA;
			CHECK(gmm_em_fit(&x, &o, rng, &m, &err) == 0,
			    "%s q = %zu from k-means: %s", mfa ? "mfa" :
			    "mppca", q, err.msg);
			/* full's optimum on iris, k = 3: -180.1855 */
			CHECK(m != NULL && m->training.loglik_total > -230 &&
			    m->training.loglik_total < -180.18, "%s q = %zu: "
			    "log-likelihood %g between -230 and full's",
			    mfa ? "mfa" : "mppca", q, m ?
			    m->training.loglik_total : NAN);
			gmm_model_free(m);
			gsl_rng_free(rng);
		}
	gmm_data_release(&x);
}

int
main(void)
{
	gsl_set_error_handler_off();
	check_reference("faithful", "faithful_k3_mfa1", 1);
	check_reference("faithful", "faithful_k3_mppca1", 1);
	check_reference("iris", "iris_k3_mfa2", 2);
	check_reference("iris", "iris_k3_mppca2", 2);
	check_kmeans_start();
	return check_done("test_factor");
}
