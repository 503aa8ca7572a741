#include "engine/init.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/kernels.h"
#include "engine/pool.h"

/*
 * Rows with missing values (data.h): the squared distance over the
 * observed columns, rescaled by d / nobs, so that it estimates the whole
 * row's.
 */
static void
masked_dists(const struct gmm_data *x, size_t b, const double *c, double *out)
{
	const double *xt = x->blocks[b];
	size_t i0 = b * GMM_BLOCK_ROWS, end = i0 + gmm_data_block_rows(x, b);
	size_t i = i0 > x->complete ? i0 : x->complete;
	const struct gmm_pattern *p = gmm_data_pattern_at(x, i);

	for (; i < end; i++) {
		double s = 0;

		if (i >= p->first + p->rows)
			p++;
		for (size_t a = 0; a < p->nobs; a++) {
			double t = xt[p->obs[a] * GMM_BLOCK_ROWS + i - i0] -
			    c[p->obs[a]];

			s += t * t;
		}
		out[i - i0] = s * (double)x->d / (double)p->nobs;
	}
}

/*
 * Squared distances of `rows` rows of a block xt (data.h layout) from
 * nc <= GMM_KERNEL_VAR_COMPS centres c (nc x d) into
 * out[q * GMM_BLOCK_ROWS + r]: the E-step's diagonal kernel (kernels.h:
 * maha_var, unit precisions) over the rows padded to a group (a block's
 * padding rows are zeros).
 */
static void
kernel_dists(const double *xt, size_t rows, size_t d, const double *c,
    size_t nc, double *out)
{
	static const double one = 1, zero[GMM_KERNEL_VAR_COMPS];
	size_t pad = (rows + GMM_ROW_GROUP - 1) / GMM_ROW_GROUP *
	    GMM_ROW_GROUP;

	gmm_kernels()->maha_var(xt, pad, d, c, &one, 0, 0, zero, 1, out, nc);
}

/* The same for block b of x, then its rows with missing values by their
 * observed columns. */
static void
block_dists(const struct gmm_data *x, size_t b, const double *c, size_t nc,
    double *out)
{
	size_t rows = gmm_data_block_rows(x, b);

	kernel_dists(x->blocks[b], rows, x->d, c, nc, out);
	if (b * GMM_BLOCK_ROWS + rows > x->complete)
		for (size_t q = 0; q < nc; q++)
			masked_dists(x, b, c + q * x->d, out + q *
			    GMM_BLOCK_ROWS);
}

/*
 * Frequency weights (data.h): k-means++ samples rows in proportion to
 * weight times squared distance, as scikit-learn's does with
 * sample_weight, so a row of weight 0 is never a centre; the distances
 * that seeding keeps are weighted (weigh()), those of the assignment are
 * not; Lloyd's centres are weighted means.
 */
static void
weigh(const struct gmm_data *x, size_t b, double *t)
{
	if (x->wblocks == NULL)
		return;
	for (size_t r = 0; r < gmm_data_block_rows(x, b); r++)
		t[r] *= x->wblocks[b][r];
}

/* A row drawn in proportion to its weight. */
static size_t
draw_row(const struct gmm_data *x, gsl_rng *rng)
{
	double u, s = 0;
	size_t last = 0;

	if (x->wblocks == NULL)
		return gsl_rng_uniform_int(rng, x->n);
	u = gsl_rng_uniform(rng) * x->weight_total;
	for (size_t i = 0; i < x->n; i++) {
		double w = gmm_data_weight(x, i);

		if (w > 0)
			last = i;
		s += w;
		if (s > u && w > 0)
			return i;
	}
	return last;
}

/* Index i where the running sum of w first exceeds r; when rounding
 * leaves none, the last with w > 0 (the last if none is). */
static size_t
search_cumulative(const double *w, size_t n, double r)
{
	double s = 0;
	size_t last = n - 1;

	for (size_t i = 0; i < n; i++) {
		s += w[i];
		if (s > r)
			return i;
		if (w[i] > 0)
			last = i;
	}
	return last;
}

/*
 * The seeding's passes over the rows, on the pool's threads: task t takes
 * SEED_BLOCKS blocks and leaves, for each of ncand candidate centres, the
 * sum over its rows in order of the (weighted) squared distance to the
 * nearest centre were the candidate added (part[t * ncand + c]); with
 * update (one candidate), closest becomes that distance (first: the
 * candidate is the only centre).  The sums are added in task order, so
 * the result does not depend on the threads.
 */
