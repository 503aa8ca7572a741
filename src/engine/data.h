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
 * time, carved from slabs that the data own (data.c: mapped memory, the
 * large ones advised to transparent huge pages, so that first touching
 * fresh blocks costs few page faults).  Read by several threads
 * (gmm_csvin_read_parallel()), each part of the file is such data,
 * appended in order to the whole (gmm_data_append_data(): its blocks and
 * their slabs taken over, its rows copied once).
 * The rows are read-only once read: select-k's fits share them.
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
 * Out of core (issue 17).  Data given a memory budget
 * (gmm_data_set_budget(), before the first row) hold their blocks in
 * memory until the blocks would take more than the budget; then every
 * block is written to a temporary binary file (in the given directory,
 * unlinked as soon as it is made, so that it goes at exit, on error and
 * on a kill) in the in-memory layout (a block's d columns, then in
 * weighted data its GMM_BLOCK_ROWS weights), one block at a time, and the
 * rows that follow go there as each block fills: memory stays at one
 * block whatever the number of rows.  Such data are spilled
 * (gmm_data_spilled()): blocks is NULL, and every pass reads the blocks
 * back through gmm_data_source() or gmm_data_block() (pread into the
 * caller's buffer: the page cache, not this process, holds them), in the
 * same partition and order as in memory, so that every sum is bitwise the
 * one the in-memory rows give.  gmm_data_at() and gmm_data_weight() are
 * for data in memory only; gmm_data_row() and gmm_data_row_weight() read
 * a spilled row from the file.  Spilled data also keep a sample
 * (gmm_data_sample()), in memory, for what needs random access to rows:
 * the k-means and k-means++ starts.  gmm_data_finish() reads it back from
 * the file: the rows whose hash of row number and the budget's seed falls
 * below m / rows, where m is GMM_SPILL_SAMPLE, or fewer when that many
 * would take more than a quarter of the budget (at least
 * GMM_SPILL_SAMPLE_MIN); so with m = GMM_SPILL_SAMPLE it is the sample
 * gmm_data_pick_sample() takes of the same rows in memory (below).
 * Rows with missing values and labels stay in memory only: a spill with
 * them, or them after a spill, is refused (gmm_data_error()).
 * Reading a block back can fail only if the file system fails; that one
 * error (an I/O error on a file this process wrote) ends the process
 * with exit status 1 and a message, through gmm_source_get(), since a
 * pass over rows has no other way out.
 *
 * A rank's share (issue 17 section 3, `fit --mpi`).  In a distributed
 * fit each process holds its share of the rows, read from its byte range
 * of the input (io/csvin.h), as ordinary data; gmm_data_share() then
 * ties the share to the others through a communicator (comm.h).  After
 * it, n, weight_total and the blocks stay the share's own (the E-step
 * walks them), while gmm_data_rows_all(), gmm_data_weight_all() and
 * gmm_data_zero_all() count every rank's, gmm_data_file_row() numbers
 * rows among all ranks' (the shares are in file order), and what this
 * file reduces over rows (column means, spans, variances, the shape)
 * is reduced over every rank's.  The k-means starts read a sample that
 * every rank holds alike, gathered from all shares: each row is in it
 * when a hash of its global number and the seed falls below
 * GMM_SPILL_SAMPLE / rows (every row when there are no more), so the
 * sample, and the start, are the same for any number of ranks; with no
 * more rows than GMM_SPILL_SAMPLE it is all rows in file order, as a
 * fit on one process reads them.  Missing values and labels are not
 * shared yet (refused).
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
	/* out of core (gmm_data_set_budget()): NULL in memory */
	struct gmm_data_spill *spill;
	/* a rank's share (gmm_data_share()): NULL alone */
	struct gmm_data_share *share;
	/* the memory of the blocks (data.c: slabs), NULL until a block */
	struct gmm_slab *slabs;
	size_t row_base;	/* the share's first row among all ranks' */
};

/* Rows held in memory by data given a budget, before they spill: every
 * block then goes to a temporary file (above). */
