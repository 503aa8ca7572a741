#include "engine/score.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/consts.h"
#include "engine/comm.h"
#include "engine/kernels.h"

struct gmm_score_batch *
gmm_score_batch_new(const struct gmm_model *m, size_t cap, int threads)
{
	struct gmm_score_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->cap = cap;
	b->k = gmm_model_columns(m);
	b->d = m->d;
	b->threads = threads < 1 ? 1 : threads;
	b->x = malloc(cap * m->d * sizeof(double));
	b->resp = malloc(cap * b->k * sizeof(double));
	b->log_density = malloc(cap * sizeof(double));
	b->buf = calloc((size_t)b->threads, sizeof(*b->buf));
	b->pool = gmm_pool_new(b->threads);
	if (!b->x || !b->resp || !b->log_density || !b->buf || !b->pool) {
		gmm_score_batch_free(b);
		return NULL;
	}
	for (int t = 0; t < b->threads; t++)
		if (gmm_estep_buffers_alloc(&b->buf[t], m->d,
		    gmm_model_columns(m)) < 0) {
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
		if (nobs > 0 && m->noise)
			return gmm_error_set(err, NULL, 0, "a row with a "
			    "missing value cannot be scored under a noise "
			    "component: its density on fewer columns is not "
			    "known");
		if (nobs > 0) {
			b->rows_incomplete++;
			/* the marginals' room (d x d a component) only when
			 * a row needs it */
			if (!b->rowm_ready) {
				if (gmm_marginal_row_init(&b->rowm, m->k, m->d,
				    m->cov_type, 0) < 0)
					return gmm_error_nomem(err);
				b->rowm_ready = 1;
			}
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

struct ld_w {
	double ld, w;
};

static int
cmp_ld(const void *a, const void *b)
{
	double x = ((const struct ld_w *)a)->ld, y = ((const struct ld_w *)b)->ld;

	return (x > y) - (x < y);
}

/*
 * v[0 .. n) in ascending order of ld (no NaN), tmp n more of scratch: a
 * least-significant-digit radix sort on the bits of ld made to order as
 * unsigned integers (ld_key(), each made once and held in ld's place until
 * the end: a sign flips them all, else the top bit is set), RADIX_BITS at
 * a time, a digit every key shares skipped.  Equal
 * ld may come in any order: the levels read ld alone (-0 sorts before +0
 * here, equal to it for qsort: the level is then -0 where qsort's could
 * be +0, as the spilled rows' selection gives).
 * (A qsort of a million log densities took 0.15 s of a 1.45 s fit.)
 */
#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)

static uint64_t ld_key(double v);	/* below: the radix selection's */
static double key_ld(uint64_t k);

/* The key of v[i] as its bits, in place of its ld. */
static uint64_t
key_at(const struct ld_w *v, size_t i)
{
	uint64_t k;

	memcpy(&k, &v[i].ld, sizeof(k));
	return k;
}

static void
sort_ld(struct ld_w *v, size_t n, struct ld_w *tmp)
{
	size_t *count = calloc(RADIX_SIZE, sizeof(size_t));
	struct ld_w *orig = v;

	if (count == NULL || tmp == NULL) {	/* no room: any sort */
		free(count);
		qsort(v, n, sizeof(*v), cmp_ld);
		return;
	}
	for (size_t i = 0; i < n; i++) {	/* each key once */
		uint64_t k = ld_key(v[i].ld);

		memcpy(&v[i].ld, &k, sizeof(k));
	}
	for (unsigned shift = 0; shift < 64; shift += RADIX_BITS) {
		struct ld_w *t;
		size_t sum = 0;

		memset(count, 0, RADIX_SIZE * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			count[(key_at(v, i) >> shift) & (RADIX_SIZE - 1)]++;
		if (count[(key_at(v, 0) >> shift) & (RADIX_SIZE - 1)] == n)
			continue;	/* one digit for all: nothing moves */
		for (size_t b = 0; b < RADIX_SIZE; b++) {
			size_t c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(key_at(v, i) >> shift) &
			    (RADIX_SIZE - 1)]++] = v[i];
		t = v;
		v = tmp;
		tmp = t;
	}
	if (v != orig)
		memcpy(orig, v, n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		orig[i].ld = key_ld(key_at(orig, i));
	free(count);
}

/*
 * The levels' sort on several threads: v cut into parts of at least
 * SORT_PART_MIN rows (at most SORT_PARTS_MAX of them), each part sorted
 * by sort_ld() as a task, then walked as one sequence (walk_next()): the
 * least key next, the earlier part's first on a tie.  sort_ld()'s radix
 * sort is stable, so that sequence is, row for row, what one sort_ld() of
 * all v gives, for any number of threads (its qsort, without room, is
 * not: equal ld may then come in another order).
 */
#define SORT_PART_MIN ((size_t)1 << 18)
#define SORT_PARTS_MAX 16

struct sort_parts {
	struct ld_w *v, *tmp;	/* tmp NULL: sort_ld()'s qsort */
	size_t n, part, nparts;
	size_t pos[SORT_PARTS_MAX];	/* the walk's next row of each part */
};

static void
sort_parts_init(struct sort_parts *s, struct ld_w *v, size_t n,
    struct ld_w *tmp)
{
	s->v = v;
	s->tmp = tmp;
	s->n = n;
	s->part = (n + SORT_PARTS_MAX - 1) / SORT_PARTS_MAX;
	if (s->part < SORT_PART_MIN)
		s->part = SORT_PART_MIN;
	s->nparts = (n + s->part - 1) / s->part;
	for (size_t p = 0; p < s->nparts; p++)
		s->pos[p] = p * s->part;
}

static void
sort_part(void *arg, size_t task, size_t slot, int worker)
{
	struct sort_parts *s = arg;
	size_t lo = task * s->part;
	size_t m = s->n - lo < s->part ? s->n - lo : s->part;

	(void)slot;
	(void)worker;
	sort_ld(s->v + lo, m, s->tmp != NULL ? s->tmp + lo : NULL);
}

/* The next row of the sorted parts' walk; NULL past the last. */
static const struct ld_w *
walk_next(struct sort_parts *s)
{
	const struct ld_w *best = NULL;
	uint64_t best_key = 0;
	size_t bp = 0;

	for (size_t p = 0; p < s->nparts; p++) {
		size_t end = (p + 1) * s->part < s->n ? (p + 1) * s->part :
		    s->n;
		uint64_t key;

		if (s->pos[p] >= end)
			continue;
		key = ld_key(s->v[s->pos[p]].ld);
		if (best == NULL || key < best_key) {
			best = &s->v[s->pos[p]];
			best_key = key;
			bp = p;
		}
	}
	if (best != NULL)
		s->pos[bp]++;
	return best;
}

/* A block's log densities and weights into ld_w[first ..] (the pass's
 * block()). */
static void
ldq_block(void *arg, int worker, const struct gmm_block *blk, double *resp,
    const double *logd)
{
	struct ld_w *v = arg;

	(void)worker;
	(void)resp;
	for (size_t i = 0; i < blk->rows; i++) {
		v[blk->first + i].ld = logd[i];
		v[blk->first + i].w = blk->weight ? blk->weight[i] : 1;
	}
}

/*
 * Spilled rows (data.h): the levels without a row's log density held.  A
 * log density's order-preserving 64-bit key is found 8 bits a pass, by
 * radix selection: each pass is an E-step over the rows that adds each
 * row's weight into a histogram of its key's next 8 bits, one per key
 * prefix that a level has reached so far (at most GMM_LDQ_N, so at most
 * GMM_LDQ_N x 256 doubles a worker); a level takes the first bin at which
 * the weight below it reaches its target, or the last bin when rounding
 * left the target above the total.  After 8 passes each level's key is
 * the least log density at which the cumulative weight reaches the
 * target: the in-memory definition.  Whole weights (1 unweighted) add up
 * exactly in any order, so these levels are bitwise the in-memory ones;
 * fractional weights, to their sums' rounding.
 */
struct radix {
	size_t ngroups;		/* distinct prefixes of the levels */
	uint64_t prefix[GMM_LDQ_N];	/* ascending */
	unsigned shift;		/* key >> shift is a prefix; 64 at first */
	double *hist;		/* workers x ngroups x 256 */
};

static uint64_t
ld_key(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static double
key_ld(uint64_t k)
{
	uint64_t u = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

static void
radix_block(void *arg, int worker, const struct gmm_block *blk, double *resp,
    const double *logd)
{
	struct radix *r = arg;
	double *h = r->hist + (size_t)worker * r->ngroups * 256;

	(void)resp;
	for (size_t i = 0; i < blk->rows; i++) {
		double w = blk->weight ? blk->weight[i] : 1;
		uint64_t key, p;
		size_t lo = 0, hi = r->ngroups;

		if (!(w > 0) || isnan(logd[i]))
			continue;
		key = ld_key(logd[i]);
		p = r->shift == 64 ? 0 : key >> r->shift;
		while (hi - lo > 1) {	/* prefix[lo] <= p */
			size_t mid = lo + (hi - lo) / 2;

			if (r->prefix[mid] <= p)
				lo = mid;
			else
				hi = mid;
		}
		if (r->prefix[lo] != p)
			continue;
		h[lo * 256 + ((key >> (r->shift - 8)) & 255)] += w;
	}
}

static int
spilled_quantiles(struct gmm_model *m, struct gmm_estep_job *job,
    struct gmm_pool *pool, int threads, struct gmm_estep_buffers *buf,
    const struct gmm_comm *comm)
{
	struct radix *r = calloc(1, sizeof(*r));
	uint64_t key[GMM_LDQ_N];
	double below[GMM_LDQ_N], total = 0;

	if (gmm_comm_any(comm, r == NULL || (r->hist = malloc(
	    (size_t)threads * GMM_LDQ_N * 256 * sizeof(double))) == NULL)) {
		if (r != NULL)
			free(r->hist);
		free(r);
		return -1;
	}
	memset(key, 0, sizeof(key));
	memset(below, 0, sizeof(below));
	job->block = radix_block;
	job->arg = r;
	for (r->shift = 64; r->shift > 0; r->shift -= 8) {
		/* the levels' distinct prefixes (ascending with the levels) */
		r->ngroups = 0;
		for (size_t i = 0; i < GMM_LDQ_N; i++) {
			uint64_t p = r->shift == 64 ? 0 : key[i] >> r->shift;

			if (r->ngroups == 0 || r->prefix[r->ngroups - 1] != p)
				r->prefix[r->ngroups++] = p;
		}
		memset(r->hist, 0, (size_t)threads * r->ngroups * 256 *
		    sizeof(double));
		gmm_estep_run(pool, threads, buf, job);
		for (int t = 1; t < threads; t++)
			for (size_t b = 0; b < r->ngroups * 256; b++)
				r->hist[b] += r->hist[(size_t)t * r->ngroups *
				    256 + b];
		gmm_comm_sum(comm, r->hist, r->ngroups * 256);
		if (r->shift == 64) {
			for (size_t b = 0; b < 256; b++)
				total += r->hist[b];
			if (!(total > 0)) {
				free(r->hist);
				free(r);
				return 0;	/* no row: has_ldq stays 0 */
			}
		}
		for (size_t i = 0, g = 0; i < GMM_LDQ_N; i++) {
			double target = (double)i * total /
			    (double)(GMM_LDQ_N - 1), cum = below[i];
			uint64_t p = r->shift == 64 ? 0 : key[i] >> r->shift;
			const double *h;
			size_t pick = 256, last = 0;
			double at_last = cum;

			while (r->prefix[g] != p)
				g++;
			h = r->hist + g * 256;
			for (size_t b = 0; b < 256 && pick == 256; b++) {
				if (!(h[b] > 0))
					continue;
				if (cum + h[b] >= target)
					pick = b;
				else {
					last = b;
					at_last = cum;
					cum += h[b];
				}
			}
			if (pick == 256) {	/* above the total: the last */
				pick = last;
				cum = at_last;
			}
			below[i] = cum;
			key[i] |= (uint64_t)pick << (r->shift - 8);
		}
	}
	for (size_t i = 0; i < GMM_LDQ_N; i++)
		m->training.ldq[i] = key_ld(key[i]);
	m->training.has_ldq = 1;
	free(r->hist);
	free(r);
	return 0;
}

int
gmm_log_density_quantiles(struct gmm_model *m, const struct gmm_data *x,
    int threads, struct gmm_error *err)
{
	struct gmm_source src;
	struct gmm_estep_job job = {
		.src = &src, .m = m, .task_blocks = 4, .nslots = 1,
		.block = ldq_block,
	};
	struct gmm_estep_buffers *buf;
	struct gmm_pool *pool;
	struct ld_w *v = NULL, *tmp;
	struct sort_parts sp;
	const struct ld_w *cur;
	size_t n = x->complete, have = 0, j = 0;
	double total = 0, cum;
	const struct gmm_comm *comm = gmm_data_comm(x);
	/* a share's rows are walked as spilled ones: by histograms that
	 * add up over the ranks */
	int ok = 1, spilled = gmm_data_spilled(x) || comm != NULL;

	m->training.has_ldq = 0;
	if (n == 0 && comm == NULL)
		return 0;
	threads = threads < 1 ? 1 : threads;
	if (!spilled)
		v = malloc(n * sizeof(*v));
	buf = calloc((size_t)threads, sizeof(*buf));
	pool = gmm_pool_new(threads);
	for (int t = 0; buf != NULL && t < threads; t++)
		ok &= gmm_estep_buffers_alloc(&buf[t], m->d,
		    gmm_model_columns(m)) == 0;
	ok = ok && (v != NULL || spilled) && buf != NULL && pool != NULL;
	ok = !gmm_comm_any(comm, !ok);	/* every rank alike */
	/* the E-step over the data's own blocks: no copy of a row */
	gmm_data_source(x, &src);
	if (ok && spilled) {
		ok = spilled_quantiles(m, &job, pool, threads, buf,
		    comm) == 0;
	} else if (ok) {
		job.arg = v;
		gmm_estep_run(pool, threads, buf, &job);
	}
	for (int t = 0; buf != NULL && t < threads; t++)
		gmm_estep_buffers_release(&buf[t]);
	free(buf);
	if (!ok || spilled) {
		gmm_pool_free(pool);
		free(v);
		return ok ? 0 : gmm_error_nomem(err);
	}
	for (size_t i = 0; i < n; i++)	/* weight 0: the row is not there */
		if (v[i].w > 0 && !isnan(v[i].ld)) {
			v[have] = v[i];
			total += v[have++].w;
		}
	if (have == 0) {
		gmm_pool_free(pool);
		free(v);
		return 0;
	}
	tmp = malloc(have * sizeof(*tmp));
	sort_parts_init(&sp, v, have, tmp);
	gmm_pool_run(pool, threads, sp.nparts, 1, sort_part, NULL, &sp);
	gmm_pool_free(pool);
	free(tmp);
	cur = walk_next(&sp);
	cum = cur->w;
	for (size_t i = 0; i < GMM_LDQ_N; i++) {
		/* (i W) / (N - 1): exact for whole weights below 2^53 / N */
		double target = (double)i * total / (double)(GMM_LDQ_N - 1);

		while (j + 1 < have && cum < target) {
			j++;
			cur = walk_next(&sp);
			cum += cur->w;
		}
		m->training.ldq[i] = cur->ld;
	}
	m->training.has_ldq = 1;
	free(v);
	return 0;
}

double
gmm_ldq_at(const struct gmm_model *m, double q)
{
	double t = q * (double)(GMM_LDQ_N - 1), f;
	size_t i;

	if (!(t > 0))
		return m->training.ldq[0];
	if (t >= (double)(GMM_LDQ_N - 1))
		return m->training.ldq[GMM_LDQ_N - 1];
	i = (size_t)floor(t);
	f = t - (double)i;
	if (f < 1e-9)		/* a kept level: exactly its value */
		return m->training.ldq[i];
	if (f > 1 - 1e-9)
		return m->training.ldq[i + 1];
	return m->training.ldq[i] + f * (m->training.ldq[i + 1] -
	    m->training.ldq[i]);
}
