/*
 * model: a mixture's parameters, what its density needs, its information
 * criteria and degeneracy (the density of rows itself is engine/estep.h's).
 *
 * struct gmm_model owns every array it points to; gmm_model_new() allocates
 * them for given k, d and covariance type, with Gaussian components
 * (engine/family.h), and gmm_model_free() releases them.
 * The covariances are kept as covmodel.h stores them (for scikit-learn's
 * four types its covariances_ shapes, flattened row-major: full k*d*d,
 * diag k*d, spherical k, tied d*d).  What the density
 * needs (log weights, lower Cholesky factors, log-determinants, precisions;
 * for a factor model its Woodbury form and the determinant lemma's
 * log-determinant, and no d x d factor) is derived by gmm_model_prepare(), which must be called after any change
 * of the parameters and before any density is evaluated.  No covariance is
 * ever inverted: Mahalanobis distances come from triangular solves.
 *
 * Functions that can fail return 0 or -1 and fill a struct gmm_error; none
 * prints.
 */
#ifndef GMM_MODEL_H
#define GMM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/consts.h"
#include "base/error.h"
#include "engine/covmodel.h"
#include "engine/data.h"
#include "engine/family.h"


/* Quantile levels of the training log densities a model keeps: every
 * 0.1%, 0 (the least) to 1 (the greatest). */
#define GMM_LDQ_N 1001

/* How the model was obtained; present = 0 for a hand-written model. */
struct gmm_training {
	int present;
	uint64_t n;		/* rows read */
	int weighted;		/* fitted with row weights (data.h) */
	double weight_total;	/* the sum of the weights: BIC's n and
				 * the mean log-likelihood's divisor
				 * (n when not weighted) */
	double loglik_total;
	double loglik_mean;
	double bic;
	double aic;
	int has_icl;		/* icl is known (files before it lack it) */
	double icl;
	double class_loglik;	/* sum_i log max_c r_ic at fit (ICL's
				 * term); not stored in files */
	int prior;		/* fitted by MAP EM under mclust's
				 * conjugate prior (em.h) */
	uint64_t iterations;
	int converged;
	int degenerate;		/* gmm_model_degenerate() said so at fit */
	uint64_t seed;
	uint64_t n_init;
	double reg_covar;
	double tol;
	/* the log densities of the complete training rows under the model,
	 * at the quantile levels i / (GMM_LDQ_N - 1): for score --outlier */
	int has_ldq;
	double ldq[GMM_LDQ_N];
};

struct gmm_model {
	size_t k, d;
	enum gmm_cov_type cov_type;
	double *weights;	/* k */
	double *means;		/* k*d */
	double *cov;		/* see above */
	char **columns;		/* d strings */
	char **classes;		/* k class names (fit --label-column: the
				 * data's classes, then new1, new2, ...),
				 * or NULL: components are numbered */
	const struct gmm_family *family;	/* the components' kind */
	/* a factor model (covmodel.h: mfa, mppca): q factors, Lambda_c
	 * (k x d x q, row-major) and Psi_c (k x d, or k for mppca); cov
	 * holds Lambda Lambda^T + Psi (gmm_model_factor_cov()) */
	size_t factors;
	double *loadings;
	double *psi;
	double *df;		/* k: Student-t degrees of freedom nu_c
				 * (family.h; 0 for the Gaussian) */
	int df_fixed;		/* nu held fixed (--df), not estimated */
	/*
	 * mclust's uniform noise component (engine/noise.h), when noise is
	 * 1: density noise_vinv (1/V, V the data's hypervolume) at every
	 * point, weight noise_weight; the k weights and it sum to 1.  Where
	 * responsibilities are held (estep.h, score.h) its column is the
	 * last, k, after the components' (gmm_model_columns()).
	 */
	int noise;
	double noise_vinv;
	double noise_weight;
	struct gmm_training training;

	/* derived by gmm_model_prepare() */
	double *log_weights;	/* k */
	double *log_det;	/* k: log |Sigma_c| */
	double *chol;		/* per stored d x d matrix: lower factor L */
	double *prec;		/* diagonal forms k*d, scalar k: 1 / variance
				 * (per component, also when shared) */
	double noise_log_joint;	/* log noise_weight + log noise_vinv */
	/* a factor model's Woodbury form (kernels.h: maha_factor): 1/psi
	 * (k x d) and G_c = L_M^-1 Lambda_c^T Psi_c^-1 (k x q x d), and
	 * q x q of scratch */
	double *fprec, *fg, *fm;
};

/* Columns of responsibilities: k, and one more with a noise component. */
static inline size_t
gmm_model_columns(const struct gmm_model *m)
{
	return m->k + (m->noise != 0);
}

/* "full", "diag", "EEV", ...: the table's name (covmodel.h) */
const char *gmm_cov_type_name(enum gmm_cov_type t);
/* 0 and *t set, or -1 for an unknown name; mclust's names (VVV, VVI, VII,
 * EEE for our four) are accepted too. */
