#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/consts.h"
#include "base/status.h"
#include "io/csvout.h"
#include "cmd/fitopts.h"
#include "engine/score.h"
#include "engine/prior.h"
#include "engine/smem.h"
#include "engine/comm.h"
#include "io/modelfile.h"
#include "io/mpi.h"
#include "io/outfile.h"

static const char usage_text[] =
    "usage: gmm select-k -k LIST [--covariance LIST]\n"
    "                    [--criterion bic|aic|icl]\n"
    "                    [--allow-degenerate] [--json] [-o BEST]\n"
    "                    [fit options] [options] [FILE ...]\n";

static const char help_text[] =
    "Fit every k of LIST for every covariance model and compare them by\n"
    "BIC, ICL or AIC (lower is better): one CSV row per fit on stdout.\n\n"
    "  -k LIST             1..9, 2,4,8 or a single number\n"
    "      --covariance LIST  all (default: mclust's fourteen, E and V in\n"
    "                      1-D), sklearn (full,diag,spherical,tied), or a\n"
    "                      list of those names and mclust's (EII,VII,EEI,\n"
    "                      VEI,EVI,VVI,EEE,VEE,EVE,VVE,EEV,VEV,EVV,VVV)\n"
    "      --criterion C   bic (default), aic or icl\n"
    "      --allow-degenerate  let a degenerate fit be chosen\n"
    "      --json          one JSON object per fit (JSON lines), not CSV\n"
    "  -o, --output BEST   write the chosen model here\n"
    "fit options, as for gmm fit, with the same defaults:\n"
    "      --max-iter N    EM iterations at most (default 1000)\n"
    "      --tol T         stop when the mean log-likelihood per row\n"
    "                      changes by less than T (default 1e-6)\n"
    "      --reg-covar R   added to covariance diagonals (default 1e-6)\n"
    "      --n-init N      runs from different starts; best kept (default 1)\n"
    "      --init METHOD   kmeans, kmeans++, random, smallem or hc (default:\n"
    "                      both kmeans and hc, the better kept)\n"
    "      --smem          then split-and-merge moves while they gain\n"
    "      --prior P       none (default) or conjugate: mclust's prior (all\n"
    "                      is then the ten models it has it for)\n"
    "      --weights COL   column COL (a number or header name) holds row\n"
    "                      frequency weights, not data (no hc start then)\n"
    "      --label-column COL  column COL holds known classes (empty:\n"
    "                      unknown), as fit; every k at least the classes\n"
    "      --noise, --noise-volume V  each fit with a noise component\n"
    "      --family F, --df NU  gaussian (default) or t components\n"
    "      --factors LIST  with mfa or mppca in the --covariance list: each\n"
    "                      fitted for every q of LIST (the factors column)\n"
    GMM_COMMON_HELP;

