/*
 * em: the resources a fit takes before it runs: threads capped by the
 * chunks of rows and by the memory their statistics hold, and a fit that
 * cannot have the memory it needs refused up front with the figures.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "consts.h"
#include "em.h"

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
	memset(&o, 0, sizeof(o));
	o.k = 2;
	o.cov_type = GMM_COV_FULL;
	o.max_iter = 1;
	o.tol = 0;
	o.reg_covar = 1e-6;
	o.n_init = 1;
	o.init = GMM_INIT_RANDOM;
	o.threads = 1;
	r = gmm_em_fit(x, n, d, &o, rng, &m, &err);
	CHECK(r < 0 && strstr(err.msg, "full covariance with k = 2 and "
	    "d = 100000 needs about") != NULL && strstr(err.msg,
	    "try --covariance diag") != NULL, "a fit beyond the machine: %s",
	    r < 0 ? err.msg : "ran");
	gmm_model_free(m);
	gsl_rng_free(rng);
	free(x);
}

int
main(void)
{
	gsl_set_error_handler_off();
	check_threads();
	check_memory_refused();
	return check_done("test_em");
}
