/*
 * sample: draws from a prepared model.  A sampler borrows the model and owns
 * its table of cumulative weights; randomness comes only from the
 * gsl_rng passed in, so a seed fixes every draw.  A component is drawn by
 * its weight, then x = mu + L z with z standard normal, L the factor of
 * its covariance (a factor model, covmodel.h: mu + Lambda u + Psi^1/2 z,
 * with q more standard normals u); a Student-t component (family.h)
 * divides the offset by sqrt(g),
 * g ~ chi^2_nu / nu: the t as a scale mixture of Gaussians.  A model with
 * a noise component is not drawn from (its region is not kept).
 */
#ifndef GMM_SAMPLE_H
#define GMM_SAMPLE_H

#include <stddef.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "engine/model.h"

struct gmm_sampler {
	const struct gmm_model *m;
	double *cum;		/* k cumulative weights */
	double *z;		/* d standard normals */
};

/* 0, or -1 when out of memory. */
int gmm_sampler_init(struct gmm_sampler *s, const struct gmm_model *m);
void gmm_sampler_release(struct gmm_sampler *s);

/* One draw into x[0..d-1]; returns its component. */
size_t gmm_sampler_draw(struct gmm_sampler *s, gsl_rng *rng, double *x);

#endif
