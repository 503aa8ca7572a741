/*
 * fitopts: the fit options that `fit` and `select-k` share (--covariance,
 * --max-iter, --tol, --reg-covar, --n-init, --init and the common ones), and
 * the one call that runs the engine with them (with --noise, after the
 * data's hypervolume, engine/noise.h).  Command layer: reports its
 * own errors on stderr.
 */
#ifndef GMM_FITOPTS_H
#define GMM_FITOPTS_H

#include "cmd/cmd.h"
#include "engine/em.h"

struct gmm_fitopts {
	struct gmm_common common;
	struct gmm_em_options em;
	int k_given, cov_given, family_given, factors_given;
	const char *init_arg;		/* --init MODEL, borrowed from argv */
	int init_given;			/* --init was given, any form */
	struct gmm_model *init_model;	/* owned */
	const char *start_file;		/* --init resp:FILE or labels:FILE */
	int start_labels;		/* 1 for labels:FILE */
	double *start_resp;		/* owned: what it gives, n x k */
	int json;		/* fit --json: the summary as JSON */
	double noise_volume;	/* --noise-volume, or 0: the data's */
	size_t memory;		/* --memory: bytes the rows may hold */
	int read_threads;	/* threads that read the rows, when more
				 * than one (gmm_fitopts_read()) */
	double read_seconds;	/* the wall time of that read (-v) */
	int memory_given;
	int mpi;		/* --mpi: one rank's share (io/mpi.h) */
	const struct gmm_comm *comm;	/* with --mpi, after
				 * gmm_fitopts_start_mpi() */
	int failed_usage;		/* set when finish() fails on usage */
	const char *cmd;
	/* fit's status line on a terminal (base/status.h) */
	double prev_change;	/* the run's previous change, 0 at first */
	double run_seconds;	/* the run's iterations so far */
};

#define GMM_FIT_LONGOPTS \
	{ "covariance", required_argument, NULL, OPT_COVARIANCE }, \
	{ "max-iter", required_argument, NULL, OPT_MAX_ITER }, \
	{ "tol", required_argument, NULL, OPT_TOL }, \
	{ "reg-covar", required_argument, NULL, OPT_REG_COVAR }, \
	{ "n-init", required_argument, NULL, OPT_N_INIT }, \
	{ "init", required_argument, NULL, OPT_INIT }, \
	{ "smem", no_argument, NULL, OPT_SMEM }, \
	{ "accelerate", no_argument, NULL, OPT_ACCELERATE }, \
	{ "prior", required_argument, NULL, OPT_PRIOR }, \
	{ "weights", required_argument, NULL, OPT_WEIGHTS }, \
	{ "noise", no_argument, NULL, OPT_NOISE }, \
	{ "noise-volume", required_argument, NULL, OPT_NOISE_VOLUME }, \
	{ "family", required_argument, NULL, OPT_FAMILY }, \
	{ "df", required_argument, NULL, OPT_DF }, \
	{ "label-column", required_argument, NULL, OPT_LABEL_COLUMN }, \
	{ "factors", required_argument, NULL, OPT_FACTORS }, \
	{ "memory", required_argument, NULL, OPT_MEMORY }, \
	{ "mpi", no_argument, NULL, OPT_MPI }

#define GMM_FIT_HELP \
	"      --covariance TYPE  full (default), diag, spherical, tied, or\n" \
	"                      one of mclust's fourteen: EII, VII, EEI, VEI,\n" \
	"                      EVI, VVI, EEE, VEE, EVE, VVE, EEV, VEV, EVV, VVV\n" \
	"                      (VVV, VVI, VII, EEE: full, diag, spherical, tied);\n" \
	"                      mfa or mppca: factor analysers, probabilistic PCA\n" \
	"      --factors Q     mfa, mppca: Q factors per component\n" \
	"      --max-iter N    EM iterations at most (default 1000)\n" \
	"      --tol T         stop when the mean log-likelihood per row\n" \
	"                      changes by less than T (default 1e-6)\n" \
	"      --reg-covar R   added to covariance diagonals (default 1e-6)\n" \
	"      --n-init N      runs from different starts; best kept (default 1)\n" \
	"      --init METHOD   kmeans (default), kmeans++, random, smallem, hc,\n" \
	"                      a model file (binary or JSON) to start from,\n" \
	"                      resp:FILE (n rows of k responsibilities) or\n" \
	"                      labels:FILE (n 0-based labels) for an M-step\n" \
	"      --smem          then split-and-merge moves while they gain\n" \
	"      --accelerate    SQUAREM: extrapolate every two EM iterations,\n" \
	"                      kept when the log-likelihood does not drop\n" \
	"      --prior P       none (default) or conjugate: MAP EM with mclust's\n" \
	"                      default conjugate prior\n" \
	"      --weights COL   column COL (a number or header name) holds row\n" \
	"                      frequency weights, not data\n" \
	"      --noise         add mclust's uniform noise component, density\n" \
	"                      1/V over the data's hypervolume V\n" \
	"      --noise-volume V  its V, in place of the data's (implies --noise)\n" \
	"      --family F      gaussian (default) or t: multivariate Student-t\n" \
	"                      components, each with its degrees of freedom\n" \
	"      --df NU         t: hold every component's degrees of freedom at\n" \
	"                      NU rather than estimate them (implies --family t)\n" \
	"      --label-column COL  column COL holds each row's known class, or\n" \
	"                      nothing: semi-supervised, as mclust's MclustSSC\n" \
	"      --memory SIZE   rows past SIZE bytes (K, M, G; or % of memory;\n" \
	"                      default 50%) go to a temporary file in TMPDIR,\n" \
	"                      read back each pass: the same model, bounded\n" \
	"                      memory\n" \
	"      --mpi           under mpirun (make MPI=1): ranks share FILE\n"

