/*
 * online: stepwise EM over a stream of row batches (Cappé and Moulines
 * 2009), behind `fit --online`.
 *
 * The stream comes as batches of rows (data.h: each a struct gmm_data,
 * complete or with missing values, weighted or not), each read once.  The
 * start is either a batch EM fit (em.h, with the options' start method)
 * to the first batch, or a given model; the running statistics S are
 * sufficient statistics per unit of row weight, about the current means
 * (stats.h): the first batch's under the fitted start, or the given
 * model's own (n_c = w_c, the scatter n_c (Sigma_c - reg I)), which then
 * counts as t0 = training rows / batch rows batches already taken.  For
 * batch t = 1, 2, ... (after the start batch, or after t0):
 *
 *	s_t = E-step statistics of the batch under the current model, per
 *	      unit of its weight
 *	g_t = (t + 2)^-alpha, alpha in (0.5, 1]
 *	S  <- (1 - g_t) S + g_t s_t     (S moved to the current means first)
 *	the model <- M-step of S (emctx.h) scaled to `batch` rows, so that
 *	      the collapse rule counts rows
 *
 * Memory: one batch's context and S, whatever the stream's length.  The
 * model's training block counts the rows and weight seen; its
 * log-likelihood is prequential: each batch's under the model before its
 * step (the start batch's under the start fit when no batch followed);
 * ICL and the outlier levels are not known (has_icl, has_ldq 0).  The
 * Gaussian family only, without a prior, noise or labels (refused).
 */
#ifndef GMM_ONLINE_H
#define GMM_ONLINE_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "base/error.h"
#include "engine/data.h"
#include "engine/em.h"
#include "engine/model.h"

struct gmm_online_options {
	struct gmm_em_options em;	/* the start, k, covariance model,
					 * reg_covar, threads, factors */
	size_t batch;			/* rows a step (>= 1) */
	double alpha;			/* the step's exponent, (0.5, 1] */
};

struct gmm_online;

/*
 * A stream started from `first` (rows borrowed for the call): the batch
 * EM fit of em.h on them, or, with em.init == GMM_INIT_MODEL, the given
 * model, then a step on `first`.  0, or -1 with err set (*out NULL).
 */
int gmm_online_start(const struct gmm_online_options *opt,
    const struct gmm_data *first, gsl_rng *rng, struct gmm_online **out,
    struct gmm_error *err);
/*
 * One step on batch (borrowed for the call; the columns of the start).  A
 * batch of no weight only counts its rows.  0, or -1 with err set (a
 * covariance that cannot be factorised, out of memory); the model is
 * then the last good one.
 */
int gmm_online_step(struct gmm_online *o, const struct gmm_data *batch,
    struct gmm_error *err);
/* The current model, prepared, its training block as above; o owns it. */
struct gmm_model *gmm_online_model(struct gmm_online *o);
/* The prequential mean log-likelihood so far (above). */
double gmm_online_loglik(const struct gmm_online *o);
/* Batches stepped, rows seen. */
size_t gmm_online_batches(const struct gmm_online *o);
size_t gmm_online_rows(const struct gmm_online *o);
void gmm_online_free(struct gmm_online *o);

#endif
