/*
 * data: rows appended one by one land in blocks by columns (the layout of
 * engine/kernels.h) with every row and column where gmm_data_at() and
 * gmm_data_row() find it, across block boundaries; the rows past n in the
 * last block are 0; gmm_data_from_rows() gives the same; the in-memory
 * source hands out each block in place, with its index, first row and
 * row count, and no weights, mask or labels; release leaves it empty.
 * Out of core (check_spill()): rows past a budget read back bitwise.
 * gmm_data_append_data() (check_merge()) gives the blocks, weights and
 * counts that appending the rows one by one gives, whatever the two
 * parts' sizes, y's blocks living on in x after y's release; and the
 * blocks of many rows sit in memory advised to transparent huge pages
 * (data.c: slabs; /proc/self/smaps' VmFlags "hg"), where the kernel has
 * them and the build is not AddressSanitizer's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "engine/data.h"

static double
value(size_t i, size_t j)
{
	return (double)i * 10 + (double)j + 0.5;
}

static void
check_shape(size_t n, size_t d)
{
	struct gmm_data x, y;
	struct gmm_source src;
	double *rows = malloc(n * d * sizeof(double)), *row = malloc(d *
	    sizeof(double));
	size_t bad = 0;

	gmm_data_init(&x, d);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < d; j++)
			rows[i * d + j] = value(i, j);
		CHECK(gmm_data_append(&x, rows + i * d) == 0, "append");
	}
	CHECK(x.n == n && x.d == d && x.nblocks == (n + GMM_BLOCK_ROWS - 1) /
	    GMM_BLOCK_ROWS, "n %zu d %zu: %zu blocks", n, d, x.nblocks);
	for (size_t i = 0; i < n; i++) {
		gmm_data_row(&x, i, row);
		for (size_t j = 0; j < d; j++) {
			bad += gmm_data_at(&x, i, j) != value(i, j);
			bad += row[j] != value(i, j);
			bad += x.blocks[i / GMM_BLOCK_ROWS][j * GMM_BLOCK_ROWS +
			    i % GMM_BLOCK_ROWS] != value(i, j);
		}
	}
	CHECK(bad == 0, "n %zu d %zu: %zu values misplaced", n, d, bad);
	for (size_t i = n; i < x.nblocks * GMM_BLOCK_ROWS; i++)
		for (size_t j = 0; j < d; j++)
			bad += x.blocks[i / GMM_BLOCK_ROWS][j * GMM_BLOCK_ROWS +
			    i % GMM_BLOCK_ROWS] != 0;
	CHECK(bad == 0, "n %zu d %zu: padding not zero", n, d);
	CHECK(gmm_data_from_rows(&y, rows, n, d) == 0 && y.n == n &&
	    y.nblocks == x.nblocks, "from rows");
	for (size_t b = 0; b < x.nblocks; b++)
		bad += memcmp(x.blocks[b], y.blocks[b], (size_t)GMM_BLOCK_ROWS *
		    d * sizeof(double)) != 0;
	CHECK(bad == 0, "n %zu d %zu: from rows gives the same blocks", n, d);
	gmm_data_source(&x, &src);
	CHECK(src.n == n && src.d == d && src.nblocks == x.nblocks,
	    "source sizes");
	for (size_t b = x.nblocks; b-- > 0;) {	/* any order */
		struct gmm_block blk;
		struct gmm_error err;

		CHECK(src.block(&src, b, NULL, &blk, &err) == 0, "block %zu", b);
		CHECK(blk.index == b && blk.first == b * GMM_BLOCK_ROWS &&
		    blk.rows == gmm_data_block_rows(&x, b) && blk.rows >= 1 &&
		    blk.xt == x.blocks[b] && blk.weight == NULL &&
		    blk.pattern == NULL && blk.label == NULL,
		    "n %zu: block %zu of %zu rows", n, b, blk.rows);
	}
	gmm_data_release(&x);
	gmm_data_release(&y);
	CHECK(x.n == 0 && x.nblocks == 0 && x.blocks == NULL && x.d == d,
	    "released");
	free(rows);
	free(row);
}

/*
 * Out of core: data whose budget the rows pass hold the same blocks,
 * rows, weights and column statistics as in memory, bitwise, read back
 * from the temporary file; the sample is rows of the data in order, every
 * row when the sample holds them, else about as many as it holds (a hash
 * of row number and seed below GMM_SPILL_SAMPLE_MIN / n here); a missing
 * value after the spill is refused.
 */
