#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "base/consts.h"
#include "io/csvout.h"
#include "engine/comm.h"
#include "engine/em.h"
#include "base/status.h"
#include "engine/online.h"
#include "engine/score.h"
#include "cmd/fitopts.h"
#include "io/modelfile.h"
#include "io/mpi.h"
#include "io/outfile.h"

static const char usage_text[] =
    "usage: gmm fit -k K [--covariance TYPE] [--factors Q] [--max-iter N]\n"
    "               [--tol T] [--reg-covar R] [--n-init N]\n"
    "               [--init METHOD|MODEL] [--prior P] [--weights COL]\n"
    "               [--noise] [--noise-volume V] [--family F] [--df NU]\n"
    "               [--label-column COL] [--memory SIZE] [--online]\n"
    "               [--batch N] [--alpha A] [--checkpoint N] [--mpi]\n"
    "               [-o MODEL] [--json] [options] [FILE ...]\n";

static const char help_text[] =
    "Fit a Gaussian (or Student-t) mixture to the rows of a CSV file (or stdin) and write\n"
    "the model (binary; to stdout when it is not a terminal).\n\n"
    "  -k K                number of components\n"
    GMM_FIT_HELP;

/* (in two: C99 compilers need not take a string of more than 4095) */
static const char help_text2[] =
    "      --online        stepwise EM over the input, read once (standard\n"
    "                      input too), in constant memory\n"
    "      --batch N       --online: rows a step (default 1000)\n"
    "      --alpha A       --online: step size (t + 2)^-A, A in (0.5, 1]\n"
    "                      (default 0.6)\n"
    "      --checkpoint N  --online: write the model (-o FILE, atomically)\n"
    "                      every N rows\n"
    "  -o, --output MODEL  write the model here (- for stdout; a file is\n"
    "                      replaced atomically, a device or FIFO written)\n"
    "      --json          the summary and warnings on stderr as one JSON\n"
    "                      object\n"
    GMM_COMMON_HELP;

static const struct option longopts[] = {
	GMM_FIT_LONGOPTS,
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "online", no_argument, NULL, OPT_ONLINE },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "alpha", required_argument, NULL, OPT_ALPHA },
	{ "checkpoint", required_argument, NULL, OPT_CHECKPOINT },
	GMM_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int cmd_fit(int argc, char **argv);

const struct gmm_cmd gmm_cmd_fit = {
	.name = "fit", .summary = "estimate a mixture from CSV rows",
	.run = cmd_fit, .longopts = longopts,
	.shortopts = "k:o:" GMM_COMMON_SHORTOPTS,
	.operands = { GMM_OPERAND_CSV, GMM_OPERAND_END },
};

static void
summary(const struct gmm_model *m)
{
	const struct gmm_training *t = &m->training;

	char icl[32] = "NA";	/* online EM: not known */

	if (t->has_icl)
		snprintf(icl, sizeof(icl), "%.10g", t->icl);
	fprintf(stderr, "gmm fit: k=%zu covariance=%s log_likelihood=%.10g "
	    "bic=%.10g aic=%.10g icl=%s iterations=%llu converged=%d "
	    "degenerate=%d\n", m->k, gmm_cov_type_name(m->cov_type),
	    t->loglik_total, t->bic, t->aic, icl,
	    (unsigned long long)t->iterations, t->converged ? 1 : 0,
	    t->degenerate ? 1 : 0);
}

/*
 * The summary, then what the model is not: converged, sound (the rule
 * select-k applies: a degenerate fit's likelihood is a spike held up by
 * --reg-covar), made of distinct components.  As text lines, or with
 * --json as one object whose "warnings" hold the same sentences.
 */
