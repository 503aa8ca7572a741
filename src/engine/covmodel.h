/*
 * covmodel: the table of covariance models, one row per model.
 *
 * The models are mclust's parameterisations Sigma_c = lambda_c D_c A_c
 * D_c^T (volume, orientation, shape; each Equal across components,
 * Variable, or the Identity), named by mclust's three letters; four of
 * them are also scikit-learn's types and keep its names as ours:
 * spherical = VII, diag = VVI, tied = EEE, full = VVV.
 *
 * A row says what the rest of the program needs to know of a model: its
 * names (ours, canonical in every output: scikit-learn's for those four,
 * mclust's for the others; and mclust's, also accepted), its code in the
 * binary model file, what one covariance stores (a d x d matrix, d
 * variances or one variance: this also picks the density kernel, a
 * Cholesky solve, diagonal or spherical precisions), whether the
 * components share one stored covariance, how many free parameters the
 * covariances have (mclust's nVarParams), and its M-steps (mstep.h): the
 * plain one, and the one under mclust's conjugate prior (prior.h), NULL
 * for the four models mclust has no prior for.  From
 * these the functions below give the storage size, where a component's
 * covariance is, a column's variance, the full d x d matrix, the stored
 * form nearest a full matrix and the JSON shape, so that no file outside
 * this one and the M-steps (mstep.c) asks which model it has.  A new model
 * is a row here, its M-steps in mstep.c and its tests.
 *
 * Covariances are stored flattened row-major: one d x d, d or 1 doubles
 * per covariance, one covariance when shared, else k (for the four
 * scikit-learn types, exactly its covariances_).  JSON gives scikit-learn's
 * shapes for those four and full [k][d][d] matrices for every other model.
 * Nothing here allocates, fails or prints.
 */
#ifndef GMM_COVMODEL_H
#define GMM_COVMODEL_H

#include <stddef.h>
#include <stdint.h>

/* The models, in the order of the table (and of the file codes). */
enum gmm_cov_type {
	GMM_COV_FULL = 0,	/* VVV */
	GMM_COV_DIAG = 1,	/* VVI */
	GMM_COV_SPHERICAL = 2,	/* VII */
	GMM_COV_TIED = 3,	/* EEE */
	GMM_COV_EII = 4,
	GMM_COV_EEI = 5,
	GMM_COV_EVI = 6,
	GMM_COV_EEV = 7,
	GMM_COV_EVV = 8,
	GMM_COV_VEI = 9,
	GMM_COV_VEV = 10,
	GMM_COV_VEE = 11,
	GMM_COV_EVE = 12,
	GMM_COV_VVE = 13,
	GMM_COV_MFA = 14,	/* factor analysers, issue 20 */
	GMM_COV_MPPCA = 15,	/* probabilistic PCA */
};

enum gmm_cov_form {
	GMM_FORM_MATRIX,	/* d x d; the density solves with its
				 * lower Cholesky factor */
	GMM_FORM_DIAGONAL,	/* d variances */
	GMM_FORM_SCALAR,	/* one variance for every column */
};

struct gmm_stats;
struct gmm_mstep_work;
struct gmm_prior;

struct gmm_covmodel {
	enum gmm_cov_type type;
	const char *name;	/* "full": ours, what outputs say */
	const char *mclust;	/* "VVV": mclust's, also accepted */
	uint32_t code;		/* in the binary model file */
	enum gmm_cov_form form;
	int shared;		/* one covariance for every component */
	int sklearn;		/* one of scikit-learn's four: its JSON
				 * shapes */
	int own_rows;		/* each component's shape comes from its
				 * own rows alone, so fewer than rank + 1
				 * of them is degenerate (model.h) */
	int factor;		/* a factor model (below): q factors, its
				 * parameters the model's loadings and psi */
	/* free parameters of the covariances (BIC's count, mclust's) */
	size_t (*cov_params)(size_t k, size_t d);
	/* the covariances from the sufficient statistics (engine/mstep.h) */
	int (*mstep)(const struct gmm_stats *st, double reg, double *cov,
	    struct gmm_mstep_work *w);
	/* the means and covariances under mclust's conjugate prior, or NULL
	 * where mclust has none (engine/prior.h, mstep.h) */
	int (*mstep_map)(const struct gmm_stats *st,
	    const struct gmm_prior *pr, double reg, double *means, double *cov,
	    struct gmm_mstep_work *w);
};

