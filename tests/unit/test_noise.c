/*
 * The noise component against mclust 6.0.0 (tests/ref/mclust/noise, its
 * README): the data's hypervolume against mclust's hypvol() to 1e-12
 * relative; from the responsibilities z0 (k + 1 columns, the noise's
 * last), the parameters after t = 1, 2, 5 and 50 M-steps of mclust's
 * me(Vinv =) (--init resp, --max-iter t - 1, --tol 0, --reg-covar 0)
 * agree to 1e-6 relative (1e-5 for VEV, whose M-step iterates), the noise
 * weight among them, and the log-likelihood to 1e-9 relative (1e-7), for
 * VVV, EEE, VVI, VII and VEV on faithful (k = 2) and iris (k = 3).  Then
 * what holds by construction: the default start (the rows the start's
 * mixture explains worst go to the noise) on data with planted outliers
 * gives those rows to the noise; its log-likelihood rises monotonically;
 * a noise weight of 0 is the Gaussian mixture's density; the parameter
 * count is mclust's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <jansson.h>

#include "check.h"
#include "mclustref.h"
#include "rows.h"
#include "engine/em.h"
#include "engine/estep.h"
#include "engine/noise.h"
#include "engine/score.h"

static const char *refdir = "tests/ref";

/* A step of mclust's trajectory, the noise weight (the last) too. */
static void
check_step(const struct gmm_model *m, json_t *after, const char *label,
    double rtol, double ltol)
{
	json_t *w = json_object_get(after, "weights");

	check_mclust_step(m, after, label, rtol, ltol,
	    m->training.loglik_total);
	CHECK(m->noise, "%s: a noise component", label);
	CHECK(json_array_size(w) == m->k + 1, "%s: k + 1 weights", label);
	CHECK_TOL(m->noise_weight, num(w, m->k), rtol, 0, "%s noise weight",
	    label);
}

static void
check_model(const char *name, const char *model, const struct gmm_data *data,
    const double *z0, size_t k)
{
	static const char *const steps[] = { "1", "2", "5", "50" };
	const struct gmm_covmodel *cm = gmm_covmodel_named(model);
	int iter = strcmp(model, "VEV") == 0;
	char path[512], label[128];
	json_error_t jerr;
	json_t *exp;
	double vol;
	struct gmm_error err;

	snprintf(path, sizeof(path), "%s/mclust/noise/%s_%s.json", refdir,
	    name, model);
	exp = json_load_file(path, 0, &jerr);
	if (exp == NULL || cm == NULL) {
		fprintf(stderr, "%s: %s\n", path, exp ? "no model" : jerr.text);
		exit(2);
	}
	CHECK(gmm_noise_hypvol(data, &vol, &err) == 0, "%s: hypvol: %s", name,
	    err.msg);
	CHECK_TOL(vol, json_number_value(json_object_get(exp, "hypvol")),
	    1e-12, 0, "%s: mclust's hypvol", name);
	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		struct gmm_em_options o = { 0 };
		struct gmm_model *m = NULL;

		o.k = k;
		o.cov_type = cm->type;
		o.max_iter = (size_t)atoi(steps[s]) - 1;
		o.reg_covar = 0;
		o.n_init = 1;
		o.init = GMM_INIT_RESP;
		o.init_resp = z0;
		o.init_resp_rows = data->n;
		o.init_resp_cols = k + 1;
		o.threads = 2;
		o.noise = 1;
		o.noise_vinv = json_number_value(json_object_get(exp, "Vinv"));
		snprintf(label, sizeof(label), "%s %s with noise after %s",
		    name, model, steps[s]);
		if (gmm_em_fit(data, &o, NULL, &m, &err) < 0) {
			CHECK(0, "%s: %s", label, err.msg);
			continue;
		}
		check_step(m, json_object_get(json_object_get(exp, "after"),
		    steps[s]), label, iter ? 1e-5 : 1e-6, iter ? 1e-7 : 1e-9);
		CHECK(gmm_model_parameters(m) == gmm_n_parameters(cm->type, k,
		    data->d, 0) + 2, "%s: mclust's count, 2 more", label);
		gmm_model_free(m);
	}
	json_decref(exp);
}

/* Two far Gaussian clusters and 30 uniform outliers over a wide box: the
 * default start and EM give the outliers (the last rows) to the noise. */
