/*
 * Missing values (issue 15): exact EM under missing-at-random, the E-step
 * on each row's observed columns, the M-step with the conditional means
 * and covariances of its missing ones (engine/marginal.h).
 * - Against the independent reference (tests/ref/incomplete/, `mcar` and
 *   `mcar_weighted`): from the given start, the parameters after 1, 2, 5
 *   and 50 iterations to 1e-6 relative and the mean log-likelihood over
 *   the rows with an observed value to 1e-9, for the four scikit-learn
 *   types, without and with row weights.
 * - For every covariance model: EM's log-likelihood never falls (what
 *   breaks first when an M-step's conditional statistics are wrong), and
 *   the fit is bitwise the same for 1 and 3 threads.
 * - The data layer: rows grouped by pattern, their places in the input,
 *   rows with nothing observed counted and left out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
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
check_reference(const char *ds, const char *cov, int weighted)
{
	char path[512];
	const char *kind = weighted ? "mcar_weighted" : "mcar";
	struct gmm_data x;

	snprintf(path, sizeof(path), "%s/%s_%s.csv", refdir, ds, kind);
	read_ref_rows(path, weighted ? "w" : NULL, &x);
	CHECK(x.npatterns > 0 && x.complete < x.n, "%s %s: patterns", ds,
	    kind);
	ref_check_incomplete(refdir, ds, cov, kind, &x);
	gmm_data_release(&x);
}

/*
 * n rows of 3 well separated clusters in d = 4, each value missing with
 * probability pmiss (never all of a row's), drawn from rng.
 */
static void
synthetic(struct gmm_data *x, size_t n, double pmiss, gsl_rng *rng)
{
	double row[4];
	unsigned char mask[4];

	gmm_data_init(x, 4);
	for (size_t i = 0; i < n; i++) {
		size_t c = i % 3, nobs = 0;

		for (size_t j = 0; j < 4; j++) {
			row[j] = 4.0 * (double)((c + j) % 3) + (1 + 0.3 *
			    (double)j) * gsl_ran_gaussian_ziggurat(rng, 1) +
			    (j > 0 ? 0.5 * row[j - 1] : 0);
			mask[j] = gsl_rng_uniform(rng) >= pmiss;
			nobs += mask[j];
		}
		if (nobs == 0)
			mask[i % 4] = 1;
		if (gmm_data_append_missing(x, row, mask, 1) < 0)
			exit(2);
	}
	if (gmm_data_finish(x) < 0)
		exit(2);
}

static void
progress(void *ctx, const struct gmm_em_progress *p)
{
	double *prev = ctx;

	if (p->iteration == 0 || p->at_start)
		return;
	if (p->iteration > 1)
		CHECK(p->loglik_mean >= *prev - 1e-9 * fabs(*prev),
		    "iteration %zu: %.17g after %.17g", p->iteration,
		    p->loglik_mean, *prev);
	*prev = p->loglik_mean;
}

static struct gmm_model *
fit(const struct gmm_data *x, enum gmm_cov_type t, int threads,
    double *prev)
{
	struct gmm_em_options o = { 0 };
	struct gmm_model *m = NULL;
	struct gmm_error err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, 3);
	o.k = 3;
	o.cov_type = t;
	o.max_iter = 40;
	o.tol = 0;
	o.reg_covar = 1e-6;
	o.n_init = 1;
	o.init = GMM_INIT_KMEANS;
	o.threads = threads;
	o.progress = prev != NULL ? progress : NULL;
	o.progress_ctx = prev;
	if (gmm_em_fit(x, &o, rng, &m, &err) < 0) {
		fprintf(stderr, "fit %s: %s\n", gmm_cov_type_name(t), err.msg);
		exit(2);
	}
	gsl_rng_free(rng);
	return m;
}

/* Every model: EM climbs; 1 and 3 threads give the same bits. */
static void
check_models(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_data x;

	gsl_rng_set(rng, 1);
	synthetic(&x, 20000, 0.2, rng);
	for (int t = 0; t < GMM_N_COVMODELS; t++) {
		double prev = -INFINITY;
		struct gmm_model *a = fit(&x, (enum gmm_cov_type)t, 1, &prev);
		struct gmm_model *b = fit(&x, (enum gmm_cov_type)t, 3, NULL);
		size_t nc = gmm_cov_size(a->cov_type, 3, 4);

		CHECK(isfinite(a->training.loglik_mean), "%s: finite",
		    gmm_cov_type_name(a->cov_type));
		CHECK(memcmp(a->means, b->means, 12 * sizeof(double)) == 0 &&
		    memcmp(a->cov, b->cov, nc * sizeof(double)) == 0 &&
		    a->training.loglik_total == b->training.loglik_total,
		    "%s: 1 and 3 threads differ", gmm_cov_type_name(a->cov_type));
		gmm_model_free(a);
		gmm_model_free(b);
	}
	gmm_data_release(&x);
	gsl_rng_free(rng);
}

/* Patterns, places in the input, empty rows. */
static void
check_layout(void)
{
	static const double rows[6][3] = { { 1, 2, 3 }, { 4, 0, 6 },
		{ 0, 0, 0 }, { 7, 8, 9 }, { 10, 0, 12 }, { 0, 14, 0 } };
	static const unsigned char masks[6][3] = { { 1, 1, 1 }, { 1, 0, 1 },
		{ 0, 0, 0 }, { 1, 1, 1 }, { 1, 0, 1 }, { 0, 1, 0 } };
	struct gmm_data x;

	gmm_data_init(&x, 3);
	for (size_t i = 0; i < 6; i++)
		if (gmm_data_append_missing(&x, rows[i], masks[i], 1) < 0)
			exit(2);
	CHECK(gmm_data_finish(&x) == 0, "finish");
	CHECK(x.n == 5 && x.complete == 2 && x.rows_empty == 1 &&
	    x.rows_read == 6 && x.values_missing == 4, "counts");
	CHECK(x.npatterns == 2, "%zu patterns", x.npatterns);
	/* complete rows 0, 3; then pattern 101 (rows 1, 4); then 010 (5) */
	CHECK(gmm_data_file_row(&x, 0) == 0 && gmm_data_file_row(&x, 1) == 3
	    && gmm_data_file_row(&x, 2) == 1 && gmm_data_file_row(&x, 3) == 4
	    && gmm_data_file_row(&x, 4) == 5, "places");
	CHECK(gmm_data_pattern_at(&x, 1) == NULL &&
	    gmm_data_pattern_at(&x, 3) == &x.patterns[0] &&
	    gmm_data_pattern_at(&x, 4) == &x.patterns[1], "pattern_at");
	CHECK(x.patterns[0].nobs == 2 && x.patterns[0].obs[1] == 2 &&
	    x.patterns[0].mis[0] == 1 && x.patterns[1].nobs == 1,
	    "pattern columns");
	/* missing values held as the column's observed mean */
	CHECK(gmm_data_at(&x, 2, 1) == (2 + 8 + 14) / 3.0 &&
	    gmm_data_at(&x, 4, 0) == (1 + 4 + 7 + 10) / 4.0, "fill");
	gmm_data_release(&x);
}

int
main(void)
{
	static const char *const covs[] = { "full", "diag", "spherical",
		"tied" };

	check_layout();
	for (size_t c = 0; c < 4; c++)
		for (int w = 0; w < 2; w++) {
			check_reference("faithful", covs[c], w);
			check_reference("iris", covs[c], w);
		}
	check_models();
	return check_done("test_missing");
}