static const struct option longopts[] = {
	GMM_FIT_LONGOPTS,
	{ "criterion", required_argument, NULL, OPT_CRITERION },
	{ "allow-degenerate", no_argument, NULL, OPT_ALLOW_DEGENERATE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "output", required_argument, NULL, 'o' },
	GMM_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int cmd_select_k(int argc, char **argv);

const struct gmm_cmd gmm_cmd_select_k = {
	.name = "select-k", .summary = "fit a range of k and compare by BIC/AIC",
	.run = cmd_select_k, .longopts = longopts,
	.shortopts = "k:o:" GMM_COMMON_SHORTOPTS,
	.operands = { GMM_OPERAND_CSV, GMM_OPERAND_END },
};

enum criterion { CRIT_BIC, CRIT_AIC, CRIT_ICL };
static const char *const criterion_names[] = { "bic", "aic", "icl" };

/* --covariance all: mclust's fourteen in mclust's order (mclustBIC's
 * columns); in one dimension its E and V */
static const enum gmm_cov_type all_types[] = {
	GMM_COV_EII, GMM_COV_SPHERICAL, GMM_COV_EEI, GMM_COV_VEI, GMM_COV_EVI,
	GMM_COV_DIAG, GMM_COV_TIED, GMM_COV_VEE, GMM_COV_EVE, GMM_COV_VVE,
	GMM_COV_EEV, GMM_COV_VEV, GMM_COV_EVV, GMM_COV_FULL,
};
static const enum gmm_cov_type all_types_1d[] = {
	GMM_COV_EII, GMM_COV_SPHERICAL,
};
/* --covariance sklearn: scikit-learn's four */
static const enum gmm_cov_type sklearn_types[] = {
	GMM_COV_FULL, GMM_COV_DIAG, GMM_COV_SPHERICAL, GMM_COV_TIED,
};

struct select_opts {
	struct gmm_fitopts fo;
	size_t *ks, nk;
	enum gmm_cov_type types[GMM_N_COVROWS];
	size_t ntypes;
	size_t *qs, nq;		/* --factors LIST, for mfa and mppca */
	/* the series fitted: each type, a factor model once per q */
	enum gmm_cov_type *stype;
	size_t *sq, nseries;
	int all;		/* types are `all`'s, resolved by d */
	enum criterion criterion;
	int allow_degenerate, json;
	const char *out;	/* -o, or NULL */
	const char *file;	/* the input's name, for messages */
	struct gmm_outfile o;	/* where -o goes, checked before the fits */
};

/* One row of the table; the chosen model is kept aside. */
struct fit_row {
	size_t k;
	enum gmm_cov_type type;
	size_t factors;		/* q of a factor model, else 0 */
	int ok, degenerate;
	double criterion;
	char *error;		/* why the fit failed (ok = 0), or NULL */
};

/* Add type t to the list unless it is there. */
static void
add_type(struct select_opts *s, enum gmm_cov_type t)
{
	for (size_t i = 0; i < s->ntypes; i++)
		if (s->types[i] == t)
			return;
	s->types[s->ntypes++] = t;
}

static int
parse_types(struct select_opts *s, const char *arg)
{
	const char *p = arg;

	s->ntypes = 0;
	s->all = 0;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		char item[16];
		enum gmm_cov_type t;

		if (len > 0) {
			if (len >= sizeof(item))
				break;
			memcpy(item, p, len);
			item[len] = '\0';
			if (strcmp(item, "all") == 0) {
				s->all = 1;
				for (size_t i = 0; i < GMM_N_COVMODELS; i++)
					add_type(s, all_types[i]);
			} else if (strcmp(item, "sklearn") == 0) {
				for (size_t i = 0; i < sizeof(sklearn_types) /
				    sizeof(sklearn_types[0]); i++)
					add_type(s, sklearn_types[i]);
			} else if (gmm_cov_type_parse(item, &t) == 0) {
				add_type(s, t);
			} else {
				break;
			}
		}
		p += len + (p[len] == ',');
	}
	if (*p == '\0' && s->ntypes > 0) {
		/* `all` alone follows the data's dimension */
		s->all = s->all && s->ntypes == GMM_N_COVMODELS;
		return 0;
	}
	gmm_warn("select-k", "--covariance takes all, sklearn, or a list of "
	    "full, diag, spherical, tied, mclust's %s, mfa and mppca; not "
	    "\"%s\"", GMM_COV_MCLUST_NAMES, arg);
	return -1;
}

/* --factors goes with mfa or mppca in the list, and they with it. */
static int
factor_types(const struct select_opts *s)
{
	int any = 0;

	for (size_t i = 0; i < s->ntypes; i++)
		any |= gmm_covmodel(s->types[i])->factor;
	if (any && !s->fo.factors_given) {
		gmm_warn("select-k", "mfa and mppca need --factors Q");
		return -1;
	}
	if (!any && s->fo.factors_given) {
		gmm_warn("select-k", "--factors is for mfa and mppca, which "
		    "--covariance does not list");
		return -1;
	}
	return 0;
}

/* One fit as a JSON line: the table's columns, or its error. */
static void
print_json(const struct fit_row *r, const struct gmm_model *m, int best)
{
	const struct gmm_training *t;

	printf("{\"k\": %zu, \"covariance\": \"%s\", ", r->k,
	    gmm_cov_type_name(r->type));
	if (r->factors > 0)
		printf("\"factors\": %zu, ", r->factors);
	if (!r->ok) {
		fputs("\"error\": ", stdout);
		gmm_json_string(stdout, r->error ? r->error : "");
		puts("}");
		return;
	}
	t = &m->training;
	gmm_json_member(stdout, "", "log_likelihood", t->loglik_total);
	printf(", \"n_parameters\": %zu",
	    gmm_model_parameters(m));
	gmm_json_member(stdout, ", ", "bic", t->bic);
	gmm_json_member(stdout, ", ", "aic", t->aic);
	gmm_json_member(stdout, ", ", "icl", t->icl);
	printf(", \"iterations\": %llu, \"converged\": %s, \"degenerate\": "
	    "%s, \"best\": %s}\n", (unsigned long long)t->iterations,
	    t->converged ? "true" : "false", r->degenerate ? "true" : "false",
	    best ? "true" : "false");
}

