#include "cmd/fitopts.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/consts.h"
#include "base/status.h"
#include "base/text.h"
#include "engine/noise.h"
#include "engine/prior.h"
#include "io/csvin.h"
#include "io/mpi.h"

void
gmm_fitopts_init(struct gmm_fitopts *fo)
{
	memset(fo, 0, sizeof(*fo));
	gmm_common_init(&fo->common);
	fo->em.cov_type = GMM_COV_FULL;
	fo->em.max_iter = GMM_DEFAULT_MAX_ITER;
	fo->em.tol = GMM_DEFAULT_TOL;
	fo->em.reg_covar = GMM_DEFAULT_REG_COVAR;
	fo->em.n_init = 1;
	fo->em.init = GMM_INIT_KMEANS;
	fo->em.family = &gmm_family_gaussian;
}

void
gmm_fitopts_budget(const struct gmm_fitopts *fo, struct gmm_data_budget *b)
{
	const char *dir = getenv("TMPDIR");

	b->bytes = fo->memory_given ? fo->memory :
	    gmm_physical_memory() / 100 * GMM_MEMORY_PERCENT;
	if (!fo->memory_given && b->bytes == 0)
		b->bytes = SIZE_MAX;	/* unknown: in memory, as before */
	b->dir = dir != NULL && dir[0] != '\0' ? dir : "/tmp";
	b->seed = fo->common.seed;
}

void
gmm_fitopts_report_spill(const struct gmm_fitopts *fo, const char *cmd,
    const struct gmm_data *x)
{
	struct gmm_data_budget b;

	if (!fo->common.verbose || !gmm_data_spilled(x))
		return;
	gmm_fitopts_budget(fo, &b);
	fprintf(stderr, "gmm %s: the rows (%.4g MB) are more than --memory "
	    "(%.4g MB): out of core, read back from a temporary file in %s "
	    "on every pass; k-means starts from a sample of %zu "
	    "rows\n", cmd, (double)x->n * (double)(x->d +
	    gmm_data_weighted(x)) * 8 / 1e6, (double)b.bytes / 1e6, b.dir,
	    gmm_data_sample(x)->n);
}

void
gmm_fitopts_release(struct gmm_fitopts *fo)
{
	gmm_model_free(fo->init_model);
	fo->init_model = NULL;
	free(fo->start_resp);
	fo->start_resp = NULL;
}

static int
parse_init(const char *cmd, struct gmm_fitopts *fo, const char *arg)
{
	static const struct { const char *name; enum gmm_init_method m; }
	    methods[] = {
		{ "kmeans", GMM_INIT_KMEANS },
		{ "kmeans++", GMM_INIT_KMEANSPP },
		{ "random", GMM_INIT_RANDOM },
		{ "smallem", GMM_INIT_SMALLEM },
		{ "hc", GMM_INIT_HC },
	};
	static const char *const names[] = { "kmeans", "kmeans++", "random",
		"smallem", "hc" };
	enum { NMETHODS = sizeof(names) / sizeof(names[0]) };
	struct stat st;

	fo->init_given = 1;
	if (strncmp(arg, "resp:", 5) == 0 || strncmp(arg, "labels:", 7) == 0) {
		fo->start_labels = arg[0] == 'l';
		fo->start_file = arg + (fo->start_labels ? 7 : 5);
		fo->em.init = GMM_INIT_RESP;
		fo->init_arg = NULL;
		return 1;
	}
	for (size_t i = 0; i < NMETHODS; i++) {
		if (strcmp(arg, methods[i].name) == 0) {
			fo->em.init = methods[i].m;
			fo->init_arg = NULL;
			fo->start_file = NULL;
			return 1;
		}
	}
	/* a word that names no file and looks like no path is a method
	 * misspelt, not a model file that is missing */
	if (stat(arg, &st) < 0 && strpbrk(arg, "/.") == NULL) {
		const char *hint = gmm_text_closest(arg, names, NMETHODS);

		gmm_warn(cmd, "--init takes kmeans, kmeans++, random, smallem, "
		    "hc or a model file; \"%s\" is none of them%s%s%s", arg,
		    hint ? " (did you mean " : "", hint ? hint : "",
		    hint ? "?)" : "");
		return -1;
	}
	fo->em.init = GMM_INIT_MODEL;
	fo->init_arg = arg;
	fo->start_file = NULL;
	return 1;
}

