/*
 * score: per-row log-densities and responsibilities of a batch of rows,
 * the work of `gmm score`: the batch's rows as a block source (each block
 * transposed into the worker's buffer) through the fit's E-step pass
 * (estep.h: gmm_estep_run()), blocks taken by the threads of its pool as
 * each becomes free.
 *
 * A batch owns its buffers, sized once for `cap` rows; the rows it scores
 * are the caller's.  Every row's result depends on that row alone, so the
 * output does not depend on the number of threads.
 *
 * A missing value is NaN in the caller's row (io/csvin.h).  A row with
 * one is scored after the pass from its observed values alone: log
 * p(x_o) and responsibilities under the model's marginal on those columns
 * (engine/marginal.h; rebuilt when the pattern changes from the previous
 * such row).  A row with no observed value gets NaN: no score.  Under a
 * noise component (model.h) a row with a missing value is an error: the
 * noise's density on fewer columns is not known.
 */
#ifndef GMM_SCORE_H
#define GMM_SCORE_H

#include <stddef.h>

#include "engine/data.h"
#include "engine/estep.h"
#include "engine/marginal.h"
#include "engine/model.h"
#include "engine/pool.h"

struct gmm_score_batch {
	size_t cap, k, d;
	int threads;
	double *x;		/* cap x d: the caller fills rows */
	double *resp;		/* cap x k: responsibilities; k counts
				 * the noise column, last (model.h) */
	double *log_density;	/* cap */
	struct gmm_estep_buffers *buf;	/* one per thread */
	struct gmm_pool *pool;
	/* rows with missing values, counted over every run */
	size_t values_missing, rows_incomplete, rows_empty;
	struct gmm_marginal_row rowm;	/* their marginals, made at the
					 * first such row (rowm_ready) */
	int rowm_ready;
};

/* NULL when out of memory; free with gmm_score_batch_free(). */
struct gmm_score_batch *gmm_score_batch_new(const struct gmm_model *m,
    size_t cap, int threads);
void gmm_score_batch_free(struct gmm_score_batch *b);

/* Score the first `rows` rows of b->x under a prepared model (the one
 * the batch was made for).  Fails only when a marginal cannot be
 * factorised (marginal.h), at a row with a missing value under a noise
 * component, or there is no memory for the marginals at
 * the first row with a missing value. */
int gmm_score_batch_run(struct gmm_score_batch *b, const struct gmm_model *m,
    size_t rows, struct gmm_error *err);

/*
 * The log densities of x's complete rows of weight > 0 under the prepared
 * model m, at the levels i / (GMM_LDQ_N - 1), into m->training.ldq
 * (has_ldq set): the level q quantile is the least log density at which
 * the rows' cumulative weight (sorted by log density) reaches q of the
 * total (the inverse of the weighted empirical distribution; q = 0 the
 * least).  Rows with a missing value are left out: their log densities
 * are of fewer columns.  The rows go through the fit's E-step pass over
 * x's own blocks (estep.h), on `threads` threads.  No complete row:
 * has_ldq stays 0.  0, or -1 (out of memory) with err set; memory two
 * doubles a row; for spilled rows (data.h: out of core) none: eight
 * E-step passes select the levels by radix (score.c), bitwise the
 * in-memory levels for whole weights.
 */
int gmm_log_density_quantiles(struct gmm_model *m, const struct gmm_data *x,
    int threads, struct gmm_error *err);

/* The level q (0 <= q <= 1) quantile of m's training log densities,
 * interpolated linearly between the kept levels; needs has_ldq. */
double gmm_ldq_at(const struct gmm_model *m, double q);

/* Index of the largest of v[0..k-1] (the first of ties). */
size_t gmm_argmax(const double *v, size_t k);

#endif
