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
 * and, with no closed form, by mclust's inner iterations, each run until
 * its criterion changes by less than GMM_MSTEP_INNER_TOL relative (at most
 * GMM_MSTEP_INNER_MAX times; consts.h):
 *	VEI  Sigma_c = lambda_c diag(a), |a| = 1 (msvei): from a = 1,
 *	     lambda_c = sum_j W_c,jj / a_j / (d n_c), then
 *	     a_j = sum_c W_c,jj / lambda_c scaled to |a| = 1, until neither
 *	     changes by more than tol relative
 *	VEV  Sigma_c = lambda_c V_c diag(a) V_c^T (msvev): the same
 *	     alternation with the eigenvalues omega_c in place of diag W_c,
 *	     from a = sum_c omega_c scaled to |a| = 1
 *	VEE  Sigma_c = lambda_c C, |C| = 1 (msvee): from lambda_c = 1,
 *	     C = sum_c W_c / lambda_c scaled to |C| = 1, then
 *	     lambda_c = tr(C^-1 W_c) / (d n_c), until the criterion
 *	     n d + d sum_c n_c log lambda_c changes by less than tol
 *	EVE  Sigma_c = lambda O^T A_c O, VVE Sigma_c = lambda_c O^T A_c O
 *	     (mseve, msvve: the majorisation-minimisation of Browne and
 *	     McNicholas 2014): from O = I and A_c = I, O from the polar
 *	     factors of sum_c (A_c^-1 O W_c - omega_c1 A_c^-1 O) and then of
 *	     sum_c (W_c O A_c^-1 - max_j (1/a_cj) W_c O), then A_c from the
 *	     diagonal of O W_c O^T (scaled to |A_c| = 1; VVE takes lambda_c
 *	     as the scale), until sum_c tr(O W_c O^T A_c^-1) changes by less
 *	     than tol; EVE's lambda is that sum over n d
 * each with reg added to the diagonal afterwards.  As mclust's me() does,
 * VEI, VEV, EVE and VVE start their inner iteration from where the
 * previous M-step of the same EM run left it (the shape a, the orientation
 * O and the shapes A_c are kept in the work); gmm_mstep_work_cold() makes
 * the next M-step start afresh, as a new run must.  VEE starts afresh
 * every time, as mclust's does.  VEE, EVE and VVE need every W_c
 * non-singular, VEI and VEV every lambda_c non-zero (GMM_MSTEP_SINGULAR;
 * mclust refuses the same fits), and EVE and VVE every shape a_cj at least
 * sqrt(DBL_EPSILON), as mclust.  mclust's criterion for EVE and VVE, the
 * change of the objective, stops while O is still about sqrt(tol), 1e-6,
 * from the fixed point: a second M-step from the same statistics moves
 * the covariances by about that much.
 *
 * The factor models (covmodel.h), with S_c = W_c / n_c and the model's
 * current Lambda_c and Psi_c (bound by gmm_mstep_work_factors()), by one
 * AECM cycle of McLachlan and Peel (2000, ch. 8), as the references of
 * ../shared/ref/beyond: Sigma_c = Lambda Lambda^T + Psi, beta = Lambda^T
 * Sigma_c^-1 (Cholesky solves), Theta = I - beta Lambda + beta S_c
 * beta^T, Lambda <- S_c beta^T Theta^-1, Psi <- diag(S_c - Lambda beta
 * S_c) + reg (mppca: its mean over the columns + reg), each variance at
 * least 0 before reg; then cov = Lambda Lambda^T + Psi.  A model whose
 * psi is still 0 (a new start) gets the closed form of probabilistic
 * PCA from S_c instead: with S_c's eigenvalues l_1 >= ... >= l_d and
 * vectors u_a, sigma^2 the mean of l_q+1 .. l_d, Lambda = [u_a sqrt(l_a -
 * sigma^2)]_a<=q, Psi = sigma^2 + reg (mfa: diag(S_c - Lambda Lambda^T),
 * at least 1e-3 S_c,jj, + reg).  -1 when Sigma_c or Theta is not positive
 * definite.
 */
#ifndef GMM_MSTEP_H
#define GMM_MSTEP_H

#include <stddef.h>

#include "engine/stats.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "engine/covmodel.h"

/* Scratch for the M-steps of one fit (k components, d columns). */
struct gmm_mstep_work {
	size_t k, d;
	double *scatter;	/* k*d*d: W_c, full */
	double *evec;		/* k*d*d: V_c, eigenvectors as columns */
	double *eval;		/* k*d: omega_c, decreasing */
	double *tmp;		/* 4*d*d + 2*d + k */
	gsl_eigen_symmv_workspace *eigen;
	size_t failed;		/* the component an M-step could not
				 * estimate */
	/* the iterative M-steps' state, kept from one M-step to the next
	 * of a run while warm is set */
	int warm;
	double *shape;		/* k*d: a (VEI, VEV: the first d), A_c */
	double *scale;		/* k: lambda_c */
	double *orient;		/* d*d: O (EVE, VVE) */
	double *svd_u, *svd_vt;	/* d x d each: the polar factor's SVD */
	double *svd_s;		/* d */
	double *svd_work;	/* svd_lwork: LAPACK's workspace */
	size_t svd_lwork;
	size_t inner;		/* inner iterations of the last M-step */
	/* the MAP M-steps' */
	double *xbar, *delta;	/* k*d: x_c, x_c - mu_p */
	double *cmap, *den;	/* k: kappa n_c / (n_c + kappa), a divisor */
	/* the factor models': the model's own q, loadings and psi, which
	 * their M-step reads and rewrites (gmm_mstep_work_factors()) */
	size_t q;
	double *lambda, *psi;
};

