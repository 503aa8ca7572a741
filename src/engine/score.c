#include "engine/score.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/consts.h"
#include "engine/kernels.h"

struct gmm_score_batch *
gmm_score_batch_new(const struct gmm_model *m, size_t cap, int threads)
{
	struct gmm_score_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->cap = cap;
	b->k = m->k;
	b->d = m->d;
	b->threads = threads < 1 ? 1 : threads;
	b->x = malloc(cap * m->d * sizeof(double));
	b->resp = malloc(cap * m->k * sizeof(double));
	b->log_density = malloc(cap * sizeof(double));
	b->buf = calloc((size_t)b->threads, sizeof(*b->buf));
	b->pool = gmm_pool_new(b->threads);
	if (!b->x || !b->resp || !b->log_density || !b->buf || !b->pool ||
	    gmm_marginal_row_init(&b->rowm, m->k, m->d, m->cov_type, 0) < 0) {
		gmm_score_batch_free(b);
		return NULL;
	}
	for (int t = 0; t < b->threads; t++)
		if (gmm_estep_buffers_alloc(&b->buf[t], m->d, m->k) < 0) {
			gmm_score_batch_free(b);
			return NULL;
		}
	return b;
}

void
gmm_score_batch_free(struct gmm_score_batch *b)
{
	if (b == NULL)
		return;
	free(b->x);
	free(b->resp);
	free(b->log_density);
	for (int t = 0; b->buf != NULL && t < b->threads; t++)
		gmm_estep_buffers_release(&b->buf[t]);
	free(b->buf);
	gmm_pool_free(b->pool);
	gmm_marginal_row_release(&b->rowm);
	free(b);
}

/*
 * The batch's row-major rows as a block source: block b transposed into
 * the worker's buffer (the layout of kernels.h).
 */
static int
rows_block(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk, struct gmm_error *err)
{
	const struct gmm_score_batch *bt = s->self;
	size_t first = b * GMM_BLOCK_ROWS;

	(void)err;
	memset(blk, 0, sizeof(*blk));
	blk->index = b;
	blk->first = first;
	blk->rows = s->n - first < GMM_BLOCK_ROWS ? s->n - first :
	    GMM_BLOCK_ROWS;
	gmm_kernels()->transpose(bt->x + first * s->d, blk->rows, s->d, buf);
	blk->xt = buf;
	return 0;
}

/* A block's results into the batch's rows (gmm_estep_run() block()). */
static void
score_block(void *arg, int worker, const struct gmm_block *blk, double *resp,
    const double *logd)
{
	struct gmm_score_batch *b = arg;

	(void)worker;
	for (size_t i = 0; i < blk->rows; i++) {
		b->log_density[blk->first + i] = logd[i];
		for (size_t c = 0; c < b->k; c++)
			b->resp[(blk->first + i) * b->k + c] =
			    resp[c * GMM_BLOCK_ROWS + i];
	}
}

int
gmm_score_batch_run(struct gmm_score_batch *b, const struct gmm_model *m,
    size_t rows, struct gmm_error *err)
{
	struct gmm_source src = {
		.n = rows, .d = b->d,
		.nblocks = (rows + GMM_BLOCK_ROWS - 1) / GMM_BLOCK_ROWS,
		.block = rows_block, .self = b,
	};
	struct gmm_estep_job job = {
		.src = &src, .m = m, .task_blocks = 1, .nslots = 1,
		.block = score_block, .arg = b,
	};

	gmm_estep_run(b->pool, b->threads, b->buf, &job);
	for (size_t i = 0; i < rows; i++) {
		const double *row = b->x + i * b->d;
		size_t nobs = 0;

		for (size_t j = 0; j < b->d; j++)
			nobs += !isnan(row[j]);
		if (nobs == b->d)
			continue;
		b->values_missing += b->d - nobs;
		if (nobs > 0) {
			b->rows_incomplete++;
			if (gmm_marginal_row_score(&b->rowm, m, row,
			    b->resp + i * b->k, &b->log_density[i], err) < 0)
				return -1;
			continue;
		}
		b->rows_empty++;
		b->log_density[i] = NAN;
		for (size_t c = 0; c < b->k; c++)
			b->resp[i * b->k + c] = NAN;
	}
	return 0;
}

size_t
gmm_argmax(const double *v, size_t k)
{
	size_t best = 0;

	for (size_t c = 1; c < k; c++)
		if (v[c] > v[best])
			best = c;
	return best;
}