int gmm_cov_type_parse(const char *s, enum gmm_cov_type *t);

/* Number of doubles in cov for this type. */
size_t gmm_cov_size(enum gmm_cov_type t, size_t k, size_t d);

/*
 * A zeroed model with columns "x1".."xd"; NULL when out of memory.
 * The caller frees it with gmm_model_free().
 */
struct gmm_model *gmm_model_new(size_t k, size_t d, enum gmm_cov_type t);
void gmm_model_free(struct gmm_model *m);
/* A deep copy, or NULL when out of memory. */
struct gmm_model *gmm_model_dup(const struct gmm_model *m);
/* m's parameters and what gmm_model_prepare() derived from them into c,
 * a model of the same k, d, covariance model and factors (a copy made by
 * gmm_model_dup()), without allocating: for drivers that keep earlier
 * points of a fit (accel.h). */
void gmm_model_copy_params(struct gmm_model *c, const struct gmm_model *m);
/* Replace column name j by a copy of name; -1 when out of memory. */
int gmm_model_set_column(struct gmm_model *m, size_t j, const char *name);
/* A factor model's q factors: its loadings and psi (zeros: not yet
 * estimated), allocated; 1 <= q < d.  -1 when out of memory. */
int gmm_model_set_factors(struct gmm_model *m, size_t q);
/* cov = Lambda_c Lambda_c^T + Psi_c for every component of a factor
 * model. */
void gmm_model_factor_cov(struct gmm_model *m);
/* Name the components: copies of the n class names (n <= k), then
 * "new1", "new2", ... for the others; -1 when out of memory (the model
 * keeps no names then). */
int gmm_model_set_classes(struct gmm_model *m, char *const *names,
    size_t n);

/*
 * Derive what the density needs.  Fails, naming the component, when a
 * covariance is not positive definite.
 */
int gmm_model_prepare(struct gmm_model *m, struct gmm_error *err);

/*
 * Check a model that came from outside (a file): finite parameters, weights
 * (with the noise weight) non-negative and summing to 1, a noise density
 * and a t's degrees of freedom positive and finite, a factor model's q
 * (1 to d - 1), loadings finite and psi positive (its covariances are
 * then set from them), covariances symmetric and positive
 * definite, precisions finite, column names valid UTF-8.  Calls gmm_model_prepare().  `name` is the file, for messages.
 */
int gmm_model_validate(struct gmm_model *m, const char *name,
    struct gmm_error *err);

/* n doubles aligned for vector loads (free()); NULL when out of memory. */
double *gmm_doubles_new(size_t n);

/* Free parameters, counted as mclust does (as scikit-learn for its four);
 * a noise component adds two, its weight and its volume, as mclust's
 * nMclustParams(noise = TRUE). */
size_t gmm_n_parameters(enum gmm_cov_type t, size_t k, size_t d, int noise);
/* The same for a model, with its family's own (the t's k degrees of
 * freedom when estimated). */
size_t gmm_model_parameters(const struct gmm_model *m);
/* -2 logL + p ln n, and -2 logL + 2 p (lower is better); n is the rows,
 * or the sum of their frequency weights (data.h). */
double gmm_bic(double loglik_total, size_t n_parameters, double n);
double gmm_aic(double loglik_total, size_t n_parameters);
/* ICL as mclust defines it, in our sign: BIC - 2 sum_i log max_c r_ic
 * (the classification log-likelihood of the MAP labels; lower is better). */
double gmm_icl(double bic, double class_loglik);

/* Write the d x d covariance of component c (rebuilt for any type). */
void gmm_model_component_cov(const struct gmm_model *m, size_t c,
    double *sigma);



/*
 * The first two components that are the same model of the data (weights
 * aside): means within 1e-6 of a standard deviation, covariances within
 * 1e-6 relative.  1 and *a < *b set, 0 when all differ.
 */
int gmm_model_same_components(const struct gmm_model *m, size_t *a,
    size_t *b);

/*
 * 1 when a fitted model is degenerate, 0 when not, -1 when out of memory:
 * in the directions the data vary (s->u), a covariance has an eigenvalue
 * below GMM_DEGENERATE_EIG_FRAC times s->min_var (a likelihood spike held
 * up only by reg_covar), or, for the models whose components take their
 * shape from their own rows alone (the covariance row's own_rows: full =
 * VVV, EVV), a component holds fewer of the n rows than rank + 1
 * (n w_c < rank + 1), too few to estimate it; n counts a row of
 * frequency weight w as w rows (data.h's weight_total).  The other models need no
 * such count: their variances are pooled over a column, over components
 * or over every row, or a spike shows in the eigenvalues.
 */
int gmm_model_degenerate(const struct gmm_model *m, double n,
    const struct gmm_data_shape *s);
#endif