static void
warnings(const struct gmm_model *m, const struct gmm_fitopts *fo,
    const char *file, int same, size_t ca, size_t cb, int json)
{
	const struct gmm_training *t = &m->training;
	char w[3][400];
	size_t nw = 0;

	if (!t->converged && fo->em.max_iter > 0)
		snprintf(w[nw++], sizeof(w[0]), "not converged after %llu "
		    "iterations (raise --max-iter or --tol)",
		    (unsigned long long)t->iterations);
	if (t->degenerate)
		snprintf(w[nw++], sizeof(w[0]), "the model is degenerate (a "
		    "full covariance on too few rows, or a covariance held up "
		    "by --reg-covar): its likelihood and BIC mean little; try "
		    "a smaller k or another covariance type");
	if (same)
		snprintf(w[nw++], sizeof(w[0]), "components %zu and %zu are "
		    "the same (the data hold fewer than %zu distinct clusters, "
		    "or many identical rows); try a smaller k", ca, cb, m->k);
	if (!json) {
		summary(m);
		for (size_t i = 0; i < nw; i++)
			gmm_warn("fit", "%s: warning: %s", file, w[i]);
		return;
	}
	fprintf(stderr, "{\"k\": %zu, \"covariance\": \"%s\"", m->k,
	    gmm_cov_type_name(m->cov_type));
	gmm_json_member(stderr, ", ", "log_likelihood", t->loglik_total);
	gmm_json_member(stderr, ", ", "bic", t->bic);
	gmm_json_member(stderr, ", ", "aic", t->aic);
	gmm_json_member(stderr, ", ", "icl", t->has_icl ? t->icl : NAN);
	fprintf(stderr, ", \"iterations\": %llu, \"converged\": %s, "
	    "\"degenerate\": %s, \"warnings\": [",
	    (unsigned long long)t->iterations, t->converged ? "true" : "false",
	    t->degenerate ? "true" : "false");
	for (size_t i = 0; i < nw; i++) {
		if (i > 0)
			fputs(", ", stderr);
		gmm_json_string(stderr, w[i]);
	}
	fputs("]}\n", stderr);
}

/*
 * fit --init MODEL: with a header, the data's columns are matched to the
 * model's by name, as score does, so that a file with its columns in
 * another order starts from the right means; a name the header lacks is
 * refused.  A model with no names of its own (x1, x2, ... from a fit
 * without a header, or a JSON model without "columns") is matched by
 * position unless the header has those names.
 */
static int
match_start(const struct gmm_model *m, struct gmm_csvin *in,
    struct gmm_error *err)
{
	if (gmm_csvin_has_header(in) && gmm_model_names_generated(m)) {
		for (size_t j = 0; j < m->d; j++)
			if (!gmm_csvin_has_column(in, m->columns[j]))
				return 0;	/* by position */
	}
	return gmm_csvin_match(in, m->columns, m->d, err);
}

/*
 * The input of a fit, opened with the status line on, its columns
 * matched to an --init model's and their names checked; NULL with err
 * set.
 */
static struct gmm_csvin *
open_input(struct gmm_fitopts *fo, const char *file, struct gmm_error *err)
{
	struct gmm_csvin *in;

	gmm_status_enable(fo->common.quiet);
	in = gmm_csvin_open(file, &fo->common.csv, err);
	if (in != NULL && ((fo->init_model != NULL &&
	    match_start(fo->init_model, in, err) < 0) ||
	    gmm_csvin_check_names(in, err) < 0)) {
		gmm_csvin_close(in);
		return NULL;
	}
	return in;
}

/* fit --online's own options (engine/online.h). */
struct online_args {
	int on;
	size_t batch;
	double alpha;
	size_t checkpoint;	/* rows; 0: none */
	int batch_given, alpha_given;
};

/* The model the stream has given so far, named, to out. */
static int
write_online(struct gmm_online *o, const struct gmm_fitopts *fo,
    const struct gmm_csvin *in, const struct gmm_outfile *out,
    struct gmm_model **m, struct gmm_error *err)
{
	*m = gmm_online_model(o);
	if (gmm_name_columns(*m, in) < 0)
		return gmm_error_nomem(err);
	(*m)->training.seed = fo->common.seed;
	return gmm_modelfile_write(out, *m, err);
}

/*
 * fit --online: the start from the first GMM_ONLINE_START_BATCHES
 * batches (one with --init MODEL), then a step a batch, each batch read,
 * stepped and dropped; the model to out at the end and after the batch
 * that reaches each multiple of the checkpoint's rows (the start
 * included, a model's own rows not).
 */