static void
check_outliers(void)
{
	size_t n = 630, d = 2, noise_rows = 30, caught = 0, wrong = 0;
	double *x = malloc(n * d * sizeof(double)), prev = -INFINITY;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_em_options o = { 0 };
	struct gmm_model *m = NULL;
	struct gmm_score_batch *b;
	struct gmm_data data;
	struct gmm_error err;
	double vol;
	int monotone = 1;

	if (x == NULL || rng == NULL)
		exit(2);
	gsl_rng_set(rng, 7);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			x[i * d + j] = i >= n - noise_rows ?
			    gsl_ran_flat(rng, -40, 40) :
			    (i % 2 ? 6.0 : -6.0) + gsl_ran_gaussian(rng, 1);
	if (gmm_data_from_rows(&data, x, n, d) < 0)
		exit(2);
	CHECK(gmm_noise_hypvol(&data, &vol, &err) == 0, "outliers: hypvol");
	o.k = 2;
	o.cov_type = GMM_COV_FULL;
	o.reg_covar = 1e-6;
	o.n_init = 1;
	o.init = GMM_INIT_KMEANS;
	o.threads = 1;
	o.noise = 1;
	o.noise_vinv = 1 / vol;
	/* one iteration at a time from the same start: the log-likelihood
	 * never falls */
	for (size_t it = 0; it <= 30; it += 3) {
		gsl_rng_set(rng, 1);
		o.max_iter = it;
		o.tol = 0;
		gmm_model_free(m);
		m = NULL;
		CHECK(gmm_em_fit(&data, &o, rng, &m, &err) == 0,
		    "outliers: fit: %s", err.msg);
		if (m == NULL)
			break;
		if (m->training.loglik_total < prev - 1e-9 * fabs(prev))
			monotone = 0;
		prev = m->training.loglik_total;
	}
	CHECK(monotone, "outliers: the log-likelihood rises monotonically");
	CHECK(m != NULL && fabs(m->noise_weight - 30.0 / 630) < 0.02,
	    "outliers: noise weight %g near 30/630",
	    m ? m->noise_weight : NAN);
	b = m ? gmm_score_batch_new(m, n, 1) : NULL;
	if (b != NULL) {
		memcpy(b->x, x, n * d * sizeof(double));
		CHECK(b->k == 3, "outliers: three columns of responsibilities");
		CHECK(gmm_score_batch_run(b, m, n, &err) == 0, "score");
		for (size_t i = 0; i < n; i++) {
			int noise = gmm_argmax(b->resp + i * 3, 3) == 2;

			if (i >= n - noise_rows)
				caught += noise;
			else
				wrong += noise;
		}
		/* a uniform draw may land in a cluster */
		CHECK(caught >= noise_rows - 3 && wrong <= 3,
		    "outliers: %zu of %zu outliers labelled noise, %zu cluster "
		    "rows", caught, noise_rows, wrong);
		gmm_score_batch_free(b);
	}
	/* weight 0: the Gaussian mixture's density, exactly */
	if (m != NULL) {
		struct gmm_model *g = gmm_model_dup(m);
		struct gmm_estep_buffers eb;
		double ld0[GMM_BLOCK_ROWS], ld1[GMM_BLOCK_ROWS];
		double xt[GMM_BLOCK_ROWS * 2] = { 0 };

		if (g == NULL || gmm_estep_buffers_alloc(&eb, d, 3) < 0)
			exit(2);
		for (size_t i = 0; i < 64; i++)
			for (size_t j = 0; j < d; j++)
				xt[j * GMM_BLOCK_ROWS + i] = x[i * d + j];
		g->noise_weight = 0;
		CHECK(gmm_model_prepare(g, &err) == 0, "weight 0: prepare");
		gmm_estep_block(g, xt, 64, eb.resp, ld0, NULL, eb.work);
		CHECK(eb.resp[2 * GMM_BLOCK_ROWS] == 0 && eb.resp[2 *
		    GMM_BLOCK_ROWS + 63] == 0, "weight 0: no noise share");
		g->noise = 0;
		CHECK(gmm_model_prepare(g, &err) == 0, "no noise: prepare");
		gmm_estep_block(g, xt, 64, eb.resp, ld1, NULL, eb.work);
		CHECK(memcmp(ld0, ld1, 64 * sizeof(double)) == 0,
		    "weight 0: the Gaussian mixture's log densities, bitwise");
		gmm_estep_buffers_release(&eb);
		gmm_model_free(g);
	}
	gmm_model_free(m);
	gmm_data_release(&data);
	gsl_rng_free(rng);
	free(x);
}

int
main(void)
{
	static const char *const sets[] = { "faithful", "iris" };
	static const char *const models[] = { "VVV", "EEE", "VVI", "VII",
		"VEV" };

	gsl_set_error_handler_off();
	for (size_t q = 0; q < sizeof(sets) / sizeof(sets[0]); q++) {
		char path[512];
		size_t n, d, nz, w;
		double *x, *z0;
		struct gmm_data data;

		snprintf(path, sizeof(path), "%s/data/%s.csv", refdir, sets[q]);
		x = read_rows(path, &n, &d);
		snprintf(path, sizeof(path), "%s/mclust/noise/%s.z0.csv",
		    refdir, sets[q]);
		z0 = read_rows(path, &nz, &w);
		CHECK(nz == n, "%s: z0 has a row per data row", sets[q]);
		if (gmm_data_from_rows(&data, x, n, d) < 0)
			exit(2);
		for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
			check_model(sets[q], models[i], &data, z0, w - 1);
		gmm_data_release(&data);
		free(x);
		free(z0);
	}
	check_outliers();
	return check_done("test_noise");
}
