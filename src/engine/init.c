#include "engine/init.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

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
 * Squared distances of the rows of block b from c (d values) into out:
 * column by column, so that the loop runs along the rows, vectorised; each
 * row's sum still adds its columns in order, as a row-major loop would.
 */
static void
block_dists(const struct gmm_data *x, size_t b, const double *c, double *out)
{
	const double *xt = x->blocks[b];
	size_t rows = gmm_data_block_rows(x, b);

	if (b * GMM_BLOCK_ROWS + rows > x->complete) {
		masked_dists(x, b, c, out);
		if (b * GMM_BLOCK_ROWS >= x->complete)
			return;
		rows = x->complete - b * GMM_BLOCK_ROWS;
	}

	for (size_t r = 0; r < rows; r++)
		out[r] = 0;
	for (size_t j = 0; j < x->d; j++) {
		const double *col = xt + j * GMM_BLOCK_ROWS;

#pragma omp simd
		for (size_t r = 0; r < rows; r++) {
			double t = col[r] - c[j];

			out[r] += t * t;
		}
	}
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

/* Index i where the running sum of w first exceeds r (the last if none). */
static size_t
search_cumulative(const double *w, size_t n, double r)
{
	double s = 0;

	for (size_t i = 0; i < n; i++) {
		s += w[i];
		if (s > r)
			return i;
	}
	return n - 1;
}

/* Potential (sum of min squared distances) if row `cand` became a centre. */
static double
potential_with(const struct gmm_data *x, const double *closest,
    const double *cand)
{
	double pot = 0, t[GMM_BLOCK_ROWS];

	for (size_t b = 0; b < x->nblocks; b++) {
		const double *cl = closest + b * GMM_BLOCK_ROWS;

		block_dists(x, b, cand, t);
		weigh(x, b, t);
		for (size_t r = 0; r < gmm_data_block_rows(x, b); r++)
			pot += t[r] < cl[r] ? t[r] : cl[r];
	}
	return pot;
}

/* closest[i] = min(closest[i], distance of row i from c) (first: =);
 * returns the sum of closest, in row order. */
static double
closer(const struct gmm_data *x, const double *c, double *closest, int first)
{
	double pot = 0, t[GMM_BLOCK_ROWS];

	for (size_t b = 0; b < x->nblocks; b++) {
		double *cl = closest + b * GMM_BLOCK_ROWS;

		block_dists(x, b, c, t);
		weigh(x, b, t);
		for (size_t r = 0; r < gmm_data_block_rows(x, b); r++) {
			if (first || t[r] < cl[r])
				cl[r] = t[r];
			pot += cl[r];
		}
	}
	return pot;
}

int
gmm_init_kmeanspp(const struct gmm_data *x, size_t k, gsl_rng *rng,
    double *centers, struct gmm_error *err)
{
	size_t n = x->n, d = x->d;
	double *closest = malloc(n * sizeof(double)), pot = 0;
	double *row = malloc(d * sizeof(double));
	size_t trials = 2 + (size_t)log((double)k), first;

	if (closest == NULL || row == NULL) {
		free(closest);
		free(row);
		return gmm_error_nomem(err);
	}
	first = draw_row(x, rng);
	gmm_data_row(x, first, centers);
	pot = closer(x, centers, closest, 1);
	for (size_t c = 1; c < k; c++) {
		size_t best = 0;
		double best_pot = INFINITY;

		for (size_t t = 0; t < trials; t++) {
			/* all rows on the centres chosen: any row will do */
			size_t cand = pot > 0 ? search_cumulative(closest, n,
			    gsl_rng_uniform(rng) * pot)
			    : draw_row(x, rng);
			double p;

			gmm_data_row(x, cand, row);
			p = potential_with(x, closest, row);

			if (p < best_pot) {
				best_pot = p;
				best = cand;
			}
		}
		gmm_data_row(x, best, centers + c * d);
		pot = closer(x, centers + c * d, closest, 0);
	}
	free(closest);
	free(row);
	return 0;
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
		double best[GMM_BLOCK_ROWS], t[GMM_BLOCK_ROWS];
		uint32_t lab[GMM_BLOCK_ROWS];

		for (size_t r = 0; r < rows; r++) {
			best[r] = INFINITY;
			lab[r] = 0;
		}
		for (size_t c = 0; c < j->k; c++) {
			block_dists(x, b, j->centers + c * x->d, t);
			for (size_t r = 0; r < rows; r++)
				if (t[r] < best[r]) {
					best[r] = t[r];
					lab[r] = (uint32_t)c;
				}
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

	threads = threads < 1 ? 1 : threads;
	pool = gmm_pool_new(threads);
	per_worker = calloc((size_t)threads, sizeof(size_t));
	if (dist == NULL || count == NULL || prev == NULL ||
	    (x->npatterns > 0 && cnt == NULL) || pool == NULL ||
	    per_worker == NULL) {
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
		if (assign(x, k, pool, threads, per_worker, centers, labels,
		    dist) == 0)
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