static void
check_spill(size_t n, size_t d, size_t budget, int weighted)
{
	struct gmm_data x, y;
	struct gmm_data_budget b = { budget, "/tmp", 7 };
	struct gmm_source sx, sy;
	struct gmm_block bx, by;
	double *row = malloc(d * sizeof(double)), *buf = malloc(
	    GMM_DATA_BUF(d) * sizeof(double)), vx, vy;
	struct gmm_data_shape hx, hy;
	const struct gmm_data *s;
	size_t bad = 0;
	unsigned char *mask = calloc(d, 1);

	gmm_data_init(&x, d);
	gmm_data_init(&y, d);
	CHECK(gmm_data_set_budget(&y, &b) == 0, "budget");
	if (weighted)
		CHECK(gmm_data_set_weighted(&x) == 0 &&
		    gmm_data_set_weighted(&y) == 0, "weighted");
	for (size_t i = 0; i < n; i++) {
		double w = (double)(i % 4);

		for (size_t j = 0; j < d; j++)
			row[j] = value(i, j);
		CHECK((weighted ? gmm_data_append_weighted(&x, row, w) :
		    gmm_data_append(&x, row)) == 0, "append");
		CHECK((weighted ? gmm_data_append_weighted(&y, row, w) :
		    gmm_data_append(&y, row)) == 0, "append spilled");
	}
	CHECK(gmm_data_finish(&y) == 0, "finish");
	CHECK(gmm_data_spilled(&y) && !gmm_data_spilled(&x) && y.blocks ==
	    NULL, "n %zu d %zu budget %zu: spilled", n, d, budget);
	CHECK(y.n == n && y.complete == n && y.nblocks == x.nblocks &&
	    y.weight_total == x.weight_total && y.weight_zero ==
	    x.weight_zero && gmm_data_weighted(&y) == weighted,
	    "n %zu: counts", n);
	gmm_data_source(&x, &sx);
	gmm_data_source(&y, &sy);
	CHECK(sy.nblocks == sx.nblocks && sy.n == n, "source");
	for (size_t k = 0; k < sx.nblocks; k++) {
		gmm_source_get(&sx, k, NULL, &bx);
		gmm_source_get(&sy, k, buf, &by);
		bad += by.rows != bx.rows || by.first != bx.first ||
		    memcmp(by.xt, bx.xt, GMM_BLOCK_ROWS * d * sizeof(double))
		    != 0 || (weighted ? by.weight == NULL || memcmp(by.weight,
		    bx.weight, GMM_BLOCK_ROWS * sizeof(double)) != 0 :
		    by.weight != NULL);
	}
	CHECK(bad == 0, "n %zu d %zu: %zu blocks differ", n, d, bad);
	for (size_t i = 0; i < n; i += 37) {
		gmm_data_row(&y, i, row);
		for (size_t j = 0; j < d; j++)
			bad += row[j] != value(i, j);
		bad += gmm_data_row_weight(&y, i) != gmm_data_weight(&x, i);
	}
	CHECK(bad == 0, "rows and weights read back");
	CHECK(gmm_data_min_column_variance(&x, &vx) == 0 &&
	    gmm_data_min_column_variance(&y, &vy) == 0 && vx == vy,
	    "min variance %.17g %.17g", vx, vy);
	/* the shape: the same bits spilled or not, on 1 or 3 threads */
	CHECK(gmm_data_shape_init(&hx, &x, 1) == 0 &&
	    gmm_data_shape_init(&hy, &y, 3) == 0 && hx.rank == hy.rank &&
	    hx.min_var == hy.min_var &&
	    (hx.u == NULL || memcmp(hx.u, hy.u, d * d * sizeof(double)) == 0),
	    "n %zu d %zu: shape", n, d);
	/* its chunked sums against the one-pass ones */
	CHECK(fabs(hx.min_var - vx) <= 1e-12 * vx, "n %zu: the shape's "
	    "min variance %.17g, the columns' %.17g", n, hx.min_var, vx);
	gmm_data_shape_release(&hx);
	gmm_data_shape_release(&hy);
	s = gmm_data_sample(&y);
	CHECK(gmm_data_sample(&x) == &x && s != &y && !gmm_data_spilled(s),
	    "the sample");
	if (n <= GMM_SPILL_SAMPLE_MIN) {
		CHECK(s->n == n, "n %zu: every row in the sample: %zu", n,
		    s->n);
	} else {
		double m = GMM_SPILL_SAMPLE_MIN, p = m / (double)n;
		double sd = sqrt(m * (1 - p));

		CHECK(fabs((double)s->n - m) < 5 * sd, "n %zu: sample of "
		    "%zu rows, about %g", n, s->n, m);
	}
	for (size_t i = 0, prev = 0; i < s->n; i++) {
		/* value(r, 0) = 10 r + 0.5 names the row */
		size_t r;

		gmm_data_row(s, i, row);
		r = (size_t)floor(row[0] / 10);
		for (size_t j = 0; j < d; j++)
			bad += r >= n || row[j] != value(r, j);
		bad += gmm_data_weight(s, i) != gmm_data_weight(&x, r);
		bad += i > 0 && r <= prev;
		prev = r;
	}
	CHECK(bad == 0, "the sample's rows are the data's, in order");
	CHECK(s->complete == s->n, "sample complete");
	mask[0] = d > 1;	/* something missing */
	CHECK(gmm_data_append_missing(&y, row, mask, 1) == -2 &&
	    strstr(gmm_data_error(&y), "missing") != NULL,
	    "a missing value after the spill: %s", gmm_data_error(&y));
	gmm_data_release(&x);
	gmm_data_release(&y);
	free(row);
	free(buf);
	free(mask);
}

