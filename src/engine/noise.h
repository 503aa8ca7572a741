/*
 * noise: mclust's uniform noise component, what is the data's and not the
 * model's.
 *
 * A mixture with a noise component (model.h: noise) adds to its k
 * components a constant density 1/V over the region the data occupy, with
 * a weight estimated by EM like the others (em.h: noise): rows far from
 * every component go to it instead of stretching a component to cover
 * them.  V is mclust's hypvol(): the smaller of the volume of the data's
 * bounding box and that of the box of its principal-component scores.
 * The E-step (estep.h) adds the noise's log joint as a last column; the
 * M-step counts its responsibilities into the weights only (stats.h:
 * noise).  It is not a component family (family.h): Gaussian or other
 * components may have one beside them.
 *
 * Nothing here prints; 0 or -1 with err set.
 */
#ifndef GMM_NOISE_H
#define GMM_NOISE_H

#include "base/error.h"
#include "engine/data.h"

/*
 * mclust's hypvol() of the rows of weight > 0 of x (complete rows: data
 * with missing values are refused): one column, its range; more, the
 * least of prod_j range_j over the columns and over the principal-
 * component scores (eigenvectors of the weighted covariance; their signs
 * and the centring do not change a range).  Fails when the volume is 0
 * (a constant column or direction) or not finite, or out of memory.
 */
int gmm_noise_hypvol(const struct gmm_data *x, double *volume,
    struct gmm_error *err);

#endif
