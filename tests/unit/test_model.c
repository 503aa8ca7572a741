/*
 * The model: parameter counts, BIC and AIC, and the degenerate flag.
 * Densities and responsibilities are test_estep's, the vector kernels
 * test_kernels'.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "check.h"
#include "engine/model.h"

static void
check_counts(void)
{
	static const struct { enum gmm_cov_type t; size_t k, d, p; } c[] = {
		{ GMM_COV_FULL, 3, 2, 17 }, { GMM_COV_DIAG, 3, 2, 14 },
		{ GMM_COV_SPHERICAL, 3, 2, 11 }, { GMM_COV_TIED, 3, 2, 11 },
		{ GMM_COV_FULL, 4, 5, 83 }, { GMM_COV_DIAG, 4, 5, 43 },
		{ GMM_COV_SPHERICAL, 4, 5, 27 }, { GMM_COV_TIED, 4, 5, 38 },
		{ GMM_COV_FULL, 1, 1, 2 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK(gmm_n_parameters(c[i].t, c[i].k, c[i].d, 0) == c[i].p,
		    "%s k=%zu d=%zu: %zu", gmm_cov_type_name(c[i].t), c[i].k,
		    c[i].d, gmm_n_parameters(c[i].t, c[i].k, c[i].d, 0));
	/* mclust's nMclustParams(noise = TRUE) adds 2: 13 for VVV, d = 2,
	 * G = 2 (R 4.2.2, mclust 6.0.0) */
	CHECK(gmm_n_parameters(GMM_COV_FULL, 2, 2, 1) == 13, "noise: %zu",
	    gmm_n_parameters(GMM_COV_FULL, 2, 2, 1));
	/* mclust's VVV G=2 on faithful: logL -1130.2640682868503, p 11 */
	CHECK_REL(gmm_bic(-1130.2640682868503, 11, 272), 2322.1919593029565,
	    1e-14, "bic");
	CHECK_REL(gmm_aic(-1130.2640682868503, 11), 2282.5281365737005,
	    1e-14, "aic");
}

/* gmm_data_shape_init() of 4 rows of 2 columns, row-major. */
static int
shape_of(struct gmm_data_shape *sh, const double *rows)
{
	struct gmm_data x;
	int r;

	if (gmm_data_from_rows(&x, rows, 4, 2) < 0)
		return -1;
	r = gmm_data_shape_init(sh, &x, 1);
	gmm_data_release(&x);
	return r;
}

static double
min_var_of(const double *rows)
{
	struct gmm_data x;
	double v;

	if (gmm_data_from_rows(&x, rows, 4, 2) < 0)
		return NAN;
	if (gmm_data_min_column_variance(&x, &v) < 0)
		v = NAN;
	gmm_data_release(&x);
	return v;
}

static void
check_degenerate(void)
{
	struct gmm_model *m = gmm_model_new(2, 2, GMM_COV_FULL);
	struct gmm_data_shape sh;
	struct gmm_error err;
	/* rows (0,0) (1,0) (0,2) (3,3): columns of variance 1.5, 1.6875 */
	double x[] = { 0, 0, 1, 0, 0, 2, 3, 3 };
	double cx[] = { 7, 0, 7, 0, 7, 2, 7, 3 };	/* column 0 constant */
	double dx[] = { 0, 0, 1, 1, 2, 2, 3, 3 };	/* a duplicate */

	m->weights[0] = m->weights[1] = 0.5;
	for (size_t c = 0; c < 2; c++) {
		m->cov[c * 4] = 1;
		m->cov[c * 4 + 3] = 1;
	}
	gmm_model_prepare(m, &err);
	CHECK(shape_of(&sh, x) == 0 && sh.rank == 2,
	    "two directions");
	sh.min_var = 1.0;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0, "healthy model");
	CHECK(gmm_model_degenerate(m, 5, &sh) == 1, "n w = 2.5 < d + 1");
	m->cov_type = GMM_COV_TIED;
	CHECK(gmm_model_degenerate(m, 5, &sh) == 0,
	    "tied: n w = 2.5 needs no count");
	m->cov_type = GMM_COV_FULL;
	m->cov[3] = 1e-6;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 1, "eigenvalue 1e-6");
	sh.min_var = 1e-4;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0,
	    "eigenvalue 1e-6 on data of variance 1e-4");
	gmm_data_shape_release(&sh);
	CHECK_REL(min_var_of(x), 1.5, 1e-15,
	    "smallest column variance");
	CHECK_REL(min_var_of(cx), 1.6875, 1e-15,
	    "a constant column is passed over");
	/* a constant column: its direction is left out, so a variance of
	 * 1e-6 there is no degeneracy; the other direction still counts */
	CHECK(shape_of(&sh, cx) == 0 && sh.rank == 1 &&
	    fabs(fabs(sh.u[2]) - 1) < 1e-12, "a constant column: rank 1");
	m->cov[0] = 1e-6;
	m->cov[3] = 1;
	m->cov[4] = 1e-6;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0,
	    "reg_covar alone along a constant column is no degeneracy");
	CHECK(gmm_model_degenerate(m, 4, &sh) == 0,
	    "full, rank 1: n w = 2 rows suffice (d + 1 = 3 would not)");
	CHECK(gmm_model_degenerate(m, 3, &sh) == 1,
	    "full, rank 1: n w = 1.5 rows do not");
	m->cov[3] = 1e-6;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 1,
	    "a spike along the varying column still is");
	gmm_data_shape_release(&sh);
	/* a duplicated column: the direction (1, -1) is left out */
	CHECK(shape_of(&sh, dx) == 0 && sh.rank == 1,
	    "a duplicated column: rank 1");
	m->cov[0] = m->cov[3] = 1.25 + 1e-6;
	m->cov[1] = m->cov[2] = 1.25;
	m->cov[4] = m->cov[7] = 1.25 + 1e-6;
	m->cov[5] = m->cov[6] = 1.25;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0,
	    "duplicated columns: no degeneracy where the data have none");
	gmm_data_shape_release(&sh);
	gmm_model_free(m);
}

int
main(void)
{
	gsl_set_error_handler_off();
	check_counts();
	check_degenerate();
	return check_done("test_model");
}