/* The last field of a row: q for a factor model, else empty. */
static void
print_factors(const struct fit_row *r)
{
	if (r->factors > 0)
		printf("%zu", r->factors);
	putchar('\n');
}

static void
print_row(const struct fit_row *r, const struct gmm_model *m, int best)
{
	const struct gmm_training *t;

	printf("%zu,%s,", r->k, gmm_cov_type_name(r->type));
	if (!r->ok) {
		/* a failed fit: its reason is on stderr */
		fputs(",,,,,,,,,", stdout);
		print_factors(r);
		return;
	}
	t = &m->training;
	gmm_csvout_number(stdout, t->loglik_total);
	printf(",%zu,", gmm_model_parameters(m));
	gmm_csvout_number(stdout, t->bic);
	putchar(',');
	gmm_csvout_number(stdout, t->aic);
	putchar(',');
	gmm_csvout_number(stdout, t->icl);
	printf(",%llu,%d,%d,%d,", (unsigned long long)t->iterations,
	    t->converged, r->degenerate, best);
	print_factors(r);
}

/*
 * A warm start from a neighbour's fit (engine/smem.h): at k + 1 from
 * prev's fit at k with its widest component split (grow), or at k - 1
 * with its two closest merged (shrink), run to convergence with the other
 * options as given: 0 with *m the model or NULL (no start, or a fit that
 * failed), -1 when out of memory.
 */
static int
warm_fit(struct select_opts *s, const struct gmm_data *x,
    const struct gmm_model *from, int grow, struct gmm_model **m,
    struct gmm_error *err)
{
	struct gmm_em_options keep = s->fo.em;
	struct gmm_model *start = NULL;
	int r;

	*m = NULL;
	if ((grow ? gmm_smem_grow(from, &start, err) :
	    gmm_smem_shrink(from, &start, err)) < 0)
		return -1;
	if (start == NULL)
		return 0;
	s->fo.em.k = start->k;
	s->fo.em.cov_type = start->cov_type;
	s->fo.em.factors = start->factors;
	s->fo.em.init = GMM_INIT_MODEL;
	s->fo.em.init_model = start;
	s->fo.em.n_init = 1;
	r = gmm_fitopts_fit(&s->fo, "select-k", x, m, err);
	s->fo.em = keep;
	gmm_model_free(start);
	if (r < 0 && err->nomem)
		return -1;
	return 0;
}

/* The row's verdict on its model *m: degenerate or not, its criterion. */
static int
judge(struct select_opts *s, const struct gmm_data *x,
    const struct gmm_data_shape *shape, struct fit_row *r,
    struct gmm_model *m)
{
	int deg = gmm_model_degenerate(m, gmm_data_weight_all(x), shape);

	if (deg < 0) {
		gmm_warn("select-k", "%s: out of memory", s->file);
		return -1;
	}
	r->ok = 1;
	r->degenerate = deg;
	m->training.degenerate = deg;
	r->criterion = s->criterion == CRIT_AIC ? m->training.aic :
	    s->criterion == CRIT_ICL ? m->training.icl : m->training.bic;
	return 0;
}

/*
 * Another start's model c (or NULL) for row r: it replaces *m when *m is
 * NULL or c's log-likelihood is higher, and the row is judged again; c is
 * freed otherwise.  -1 on errors that end the run.
 */
static int
keep_better(struct select_opts *s, const struct gmm_data *x,
    const struct gmm_data_shape *shape, struct fit_row *r,
    struct gmm_model **m, struct gmm_model *c)
{
	if (c == NULL || (*m != NULL && !(c->training.loglik_total >
	    (*m)->training.loglik_total))) {
		gmm_model_free(c);
		return 0;
	}
	gmm_model_free(*m);
	*m = c;
	free(r->error);
	r->error = NULL;
	return judge(s, x, shape, r, *m);
}

