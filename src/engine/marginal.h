/*
 * marginal: a mixture seen through a pattern of observed columns (issue
 * 15), what exact EM with missing values (Ghahramani and Jordan 1994),
 * score and imputation need from it.
 *
 * For observed columns o and missing columns m of a pattern
 * (engine/data.h), component c's marginal is N(mu_c,o, Sigma_c,oo), and
 * its conditional of x_m given x_o is N(mu_c,m + B_c (x_o - mu_c,o), C_c)
 * with B_c = Sigma_c,mo Sigma_c,oo^-1 and C_c = Sigma_c,mm - B_c
 * Sigma_c,om.  gmm_marginal_set() builds the marginal as a prepared model
 * of nobs columns (one Cholesky factor of Sigma_oo per stored covariance,
 * so the E-step's kernels run on it unchanged) and, when asked, B and C
 * from triangular solves with that factor (no inverse).  Diagonal and
 * scalar forms have B = 0 and C = the component's own variances; the
 * marginal of a shared matrix is shared, so it is factored once.  The
 * marginal model's covariances are not filled in, only what its density
 * needs (means, log weights, factors or precisions, log-determinants, the
 * family and its degrees of freedom: a Student-t's marginal is a t of the
 * same nu, family.h).  The conditional and the statistics below are the
 * Gaussian's (the fit and impute refuse a t with missing values).
 *
 * gmm_marginal_add_stats() turns statistics gathered on a pattern's
 * observed columns about the marginal means (engine/stats.h) into their
 * share of the full statistics about the full means: with z = x_o - mu_o
 * and the filled-in row xhat (x_m = its conditional mean),
 *	sum r (xhat - mu)   = [I; B] sum r z
 *	sum r (xhat - mu)(xhat - mu)^T + sum r C
 *	                    = [I; B] (sum r z z^T) [I; B]^T + (sum r) [0 0; 0 C]
 * placed in the rows and columns of o and m: the M-step of the reference
 * (../shared/ref/incomplete) for every covariance model, per (pattern,
 * component) rather than per row.
 *
 * A struct gmm_marginal is scratch sized once for (k, d, model); set()
 * overwrites it.  Only gmm_marginal_alloc() allocates; nothing prints.
 */
#ifndef GMM_MARGINAL_H
#define GMM_MARGINAL_H

#include <stddef.h>

#include "base/error.h"
#include "engine/covmodel.h"
#include "engine/data.h"
#include "engine/estep.h"
#include "engine/model.h"
#include "engine/stats.h"

struct gmm_marginal {
	size_t k, d;
	enum gmm_cov_type type;		/* the full model's */
	const struct gmm_pattern *pattern;	/* of the last set() */
	struct gmm_model *m;	/* the marginal: m->d = nobs, prepared */
	int cond;		/* B and C were built */
	double *b;		/* per stored covariance: nmis x nobs */
	double *cmm;		/* per stored covariance: nmis x nmis
				 * (matrix forms); else per component the
				 * nmis variances */
	double *mu_m;		/* k x d: the full means of the missing
				 * columns, nmis per component */
	double *work;		/* 2 d * d */
};

/* The marginal type of model type t: full, tied, diag or spherical. */
enum gmm_cov_type gmm_marginal_type(enum gmm_cov_type t);

/* 0, or -1 when out of memory (release either way). */
int gmm_marginal_alloc(struct gmm_marginal *mg, size_t k, size_t d,
    enum gmm_cov_type t);
void gmm_marginal_release(struct gmm_marginal *mg);

/*
 * The marginal of the prepared model `full` on pattern p's observed
 * columns into mg->m (prepared), and with cond, B and C.  Fails when a
 * Sigma_oo cannot be factorised (it is a principal block of a positive
 * definite matrix, so only by rounding), naming the component.
 */
int gmm_marginal_set(struct gmm_marginal *mg, const struct gmm_model *full,
    const struct gmm_pattern *p, int cond, struct gmm_error *err);

/*
 * Statistics os (k components, nobs columns, type gmm_marginal_type(),
 * folded, about mg->m's means) added into st (the full model's type and
 * d, about the full means): into the sums, not the lane partials.  Needs
 * set() with cond.
 */
void gmm_marginal_add_stats(const struct gmm_marginal *mg,
    const struct gmm_stats *os, struct gmm_stats *st);

/*
 * The same share from the rows themselves, for a few rows (fewer than
 * GMM_MARGINAL_FEW_ROWS): each row filled in, xhat_c = [x_o; mu_c,m + B_c
 * (x_o - mu_c,o)], its r-weighted deviations from mu_c added into st's
 * sums, and (sum r) C_c.  xt holds the rows' observed columns by columns
 * (engine/kernels.h), resp the responsibilities (k x GMM_BLOCK_ROWS, by
 * components, weights included).  Below that count this beats gathering
 * statistics on the observed columns, whose lane sums and tiles are
 * zeroed and folded whatever the rows.  Needs set() with cond.
 */
#define GMM_MARGINAL_FEW_ROWS 16
void gmm_marginal_add_rows(const struct gmm_marginal *mg, const double *xt,
    size_t rows, const double *resp, struct gmm_stats *st);

/*
 * Component c's conditional mean of the missing columns given the
 * observed values x_o (nobs, in the pattern's order) into x_m (nmis);
 * with var (nmis) not NULL, the conditional variances too.  Needs cond.
 */
void gmm_marginal_conditional(const struct gmm_marginal *mg, size_t c,
    const double *x_o, double *x_m, double *var);

/*
 * One row at a time (score and impute, which stream rows): a row whose
 * missing values are NaN, under the marginal of its own pattern, rebuilt
 * only when the pattern differs from the previous row's.
 */
struct gmm_marginal_row {
	struct gmm_marginal mg;
	struct gmm_pattern pat;		/* the last row's */
	int have;			/* mg holds pat's marginal */
	int cond;			/* with B and C */
	struct gmm_estep_buffers buf;	/* a one-row block */
};

/* 0, or -1 when out of memory (release either way). */
int gmm_marginal_row_init(struct gmm_marginal_row *r, size_t k, size_t d,
    enum gmm_cov_type t, int cond);
void gmm_marginal_row_release(struct gmm_marginal_row *r);

/*
 * Row x (d values, NaN where missing) under the prepared model m (the
 * same for every call): its pattern's marginal into r->mg, then, when
 * the row has an observed value, log p(x_o) in *logd and the
 * responsibilities in resp (k); with none, the weights and *logd NaN.
 * 0, or -1 when the marginal cannot be factorised.
 */
int gmm_marginal_row_score(struct gmm_marginal_row *r,
    const struct gmm_model *m, const double *x, double *resp, double *logd,
    struct gmm_error *err);

#endif