#define SEED_BLOCKS 4

struct seed_job {
	const struct gmm_data *x;
	double *closest;
	const double *cand;
	size_t ncand;
	int update, first;
	double *part;
};

static void
seed_work(void *ctx, size_t task, size_t slot, int worker)
{
	const struct seed_job *j = ctx;
	const struct gmm_data *x = j->x;
	size_t b1 = (task + 1) * SEED_BLOCKS, nc = j->ncand;
	double t[GMM_KERNEL_VAR_COMPS * GMM_BLOCK_ROWS];
	double *part = j->part + task * nc;

	(void)slot;
	(void)worker;
	b1 = b1 < x->nblocks ? b1 : x->nblocks;
	for (size_t c = 0; c < nc; c++)
		part[c] = 0;
	for (size_t b = task * SEED_BLOCKS; b < b1; b++) {
		size_t rows = gmm_data_block_rows(x, b);
		double *cl = j->closest + b * GMM_BLOCK_ROWS;

		for (size_t c = 0; c < nc; c++) {
			double s = 0, *tc = t + c % GMM_KERNEL_VAR_COMPS *
			    GMM_BLOCK_ROWS;

			if (c % GMM_KERNEL_VAR_COMPS == 0)
				block_dists(x, b, j->cand + c * x->d, nc - c <
				    GMM_KERNEL_VAR_COMPS ? nc - c :
				    GMM_KERNEL_VAR_COMPS, t);
			weigh(x, b, tc);
			if (j->update) {
				for (size_t r = 0; r < rows; r++) {
					if (j->first || tc[r] < cl[r])
						cl[r] = tc[r];
					s += cl[r];
				}
			} else {
				for (size_t r = 0; r < rows; r++)
					s += tc[r] < cl[r] ? tc[r] : cl[r];
			}
			part[c] += s;
		}
	}
}

/* One seeding pass (above); pot[c] gets candidate c's potential. */
static void
seed_pass(struct gmm_pool *pool, int threads, struct seed_job *j,
    double *pot)
{
	size_t ntasks = (j->x->nblocks + SEED_BLOCKS - 1) / SEED_BLOCKS;

	gmm_pool_run(pool, threads, ntasks, 1, seed_work, NULL, j);
	for (size_t c = 0; c < j->ncand; c++) {
		pot[c] = 0;
		for (size_t t = 0; t < ntasks; t++)
			pot[c] += j->part[t * j->ncand + c];
	}
}

/*
 * One greedy k-means++ seeding into centers: the first centre a row drawn
 * by weight, each next the best by potential of `trials` rows drawn in
 * proportion to weight times squared distance from the nearest centre so
 * far; *potential gets the seeding's.  cand: trials x d scratch.
 */
static void
seed_once(const struct gmm_data *x, size_t k, size_t trials, gsl_rng *rng,
    struct gmm_pool *pool, int threads, struct seed_job *j, double *cand,
    double *pots, double *centers, double *potential)
{
	size_t d = x->d;
	double pot;

	gmm_data_row(x, draw_row(x, rng), centers);
	j->cand = centers;
	j->ncand = 1;
	j->update = j->first = 1;
	seed_pass(pool, threads, j, &pot);
	for (size_t c = 1; c < k; c++) {
		size_t best = 0;

		for (size_t t = 0; t < trials; t++) {
			/* all rows on the centres chosen: any row will do */
			size_t row = pot > 0 ? search_cumulative(j->closest,
			    x->n, gsl_rng_uniform(rng) * pot)
			    : draw_row(x, rng);

			gmm_data_row(x, row, cand + t * d);
		}
		j->cand = cand;
		j->ncand = trials;
		j->update = j->first = 0;
		seed_pass(pool, threads, j, pots);
		for (size_t t = 1; t < trials; t++)
			if (pots[t] < pots[best])
				best = t;
		memcpy(centers + c * d, cand + best * d, d * sizeof(double));
		j->cand = centers + c * d;
		j->ncand = 1;
		j->update = 1;
		seed_pass(pool, threads, j, &pot);
	}
	*potential = pot;
}