/*
 * Try the warm start from a neighbour's fit (grow: from k - 1, else from
 * k + 1) for row r and keep it in *m when its log-likelihood is higher
 * (or *m is NULL); the kept model's n_init counts one run more.  -1 on
 * errors that end the run.
 */
static int
try_warm(struct select_opts *s, const struct gmm_data *x,
    const struct gmm_data_shape *shape, const struct gmm_model *from,
    int grow, struct fit_row *r, struct gmm_model **m)
{
	struct gmm_model *w = NULL;
	struct gmm_error err;
	uint64_t runs = *m != NULL ? (*m)->training.n_init : 0;

	if (warm_fit(s, x, from, grow, &w, &err) < 0) {
		gmm_error_about(&err, s->file);
		gmm_report("select-k", &err);
		return -1;
	}
	if (keep_better(s, x, shape, r, m, w) < 0)
		return -1;
	if (*m != NULL)
		(*m)->training.n_init = (runs ? runs : s->fo.em.n_init) + 1;
	return 0;
}

/*
 * Without --init, each (type, k) also starts from mclust's start, the
 * hierarchical agglomeration (engine/hc.h), and keeps it when its
 * log-likelihood is higher; n_init counts it.  On iris and faithful,
 * k = 1..9 and the fourteen models, k-means alone ended more than 1e-6
 * per row below mclust's log-likelihood in 7 and 8 cells, hc alone in 3
 * and 6, both in 2 and 1 (each explained in gmm-select-k(1)).
 */
static int
try_hc(struct select_opts *s, const struct gmm_data *x,
    const struct gmm_data_shape *shape, struct fit_row *r,
    struct gmm_model **m)
{
	struct gmm_em_options keep = s->fo.em;
	struct gmm_model *h = NULL;
	struct gmm_error err;
	uint64_t runs = *m != NULL ? (*m)->training.n_init : 0;
	int fit;

	s->fo.em.init = GMM_INIT_HC;
	s->fo.em.n_init = 1;
	fit = gmm_fitopts_fit(&s->fo, "select-k", x, &h, &err);
	s->fo.em = keep;
	if (fit < 0 && err.nomem) {
		gmm_error_about(&err, s->file);
		gmm_report("select-k", &err);
		return -1;
	}
	if (keep_better(s, x, shape, r, m, fit == 0 ? h : NULL) < 0)
		return -1;
	if (*m != NULL)
		(*m)->training.n_init = runs + 1;
	return 0;
}

/*
 * Fit one (type, k) from independent starts (without --init, k-means and
 * hc), and with prev (the same type's fit at k - 1) also the warm start
 * from it; the best log-likelihood is kept.  r->ok = 0 when no fit
 * succeeded (a model that cannot be fitted gets an empty row); -1 on
 * errors that end the run.
 */
static int
fit_one(struct select_opts *s, const struct gmm_data *x,
    const struct gmm_data_shape *shape, const struct gmm_model *prev,
    struct fit_row *r, struct gmm_model **m)
{
	struct gmm_error err;
	int fit;

	s->fo.em.k = r->k;
	s->fo.em.cov_type = r->type;
	s->fo.em.factors = r->factors;
	*m = NULL;
	fit = gmm_fitopts_fit(&s->fo, "select-k", x, m, &err);
	if (fit < 0 && err.nomem) {
		gmm_error_about(&err, s->file);
		gmm_report("select-k", &err);
		return -1;
	}
	if (fit < 0) {
		if (!s->fo.common.quiet)	/* the table has it too */
			gmm_warn("select-k", "%s: k = %zu, %s: %s", s->file,
			    r->k, gmm_cov_type_name(r->type), err.msg);
		r->ok = 0;
		r->error = strdup(err.msg);	/* NULL: an empty reason */
	} else if (judge(s, x, shape, r, *m) < 0)
		return -1;
	/* hc has no row weights nor missing values: such data keep the
	 * k-means start */
	if (!s->fo.init_given && !gmm_data_weighted(x) &&
	    x->npatterns == 0 && x->label == NULL && !gmm_data_spilled(x) &&
	    gmm_data_comm(x) == NULL && try_hc(s, x, shape, r, m) < 0)
		return -1;
	if (prev != NULL && prev->k + 1 == r->k)
		return try_warm(s, x, shape, prev, 1, r, m);
	return 0;
}