/* Rows lo .. hi - 1 of value() (weight i % 3 when weighted) into x. */
static void
fill(struct gmm_data *x, size_t lo, size_t hi, int weighted)
{
	double row[32];

	for (size_t i = lo; i < hi; i++) {
		for (size_t j = 0; j < x->d; j++)
			row[j] = value(i, j);
		if (weighted)
			gmm_data_append_weighted(x, row, (double)(i % 3));
		else
			gmm_data_append(x, row);
	}
}

static void
check_merge(size_t n1, size_t n2, size_t d, int weighted)
{
	struct gmm_data x, y, z;
	size_t bad = 0;

	gmm_data_init(&x, d);
	gmm_data_init(&y, d);
	gmm_data_init(&z, d);
	if (weighted) {
		gmm_data_set_weighted(&x);
		gmm_data_set_weighted(&y);
		gmm_data_set_weighted(&z);
	}
	fill(&x, 0, n1, weighted);
	fill(&y, n1, n1 + n2, weighted);
	fill(&z, 0, n1 + n2, weighted);
	CHECK(gmm_data_append_data(&x, &y) == 0, "append_data");
	gmm_data_release(&y);	/* x's blocks live on */
	CHECK(x.n == z.n && x.nblocks == z.nblocks && x.weight_total ==
	    z.weight_total && x.weight_zero == z.weight_zero &&
	    x.complete == z.complete, "%zu + %zu rows of %zu: counts", n1, n2,
	    d);
	for (size_t b = 0; b < x.nblocks && b < z.nblocks; b++) {
		bad += memcmp(x.blocks[b], z.blocks[b], GMM_BLOCK_ROWS * d *
		    sizeof(double)) != 0;
		if (weighted)
			bad += memcmp(x.wblocks[b], z.wblocks[b],
			    GMM_BLOCK_ROWS * sizeof(double)) != 0;
	}
	CHECK(bad == 0, "%zu + %zu rows of %zu%s: the blocks of one by one, "
	    "padding zeros (%zu differ)", n1, n2, d, weighted ? ", weighted" :
	    "", bad);
	fill(&x, n1 + n2, n1 + n2 + 300, weighted);	/* and on */
	fill(&z, n1 + n2, n1 + n2 + 300, weighted);
	bad = x.n != z.n;
	for (size_t b = 0; b < x.nblocks && b < z.nblocks; b++)
		bad += memcmp(x.blocks[b], z.blocks[b], GMM_BLOCK_ROWS * d *
		    sizeof(double)) != 0;
	CHECK(bad == 0, "  then 300 rows more, appended one by one");
	gmm_data_release(&x);
	gmm_data_release(&z);
}

/* "hg" among the VmFlags of the mapping that holds p; -1 when
 * /proc/self/smaps cannot be read. */
static int
advised_huge(const void *p)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, found = 0;
	unsigned long a = (unsigned long)p;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, ':') != NULL && strchr(line, '-') <
		    strchr(line, ' ')) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			found = strstr(line, " hg") != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

static void
check_huge(void)
{
	struct gmm_data x;
	int asan = 0;

#if defined(__SANITIZE_ADDRESS__)
	asan = 1;
#endif
	gmm_data_init(&x, 16);
	fill(&x, 0, 100000, 0);		/* 12.8 MB of blocks */
	if (asan || access("/sys/kernel/mm/transparent_hugepage/enabled",
	    F_OK) != 0) {
		printf("# no transparent huge pages here (or ASan): not "
		    "checked\n");
	} else {
		CHECK(advised_huge(x.blocks[x.nblocks - 1]) == 1, "the last "
		    "block of 100000 rows sits in memory advised to huge "
		    "pages");
		CHECK(advised_huge(x.blocks[0]) == 0, "  the first, in a "
		    "small slab, does not");
	}
	gmm_data_release(&x);
}

int
main(void)
{
	static const size_t ns[] = { 1, 255, 256, 257, 1000 };
	static const size_t ds[] = { 1, 3, 17 };

	for (size_t a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
		for (size_t b = 0; b < sizeof(ds) / sizeof(ds[0]); b++)
			check_shape(ns[a], ds[b]);
	check_spill(1000, 3, 0, 0);		/* every row to the file */
	check_spill(5000, 4, 20000, 1);		/* past the budget */
	check_spill(9000, 2, 40000, 0);		/* a sample of some */
	check_spill(300, 1, 0, 1);
	check_spill(50000, 5, 400000, 1);	/* chunks of blocks */
	{
		static const size_t n1s[] = { 0, 1, 255, 256, 257, 5000 };
		static const size_t n2s[] = { 1, 256, 300, 70000 };

		for (size_t a = 0; a < 6; a++)
			for (size_t b = 0; b < 4; b++) {
				check_merge(n1s[a], n2s[b], 3, (a + b) % 2);
				check_merge(n1s[a], n2s[b], 17, (a + b + 1) %
				    2);
			}
	}
	check_huge();
	return check_done("test_data");
}
