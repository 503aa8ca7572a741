/*
 * The covariance models against mclust 6.0.0 (tests/ref/mclust, its
 * README): from the responsibilities z0, the parameters after t = 1, 2, 5
 * and 50 M-steps of mclust's me() (--init resp, --max-iter t - 1, --tol 0,
 * --reg-covar 0) agree to 1e-6 relative (1e-5 for the models whose M-step
 * iterates), and the log-likelihood of those parameters to 1e-9 relative
 * (1e-7), for every model of the covariance table on faithful, iris and
 * the synthetic 5-D set.  The same under mclust's conjugate prior
 * (--prior conjugate) for the ten models that mclust has it for, and for
 * mclust's one-dimensional E and V on faithful's waiting column, against
 * tests/ref/mclust-prior (scripts/ref-mclust-prior.R: me(prior =
 * priorControl())), and the prior's hyperparameters against mclust's
 * defaultPrior.  A relative difference is taken against the
 * entry's natural scale: a weight against itself, a mean against its
 * size plus its column's standard deviation, a covariance entry against
 * sqrt(Sigma_ii Sigma_jj).  Models that mclust has and the table has not
 * yet are listed as not tested.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "check.h"
#include "mclustref.h"
#include "rows.h"
#include "engine/em.h"
#include "engine/prior.h"
#include "io/csvin.h"

static const char *refdir = "tests/ref";

static int
iterative(enum gmm_cov_type t)
{
	const char *name = gmm_covmodel(t)->mclust;

	return strstr("VEI VEE EVE VVE VEV", name) != NULL;
}

/* The prior as mclust's defaultPrior gives it (the reference's "prior"). */
static void
check_prior(json_t *exp, const struct gmm_data *data, size_t k,
    enum gmm_cov_type t, const char *label)
{
	json_t *jp = json_object_get(exp, "prior");
	json_t *sc = json_object_get(jp, "scale");
	struct gmm_prior p;
	size_t d = data->d;

	CHECK(gmm_prior_default(&p, data, k, t) == 0, "%s: prior", label);
	CHECK_TOL(p.shrinkage, json_number_value(json_object_get(jp,
	    "shrinkage")), 0, 0, "%s shrinkage", label);
	CHECK_TOL(p.dof, json_number_value(json_object_get(jp, "dof")), 0,
	    0, "%s dof", label);
	for (size_t j = 0; j < d; j++)
		CHECK_TOL(p.mean[j], num(json_object_get(jp, "mean"), j), 1e-12,
		    1e-12, "%s prior mean %zu", label, j);
	if (json_is_number(sc))
		CHECK_TOL(p.scale[0], json_number_value(sc), 1e-12, 0,
		    "%s prior scale", label);
	else
		for (size_t i = 0; i < d * d; i++)
			CHECK_TOL(p.scale[i], num(json_array_get(sc, i / d),
			    i % d), 1e-12, 1e-14, "%s prior scale %zu", label, i);
	gmm_prior_release(&p);
}

static void
check_model(const char *name, const char *model, enum gmm_cov_type t,
    const double *x, size_t n, size_t d, const double *z0, size_t k,
    int prior)
{
	static const char *const steps[] = { "1", "2", "5", "50" };
	const struct gmm_covmodel *cm = gmm_covmodel(t);
	double rtol = iterative(t) ? 1e-5 : 1e-6;
	double ltol = iterative(t) ? 1e-7 : 1e-9;
	char path[512], label[128];
	json_error_t jerr;
	json_t *exp;
	struct gmm_data data;

	snprintf(path, sizeof(path), "%s/%s/%s_%s.expected.json", refdir,
	    prior ? "mclust-prior" : "mclust", name, model);
	exp = json_load_file(path, 0, &jerr);
	if (exp == NULL) {
		fprintf(stderr, "%s: %s\n", path, jerr.text);
		exit(2);
	}
	if (gmm_data_from_rows(&data, x, n, d) < 0)
		exit(2);
	if (prior) {
		snprintf(label, sizeof(label), "%s %s prior", name,
		    cm->mclust);
		check_prior(exp, &data, k, t, label);
	}
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct gmm_em_options o = { 0 };
		struct gmm_model *m = NULL;
		struct gmm_error err;
		json_t *after = json_object_get(json_object_get(exp, "after"),
		    steps[s]);

		if (json_is_null(json_array_get(json_object_get(after,
		    "weights"), 0)))
			continue;	/* mclust returned no model */
		o.k = k;
		o.cov_type = t;
		o.max_iter = (size_t)atoi(steps[s]) - 1;
		o.tol = 0;
		o.reg_covar = 0;
		o.n_init = 1;
		o.init = GMM_INIT_RESP;
		o.init_resp = z0;
		o.init_resp_rows = n;
		o.init_resp_cols = k;
		o.threads = 1;
		o.prior = prior;
		snprintf(label, sizeof(label), "%s %s%s after %s", name,
		    cm->mclust, prior ? " with the prior" : "", steps[s]);
		if (gmm_em_fit(&data, &o, NULL, &m, &err) < 0) {
			CHECK(0, "%s: %s", label, err.msg);
			continue;
		}
		check_mclust_step(m, after, label, rtol, ltol,
		    m->training.loglik_total);
		gmm_model_free(m);
	}
	gmm_data_release(&data);
	json_decref(exp);
}