static int
run_online(struct gmm_fitopts *fo, const struct online_args *on,
    const char *file, const struct gmm_outfile *out)
{
	struct gmm_csvin *in = NULL;
	struct gmm_online *o = NULL;
	struct gmm_online_options opt;
	struct gmm_model *m = NULL;
	struct gmm_error err;
	struct gmm_data x;
	gsl_rng *rng = NULL;
	size_t first, next;
	double elapsed;
	int ret = GMM_EXIT_DATA;

	gmm_data_init(&x, 0);
	if ((in = open_input(fo, file, &err)) == NULL)
		goto fail;
	first = fo->em.init == GMM_INIT_MODEL ? on->batch :
	    GMM_ONLINE_START_BATCHES * on->batch;
	if (gmm_csvin_read_batch(in, &x, first, &err) < 0)
		goto fail;
	if (x.n == 0 || !(x.weight_total > 0)) {
		gmm_error_set(&err, NULL, 0, "no row of weight > 0 among "
		    "the first %zu rows, where online EM starts", first);
		goto fail;
	}
	opt.em = fo->em;
	opt.em.threads = fo->common.threads;
	opt.batch = on->batch;
	opt.alpha = on->alpha;
	rng = gmm_rng_new(fo->common.seed);
	if (rng == NULL) {
		gmm_error_nomem(&err);
		goto fail;
	}
	if (gmm_online_start(&opt, &x, rng, &o, &err) < 0)
		goto fail;
	next = on->checkpoint;
	for (;;) {
		gmm_data_release(&x);
		if (gmm_csvin_read_batch(in, &x, on->batch, &err) < 0)
			goto fail;
		if (x.rows_read == 0)
			break;
		if (gmm_online_step(o, &x, &err) < 0)
			goto fail;
		elapsed = gmm_status_elapsed();
		gmm_status_draw(0, "gmm fit: online  %zu rows  %.3g rows/s  "
		    "%.3g MB/s  batch %zu  loglik %.6g", gmm_online_rows(o),
		    elapsed > 0 ? (double)gmm_online_rows(o) / elapsed : 0,
		    elapsed > 0 ? (double)gmm_csvin_bytes(in) / 1e6 /
		    elapsed : 0, gmm_online_batches(o),
		    gmm_online_loglik(o));
		if (on->checkpoint > 0 && gmm_online_rows(o) >= next) {
			next = (gmm_online_rows(o) / on->checkpoint + 1) *
			    on->checkpoint;
			if (write_online(o, fo, in, out, &m, &err) < 0)
				goto fail;
			if (fo->common.verbose) {
				gmm_status_clear();
				fprintf(stderr, "gmm fit: checkpoint after %zu "
				    "rows, %zu batches: prequential mean "
				    "log-likelihood %.12g\n",
				    gmm_online_rows(o), gmm_online_batches(o),
				    m->training.loglik_mean);
			}
		}
	}
	gmm_status_clear();
	if (write_online(o, fo, in, out, &m, &err) < 0)
		goto fail;
	if (fo->common.verbose)
		fprintf(stderr, "gmm fit: online: %zu rows, %zu batches after "
		    "the start; prequential mean log-likelihood %.12g\n",
		    gmm_online_rows(o), gmm_online_batches(o),
		    m->training.loglik_mean);
	if (!fo->common.quiet)
		warnings(m, fo, gmm_csvin_name(in), 0, 0, 0, fo->json);
	ret = 0;
	goto out;
fail:
	gmm_error_about(&err, in ? gmm_csvin_name(in) : file);
	gmm_report("fit", &err);
out:
	gmm_status_clear();
	gmm_online_free(o);
	gsl_rng_free(rng);
	gmm_data_release(&x);
	gmm_csvin_close(in);
	return ret;
}

