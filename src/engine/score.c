#include "engine/score.h"

#include <stdlib.h>

#include "base/consts.h"
#include "engine/estep.h"
#include "engine/pool.h"

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
	b->work = gmm_doubles_new((size_t)b->threads
	    * GMM_ESTEP_WORK(m->d, m->k));
	b->pool = gmm_pool_new(b->threads);
	if (!b->x || !b->resp || !b->log_density || !b->work || !b->pool) {
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
	free(b->work);
	gmm_pool_free(b->pool);
	free(b);
}

/* Block blk of the batch (pool task). */
static void
score_block(void *arg, size_t blk, size_t slot, int worker)
{
	struct gmm_score_batch *b = arg;
	size_t i0 = blk * GMM_BLOCK_ROWS;
	size_t r = b->rows - i0 < GMM_BLOCK_ROWS ? b->rows - i0
	    : GMM_BLOCK_ROWS;

	(void)slot;
	gmm_estep_rows(b->m, b->x + i0 * b->d, r, b->resp + i0 * b->k,
	    b->log_density + i0, b->work + (size_t)worker *
	    GMM_ESTEP_WORK(b->d, b->k));
}

void
gmm_score_batch_run(struct gmm_score_batch *b, const struct gmm_model *m,
    size_t rows)
{
	b->m = m;
	b->rows = rows;
	gmm_pool_run(b->pool, b->threads, (rows + GMM_BLOCK_ROWS - 1) /
	    GMM_BLOCK_ROWS, 1, score_block, NULL, b);
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