struct gmm_data_budget {
	size_t bytes;		/* what the blocks may take in memory */
	const char *dir;	/* where the temporary file goes */
	uint64_t seed;		/* the k-means sample's */
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
/*
 * Give x (no row yet) a memory budget (above); b->dir is copied.  0, or
 * -1 when out of memory.
 */
int gmm_data_set_budget(struct gmm_data *x, const struct gmm_data_budget *b);
/* 1 when x's rows went to a temporary file. */
int gmm_data_spilled(const struct gmm_data *x);
/* 1 when x carries row weights (in memory or spilled). */
int gmm_data_weighted(const struct gmm_data *x);
/*
 * Rows that k-means and the other starts may read at random: x itself in
 * memory, the sample when spilled, the gathered sample of a
 * share (above).
 */
const struct gmm_data *gmm_data_sample(const struct gmm_data *x);
/*
 * The k-means sample of rows in memory (issue 18 section 5): when x holds
 * more than GMM_SPILL_SAMPLE complete rows in memory (no spill, no share,
 * no missing value, no label), out gets the rows a share's sample would
 * take (above: a hash of the row's number and seed below
 * GMM_SPILL_SAMPLE / rows), in order, with their weights, finished, for
 * the caller to release: so a fit on one process starts from the sample
 * that `fit --mpi` gathers with the same seed.  Returns 0; 1 when x takes
 * no sample (out is then empty: read gmm_data_sample(x)); -1 out of
 * memory (out empty).
 */
int gmm_data_pick_sample(const struct gmm_data *x, uint64_t seed,
    struct gmm_data *out);
/*
 * Why the last append or gmm_data_finish() failed when it returned -2:
 * the temporary file could not be made or written, or what a spill does
 * not take (missing values, labels) came with one.
 */
const char *gmm_data_error(const struct gmm_data *x);

/* Append a row of d values; -1 when out of memory, -2 when a spill
 * failed (gmm_data_error()) (x unchanged).  In weighted data the row's
 * weight is 1. */
int gmm_data_append(struct gmm_data *x, const double *row);
/*
 * Every row of y (complete rows in memory, none held, the same columns and
 * weighting as x) appended to x (in memory, before gmm_data_finish()), as
 * the same rows appended one by one would be, bitwise: for a reader that
 * parses a file's parts apart and puts them together in order
 * (io/csvin.h).  x's new blocks are y's, once copied from (y is left to
 * be released, its values no longer to be read): no memory is touched
 * twice.  0; -1 out of memory; -2 when x would pass its budget (x is
 * then to be released: its rows go out of core one at a time).
 */
int gmm_data_append_data(struct gmm_data *x, struct gmm_data *y);
/* Append a row of weight w (finite, >= 0) to weighted data (-1, -2 as
 * gmm_data_append()). */
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
/* Row i's place among the rows read (0-based; among every rank's for
 * a share). */
static inline size_t
gmm_data_file_row(const struct gmm_data *x, size_t i)
{
	return x->row_base + (x->file_row != NULL ? x->file_row[i] : i);
}

struct gmm_comm;
/*
 * Make x, read in full, the share of rank comm->rank among comm->size
 * (above): count every rank's rows, number them, gather the k-means
 * sample (seed: the fit's).  Collective: every rank calls it, and every
 * rank fails alike -- when any rank's rows have a missing value or a
 * label (not shared yet), or any is out of memory (err says which).
 * With a NULL comm, or one rank, x stays plain data.
 */
int gmm_data_share(struct gmm_data *x, const struct gmm_comm *comm,
    uint64_t seed, struct gmm_error *err);
/* The communicator of a share, or NULL. */
const struct gmm_comm *gmm_data_comm(const struct gmm_data *x);
/* Rows, their weight and rows of weight 0, over every rank's share (x's
 * own when x is no share). */
size_t gmm_data_rows_all(const struct gmm_data *x);
double gmm_data_weight_all(const struct gmm_data *x);
size_t gmm_data_zero_all(const struct gmm_data *x);

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

/* Row i into row (d values); from the file when spilled. */
void gmm_data_row(const struct gmm_data *x, size_t i, double *row);
/* Weight of row i (1 unweighted); from the file when spilled. */
double gmm_data_row_weight(const struct gmm_data *x, size_t i);

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
 * The in-memory and row-major sources cannot fail; the spilled source
 * fails only on an I/O error reading back its own file, which ends the
 * process (exit 1, the message on stderr; above).
 */
void gmm_source_get(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk);

/* A source over x's complete rows, 0 .. complete-1 (borrowed: x must
 * outlive it): all of them when no value is missing.  Its buf must hold
 * GMM_DATA_BUF(d) doubles (a spilled block's weights follow its
 * values). */
void gmm_data_source(const struct gmm_data *x, struct gmm_source *s);
#define GMM_DATA_BUF(d) ((size_t)GMM_BLOCK_ROWS * ((d) + 1))

/*
 * Block b of all x's rows as they are stored (0 .. n-1: with missing
 * values, the pattern rows' mean-held values too), for passes that walk
 * every row in order (the starts' statistics, column statistics); buf
 * as for gmm_data_source().
 */
void gmm_data_block(const struct gmm_data *x, size_t b, double *buf,
    struct gmm_block *blk);

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
 * An ordered reduction over all x's rows (in memory or spilled) on up to
 * `threads` threads.  The blocks go in chunks of GMM_DATA_CHUNK_BLOCKS;
 * add() adds one block into its chunk's part (width doubles, set by
 * init(), or zeros when init is NULL; from any thread, one block after the
 * next of its chunk), and fold() folds each chunk's part into total, one
 * chunk at a time, in chunk order.  So total has the same bits for any
 * number of threads (not, in general, those of one sum over every row).
 * Chunks in flight hold 2 x threads parts.  0, or -1 when out of memory
 * (total as it was).
 */
#define GMM_DATA_CHUNK_BLOCKS 8
struct gmm_data_pass {
	size_t width;
	void (*init)(void *ctx, double *part);
	void (*add)(void *ctx, const struct gmm_block *blk, double *part);
	void (*fold)(void *ctx, const double *part, double *total);
	void *ctx;
};
int gmm_data_reduce(const struct gmm_data *x, int threads,
    const struct gmm_data_pass *pass, double *total);

/*
 * The (weighted) column means of all x's rows into mean (d), block by
 * block, each column's sum in row order: the same bits in memory and
 * spilled; buf as for gmm_data_source().
 */
void gmm_data_column_means(const struct gmm_data *x, double *mean,
    double *buf);

/* The (weighted) variance of each column about its mean into var (d); 0,
 * or -1 when out of memory. */
int gmm_data_column_variances(const struct gmm_data *x, double *var);

/*
 * Smallest variance among the columns that are not constant into *out; 0
 * when all are constant.  0, or -1 when out of memory.
 */
int gmm_data_min_column_variance(const struct gmm_data *x, double *out);

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

/* The shape of all x's rows, their sums reduced by gmm_data_reduce() on
 * up to `threads` threads: the same for any number of them.  0, or -1
 * when out of memory (nothing to free then). */
int gmm_data_shape_init(struct gmm_data_shape *s, const struct gmm_data *x,
    int threads);
void gmm_data_shape_release(struct gmm_data_shape *s);

#endif
