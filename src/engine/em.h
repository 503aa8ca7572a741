/*
 * em: the expectation-maximisation engine behind `fit` and `select-k`.
 *
 * The model: p(x) = sum_c w_c N(x | mu_c, Sigma_c), with Sigma_c full,
 * diagonal, spherical (sigma_c^2 I) or tied (one Sigma for all c), or one
 * of mclust's other models (covmodel.h); with a noise component (noise.h)
 * plus w_0 / V, w_0 estimated as the others: w_0 = sum_i r_i0 / n.  With
 * the Student-t family (family.h) each N is a t of nu_c degrees of
 * freedom, fitted by ECM (Peel and McLachlan 2000): the E-step adds the
 * latent scales u_ic = (nu_c + d) / (nu_c + maha_ic); CM-step 1 takes
 * n_c = sum_i r_ic, w_c = n_c / n, mu_c = sum r u x / sum r u and the
 * covariance model's M-step on n_c and the scatter sum r u (x - mu_c)(x -
 * mu_c)^T (statistics weighted by r u, then rescaled: em.c t_stats());
 * CM-step 2 solves for each nu_c (family.h), unless fixed.  A start's
 * M-step (no E-step yet) takes u = 1 and keeps the start's nu.
 *
 * One iteration is an E-step on the current parameters, then an M-step with
 * reg_covar added to the covariance diagonals:
 *	r_ic = w_c N(x_i | c) / p(x_i)           (in log space, log-sum-exp)
 *	n_c = sum_i r_ic (+ 10 eps, as scikit-learn)   w_c = n_c / n
 *	mu_c = sum_i r_ic x_i / n_c
 *	Sigma_c = sum_i r_ic (x_i - mu_c)(x_i - mu_c)^T / n_c + reg I
 * diag keeps the diagonal of Sigma_c, spherical the mean of that diagonal
 * (reg added once), tied the n_c-weighted mean of the Sigma_c.
 *
 * The M-step needs only sufficient statistics (engine/stats.h: n_c,
 * sum r (x - s_c) and the scatter sum r (x - s_c)(x - s_c)^T about the
 * current mean s_c, which keeps the scatter well conditioned).  They are
 * accumulated one block of rows at a time (read through a block source,
 * data.h), so no n x k matrix is ever held, and threads only add them up:
 * rows are cut into chunks of a fixed size, the threads of a pool (pool.h)
 * take chunks as they become free, and chunk sums are added in chunk order,
 * so the result is bitwise the same for any number of threads.
 *
 * Iteration stops when the mean log-likelihood per row changes by less than
 * tol (never when tol is 0) or after max_iter iterations.  The returned
 * log-likelihood is that of the returned parameters (one final E-step).
 *
 * Spilled rows (data.h: out of core) are read back through the same block
 * source in the same blocks, so a fit from a start model or random
 * responsibilities is bitwise the in-memory one; the k-means and
 * k-means++ starts run on the rows' sample (data.h) and each row then
 * starts in its nearest centre's component, as they do for more than
 * GMM_SPILL_SAMPLE rows in memory (emctx.h gmm_emctx_sample()): from the
 * same sample, bitwise the in-memory fit.
 *
 * The engine prints nothing: progress goes through a callback.
 */
#ifndef GMM_EM_H
#define GMM_EM_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "engine/data.h"
#include "engine/emctx.h"
#include "engine/model.h"

enum gmm_init_method {
	GMM_INIT_KMEANS,	/* k-means++ seeding then Lloyd */
	GMM_INIT_KMEANSPP,	/* k-means++ seeding alone */
	GMM_INIT_RANDOM,	/* random responsibilities */
	GMM_INIT_MODEL,		/* given parameters */
	GMM_INIT_SMALLEM,	/* the best of short EM runs from k-means++
				 * seeds (GMM_SMALLEM_*), continued */
	GMM_INIT_HC,		/* Ward's agglomeration of (a subset of)
				 * the rows cut at k (hc.h), as mclust */
	GMM_INIT_RESP,		/* an M-step from given responsibilities,
				 * as mclust's me(z =) */
};