/* The weight of component c as the M-step divides by it. */
double gmm_mstep_nk(const struct gmm_stats *st, size_t c);

/*
 * Scratch for model t's M-step (none for scikit-learn's four without a
 * prior, which need none); 0, or -1 when out of memory (then release).
 * Bytes it takes.
 */
int gmm_mstep_work_alloc(struct gmm_mstep_work *w, enum gmm_cov_type t,
    size_t k, size_t d, int prior);
void gmm_mstep_work_release(struct gmm_mstep_work *w);
/* The next M-step starts its inner iteration afresh (a new run). */
void gmm_mstep_work_cold(struct gmm_mstep_work *w);
/* A factor model's q, loadings and psi (model.h), borrowed, for the
 * M-steps that follow; the EM binds them before each. */
void gmm_mstep_work_factors(struct gmm_mstep_work *w, size_t q,
    double *lambda, double *psi);
size_t gmm_mstep_work_bytes(enum gmm_cov_type t, size_t k, size_t d,
    int prior);

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
int gmm_mstep_vei(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_vev(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_vee(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_eve(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_vve(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
/* Sigma = Lambda Lambda^T + Psi (d x d, full) from a factor model's
 * loadings l (d x q) and psi (d values, mfa; else one). */
void gmm_factor_sigma(const double *l, const double *psi, size_t d, size_t q,
    int mfa, double *s);
int gmm_mstep_mfa(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);
int gmm_mstep_mppca(const struct gmm_stats *st, double reg, double *cov,
    struct gmm_mstep_work *w);

/*
 * MAP M-steps under mclust's conjugate prior (prior.h): the means as well
 * (means: the shifts on entry, the MAP means on return), as mclust 6's
 * Fortran computes them, with n_c, x_c the component's mean, W_c its
 * scatter about x_c, delta_c = x_c - mu_p, c_c = kappa n_c / (n_c +
 * kappa), s = 1 when kappa > 0 (else 0), Lambda the prior's scale and
 * MAP means (n_c x_c + kappa mu_p) / (n_c + kappa):
 *	EII  lambda = sum_c [tr W_c + c_c |delta_c|^2] / (nu + (n + k) d + 2),
 *	     no scale (in one dimension mclust's E: Lambda added)
 *	VII  lambda_c = (Lambda + tr W_c + c_c |delta_c|^2) /
 *	     (nu + n_c d + 2 + s d)
 *	EEI  Lambda I + diag(sum_c [W_c + c_c delta_c delta_c^T]), over
 *	     nu + n + 1 + s; the means x_c, not shrunk
 *	VEI  VEI's iteration on Lambda I + diag(W_c + c_c delta_c
 *	     delta_c^T), lambda_c over nu + d n_c + 2 + s
 *	EVI  EVI's formula on Lambda I + diag(W_c + c_c delta_c delta_c^T),
 *	     lambda over nu + n + 1 + s
 *	VVI  (Lambda I + diag(W_c + c_c delta_c delta_c^T)) /
 *	     (nu + n_c + 2 + s)
 *	EEE  (Lambda + sum_c [W_c + c_c delta_c delta_c^T]) /
 *	     (nu + n + d + 1 + s k)
 *	EEV  EEV's formula on Lambda + W_c + c_c delta_c delta_c^T, the
 *	     summed eigenvalues over nu + d + 1 + s + n
 *	VEV  VEV's iteration on Lambda + W_c + c_c delta_c delta_c^T
 *	VVV  (Lambda + W_c + c_c delta_c delta_c^T) / (nu + n_c + d + 1 + s)
 * each with reg added to the diagonal.  These are the M-steps of mclust's
 * EM, me*p, which Mclust() and mclustBIC() run; its standalone mstep()
 * (ms*p) differs for EII, EEI, EVI and EEV.  The inconsistencies (EII
 * without the scale, EEI's unshrunk means, the divisors) are mclust's;
 * following them is what makes the results mclust's.
 */
struct gmm_prior;
int gmm_mstep_map_eii(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_vii(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_eei(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_vei(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_evi(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_vvi(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_eee(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_eev(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_vev(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);
int gmm_mstep_map_vvv(const struct gmm_stats *st, const struct gmm_prior *pr,
    double reg, double *means, double *cov, struct gmm_mstep_work *w);

#endif
