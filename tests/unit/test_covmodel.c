/*
 * covmodel: each row's names, code and sizes agree with each other and
 * with scikit-learn's shapes and parameter counts; a full matrix survives
 * to_full(from_full()) in the form's own terms (the matrix, its diagonal,
 * its mean variance); every component's covariance is found where the
 * row says; full matrices are read into the stored form only when they
 * have its structure.
 */
#include <string.h>

#include "check.h"
#include "engine/covmodel.h"
#include "engine/model.h"

static void
check_names(void)
{
	static const char *const ours[] = { "full", "diag", "spherical",
		"tied", "EII", "EEI", "EVI", "EEV", "EVV", "VEI", "VEV", "VEE",
		"EVE", "VVE" };
	static const char *const mclust[] = { "VVV", "VVI", "VII", "EEE",
		"EII", "EEI", "EVI", "EEV", "EVV", "VEI", "VEV", "VEE", "EVE",
		"VVE" };

	for (size_t i = 0; i < GMM_N_COVMODELS; i++) {
		const struct gmm_covmodel *cm = &gmm_covmodels[i];
		enum gmm_cov_type t;

		CHECK(cm->type == (enum gmm_cov_type)i, "row %zu in order", i);
		CHECK(strcmp(cm->name, ours[i]) == 0, "row %zu: %s", i,
		    cm->name);
		CHECK(strcmp(cm->mclust, mclust[i]) == 0, "row %zu: %s", i,
		    cm->mclust);
		CHECK(gmm_covmodel_named(ours[i]) == cm, "%s by name", ours[i]);
		CHECK(gmm_covmodel_named(mclust[i]) == cm, "%s by mclust's",
		    mclust[i]);
		CHECK(gmm_covmodel_coded(cm->code) == cm, "%s by its code",
		    ours[i]);
		CHECK(gmm_cov_type_parse(mclust[i], &t) == 0 && t == cm->type,
		    "parse %s", mclust[i]);
		CHECK(strcmp(gmm_cov_type_name(cm->type), ours[i]) == 0,
		    "outputs say %s", ours[i]);
	}
	CHECK(gmm_covmodel_named("vvv") == NULL, "names are case-sensitive");
	CHECK(gmm_covmodel_named("XYZ") == NULL, "XYZ is no model");
	CHECK(gmm_covmodel_coded(GMM_N_COVROWS) == NULL, "code %d is no "
	    "model", GMM_N_COVROWS);
	/* the factor models after mclust's fourteen */
	CHECK(gmm_covmodel_named("mfa") == &gmm_covmodels[GMM_COV_MFA] &&
	    gmm_covmodel_coded(14) == &gmm_covmodels[GMM_COV_MFA] &&
	    gmm_covmodels[GMM_COV_MFA].factor &&
	    gmm_covmodel_named("mppca") == &gmm_covmodels[GMM_COV_MPPCA] &&
	    gmm_covmodel_coded(15) == &gmm_covmodels[GMM_COV_MPPCA] &&
	    gmm_covmodels[GMM_COV_MPPCA].factor, "mfa and mppca, codes 14 "
	    "and 15");
	for (size_t i = 0; i < GMM_N_COVMODELS; i++)
		CHECK(!gmm_covmodels[i].factor, "%s is no factor model",
		    gmm_covmodels[i].name);
	/* k (d q - q (q - 1)/2) + k d or + k: k = 3, d = 5, q = 2 */
	CHECK(gmm_covmodel_factor_params(&gmm_covmodels[GMM_COV_MFA], 3, 5,
	    2) == 3 * 9 + 15 && gmm_covmodel_factor_params(
	    &gmm_covmodels[GMM_COV_MPPCA], 3, 5, 2) == 3 * 9 + 3,
	    "factor parameters");
	CHECK(sizeof(ours) / sizeof(ours[0]) == GMM_N_COVMODELS, "every row "
	    "named here");
}