int
gmm_init_kmeanspp(const struct gmm_data *x, size_t k, size_t seedings,
    int threads, gsl_rng *rng, double *centers, struct gmm_error *err)
{
	size_t n = x->n, d = x->d;
	size_t trials = 2 + (size_t)log((double)k);
	size_t ntasks = (x->nblocks + SEED_BLOCKS - 1) / SEED_BLOCKS;
	double *closest = malloc((n ? n : 1) * sizeof(double));
	double *cand = malloc(trials * d * sizeof(double));
	double *pots = malloc(trials * sizeof(double));
	double *part = malloc((ntasks ? ntasks : 1) * trials *
	    sizeof(double));
	double *c = seedings > 1 ? malloc(k * d * sizeof(double)) : centers;
	struct gmm_pool *pool;
	struct seed_job j = { .x = x, .closest = closest, .part = part };
	double best = INFINITY;
	int rc = 0;

	threads = threads < 1 ? 1 : threads;
	pool = gmm_pool_new(threads);
	if (closest == NULL || cand == NULL || pots == NULL || part == NULL ||
	    c == NULL || pool == NULL) {
		rc = gmm_error_nomem(err);
		seedings = 0;
	}
	for (size_t s = 0; s < seedings; s++) {
		double pot;

		seed_once(x, k, trials, rng, pool, threads, &j, cand, pots, c,
		    &pot);
		/* the first of equals; a NaN potential (never from finite
		 * rows) would keep the first */
		if (s == 0 || pot < best) {
			best = pot;
			if (c != centers)
				memcpy(centers, c, k * d * sizeof(double));
		}
	}
	gmm_pool_free(pool);
	free(closest);
	free(cand);
	free(pots);
	free(part);
	if (c != centers)
		free(c);
	return rc;
}

/*
 * Nearest centre of every row (the first of equals); returns how many
 * labels changed.  The pool's threads take ASSIGN_BLOCKS blocks of rows
 * at a time as each becomes free (pool.h), so a thread slowed by a busy
 * neighbour takes fewer (an OpenMP static schedule gave it half of them
 * and the pass waited for it); each row's label is its own, so the
 * result does not depend on the threads.
 */
#define ASSIGN_BLOCKS 4

/* No centre yet for `rows` rows. */
static void
nearest_begin(size_t rows, double *best, uint32_t *lab)
{
	for (size_t r = 0; r < rows; r++) {
		best[r] = INFINITY;
		lab[r] = 0;
	}
}

/* Centres c0 .. c0 + nc - 1 at distances t (kernel_dists()): each row
 * takes the first nearer than its best so far. */
static void
nearest_update(const double *t, size_t rows, size_t c0, size_t nc,
    double *best, uint32_t *lab)
{
	for (size_t q = 0; q < nc; q++)
		for (size_t r = 0; r < rows; r++)
			if (t[q * GMM_BLOCK_ROWS + r] < best[r]) {
				best[r] = t[q * GMM_BLOCK_ROWS + r];
				lab[r] = (uint32_t)(c0 + q);
			}
}

void
gmm_init_nearest(const double *xt, size_t rows, size_t d,
    const double *centers, size_t k, uint32_t *lab)
{
	double best[GMM_BLOCK_ROWS];
	double t[GMM_KERNEL_VAR_COMPS * GMM_BLOCK_ROWS];

	nearest_begin(rows, best, lab);
	for (size_t c0 = 0; c0 < k; c0 += GMM_KERNEL_VAR_COMPS) {
		size_t nc = k - c0 < GMM_KERNEL_VAR_COMPS ? k - c0 :
		    GMM_KERNEL_VAR_COMPS;

		kernel_dists(xt, rows, d, centers + c0 * d, nc, t);
		nearest_update(t, rows, c0, nc, best, lab);
	}
}

struct assign_job {
	const struct gmm_data *x;
	size_t k;
	const double *centers;
	uint32_t *labels;
	double *dist;
	size_t *changed;	/* a count per worker */
};

