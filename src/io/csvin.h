/*
 * csvin: numeric rows from CSV, streamed, with the conventions of every
 * gmm command.
 *
 * - "-" reads standard input; errors name it "<stdin>".
 * - The header is auto-detected: a first record with a field that is
 *   neither a number nor a missing-value token (empty, NA, NaN, inf) is a
 *   header.  The header option forces it either way.
 * - A UTF-8 byte order mark is skipped; CRLF ends lines; quoted numbers are
 *   numbers.  Line numbers are physical lines, counted here (libcsv counts
 *   only fields and records); a row's line is the line it starts on.
 * - Comments: lines that start with '#' (outside a quoted field) are
 *   skipped in the leading block only, before the first record (header or
 *   data); after it such a line is data, so a row that starts with a hex
 *   colour is never dropped.  With the comment option set, lines that start
 *   with that character are skipped anywhere.
 * - Blank lines (nothing but padding): skipped in the leading block.  After
 *   it, in a one-column input a blank line is a row with one empty field
 *   (an error, as any missing value); otherwise it is counted (and its
 *   line kept, for the first GMM_CSVIN_BLANK_LIST: gmm_csvin_blank_lines())
 *   and skipped, or, with keep_blank, returned by gmm_csvin_read_row() as
 *   GMM_CSVIN_BLANK, so that output can stay in step with the input.
 * - Columns are selected by a LIST of 1-based indices, ranges (2-5) and
 *   header names, or matched by name to a model's columns (a hash of the
 *   header: linear in d).  A name that two columns share selects neither.
 * - A NUL byte in a field is an error naming line and column, never a
 *   value cut short.
 * - Missing values (issue 15): with the missing option, an empty field and
 *   a field that is one of the missing-value tokens (the na option: a
 *   comma-separated list, matched ignoring ASCII case; by default NA and
 *   NaN) is a missing value, returned as NaN (a number never is).  Without
 *   it, a missing value is an error, as before.
 * - A field that is infinite, out of range or not a number (or empty or a
 *   missing-value token without the missing option), and a row with
 *   another number of fields than the first, is an error naming file,
 *   line and column.
 *
 * The reader owns its buffers, each grown geometrically (a field or line
 * of n bytes costs O(log n) reallocations on any allocator).  Values it
 * returns are copies, except gmm_csvin_field() and gmm_csvin_colname(),
 * valid until the next read.
 * Functions return 0 (or 1 for a row), or -1 with err set; none prints.
 */
#ifndef GMM_CSVIN_H
#define GMM_CSVIN_H

#include <stddef.h>

#include "base/error.h"
#include "engine/data.h"

struct gmm_csvin_options {
	unsigned char delim;	/* ',' by default */
	int header;		/* -1 detect, 0 none, 1 present */
	const char *columns;	/* -c LIST, or NULL for all */
	size_t read_size;	/* bytes per read; 0: the default (tests) */
	int libcsv_only;	/* 1: no line is split without libcsv (tests) */
	unsigned char comment;	/* --comment C: lines starting with C, anywhere */
	int keep_blank;		/* return blank lines as GMM_CSVIN_BLANK */
	const char *weights;	/* --weights COLUMN (an index or header
				 * name), or NULL: that column holds row
				 * weights, not data (not among all
				 * columns; refused in a -c list) */
	const char *labels;	/* --label-column COLUMN, or NULL: that
				 * column holds class labels, text, not
				 * data (as weights) */
	int missing;		/* 1: missing values allowed (NaN) */
	const char *na;		/* --na LIST, or NULL: "NA,NaN" */
	const char *status;	/* "gmm fit", or NULL: while data are
				 * read, the status line (base/status.h)
				 * says rows, bytes, throughput and
				 * whether they went out of core */
};


struct gmm_csvin;

/*
 * Open path ("-": stdin) and read up to the first data row, which decides
 * the header and the columns.  An input with no data row is an error.
 */
struct gmm_csvin *gmm_csvin_open(const char *path,
    const struct gmm_csvin_options *opt, struct gmm_error *err);
void gmm_csvin_close(struct gmm_csvin *in);

/* The name used in messages: the path, or "<stdin>". */
const char *gmm_csvin_name(const struct gmm_csvin *in);
int gmm_csvin_has_header(const struct gmm_csvin *in);
/* Number of selected columns. */
size_t gmm_csvin_ncols(const struct gmm_csvin *in);
/* 1-based index in the file of selected column j. */
size_t gmm_csvin_colindex(const struct gmm_csvin *in, size_t j);
/* Header name of selected column j, or NULL without a header. */
const char *gmm_csvin_colname(const struct gmm_csvin *in, size_t j);

