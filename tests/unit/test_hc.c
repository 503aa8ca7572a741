/*
 * hc: Ward's agglomeration by the nearest-neighbour chain against the
 * textbook algorithm (every pair's cost 2 n_a n_b / (n_a + n_b) |c_a -
 * c_b|^2 at every step, the cheapest merged): the same costs and, cut at
 * every k, the same partition; and gmm_hc_labels(): two far groups cut at
 * 2, the subset of GMM_HC_MAX_ROWS rows when there are more (the others
 * unused), labels 0..k-1 each used, the same labels for the same seed.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "engine/hc.h"

#define M 40
#define D 3

/* The textbook algorithm: merge costs in order, and at each step's end
 * the cluster of each point (named by its smallest point). */
static void
brute(const double *pts, double *cost, size_t part[M][M])
{
	size_t of[M], n[M];
	double c[M][D];
	int alive[M];

	for (size_t i = 0; i < M; i++) {
		of[i] = i;
		n[i] = 1;
		alive[i] = 1;
		memcpy(c[i], pts + i * D, sizeof(c[i]));
	}
	for (size_t t = 0; t + 1 < M; t++) {
		size_t ba = 0, bb = 0;
		double best = INFINITY;

		for (size_t a = 0; a < M; a++)
			for (size_t b = a + 1; b < M; b++) {
				double s = 0, w;

				if (!alive[a] || !alive[b])
					continue;
				for (size_t q = 0; q < D; q++)
					s += (c[a][q] - c[b][q]) * (c[a][q] -
					    c[b][q]);
				w = 2 * (double)n[a] * (double)n[b] /
				    (double)(n[a] + n[b]) * s;
				if (w < best) {
					best = w;
					ba = a;
					bb = b;
				}
			}
		cost[t] = best;
		for (size_t q = 0; q < D; q++)
			c[ba][q] = ((double)n[ba] * c[ba][q] + (double)n[bb] *
			    c[bb][q]) / (double)(n[ba] + n[bb]);
		n[ba] += n[bb];
		alive[bb] = 0;
		for (size_t i = 0; i < M; i++)
			if (of[i] == bb)
				of[i] = ba;
		memcpy(part[t], of, sizeof(of));
	}
}

static int
by_value(const void *u, const void *v)
{
	double a = *(const double *)u, b = *(const double *)v;

	return a < b ? -1 : a > b;
}

static size_t
root(size_t *p, size_t i)
{
	while (p[i] != i)
		i = p[i];
	return i;
}

static void
check_ward(gsl_rng *r)
{
	double pts[M * D], want[M], h[M], sorted[M];
	size_t a[M], b[M], part[M][M], order[M], parent[M];

	for (size_t i = 0; i < M * D; i++)
		pts[i] = 10 * gsl_rng_uniform(r);
	brute(pts, want, part);
	CHECK(gmm_hc_ward(pts, M, D, a, b, h) == 0, "ward");
	memcpy(sorted, h, sizeof(double) * (M - 1));
	qsort(sorted, M - 1, sizeof(double), by_value);
	for (size_t t = 0; t + 1 < M; t++)
		CHECK_TOL(sorted[t], want[t], 1e-12, 1e-12, "merge %zu cost", t);
	/* cut after t + 1 merges, in order of cost: brute's partition */
	for (size_t t = 0; t + 1 < M; t++)
		order[t] = t;
	for (size_t i = 0; i + 1 < M; i++)	/* by cost (no ties here) */
		for (size_t j = i + 1; j + 1 < M; j++)
			if (h[order[j]] < h[order[i]]) {
				size_t s = order[i];

				order[i] = order[j];
				order[j] = s;
			}
	for (size_t i = 0; i < M; i++)
		parent[i] = i;
	for (size_t t = 0; t + 1 < M; t++) {
		size_t u = root(parent, a[order[t]]), v = root(parent,
		    b[order[t]]), bad = 0;

		parent[u > v ? u : v] = u < v ? u : v;
		for (size_t i = 0; i < M; i++)
			bad += root(parent, i) != part[t][i];
		CHECK(bad == 0, "after %zu merges: %zu points elsewhere", t + 1,
		    bad);
	}
}

static void
check_labels(gsl_rng *r)
{
	size_t n = 5000, d = 2, used = 0, wrong = 0, seen[3] = { 0 };
	double *rows = malloc(n * d * sizeof(double));
	uint32_t *lab = malloc(n * sizeof(uint32_t));
	uint32_t *again = malloc(n * sizeof(uint32_t));
	struct gmm_data x;
	struct gmm_error err;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);

	/* rows 0 .. n/2-1 near (0, 0), the others near (100, 100) */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			rows[i * d + j] = (i < n / 2 ? 0 : 100) +
			    gsl_rng_uniform(r);
	CHECK(gmm_data_from_rows(&x, rows, n, d) == 0, "data");
	gsl_rng_set(g, 7);
	CHECK(gmm_hc_labels(&x, 2, g, lab, &err) == 0, "labels");
	for (size_t i = 0; i < n; i++) {
		if (lab[i] == GMM_HC_UNUSED)
			continue;
		used++;
		seen[lab[i] < 2 ? lab[i] : 2]++;
		/* the first labelled row names cluster 0 */
		wrong += lab[i] != (i < n / 2 ? 0u : 1u);
	}
	CHECK(used == GMM_HC_MAX_ROWS, "%zu rows agglomerated", used);
	CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] == 0, "labels 0 and 1");
	CHECK(wrong == 0, "%zu rows in the other group", wrong);
	gsl_rng_set(g, 7);
	CHECK(gmm_hc_labels(&x, 2, g, again, &err) == 0 &&
	    memcmp(lab, again, n * sizeof(uint32_t)) == 0, "same seed");
	gmm_data_release(&x);
	/* fewer rows than the subset: every row, every label used */
	CHECK(gmm_data_from_rows(&x, rows + (n / 2 - 50) * d, 100, d) == 0,
	    "data");
	CHECK(gmm_hc_labels(&x, 3, g, lab, &err) == 0, "labels");
	memset(seen, 0, sizeof(seen));
	for (size_t i = 0; i < 100; i++)
		seen[lab[i] < 3 ? lab[i] : 0] += lab[i] < 3;
	CHECK(seen[0] + seen[1] + seen[2] == 100 && seen[0] && seen[1] &&
	    seen[2], "k = 3 of 100 rows: %zu %zu %zu", seen[0], seen[1],
	    seen[2]);
	gmm_data_release(&x);
	gsl_rng_free(g);
	free(rows);
	free(lab);
	free(again);
}

int
main(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	for (int i = 0; i < 5; i++)
		check_ward(r);
	check_labels(r);
	gsl_rng_free(r);
	return check_done("test_hc");
}