/* Append row (k values) to the growing n x k array *a (capacity *cap
 * rows); -1 when out of memory. */
static int
append_row(double **a, size_t *n, size_t *cap, const double *row, size_t k)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 1024;
		double *b = c > SIZE_MAX / sizeof(double) / k ? NULL :
		    realloc(*a, c * k * sizeof(double));

		if (b == NULL)
			return -1;
		*a = b;
		*cap = c;
	}
	memcpy(*a + *n * k, row, k * sizeof(double));
	(*n)++;
	return 0;
}

/*
 * One value of a start file, checked: a responsibility in [0, 1], or a
 * label, a whole number from 0 below GMM_MAX_K (and below k when given).
 */
static int
check_start_value(const struct gmm_fitopts *fo, struct gmm_csvin *in,
    size_t j, double v, struct gmm_error *err)
{
	if (!fo->start_labels) {
		if (v >= 0 && v <= 1)
			return 0;
		return gmm_error_set(err, gmm_csvin_name(in),
		    gmm_csvin_row_line(in), "column %zu: %.17g is not a "
		    "responsibility (0 to 1)", gmm_csvin_colindex(in, j), v);
	}
	if (v >= 0 && v == floor(v) && v < (double)GMM_MAX_K &&
	    (!fo->k_given || v < (double)fo->em.k))
		return 0;
	if (fo->k_given && v == floor(v) && v >= 0)
		return gmm_error_set(err, gmm_csvin_name(in),
		    gmm_csvin_row_line(in), "column 1: label %.17g, but -k "
		    "is %zu (labels are 0 to k - 1)", v, fo->em.k);
	return gmm_error_set(err, gmm_csvin_name(in), gmm_csvin_row_line(in),
	    "column 1: %.17g is not a label (a whole number from 0)", v);
}

/*
 * A start file that score wrote (a header with log_density): select its
 * label column, or its p0, p1, ... columns, so that the output of score
 * --labels or --proba (either with the other) starts a fit as it is.
 */
static int
select_score_columns(struct gmm_fitopts *fo, struct gmm_csvin *in,
    struct gmm_error *err)
{
	size_t nf = gmm_csvin_nfields(in), np = 0;
	char **names;
	int r;

	if (!gmm_csvin_has_header(in) || !gmm_csvin_has_column(in,
	    "log_density"))
		return 0;
	names = calloc(nf, sizeof(*names));
	if (names == NULL)
		return gmm_error_nomem(err);
	for (size_t i = 0; i < nf; i++) {
		const char *h = gmm_csvin_header_name(in, i);

		if (fo->start_labels ? strcmp(h, "label") == 0 : h[0] == 'p' &&
		    h[1] != '\0' && strspn(h + 1, "0123456789") ==
		    strlen(h + 1))
			names[np++] = (char *)(uintptr_t)h;
	}
	r = np == 0 ? 0 : gmm_csvin_match(in, names, np, err);
	free(names);
	return r;
}

/*
 * Read --init resp:FILE or labels:FILE into fo->start_resp (n x k) and
 * fo->em.k: -1 with err set on failure.
 */
