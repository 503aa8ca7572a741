/*
 * init: the k-means start at scale (issue 18 section 5).  The seeding's
 * passes run on the pool's threads with the E-step's distance kernel, and
 * the centres do not depend on the number of threads; the best of
 * several seedings has a potential no higher than the first seeding's
 * (the same rng); on 16 separated clusters in 16-D the best of
 * GMM_KMEANS_SEEDINGS seedings then Lloyd finds every cluster from every
 * seed tried; Lloyd's labels are each row's nearest centre; and the
 * sample of many rows in memory (data.h: gmm_data_pick_sample()) is a
 * subsequence of the rows of about GMM_SPILL_SAMPLE, with their weights,
 * taken only where it should be.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "base/consts.h"
#include "engine/data.h"
#include "engine/init.h"

#define K 16
#define D 16

/* n rows of K clusters in D columns: centres uniform in [-10, 10]^D,
 * unit spread; truth[i] gets each row's cluster. */
static double *
clusters(size_t n, unsigned long seed, size_t *truth)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *x = malloc(n * D * sizeof(double)), mu[K * D];

	gsl_rng_set(r, seed);
	for (size_t j = 0; j < K * D; j++)
		mu[j] = 20 * gsl_rng_uniform(r) - 10;
	for (size_t i = 0; i < n; i++) {
		size_t c = i % K;

		truth[i] = c;
		for (size_t j = 0; j < D; j++)
			x[i * D + j] = mu[c * D + j] + gsl_ran_gaussian(r, 1);
	}
	gsl_rng_free(r);
	return x;
}

/* Sum over rows of the squared distance to the nearest centre. */
static double
potential(const struct gmm_data *x, const double *c, size_t k)
{
	double pot = 0, row[D];

	for (size_t i = 0; i < x->n; i++) {
		double best = INFINITY;

		gmm_data_row(x, i, row);
		for (size_t q = 0; q < k; q++) {
			double s = 0;

			for (size_t j = 0; j < x->d; j++)
				s += (row[j] - c[q * x->d + j]) *
				    (row[j] - c[q * x->d + j]);
			best = s < best ? s : best;
		}
		pot += best;
	}
	return pot;
}

static int
seeded(const struct gmm_data *x, size_t seedings, int threads,
    unsigned long seed, double *c)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_error err;
	int rc;

	gsl_rng_set(r, seed);
	rc = gmm_init_kmeanspp(x, K, seedings, threads, r, c, &err);
	gsl_rng_free(r);
	return rc;
}

static void
check_seeding(void)
{
	size_t n = 5000, truth[5000], worse = 0;
	double *rows = clusters(n, 1, truth);
	struct gmm_data x;
	double c1[K * D], c2[K * D], c3[K * D];

	CHECK(gmm_data_from_rows(&x, rows, n, D) == 0, "data");
	/* threads do not change the centres */
	CHECK(seeded(&x, 3, 1, 7, c1) == 0 && seeded(&x, 3, 2, 7, c2) == 0 &&
	    seeded(&x, 3, 3, 7, c3) == 0, "seedings on 1, 2, 3 threads");
	CHECK(memcmp(c1, c2, sizeof(c1)) == 0 && memcmp(c1, c3,
	    sizeof(c1)) == 0, "  the same centres, bitwise");
	/* each centre is a row */
	for (size_t q = 0; q < K; q++) {
		int found = 0;
		double row[D];

		for (size_t i = 0; i < n && !found; i++) {
			gmm_data_row(&x, i, row);
			found = memcmp(row, c1 + q * D, sizeof(row)) == 0;
		}
		CHECK(found, "centre %zu is one of the rows", q);
	}
	/* the best of 3 is no worse than the first, which one seeding
	 * gives from the same rng */
	for (unsigned long s = 0; s < 20; s++) {
		double p1, p3;

		seeded(&x, 1, 2, s, c1);
		seeded(&x, 3, 2, s, c3);
		p1 = potential(&x, c1, K);
		p3 = potential(&x, c3, K);
		CHECK(p3 <= p1 * (1 + 1e-12), "seed %lu: best of 3 %.17g, "
		    "one %.17g", s, p3, p1);
		worse += p3 < p1 * (1 - 1e-9);
	}
	CHECK(worse > 0, "the best of 3 is better than one seeding on some "
	    "seed (%zu of 20)", worse);
	gmm_data_release(&x);
	free(rows);
}

/* The k-means start as em.c makes it: best of GMM_KMEANS_SEEDINGS, then
 * Lloyd; 1 when every cluster has exactly one centre. */