static int
run(struct gmm_fitopts *fo, char *const *files, size_t nfiles,
    const struct gmm_outfile *out)
{
	const char *file = files[0];
	struct gmm_csvin *in = NULL;
	struct gmm_model *m = NULL;
	struct gmm_error err;
	struct gmm_data x;
	struct gmm_data_shape shape;
	struct gmm_data_budget budget;
	size_t ca = 0, cb = 0;
	int ret = GMM_EXIT_DATA, have_shape = 0, deg = 0, same = 0, failed;
	int lead = gmm_fitopts_lead(fo);

	gmm_data_init(&x, 0);
	gmm_fitopts_budget(fo, &budget);
	/* rows read, out of core; under --mpi rank 0's share */
	fo->common.csv.status = lead ? "gmm fit" : NULL;
	failed = (in = open_input(fo, file, &err)) == NULL ||
	    gmm_fitopts_read(fo, in, files, nfiles, &budget, &x, &err) < 0;
	if (fo->comm != NULL) {
		/* a share that fails fails alone: its rank says why */
		if (failed)
			gmm_error_about(&err, in ? gmm_csvin_name(in) : file);
		if (gmm_fitopts_any_failed(fo, "fit", failed, &err))
			goto out;
		if (gmm_data_share(&x, fo->comm, fo->common.seed, &err) < 0)
			goto fail;
	} else if (failed) {
		goto fail;
	}
	gmm_report_blank("fit", in, &fo->common);
	gmm_report_missing("fit", in, &x, &fo->common);
	gmm_fitopts_report_spill(fo, "fit", &x);
	if (gmm_fitopts_fit(fo, "fit", &x, &m, &err) < 0)
		goto fail;
	if (gmm_data_shape_init(&shape, &x, fo->common.threads) < 0) {
		gmm_error_nomem(&err);
		goto fail;
	}
	have_shape = 1;
	if (gmm_name_columns(m, in) < 0 ||
	    (deg = gmm_model_degenerate(m, gmm_data_weight_all(&x),
	    &shape)) < 0) {
		gmm_error_nomem(&err);
		goto fail;
	}
	same = gmm_model_same_components(m, &ca, &cb);
	m->training.degenerate = deg;
	if (gmm_log_density_quantiles(m, &x, fo->common.threads, &err) < 0)
		goto fail;
	/* rank 0 writes; if that fails, every rank fails */
	failed = lead && gmm_modelfile_write(out, m, &err) < 0;
	if (gmm_comm_any(fo->comm, failed)) {
		if (lead)
			goto fail;
		goto out;
	}
	if (!fo->common.quiet)
		warnings(m, fo, gmm_csvin_name(in), same, ca, cb, fo->json);
	ret = 0;
	goto out;
fail:
	gmm_error_about(&err, in ? gmm_csvin_name(in) : file);
	gmm_report("fit", &err);
out:
	if (have_shape)
		gmm_data_shape_release(&shape);
	gmm_model_free(m);
	gmm_data_release(&x);
	gmm_csvin_close(in);
	return ret;
}

/* What --online does not take, and its options without it: -1, said. */
static int
online_usage(const struct gmm_fitopts *fo, const struct online_args *on)
{
	const char *no = NULL;

	if (!on->on) {
		no = on->batch_given ? "--batch" : on->alpha_given ?
		    "--alpha" : on->checkpoint ? "--checkpoint" : NULL;
		if (no != NULL)
			gmm_warn("fit", "%s goes with --online", no);
		return no != NULL ? -1 : 0;
	}
	if (fo->em.accelerate) {
		gmm_warn("fit", "--online does not take --accelerate: stepwise "
		    "EM takes each batch once, with no map to extrapolate");
		return -1;
	}
	no = fo->common.csv.labels ? "--label-column" : fo->em.noise ?
	    "--noise" : fo->em.prior ? "--prior" : fo->em.family->scaled ?
	    "--family t" : fo->start_file ? "--init resp: or labels:" :
	    NULL;
	if (no != NULL)
		gmm_warn("fit", "--online does not take %s yet", no);
	return no != NULL ? -1 : 0;
}