static void
assign_work(void *ctx, size_t task, size_t slot, int worker)
{
	const struct assign_job *j = ctx;
	const struct gmm_data *x = j->x;
	size_t b1 = (task + 1) * ASSIGN_BLOCKS, changed = 0;

	(void)slot;
	b1 = b1 < x->nblocks ? b1 : x->nblocks;
	for (size_t b = task * ASSIGN_BLOCKS; b < b1; b++) {
		size_t rows = gmm_data_block_rows(x, b), i0 = b * GMM_BLOCK_ROWS;
		double best[GMM_BLOCK_ROWS];
		double t[GMM_KERNEL_VAR_COMPS * GMM_BLOCK_ROWS];
		uint32_t lab[GMM_BLOCK_ROWS];

		nearest_begin(rows, best, lab);
		for (size_t c0 = 0; c0 < j->k; c0 += GMM_KERNEL_VAR_COMPS) {
			size_t nc = j->k - c0 < GMM_KERNEL_VAR_COMPS ?
			    j->k - c0 : GMM_KERNEL_VAR_COMPS;

			block_dists(x, b, j->centers + c0 * x->d, nc, t);
			nearest_update(t, rows, c0, nc, best, lab);
		}
		for (size_t r = 0; r < rows; r++) {
			changed += j->labels[i0 + r] != lab[r];
			j->labels[i0 + r] = lab[r];
			j->dist[i0 + r] = best[r];
		}
	}
	j->changed[worker] += changed;
}

static size_t
assign(const struct gmm_data *x, size_t k, struct gmm_pool *pool,
    int threads, size_t *per_worker, const double *centers,
    uint32_t *labels, double *dist)
{
	struct assign_job j = { x, k, centers, labels, dist, per_worker };
	size_t changed = 0;

	memset(per_worker, 0, (size_t)threads * sizeof(size_t));
	gmm_pool_run(pool, threads, (x->nblocks + ASSIGN_BLOCKS - 1) /
	    ASSIGN_BLOCKS, 1, assign_work, NULL, &j);
	for (int w = 0; w < threads; w++)
		changed += per_worker[w];
	return changed;
}

/*
 * The centres' columns as the means of their rows' observed values, for
 * data with missing values; count[c] gets each centre's (weighted) rows,
 * cnt (k x d) is scratch.  A column that none of a centre's rows observes
 * keeps the centre's old value.
 */
static void
masked_means(const struct gmm_data *x, size_t k, double *centers,
    const uint32_t *labels, double *count, double *cnt)
{
	size_t d = x->d;
	double *sum = cnt + k * d;

	memset(sum, 0, k * d * sizeof(double));
	memset(cnt, 0, k * d * sizeof(double));
	memset(count, 0, k * sizeof(double));
	for (size_t i = 0; i < x->n; i++) {
		const struct gmm_pattern *p = gmm_data_pattern_at(x, i);
		double w = gmm_data_weight(x, i);
		size_t c = labels[i];

		count[c] += w;
		for (size_t j = 0; j < d; j++) {
			if (p != NULL && !p->mask[j])
				continue;
			sum[c * d + j] += w * gmm_data_at(x, i, j);
			cnt[c * d + j] += w;
		}
	}
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d && count[c] > 0; j++)
			if (cnt[c * d + j] > 0)
				centers[c * d + j] = sum[c * d + j] /
				    cnt[c * d + j];
}

/* Move centres to the means of their rows; empty ones to far rows. */
static void
update_centers(const struct gmm_data *x, size_t k, double *centers,
    uint32_t *labels, double *dist, double *count, double *cnt)
{
	size_t n = x->n, d = x->d;

	if (x->npatterns > 0) {
		masked_means(x, k, centers, labels, count, cnt);
		goto empty;
	}
	memset(centers, 0, k * d * sizeof(double));
	memset(count, 0, k * sizeof(double));
	for (size_t b = 0; b < x->nblocks; b++)
		for (size_t r = 0; r < gmm_data_block_rows(x, b); r++) {
			size_t i = b * GMM_BLOCK_ROWS + r;
			const double *row = x->blocks[b] + r;
			double *ctr = centers + labels[i] * d;
			double w = x->wblocks ? x->wblocks[b][r] : 1;

			if (x->wblocks == NULL) {	/* the old bits */
				count[labels[i]]++;
				for (size_t j = 0; j < d; j++)
					ctr[j] += row[j * GMM_BLOCK_ROWS];
				continue;
			}
			count[labels[i]] += w;
			for (size_t j = 0; j < d; j++)
				ctr[j] += w * row[j * GMM_BLOCK_ROWS];
		}
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d && count[c] > 0; j++)
			centers[c * d + j] /= count[c];
