/*
 * accel: SQUAREM (Varadhan and Roland 2008, scheme S3), the squared
 * extrapolation that accelerates EM (`fit --accelerate`; the cycle that
 * uses it is em.c's).
 *
 * From three successive points of the EM map F, theta1 = F(theta0) and
 * theta2 = F(theta1), with r = theta1 - theta0 and v = theta2 - 2 theta1 +
 * theta0, the step length is alpha = |r| / |v|, clamped to [1, step_max],
 * and the new point
 *	theta' = theta0 + 2 alpha r + alpha^2 v
 * (alpha = 1 gives theta2: the two EM steps themselves).  EM then takes
 * one step from theta' (the stabilisation step), and the cycle's driver
 * keeps the result only when the log-likelihood does not drop (the usual
 * monotonicity safeguard: else it goes on from theta2, a plain EM step).
 * step_max starts at 1 and grows fourfold each time a cycle is accepted at
 * step_max; it shrinks back when one is refused (Varadhan's squarem).
 *
 * theta is the model's free parameters as stored: the weights (and the
 * noise weight), the means, the covariances as covmodel.h stores them
 * (for a factor model its loadings and psi instead, the covariances then
 * derived), and a t's degrees of freedom unless held fixed.  Linear
 * combinations keep the weights' sum; a point outside the model (a weight
 * or psi <= 0, degrees of freedom <= 0, a covariance not positive
 * definite) is refused.  For covariance models that a linear combination
 * leaves (mclust's with a common shape or orientation, EVI, VEV, ...),
 * theta' is an unconstrained mixture; the stabilisation step's M-step
 * brings it back, and the safeguard judges the result.
 */
#ifndef GMM_ACCEL_H
#define GMM_ACCEL_H

#include "engine/model.h"

/* SQUAREM's step-length bounds (Varadhan's squarem: step.max0 = 1,
 * mstep = 4). */
#define GMM_ACCEL_STEP_MAX0 1.0
#define GMM_ACCEL_MSTEP 4.0

/*
 * theta' from m0, m1 = F(m0), m2 = F(m1) (models alike) into out (alike),
 * with alpha clamped to [1, step_max]; *alpha is the length taken.
 * Returns 1 when out is a valid model, prepared; 0 when theta' lies
 * outside the model (out is then unspecified).
 */
int gmm_accel_point(const struct gmm_model *m0, const struct gmm_model *m1,
    const struct gmm_model *m2, double step_max, struct gmm_model *out,
    double *alpha);

#endif
