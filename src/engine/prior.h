/*
 * prior: mclust's conjugate prior for MAP EM (Fraley and Raftery 2007),
 * with the hyperparameters of mclust 6's defaultPrior(): for data x (n
 * rows, d columns) and k components,
 *	shrinkage kappa = 0.01, mean mu_p = the column means,
 *	dof nu = d + 2 (3 in one dimension),
 *	scale, in one dimension var(x) / k^2; for the models with diagonal
 *	or spherical covariances the scalar (1/k)^(2/d) sum_j var(x_j) / d;
 *	for the others the matrix (1/k)^(2/d) var(x) (its diagonal when
 *	n <= d),
 * variances with n - 1 in the denominator, as R's var().  The M-steps
 * under it are mstep.h's gmm_mstep_map_*; mclust has none for EVE, VEE,
 * VVE and EVV, and neither has gmm (gmm_prior_supported()).  Only
 * gmm_prior_default() allocates; nothing prints.
 */
#ifndef GMM_PRIOR_H
#define GMM_PRIOR_H

#include <stddef.h>

#include "engine/covmodel.h"
#include "engine/data.h"

struct gmm_prior {
	size_t d;
	double shrinkage;	/* kappa */
	double dof;		/* nu */
	double *mean;		/* d: mu_p */
	double *scale;		/* d*d (matrix models), or scale[0] alone */
};

/* 1 when model t has a MAP M-step under the prior. */
int gmm_prior_supported(enum gmm_cov_type t);
/* The models that have one, for messages: "EII, VII, ..." */
#define GMM_PRIOR_MODELS "EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV, VVV"

/* mclust's defaultPrior for x, k components and model t: 0, or -1 when
 * out of memory (then nothing to release). */
int gmm_prior_default(struct gmm_prior *p, const struct gmm_data *x,
    size_t k, enum gmm_cov_type t);
void gmm_prior_release(struct gmm_prior *p);

#endif
