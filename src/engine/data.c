#include "engine/data.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

#include "engine/comm.h"
#include "engine/model.h"
#include "engine/pool.h"

#define BLOCK(d) ((size_t)GMM_BLOCK_ROWS * (d))

void
gmm_data_init(struct gmm_data *x, size_t d)
{
	memset(x, 0, sizeof(*x));
	x->d = d;
}

/* Rows with a missing value, before gmm_data_finish(): row-major. */
struct gmm_data_held {
	size_t n, cap;
	double *vals;		/* n x d, 0 where missing */
	unsigned char *mask;	/* n x d */
	double *w;		/* n */
	size_t *at;		/* n: place among the rows read */
	size_t *empty, nempty, capempty;	/* the places of rows with
				 * nothing observed */
};

static void
held_free(struct gmm_data_held *h)
{
	if (h == NULL)
		return;
	free(h->vals);
	free(h->mask);
	free(h->w);
	free(h->at);
	free(h->empty);
	free(h);
}

/* Out of core (data.h): the temporary file, the block being filled and
 * the k-means sample. */
struct gmm_data_spill {
	size_t budget;
	char *dir;
	int fd;			/* -1 until the rows spill */
	int weighted;
	double *cur;		/* the block being filled: BLOCK(d) values,
				 * then GMM_BLOCK_ROWS weights */
	size_t block_bytes;	/* of a block in the file */
	struct gmm_data sample;
	size_t sample_max;
	uint64_t seed;
	char err[GMM_ERROR_MAX];
};

/* A rank's share (gmm_data_share()). */
struct gmm_data_share {
	const struct gmm_comm *comm;
	size_t n, weight_zero;		/* over every rank's rows */
	double weight_total;
	struct gmm_data sample;		/* the same on every rank */
};

static void
spill_free(struct gmm_data_spill *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->cur);
	free(sp->dir);
	gmm_data_release(&sp->sample);
	free(sp);
}

/*
 * The memory of the blocks: slabs mapped anonymous (so zero), carved in
 * order and released together; the data own theirs, and
 * gmm_data_append_data() hands y's to x with its blocks.  A slab twice the
 * last, from SLAB_FIRST to SLAB_MAX; one of SLAB_HUGE or more is aligned
 * to 2 MB and advised to transparent huge pages, so that a fresh block's
 * first touch faults 2 MB at once rather than 4 KB (issue 18 section 2:
 * a fifth of the parallel read of a million rows was page faults of fresh
 * blocks, and the memset that made them).  Under AddressSanitizer the
 * blocks are malloc'd one by one, so that it sees each one's bounds.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SLABS 0
#else
#define SLABS 1
#endif
#define SLAB_FIRST ((size_t)256 << 10)
#define SLAB_MAX ((size_t)64 << 20)
#define SLAB_HUGE ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

struct gmm_slab {
	struct gmm_slab *next;
	char *base;
	size_t size, used;
};

/* A new slab of at least `need` bytes at the head of x's; -1 out of
 * memory. */
