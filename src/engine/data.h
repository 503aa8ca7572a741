/*
 * data: the rows a fit reads, held as owned blocks of columns, and the
 * block source through which the E-step reads them.
 *
 * struct gmm_data holds n rows of d columns in blocks of GMM_BLOCK_ROWS
 * rows, each by columns (the layout of engine/kernels.h: row i of block b
 * and column j at blocks[b][j*GMM_BLOCK_ROWS + i]), with the rows past n
 * in the last block 0.  The CSV reader appends rows as it reads them
 * (io/csvin.h: gmm_csvin_read_data()), so there is no n x d row-major
 * copy and nothing is rearranged later; memory grows by one block at a
 * time.  The rows are read-only once read: select-k's fits share them.
 *
 * A block source (struct gmm_source) hands out block b of the rows by its
 * global index, in any order and from any thread: the E-step's threads
 * take chunks of blocks as they free up, and a chunk's blocks are asked
 * for in order.  gmm_data_source() gives one over a struct gmm_data,
 * without copying; a source over a spill file or an MPI rank's slice
 * fills the caller's buffer instead (later issues).  A block may carry a
 * weight, a missing-value mask and a label per row; NULL means weight 1,
 * every value observed, no label.
 *
 * Partial labels (issue 16, fit --label-column): complete data may carry
 * each row's known class, or none (gmm_data_set_labels()); the in-memory
 * source hands them out with each block, and the fit holds a labelled
 * row's responsibilities at its class (em.c).
 *
 * Row weights (issue 15) are frequency weights: finite and >= 0, a row of
 * weight w counting as w copies of itself, so that weight 0 is a dropped
 * row.  Data made weighted (gmm_data_set_weighted(), before the first row)
 * keep them by block beside the values (wblocks, 0 past n) and their sum;
 * unweighted data keep none (wblocks NULL, weight_total n), and every
 * pass over them runs the unweighted code, bitwise as before.  Whoever
 * reduces rows (the EM pass, the starts, the column statistics here)
 * multiplies by gmm_data_weight() or the block's weight array.
 *
 * Missing values (issue 15).  A row with a missing value goes through
 * gmm_data_append_missing(), which holds it aside (row-major, with its
 * mask, weight and place in the input) until gmm_data_finish(); a row with
 * no observed value is only counted (rows_empty).  gmm_data_finish() then
 * appends the held rows after the complete ones, grouped by pattern of
 * observed columns (struct gmm_pattern; patterns in the order of their
 * masks, rows in input order within one), so that rows 0 .. complete-1
 * have every value and each pattern's rows are consecutive: the E-step
 * reads a pattern's observed columns with one factorisation per pattern
 * and component (gmm_data_pattern_source(), engine/marginal.h).  A missing
 * value is held as its column's observed (weighted) mean, so what reads
 * whole columns (the scale check, the shape, the prior's hyperparameters)
 * sees mean-imputed values, finite and in range; what must not (the
 * E-step, the M-step, k-means distances) reads the pattern.  file_row maps
 * a row to its place among the rows read (NULL: the same).  Data with no
 * missing value have no pattern, complete = n, and every pass runs as
 * before, bitwise.
 *
 * What a start or a degeneracy check needs from whole rows (a row by its
 * index, column variances, the directions the rows vary in) is here too.
 * Functions that allocate return 0 or -1 when out of memory; nothing
 * prints.
 */
#ifndef GMM_DATA_H
#define GMM_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "base/consts.h"
#include "base/error.h"

struct gmm_data {
	size_t n, d;
	size_t nblocks, cap;
	double **blocks;	/* nblocks of GMM_BLOCK_ROWS * d doubles */
	double **wblocks;	/* weighted: nblocks of GMM_BLOCK_ROWS
				 * weights; else NULL */
	double weight_total;	/* sum of the weights; n unweighted */
	size_t weight_zero;	/* rows of weight 0 */
	/* missing values, after gmm_data_finish() */
	size_t complete;	/* rows 0 .. complete-1 have every value */
	size_t npatterns;
	struct gmm_pattern *patterns;	/* the rows complete .. n-1 */
	size_t *file_row;	/* n: place among the rows read, or NULL */
	size_t rows_read;	/* rows given, rows_empty included */
	size_t rows_empty;	/* with no observed value: not held */
	size_t values_missing;	/* in the rows held */
	struct gmm_data_held *held;	/* before gmm_data_finish() */
	/* partial labels (issue 16, gmm_data_set_labels()): row i's class
	 * 0 .. nclasses-1, or -1 when unlabelled; NULL: no labels */
	int32_t *label;
	size_t nclasses;
	char **classes;		/* their names, in byte order */
	size_t labelled;	/* rows with a class */
};

/* Rows that observe the same columns, consecutive in the data. */
struct gmm_pattern {
	size_t first, rows;	/* rows first .. first + rows - 1 */
	size_t nobs;		/* observed columns, 1 .. d-1 */
	size_t *obs;		/* nobs indices, ascending */
	size_t *mis;		/* the d - nobs missing ones, ascending */
	unsigned char *mask;	/* d: 1 where observed */
};

/* No rows of d columns. */
void gmm_data_init(struct gmm_data *x, size_t d);
void gmm_data_release(struct gmm_data *x);
/* Make x weighted; x must have no row yet.  0, or -1 out of memory. */
int gmm_data_set_weighted(struct gmm_data *x);
/* Append a row of d values; -1 when out of memory (x unchanged).  In
 * weighted data the row's weight is 1. */
int gmm_data_append(struct gmm_data *x, const double *row);
/* Append a row of weight w (finite, >= 0) to weighted data. */
int gmm_data_append_weighted(struct gmm_data *x, const double *row,
    double w);