/*
 * Select, in this order, the header columns called names[0..d-1]; without a
 * header, check that the selected columns are d.  For `score` and `fit
 * --init MODEL`.  A name that two header columns share is refused.
 */
int gmm_csvin_match(struct gmm_csvin *in, char *const *names, size_t d,
    struct gmm_error *err);
/* The same for the columns of another input, file (messages name it;
 * NULL: the model's). */
int gmm_csvin_match_of(struct gmm_csvin *in, char *const *names, size_t d,
    const char *whose, struct gmm_error *err);

/*
 * For `impute`: select, in this order, the header columns called
 * names[0..d-1] that the header has; where[j] is model column j's place
 * among the selected columns, or (size_t)-1 when the header lacks it.
 * Without a header, or with -c, as gmm_csvin_match() (where[j] = j).
 */
int gmm_csvin_match_present(struct gmm_csvin *in, char *const *names,
    size_t d, size_t *where, struct gmm_error *err);

/* 1 when the header has a column called name. */
int gmm_csvin_has_column(const struct gmm_csvin *in, const char *name);

/*
 * The selected columns' header names are valid UTF-8 and distinct, as a
 * model's columns must be: 0, or -1 naming the column(s).  For `fit` and
 * `select-k`.
 */
int gmm_csvin_check_names(const struct gmm_csvin *in, struct gmm_error *err);

#define GMM_CSVIN_BLANK 2
#define GMM_CSVIN_BLANK_LIST 20

/*
 * Next row into row[0..ncols-1]: 1, 0 at the end, -1 on error; with
 * keep_blank, GMM_CSVIN_BLANK for a blank line (row untouched).
 */
int gmm_csvin_read_row(struct gmm_csvin *in, double *row,
    struct gmm_error *err);

/* The line the last row read starts on (1-based), for messages. */
size_t gmm_csvin_row_line(const struct gmm_csvin *in);

/*
 * Blank lines skipped (or returned) so far among the data; *lines (when
 * not NULL) the line numbers of the first *nlines of them.
 */
size_t gmm_csvin_blank_lines(const struct gmm_csvin *in, const size_t **lines,
    size_t *nlines);
/*
 * 1 when reading the next row would not wait for input (it is buffered, or
 * the descriptor has data, an end or an error); 0 when it would block.
 * Lets a streaming command flush what it has before it waits.
 */
int gmm_csvin_ready(const struct gmm_csvin *in);

/*
 * A column LIST (as -c takes it) as 0-based field indices in a new array
 * (the caller frees it), without changing the selection.  For score's
 * --append-columns.
 */
int gmm_csvin_column_list(struct gmm_csvin *in, const char *list,
    size_t **idx, size_t *n, struct gmm_error *err);

/* Number of fields of every record, selected or not. */
size_t gmm_csvin_nfields(const struct gmm_csvin *in);
/* Field i (0-based, in the file) of the row last read. */
const char *gmm_csvin_raw_field(const struct gmm_csvin *in, size_t i);
/* Header name of field i (0-based, in the file), or NULL without one. */
const char *gmm_csvin_header_name(const struct gmm_csvin *in, size_t i);
/*
 * The name of field i (0-based): its header name, or without a header
 * x<i+1>, written into buf (32 bytes), as fit names a model's columns.
 */
const char *gmm_csvin_field_name(const struct gmm_csvin *in, size_t i,
    char *buf);

/* Bytes read from the input so far. */
size_t gmm_csvin_bytes(const struct gmm_csvin *in);
/* Line of the row last read. */
size_t gmm_csvin_line(const struct gmm_csvin *in);
/* Text of selected field j of the row last read (quotes removed). */
const char *gmm_csvin_field(const struct gmm_csvin *in, size_t j);

/*
 * The weight of the row last read: 0, or -1 naming line and column when
 * it is not a finite number >= 0.
 */
int gmm_csvin_weight(const struct gmm_csvin *in, double *w,
    struct gmm_error *err);

/*
 * Every remaining row into x (initialised here, ncols columns, held in
 * blocks as engine/data.h says; the caller releases it; on an error it is
 * left empty).  Out of memory says how many rows were held.  With a
 * weights column, x is weighted (data.h), every weight is checked, and
 * weights that are all 0 are an error.  With a label column, each row's
 * field there is its class (empty: unlabelled; valid UTF-8 text without
 * NUL, at most GMM_MAX_K distinct), given to x by gmm_data_set_labels()
 * with the classes in byte order; a row with a missing value is then an
 * error, and so is a file with no labelled row.  Rows with missing values go in as
 * data.h says (gmm_data_append_missing(), then gmm_data_finish()); a row
 * with no observed value is counted, not held, and data with no row that
 * has an observed value are an error.  With a budget (or NULL: every row
 * in memory), rows past it go to a temporary file (data.h: out of core);
 * what a spill cannot take is an error naming the file and line.
 */