static int
slab_new(struct gmm_data *x, size_t need)
{
	size_t size = x->slabs != NULL ? 2 * x->slabs->size : SLAB_FIRST;
	struct gmm_slab *sl = malloc(sizeof(*sl));
	char *p;

	size = size > SLAB_MAX ? SLAB_MAX : size;
	size = size < need ? (need + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE :
	    size;
	if (sl == NULL)
		return -1;
	if (size < SLAB_HUGE) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else {	/* 2 MB aligned: map more, unmap the ends */
		char *m = mmap(NULL, size + HUGE_PAGE, PROT_READ |
		    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		size_t head;

		p = m;
		if (m != MAP_FAILED) {
			head = (HUGE_PAGE - (uintptr_t)m % HUGE_PAGE) %
			    HUGE_PAGE;
			p = m + head;
			if (head > 0)
				munmap(m, head);
			munmap(p + size, HUGE_PAGE - head);
#ifdef MADV_HUGEPAGE
			madvise(p, size, MADV_HUGEPAGE);	/* advice */
#endif
		}
	}
	if (p == MAP_FAILED) {
		free(sl);
		return -1;
	}
	sl->base = p;
	sl->size = size;
	sl->used = 0;
	sl->next = x->slabs;
	x->slabs = sl;
	return 0;
}

/* `bytes` (a multiple of 64) of zeros for a block; NULL out of memory. */
static double *
block_alloc(struct gmm_data *x, size_t bytes)
{
	double *p;

	if (!SLABS) {
		p = gmm_doubles_new(bytes / sizeof(double));
		if (p != NULL)
			memset(p, 0, bytes);
		return p;
	}
	if ((x->slabs == NULL || x->slabs->size - x->slabs->used < bytes) &&
	    slab_new(x, bytes) < 0)
		return NULL;
	p = (double *)(void *)(x->slabs->base + x->slabs->used);
	x->slabs->used += bytes;
	return p;
}

/* y's slabs to x (after x's current one, which stays the one carved). */
static void
slabs_take(struct gmm_data *x, struct gmm_data *y)
{
	struct gmm_slab *last = y->slabs;

	if (last == NULL)
		return;
	while (last->next != NULL)
		last = last->next;
	if (x->slabs == NULL) {
		x->slabs = y->slabs;
	} else {
		last->next = x->slabs->next;
		x->slabs->next = y->slabs;
	}
	y->slabs = NULL;
}

/* The blocks and their pointer arrays freed (x->nblocks kept). */
static void
free_blocks(struct gmm_data *x)
{
	while (x->slabs != NULL) {
		struct gmm_slab *next = x->slabs->next;

		munmap(x->slabs->base, x->slabs->size);
		free(x->slabs);
		x->slabs = next;
	}
	for (size_t b = 0; !SLABS && x->blocks != NULL && b < x->nblocks;
	    b++) {
		free(x->blocks[b]);
		if (x->wblocks != NULL)
			free(x->wblocks[b]);
	}
	free(x->blocks);
	free(x->wblocks);
	x->blocks = NULL;
	x->wblocks = NULL;
	x->cap = 0;
}

void
gmm_data_release(struct gmm_data *x)
{
	spill_free(x->spill);
	if (x->share != NULL)
		gmm_data_release(&x->share->sample);
	free(x->share);
	free_blocks(x);
	for (size_t p = 0; p < x->npatterns; p++) {
		free(x->patterns[p].obs);
		free(x->patterns[p].mask);
	}
	free(x->patterns);
	free(x->file_row);
	held_free(x->held);
	free(x->label);
	for (size_t c = 0; x->classes != NULL && c < x->nclasses; c++)
		free(x->classes[c]);
	free(x->classes);
	gmm_data_init(x, x->d);
}

void
gmm_data_set_labels(struct gmm_data *x, int32_t *label, char **classes,
    size_t nclasses)
{
	if (x->npatterns > 0 || x->held != NULL)
		GMM_BUG("gmm_data_set_labels: rows with missing values");
	x->label = label;
	x->classes = classes;
	x->nclasses = nclasses;
	x->labelled = 0;
	for (size_t i = 0; i < x->n; i++)
		x->labelled += label[i] >= 0;
}

int
gmm_data_set_weighted(struct gmm_data *x)
{
	if (x->n != 0 || x->wblocks != NULL)
		GMM_BUG("gmm_data_set_weighted: rows already there");
	x->wblocks = malloc(16 * sizeof(*x->wblocks));
	if (x->wblocks == NULL)
		return -1;
	x->cap = 16;
	x->blocks = malloc(16 * sizeof(*x->blocks));
	if (x->blocks == NULL) {
		free(x->wblocks);
		x->wblocks = NULL;
		x->cap = 0;
		return -1;
	}
	return 0;
}

/* A new zeroed block at the end (and its zeroed weights in weighted
 * data), in blk and wb when given (x's, from y's slabs or malloc'd, x
 * owning them then, whatever happens; NULL: allocated); -1 when out of
 * memory, x unchanged. */
static int
add_block_from(struct gmm_data *x, double *blk, double *wb)
{
	int fresh = blk == NULL, wfresh = wb == NULL;

	if (x->nblocks == x->cap) {
		size_t ncap = x->cap ? 2 * x->cap : 16;
		double **nb = realloc(x->blocks, ncap * sizeof(*nb));

		if (nb != NULL)
			x->blocks = nb;
		if (nb != NULL && x->wblocks != NULL) {
			nb = realloc(x->wblocks, ncap * sizeof(*nb));
			if (nb != NULL)	/* else blocks is larger: harmless */
				x->wblocks = nb;
		}
		if (nb == NULL)
			goto fail;
		x->cap = ncap;
	}
	if (blk == NULL && (blk = block_alloc(x, BLOCK(x->d) *
	    sizeof(double))) == NULL)
		goto fail;
	if (x->wblocks != NULL) {
		if (wb == NULL && (wb = block_alloc(x, GMM_BLOCK_ROWS *
		    sizeof(double))) == NULL)
			goto fail;
		if (!wfresh)
			memset(wb, 0, GMM_BLOCK_ROWS * sizeof(double));
		x->wblocks[x->nblocks] = wb;
	} else if (!SLABS) {
		free(wb);
	}
	if (!fresh)	/* fresh blocks are zeros */
		memset(blk, 0, BLOCK(x->d) * sizeof(double));
	x->blocks[x->nblocks++] = blk;
	return 0;
fail:
	if (!SLABS) {
		free(blk);
		free(wb);
	}
	return -1;
}

static int
add_block(struct gmm_data *x)
{
	return add_block_from(x, NULL, NULL);
}

/* Row i of a block (d columns, by columns) and its weight (wb, or NULL
 * unweighted). */
static void
place_row(double *blk, double *wb, size_t i, const double *row, size_t d,
    double w)
{
	for (size_t j = 0; j < d; j++)
		blk[j * GMM_BLOCK_ROWS + i] = row[j];
	if (wb != NULL)
		wb[i] = w;
}

/* A new row of weight w counted: n, the weight sum, the rows of 0. */
static void
count_row(struct gmm_data *x, int weighted, double w)
{
	if (weighted) {
		x->weight_total += w;
		x->weight_zero += w == 0;
	} else {
		x->weight_total += 1;
	}
	x->n++;
}

/* Row into the blocks, as row n (no count of complete or read rows). */
static int
put_row(struct gmm_data *x, const double *row, double w)
{
	size_t i = x->n % GMM_BLOCK_ROWS;

	if (i == 0 && add_block(x) < 0)
		return -1;
	place_row(x->blocks[x->nblocks - 1], x->wblocks ?
	    x->wblocks[x->nblocks - 1] : NULL, i, row, x->d, w);
	count_row(x, x->wblocks != NULL, w);
	return 0;
}

/* splitmix64: the hash of the k-means samples (in_sample()). */
static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static int
spill_fail(struct gmm_data_spill *sp, const char *what)
{
	snprintf(sp->err, sizeof(sp->err), "%s the temporary file in %s: %s",
	    what, sp->dir, strerror(errno != 0 ? errno : EIO));
	return -2;
}

/* Block b (values, then weights when weighted) from buf into the file. */
static int
spill_write(struct gmm_data_spill *sp, size_t b, const double *vals,
    const double *w, size_t d)
{
	off_t at = (off_t)(b * sp->block_bytes);
	size_t nv = BLOCK(d) * sizeof(double);

	for (int part = 0; part < 1 + sp->weighted; part++) {
		const char *p = part ? (const char *)w : (const char *)vals;
		size_t left = part ? GMM_BLOCK_ROWS * sizeof(double) : nv;

		while (left > 0) {
			ssize_t r;

			errno = 0;
			r = pwrite(sp->fd, p, left, at);
			if (r <= 0) {
				if (r < 0 && errno == EINTR)
					continue;
				if (r == 0)
					errno = ENOSPC;
				return spill_fail(sp, "writing");
			}
			p += r;
			at += r;
			left -= (size_t)r;
		}
	}
	return 0;
}

/* Bytes of the file from at into buf; -1 with err set. */
static int
spill_read(const struct gmm_data_spill *sp, void *buf, size_t len,
    off_t at, struct gmm_error *err)
{
	char *p = buf;

	while (len > 0) {
		ssize_t r;

		errno = 0;
		r = pread(sp->fd, p, len, at);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return gmm_error_set(err, NULL, 0, "reading back the "
			    "temporary file in %s: %s", sp->dir,
			    r == 0 ? "it is shorter than written" :
			    strerror(errno));
		}
		p += r;
		at += r;
		len -= (size_t)r;
	}
	return 0;
}

/*
 * The blocks take more than the budget: make the file (unlinked at once),
 * write every full block and keep a partial last one as the block being
 * filled.
 */
static int
spill_start(struct gmm_data *x)
{
	struct gmm_data_spill *sp = x->spill;
	size_t d = x->d, full = x->n / GMM_BLOCK_ROWS, per, cap;
	char *path;
	int ret = -2;

	if (x->held != NULL) {
		snprintf(sp->err, sizeof(sp->err), "the rows take more than "
		    "--memory allows, and rows with missing values do not go "
		    "out of core yet; give --memory more");
		return -2;
	}
	sp->weighted = x->wblocks != NULL;
	sp->block_bytes = (BLOCK(d) + (sp->weighted ? GMM_BLOCK_ROWS : 0)) *
	    sizeof(double);
	per = (d + 1) * sizeof(double);
	cap = sp->budget / 4 / per;
	sp->sample_max = cap > GMM_SPILL_SAMPLE ? GMM_SPILL_SAMPLE :
	    cap < GMM_SPILL_SAMPLE_MIN ? GMM_SPILL_SAMPLE_MIN : cap;
	gmm_data_init(&sp->sample, d);
	sp->cur = gmm_doubles_new(BLOCK(d) + GMM_BLOCK_ROWS);
	path = malloc(strlen(sp->dir) + 16);
	if (sp->cur == NULL || path == NULL ||
	    (sp->weighted && gmm_data_set_weighted(&sp->sample) < 0)) {
		ret = -1;
		goto out;
	}
	sprintf(path, "%s/gmm-XXXXXX", sp->dir);
	errno = 0;
	sp->fd = mkstemp(path);
	if (sp->fd < 0) {
		spill_fail(sp, "making");
		goto out;
	}
	unlink(path);	/* gone at exit, on error, on a kill */
	for (size_t b = 0; b < full; b++)
		if (spill_write(sp, b, x->blocks[b], sp->weighted ?
		    x->wblocks[b] : NULL, d) < 0)
			goto out;
	memset(sp->cur, 0, (BLOCK(d) + GMM_BLOCK_ROWS) * sizeof(double));
	if (x->nblocks > full) {
		memcpy(sp->cur, x->blocks[full], BLOCK(d) * sizeof(double));
		if (sp->weighted)
			memcpy(sp->cur + BLOCK(d), x->wblocks[full],
			    GMM_BLOCK_ROWS * sizeof(double));
	}
	free_blocks(x);
	ret = 0;
out:
	free(path);
	return ret;
}

/* A row into the block being filled, and that block to the file when it
 * is full. */
static int
spill_row(struct gmm_data *x, const double *row, double w)
{
	struct gmm_data_spill *sp = x->spill;
	size_t i = x->n % GMM_BLOCK_ROWS, d = x->d;

	if (i == 0) {
		memset(sp->cur, 0, (BLOCK(d) + GMM_BLOCK_ROWS) *
		    sizeof(double));
		x->nblocks++;
	}
	place_row(sp->cur, sp->weighted ? sp->cur + BLOCK(d) : NULL, i, row,
	    d, w);
	count_row(x, sp->weighted, w);
	if (i + 1 == GMM_BLOCK_ROWS && spill_write(sp, x->nblocks - 1,
	    sp->cur, sp->cur + BLOCK(d), d) < 0) {
		x->n--;
		return -2;
	}
	return 0;
}

int
gmm_data_set_budget(struct gmm_data *x, const struct gmm_data_budget *b)
{
	struct gmm_data_spill *sp;

	if (x->n != 0 || x->spill != NULL)
		GMM_BUG("gmm_data_set_budget: rows already there");
	sp = calloc(1, sizeof(*sp));
	if (sp == NULL || (sp->dir = strdup(b->dir)) == NULL) {
		free(sp);
		return -1;
	}
	sp->fd = -1;
	sp->budget = b->bytes;
	sp->seed = b->seed;
	x->spill = sp;
	return 0;
}

int
gmm_data_spilled(const struct gmm_data *x)
{
	return x->spill != NULL && x->spill->fd >= 0;
}

int
gmm_data_weighted(const struct gmm_data *x)
{
	return x->wblocks != NULL || (gmm_data_spilled(x) &&
	    x->spill->weighted);
}

const struct gmm_data *
gmm_data_sample(const struct gmm_data *x)
{
	return x->share != NULL ? &x->share->sample : gmm_data_spilled(x) ?
	    &x->spill->sample : x;
}

const struct gmm_comm *
gmm_data_comm(const struct gmm_data *x)
{
	return x->share != NULL ? x->share->comm : NULL;
}

size_t
gmm_data_rows_all(const struct gmm_data *x)
{
	return x->share != NULL ? x->share->n : x->n;
}

double
gmm_data_weight_all(const struct gmm_data *x)
{
	return x->share != NULL ? x->share->weight_total : x->weight_total;
}

size_t
gmm_data_zero_all(const struct gmm_data *x)
{
	return x->share != NULL ? x->share->weight_zero : x->weight_zero;
}

/* 1 when global row g is in a share's k-means sample (p: the share). */
static int
in_sample(uint64_t seed, size_t g, double p)
{
	uint64_t s = seed ^ ((uint64_t)g * 0xd1342543de82ef95u);

	return p >= 1 || (double)(splitmix64(&s) >> 11) * 0x1p-53 < p;
}

static void memory_rows(const struct gmm_data *x, size_t upto, size_t b,
    struct gmm_block *blk);
static int spilled_block(const struct gmm_data *x, size_t upto, size_t b,
    double *buf, struct gmm_block *blk, struct gmm_error *err);

/*
 * The rows of x (in memory, or spilled and finished) whose hash of row
 * number and seed falls below p, in order with their weights, appended to
 * out (x's columns and weighting, no row yet).  0; -1 out of memory; -2
 * when the file cannot be read back (err).
 */
static int
pick_rows(const struct gmm_data *x, uint64_t seed, double p,
    struct gmm_data *out, struct gmm_error *err)
{
	size_t d = x->d;
	double *buf = gmm_data_spilled(x) ? malloc(GMM_DATA_BUF(d) *
	    sizeof(double)) : NULL;
	double *row = malloc((d ? d : 1) * sizeof(double));
	int ret = -1;

	if (row == NULL || (gmm_data_spilled(x) && buf == NULL))
		goto out;
	for (size_t b = 0; b * GMM_BLOCK_ROWS < x->n; b++) {
		struct gmm_block blk;

		if (!gmm_data_spilled(x))
			memory_rows(x, x->n, b, &blk);
		else if (spilled_block(x, x->n, b, buf, &blk, err) < 0) {
			ret = -2;
			goto out;
		}
		for (size_t i = 0; i < blk.rows; i++) {
			if (!in_sample(seed, blk.first + i, p))
				continue;
			for (size_t j = 0; j < d; j++)
				row[j] = blk.xt[j * GMM_BLOCK_ROWS + i];
			if ((blk.weight != NULL ? gmm_data_append_weighted(out,
			    row, blk.weight[i]) : gmm_data_append(out,
			    row)) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	free(buf);
	free(row);
	return ret;
}

int
gmm_data_pick_sample(const struct gmm_data *x, uint64_t seed,
    struct gmm_data *out)
{
	struct gmm_error err;

	gmm_data_init(out, x->d);
	if (gmm_data_spilled(x) || x->share != NULL || x->npatterns > 0 ||
	    x->label != NULL || x->n <= GMM_SPILL_SAMPLE)
		return 1;
	if ((x->wblocks != NULL && gmm_data_set_weighted(out) < 0) ||
	    pick_rows(x, seed, (double)GMM_SPILL_SAMPLE / (double)x->n, out,
	    &err) < 0) {
		gmm_data_release(out);
		gmm_data_init(out, x->d);
		return -1;
	}
	return 0;
}

/* This share's rows of the sample, row-major with a weight each. */
static int
share_pick(const struct gmm_data *x, uint64_t seed, double p, double **out,
    size_t *len)
{
	size_t d = x->d, have = 0, cap = 0;
	double *v = NULL, *buf = malloc(GMM_DATA_BUF(d) * sizeof(double));
	struct gmm_block blk;

	if (buf == NULL)
		return -1;
	for (size_t b = 0; b * GMM_BLOCK_ROWS < x->n; b++) {
		gmm_data_block(x, b, buf, &blk);
		for (size_t i = 0; i < blk.rows; i++) {
			if (!in_sample(seed, x->row_base + blk.first + i, p))
				continue;
			if (have + d + 1 > cap) {
				size_t nc = cap ? 2 * cap : 64 * (d + 1);
				double *t = realloc(v, nc * sizeof(double));

				if (t == NULL) {
					free(v);
					free(buf);
					return -1;
				}
				v = t;
				cap = nc;
			}
			for (size_t j = 0; j < d; j++)
				v[have + j] = blk.xt[j * GMM_BLOCK_ROWS + i];
			v[have + d] = blk.weight ? blk.weight[i] : 1;
			have += d + 1;
		}
	}
	free(buf);
	*out = v;
	*len = have;
	return 0;
}

int
gmm_data_share(struct gmm_data *x, const struct gmm_comm *comm,
    uint64_t seed, struct gmm_error *err)
{
	struct gmm_data_share *sh;
	double c[6] = { 0 }, *v, *mine = NULL, *all = NULL, p;
	size_t len = 0, total = 0, d = x->d;
	int weighted, failed;

	if (!gmm_comm_active(comm))
		return 0;
	/* every rank's counts, each in its own row of v; the rows before
	 * this rank's */
	v = calloc((size_t)comm->size * 6, sizeof(double));
	if (gmm_comm_any(comm, v == NULL)) {
		free(v);
		return gmm_error_nomem(err);
	}
	mine = v + (size_t)comm->rank * 6;
	mine[0] = (double)x->n;
	mine[1] = x->weight_total;
	mine[2] = (double)x->weight_zero;
	mine[3] = x->npatterns > 0 || x->rows_empty > 0;
	mine[4] = x->label != NULL;
	mine[5] = gmm_data_weighted(x);
	gmm_comm_sum(comm, v, (size_t)comm->size * 6);
	for (int r = 0; r < comm->size; r++) {
		if (r < comm->rank)
			x->row_base += (size_t)v[r * 6];
		for (int j = 0; j < 6; j++)
			c[j] += v[r * 6 + j];
	}
	free(v);
	mine = NULL;
	if (c[3] > 0 || c[4] > 0) {
		x->row_base = 0;
		return gmm_error_set(err, NULL, 0, "--mpi does not take %s "
		    "yet; fit without --mpi", c[3] > 0 ? "missing values" :
		    "labels");
	}
	weighted = c[5] > 0;
	sh = calloc(1, sizeof(*sh));
	p = (double)GMM_SPILL_SAMPLE / c[0];
	failed = sh == NULL || share_pick(x, seed, p, &mine, &len) < 0;
	if (gmm_comm_any(comm, failed) || gmm_comm_gather(comm, mine, len,
	    &all, &total) < 0) {
		free(mine);
		free(sh);
		x->row_base = 0;
		return gmm_error_nomem(err);
	}
	free(mine);
	sh->comm = comm;
	sh->n = (size_t)c[0];
	sh->weight_total = c[1];
	sh->weight_zero = (size_t)c[2];
	gmm_data_init(&sh->sample, d);
	failed = weighted && gmm_data_set_weighted(&sh->sample) < 0;
	for (size_t i = 0; i + d < total + 1 && !failed; i += d + 1)
		failed = (weighted ? gmm_data_append_weighted(&sh->sample,
		    all + i, all[i + d]) : gmm_data_append(&sh->sample,
		    all + i)) < 0;
	free(all);
	x->share = sh;
	if (gmm_comm_any(comm, failed)) {
		gmm_data_release(&sh->sample);
		free(sh);
		x->share = NULL;
		x->row_base = 0;
		return gmm_error_nomem(err);
	}
	return 0;
}

const char *
gmm_data_error(const struct gmm_data *x)
{
	return x->spill != NULL ? x->spill->err : "";
}

/* Row into the blocks, or the file; past the budget, everything to the
 * file.  -1 out of memory, -2 a spill failed. */
static int
add_row(struct gmm_data *x, const double *row, double w)
{
	struct gmm_data_spill *sp = x->spill;

	if (gmm_data_spilled(x))
		return spill_row(x, row, w);
	if (put_row(x, row, w) < 0)
		return -1;
	if (sp != NULL && x->nblocks * (BLOCK(x->d) + (x->wblocks ?
	    GMM_BLOCK_ROWS : 0)) * sizeof(double) > sp->budget)
		return spill_start(x);
	return 0;
}

int
gmm_data_append_weighted(struct gmm_data *x, const double *row, double w)
{
	int r;

	if (x->npatterns != 0 || x->file_row != NULL ||
	    (gmm_data_spilled(x) && x->spill->cur == NULL))
		GMM_BUG("gmm_data_append: after gmm_data_finish()");
	if ((r = add_row(x, row, w)) < 0)
		return r;
	x->complete++;
	x->rows_read++;
	return 0;
}

int
gmm_data_append_data(struct gmm_data *x, struct gmm_data *y)
{
	int weighted = x->wblocks != NULL;
	size_t done = 0, B = GMM_BLOCK_ROWS, take = 0;

	if (x->npatterns != 0 || x->file_row != NULL || x->held != NULL ||
	    gmm_data_spilled(x) || gmm_data_spilled(y) || y->held != NULL ||
	    y->npatterns != 0 || y->d != x->d ||
	    (y->wblocks != NULL) != weighted)
		GMM_BUG("gmm_data_append_data: rows unlike, or finished");
	slabs_take(x, y);	/* the blocks x takes, and the others */
	while (done < y->n) {
		size_t i = x->n % B, yb = done / B, yi = done % B;
		size_t run = B - i < B - yi ? B - i : B - yi;
		const double *src = y->blocks[yb];
		double *dst;

		if (run > y->n - done)
			run = y->n - done;
		if (i == 0) {
			/* y's blocks before yb are copied: the first of
			 * them that is left is x's next (no new memory) */
			double *blk = NULL, *wb = NULL;

			if (take < yb) {
				blk = y->blocks[take];
				y->blocks[take] = NULL;
				if (weighted) {
					wb = y->wblocks[take];
					y->wblocks[take] = NULL;
				}
				take++;
			}
			if (add_block_from(x, blk, wb) < 0)
				return -1;
			if (x->spill != NULL && x->nblocks * (BLOCK(x->d) +
			    (weighted ? B : 0)) * sizeof(double) >
			    x->spill->budget)
				return -2;	/* past the budget */
		}
		dst = x->blocks[x->nblocks - 1];
		for (size_t j = 0; j < x->d; j++)
			memcpy(dst + j * B + i, src + j * B + yi,
			    run * sizeof(double));
		if (weighted) {
			const double *w = y->wblocks[yb] + yi;

			memcpy(x->wblocks[x->nblocks - 1] + i, w,
			    run * sizeof(double));
			for (size_t r = 0; r < run; r++)	/* in row order,
								 * as count_row() */
				count_row(x, 1, w[r]);
		} else {
			for (size_t r = 0; r < run; r++)
				count_row(x, 0, 1);
		}
		x->complete += run;
		x->rows_read += run;
		done += run;
	}
	return 0;
}

int
gmm_data_append(struct gmm_data *x, const double *row)
{
	return gmm_data_append_weighted(x, row, 1);
}

int
gmm_data_append_missing(struct gmm_data *x, const double *row,
    const unsigned char *mask, double w)
{
	struct gmm_data_held *h = x->held;
	size_t d = x->d, nobs = 0;

	for (size_t j = 0; j < d; j++)
		nobs += mask[j] != 0;
	if (nobs == d)
		return gmm_data_append_weighted(x, row, w);
	if (gmm_data_spilled(x)) {
		snprintf(x->spill->err, sizeof(x->spill->err), "a missing "
		    "value after more rows than --memory holds: rows with "
		    "missing values do not go out of core yet; give --memory "
		    "more");
		return -2;
	}
	if (h == NULL && (h = x->held = calloc(1, sizeof(*h))) == NULL)
		return -1;
	if (nobs == 0) {
		if (h->nempty == h->capempty) {
			size_t cap = h->capempty ? 2 * h->capempty : 16;
			size_t *e = realloc(h->empty, cap * sizeof(size_t));

			if (e == NULL)
				return -1;
			h->empty = e;
			h->capempty = cap;
		}
		h->empty[h->nempty++] = x->rows_read++;
		x->rows_empty++;
		return 0;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		double *v = realloc(h->vals, cap * d * sizeof(double));
		unsigned char *mk;
		double *wv;
		size_t *at;

		if (v == NULL)
			return -1;
		h->vals = v;
		if ((mk = realloc(h->mask, cap * d)) == NULL)
			return -1;
		h->mask = mk;
		if ((wv = realloc(h->w, cap * sizeof(double))) == NULL)
			return -1;
		h->w = wv;
		if ((at = realloc(h->at, cap * sizeof(size_t))) == NULL)
			return -1;
		h->at = at;
		h->cap = cap;
	}
	for (size_t j = 0; j < d; j++) {
		h->mask[h->n * d + j] = mask[j] != 0;
		h->vals[h->n * d + j] = mask[j] ? row[j] : 0;
	}
	h->w[h->n] = w;
	h->at[h->n] = x->rows_read++;
	h->n++;
	x->values_missing += d - nobs;
	return 0;
}

/* The held rows' order (qsort_r()): by mask, then by place in the
 * input; arg is the data, whose held rows and d it reads. */
static int
held_order(const void *a, const void *b, void *arg)
{
	const struct gmm_data *x = arg;
	const struct gmm_data_held *h = x->held;
	size_t i = *(const size_t *)a, j = *(const size_t *)b, d = x->d;
	int c = memcmp(h->mask + i * d, h->mask + j * d, d);

	if (c != 0)
		return -c;	/* more observed columns first */
	return h->at[i] < h->at[j] ? -1 : h->at[i] > h->at[j];
}

/* The column means of the observed values (weighted), into mean. */
static void
observed_means(const struct gmm_data *x, const struct gmm_data_held *h,
    double *mean, double *wsum)
{
	size_t d = x->d;

	memset(mean, 0, d * sizeof(double));
	memset(wsum, 0, d * sizeof(double));
	for (size_t i = 0; i < x->n; i++)
		for (size_t j = 0; j < d; j++) {
			mean[j] += gmm_data_weight(x, i) * gmm_data_at(x, i, j);
			wsum[j] += gmm_data_weight(x, i);
		}
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = 0; j < d; j++)
			if (h->mask[i * d + j]) {
				mean[j] += h->w[i] * h->vals[i * d + j];
				wsum[j] += h->w[i];
			}
	for (size_t j = 0; j < d; j++)
		mean[j] = wsum[j] > 0 ? mean[j] / wsum[j] : 0;
}

/* Pattern p's columns from the mask of held row i. */
static int
pattern_init(struct gmm_pattern *p, const unsigned char *mask, size_t d,
    size_t first)
{
	size_t a = 0, m = 0;

	p->first = first;
	p->rows = 0;
	p->obs = malloc(d * sizeof(size_t));
	p->mask = malloc(d);
	if (p->obs == NULL || p->mask == NULL)
		return -1;
	memcpy(p->mask, mask, d);
	for (size_t j = 0; j < d; j++)
		a += mask[j] != 0;
	p->nobs = a;
	p->mis = p->obs + a;
	a = 0;
	for (size_t j = 0; j < d; j++) {
		if (mask[j])
			p->obs[a++] = j;
		else
			p->mis[m++] = j;
	}
	return 0;
}

/* The last block to the file, partial or not yet written; then the
 * k-means sample, read back from it. */
static int
spill_finish(struct gmm_data *x)
{
	struct gmm_data_spill *sp = x->spill;
	struct gmm_error err;
	int r;

	if (sp->cur == NULL)	/* finished already */
		return 0;
	if (x->n % GMM_BLOCK_ROWS != 0 && spill_write(sp, x->nblocks - 1,
	    sp->cur, sp->cur + BLOCK(x->d), x->d) < 0)
		return -2;
	free(sp->cur);
	sp->cur = NULL;
	r = pick_rows(x, sp->seed, (double)sp->sample_max / (double)x->n,
	    &sp->sample, &err);
	if (r == -2)
		snprintf(sp->err, sizeof(sp->err), "%s", err.msg);
	return r;
}

int
gmm_data_finish(struct gmm_data *x)
{
	struct gmm_data_held *h = x->held;
	size_t d = x->d, *ord = NULL, nc = x->n, np = 0;
	double *mean = NULL, *row = NULL;
	unsigned char *skip = NULL;
	int ret = -1;

	if (gmm_data_spilled(x))
		return spill_finish(x);
	if (h == NULL)
		return 0;
	ord = malloc((h->n ? h->n : 1) * sizeof(size_t));
	mean = malloc(3 * d * sizeof(double));
	x->file_row = malloc((nc + h->n ? nc + h->n : 1) * sizeof(size_t));
	skip = calloc(x->rows_read ? x->rows_read : 1, 1);
	x->patterns = malloc((h->n ? h->n : 1) * sizeof(*x->patterns));
	if (ord == NULL || mean == NULL || x->file_row == NULL ||
	    skip == NULL || x->patterns == NULL)
		goto out;
	row = mean + 2 * d;
	for (size_t i = 0; i < h->n; i++)
		ord[i] = i;
	qsort_r(ord, h->n, sizeof(size_t), held_order, x);
	observed_means(x, h, mean, mean + d);

	/* the complete rows' places: those not held nor empty, in order */
	for (size_t i = 0; i < h->n; i++)
		skip[h->at[i]] = 1;
	for (size_t i = 0; i < h->nempty; i++)
		skip[h->empty[i]] = 1;
	for (size_t i = 0, r = 0; i < nc; i++) {
		while (skip[r])
			r++;
		x->file_row[i] = r++;
	}
	for (size_t t = 0; t < h->n; t++) {
		size_t i = ord[t];
		const unsigned char *mk = h->mask + i * d;

		if (np == 0 || memcmp(x->patterns[np - 1].mask, mk, d) != 0) {
			x->patterns[np].obs = NULL;
			x->patterns[np].mask = NULL;
			if (pattern_init(&x->patterns[np], mk, d, x->n) < 0) {
				np++;
				goto out;
			}
			np++;
		}
		for (size_t j = 0; j < d; j++)
			row[j] = mk[j] ? h->vals[i * d + j] : mean[j];
		if (put_row(x, row, h->w[i]) < 0)
			goto out;
		x->file_row[x->n - 1] = h->at[i];
		x->patterns[np - 1].rows++;
	}
	ret = 0;
out:
	x->npatterns = np;
	free(ord);
	free(mean);
	free(skip);
	if (ret == 0) {
		held_free(x->held);
		x->held = NULL;
	}
	return ret;
}

const struct gmm_pattern *
gmm_data_pattern_at(const struct gmm_data *x, size_t i)
{
	size_t lo = 0, hi = x->npatterns;

	if (i < x->complete)
		return NULL;
	while (hi - lo > 1) {	/* patterns[lo].first <= i */
		size_t mid = lo + (hi - lo) / 2;

		if (x->patterns[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	return &x->patterns[lo];
}

int
gmm_data_from_rows(struct gmm_data *x, const double *rows, size_t n,
    size_t d)
{
	gmm_data_init(x, d);
	for (size_t i = 0; i < n; i++)
		if (gmm_data_append(x, rows + i * d) < 0) {
			gmm_data_release(x);
			return -1;
		}
	return 0;
}

void
gmm_data_row(const struct gmm_data *x, size_t i, double *row)
{
	if (gmm_data_spilled(x)) {
		const struct gmm_data_spill *sp = x->spill;
		off_t at = (off_t)(i / GMM_BLOCK_ROWS * sp->block_bytes +
		    i % GMM_BLOCK_ROWS * sizeof(double));
		struct gmm_error err;

		for (size_t j = 0; j < x->d; j++)
			if (spill_read(sp, row + j, sizeof(double), at +
			    (off_t)(j * GMM_BLOCK_ROWS * sizeof(double)),
			    &err) < 0)
				gmm_fatal(&err);
		return;
	}
	const double *blk = x->blocks[i / GMM_BLOCK_ROWS] + i % GMM_BLOCK_ROWS;

	for (size_t j = 0; j < x->d; j++)
		row[j] = blk[j * GMM_BLOCK_ROWS];
}

double
gmm_data_row_weight(const struct gmm_data *x, size_t i)
{
	double w;
	struct gmm_error err;

	if (!gmm_data_spilled(x))
		return gmm_data_weight(x, i);
	if (!x->spill->weighted)
		return 1;
	if (spill_read(x->spill, &w, sizeof(w), (off_t)(i / GMM_BLOCK_ROWS *
	    x->spill->block_bytes + (BLOCK(x->d) + i % GMM_BLOCK_ROWS) *
	    sizeof(double)), &err) < 0)
		gmm_fatal(&err);
	return w;
}

/* Block b of the first `upto` rows of x in memory, in place. */
static void
memory_rows(const struct gmm_data *x, size_t upto, size_t b,
    struct gmm_block *blk)
{
	memset(blk, 0, sizeof(*blk));
	blk->index = b;
	blk->first = b * GMM_BLOCK_ROWS;
	blk->rows = upto - blk->first < GMM_BLOCK_ROWS ? upto - blk->first :
	    GMM_BLOCK_ROWS;
	blk->xt = x->blocks[b];
	blk->weight = x->wblocks != NULL ? x->wblocks[b] : NULL;
}

/* Block b of the first `upto` rows of spilled x into buf. */
static int
spilled_block(const struct gmm_data *x, size_t upto, size_t b, double *buf,
    struct gmm_block *blk, struct gmm_error *err)
{
	const struct gmm_data_spill *sp = x->spill;

	memset(blk, 0, sizeof(*blk));
	blk->index = b;
	blk->first = b * GMM_BLOCK_ROWS;
	blk->rows = upto - blk->first < GMM_BLOCK_ROWS ? upto - blk->first :
	    GMM_BLOCK_ROWS;
	if (spill_read(sp, buf, sp->block_bytes, (off_t)(b *
	    sp->block_bytes), err) < 0)
		return -1;
	blk->xt = buf;
	blk->weight = sp->weighted ? buf + BLOCK(x->d) : NULL;
	return 0;
}

static int
spill_source_block(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk, struct gmm_error *err)
{
	const struct gmm_data *x = s->self;

	return spilled_block(x, x->complete, b, buf, blk, err);
}

void
gmm_data_block(const struct gmm_data *x, size_t b, double *buf,
    struct gmm_block *blk)
{
	struct gmm_error err;

	if (gmm_data_spilled(x)) {
		if (spilled_block(x, x->n, b, buf, blk, &err) < 0)
			gmm_fatal(&err);
		return;
	}
	memory_rows(x, x->n, b, blk);
}

static int
memory_block(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk, struct gmm_error *err)
{
	const struct gmm_data *x = s->self;

	(void)buf;
	(void)err;
	memory_rows(x, x->complete, b, blk);
	blk->label = x->label != NULL ? x->label + blk->first : NULL;
	return 0;
}

/* The pattern source's blocks: up to GMM_BLOCK_ROWS rows of a pattern. */
struct pattern_blocks {
	const struct gmm_data *x;
	size_t n;
	struct pattern_block {
		size_t pattern, first, rows;
	} *b;
};

static int
pattern_block(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk, struct gmm_error *err)
{
	const struct pattern_blocks *pb = s->self;
	const struct gmm_data *x = pb->x;
	const struct pattern_block *e = &pb->b[b];
	const struct gmm_pattern *p = &x->patterns[e->pattern];
	size_t pad = (e->rows + GMM_ROW_GROUP - 1) / GMM_ROW_GROUP *
	    GMM_ROW_GROUP;

	(void)err;
	memset(blk, 0, sizeof(*blk));
	blk->index = b;
	blk->first = e->first;
	blk->rows = e->rows;
	blk->pattern = p;
	for (size_t a = 0; a < p->nobs; a++) {
		double *col = buf + a * GMM_BLOCK_ROWS;

		for (size_t r = 0; r < e->rows; r++)
			col[r] = gmm_data_at(x, e->first + r, p->obs[a]);
		for (size_t r = e->rows; r < pad; r++)
			col[r] = 0;
	}
	if (x->wblocks != NULL) {
		double *w = buf + p->nobs * GMM_BLOCK_ROWS;

		for (size_t r = 0; r < e->rows; r++)
			w[r] = gmm_data_weight(x, e->first + r);
		blk->weight = w;
	}
	blk->xt = buf;
	return 0;
}

int
gmm_data_pattern_source(const struct gmm_data *x, struct gmm_source *s)
{
	struct pattern_blocks *pb = calloc(1, sizeof(*pb));
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	if (pb == NULL)
		return -1;
	for (size_t p = 0; p < x->npatterns; p++)
		n += (x->patterns[p].rows + GMM_BLOCK_ROWS - 1) /
		    GMM_BLOCK_ROWS;
	pb->b = malloc((n ? n : 1) * sizeof(*pb->b));
	if (pb->b == NULL) {
		free(pb);
		return -1;
	}
	pb->x = x;
	for (size_t p = 0; p < x->npatterns; p++) {
		const struct gmm_pattern *pt = &x->patterns[p];

		for (size_t r = 0; r < pt->rows; r += GMM_BLOCK_ROWS) {
			struct pattern_block *e = &pb->b[pb->n++];

			e->pattern = p;
			e->first = pt->first + r;
			e->rows = pt->rows - r < GMM_BLOCK_ROWS ?
			    pt->rows - r : GMM_BLOCK_ROWS;
		}
	}
	s->n = x->n - x->complete;
	s->d = x->d;
	s->nblocks = pb->n;
	s->block = pattern_block;
	s->self = pb;
	return 0;
}

void
gmm_data_pattern_source_free(struct gmm_source *s)
{
	struct pattern_blocks *pb = (struct pattern_blocks *)s->self;

	if (pb != NULL)
		free(pb->b);
	free(pb);
	s->self = NULL;
}

void
gmm_source_get(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk)
{
	struct gmm_error err;

	if (s->block(s, b, buf, blk, &err) < 0)
		gmm_fatal(&err);
}

void
gmm_data_source(const struct gmm_data *x, struct gmm_source *s)
{
	s->n = x->complete;
	s->d = x->d;
	s->nblocks = (x->complete + GMM_BLOCK_ROWS - 1) / GMM_BLOCK_ROWS;
	s->block = gmm_data_spilled(x) ? spill_source_block : memory_block;
	s->self = x;
}

/*
 * The (weighted) column sums of a block added into sum (arg: the number of
 * columns, a size_t), each column's in row order: the bits a loop over
 * the rows gives (w * v is v for w = 1).  gmm_data_column_means() runs it
 * over every block; the shape, as a gmm_data_reduce() pass.
 */
static void
column_sums_add(void *arg, const struct gmm_block *blk, double *sum)
{
	size_t d = *(const size_t *)arg;

	for (size_t j = 0; j < d; j++) {
		const double *c = blk->xt + j * GMM_BLOCK_ROWS;
		double s = sum[j];

		if (blk->weight == NULL)
			for (size_t i = 0; i < blk->rows; i++)
				s += c[i];
		else
			for (size_t i = 0; i < blk->rows; i++)
				s += blk->weight[i] * c[i];
		sum[j] = s;
	}
}

static void
column_sums_fold(void *arg, const double *part, double *total)
{
	size_t d = *(const size_t *)arg;

	for (size_t j = 0; j < d; j++)
		total[j] += part[j];
}

void
gmm_data_column_means(const struct gmm_data *x, double *mean, double *buf)
{
	struct gmm_block blk;
	size_t d = x->d;

	memset(mean, 0, x->d * sizeof(double));
	for (size_t b = 0; b * GMM_BLOCK_ROWS < x->n; b++) {
		gmm_data_block(x, b, buf, &blk);
		column_sums_add(&d, &blk, mean);
	}
	gmm_comm_sum(gmm_data_comm(x), mean, x->d);
	for (size_t j = 0; j < x->d; j++)
		mean[j] /= gmm_data_weight_all(x);
}

/*
 * The smallest variance among the columns that are not constant, about
 * the column means; var and scale: d doubles of 0, buf as
 * gmm_data_block()'s.  Weighted (frequency weights); a weight of 1
 * multiplies exactly, so unweighted data give the bits they always gave.
 * Block by block, each column's sums in row order: the bits of a column
 * at a time, from memory or from the file.
 */
static void
column_spreads(const struct gmm_data *x, const double *mean, double *var,
    double *scale, double *buf)
{
	size_t n = x->n, d = x->d;
	struct gmm_block blk;

	for (size_t b = 0; b * GMM_BLOCK_ROWS < n; b++) {
		gmm_data_block(x, b, buf, &blk);
		for (size_t i = 0; i < blk.rows; i++)
			for (size_t j = 0; j < d; j++) {
				double v = blk.xt[j * GMM_BLOCK_ROWS + i];
				double t = v - mean[j];
				double w = blk.weight ? blk.weight[i] : 1;

				var[j] += w * (t * t);
				if (w > 0 && fabs(v) > scale[j])
					scale[j] = fabs(v);
			}
	}
	gmm_comm_sum(gmm_data_comm(x), var, d);
	gmm_comm_max(gmm_data_comm(x), scale, d);
}

/* The smallest of the column variances whose spreads (column_spreads())
 * var and scale hold, among the columns that are not constant. */
static double
min_of(const struct gmm_data *x, const double *var, const double *scale)
{
	double best = 0;

	for (size_t j = 0; j < x->d; j++) {
		double v = var[j] / gmm_data_weight_all(x);

		/* constant up to the rounding of the mean */
		if (v <= (DBL_EPSILON * scale[j]) * (DBL_EPSILON * scale[j]))
			continue;
		if (best == 0 || v < best)
			best = v;
	}
	return best;
}

/* column_spreads() about the column means, into var and scale (d zeros
 * each); 0, or -1 when out of memory. */
static int
spreads(const struct gmm_data *x, double *var, double *scale)
{
	double *mean = malloc((x->d ? x->d : 1) * sizeof(double));
	double *buf = malloc(GMM_DATA_BUF(x->d) * sizeof(double));
	int ok = mean != NULL && buf != NULL;

	if (ok) {
		gmm_data_column_means(x, mean, buf);
		column_spreads(x, mean, var, scale, buf);
	}
	free(buf);
	free(mean);
	return ok ? 0 : -1;
}

int
gmm_data_column_variances(const struct gmm_data *x, double *var)
{
	double *scale = calloc(x->d ? x->d : 1, sizeof(double));

	memset(var, 0, x->d * sizeof(double));
	if (scale == NULL || spreads(x, var, scale) < 0) {
		free(scale);
		return -1;
	}
	for (size_t j = 0; j < x->d; j++)
		var[j] /= gmm_data_weight_all(x);
	free(scale);
	return 0;
}

int
gmm_data_min_column_variance(const struct gmm_data *x, double *out)
{
	double *var = calloc(2 * (x->d ? x->d : 1), sizeof(double));

	if (var == NULL || spreads(x, var, var + x->d) < 0) {
		free(var);
		return -1;
	}
	*out = min_of(x, var, var + x->d);
	free(var);
	return 0;
}

/* gmm_data_reduce()'s pass: chunks of blocks into parts, folded in
 * order. */
struct reduce_run {
	const struct gmm_data *x;
	const struct gmm_data_pass *pass;
	size_t nblocks;
	double *parts;		/* nslots x width */
	double *bufs;		/* a worker's GMM_DATA_BUF(d) each: spilled */
	double *total;
};

static void
reduce_work(void *arg, size_t task, size_t slot, int worker)
{
	struct reduce_run *r = arg;
	const struct gmm_data_pass *p = r->pass;
	double *part = r->parts + slot * p->width;
	double *buf = r->bufs != NULL ? r->bufs + (size_t)worker *
	    GMM_DATA_BUF(r->x->d) : NULL;
	size_t b = task * GMM_DATA_CHUNK_BLOCKS, end = b +
	    GMM_DATA_CHUNK_BLOCKS;
	struct gmm_block blk;

	if (p->init != NULL)
		p->init(p->ctx, part);
	else
		memset(part, 0, p->width * sizeof(double));
	for (; b < end && b < r->nblocks; b++) {
		gmm_data_block(r->x, b, buf, &blk);
		p->add(p->ctx, &blk, part);
	}
}

static void
reduce_merge(void *arg, size_t task, size_t slot)
{
	struct reduce_run *r = arg;

	(void)task;
	r->pass->fold(r->pass->ctx, r->parts + slot * r->pass->width,
	    r->total);
}

int
gmm_data_reduce(const struct gmm_data *x, int threads,
    const struct gmm_data_pass *pass, double *total)
{
	size_t nblocks = (x->n + GMM_BLOCK_ROWS - 1) / GMM_BLOCK_ROWS;
	size_t ntasks = (nblocks + GMM_DATA_CHUNK_BLOCKS - 1) /
	    GMM_DATA_CHUNK_BLOCKS, nslots;
	struct reduce_run r = { x, pass, nblocks, NULL, NULL, total };
	struct gmm_pool *pool;

	if (ntasks == 0)
		return 0;
	threads = threads < 1 ? 1 : threads;
	if ((size_t)threads > ntasks)
		threads = (int)ntasks;
	nslots = 2 * (size_t)threads;
	r.parts = malloc(nslots * (pass->width ? pass->width : 1) *
	    sizeof(double));
	if (gmm_data_spilled(x))
		r.bufs = malloc((size_t)threads * GMM_DATA_BUF(x->d) *
		    sizeof(double));
	pool = gmm_pool_new(threads);
	if (r.parts == NULL || pool == NULL || (gmm_data_spilled(x) &&
	    r.bufs == NULL)) {
		free(r.parts);
		free(r.bufs);
		gmm_pool_free(pool);
		return -1;
	}
	gmm_pool_run(pool, threads, ntasks, nslots, reduce_work, reduce_merge,
	    &r);
	gmm_pool_free(pool);
	free(r.parts);
	free(r.bufs);
	return 0;
}

/* The shape's passes (gmm_data_reduce()): the column sums
 * (column_sums_add()), then the lower triangle of the scatter about the
 * means, and each column's greatest |value| among the rows of weight > 0. */
struct shape_pass {
	size_t d;
	const double *mean;
};

/*
 * SHAPE_ROWS rows at a time: their deviations from the means by columns
 * in z, each column's (weighted) copy in zw, then each entry of the lower
 * triangle as one dot product over those rows in vectors, added to the
 * part.  Of a one-thread fit -k 16 of a million rows of 16 columns (perf):
 * a loop over the entries a row at a time took 7.1%, then 5.1%; this one
 * 3.2%, about a quarter of it the first load of each value (memory-bound).
 */
#define SHAPE_ROWS 64

static void
shape_cov_add(void *arg, const struct gmm_block *blk, double *part)
{
	const struct shape_pass *sp = arg;
	size_t d = sp->d;
	double *scale = part + d * d;

	for (size_t i0 = 0; i0 < blk->rows; i0 += SHAPE_ROWS) {
		size_t m = blk->rows - i0 < SHAPE_ROWS ? blk->rows - i0 :
		    SHAPE_ROWS;
		double z[GMM_SHAPE_MAX_D][SHAPE_ROWS], zw[SHAPE_ROWS];
		const double *w = blk->weight ? blk->weight + i0 : NULL;

		for (size_t j = 0; j < d; j++) {
			const double *c = blk->xt + j * GMM_BLOCK_ROWS + i0;
			double top = scale[j];

			for (size_t i = 0; i < m; i++)
				z[j][i] = c[i] - sp->mean[j];
#pragma omp simd reduction(max:top)
			for (size_t i = 0; i < m; i++) {
				double v = w == NULL || w[i] > 0 ? fabs(c[i]) :
				    0;

				top = v > top ? v : top;
			}
			scale[j] = top;
		}
		for (size_t a = 0; a < d; a++) {
			const double *za = z[a];
			double *ca = part + a * d;

			if (w != NULL) {
				for (size_t i = 0; i < m; i++)
					zw[i] = w[i] * z[a][i];
				za = zw;
			}
			for (size_t b = 0; b <= a; b++) {
				const double *zb = z[b];
				double t = 0;

#pragma omp simd reduction(+:t)
				for (size_t i = 0; i < m; i++)
					t += za[i] * zb[i];
				ca[b] += t;
			}
		}
	}
}

static void
shape_cov_fold(void *arg, const double *part, double *total)
{
	const struct shape_pass *sp = arg;
	size_t d = sp->d;

	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b <= a; b++)
			total[a * d + b] += part[a * d + b];
	for (size_t j = 0; j < d; j++)
		if (part[d * d + j] > total[d * d + j])
			total[d * d + j] = part[d * d + j];
}

int
gmm_data_shape_init(struct gmm_data_shape *s, const struct gmm_data *x,
    int threads)
{
	/* GSL's own workspace allocator leaks when out of memory: ours */
	size_t d = x->d;
	int wide = d > GMM_SHAPE_MAX_D;
	double *mean = wide ? NULL : calloc(2 * d + 1, sizeof(double));
	double *cov = wide ? NULL : calloc(d * d + d, sizeof(double));
	double *eval = wide ? NULL : malloc((d + 1) * sizeof(double));
	double *ws = wide ? NULL : malloc((4 * d + 1) * sizeof(double));
	double *u = wide ? NULL : malloc((d * d + 1) * sizeof(double));
	struct shape_pass sp = { d, mean };
	struct gmm_data_pass sums = { d, NULL, column_sums_add,
		column_sums_fold, &sp.d };
	struct gmm_data_pass scatter = { d * d + d, NULL, shape_cov_add,
		shape_cov_fold, &sp };
	double top = 0, *var = mean + d, *scale = cov + d * d;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (wide) {	/* too wide: every direction (nothing allocated) */
		s->d = s->rank = d;
		return gmm_data_min_column_variance(x, &s->min_var);
	}
	if (mean == NULL || cov == NULL || eval == NULL || ws == NULL ||
	    u == NULL || gmm_data_reduce(x, threads, &sums, mean) < 0)
		goto out;
	gmm_comm_sum(gmm_data_comm(x), mean, d);
	for (size_t j = 0; j < d; j++)
		mean[j] /= gmm_data_weight_all(x);
	if (gmm_data_reduce(x, threads, &scatter, cov) < 0)
		goto out;
	gmm_comm_sum(gmm_data_comm(x), cov, d * d);
	gmm_comm_max(gmm_data_comm(x), scale, d);
	for (size_t j = 0; j < d; j++)	/* column_spreads()'s var */
		var[j] = cov[j * d + j];
	s->min_var = min_of(x, var, scale);
	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b <= a; b++)
			cov[b * d + a] = cov[a * d + b] /= gmm_data_weight_all(x);
	{
		gsl_matrix_view A = gsl_matrix_view_array(cov, d, d);
		gsl_matrix_view U = gsl_matrix_view_array(u, d, d);
		gsl_vector_view E = gsl_vector_view_array(eval, d);
		gsl_eigen_symmv_workspace w = { d, ws, ws + d, ws + 2 * d,
			ws + 3 * d };

		if (d > 0 && gsl_eigen_symmv(&A.matrix, &E.vector,
		    &U.matrix, &w) != GSL_SUCCESS)
			goto out;
		/* the kept directions first, as u's first rank columns */
		if (d > 0)
			gsl_eigen_symmv_sort(&E.vector, &U.matrix,
			    GSL_EIGEN_SORT_VAL_DESC);
	}
	top = d > 0 ? eval[0] : 0;
	s->rank = 0;
	while (s->rank < d && eval[s->rank] > GMM_DATA_RANK_TOL * top &&
	    eval[s->rank] > 0)
		s->rank++;
	s->d = d;
	s->u = u;
	u = NULL;
	ret = 0;
out:
	free(mean);
	free(cov);
	free(eval);
	free(ws);
	free(u);
	return ret;
}

void
gmm_data_shape_release(struct gmm_data_shape *s)
{
	free(s->u);
	s->u = NULL;
}