static int
cmd_fit_main(int argc, char **argv)
{
	struct gmm_fitopts fo;
	struct gmm_outfile o;
	struct gmm_error err;
	const char *out = NULL, *file = "-";
	char *stdin_list[] = { (char *)"-" }, **files = stdin_list;
	size_t nfiles = 1;
	struct online_args on = { 0, GMM_ONLINE_BATCH, GMM_ONLINE_ALPHA, 0,
		0, 0 };
	int opt, r, ret;

	gmm_fitopts_init(&fo);
	while ((opt = gmm_getopt("fit", argc, argv,
	    gmm_cmd_fit.shortopts, longopts)) != -1) {
		if (opt == 'h') {
			printf("%s\n%s%s", usage_text, help_text, help_text2);
			return 0;
		}
		if (opt == 'o') {
			out = optarg;
			continue;
		}
		if (opt == OPT_JSON) {
			fo.json = 1;
			continue;
		}
		if (opt == OPT_ONLINE) {
			on.on = 1;
			continue;
		}
		if (opt == OPT_BATCH || opt == OPT_CHECKPOINT) {
			on.batch_given |= opt == OPT_BATCH;
			if (gmm_parse_count("fit", opt == OPT_BATCH ?
			    "--batch" : "--checkpoint", optarg, 1, SIZE_MAX,
			    opt == OPT_BATCH ? &on.batch : &on.checkpoint) < 0)
				return gmm_usage(usage_text);
			continue;
		}
		if (opt == OPT_ALPHA) {
			on.alpha_given = 1;
			if (gmm_parse_real("fit", "--alpha", optarg, 0,
			    &on.alpha) < 0)
				return gmm_usage(usage_text);
			if (!(on.alpha > 0.5 && on.alpha <= 1)) {
				gmm_warn("fit", "--alpha is in (0.5, 1], not "
				    "%s", optarg);
				return gmm_usage(usage_text);
			}
			continue;
		}
		r = gmm_fitopts_option("fit", &fo, opt, optarg);
		if (r == 0)
			r = gmm_common_option("fit", &fo.common, opt, optarg);
		if (r <= 0)
			return gmm_usage(usage_text);
	}
	/* several FILEs under --mpi: the ranks share them */
	if (gmm_operands("fit", argc - optind, argv + optind, 0,
	    fo.mpi ? INT_MAX : 1, "FILE") < 0)
		return gmm_usage(usage_text);
	if (optind < argc) {
		files = argv + optind;
		nfiles = (size_t)(argc - optind);
		file = files[0];
	}
	/* MPI first, so that every later message is rank 0's alone */
	if (fo.mpi && gmm_fitopts_start_mpi(&fo, "fit") < 0) {
		gmm_fitopts_release(&fo);
		return gmm_usage(usage_text);
	}
	if (online_usage(&fo, &on) < 0 || (fo.mpi && on.on &&
	    (gmm_warn("fit", "--mpi does not take --online"), 1)) ||
	    gmm_fitopts_mpi_usage(&fo, "fit", files, nfiles) < 0 || (fo.mpi &&
	    (out == NULL || strcmp(out, "-") == 0) && (gmm_warn("fit",
	    "--mpi writes the model to a file (-o MODEL): MPI forwards "
	    "standard output through a terminal"), 1))) {
		gmm_fitopts_release(&fo);
		gmm_mpi_finish();
		return gmm_usage(usage_text);
	}
	if (gmm_fitopts_finish("fit", &fo, 1) < 0) {
		gmm_fitopts_release(&fo);
		gmm_mpi_finish();
		return fo.failed_usage ? gmm_usage(usage_text) : GMM_EXIT_DATA;
	}
	/* the output is checked before the input is read and fitted (by
	 * rank 0, which writes, under --mpi; every rank stops if it fails) */
	memset(&o, 0, sizeof(o));
	r = 0;
	if (gmm_fitopts_lead(&fo)) {
		int bad = gmm_outfile_prepare(&o, out ? out : "-", file,
		    &err) < 0;

		for (size_t i = 1; !bad && i < nfiles; i++)
			bad = gmm_outfile_check_input(&o, files[i], &err) < 0;
		if (bad) {
			gmm_report("fit", &err);
			r = GMM_EXIT_DATA;
		} else if (gmm_outfile_is_tty(&o)) {
			gmm_warn("fit", "will not write a binary model to a "
			    "terminal; use -o MODEL or a pipe");
			r = gmm_usage(usage_text);
		} else if (on.on && on.checkpoint > 0 &&
		    o.kind != GMM_OUT_ATOMIC) {
			gmm_warn("fit", "--checkpoint rewrites the model: give "
			    "-o a file, not %s", o.name);
			r = gmm_usage(usage_text);
		}
	}
	if (gmm_comm_any(fo.comm, r != 0))
		ret = r != 0 ? r : GMM_EXIT_DATA;
	else
		ret = on.on ? run_online(&fo, &on, file, &o) :
		    run(&fo, files, nfiles, gmm_fitopts_lead(&fo) ? &o :
		    NULL);
	if (gmm_fitopts_lead(&fo))
		gmm_outfile_release(&o);
	gmm_fitopts_release(&fo);
	gmm_mpi_finish();
	return ret;
}

/* MPI, when --mpi started it, ends on every way out (io/mpi.h). */
static int
cmd_fit(int argc, char **argv)
{
	int ret = cmd_fit_main(argc, argv);

	gmm_mpi_finish();
	return ret;
}