struct gmm_em_progress {
	size_t run;		/* 0-based index among n_init runs */
	size_t iteration;	/* 1-based; 0 for the end of a run, or for
				 * the start when at_start */
	int at_start;		/* the start is made: reseeded, seconds and
				 * sample_rows set */
	double loglik_mean;	/* before this iteration's M-step */
	double change;		/* from the previous iteration */
	size_t reseeded;	/* component reseeded, or (size_t)-1: a
				 * component left with no weight is put on
				 * the row the model explains worst (at the
				 * start: the row farthest from its start
				 * centre) */
	size_t reseed_row;	/* that row, 0-based */
	size_t distinct;	/* at the very end (run = n_init): how many
				 * distinct optima the runs reached; else 0 */
	double seconds;		/* wall time of this iteration's E-step and
				 * M-step, or of the start (at_start); 0
				 * for the end of a run */
	size_t sample_rows;	/* at_start: the rows a k-means start read
				 * when a sample of them (0: every row, or
				 * another start) */
};

typedef void (*gmm_em_progress_fn)(void *ctx,
    const struct gmm_em_progress *p);

struct gmm_em_options {
	size_t k;
	enum gmm_cov_type cov_type;
	size_t max_iter;
	double tol;
	double reg_covar;
	size_t n_init;
	enum gmm_init_method init;
	const struct gmm_model *init_model;	/* GMM_INIT_MODEL: borrowed */
	const double *init_resp;	/* GMM_INIT_RESP: n x k (k + 1 with
					 * noise: its column last), row-major,
					 * each row summing to 1; borrowed */
	size_t init_resp_rows;		/* its n and k, checked against the */
	size_t init_resp_cols;		/* data and opt->k */
	int threads;
	int smem;		/* after the runs, split-and-merge moves */
	int noise;		/* add mclust's uniform noise component
				 * (noise.h) of density noise_vinv; its
				 * start: GMM_NOISE_START_FRAC of the rows
				 * the start explains worst, or the last
				 * column of init_resp, or init_model's */
	double noise_vinv;	/* 1 / V, positive and finite */
	const struct gmm_family *family;	/* the components' (family.h);
					 * NULL: Gaussian */
	double df;		/* Student-t: the start's nu for every
				 * component (0: GMM_T_START_DF) */
	int df_fixed;		/* ... held there, not estimated */
	size_t factors;		/* q of a factor model (covmodel.h: mfa,
				 * mppca), 1 to d - 1; a start model's
				 * must be the same */
	int prior;		/* MAP EM under mclust's conjugate prior
				 * with its default hyperparameters
				 * (prior.h); the log-likelihood is the
				 * MAP estimate's, as mclust's BIC takes it */
	int accelerate;		/* SQUAREM cycles (accel.h; em.c
				 * run_accel()) in place of plain EM
				 * iterations; not under a prior (its
				 * safeguard judges the log-likelihood) */
	uint64_t seed;		/* the k-means starts' sample of many rows
				 * (emctx.h: gmm_emctx_sample()); the
				 * rng passed in draws everything else */
	gmm_em_progress_fn progress;		/* may be NULL */
	void *progress_ctx;
};

/*
 * Fit a mixture to the rows x (borrowed, read only: data.h).  On success
 * *out is a new
 * prepared model that the caller frees; its training block holds n, the
 * log-likelihood, BIC, AIC, iterations, converged, n_init (the runs made:
 * 1 from a start model or responsibilities), reg_covar and tol (the caller
 * sets seed and column names).  Fails when k > n, when start
 * responsibilities have another number of rows than x or of columns than
 * k (k + 1 with noise), a noise or t fit with missing values, a t fit
 * under a prior, a start model with a noise component for a fit without
 * or of another family, out of memory,
 * or when a covariance cannot be factorised even with reg_covar, or for
 * spilled rows (data.h: out of core) a noise, prior, hc, resp or labelled
 * fit; and, before
 * allocating, when the parameters and statistics would need more memory
 * than the machine has (the message says how much and what to change).
 */
int gmm_em_fit(const struct gmm_data *x, const struct gmm_em_options *opt,
    gsl_rng *rng, struct gmm_model **out, struct gmm_error *err);

#endif