void gmm_fitopts_init(struct gmm_fitopts *fo);
/* The memory budget of the rows (--memory, TMPDIR or /tmp, --seed). */
void gmm_fitopts_budget(const struct gmm_fitopts *fo,
    struct gmm_data_budget *b);
/* With -v, say that x went out of core (data.h), and how. */
void gmm_fitopts_report_spill(const struct gmm_fitopts *fo, const char *cmd,
    const struct gmm_data *x);
void gmm_fitopts_release(struct gmm_fitopts *fo);

/*
 * --mpi: start MPI (io/mpi.h) and set fo->comm; without --threads each
 * rank takes its share of this machine's processors.  0, or -1 said on
 * stderr (built without MPI).  Every rank calls it.
 */
int gmm_fitopts_start_mpi(struct gmm_fitopts *fo, const char *cmd);
/* What --mpi does not take yet (standard input, --noise, --prior,
 * --smem, --init hc, random, resp: or labels:, --label-column) among
 * the files and options: -1, said, for a usage error; else 0. */
int gmm_fitopts_mpi_usage(const struct gmm_fitopts *fo, const char *cmd,
    char *const *files, size_t nfiles);
/*
 * The rows of a batch fit (fit's, select-k's) into x, through `in`, a
 * reader the caller opened on files[0] and checked (its names, a start
 * model's columns).  Without --mpi, every row of in (nfiles is 1), with
 * --threads threads when the file allows (gmm_csvin_read_parallel(); then
 * fo->read_threads is their number, and -v says so), fo->read_seconds
 * the time it took.
 * Under --mpi, this rank's share of the files' rows: the list's bytes,
 * file after file, are cut in R even ranges (each file's at its record
 * starts, as gmm_csvin_share() says), so that every row is read by one
 * rank and the shares are in list order; a rank opens only the files its
 * range meets.  Every file must have rows, and the columns of the first:
 * with a header the same names (in any order; -c and --weights select in
 * each file by its own header), without one as many, and the same header
 * or none.  Rows are numbered through the list in order.  0, or -1 with
 * err set naming the file (x empty; under --mpi this rank's own error,
 * for gmm_fitopts_any_failed()).
 */
int gmm_fitopts_read(struct gmm_fitopts *fo, struct gmm_csvin *in,
    char *const *files, size_t nfiles, const struct gmm_data_budget *budget,
    struct gmm_data *x, struct gmm_error *err);
/*
 * After a step that may fail on some ranks only (reading each share):
 * 1 when any rank failed (the first in file order has reported its
 * error, others nothing), else 0.  Without --mpi: failed, reported.
 */
int gmm_fitopts_any_failed(const struct gmm_fitopts *fo, const char *cmd,
    int failed, struct gmm_error *err);
/* 1 on the rank that writes and reports (rank 0, or the only one). */
int gmm_fitopts_lead(const struct gmm_fitopts *fo);

/* 1 handled (-k and the options above), 0 not ours, -1 bad value. */
int gmm_fitopts_option(const char *cmd, struct gmm_fitopts *fo, int opt,
    const char *arg);

/*
 * After parsing: load an --init model and take k and the covariance type
 * from it unless given (then they must agree); read --init resp:FILE or
 * labels:FILE and take k from it unless given (then it must agree, or for
 * labels, exceed every label); require -k when need_k.
 * -1 on failure, reported, with failed_usage set for usage errors.
 */
int gmm_fitopts_finish(const char *cmd, struct gmm_fitopts *fo, int need_k);

/*
 * Fit the rows x with fo->em (k and cov_type as set there) and a new RNG
 * from --seed; with -v, per_iteration progress lines go to stderr.  With
 * --noise and no --noise-volume, the noise's volume is x's hypervolume.
 */
int gmm_fitopts_fit(struct gmm_fitopts *fo, const char *cmd,
    const struct gmm_data *x, struct gmm_model **out, struct gmm_error *err);

#endif
