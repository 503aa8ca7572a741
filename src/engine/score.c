#include "engine/score.h"

#include <omp.h>
#include <stdlib.h>

#include "base/consts.h"

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
	    * GMM_RESP_WORK(m->d, m->k));
	if (!b->x || !b->resp || !b->log_density || !b->work) {
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
	free(b);
}

void
gmm_score_batch_run(struct gmm_score_batch *b, const struct gmm_model *m,
    size_t rows)
{
	size_t nblocks = (rows + GMM_BLOCK_ROWS - 1) / GMM_BLOCK_ROWS;

#pragma omp parallel for schedule(static) num_threads(b->threads)
	for (size_t blk = 0; blk < nblocks; blk++) {
		size_t i0 = blk * GMM_BLOCK_ROWS;
		size_t r = rows - i0 < GMM_BLOCK_ROWS ? rows - i0
		    : GMM_BLOCK_ROWS;
		double *work = b->work + (size_t)omp_get_thread_num()
		    * GMM_RESP_WORK(b->d, b->k);

		gmm_model_resp(m, b->x + i0 * b->d, r, b->resp + i0 * b->k,
		    b->log_density + i0, work);
	}
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
