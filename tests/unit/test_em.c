/*
 * em: the resources a fit takes before it runs: threads capped by the
 * chunks of rows and by the memory their statistics hold, and a fit that
 * cannot have the memory it needs refused up front with the figures; the
 * kernels' narrow paths (half vectors, for 16-register processors) give
 * the bits of the wide ones, for every covariance type and awkward sizes.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "base/consts.h"
#include "engine/em.h"
#include "engine/vec.h"

static void
check_threads(void)
{
	/* one chunk of rows: one thread, whatever is asked */
	CHECK(gmm_em_threads(272, 2, 3, GMM_COV_FULL, 8) == 1, "272 rows");
	CHECK(gmm_em_threads(3 * GMM_CHUNK_ROWS, 2, 3, GMM_COV_FULL, 8) == 3,
	    "three chunks: three threads");
	/* the bench's sizes keep every thread */
	CHECK(gmm_em_threads(1000000, 16, 16, GMM_COV_FULL, 8) == 8,
	    "(1M, 16, 16) full: %d", gmm_em_threads(1000000, 16, 16,
	    GMM_COV_FULL, 8));
	CHECK(gmm_em_threads(200000, 64, 32, GMM_COV_FULL, 2) == 2,
	    "(200k, 64, 32) full");
	/* k = 100, d = 200 full on 40000 rows: 165 MB a thread, 64 MB of
	 * data: one thread, not 8 x 165 MB */
	CHECK(gmm_em_threads(40000, 200, 100, GMM_COV_FULL, 8) == 1,
	    "(40000, 200, 100) full: %d", gmm_em_threads(40000, 200, 100,
	    GMM_COV_FULL, 8));
	/* diagonal statistics are small: all 8 */
	CHECK(gmm_em_threads(40000, 200, 100, GMM_COV_DIAG, 8) == 8,
	    "(40000, 200, 100) diag");
	CHECK(gmm_em_threads(100000, 8, 2, GMM_COV_FULL, 0) == 1,
	    "0 asked: 1");
}

/* Fit options: tol 0, reg_covar 1e-6, one run. */
static void
options(struct gmm_em_options *o, size_t k, enum gmm_cov_type t,
    size_t max_iter, enum gmm_init_method init, int threads)
{
	memset(o, 0, sizeof(*o));
	o->k = k;
	o->cov_type = t;
	o->max_iter = max_iter;
	o->tol = 0;
	o->reg_covar = 1e-6;
	o->n_init = 1;
	o->init = init;
	o->threads = threads;
}

/* gmm_em_fit() on n x d row-major rows. */
static int
fit_rows(const double *x, size_t n, size_t d, const struct gmm_em_options *o,
    gsl_rng *rng, struct gmm_model **m, struct gmm_error *err)
{
	struct gmm_data data;
	int r;

	if (gmm_data_from_rows(&data, x, n, d) < 0)
		return gmm_error_nomem(err);
	r = gmm_em_fit(&data, o, rng, m, err);
	gmm_data_release(&data);
	return r;
}

static void
check_memory_refused(void)
{
	/* 1.6 TB of parameters: beyond any machine this runs on */
	size_t n = 3, d = 100000;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	double *x = malloc(n * d * sizeof(double));
	struct gmm_em_options o;
	struct gmm_model *m = NULL;
	struct gmm_error err;
	int r;

	for (size_t i = 0; i < n * d; i++)
		x[i] = (double)((i * 7919) % 1000) / 1000;
	options(&o, 2, GMM_COV_FULL, 1, GMM_INIT_RANDOM, 1);
	r = fit_rows(x, n, d, &o, rng, &m, &err);
	CHECK(r < 0 && strstr(err.msg, "full covariance with k = 2 and "
	    "d = 100000 needs about") != NULL && strstr(err.msg,
	    "try --covariance diag") != NULL, "a fit beyond the machine: %s",
	    r < 0 ? err.msg : "ran");
	gmm_model_free(m);
	gsl_rng_free(rng);
	free(x);
}

/* A fit of x (n x d) with the kernels' paths forced (vec.h). */
static struct gmm_model *
fit_forced(double *x, size_t n, size_t d, size_t k, enum gmm_cov_type t,
    int force)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_em_options o;
	struct gmm_model *m = NULL;
	struct gmm_error err;

	options(&o, k, t, 4, GMM_INIT_KMEANSPP, 2);
	gmm_vec_force = force;
	if (fit_rows(x, n, d, &o, rng, &m, &err) < 0)
		fprintf(stderr, "fit: %s\n", err.msg);
	gmm_vec_force = -1;
	gsl_rng_free(rng);
	return m;
}

static int
same_doubles(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, n * sizeof(double)) == 0;
}

static void
check_paths(void)
{
	/* d = 7 and k = 5 leave remainders everywhere (4-column tiles,
	 * four-component groups); 5003 rows: two chunks, a short block */
	static const size_t dims[][2] = { { 7, 5 }, { 16, 4 }, { 1, 3 } };
	static const enum gmm_cov_type types[] = { GMM_COV_FULL,
		GMM_COV_DIAG, GMM_COV_SPHERICAL, GMM_COV_TIED };
	size_t n = 5003;

	for (size_t s = 0; s < 3; s++) {
		size_t d = dims[s][0], k = dims[s][1];
		double *x = malloc(n * d * sizeof(double));
		gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < d; j++)
				x[i * d + j] = (double)(i % k) * 3 * (j % 2 ?
				    1 : -1) + gsl_rng_uniform(rng) * (1 + j);
		for (size_t ti = 0; ti < 4; ti++) {
			struct gmm_model *w = fit_forced(x, n, d, k,
			    types[ti], 0);
			struct gmm_model *nw = fit_forced(x, n, d, k,
			    types[ti], 1);

			CHECK(w && nw && same_doubles(w->weights, nw->weights,
			    k) && same_doubles(w->means, nw->means, k * d) &&
			    same_doubles(w->cov, nw->cov,
			    gmm_cov_size(types[ti], k, d)) &&
			    w->training.loglik_total ==
			    nw->training.loglik_total,
			    "d = %zu, k = %zu, %s: the narrow kernels give the "
			    "wide ones' model bit for bit", d, k,
			    gmm_cov_type_name(types[ti]));
			gmm_model_free(w);
			gmm_model_free(nw);
		}
		gsl_rng_free(rng);
		free(x);
	}
}

int
main(void)
{
	gsl_set_error_handler_off();
	check_threads();
	check_memory_refused();
	check_paths();
	return check_done("test_em");
}