/* " factors=Q" for a factor model's row, else "" (static storage). */
static const char *
factors_text(const struct fit_row *r)
{
	static char buf[40];

	if (r->factors == 0)
		return "";
	snprintf(buf, sizeof(buf), " factors=%zu", r->factors);
	return buf;
}

static void
progress(const struct fit_row *r, const struct gmm_model *m)
{
	if (!r->ok)
		return;
	gmm_status_clear();
	fprintf(stderr, "gmm select-k: k=%zu covariance=%s%s log_likelihood="
	    "%.10g bic=%.10g iterations=%llu%s\n", r->k,
	    gmm_cov_type_name(r->type), factors_text(r),
	    m->training.loglik_total,
	    m->training.bic, (unsigned long long)m->training.iterations,
	    r->degenerate ? " degenerate" : "");
}

/*
 * The status line on a terminal (base/status.h): the cell about to be
 * fitted, the fits done of all (the pass up in k, then the pass down),
 * the time so far and the rest at the mean time of a fit so far.
 */
static void
status(const struct fit_row *r, size_t done, size_t total)
{
	double t = gmm_status_elapsed();
	char eta[64] = "";

	if (done > 0)
		snprintf(eta, sizeof(eta), "  ~%.0f s left", ceil(t /
		    (double)done * (double)(total - done)));
	gmm_status_draw(1, "gmm select-k: %s k=%zu  fit %zu of %zu  %.1f s%s",
	    gmm_cov_type_name(r->type), r->k, done + 1, total, t, eta);
}

/*
 * Fit every (type, k), keeping the models of the rows so the table can
 * mark the best; rows[] and models[] have ntypes * nk entries.
 */
static int
fit_all(struct select_opts *s, const struct gmm_csvin *in,
    const struct gmm_data *x, struct fit_row *rows,
    struct gmm_model **models)
{
	struct gmm_data_shape shape;
	size_t i = 0, done = 0, total = s->nseries * (2 * s->nk - 1);
	int ret = 0;

	/* every k is checked before the first fit */
	for (size_t q = 0; q < s->nk; q++) {
		size_t n = gmm_data_rows_all(x), zero = gmm_data_zero_all(x);

		if (s->ks[q] > n - zero) {
			gmm_warn("select-k", "%s: k = %zu is larger than the "
			    "number of rows%s (%zu)", gmm_csvin_name(in),
			    s->ks[q], zero ? " of weight > 0" : "", n - zero);
			return -1;
		}
		if (x->label != NULL && s->ks[q] < x->nclasses) {
			gmm_warn("select-k", "%s: k = %zu is less than the %zu "
			    "classes of the labels (--label-column)",
			    gmm_csvin_name(in), s->ks[q], x->nclasses);
			return -1;
		}
	}
	if (gmm_data_shape_init(&shape, x, s->fo.common.threads) < 0) {
		gmm_warn("select-k", "%s: out of memory", s->file);
		return -1;
	}
	/*
	 * Per type, k up (each k also from k - 1's fit split), then k down
	 * (each k also from k + 1's fit merged), so a good optimum found at
	 * one k can move to both neighbours.
	 */
	gmm_status_enable(s->fo.common.quiet);
	for (size_t t = 0; t < s->nseries && ret == 0; t++, i += s->nk) {
		struct fit_row *r = rows + i;
		struct gmm_model **m = models + i;

		for (size_t q = 0; q < s->nk && ret == 0; q++) {
			r[q].k = s->ks[q];
			r[q].type = s->stype[t];
			r[q].factors = s->sq[t];
			status(&r[q], done++, total);
			ret = fit_one(s, x, &shape, q > 0 ? m[q - 1] : NULL,
			    &r[q], &m[q]);
		}
		for (size_t q = s->nk - 1; q-- > 0 && ret == 0;) {
			status(&r[q], done++, total);
			if (m[q + 1] != NULL && r[q].k + 1 == r[q + 1].k)
				ret = try_warm(s, x, &shape, m[q + 1], 0,
				    &r[q], &m[q]);
		}
		for (size_t q = 0; q < s->nk && ret == 0; q++)
			if (s->fo.common.verbose)
				progress(&r[q], m[q]);
	}
	gmm_status_clear();
	gmm_data_shape_release(&shape);
	return ret;
}

