/*
 * estep: the E-step of one block of rows under a prepared model, and the
 * pass over a block source that the fit (engine/em.c, which then adds each
 * block's statistics) and score (engine/score.c, which hands each block's
 * results out) share.
 *
 * Per block (the layout of engine/kernels.h): the covariance model
 * (engine/covmodel.h) picks the distance kernel (a Cholesky solve, or
 * diagonal or spherical precisions, several components per pass, or for
 * a factor model the Woodbury form, O(d q) a row), the
 * family (engine/family.h) turns distances into log joints, and the
 * kernels turn those into responsibilities and log densities.  Nothing
 * here allocates, fails or prints; buffers are the caller's, from
 * gmm_doubles_new() (model.h) where they are read as vectors.
 */
#ifndef GMM_ESTEP_H
#define GMM_ESTEP_H

#include <stddef.h>

#include "base/consts.h"
#include "engine/data.h"
#include "engine/model.h"
#include "engine/pool.h"

/*
 * The log joint of a block held by columns (xt, `rows` rows), by
 * components:
 *	logp[c*GMM_BLOCK_ROWS + i] = log w_c + log f_c(x_i)
 * for the rows and their padding up to a multiple of GMM_ROW_GROUP.  logp
 * holds GMM_BLOCK_ROWS*k doubles and work (GMM_ROW_GROUP + 1) * d.  A
 * scaled family (family.h: the t) puts each row's latent scale u_ic in
 * scale, laid out as logp, unless scale is NULL.
 */
void gmm_estep_log_joint(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *scale, double *work);

/*
 * The same, then responsibilities in place of the log joint and log p(x_i)
 * in log_density[i] (kernels.h's resp()); with a noise component
 * (noise.h), its constant log joint is column k, so logp holds
 * GMM_BLOCK_ROWS * gmm_model_columns(m) doubles.
 */
void gmm_estep_block(const struct gmm_model *m, const double *xt,
    size_t rows, double *logp, double *log_density, double *scale,
    double *work);

/* What one worker of a pass holds (gmm_estep_buffers_alloc()). */
struct gmm_estep_buffers {
	double *xt;		/* GMM_DATA_BUF(d): a block, for a
				 * source that copies (data.h) */
	double *resp;		/* GMM_BLOCK_ROWS * columns: log joints,
				 * then responsibilities, by components
				 * (and the noise column, model.h) */
	double *scale;		/* GMM_BLOCK_ROWS * columns: a scaled
				 * family's latent scales u_ic, laid out as
				 * resp (the pass fills it for those) */
	double *logd;		/* GMM_BLOCK_ROWS: log p(x_i) */
	double *work;		/* GMM_STATS_WORK(d): the E-step's scratch,
				 * free for the block callback after it */
};

/* For models of d columns and k columns of responsibilities
 * (gmm_model_columns()): 0, or -1 when out of memory (release what was
 * allocated either way). */
int gmm_estep_buffers_alloc(struct gmm_estep_buffers *b, size_t d,
    size_t k);
void gmm_estep_buffers_release(struct gmm_estep_buffers *b);
/* Bytes gmm_estep_buffers_alloc() takes. */
size_t gmm_estep_buffers_bytes(size_t d, size_t k);

/*
 * One pass of the E-step over a block source, the loop that the fit
 * (engine/em.c) and score (engine/score.c) share.  Tasks of task_blocks
 * consecutive blocks go to the pool's threads as they free up (pool.h);
 * in a task, task_begin, then for each block in order the E-step and
 * block() with its responsibilities (columns x GMM_BLOCK_ROWS by
 * components, the noise column last)
 * and log densities, then task_end, all on the worker's thread with its
 * buffers (with `model`, each block runs under the model it returns); merge(arg, task, slot) then runs for task 0, 1, ... in order.
 * task_begin, task_end and merge may be NULL.  A source that fails is a
 * bug for now (only the in-memory and row-major sources exist, and
 * neither can).
 */
struct gmm_estep_job {
	const struct gmm_source *src;
	const struct gmm_model *m;
	size_t task_blocks;	/* >= 1 */
	size_t nslots;		/* >= 1: results between work and merge */
	/* The model of a block, when not m for all: a pattern's marginal
	 * (marginal.h); NULL skips the block (the callback keeps why). */
	const struct gmm_model *(*model)(void *arg, int worker,
	    const struct gmm_block *blk);
	void (*task_begin)(void *arg, int worker);
	void (*block)(void *arg, int worker, const struct gmm_block *blk,
	    double *resp, const double *log_density);
	void (*task_end)(void *arg, int worker, size_t task, size_t slot);
	void (*merge)(void *arg, size_t task, size_t slot);
	void *arg;
};

/* buffers: one per worker, `threads` of them. */
void gmm_estep_run(struct gmm_pool *pool, int threads,
    struct gmm_estep_buffers *buffers, const struct gmm_estep_job *job);

#endif
