/*
 * impute: a row's missing values under a mixture, the work of `gmm
 * impute` (issue 15).  Given the observed values x_o, the mixture of the
 * components' conditionals (engine/marginal.h), with weights the
 * responsibilities r_c(x_o):
 *	mean      sum_c r_c mu_c,m|o,   mu_c,m|o = mu_c,m + B_c (x_o - mu_c,o)
 *	variance  sum_c r_c (C_c,jj + mu_c,j|o^2) - mean_j^2
 *	draw      c ~ r(x_o), then x_m ~ N(mu_c,m|o, C_c)
 * so that with the model fitted on (X, Y) and Y missing it is GMM
 * regression, E[Y | X].  A row with nothing observed gets the mixture's
 * own mean, variance or a draw from it.
 *
 * An imputer borrows a prepared model and owns its scratch; rows come one
 * at a time, the marginal rebuilt only when the pattern changes.
 * Randomness comes only from the gsl_rng passed in.  Nothing prints.
 */
#ifndef GMM_IMPUTE_H
#define GMM_IMPUTE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "engine/marginal.h"
#include "engine/model.h"

struct gmm_imputer {
	const struct gmm_model *m;
	struct gmm_marginal_row row;
	double *resp;		/* k */
	double *cmean;		/* k x d: each component's conditional mean
				 * of the missing columns */
	double *cvar;		/* k x d: their conditional variances */
	double *l;		/* d x d: a conditional covariance's factor */
	double *z;		/* d */
};

/* 0, or -1 when out of memory (release either way). */
int gmm_imputer_init(struct gmm_imputer *im, const struct gmm_model *m);
void gmm_imputer_release(struct gmm_imputer *im);

/*
 * Fill the NaN values of x (d values) with their conditional mean; with
 * var not NULL, var[j] gets column j's conditional variance (0 where x[j]
 * was observed).  0, or -1 (err set) when a marginal cannot be factorised.
 */
int gmm_impute_mean(struct gmm_imputer *im, double *x, double *var,
    struct gmm_error *err);

/* Fill them with a draw from the conditional mixture instead. */
int gmm_impute_draw(struct gmm_imputer *im, gsl_rng *rng, double *x,
    struct gmm_error *err);

/*
 * The two halves of a draw, for many draws of one row: the row's
 * responsibilities and components' conditionals (0, or -1 as above), then
 * as many draws from them as wanted into the row (its missing columns
 * overwritten each time, the observed ones left).
 */
int gmm_impute_condition(struct gmm_imputer *im, const double *x,
    struct gmm_error *err);
void gmm_impute_draw_again(struct gmm_imputer *im, gsl_rng *rng, double *x);

#endif