static size_t
choose(const struct select_opts *s, const struct fit_row *rows, size_t nrows,
    size_t *skipped)
{
	size_t best = (size_t)-1;

	*skipped = 0;
	for (size_t i = 0; i < nrows; i++) {
		if (!rows[i].ok)
			continue;
		if (rows[i].degenerate && !s->allow_degenerate) {
			(*skipped)++;
			continue;
		}
		if (best == (size_t)-1 ||
		    rows[i].criterion < rows[best].criterion)
			best = i;
	}
	return best;
}

static int
report(struct select_opts *s, struct fit_row *rows,
    struct gmm_model **models, size_t nrows, const struct gmm_csvin *in,
    const struct gmm_data *x)
{
	size_t skipped, best = choose(s, rows, nrows, &skipped);
	struct gmm_error err;
	int failed;

	if (!s->json)
		puts("k,covariance,log_likelihood,n_parameters,bic,aic,icl,"
		    "iterations,converged,degenerate,best,factors");
	for (size_t i = 0; i < nrows; i++)
		(s->json ? print_json : print_row)(&rows[i], models[i],
		    i == best);
	if (skipped > 0 && !s->fo.common.quiet)
		gmm_warn("select-k", "%zu degenerate fit%s not chosen (a "
		    "full covariance on too few rows, or a covariance held up "
		    "by --reg-covar); --allow-degenerate to allow", skipped,
		    skipped == 1 ? "" : "s");
	if (best == (size_t)-1) {
		gmm_warn("select-k", "no fit can be chosen");
		return GMM_EXIT_DATA;
	}
	if (!s->fo.common.quiet)
		gmm_warn("select-k", "best: k=%zu covariance=%s%s %s=%.10g",
		    rows[best].k, gmm_cov_type_name(rows[best].type),
		    factors_text(&rows[best]), criterion_names[s->criterion],
		    rows[best].criterion);
	if (s->out == NULL)
		return 0;
	if (gmm_name_columns(models[best], in) < 0) {
		gmm_warn("select-k", "%s: out of memory", s->file);
		return GMM_EXIT_DATA;
	}
	if (gmm_log_density_quantiles(models[best], x, s->fo.common.threads,
	    &err) < 0) {
		gmm_report("select-k", &err);
		return GMM_EXIT_DATA;
	}
	/* rank 0 writes under --mpi; if that fails, every rank fails */
	failed = gmm_fitopts_lead(&s->fo) && gmm_modelfile_write(&s->o,
	    models[best], &err) < 0;
	if (failed)
		gmm_report("select-k", &err);
	return gmm_comm_any(s->fo.comm, failed) ? GMM_EXIT_DATA : 0;
}

/* The series to fit: each type of the list, a factor model once for
 * each q of --factors.  -1 when out of memory. */
static int
make_series(struct select_opts *s)
{
	size_t n = s->ntypes * (s->nq > 0 ? s->nq : 1);

	s->stype = malloc(n * sizeof(*s->stype));
	s->sq = malloc(n * sizeof(*s->sq));
	if (s->stype == NULL || s->sq == NULL)
		return -1;
	s->nseries = 0;
	for (size_t t = 0; t < s->ntypes; t++) {
		int f = gmm_covmodel(s->types[t])->factor;

		for (size_t q = 0; q < (f ? s->nq : 1); q++) {
			s->stype[s->nseries] = s->types[t];
			s->sq[s->nseries++] = f ? s->qs[q] : 0;
		}
	}
	return 0;
}