int gmm_csvin_read_data(struct gmm_csvin *in, struct gmm_data *x,
    const struct gmm_data_budget *budget, struct gmm_error *err);

/*
 * gmm_csvin_read_data() with up to `threads` threads, for a reader just
 * opened on a regular file of 4 MB or more whose rows fit the budget
 * surely (8 bytes a value and one more a row for its weight, at most a
 * value every two bytes), with no label column: the data bytes are cut in
 * 4 shares a thread (gmm_csvin_share()), each parsed by a reader of its
 * own on a pool's workers (engine/pool.h: a thread slowed by a neighbour
 * takes fewer), and the parts appended to x in file order
 * (gmm_data_append_data()): x is bitwise what the serial reader gives.
 * Returns 0 with x read; or 1, x empty and in as it was, when it does not
 * apply or met what only the serial reader says well (an error and its
 * line, a quote, a blank line, a missing value, no rows, weights that add
 * up to 0, memory): then read in with gmm_csvin_read_data(), which
 * reads, or fails, as ever.
 */
int gmm_csvin_read_parallel(struct gmm_csvin *in, int threads,
    struct gmm_data *x, const struct gmm_data_budget *budget,
    struct gmm_error *err);

/*
 * The same in three steps, for rows read from several readers into one x
 * (`fit --mpi` over a list of files): gmm_csvin_read_begin() initialises
 * x for in's columns (weighted with a weights column, with the budget when
 * given; 0, or -1 with err set and x empty); gmm_csvin_read_more()
 * appends every remaining row of in (a reader of the same number of
 * columns and the same weights setting as the first, and no label
 * column; 0, or -1 with err set naming in's file and line, x as it is);
 * gmm_csvin_read_end() then calls gmm_data_finish() (0, or -1 with err
 * set).  The caller releases x, and makes the checks on all rows that
 * gmm_csvin_read_data() makes (gmm_data_share() makes them under --mpi).
 */
int gmm_csvin_read_begin(const struct gmm_csvin *in, struct gmm_data *x,
    const struct gmm_data_budget *budget, struct gmm_error *err);
int gmm_csvin_read_more(struct gmm_csvin *in, struct gmm_data *x,
    struct gmm_error *err);
int gmm_csvin_read_end(const struct gmm_csvin *in, struct gmm_data *x,
    struct gmm_error *err);

/*
 * For `fit --mpi` (issue 17 section 3), on a reader just opened on a
 * regular file: read from here on only the share lo/of .. hi/of of its
 * data rows (0 <= lo <= hi <= of).  The bytes from the first data row's
 * line to the end are cut at lo/of and hi/of of their length, each cut
 * moved on to the next record start (the byte after a newline) and past
 * the first data row's line, so that shares cut at the same fractions
 * take every row exactly once, in file order: rank r of R reads
 * (r, r + 1, R).  A rank reads only its range (and the header).  A
 * quoted field that holds a newline may be cut: data under --mpi must not
 * have one (numbers never do).  A share may be empty.  Line numbers in
 * errors stay the file's.  A no-op for the whole file (0, of, of).
 * gmm_csvin_read_data() then leaves the checks on all rows (none, all of
 * weight 0) to gmm_data_share().
 */
int gmm_csvin_share(struct gmm_csvin *in, unsigned long long lo,
    unsigned long long hi, unsigned long long of, struct gmm_error *err);

/*
 * The next rows into x (initialised here, as gmm_csvin_read_data() does,
 * with no budget and no label column): up to max rows given (a row with
 * nothing observed counts), fewer at the end of the input, none
 * (x->rows_read 0) after it; for online EM's batches.  A batch may hold
 * no row of weight > 0.  0, or -1 with err set (x empty).
 */
int gmm_csvin_read_batch(struct gmm_csvin *in, struct gmm_data *x, size_t max,
    struct gmm_error *err);

/*
 * How many times the reader has grown one of its buffers (libcsv's field
 * buffer included).  Every buffer grows geometrically, so a field or line
 * of n bytes costs O(log n) of these.  Exposed for tests.
 */
size_t gmm_csvin_grow_calls(const struct gmm_csvin *in);

/*
 * Parse a decimal number as csvin does: 0 and *v set, or -1 with a reason
 * ("is not a number", ...) in why.  Exposed for tests.
 */
int gmm_csvin_parse_number(const char *s, double *v, const char **why);

#endif