/* mclust's fourteen, the first rows of the table (select-k's all) */
#define GMM_N_COVMODELS 14
/*
 * Every row: mclust's fourteen, then the factor models (issue 20):
 * Sigma_c = Lambda_c Lambda_c^T + Psi_c with Lambda_c d x q, Psi_c
 * diagonal (mfa: mixtures of factor analysers) or sigma_c^2 I (mppca:
 * of probabilistic PCA), fitted by the AECM cycle of McLachlan and Peel
 * (2000, ch. 8; mstep.h).  They store the full Sigma_c as full does
 * (GMM_FORM_MATRIX, so the statistics, the marginals and JSON's
 * covariances are full's; the E-step's distances take the Woodbury form,
 * estep.h) and keep Lambda_c and Psi_c in the model (model.h:
 * factors, loadings, psi); cov_params counts them for q = 1 (the model's
 * count: gmm_model_parameters()).
 */
#define GMM_N_COVROWS 16
/* mclust's names of the rows, in mclust's order, for messages */
#define GMM_COV_MCLUST_NAMES "EII, VII, EEI, VEI, EVI, VVI, EEE, VEE, " \
	"EVE, VVE, EEV, VEV, EVV, VVV"
extern const struct gmm_covmodel gmm_covmodels[GMM_N_COVROWS];
/* Free covariance parameters of a factor model with q factors:
 * k (d q - q (q - 1) / 2) + k d (mfa) or + k (mppca). */
size_t gmm_covmodel_factor_params(const struct gmm_covmodel *cm, size_t k,
    size_t d, size_t q);

/* The row of a model. */
const struct gmm_covmodel *gmm_covmodel(enum gmm_cov_type t);
/* The row named s (ours or mclust's), or NULL; mclust's one-dimensional
 * E and V name EII and VII (spherical), what they are in any dimension. */
const struct gmm_covmodel *gmm_covmodel_named(const char *s);
/* The row of a binary file's code, or NULL. */
const struct gmm_covmodel *gmm_covmodel_coded(uint32_t code);

/* Doubles in one covariance: d * d, d or 1. */
size_t gmm_covmodel_per(const struct gmm_covmodel *cm, size_t d);
/* Covariances stored: 1 when shared, else k. */
size_t gmm_covmodel_count(const struct gmm_covmodel *cm, size_t k);
/* Where component c's covariance starts in the stored array. */
size_t gmm_covmodel_offset(const struct gmm_covmodel *cm, size_t c,
    size_t d);
/* The variance of column j in component c. */
double gmm_covmodel_var(const struct gmm_covmodel *cm, const double *cov,
    size_t c, size_t j, size_t d);
/* Component c's covariance as a full d x d matrix. */
void gmm_covmodel_to_full(const struct gmm_covmodel *cm, const double *cov,
    size_t c, size_t d, double *sigma);
/* The stored form nearest a full d x d sigma (the matrix, its diagonal,
 * the mean of its diagonal) into one covariance's place, dst. */
void gmm_covmodel_from_full(const struct gmm_covmodel *cm,
    const double *sigma, size_t d, double *dst);
/*
 * The nesting of the covariances in JSON ([k][d][d], [k][d], [k],
 * [d][d]): its sizes in dims, the rank returned (1 to 3 for the rows of
 * the table; 0, a number, for a shared scalar); and the same as text,
 * "[k][d][d]", for messages.  For scikit-learn's four this is the stored
 * array; for the other models, k full matrices (gmm_covmodel_to_full()
 * and gmm_covmodel_from_fulls()).
 */
size_t gmm_covmodel_dims(const struct gmm_covmodel *cm, size_t k, size_t d,
    size_t dims[3]);
const char *gmm_covmodel_shape(const struct gmm_covmodel *cm);
/*
 * The stored covariances (count of them) from k full d x d matrices
 * sigmas: 0, or -1 when the matrices do not have the stored form's
 * structure (a shared covariance that differs between components, or a
 * diagonal or spherical one with other entries), to 1e-9 relative.  The
 * constraints of the matrix models (a common shape, volume or
 * orientation) are not checked: such matrices are read as they are.
 */
int gmm_covmodel_from_fulls(const struct gmm_covmodel *cm,
    const double *sigmas, size_t k, size_t d, double *cov);

#endif
