/*
 * mstep: the covariance M-step of each covariance model (covmodel.h), from
 * the sufficient statistics (stats.h) gathered about the means the E-step
 * ran with.  Each writes every covariance the model stores (k, or one when
 * shared) into cov, in the stored form, with reg added to the variances,
 * and returns 0, or -1 with w->failed naming the component when the model
 * cannot be estimated from these statistics (EVI or EVV with a component
 * whose scatter is singular, as mclust refuses it).  A row of the
 * covariance table names its function; a new model adds one here.  The
 * M-steps of the models beyond scikit-learn's four use a struct
 * gmm_mstep_work, allocated once per fit (gmm_mstep_work_alloc(), the
 * only function here that allocates); nothing prints.
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
 *
 * The other models, as mclust 6 estimates them (its Fortran ms* routines;
 * Celeux and Govaert 1995), with n = sum_c n_c, W_c = S_c (the scatter,
 * not divided by n_c), and omega_c1 >= ... >= omega_cd the eigenvalues of
 * W_c with eigenvectors V_c:
 *	EII  Sigma = sum_c tr W_c / (n d) I
 *	EEI  Sigma = diag(sum_c W_c) / n
 *	EVI  Sigma_c = lambda B_c: B_c = diag W_c / |diag W_c|^(1/d),
 *	     lambda = sum_c |diag W_c|^(1/d) / n
 *	EEV  Sigma_c = V_c diag(sum_q omega_q) V_c^T / n (eigenvalues summed
 *	     in decreasing order: a common volume and shape)
 *	EVV  Sigma_c = lambda W_c / |W_c|^(1/d), lambda = sum_c |W_c|^(1/d) / n
 * each with reg added to the diagonal afterwards.
 */
#ifndef GMM_MSTEP_H
#define GMM_MSTEP_H

#include <stddef.h>

#include "engine/stats.h"

#include <gsl/gsl_eigen.h>

#include "engine/covmodel.h"

/* Scratch for the M-steps of one fit (k components, d columns). */
struct gmm_mstep_work {
	size_t k, d;
	double *scatter;	/* k*d*d: W_c, full */
	double *evec;		/* k*d*d: V_c, eigenvectors as columns */
	double *eval;		/* k*d: omega_c, decreasing */
	double *tmp;		/* d*d + d */
	gsl_eigen_symmv_workspace *eigen;
	size_t failed;		/* the component an M-step could not
				 * estimate */
};

/* The weight of component c as the M-step divides by it. */
double gmm_mstep_nk(const struct gmm_stats *st, size_t c);

/*
 * Scratch for model t's M-step (none for scikit-learn's four, which need
 * none); 0, or -1 when out of memory (then release).  Bytes it takes.
 */
int gmm_mstep_work_alloc(struct gmm_mstep_work *w, enum gmm_cov_type t,
    size_t k, size_t d);
void gmm_mstep_work_release(struct gmm_mstep_work *w);
size_t gmm_mstep_work_bytes(enum gmm_cov_type t, size_t k, size_t d);

int gmm_mstep_full(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_diag(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_spherical(const struct gmm_stats *st, double reg,
    double *cov, struct gmm_mstep_work *w);
int gmm_mstep_tied(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_eii(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_eei(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_evi(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_eev(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_evv(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);

#endif
