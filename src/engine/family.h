/*
 * family: what kind of density a mixture's components have, as a row of
 * a table (the Gaussian today; Student-t, factor analysers and a noise
 * component are planned as further rows).
 *
 * The kernels (engine/kernels.h) give each row's squared Mahalanobis
 * distance to each component, maha_c(x) = (x - mu_c)^T Sigma_c^-1
 * (x - mu_c), from the covariance model's factorisation.  A family turns
 * it into the log joint log w_c + log f_c(x).  The Gaussian's is affine in
 * the distance, a_c + b maha_c(x), which the kernels apply as they go, so
 * it costs no pass of its own.  Nothing here allocates, fails or prints.
 */
#ifndef GMM_FAMILY_H
#define GMM_FAMILY_H

#include <stddef.h>
#include <stdint.h>

struct gmm_model;

struct gmm_family {
	const char *name;	/* "gaussian" */
	uint32_t code;		/* in the binary model file */
	/* log w_c + log f_c(x) = a + b maha_c(x) for a prepared model */
	void (*affine)(const struct gmm_model *m, size_t c, double *a,
	    double *b);
};

extern const struct gmm_family gmm_family_gaussian;

/* The family of a binary file's code, or NULL. */
const struct gmm_family *gmm_family_coded(uint32_t code);

#endif