static int
read_start(struct gmm_fitopts *fo, struct gmm_error *err)
{
	struct gmm_csvin_options opt = fo->common.csv;
	struct gmm_csvin *in;
	double *rows = NULL, *row = NULL;
	size_t n = 0, cap = 0, w, k = 0;
	int r = -1;

	opt.columns = NULL;
	opt.keep_blank = 0;
	opt.missing = 0;	/* a start has every value */
	in = gmm_csvin_open(fo->start_file, &opt, err);
	if (in == NULL)
		return -1;
	if (select_score_columns(fo, in, err) < 0)
		goto out;
	w = gmm_csvin_ncols(in);
	if (fo->start_labels && w != 1) {
		gmm_error_set(err, gmm_csvin_name(in), 0, "%zu columns: a "
		    "labels file has one label per row", w);
		goto out;
	}
	if (!fo->start_labels && fo->k_given && w != fo->em.k +
	    (fo->em.noise != 0)) {
		gmm_error_set(err, gmm_csvin_name(in), 0, "%zu columns of "
		    "responsibilities, but -k is %zu%s", w, fo->em.k,
		    fo->em.noise ? " and the noise component's is last" : "");
		goto out;
	}
	if (!fo->start_labels && fo->em.noise && w < 2) {
		gmm_error_set(err, gmm_csvin_name(in), 0, "%zu column of "
		    "responsibilities: with --noise the last is the noise "
		    "component's, after at least one component's", w);
		goto out;
	}
	row = malloc(w * sizeof(double));
	if (row == NULL) {
		gmm_error_nomem(err);
		goto out;
	}
	for (;;) {
		double sum = 0;
		int got = gmm_csvin_read_row(in, row, err);

		if (got < 0)
			goto out;
		if (got == 0)
			break;
		for (size_t j = 0; j < w; j++) {
			if (check_start_value(fo, in, j, row[j], err) < 0)
				goto out;
			sum += row[j];
		}
		if (!fo->start_labels && fabs(sum - 1) > 1e-6) {
			gmm_error_set(err, gmm_csvin_name(in),
			    gmm_csvin_row_line(in), "the responsibilities sum "
			    "to %.17g, not 1", sum);
			goto out;
		}
		if (append_row(&rows, &n, &cap, row, w) < 0) {
			gmm_error_nomem(err);
			goto out;
		}
		if (fo->start_labels && (size_t)row[0] + 1 > k)
			k = (size_t)row[0] + 1;
	}
	if (!fo->start_labels)
		k = w - (fo->em.noise != 0);
	else if (fo->k_given)
		k = fo->em.k;
	/* labels: one-hot rows of k */
	if (fo->start_labels) {
		double *z = n > SIZE_MAX / sizeof(double) / k ? NULL :
		    calloc(n * k, sizeof(double));

		if (z == NULL) {
			gmm_error_nomem(err);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			z[i * k + (size_t)rows[i]] = 1;
		free(rows);
		rows = z;
	}
	fo->start_resp = rows;
	rows = NULL;
	fo->em.k = k;
	fo->em.init_resp = fo->start_resp;
	fo->em.init_resp_rows = n;
	fo->em.init_resp_cols = fo->start_labels ? k : w;
	r = 0;
out:
	free(rows);
	free(row);
	gmm_csvin_close(in);
	return r;
}

int
gmm_fitopts_option(const char *cmd, struct gmm_fitopts *fo, int opt,
    const char *arg)
{
	switch (opt) {
	case 'k':
		fo->k_given = 1;
		return gmm_parse_count(cmd, "-k", arg, 1, SIZE_MAX,
		    &fo->em.k) < 0 ? -1 : 1;
	case OPT_COVARIANCE:
		fo->cov_given = 1;
		if (gmm_cov_type_parse(arg, &fo->em.cov_type) < 0) {
			gmm_warn(cmd, "--covariance is full, diag, spherical, "
			    "tied or one of mclust's %s, not \"%s\"",
			    GMM_COV_MCLUST_NAMES, arg);
			return -1;
		}
		return 1;
	case OPT_MAX_ITER:
		return gmm_parse_count(cmd, "--max-iter", arg, 0,
		    SIZE_MAX, &fo->em.max_iter) < 0 ? -1 : 1;
	case OPT_TOL:
		return gmm_parse_real(cmd, "--tol", arg, 0, &fo->em.tol) < 0
		    ? -1 : 1;
	case OPT_REG_COVAR:
		return gmm_parse_real(cmd, "--reg-covar", arg, 0,
		    &fo->em.reg_covar) < 0 ? -1 : 1;
	case OPT_N_INIT:
		return gmm_parse_count(cmd, "--n-init", arg, 1,
		    GMM_N_INIT_MAX, &fo->em.n_init) < 0 ? -1 : 1;
	case OPT_INIT:
		return parse_init(cmd, fo, arg);
	case OPT_SMEM:
		fo->em.smem = 1;
		return 1;
	case OPT_ACCELERATE:
		fo->em.accelerate = 1;
		return 1;
	case OPT_PRIOR:
		if (strcmp(arg, "conjugate") != 0 && strcmp(arg, "none") != 0) {
			gmm_warn(cmd, "--prior is none or conjugate, not \"%s\"",
			    arg);
			return -1;
		}
		fo->em.prior = strcmp(arg, "conjugate") == 0;
		return 1;
	case OPT_WEIGHTS:
		fo->common.csv.weights = arg;
		return 1;
	case OPT_NOISE:
		fo->em.noise = 1;
		return 1;
	case OPT_LABEL_COLUMN:
		fo->common.csv.labels = arg;
		return 1;
	case OPT_MPI:
		fo->mpi = 1;
		return 1;
	case OPT_MEMORY:
		fo->memory_given = 1;
		return gmm_parse_size(cmd, "--memory", arg, &fo->memory) < 0 ?
		    -1 : 1;
	case OPT_FACTORS:
		fo->factors_given = 1;
		return gmm_parse_count(cmd, "--factors", arg, 1, GMM_MAX_D,
		    &fo->em.factors) < 0 ? -1 : 1;
	case OPT_FAMILY:
		fo->family_given = 1;
		if ((fo->em.family = gmm_family_named(arg)) == NULL) {
			gmm_warn(cmd, "--family is gaussian or t, not \"%s\"",
			    arg);
			return -1;
		}
		return 1;
	case OPT_DF:
		if (gmm_parse_real(cmd, "--df", arg, 0, &fo->em.df) < 0)
			return -1;
		if (!(fo->em.df >= GMM_T_DF_MIN)) {
			gmm_warn(cmd, "--df must be at least %g (the interval "
			    "nu is estimated in starts there), not \"%s\"",
			    GMM_T_DF_MIN, arg);
			return -1;
		}
		fo->em.df_fixed = 1;
		return 1;
	case OPT_NOISE_VOLUME:
		fo->em.noise = 1;
		if (gmm_parse_real(cmd, "--noise-volume", arg, 0,
		    &fo->noise_volume) < 0)
			return -1;
		if (!(fo->noise_volume > 0) || !isfinite(1 /
		    fo->noise_volume)) {
			gmm_warn(cmd, "--noise-volume must be positive, not "
			    "\"%s\"", arg);
			return -1;
		}
		return 1;
	}
	return 0;
}

static int
usage_fail(struct gmm_fitopts *fo)
{
	fo->failed_usage = 1;
	return -1;
}

int
gmm_fitopts_finish(const char *cmd, struct gmm_fitopts *fo, int need_k)
{
	struct gmm_model *m;

	fo->cmd = cmd;
	if (fo->factors_given && fo->cov_given &&
	    !gmm_covmodel(fo->em.cov_type)->factor) {
		gmm_warn(cmd, "--factors is for --covariance mfa or mppca, not "
		    "%s", gmm_cov_type_name(fo->em.cov_type));
		return usage_fail(fo);
	}
	if (fo->cov_given && gmm_covmodel(fo->em.cov_type)->factor &&
	    !fo->factors_given && fo->init_arg == NULL) {
		gmm_warn(cmd, "--covariance %s needs --factors Q",
		    gmm_cov_type_name(fo->em.cov_type));
		return usage_fail(fo);
	}
	if (fo->em.df_fixed && !fo->family_given)
		fo->em.family = &gmm_family_t;
	if (fo->em.df_fixed && !fo->em.family->scaled) {
		gmm_warn(cmd, "--df is the t family's degrees of freedom; "
		    "--family %s has none", fo->em.family->name);
		return usage_fail(fo);
	}
	if (fo->em.prior && fo->em.family != NULL && fo->em.family->scaled) {
		gmm_warn(cmd, "--prior conjugate is mclust's prior for "
		    "Gaussian components, not for --family %s",
		    fo->em.family->name);
		return usage_fail(fo);
	}
	if (fo->em.prior && fo->cov_given &&
	    !gmm_prior_supported(fo->em.cov_type)) {
		gmm_warn(cmd, "mclust has no conjugate prior for %s, nor has "
		    "gmm; --prior conjugate takes %s",
		    gmm_cov_type_name(fo->em.cov_type), GMM_PRIOR_MODELS);
		return usage_fail(fo);
	}
	if (fo->em.prior && fo->em.accelerate) {
		gmm_warn(cmd, "--accelerate does not take --prior yet (its "
		    "safeguard would need the prior's density)");
		return usage_fail(fo);
	}
	if (fo->em.noise && fo->start_file != NULL && fo->start_labels) {
		gmm_warn(cmd, "--noise does not take a labels:FILE start; give "
		    "resp:FILE with the noise component's column last");
		return usage_fail(fo);
	}
	if (fo->start_file != NULL) {
		struct gmm_error err;

		if (read_start(fo, &err) < 0) {
			gmm_report(cmd, &err);
			return -1;
		}
		if (fo->em.n_init > 1) {
			gmm_warn(cmd, "warning: --n-init %zu has no effect with "
			    "a start from %s; one run starts from them",
			    fo->em.n_init, fo->start_labels ? "labels" :
			    "responsibilities");
			fo->em.n_init = 1;
		}
		return 0;
	}
	if (fo->init_arg == NULL) {
		if (need_k && !fo->k_given) {
			gmm_warn(cmd, "-k is required");
			return usage_fail(fo);
		}
		return 0;
	}
	m = gmm_load_model(cmd, fo->init_arg);
	if (m == NULL)
		return -1;
	fo->init_model = m;
	fo->em.init_model = m;
	if ((fo->k_given && fo->em.k != m->k) ||
	    (fo->cov_given && fo->em.cov_type != m->cov_type) ||
	    (fo->family_given && fo->em.family != m->family) ||
	    (fo->factors_given && fo->em.factors != m->factors)) {
		gmm_warn(cmd, "the --init model has k = %zu, covariance %s and "
		    "family %s, which the options contradict", m->k,
		    gmm_cov_type_name(m->cov_type), m->family->name);
		return usage_fail(fo);
	}
	fo->em.k = m->k;
	fo->em.cov_type = m->cov_type;
	fo->em.family = m->family;
	fo->em.factors = m->factors;
	if (fo->em.n_init > 1) {
		gmm_warn(cmd, "warning: --n-init %zu has no effect with a "
		    "start model; one run starts from it", fo->em.n_init);
		fo->em.n_init = 1;
	}
	return 0;
}

/*
 * fit's status line: the run, the iteration, the mean log-likelihood and
 * its change, the time so far and, while EM converges linearly (each
 * change a steady fraction r of the one before), about how long until
 * the change passes under --tol: log(tol / change) / log r iterations at
 * the run's mean iteration time, at most up to --max-iter.
 */
static void
status(struct gmm_fitopts *fo, const struct gmm_em_progress *p)
{
	double change = fabs(p->change), left = -1, tol = fo->em.tol;
	size_t it = p->iteration, more = fo->em.max_iter - it;
	char runs[64] = "", eta[64] = "", ch[64] = "";

	if (p->at_start || p->iteration == 0 || p->distinct > 0) {
		fo->prev_change = 0;	/* a run ends, or the last */
		fo->run_seconds = 0;
		return;
	}
	fo->run_seconds += p->seconds;
	if (tol > 0 && it > 2 && fo->prev_change > 0 && change > tol &&
	    change < fo->prev_change) {
		double n = ceil(log(tol / change) / log(change /
		    fo->prev_change));

		left = (n < (double)more ? n : (double)more) *
		    fo->run_seconds / (double)it;
	} else if (tol == 0) {
		left = (double)more * fo->run_seconds / (double)it;
	}
	fo->prev_change = change;
	if (fo->em.n_init > 1 && fo->em.init != GMM_INIT_MODEL &&
	    fo->em.init != GMM_INIT_RESP)
		snprintf(runs, sizeof(runs), "run %zu/%zu  ", p->run + 1,
		    fo->em.n_init);
	if (isfinite(p->change))
		snprintf(ch, sizeof(ch), "  change %.2g", p->change);
	if (left >= 0)
		snprintf(eta, sizeof(eta), "  ~%.0f s left", ceil(left));
	gmm_status_draw(it == 1, "gmm %s: %siteration %zu  loglik %.6g%s  "
	    "%.1f s%s",
	    fo->cmd, runs, it, p->loglik_mean, ch, gmm_status_elapsed(), eta);
}

static void
progress(void *ctx, const struct gmm_em_progress *p)
{
	struct gmm_fitopts *fo = ctx;

	status(fo, p);
	if (!fo->common.verbose)
		return;
	gmm_status_clear();
	if (p->at_start) {
		if (p->reseeded != (size_t)-1)
			fprintf(stderr, "gmm %s: run %zu start: component %zu "
			    "has no rows; reseeded on data row %zu, the "
			    "farthest from its start centre\n", fo->cmd,
			    p->run + 1, p->reseeded, p->reseed_row + 1);
		if (p->sample_rows > 0)
			fprintf(stderr, "gmm %s: run %zu start: k-means on a "
			    "sample of %zu rows (%.6f s)\n", fo->cmd,
			    p->run + 1, p->sample_rows, p->seconds);
		else
			fprintf(stderr, "gmm %s: run %zu start (%.6f s)\n",
			    fo->cmd, p->run + 1, p->seconds);
		return;
	}
	if (p->reseeded != (size_t)-1)
		fprintf(stderr, "gmm %s: run %zu iteration %zu: component %zu "
		    "collapsed; reseeded on data row %zu, the worst "
		    "explained\n", fo->cmd, p->run + 1, p->iteration,
		    p->reseeded, p->reseed_row + 1);
	if (p->distinct > 0)
		fprintf(stderr, "gmm %s: %zu run%s reached %zu distinct "
		    "optim%s; the best: mean log-likelihood %.12g\n", fo->cmd,
		    p->run, p->run == 1 ? "" : "s", p->distinct,
		    p->distinct == 1 ? "um" : "a", p->loglik_mean);
	else if (p->iteration == 0)
		fprintf(stderr, "gmm %s: run %zu: final mean log-likelihood "
		    "%.12g\n", fo->cmd, p->run + 1, p->loglik_mean);
	else
		fprintf(stderr, "gmm %s: run %zu iteration %zu: mean "
		    "log-likelihood %.12g change %.3g (%.6f s)\n", fo->cmd,
		    p->run + 1, p->iteration, p->loglik_mean, p->change,
		    p->seconds);
}

int
gmm_fitopts_start_mpi(struct gmm_fitopts *fo, const char *cmd)
{
	struct gmm_comm *comm;
	struct gmm_error err;

	if (gmm_mpi_start(&comm, &err) < 0) {
		gmm_report(cmd, &err);
		return -1;
	}
	fo->comm = comm;
	if (!fo->common.threads_given && getenv("OMP_NUM_THREADS") == NULL) {
		int t = fo->common.threads / gmm_mpi_local_ranks();

		fo->common.threads = t > 1 ? t : 1;
	}
	if (comm->rank > 0)	/* rank 0 alone reports */
		fo->common.verbose = 0;
	return 0;
}

int
gmm_fitopts_mpi_usage(const struct gmm_fitopts *fo, const char *cmd,
    char *const *files, size_t nfiles)
{
	const char *no;
	int stdin_named = 0;

	if (!fo->mpi)
		return 0;
	for (size_t i = 0; i < nfiles; i++)
		stdin_named |= strcmp(files[i], "-") == 0;
	no = stdin_named ? "standard input (each rank reads its "
	    "share of a FILE)" : fo->em.noise ? "--noise" : fo->em.prior ?
	    "--prior" : fo->em.smem ? "--smem" : fo->em.init == GMM_INIT_HC ?
	    "--init hc" : fo->em.init == GMM_INIT_RANDOM ? "--init random" :
	    fo->start_file != NULL ? "--init resp: or labels:" :
	    fo->common.csv.labels != NULL ? "--label-column" : NULL;
	if (no == NULL)
		return 0;
	gmm_warn(cmd, "--mpi does not take %s yet", no);
	return -1;
}

/* File `file` (reader r) has the columns of the list's first (in): the
 * same header or none, and the same names or as many columns. */
static int
same_columns(const struct gmm_csvin *in, struct gmm_csvin *r,
    struct gmm_error *err)
{
	size_t d = gmm_csvin_ncols(in);
	char **names;
	int ret;

	if (gmm_csvin_has_header(in) != gmm_csvin_has_header(r))
		return gmm_error_set(err, gmm_csvin_name(r), 0, "%s, and %s "
		    "%s: the files of a list have a header or none alike",
		    gmm_csvin_has_header(r) ? "has a header" : "has no header",
		    gmm_csvin_name(in), gmm_csvin_has_header(in) ? "has one" :
		    "has none");
	names = malloc((d ? d : 1) * sizeof(*names));
	if (names == NULL)
		return gmm_error_nomem(err);
	for (size_t j = 0; j < d; j++)
		names[j] = (char *)gmm_csvin_colname(in, j);
	ret = gmm_csvin_match_of(r, names, d, gmm_csvin_name(in), err);
	free(names);
	return ret;
}

/* Rank rank of R's share of the files' rows appended to x (begun). */
static int
read_shares(const struct gmm_fitopts *fo, struct gmm_csvin *in,
    char *const *files, size_t nfiles, struct gmm_data *x,
    struct gmm_error *err)
{
	unsigned long long R = (unsigned long long)fo->comm->size,
	    r = (unsigned long long)fo->comm->rank, total = 0, at = 0;
	unsigned long long *size = malloc(nfiles * sizeof(*size));
	struct stat st;
	int ret = -1;

	if (size == NULL)
		return gmm_error_nomem(err);
	for (size_t i = 0; i < nfiles; i++) {
		if (stat(files[i], &st) != 0) {
			gmm_error_set(err, files[i], 0, "%s", strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			gmm_error_set(err, files[i], 0, "--mpi reads regular "
			    "files, each rank its share; not a pipe or a "
			    "device");
			goto out;
		}
		if (st.st_size == 0) {
			gmm_error_set(err, files[i], 0, "empty: every file "
			    "of the list has rows");
			goto out;
		}
		size[i] = (unsigned long long)st.st_size;
		if (size[i] > (ULLONG_MAX / 2 - total) / R) {
			gmm_error_set(err, files[i], 0, "the files are too big "
			    "to share among %llu ranks", R);
			goto out;
		}
		total += size[i];
	}
	/* in units of 1/R byte: this rank's range is total*r .. total*(r+1)
	 * of the list, file i's bytes are at*R .. (at + size)*R */
	for (size_t i = 0; i < nfiles; i++) {
		unsigned long long a = at * R, b = (at + size[i]) * R,
		    lo = total * r, hi = total * (r + 1);
		struct gmm_csvin *f = in;

		at += size[i];
		lo = lo < a ? 0 : lo > b ? b - a : lo - a;
		hi = hi < a ? 0 : hi > b ? b - a : hi - a;
		if (lo >= hi)
			continue;	/* another rank's */
		if (i > 0 && ((f = gmm_csvin_open(files[i], &fo->common.csv,
		    err)) == NULL || same_columns(in, f, err) < 0))
			goto close;
		if (gmm_csvin_share(f, lo, hi, b - a, err) < 0 ||
		    gmm_csvin_read_more(f, x, err) < 0)
			goto close;
		if (f != in)
			gmm_csvin_close(f);
		continue;
close:
		if (f != in)
			gmm_csvin_close(f);
		goto out;
	}
	ret = 0;
out:
	free(size);
	return ret;
}

int
gmm_fitopts_read(struct gmm_fitopts *fo, struct gmm_csvin *in,
    char *const *files, size_t nfiles, const struct gmm_data_budget *budget,
    struct gmm_data *x, struct gmm_error *err)
{
	struct timespec t0, t1;
	int r;

	fo->read_threads = 0;
	if (fo->comm == NULL) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (gmm_csvin_read_parallel(in, fo->common.threads, x, budget,
		    err) == 0) {
			fo->read_threads = fo->common.threads;
			r = 0;
		} else {
			r = gmm_csvin_read_data(in, x, budget, err);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fo->read_seconds = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
		return r;
	}
	if (gmm_csvin_read_begin(in, x, budget, err) < 0)
		return -1;
	if (read_shares(fo, in, files, nfiles, x, err) < 0 ||
	    gmm_csvin_read_end(in, x, err) < 0) {
		gmm_data_release(x);
		return -1;
	}
	return 0;
}

int
gmm_fitopts_any_failed(const struct gmm_fitopts *fo, const char *cmd,
    int failed, struct gmm_error *err)
{
	int first = gmm_comm_first(fo->comm, failed);

	if (first < 0)
		return 0;
	if (fo->comm == NULL || first == fo->comm->rank) {
		gmm_mpi_own_stderr();
		gmm_report(cmd, err);
	}
	return 1;
}

int
gmm_fitopts_lead(const struct gmm_fitopts *fo)
{
	return fo->comm == NULL || fo->comm->rank == 0;
}

int
gmm_fitopts_fit(struct gmm_fitopts *fo, const char *cmd,
    const struct gmm_data *x, struct gmm_model **out, struct gmm_error *err)
{
	size_t n = x->n, d = x->d;
	gsl_rng *rng = gmm_rng_new(fo->common.seed);
	int ret;

	fo->cmd = cmd;
	if (rng == NULL)
		return gmm_error_nomem(err);
	fo->em.threads = fo->common.threads;
	fo->em.seed = fo->common.seed;
	if (strcmp(cmd, "fit") == 0)	/* select-k draws its own */
		gmm_status_enable(fo->common.quiet);
	fo->em.progress = strcmp(cmd, "fit") == 0 && (fo->common.verbose ||
	    gmm_status_on()) ? progress : NULL;
	fo->prev_change = 0;
	fo->run_seconds = 0;
	if (fo->em.progress != NULL && fo->common.verbose) {
		int t = gmm_em_threads(n, d, fo->em.k, fo->em.cov_type,
		    fo->em.threads);

		if (fo->comm != NULL)
			fprintf(stderr, "gmm %s: %zu rows, %zu columns, %d "
			    "ranks of %d thread%s\n", cmd,
			    gmm_data_rows_all(x), d, fo->comm->size, t,
			    t == 1 ? "" : "s");
		else
			fprintf(stderr, "gmm %s: %zu rows, %zu columns, %d "
			    "thread%s", cmd, n, d, t, t == 1 ? "" : "s");
		if (fo->comm == NULL && fo->read_threads > 1)
			fprintf(stderr, "; read by %d threads\n",
			    fo->read_threads);
		else if (fo->comm == NULL)
			fputc('\n', stderr);
		if (fo->comm == NULL)
			fprintf(stderr, "gmm %s: the rows read in %.6f s\n",
			    cmd, fo->read_seconds);
	}
	fo->em.progress_ctx = fo;
	if (fo->em.noise && fo->noise_volume > 0) {
		fo->em.noise_vinv = 1 / fo->noise_volume;
	} else if (fo->em.noise && !gmm_data_spilled(x) &&
	    gmm_data_comm(x) == NULL) {	/* else gmm_em_fit() refuses */
		double v;

		if (gmm_noise_hypvol(x, &v, err) < 0) {
			gsl_rng_free(rng);
			return -1;
		}
		fo->em.noise_vinv = 1 / v;
		if (fo->common.verbose)
			fprintf(stderr, "gmm %s: noise component over the "
			    "data's hypervolume %.12g\n", cmd, v);
	}
	ret = gmm_em_fit(x, &fo->em, rng, out, err);
	gmm_status_clear();
	if (ret == 0 && x->label != NULL && gmm_model_set_classes(*out,
	    x->classes, x->nclasses) < 0) {
		gmm_model_free(*out);
		*out = NULL;
		ret = gmm_error_nomem(err);
	}
	if (ret == 0)
		(*out)->training.seed = fo->common.seed;
	gsl_rng_free(rng);
	return ret;
}
