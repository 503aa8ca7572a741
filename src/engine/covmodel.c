#include "engine/covmodel.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "engine/mstep.h"

static size_t
params_full(size_t k, size_t d)
{
	return k * d * (d + 1) / 2;
}

static size_t
params_diag(size_t k, size_t d)
{
	return k * d;
}

static size_t
params_spherical(size_t k, size_t d)
{
	(void)d;
	return k;
}

static size_t
params_tied(size_t k, size_t d)
{
	(void)k;
	return d * (d + 1) / 2;
}

static size_t
params_eii(size_t k, size_t d)
{
	(void)k;
	(void)d;
	return 1;
}

static size_t
params_eei(size_t k, size_t d)
{
	(void)k;
	return d;
}

static size_t
params_evi(size_t k, size_t d)
{
	return 1 + k * (d - 1);
}

static size_t
params_eev(size_t k, size_t d)
{
	return 1 + (d - 1) + k * d * (d - 1) / 2;
}

static size_t
params_evv(size_t k, size_t d)
{
	return 1 + k * (d - 1) + k * d * (d - 1) / 2;
}

static size_t
params_vei(size_t k, size_t d)
{
	return k + (d - 1);
}

static size_t
params_vev(size_t k, size_t d)
{
	return k + (d - 1) + k * d * (d - 1) / 2;
}

static size_t
params_vee(size_t k, size_t d)
{
	return k + (d - 1) + d * (d - 1) / 2;
}

static size_t
params_eve(size_t k, size_t d)
{
	return 1 + k * (d - 1) + d * (d - 1) / 2;
}

static size_t
params_vve(size_t k, size_t d)
{
	return k + k * (d - 1) + d * (d - 1) / 2;
}

size_t
gmm_covmodel_factor_params(const struct gmm_covmodel *cm, size_t k, size_t d,
    size_t q)
{
	return k * (d * q - q * (q - 1) / 2) + (cm->type == GMM_COV_MFA ? k * d :
	    k);
}

static size_t
params_mfa(size_t k, size_t d)
{
	return gmm_covmodel_factor_params(&gmm_covmodels[GMM_COV_MFA], k, d,
	    1);
}

static size_t
params_mppca(size_t k, size_t d)
{
	return gmm_covmodel_factor_params(&gmm_covmodels[GMM_COV_MPPCA], k, d,
	    1);
}

/* type, ours, mclust's, file code, form, shared, sklearn, own_rows,
 * factor */
const struct gmm_covmodel gmm_covmodels[GMM_N_COVROWS] = {
	{ GMM_COV_FULL, "full", "VVV", 0, GMM_FORM_MATRIX, 0, 1, 1, 0,
	    params_full, gmm_mstep_full, gmm_mstep_map_vvv },
	{ GMM_COV_DIAG, "diag", "VVI", 1, GMM_FORM_DIAGONAL, 0, 1, 0, 0,
	    params_diag, gmm_mstep_diag, gmm_mstep_map_vvi },
	{ GMM_COV_SPHERICAL, "spherical", "VII", 2, GMM_FORM_SCALAR, 0, 1, 0,
	    0, params_spherical, gmm_mstep_spherical, gmm_mstep_map_vii },
	{ GMM_COV_TIED, "tied", "EEE", 3, GMM_FORM_MATRIX, 1, 1, 0, 0,
	    params_tied, gmm_mstep_tied, gmm_mstep_map_eee },
	{ GMM_COV_EII, "EII", "EII", 4, GMM_FORM_SCALAR, 1, 0, 0, 0,
	    params_eii, gmm_mstep_eii, gmm_mstep_map_eii },
	{ GMM_COV_EEI, "EEI", "EEI", 5, GMM_FORM_DIAGONAL, 1, 0, 0, 0,
	    params_eei, gmm_mstep_eei, gmm_mstep_map_eei },
	{ GMM_COV_EVI, "EVI", "EVI", 6, GMM_FORM_DIAGONAL, 0, 0, 0, 0,
	    params_evi, gmm_mstep_evi, gmm_mstep_map_evi },
	{ GMM_COV_EEV, "EEV", "EEV", 7, GMM_FORM_MATRIX, 0, 0, 0, 0,
	    params_eev, gmm_mstep_eev, gmm_mstep_map_eev },
	{ GMM_COV_EVV, "EVV", "EVV", 8, GMM_FORM_MATRIX, 0, 0, 1, 0,
	    params_evv, gmm_mstep_evv, NULL },
	{ GMM_COV_VEI, "VEI", "VEI", 9, GMM_FORM_DIAGONAL, 0, 0, 0, 0,
	    params_vei, gmm_mstep_vei, gmm_mstep_map_vei },
	{ GMM_COV_VEV, "VEV", "VEV", 10, GMM_FORM_MATRIX, 0, 0, 0, 0,
	    params_vev, gmm_mstep_vev, gmm_mstep_map_vev },
	{ GMM_COV_VEE, "VEE", "VEE", 11, GMM_FORM_MATRIX, 0, 0, 0, 0,
	    params_vee, gmm_mstep_vee, NULL },
	{ GMM_COV_EVE, "EVE", "EVE", 12, GMM_FORM_MATRIX, 0, 0, 0, 0,
	    params_eve, gmm_mstep_eve, NULL },
	{ GMM_COV_VVE, "VVE", "VVE", 13, GMM_FORM_MATRIX, 0, 0, 0, 0,
	    params_vve, gmm_mstep_vve, NULL },
	{ GMM_COV_MFA, "mfa", "mfa", 14, GMM_FORM_MATRIX, 0, 0, 1, 1,
	    params_mfa, gmm_mstep_mfa, NULL },
	{ GMM_COV_MPPCA, "mppca", "mppca", 15, GMM_FORM_MATRIX, 0, 0, 1, 1,
	    params_mppca, gmm_mstep_mppca, NULL },
};