static int
finds_all(const struct gmm_data *x, const size_t *truth, unsigned long seed,
    size_t seedings, uint32_t *labels)
{
	double c[K * D];
	size_t owner[K], count[K][K];
	struct gmm_error err;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed);
	if (gmm_init_kmeanspp(x, K, seedings, 2, r, c, &err) < 0 ||
	    gmm_init_assign(x, K, GMM_KMEANS_MAX_ITER, 2, c, labels,
	    &err) < 0) {
		gsl_rng_free(r);
		return -1;
	}
	gsl_rng_free(r);
	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < x->n; i++)
		count[truth[i]][labels[i]]++;
	for (size_t t = 0; t < K; t++) {
		owner[t] = 0;
		for (size_t q = 1; q < K; q++)
			if (count[t][q] > count[t][owner[t]])
				owner[t] = q;
	}
	for (size_t t = 0; t < K; t++)
		for (size_t u = t + 1; u < K; u++)
			if (owner[t] == owner[u])
				return 0;
	return 1;
}

static void
check_clusters(void)
{
	size_t n = 16000, *truth = malloc(n * sizeof(size_t)), all = 0;
	double *rows;
	uint32_t *labels = malloc(n * sizeof(uint32_t));
	struct gmm_data x;

	rows = clusters(n, 3, truth);
	CHECK(gmm_data_from_rows(&x, rows, n, D) == 0, "data");
	for (unsigned long s = 0; s < 12; s++)
		all += finds_all(&x, truth, s, GMM_KMEANS_SEEDINGS,
		    labels) == 1;
	CHECK(all == 12, "16 clusters in 16-D: the k-means start finds "
	    "every one from %zu of 12 seeds", all);
	/* Lloyd's labels are the nearest centres */
	{
		double c[K * D], row[D];
		size_t wrong = 0;
		struct gmm_error err;
		gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

		gsl_rng_set(r, 5);
		gmm_init_kmeanspp(&x, K, 3, 2, r, c, &err);
		gmm_init_assign(&x, K, 0, 3, c, labels, &err);
		gsl_rng_free(r);
		for (size_t i = 0; i < n; i++) {
			double best = INFINITY;
			size_t at = 0;

			gmm_data_row(&x, i, row);
			for (size_t q = 0; q < K; q++) {
				double s = 0;

				for (size_t j = 0; j < D; j++)
					s += (row[j] - c[q * D + j]) *
					    (row[j] - c[q * D + j]);
				if (s < best) {
					best = s;
					at = q;
				}
			}
			wrong += labels[i] != at;
		}
		CHECK(wrong == 0, "every row labelled with its nearest "
		    "centre (%zu not)", wrong);
	}
	gmm_data_release(&x);
	free(rows);
	free(truth);
	free(labels);
}

static void
check_sample(void)
{
	size_t n = 200000, prev = 0, first = 1, inorder = 1, wok = 1;
	struct gmm_data x, s, s2;
	double row[2];

	gmm_data_init(&x, 2);
	gmm_data_set_weighted(&x);
	for (size_t i = 0; i < n; i++) {
		row[0] = (double)i;
		row[1] = -(double)i;
		gmm_data_append_weighted(&x, row, (double)(i % 3));
	}
	CHECK(gmm_data_pick_sample(&x, 11, &s) == 0, "200000 rows: a sample");
	CHECK(s.n > 64000 && s.n < 67000, "  of about %d rows: %zu",
	    GMM_SPILL_SAMPLE, s.n);
	for (size_t i = 0; i < s.n; i++) {
		size_t r = (size_t)gmm_data_at(&s, i, 0);

		inorder &= (first || r > prev) && gmm_data_at(&s, i, 1) ==
		    -(double)r;
		wok &= gmm_data_weight(&s, i) == (double)(r % 3);
		prev = r;
		first = 0;
	}
	CHECK(inorder, "  the rows, in order");
	CHECK(wok, "  with their weights");
	CHECK(gmm_data_pick_sample(&x, 12, &s2) == 0 && (s2.n != s.n ||
	    memcmp(s.blocks[0], s2.blocks[0], GMM_BLOCK_ROWS *
	    sizeof(double)) != 0), "  another seed, another sample");
	gmm_data_release(&s);
	gmm_data_release(&s2);
	gmm_data_release(&x);

	gmm_data_init(&x, 2);
	for (size_t i = 0; i < GMM_SPILL_SAMPLE; i++) {
		row[0] = row[1] = (double)i;
		gmm_data_append(&x, row);
	}
	CHECK(gmm_data_pick_sample(&x, 11, &s) == 1 && s.n == 0,
	    "GMM_SPILL_SAMPLE rows: no sample, every row is read");
	gmm_data_release(&s);
	gmm_data_release(&x);
}

int
main(void)
{
	check_seeding();
	check_clusters();
	check_sample();
	return check_done("test_init");
}