/* Responsibilities of another k or another number of rows are refused,
 * never read past. */
static void
check_mismatch(const double *x, size_t n, size_t d, const double *z0,
    size_t k)
{
	struct gmm_em_options o = { 0 };
	struct gmm_model *m = NULL;
	struct gmm_data data;
	struct gmm_error err;

	if (gmm_data_from_rows(&data, x, n, d) < 0)
		exit(2);
	o.k = k + 1;
	o.cov_type = GMM_COV_FULL;
	o.max_iter = 1;
	o.n_init = 1;
	o.init = GMM_INIT_RESP;
	o.init_resp = z0;
	o.init_resp_rows = n;
	o.init_resp_cols = k;
	o.threads = 1;
	CHECK(gmm_em_fit(&data, &o, NULL, &m, &err) < 0 && strstr(err.msg,
	    "columns") != NULL, "k + 1 with k columns refused: %s", err.msg);
	o.k = k;
	o.init_resp_rows = n - 1;
	CHECK(gmm_em_fit(&data, &o, NULL, &m, &err) < 0 && strstr(err.msg,
	    "rows") != NULL, "n - 1 rows refused: %s", err.msg);
	gmm_data_release(&data);
}

int
main(void)
{
	static const char *const sets[] = { "faithful", "iris",
		"synth_gmm4_d5" };
	static const char *const mclust[] = { "EII", "VII", "EEI", "VEI",
		"EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV",
		"VVV" };

	gsl_set_error_handler_off();
	for (size_t q = 0; q < sizeof(sets) / sizeof(sets[0]); q++) {
		char path[512];
		size_t n, d, nz, k;
		double *x, *z0;

		snprintf(path, sizeof(path), "%s/data/%s.csv", refdir, sets[q]);
		x = read_rows(path, &n, &d);
		snprintf(path, sizeof(path), "%s/mclust/%s.z0.csv", refdir,
		    sets[q]);
		z0 = read_rows(path, &nz, &k);
		CHECK(nz == n, "%s: z0 has a row per data row", sets[q]);
		for (size_t i = 0; i < sizeof(mclust) / sizeof(mclust[0]);
		    i++) {
			const struct gmm_covmodel *cm =
			    gmm_covmodel_named(mclust[i]);

			if (cm == NULL) {
				if (q == 0)
					printf("test_mclust: %s not tested: "
					    "not in the covariance table\n",
					    mclust[i]);
				continue;
			}
			check_model(sets[q], mclust[i], cm->type, x, n, d, z0,
			    k, 0);
			if (gmm_prior_supported(cm->type))
				check_model(sets[q], mclust[i], cm->type, x, n,
				    d, z0, k, 1);
		}
		if (q == 0) {
			/* one dimension, faithful's waiting: mclust's E and
			 * V (EII and VII) under the prior */
			double *w = malloc(n * sizeof(double));

			if (w == NULL)
				exit(2);
			for (size_t i = 0; i < n; i++)
				w[i] = x[i * d + 1];
			check_model("faithful1", "E", GMM_COV_EII, w, n, 1, z0,
			    k, 1);
			check_model("faithful1", "V", GMM_COV_SPHERICAL, w, n,
			    1, z0, k, 1);
			free(w);
			check_mismatch(x, n, d, z0, k);
		}
		free(x);
		free(z0);
	}
	return check_done("test_mclust");
}
