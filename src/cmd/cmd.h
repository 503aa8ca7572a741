/*
 * cmd: the subcommands and what they share.
 *
 * Each subcommand is a struct gmm_cmd in its own file (cmd_<name>.c):
 * its name, one line of help, its run function, its option tables and the
 * kinds of its operands, the one source from which main.c dispatches and
 * `gmm completion` writes shell completion scripts, so that a new option
 * completes without a second edit.  run() parses its own arguments and
 * returns the exit status: 0 success, 1 bad data, model or I/O, 2 usage
 * error.  Options common to the commands that read CSV (-d -c --header
 * --no-header --threads --seed -v -q) are parsed here, so they mean the
 * same everywhere.
 */
#ifndef GMM_CMD_H
#define GMM_CMD_H

#include <getopt.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "io/csvin.h"
#include "base/error.h"
#include "engine/model.h"

#define GMM_EXIT_DATA 1
#define GMM_EXIT_USAGE 2

/* What an operand is, for completion. */
enum gmm_operand {
	GMM_OPERAND_END,	/* no more operands */
	GMM_OPERAND_CSV,	/* a CSV file (or -) */
	GMM_OPERAND_MODEL,	/* a model file, binary or JSON */
	GMM_OPERAND_SHELL,	/* bash, zsh or fish */
	GMM_OPERAND_PLOT,	/* a kind of picture: GMM_PLOT_KINDS */
};

/* The kinds of `gmm plot`, as completion offers them. */
#define GMM_PLOT_KINDS "bic clusters density"


struct gmm_cmd {
	const char *name;
	const char *summary;		/* one line, for gmm --help */
	int (*run)(int argc, char **argv);
	const char *shortopts;		/* getopt's */
	const struct option *longopts;	/* getopt_long's, NULL-ended */
	enum gmm_operand operands[3];	/* in order, GMM_OPERAND_END-ended */
};

extern const struct gmm_cmd gmm_cmd_completion, gmm_cmd_fit,
    gmm_cmd_impute, gmm_cmd_plot, gmm_cmd_sample, gmm_cmd_score,
    gmm_cmd_select_k, gmm_cmd_show, gmm_cmd_threshold;
/* All of them, sorted by name, NULL-ended (commands.c). */
extern const struct gmm_cmd *const gmm_commands[];

/* Long-only options get values above any character. */
enum gmm_opt {
	OPT_HEADER = 256,
	OPT_NO_HEADER,
	OPT_THREADS,
	OPT_SEED,
	OPT_COVARIANCE,
	OPT_MAX_ITER,
	OPT_TOL,
	OPT_REG_COVAR,
	OPT_N_INIT,
	OPT_INIT,
	OPT_LABELS,
	OPT_PROBA,
	OPT_APPEND,
	OPT_SUMMARY,
	OPT_CRITERION,
	OPT_ALLOW_DEGENERATE,
	OPT_JSON,
	OPT_COMMENT,
	OPT_KEEP_BLANK,
	OPT_APPEND_COLUMNS,
	OPT_SMEM,
	OPT_PRIOR,
	OPT_WEIGHTS,
	OPT_NA,
	OPT_MISSING,
	OPT_VARIANCE,
	OPT_DRAW,
	OPT_DRAWS,
	OPT_UNCERTAINTY,
	OPT_MAX_POINTS,
	OPT_MODEL,
	OPT_POSTERIOR,
	OPT_OUTLIER,
	OPT_NOISE,
	OPT_NOISE_VOLUME,
	OPT_FAMILY,
	OPT_DF,
	OPT_LABEL_COLUMN,
	OPT_FACTORS,
	OPT_MEMORY,
	OPT_ONLINE,
	OPT_BATCH,
	OPT_ALPHA,
	OPT_CHECKPOINT,
	OPT_MPI,
	OPT_ACCELERATE,
};

#define GMM_CSV_LONGOPTS \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "columns", required_argument, NULL, 'c' }, \
	{ "header", no_argument, NULL, OPT_HEADER }, \
	{ "no-header", no_argument, NULL, OPT_NO_HEADER }, \
	{ "comment", required_argument, NULL, OPT_COMMENT }, \
	{ "na", required_argument, NULL, OPT_NA }, \
	{ "missing", required_argument, NULL, OPT_MISSING }, \
	{ "threads", required_argument, NULL, OPT_THREADS }, \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "help", no_argument, NULL, 'h' }

#define GMM_COMMON_LONGOPTS \
	GMM_CSV_LONGOPTS, \
	{ "seed", required_argument, NULL, OPT_SEED }

#define GMM_COMMON_SHORTOPTS "d:c:vqh"

#define GMM_CSV_SHORTOPTS "d:c:vqh"

/* The common options' lines of every --help. */
#define GMM_CSV_HELP \
	"  -d, --delimiter C   field delimiter (default ','; '\\t' for tab)\n" \
	"  -c, --columns LIST  columns by 1-based index, range (2-5) or name\n" \
	"      --header        the first record is a header\n" \
	"      --no-header     the first record is data\n" \
	"      --comment C     skip lines that start with C anywhere ('#'\n" \
	"                      lines are skipped only before the first record)\n" \
	"      --na LIST       missing-value tokens besides the empty field,\n" \
	"                      comma-separated, any case (default NA,NaN)\n" \
	"      --missing M     allow (default: EM and scores use the observed\n" \
	"                      values of a row) or error (refuse the data)\n" \
	"      --threads N     threads (default: OMP_NUM_THREADS, else the\n" \
	"                      processors this process may run on)\n" \
	"  -v, --verbose       progress on stderr\n" \
	"  -q, --quiet         no summary or notes on stderr\n" \
	"  -h, --help          this help\n"