/*
 * A row whose missing values have mask[j] = 0 (their row[j] is not read),
 * weight w (1 in unweighted data), held until gmm_data_finish().  A row
 * with nothing observed is counted and dropped.  -1 when out of memory.
 */
int gmm_data_append_missing(struct gmm_data *x, const double *row,
    const unsigned char *mask, double w);
/*
 * After the last row: the held rows after the complete ones, by pattern
 * (above).  0, or -1 when out of memory (x then holds only the complete
 * rows; release it).  A no-op when no row was held.
 */
int gmm_data_finish(struct gmm_data *x);
/* The pattern of row i, NULL for a complete row (a binary search). */
const struct gmm_pattern *gmm_data_pattern_at(const struct gmm_data *x,
    size_t i);
/* Row i's place among the rows read (0-based). */
static inline size_t
gmm_data_file_row(const struct gmm_data *x, size_t i)
{
	return x->file_row != NULL ? x->file_row[i] : i;
}

/*
 * Give complete data (no missing value) its rows' classes: label (n
 * entries, -1 unlabelled, else below nclasses) and classes (nclasses
 * names), both malloc()ed and taken over (freed by gmm_data_release()).
 */
void gmm_data_set_labels(struct gmm_data *x, int32_t *label, char **classes,
    size_t nclasses);

/* The n x d row-major rows into new data; -1 when out of memory. */
int gmm_data_from_rows(struct gmm_data *x, const double *rows, size_t n,
    size_t d);

/* Value of row i, column j. */
static inline double
gmm_data_at(const struct gmm_data *x, size_t i, size_t j)
{
	return x->blocks[i / GMM_BLOCK_ROWS][j * GMM_BLOCK_ROWS +
	    i % GMM_BLOCK_ROWS];
}

/* Weight of row i: 1 in unweighted data. */
static inline double
gmm_data_weight(const struct gmm_data *x, size_t i)
{
	return x->wblocks == NULL ? 1.0
	    : x->wblocks[i / GMM_BLOCK_ROWS][i % GMM_BLOCK_ROWS];
}

/* Row i into row (d values). */
void gmm_data_row(const struct gmm_data *x, size_t i, double *row);

/* Rows in block b. */
static inline size_t
gmm_data_block_rows(const struct gmm_data *x, size_t b)
{
	size_t first = b * GMM_BLOCK_ROWS;

	return x->n - first < GMM_BLOCK_ROWS ? x->n - first : GMM_BLOCK_ROWS;
}

struct gmm_block {
	size_t index;		/* global block index */
	size_t first;		/* global index of its first row */
	size_t rows;		/* 1 .. GMM_BLOCK_ROWS */
	const double *xt;	/* by columns, padded with zeros */
	const double *weight;	/* rows weights, or NULL: 1 */
	const struct gmm_pattern *pattern;	/* NULL: every value; else
				 * xt holds the pattern's observed columns
				 * only, in its order (nobs of them) */
	const int32_t *label;	/* the rows' classes (-1: unlabelled), or
				 * NULL: no labels */
};

struct gmm_source {
	size_t n, d, nblocks;
	/*
	 * Block b into *blk: 0, or -1 with err set (a source that reads a
	 * file can fail).  buf, GMM_BLOCK_ROWS * d doubles of the caller's
	 * (one per thread), is where a source that copies puts the block;
	 * blk's pointers are valid until buf is used again.
	 */
	int (*block)(const struct gmm_source *s, size_t b, double *buf,
	    struct gmm_block *blk, struct gmm_error *err);
	const void *self;
};

/*
 * Block b of s into *blk (buf as for block()), for the engine's passes.
 * Only the in-memory and row-major sources exist, and neither can fail;
 * a failure is a bug until a source that can (issue 17) brings the error
 * path with it.
 */
void gmm_source_get(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk);

/* A source over x's complete rows, 0 .. complete-1 (borrowed: x must
 * outlive it): all of them when no value is missing. */
void gmm_data_source(const struct gmm_data *x, struct gmm_source *s);

/*
 * A source over x's rows with a missing value (borrowed, as above): each
 * block holds up to GMM_BLOCK_ROWS rows of one pattern, its observed
 * columns gathered by columns into the caller's buf (zero past the rows,
 * to a multiple of GMM_ROW_GROUP) and, in weighted data, the weights
 * after them; blk->pattern says which.  Blocks go pattern by pattern.
 * 0, or -1 when out of memory; release with gmm_data_pattern_source_free().
 */
int gmm_data_pattern_source(const struct gmm_data *x, struct gmm_source *s);
void gmm_data_pattern_source_free(struct gmm_source *s);

/*
 * Smallest variance among the columns that are not constant; 0 when all
 * are constant.
 */
double gmm_data_min_column_variance(const struct gmm_data *x);

/*
 * What degeneracy is judged against (engine/model.h's
 * gmm_model_degenerate()): min_var, the smallest variance among the
 * columns that are not constant, and u (d x d, row-major), whose first
 * rank columns are an orthonormal basis of the directions in which the
 * rows vary: the eigenvectors of their covariance whose eigenvalues
 * exceed GMM_DATA_RANK_TOL times the largest.  A constant or duplicated
 * column leaves a direction out, where every model's variance is only
 * reg_covar.  Above GMM_SHAPE_MAX_D columns, u is NULL and rank d: every
 * direction.
 */
struct gmm_data_shape {
	size_t d, rank;
	double min_var;
	double *u;
};

/* 0, or -1 when out of memory (nothing to free then). */
int gmm_data_shape_init(struct gmm_data_shape *s, const struct gmm_data *x);
void gmm_data_shape_release(struct gmm_data_shape *s);

#endif
