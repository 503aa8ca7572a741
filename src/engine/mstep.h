/*
 * mstep: the covariance M-step of each covariance model (covmodel.h), from
 * the sufficient statistics (stats.h) gathered about the means the E-step
 * ran with.  Each writes every covariance the model stores (k, or one when
 * shared) into cov, in the stored form, with reg added to the variances.
 * A row of the covariance table names its function; a new model adds one
 * here.  Nothing allocates, fails or prints.
 *
 * With n_c = nk_c + GMM_NK_EPS_FACTOR eps (gmm_mstep_nk(), as
 * scikit-learn) and about the shift s_c, the scatter about the new mean is
 * S_c = sxx_c - sx_c sx_c^T / n_c, and:
 *	full       Sigma_c = S_c / n_c + reg I
 *	diag       the diagonal of that, each variance at least 0 + reg
 *	spherical  the mean of the diagonal (each at least 0) + reg
 *	tied       Sigma = sum_c S_c / sum_c n_c + reg I
 * A variance can come out a hair below zero by cancellation when a
 * component sits on one point; zero is the exact value it rounds away
 * from, so diag and spherical clamp it there.
 */
#ifndef GMM_MSTEP_H
#define GMM_MSTEP_H

#include <stddef.h>

#include "engine/stats.h"

/* The weight of component c as the M-step divides by it. */
double gmm_mstep_nk(const struct gmm_stats *st, size_t c);

void gmm_mstep_full(const struct gmm_stats *st, double reg, double *cov);
void gmm_mstep_diag(const struct gmm_stats *st, double reg, double *cov);
void gmm_mstep_spherical(const struct gmm_stats *st, double reg,
    double *cov);
void gmm_mstep_tied(const struct gmm_stats *st, double reg, double *cov);

#endif