static void
check_sizes(void)
{
	/* scikit-learn: covariances_ shapes and _n_parameters(); the others:
	 * full matrices in JSON, mclust's nMclustParams() */
	static const size_t k = 3, d = 5;
	static const struct {
		enum gmm_cov_type t;
		size_t size, rank, dims[3], params;
		const char *shape;
	} want[] = {
		{ GMM_COV_FULL, 75, 3, { 3, 5, 5 }, 45, "[k][d][d]" },
		{ GMM_COV_DIAG, 15, 2, { 3, 5 }, 15, "[k][d]" },
		{ GMM_COV_SPHERICAL, 3, 1, { 3 }, 3, "[k]" },
		{ GMM_COV_TIED, 25, 2, { 5, 5 }, 15, "[d][d]" },
		{ GMM_COV_EII, 1, 3, { 3, 5, 5 }, 1, "[k][d][d]" },
		{ GMM_COV_EEI, 5, 3, { 3, 5, 5 }, 5, "[k][d][d]" },
		{ GMM_COV_EVI, 15, 3, { 3, 5, 5 }, 13, "[k][d][d]" },
		{ GMM_COV_EEV, 75, 3, { 3, 5, 5 }, 35, "[k][d][d]" },
		{ GMM_COV_EVV, 75, 3, { 3, 5, 5 }, 43, "[k][d][d]" },
		{ GMM_COV_VEI, 15, 3, { 3, 5, 5 }, 7, "[k][d][d]" },
		{ GMM_COV_VEV, 75, 3, { 3, 5, 5 }, 37, "[k][d][d]" },
		{ GMM_COV_VEE, 75, 3, { 3, 5, 5 }, 17, "[k][d][d]" },
		{ GMM_COV_EVE, 75, 3, { 3, 5, 5 }, 23, "[k][d][d]" },
		{ GMM_COV_VVE, 75, 3, { 3, 5, 5 }, 25, "[k][d][d]" },
	};

	CHECK(sizeof(want) / sizeof(want[0]) == GMM_N_COVMODELS, "every row "
	    "sized here");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct gmm_covmodel *cm = gmm_covmodel(want[i].t);
		size_t dims[3] = { 0 }, rank = gmm_covmodel_dims(cm, k, d, dims);

		CHECK(gmm_cov_size(want[i].t, k, d) == want[i].size,
		    "%s: %zu doubles", cm->name, gmm_cov_size(want[i].t, k, d));
		CHECK(gmm_covmodel_count(cm, k) * gmm_covmodel_per(cm, d) ==
		    want[i].size, "%s: count x per", cm->name);
		CHECK(rank == want[i].rank && memcmp(dims, want[i].dims,
		    rank * sizeof(size_t)) == 0, "%s: JSON rank %zu", cm->name,
		    rank);
		CHECK(strcmp(gmm_covmodel_shape(cm), want[i].shape) == 0,
		    "%s: %s", cm->name, gmm_covmodel_shape(cm));
		CHECK(cm->cov_params(k, d) == want[i].params,
		    "%s: %zu covariance parameters", cm->name,
		    cm->cov_params(k, d));
		/* (k - 1) + k d + covariances, scikit-learn's and mclust's
		 * count */
		CHECK(gmm_n_parameters(want[i].t, k, d, 0) == 2 + 15 +
		    want[i].params, "%s: parameters", cm->name);
	}
}

static void
check_forms(void)
{
	enum { D = 3, K = 2 };
	static const double sigma[D * D] = { 4, 1, 0.5, 1, 9, 2, 0.5, 2, 16 };

	for (size_t i = 0; i < GMM_N_COVMODELS; i++) {
		const struct gmm_covmodel *cm = &gmm_covmodels[i];
		double cov[K * D * D], back[D * D];
		size_t per = gmm_covmodel_per(cm, D);

		memset(cov, 0, sizeof(cov));
		/* component 1's place (component 0's when shared) */
		gmm_covmodel_from_full(cm, sigma, D, cov +
		    gmm_covmodel_offset(cm, 1, D));
		CHECK(gmm_covmodel_offset(cm, 1, D) == (cm->shared ? 0 : per),
		    "%s: component 1 at %zu", cm->name,
		    gmm_covmodel_offset(cm, 1, D));
		gmm_covmodel_to_full(cm, cov, 1, D, back);
		for (size_t a = 0; a < D; a++)
			for (size_t b = 0; b < D; b++) {
				double want = sigma[a * D + b];

				if (cm->form == GMM_FORM_SCALAR)
					want = a == b ? 29.0 / 3 : 0;
				else if (cm->form == GMM_FORM_DIAGONAL && a != b)
					want = 0;
				CHECK(back[a * D + b] == want, "%s: (%zu, %zu) "
				    "%g, want %g", cm->name, a, b,
				    back[a * D + b], want);
			}
		for (size_t j = 0; j < D; j++)
			CHECK(gmm_covmodel_var(cm, cov, 1, j, D) ==
			    back[j * D + j], "%s: variance %zu", cm->name, j);
	}
}

/* k full matrices read into the stored form, and refused when they lack
 * its structure. */
static void
check_fulls(void)
{
	enum { D = 2, K = 2 };
	static const double same[K * D * D] = { 2, 0, 0, 2, 2, 0, 0, 2 };
	static const double diag[K * D * D] = { 2, 0, 0, 3, 2, 0, 0, 3 };
	static const double apart[K * D * D] = { 2, 0, 0, 3, 4, 0, 0, 3 };
	static const double corr[K * D * D] = { 2, 1, 1, 3, 2, 1, 1, 3 };
	double cov[K * D * D];

	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EII), same, K, D,
	    cov) == 0 && cov[0] == 2, "EII from equal spheres");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EII), diag, K, D,
	    cov) < 0, "EII refuses unequal variances");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EEI), diag, K, D,
	    cov) == 0 && cov[0] == 2 && cov[1] == 3, "EEI from equal diagonals");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EEI), apart, K, D,
	    cov) < 0, "EEI refuses diagonals that differ");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EVI), apart, K, D,
	    cov) == 0 && cov[2] == 4, "EVI from diagonals that differ");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EVI), corr, K, D,
	    cov) < 0, "EVI refuses correlations");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_EEV), corr, K, D,
	    cov) == 0 && cov[5] == 1, "EEV takes full matrices");
	CHECK(gmm_covmodel_from_fulls(gmm_covmodel(GMM_COV_TIED), apart, K, D,
	    cov) < 0, "tied refuses matrices that differ");
}

int
main(void)
{
	check_names();
	check_sizes();
	check_forms();
	check_fulls();
	return check_done("test_covmodel");
}