const struct gmm_covmodel *
gmm_covmodel(enum gmm_cov_type t)
{
	if ((size_t)t >= GMM_N_COVROWS)
		GMM_BUG("unknown covariance type");
	return &gmm_covmodels[t];
}

const struct gmm_covmodel *
gmm_covmodel_named(const char *s)
{
	/* mclust's names in one dimension, where every model is one of
	 * these two */
	if (strcmp(s, "E") == 0)
		return &gmm_covmodels[GMM_COV_EII];
	if (strcmp(s, "V") == 0)
		return &gmm_covmodels[GMM_COV_SPHERICAL];
	for (size_t i = 0; i < GMM_N_COVROWS; i++)
		if (strcmp(s, gmm_covmodels[i].name) == 0 ||
		    strcmp(s, gmm_covmodels[i].mclust) == 0)
			return &gmm_covmodels[i];
	return NULL;
}

const struct gmm_covmodel *
gmm_covmodel_coded(uint32_t code)
{
	for (size_t i = 0; i < GMM_N_COVROWS; i++)
		if (gmm_covmodels[i].code == code)
			return &gmm_covmodels[i];
	return NULL;
}

size_t
gmm_covmodel_per(const struct gmm_covmodel *cm, size_t d)
{
	switch (cm->form) {
	case GMM_FORM_MATRIX:
		return d * d;
	case GMM_FORM_DIAGONAL:
		return d;
	case GMM_FORM_SCALAR:
		return 1;
	}
	GMM_BUG("unknown covariance form");
}

size_t
gmm_covmodel_count(const struct gmm_covmodel *cm, size_t k)
{
	return cm->shared ? 1 : k;
}

size_t
gmm_covmodel_offset(const struct gmm_covmodel *cm, size_t c, size_t d)
{
	return cm->shared ? 0 : c * gmm_covmodel_per(cm, d);
}

double
gmm_covmodel_var(const struct gmm_covmodel *cm, const double *cov, size_t c,
    size_t j, size_t d)
{
	const double *s = cov + gmm_covmodel_offset(cm, c, d);

	switch (cm->form) {
	case GMM_FORM_MATRIX:
		return s[j * d + j];
	case GMM_FORM_DIAGONAL:
		return s[j];
	case GMM_FORM_SCALAR:
		return s[0];
	}
	GMM_BUG("unknown covariance form");
}

void
gmm_covmodel_to_full(const struct gmm_covmodel *cm, const double *cov,
    size_t c, size_t d, double *sigma)
{
	if (cm->form == GMM_FORM_MATRIX) {
		memcpy(sigma, cov + gmm_covmodel_offset(cm, c, d),
		    d * d * sizeof(double));
		return;
	}
	memset(sigma, 0, d * d * sizeof(double));
	for (size_t j = 0; j < d; j++)
		sigma[j * d + j] = gmm_covmodel_var(cm, cov, c, j, d);
}

void
gmm_covmodel_from_full(const struct gmm_covmodel *cm, const double *sigma,
    size_t d, double *dst)
{
	double tr = 0;

	switch (cm->form) {
	case GMM_FORM_MATRIX:
		memcpy(dst, sigma, d * d * sizeof(double));
		return;
	case GMM_FORM_DIAGONAL:
		for (size_t j = 0; j < d; j++)
			dst[j] = sigma[j * d + j];
		return;
	case GMM_FORM_SCALAR:
		for (size_t j = 0; j < d; j++)
			tr += sigma[j * d + j];
		dst[0] = tr / (double)d;
		return;
	}
}

size_t
gmm_covmodel_dims(const struct gmm_covmodel *cm, size_t k, size_t d,
    size_t dims[3])
{
	size_t r = 0;

	if (!cm->sklearn) {
		dims[0] = k;
		dims[1] = dims[2] = d;
		return 3;
	}
	if (!cm->shared)
		dims[r++] = k;
	if (cm->form != GMM_FORM_SCALAR)
		dims[r++] = d;
	if (cm->form == GMM_FORM_MATRIX)
		dims[r++] = d;
	return r;
}

const char *
gmm_covmodel_shape(const struct gmm_covmodel *cm)
{
	static const char *const shapes[2][3] = {
		{ "[k][d][d]", "[k][d]", "[k]" },
		{ "[d][d]", "[d]", "[]" },
	};

	if (!cm->sklearn)
		return shapes[0][GMM_FORM_MATRIX];
	return shapes[cm->shared ? 1 : 0][cm->form];
}

static int
near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b)) + DBL_MIN;
}

int
gmm_covmodel_from_fulls(const struct gmm_covmodel *cm, const double *sigmas,
    size_t k, size_t d, double *cov)
{
	size_t dd = d * d, per = gmm_covmodel_per(cm, d);

	for (size_t c = 0; c < gmm_covmodel_count(cm, k); c++)
		gmm_covmodel_from_full(cm, sigmas + c * dd, d, cov + c * per);
	/* what the stored form gives back must be what was given */
	for (size_t c = 0; c < k; c++) {
		const double *s = sigmas + c * dd;

		for (size_t i = 0; i < d; i++)
			for (size_t j = 0; j < d; j++) {
				double want = cm->form == GMM_FORM_MATRIX ?
				    cov[gmm_covmodel_offset(cm, c, d) + i * d +
				    j] : i == j ? gmm_covmodel_var(cm, cov, c,
				    i, d) : 0;

				if (!near(s[i * d + j], want))
					return -1;
			}
	}
	return 0;
}
