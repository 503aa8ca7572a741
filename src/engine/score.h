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
 * such row).  A row with no observed value gets NaN: no score.
 */
#ifndef GMM_SCORE_H
#define GMM_SCORE_H

#include <stddef.h>

#include "engine/estep.h"
#include "engine/marginal.h"
#include "engine/model.h"
#include "engine/pool.h"

struct gmm_score_batch {
	size_t cap, k, d;
	int threads;
	double *x;		/* cap x d: the caller fills rows */
	double *resp;		/* cap x k: responsibilities */
	double *log_density;	/* cap */
	struct gmm_estep_buffers *buf;	/* one per thread */
	struct gmm_pool *pool;
	/* rows with missing values, counted over every run */
	size_t values_missing, rows_incomplete, rows_empty;
	struct gmm_marginal_row rowm;	/* their marginals */
};

/* NULL when out of memory; free with gmm_score_batch_free(). */
struct gmm_score_batch *gmm_score_batch_new(const struct gmm_model *m,
    size_t cap, int threads);
void gmm_score_batch_free(struct gmm_score_batch *b);

/* Score the first `rows` rows of b->x under a prepared model (the one
 * the batch was made for).  Fails only when a marginal cannot be
 * factorised (marginal.h). */
int gmm_score_batch_run(struct gmm_score_batch *b, const struct gmm_model *m,
    size_t rows, struct gmm_error *err);

/* Index of the largest of v[0..k-1] (the first of ties). */
size_t gmm_argmax(const double *v, size_t k);

#endif