static int
run(struct select_opts *s, char *const *files, size_t nfiles)
{
	struct gmm_csvin *in = NULL;
	struct gmm_error err;
	size_t nrows = 0;
	struct fit_row *rows = NULL;
	struct gmm_model **models = NULL;
	struct gmm_data x;
	struct gmm_data_budget budget;
	int ret = GMM_EXIT_DATA, failed;

	gmm_data_init(&x, 0);
	gmm_fitopts_budget(&s->fo, &budget);
	s->fo.common.csv.status = "gmm select-k";	/* rows read */
	gmm_status_enable(s->fo.common.quiet);
	in = gmm_csvin_open(files[0], &s->fo.common.csv, &err);
	if (in != NULL)
		s->file = gmm_csvin_name(in);
	failed = in == NULL || gmm_csvin_check_names(in, &err) < 0 ||
	    gmm_fitopts_read(&s->fo, in, files, nfiles, &budget, &x,
	    &err) < 0;
	/* under --mpi a share that fails fails alone: its rank says why */
	if (gmm_fitopts_any_failed(&s->fo, "select-k", failed, &err))
		goto out;
	if (gmm_data_share(&x, s->fo.comm, s->fo.common.seed, &err) < 0) {
		gmm_error_about(&err, s->file);
		gmm_report("select-k", &err);
		goto out;
	}
	gmm_report_blank("select-k", in, &s->fo.common);
	gmm_report_missing("select-k", in, &x, &s->fo.common);
	gmm_fitopts_report_spill(&s->fo, "select-k", &x);
	if (s->all && x.d == 1) {
		/* in one dimension the fourteen are mclust's E and V */
		memcpy(s->types, all_types_1d, sizeof(all_types_1d));
		s->ntypes = 2;
	}
	if (make_series(s) < 0) {
		gmm_warn("select-k", "%s: out of memory", s->file);
		goto out;
	}
	nrows = s->nseries * s->nk;
	rows = calloc(nrows, sizeof(*rows));
	models = calloc(nrows, sizeof(*models));
	if (rows == NULL || models == NULL) {
		gmm_warn("select-k", "%s: out of memory", s->file);
		goto out;
	}
	if (fit_all(s, in, &x, rows, models) == 0)
		ret = report(s, rows, models, nrows, in, &x);
out:
	for (size_t i = 0; models != NULL && i < nrows; i++)
		gmm_model_free(models[i]);
	for (size_t i = 0; rows != NULL && i < nrows; i++)
		free(rows[i].error);
	free(models);
	free(rows);
	gmm_data_release(&x);
	gmm_csvin_close(in);
	return ret;
}

static int
parse(struct select_opts *s, int argc, char **argv)
{
	int opt, r;

	while ((opt = gmm_getopt("select-k", argc, argv,
	    gmm_cmd_select_k.shortopts, longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			return 0;
		case 'k':
			free(s->ks);
			r = gmm_parse_k_list("select-k", optarg, &s->ks,
			    &s->nk);
			if (r < 0)
				return r;
			continue;
		case OPT_COVARIANCE:
			if (parse_types(s, optarg) < 0)
				return -1;
			continue;
		case OPT_FACTORS:
			free(s->qs);
			s->qs = NULL;
			s->fo.factors_given = 1;
			r = gmm_parse_k_list("select-k", optarg, &s->qs,
			    &s->nq);
			if (r < 0)
				return r;
			continue;
		case OPT_CRITERION:
			for (r = 0; r < 3 && strcmp(optarg,
			    criterion_names[r]) != 0; r++)
				;
			if (r == 3) {
				gmm_warn("select-k", "--criterion is bic, aic "
				    "or icl, not \"%s\"", optarg);
				return -1;
			}
			s->criterion = r;
			continue;
		case OPT_ALLOW_DEGENERATE:
			s->allow_degenerate = 1;
			continue;
		case OPT_JSON:
			s->json = 1;
			continue;
		case 'o':
			s->out = optarg;
			continue;
		}
		r = gmm_fitopts_option("select-k", &s->fo, opt, optarg);
		if (r == 0)
			r = gmm_common_option("select-k", &s->fo.common, opt,
			    optarg);
		if (r <= 0)
			return -1;
	}
	return 1;
}

/*
 * --prior conjugate: `all` is the models that mclust has the prior for;
 * a list that names another is a usage error (-1).
 */
static int
prior_types(struct select_opts *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->ntypes; i++) {
		if (gmm_prior_supported(s->types[i])) {
			s->types[kept++] = s->types[i];
			continue;
		}
		if (!s->all) {
			gmm_warn("select-k", "mclust has no conjugate prior for "
			    "%s, nor has gmm; --prior conjugate takes %s",
			    gmm_cov_type_name(s->types[i]), GMM_PRIOR_MODELS);
			return -1;
		}
	}
	s->ntypes = kept;
	return 0;
}

/*
 * Check -o before the input is read and every k fitted.  The table goes to
 * standard output, so the model may not.  -1 with *ret the exit status.
 */
