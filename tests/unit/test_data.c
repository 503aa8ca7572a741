/*
 * data: rows appended one by one land in blocks by columns (the layout of
 * engine/kernels.h) with every row and column where gmm_data_at() and
 * gmm_data_row() find it, across block boundaries; the rows past n in the
 * last block are 0; gmm_data_from_rows() gives the same; the in-memory
 * source hands out each block in place, with its index, first row and
 * row count, and no weights, mask or labels; release leaves it empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
main(void)
{
	static const size_t ns[] = { 1, 255, 256, 257, 1000 };
	static const size_t ds[] = { 1, 3, 17 };

	for (size_t a = 0; a < sizeof(ns) / sizeof(ns[0]); a++)
		for (size_t b = 0; b < sizeof(ds) / sizeof(ds[0]); b++)
			check_shape(ns[a], ds[b]);
	return check_done("test_data");
}