empty:
	for (size_t c = 0; c < k; c++) {
		size_t far = 0;

		if (count[c] > 0)
			continue;
		/* the farthest row that counts (weight > 0) */
		while (far + 1 < n && !(gmm_data_weight(x, far) > 0))
			far++;
		for (size_t i = far + 1; i < n; i++)
			if (dist[i] > dist[far] && gmm_data_weight(x, i) > 0)
				far = i;
		gmm_data_row(x, far, centers + c * d);
		dist[far] = 0;
		labels[far] = (uint32_t)c;
	}
}

/*
 * GMM_KMEANS_TOL times the mean of the (weighted) column variances
 * (data.h): how far the centres may move in all (the sum of squared
 * shifts) in a Lloyd iteration that ends the iterations, as scikit-learn's
 * KMeans(tol) judges it; -1 when out of memory.  Missing values count as
 * held (data.h).
 */
static double
lloyd_tol(const struct gmm_data *x)
{
	double *var = malloc((x->d ? x->d : 1) * sizeof(double)), v = 0;

	if (var == NULL || gmm_data_column_variances(x, var) < 0) {
		free(var);
		return -1;
	}
	for (size_t j = 0; j < x->d; j++)
		v += var[j];
	free(var);
	return GMM_KMEANS_TOL * v / (double)(x->d ? x->d : 1);
}

int
gmm_init_assign(const struct gmm_data *x, size_t k, size_t lloyd,
    int threads, double *centers, uint32_t *labels, struct gmm_error *err)
{
	size_t n = x->n, d = x->d;
	double *dist = malloc(n * sizeof(double));
	double *count = malloc(k * sizeof(double));
	double *prev = malloc(k * d * sizeof(double));
	double *cnt = x->npatterns > 0 ? malloc(2 * k * d * sizeof(double))
	    : NULL;
	struct gmm_pool *pool;
	size_t *per_worker;
	double tol;

	threads = threads < 1 ? 1 : threads;
	pool = gmm_pool_new(threads);
	per_worker = calloc((size_t)threads, sizeof(size_t));
	tol = lloyd > 0 ? lloyd_tol(x) : 0;
	if (dist == NULL || count == NULL || prev == NULL ||
	    (x->npatterns > 0 && cnt == NULL) || pool == NULL ||
	    per_worker == NULL || tol < 0) {
		free(dist);
		free(count);
		free(prev);
		free(cnt);
		gmm_pool_free(pool);
		free(per_worker);
		return gmm_error_nomem(err);
	}
	memset(labels, 0, n * sizeof(uint32_t));
	assign(x, k, pool, threads, per_worker, centers, labels, dist);

	for (size_t it = 0; it < lloyd; it++) {
		double shift = 0;

		memcpy(prev, centers, k * d * sizeof(double));
		update_centers(x, k, centers, labels, dist, count, cnt);
		/*
		 * Centres that did not move give the labels they gave: done.
		 * (Labels alone never settle on rows that are all the same:
		 * an empty centre is reseeded onto a row that the next pass
		 * takes back, and every pass of 300 ran: 290 s for 100 MB.)
		 */
		if (memcmp(prev, centers, k * d * sizeof(double)) == 0)
			break;
		for (size_t j = 0; j < k * d; j++)
			shift += (centers[j] - prev[j]) * (centers[j] -
			    prev[j]);
		/* the labels are the nearest centres' when it stops */
		if (assign(x, k, pool, threads, per_worker, centers, labels,
		    dist) == 0 || shift <= tol)
			break;
	}
	gmm_pool_free(pool);
	free(per_worker);
	free(dist);
	free(count);
	free(prev);
	free(cnt);
	return 0;
}

/* Squared distance of row i from c. */
static double
row_dist(const struct gmm_data *x, size_t i, const double *c)
{
	double s = 0;

	for (size_t j = 0; j < x->d; j++) {
		double t = gmm_data_at(x, i, j) - c[j];

		s += t * t;
	}
	return s;
}

/* The weighted mean of the rows of each label into centers (with
 * known_only, of the labelled rows alone); returns the first label with
 * no weight, or k when every one has some. */