static int
prepare_output(struct select_opts *s, char *const *files, size_t nfiles,
    int *ret)
{
	struct gmm_error err;
	int bad = gmm_outfile_prepare(&s->o, s->out, files[0], &err) < 0;

	for (size_t i = 1; !bad && i < nfiles; i++)
		bad = gmm_outfile_check_input(&s->o, files[i], &err) < 0;
	if (bad) {
		gmm_report("select-k", &err);
		*ret = GMM_EXIT_DATA;
	} else if (gmm_outfile_is_stdout(&s->o)) {
		gmm_warn("select-k", "-o %s: the table goes to standard "
		    "output; write the model to a file", s->out);
		*ret = gmm_usage(usage_text);
	} else if (gmm_outfile_is_tty(&s->o)) {
		gmm_warn("select-k", "will not write a binary model to a "
		    "terminal");
		*ret = gmm_usage(usage_text);
	} else {
		return 0;
	}
	gmm_outfile_release(&s->o);
	return -1;
}

static void
release(struct select_opts *s)
{
	free(s->ks);
	free(s->qs);
	free(s->stype);
	free(s->sq);
}

static int
cmd_select_k_main(int argc, char **argv)
{
	struct select_opts s;
	char *stdin_list[] = { (char *)"-" }, **files = stdin_list;
	size_t nfiles = 1;
	int r, ret;

	memset(&s, 0, sizeof(s));
	gmm_fitopts_init(&s.fo);
	parse_types(&s, "all");
	r = parse(&s, argc, argv);
	if (r <= 0) {
		release(&s);
		if (r == GMM_PARSE_NOMEM)
			return GMM_EXIT_DATA;
		return r == 0 ? 0 : gmm_usage(usage_text);
	}
	/* several FILEs under --mpi: the ranks share them */
	if (gmm_operands("select-k", argc - optind, argv + optind, 0,
	    s.fo.mpi ? INT_MAX : 1, "FILE") < 0) {
		release(&s);
		return gmm_usage(usage_text);
	}
	if (optind < argc) {
		files = argv + optind;
		nfiles = (size_t)(argc - optind);
	}
	/* MPI first, so that every later message is rank 0's alone */
	if (s.fo.mpi && gmm_fitopts_start_mpi(&s.fo, "select-k") < 0) {
		release(&s);
		return gmm_usage(usage_text);
	}
	if (s.ks == NULL || s.fo.em.init == GMM_INIT_MODEL ||
	    s.fo.em.init == GMM_INIT_RESP) {
		if (s.ks == NULL)
			gmm_warn("select-k", "-k LIST is required");
		if (s.fo.em.init == GMM_INIT_MODEL ||
		    s.fo.em.init == GMM_INIT_RESP)
			gmm_warn("select-k", "--init takes kmeans, kmeans++, "
			    "random, smallem or hc here: one model or "
			    "partition cannot start every k");
		release(&s);
		return gmm_usage(usage_text);
	}
	if (s.fo.em.prior && prior_types(&s) < 0) {
		release(&s);
		return gmm_usage(usage_text);
	}
	if (factor_types(&s) < 0) {
		release(&s);
		return gmm_usage(usage_text);
	}
	if (gmm_fitopts_mpi_usage(&s.fo, "select-k", files, nfiles) < 0) {
		release(&s);
		gmm_mpi_finish();
		return gmm_usage(usage_text);
	}
	/* -o is checked by rank 0 alone under --mpi, which writes */
	r = s.out != NULL && gmm_fitopts_lead(&s.fo) &&
	    prepare_output(&s, files, nfiles, &ret) < 0;
	if (gmm_comm_any(s.fo.comm, r)) {
		release(&s);
		gmm_mpi_finish();
		return r ? ret : GMM_EXIT_DATA;
	}
	ret = run(&s, files, nfiles);
	if (s.out != NULL && gmm_fitopts_lead(&s.fo))
		gmm_outfile_release(&s.o);
	release(&s);
	gmm_mpi_finish();
	return ret;
}

/* MPI, when --mpi started it, ends on every way out (io/mpi.h). */
static int
cmd_select_k(int argc, char **argv)
{
	int ret = cmd_select_k_main(argc, argv);

	gmm_mpi_finish();
	return ret;
}
