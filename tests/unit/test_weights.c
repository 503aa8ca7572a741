/*
 * Row weights (issue 15): frequency weights, a row of weight w counting as
 * w copies of itself.
 * - Against the independent reference (tests/ref/incomplete/, complete
 *   data with weights): from the given start, the parameters after 1, 2,
 *   5 and 50 iterations to 1e-6 relative and the weighted mean
 *   log-likelihood to 1e-9, for the four scikit-learn types.
 * - For every covariance model: integer weights give the model of the
 *   data with each row repeated w times, and weight 0 the model of the
 *   data without that row (1e-12 relative), log-likelihood and BIC
 *   included.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#include "check.h"
#include "refmodel.h"
#include "engine/covmodel.h"
#include "engine/em.h"
#include "io/csvin.h"
#include "io/modelfile.h"

static const char *refdir = "tests/ref/incomplete";

static void
check_reference(const char *ds, const char *cov)
{
	char path[512];
	struct gmm_data x;

	snprintf(path, sizeof(path), "%s/%s_weighted.csv", refdir, ds);
	read_ref_rows(path, "w", &x);
	ref_check_incomplete(refdir, ds, cov, "weighted", &x);
	gmm_data_release(&x);
}

/* The two fits agree: parameters, log-likelihood, BIC. */
static void
same_fit(const struct gmm_model *a, const struct gmm_model *b,
    const char *label)
{
	size_t d = a->d;

	ref_compare("weights", a->weights, b->weights, a->k, 1e-12, label);
	ref_compare("means", a->means, b->means, a->k * d, 1e-12, label);
	ref_compare("covariances", a->cov, b->cov, gmm_cov_size(a->cov_type, a->k,
	    d), 1e-12, label);
	CHECK_REL(a->training.loglik_total, b->training.loglik_total, 1e-12,
	    "%s log-likelihood", label);
	CHECK_REL(a->training.bic, b->training.bic, 1e-12, "%s BIC", label);
	CHECK_REL(a->training.icl, b->training.icl, 1e-12, "%s ICL", label);
}

/*
 * iris with its reference weights (0..3), every covariance model: the
 * weighted fit, the fit of the rows repeated, and for the weights as 0 or
 * 1 the fit of the kept rows, from one start of that model.
 */
static void
check_copies(void)
{
	char path[512];
	struct gmm_data w, rep, w01, kept;
	size_t d;
	double *row;

	snprintf(path, sizeof(path), "%s/iris_weighted.csv", refdir);
	read_ref_rows(path, "w", &w);
	d = w.d;
	row = malloc(d * sizeof(double));
	gmm_data_init(&rep, d);
	gmm_data_init(&kept, d);
	gmm_data_init(&w01, d);
	if (row == NULL || gmm_data_set_weighted(&w01) < 0)
		exit(2);
	for (size_t i = 0; i < w.n; i++) {
		double wi = gmm_data_weight(&w, i);

		gmm_data_row(&w, i, row);
		for (double c = 0; c < wi; c++)
			if (gmm_data_append(&rep, row) < 0)
				exit(2);
		if (gmm_data_append_weighted(&w01, row, wi > 0) < 0 ||
		    (wi > 0 && gmm_data_append(&kept, row) < 0))
			exit(2);
	}
	CHECK(rep.n == (size_t)w.weight_total, "repeated rows: %zu", rep.n);
	for (size_t t = 0; t < GMM_N_COVMODELS; t++) {
		const struct gmm_covmodel *cm = gmm_covmodel(t);
		struct gmm_em_options o = { 0 };
		struct gmm_model *start = NULL, *a, *b;
		struct gmm_error err;
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
		char label[128];

		/* a start of this model: k-means on the repeated rows,
		 * one M-step */
		o.k = 3;
		o.cov_type = cm->type;
		o.max_iter = 0;
		o.reg_covar = 1e-6;
		o.n_init = 1;
		o.init = GMM_INIT_KMEANS;
		o.threads = 1;
		gsl_rng_set(rng, 7);
		if (gmm_em_fit(&rep, &o, rng, &start, &err) < 0) {
			fprintf(stderr, "%s start: %s\n", cm->name, err.msg);
			exit(2);
		}
		gsl_rng_free(rng);
		a = ref_fit_from(start, &w, 10);
		b = ref_fit_from(start, &rep, 10);
		snprintf(label, sizeof(label), "%s: weights = repeated rows",
		    cm->name);
		same_fit(a, b, label);
		gmm_model_free(a);
		gmm_model_free(b);
		a = ref_fit_from(start, &w01, 10);
		b = ref_fit_from(start, &kept, 10);
		snprintf(label, sizeof(label), "%s: weight 0 = dropped row",
		    cm->name);
		same_fit(a, b, label);
		gmm_model_free(a);
		gmm_model_free(b);
		gmm_model_free(start);
	}
	free(row);
	gmm_data_release(&w);
	gmm_data_release(&rep);
	gmm_data_release(&w01);
	gmm_data_release(&kept);
}

int
main(void)
{
	static const char *const covs[] = { "full", "diag", "spherical",
		"tied" };

	for (size_t c = 0; c < 4; c++) {
		check_reference("faithful", covs[c]);
		check_reference("iris", covs[c]);
	}
	check_copies();
	return check_done("test_weights");
}