static size_t
label_centres(const struct gmm_data *x, size_t k, const uint32_t *labels,
    int known_only, double *centers, double *count)
{
	size_t d = x->d, empty = k;

	memset(centers, 0, k * d * sizeof(double));
	memset(count, 0, k * sizeof(double));
	for (size_t i = 0; i < x->n; i++) {
		double w = gmm_data_weight(x, i);

		if (known_only && x->label[i] < 0)
			continue;
		count[labels[i]] += w;
		for (size_t j = 0; j < d; j++)
			centers[labels[i] * d + j] += w * gmm_data_at(x, i, j);
	}
	for (size_t c = 0; c < k; c++) {
		if (!(count[c] > 0)) {
			if (empty == k)
				empty = c;
			continue;
		}
		for (size_t j = 0; j < d; j++)
			centers[c * d + j] /= count[c];
	}
	return empty;
}

int
gmm_init_constrained(const struct gmm_data *x, size_t k, size_t lloyd,
    int threads, gsl_rng *rng, double *centers, uint32_t *labels,
    struct gmm_error *err)
{
	size_t n = x->n, d = x->d, nc = x->nclasses, free_rows = 0;
	double *closest = malloc((n ? n : 1) * sizeof(double));
	double *count = malloc(k * sizeof(double));
	uint32_t *prev = malloc((n ? n : 1) * sizeof(uint32_t));
	int rc = -1;

	if (closest == NULL || count == NULL || prev == NULL) {
		rc = gmm_error_nomem(err);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		labels[i] = x->label[i] >= 0 ? (uint32_t)x->label[i] : 0;
		free_rows += x->label[i] < 0 && gmm_data_weight(x, i) > 0;
	}
	if (k > nc && free_rows == 0) {
		rc = gmm_error_set(err, NULL, 0, "k = %zu is more than the %zu "
		    "classes, but no row is unlabelled: there is nothing to "
		    "find a new class in", k, nc);
		goto out;
	}
	label_centres(x, nc, labels, 1, centers, count);
	/* the new classes: k-means++ draws among the unlabelled rows */
	for (size_t c = nc; c < k; c++) {
		double pot = 0;
		size_t pick = n;

		for (size_t i = 0; i < n; i++) {
			double w = gmm_data_weight(x, i), best = INFINITY;

			closest[i] = 0;
			if (x->label[i] >= 0 || !(w > 0))
				continue;
			for (size_t q = 0; q < c; q++) {
				double t = row_dist(x, i, centers + q * d);

				best = t < best ? t : best;
			}
			closest[i] = w * best;
			pot += closest[i];
		}
		if (pot > 0) {
			pick = search_cumulative(closest, n,
			    gsl_rng_uniform(rng) * pot);
		} else {	/* every free row on a centre: any will do */
			size_t r = gsl_rng_uniform_int(rng, free_rows);

			for (size_t i = 0; i < n && pick == n; i++)
				if (x->label[i] < 0 && gmm_data_weight(x,
				    i) > 0 && r-- == 0)
					pick = i;
		}
		gmm_data_row(x, pick, centers + c * d);
	}
	for (size_t it = 0; it < lloyd; it++) {
		size_t changed = 0, empty;

		memcpy(prev, labels, n * sizeof(uint32_t));
		if (gmm_init_assign(x, k, 0, threads, centers, labels,
		    err) < 0)
			goto out;
		for (size_t i = 0; i < n; i++) {
			if (x->label[i] >= 0)
				labels[i] = (uint32_t)x->label[i];
			changed += labels[i] != prev[i];
		}
		if (it > 0 && changed == 0)
			break;
		while ((empty = label_centres(x, k, labels, 0, centers,
		    count)) < k && empty >= nc) {
			/* a new class emptied: onto the unlabelled row
			 * farthest from its centre */
			double far = -1;
			size_t at = n;

			for (size_t i = 0; i < n; i++) {
				double t;

				if (x->label[i] >= 0 || !(gmm_data_weight(x,
				    i) > 0) || count[labels[i]] <= 1)
					continue;
				t = row_dist(x, i, centers + labels[i] * d);
				if (t > far) {
					far = t;
					at = i;
				}
			}
			if (at == n)
				break;	/* too few free rows to move one */
			labels[at] = (uint32_t)empty;
		}
	}
	rc = 0;
out:
	free(closest);
	free(count);
	free(prev);
	return rc;
}
