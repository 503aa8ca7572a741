/*
 * prior: mclust's defaultPrior on a small hand-computed data set: the
 * column means, d + 2 degrees of freedom, shrinkage 0.01, and the scale
 * (variances with n - 1): the scalar (1/k)^(2/d) mean column variance
 * for the diagonal and spherical models, the matrix (1/k)^(2/d) var(x)
 * for the others (its diagonal when n <= d), var / k^2 in one dimension;
 * which models have the prior.  Against mclust itself: test_mclust.
 */
#include <math.h>
#include <string.h>

#include "check.h"
#include "engine/prior.h"

int
main(void)
{
	/* 4 rows, 2 columns: means (2.5, 5), var 5/3 and 20/3, cov 10/3 */
	static const double rows[] = { 1, 2, 2, 4, 3, 6, 4, 8 };
	static const double narrow[] = { 1, 2, 3, 4, 5, 6 };	/* n = 2, d = 3 */
	struct gmm_data x, y;
	struct gmm_prior p;
	double f = pow(1.0 / 3, 2.0 / 2);	/* k = 3, d = 2 */

	CHECK(gmm_data_from_rows(&x, rows, 4, 2) == 0, "data");
	CHECK(gmm_prior_default(&p, &x, 3, GMM_COV_FULL) == 0, "full");
	CHECK(p.shrinkage == 0.01 && p.dof == 4, "shrinkage 0.01, dof d + 2");
	CHECK_TOL(p.mean[0], 2.5, 1e-15, 0, "mean 0");
	CHECK_TOL(p.mean[1], 5, 1e-15, 0, "mean 1");
	CHECK_TOL(p.scale[0], f * 5 / 3, 1e-14, 0, "full: var 0");
	CHECK_TOL(p.scale[1], f * 10 / 3, 1e-14, 0, "full: cov");
	CHECK_TOL(p.scale[2], f * 10 / 3, 1e-14, 0, "full: cov, symmetric");
	CHECK_TOL(p.scale[3], f * 20 / 3, 1e-14, 0, "full: var 1");
	gmm_prior_release(&p);
	CHECK(gmm_prior_default(&p, &x, 3, GMM_COV_VEI) == 0, "VEI");
	CHECK_TOL(p.scale[0], f * (5.0 / 3 + 20.0 / 3) / 2, 1e-14, 0,
	    "VEI: the mean column variance");
	gmm_prior_release(&p);
	CHECK(gmm_data_from_rows(&y, rows, 4, 1) == 0, "1-D data");
	/* the first column of rows read as 4 one-column rows: 1, 2, 2, 4 */
	CHECK(gmm_prior_default(&p, &y, 2, GMM_COV_EII) == 0, "1-D");
	CHECK(p.dof == 3, "1-D: dof 3");
	CHECK_TOL(p.scale[0], (1.5833333333333333) / 4, 1e-14, 0,
	    "1-D: var / k^2");
	gmm_prior_release(&p);
	gmm_data_release(&y);
	CHECK(gmm_data_from_rows(&y, narrow, 2, 3) == 0, "narrow data");
	CHECK(gmm_prior_default(&p, &y, 1, GMM_COV_TIED) == 0, "n <= d");
	CHECK(p.scale[1] == 0 && p.scale[3] == 0 && p.scale[0] == 4.5,
	    "n <= d: the diagonal of var(x) alone");
	gmm_prior_release(&p);
	gmm_data_release(&y);
	gmm_data_release(&x);
	for (int t = 0; t < GMM_N_COVMODELS; t++) {
		const char *m = gmm_covmodel((enum gmm_cov_type)t)->mclust;
		int none = strstr("EVE VEE VVE EVV", m) != NULL;

		CHECK(gmm_prior_supported((enum gmm_cov_type)t) == !none,
		    "%s: %s", m, none ? "no prior" : "a prior");
	}
	return check_done("test_prior");
}