#define GMM_COMMON_HELP \
	GMM_CSV_HELP \
	"      --seed S        random seed, 0 to 4294967295 (default 0)\n"

struct gmm_common {
	struct gmm_csvin_options csv;
	int threads;
	int threads_given;	/* --threads was given */
	unsigned long long seed;
	int verbose, quiet;
};

void gmm_common_init(struct gmm_common *co);

/*
 * Handle opt if it is common: 1 handled, 0 not a common option, -1 a bad
 * value (reported on stderr).
 */
int gmm_common_option(const char *cmd, struct gmm_common *co, int opt,
    const char *arg);

/*
 * getopt_long() with the messages of every gmm command: an unknown option
 * ("gmm fit: unknown option --covarance; did you mean --covariance?"), an
 * ambiguous abbreviation, a missing or unwanted value, each on stderr
 * after "gmm CMD:"; then '?' is returned as getopt_long() does.
 */
int gmm_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts);

/*
 * The n operands after the options: at least min, at most max.  When not,
 * say which is missing (the first missing one of names, "MODEL FILE") or
 * which is extra, and return -1.
 */
int gmm_operands(const char *cmd, int n, char **argv, int min, int max,
    const char *names);

/*
 * The operands MODEL [FILE] of score and impute (argv after the options,
 * n of them): *model, and *file ("-" when absent); -1 (reported) when
 * they are not one or two, or both are standard input.
 */
int gmm_model_file_operands(const char *cmd, int n, char **argv,
    const char **model, const char **file);

/* Print "usage: ..." on stderr; returns GMM_EXIT_USAGE. */
int gmm_usage(const char *usage);

/* Parse option values; -1 (reported) when arg is not of the kind. */
/* --seed: 0 to GMM_SEED_MAX (mt19937 takes 32 bits, as scikit-learn's
 * random_state); else a message and -1. */
#define GMM_SEED_MAX 4294967295u
/* --n-init: the model file keeps n_init in 32 bits. */
#define GMM_N_INIT_MAX 4294967295u
int gmm_parse_seed(const char *cmd, const char *arg, unsigned long long *out);
/* A whole number from min to max; the message names the range when max is
 * below SIZE_MAX. */
int gmm_parse_count(const char *cmd, const char *opt, const char *arg,
    size_t min, size_t max, size_t *out);
int gmm_parse_real(const char *cmd, const char *opt, const char *arg,
    double min, double *out);

/* --memory SIZE: bytes, with an optional K, M, G or T (powers of 1024)
 * or % (of physical memory); 0 is allowed. */
int gmm_parse_size(const char *cmd, const char *opt, const char *arg,
    size_t *out);
/* Bytes of physical memory, or 0 when unknown. */
size_t gmm_physical_memory(void);

/* "1..9", "2,4,8", "3" into a new array (caller frees).  Errors are
 * reported: -1 for a bad list, GMM_PARSE_NOMEM when out of memory. */
#define GMM_PARSE_NOMEM (-2)
int gmm_parse_k_list(const char *cmd, const char *arg, size_t **ks,
    size_t *nk);

/* A new mt19937 seeded with seed; NULL only when out of memory. */
gsl_rng *gmm_rng_new(unsigned long long seed);

/* Read a model (binary or JSON), reporting errors: NULL on failure. */
struct gmm_model *gmm_load_model(const char *cmd, const char *path);
/* The same for a command that takes only some models: one with a noise
 * component (engine/noise.h) unless noise_ok, or of a family other than
 * the Gaussian (engine/family.h) unless family_ok, is refused, saying
 * why (`why`, completing "which ..."). */
struct gmm_model *gmm_load_model_kind(const char *cmd, const char *path,
    int noise_ok, int family_ok, const char *why);

/*
 * Name the model's columns after the input's selected columns: the header's
 * names, or x<1-based index in the file>.  -1 when out of memory.
 */
int gmm_name_columns(struct gmm_model *m, const struct gmm_csvin *in);

/*
 * Unless -q: say on stderr how many blank lines among the data were
 * skipped ("gmm fit: data.csv: 2 blank lines skipped"); with -v, which.
 */
void gmm_report_blank(const char *cmd, const struct gmm_csvin *in,
    const struct gmm_common *co);

/*
 * Unless -q: say on stderr how many values were missing, in how many
 * rows, and how many rows with no observed value were skipped ("gmm fit:
 * data.csv: 40 values missing in 37 of 272 rows; 2 rows with no value
 * skipped"); nothing when none was.
 */
void gmm_report_missing(const char *cmd, const struct gmm_csvin *in,
    const struct gmm_data *x, const struct gmm_common *co);

/*
 * 1 when every column name of m is x<digits>, as fit names the columns of
 * a file without a header (and a JSON model without "columns"): a model
 * with no names of its own.
 */
int gmm_model_names_generated(const struct gmm_model *m);

/* The default of --threads: OMP_NUM_THREADS (its first number) when set
 * and valid, else the processors of this process's affinity mask. */
int gmm_default_threads(void);

#endif
