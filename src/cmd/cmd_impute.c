/*
 * gmm impute: the input rows with every missing value of the model's
 * columns filled in from the mixture (engine/impute.h), model columns the
 * input lacks added and predicted (GMM regression), other fields passed
 * through as they are; streamed in constant memory.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/consts.h"
#include "engine/impute.h"
#include "io/csvout.h"

static const char usage_text[] =
    "usage: gmm impute [--variance] [--draw] [--draws M] [options] MODEL\n"
    "                  [FILE]\n";

static const char help_text[] =
    "Fill in the missing values of the model's columns in the rows of a\n"
    "CSV file (or stdin), and add the model columns it lacks: CSV on\n"
    "stdout, one row per input row (M with --draws), streamed.\n\n"
    "      --variance      add each model column's conditional variance,\n"
    "                      <name>_var (0 where observed)\n"
    "      --draw          a draw from the conditional mixture, not its mean\n"
    "      --draws M       M draws of each row, with a first column draw\n"
    "                      (1..M): multiple imputation\n"
    GMM_COMMON_HELP;

static const struct option longopts[] = {
	{ "variance", no_argument, NULL, OPT_VARIANCE },
	{ "draw", no_argument, NULL, OPT_DRAW },
	{ "draws", required_argument, NULL, OPT_DRAWS },
	GMM_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int cmd_impute(int argc, char **argv);

const struct gmm_cmd gmm_cmd_impute = {
	.name = "impute", .summary = "fill in missing values; predict columns",
	.run = cmd_impute, .longopts = longopts,
	.shortopts = GMM_COMMON_SHORTOPTS,
	.operands = { GMM_OPERAND_MODEL, GMM_OPERAND_CSV, GMM_OPERAND_END },
};

struct impute_opts {
	int variance, draw;
	size_t draws;		/* 1 unless --draws */
};

/* What a row's output needs: where each field and model column is. */
struct layout {
	size_t d, nf, nsel;
	size_t *where;		/* d: model column j among the selected
				 * values, or (size_t)-1: added */
	size_t *field_col;	/* nf: the model column of field i, or
				 * (size_t)-1: passed through */
	double *sel, *x, *var;	/* nsel, d, d */
	char **var_names;	/* d: "<column>_var" */
};

static void
layout_release(struct layout *l)
{
	free(l->where);
	free(l->field_col);
	free(l->sel);
	free(l->x);
	free(l->var);
	for (size_t j = 0; l->var_names != NULL && j < l->d; j++)
		free(l->var_names[j]);
	free(l->var_names);
}

static int
layout_init(struct layout *l, const struct gmm_model *m,
    struct gmm_csvin *in, struct gmm_error *err)
{
	memset(l, 0, sizeof(*l));
	l->d = m->d;
	l->where = malloc(m->d * sizeof(size_t));
	l->x = malloc(m->d * sizeof(double));
	l->var = malloc(m->d * sizeof(double));
	l->var_names = calloc(m->d, sizeof(char *));
	if (l->where == NULL || l->x == NULL || l->var == NULL ||
	    l->var_names == NULL)
		return gmm_error_nomem(err);
	for (size_t j = 0; j < m->d; j++) {
		size_t len = strlen(m->columns[j]);

		if ((l->var_names[j] = malloc(len + 5)) == NULL)
			return gmm_error_nomem(err);
		memcpy(l->var_names[j], m->columns[j], len);
		memcpy(l->var_names[j] + len, "_var", 5);
	}
	if (gmm_csvin_match_present(in, m->columns, m->d, l->where, err) < 0)
		return -1;
	l->nf = gmm_csvin_nfields(in);
	l->nsel = gmm_csvin_ncols(in);
	l->field_col = malloc((l->nf ? l->nf : 1) * sizeof(size_t));
	l->sel = malloc((l->nsel ? l->nsel : 1) * sizeof(double));
	if (l->field_col == NULL || l->sel == NULL)
		return gmm_error_nomem(err);
	for (size_t i = 0; i < l->nf; i++)
		l->field_col[i] = (size_t)-1;
	for (size_t j = 0; j < m->d; j++)
		if (l->where[j] != (size_t)-1)
			l->field_col[gmm_csvin_colindex(in, l->where[j]) - 1] =
			    j;
	return 0;
}

static void
print_header(const struct impute_opts *o, const struct gmm_model *m,
    const struct layout *l, const struct gmm_csvin *in)
{
	const char *sep = "";

	if (!gmm_csvin_has_header(in))
		return;
	if (o->draws > 1) {
		fputs("draw", stdout);
		sep = ",";
	}
	for (size_t i = 0; i < l->nf; i++) {
		fputs(sep, stdout);
		gmm_csvout_field(stdout, gmm_csvin_header_name(in, i), ',');
		sep = ",";
	}
	for (size_t j = 0; j < m->d; j++) {
		if (l->where[j] != (size_t)-1)
			continue;
		fputs(sep, stdout);
		gmm_csvout_field(stdout, m->columns[j], ',');
		sep = ",";
	}
	for (size_t j = 0; o->variance && j < m->d; j++) {
		fputs(sep, stdout);
		gmm_csvout_field(stdout, l->var_names[j], ',');
		sep = ",";
	}
	putchar('\n');
}

/* The row last read, filled in: its fields, the added columns, the
 * variances; draw is 0 without --draws. */
static void
print_row(const struct impute_opts *o, const struct layout *l,
    const struct gmm_csvin *in, size_t draw)
{
	const char *sep = "";

	if (draw > 0) {
		printf("%zu", draw);
		sep = ",";
	}
	for (size_t i = 0; i < l->nf; i++) {
		size_t j = l->field_col[i];

		fputs(sep, stdout);
		sep = ",";
		if (j != (size_t)-1 && isnan(l->sel[l->where[j]]))
			gmm_csvout_number(stdout, l->x[j]);
		else
			gmm_csvout_field(stdout, gmm_csvin_raw_field(in, i),
			    ',');
	}
	for (size_t j = 0; j < l->d; j++) {
		if (l->where[j] != (size_t)-1)
			continue;
		fputs(sep, stdout);
		gmm_csvout_number(stdout, l->x[j]);
		sep = ",";
	}
	for (size_t j = 0; o->variance && j < l->d; j++) {
		fputs(sep, stdout);
		gmm_csvout_number(stdout, l->var[j]);
		sep = ",";
	}
	putchar('\n');
}

static int
stream(const struct impute_opts *o, const struct gmm_model *m,
    struct gmm_csvin *in, const struct gmm_common *co,
    struct gmm_error *err)
{
	struct gmm_imputer im;
	struct layout l = { 0 };
	gsl_rng *rng = NULL;
	size_t filled = 0, rows_filled = 0;
	int ret = -1, r;

	if (gmm_imputer_init(&im, m) < 0) {
		gmm_error_nomem(err);
		goto out;
	}
	if (layout_init(&l, m, in, err) < 0)
		goto out;
	if (o->draw && (rng = gmm_rng_new(co->seed)) == NULL) {
		gmm_error_nomem(err);
		goto out;
	}
	print_header(o, m, &l, in);
	while ((r = gmm_csvin_read_row(in, l.sel, err)) != 0) {
		size_t miss = 0;

		if (r < 0)
			goto out;
		if (r == GMM_CSVIN_BLANK) {
			putchar('\n');	/* line for line with the input */
			continue;
		}
		for (size_t j = 0; j < m->d; j++)
			miss += isnan(l.where[j] != (size_t)-1 ?
			    l.sel[l.where[j]] : NAN);
		filled += miss;
		rows_filled += miss > 0;
		for (size_t j = 0; j < m->d; j++)
			l.x[j] = l.where[j] != (size_t)-1 ? l.sel[l.where[j]] :
			    NAN;
		memset(l.var, 0, m->d * sizeof(double));
		/* the row's conditionals once, then each draw from them */
		if (miss > 0 && (o->draw ? gmm_impute_condition(&im, l.x,
		    err) : gmm_impute_mean(&im, l.x, o->variance ? l.var :
		    NULL, err)) < 0)
			goto out;
		for (size_t t = 0; t < o->draws; t++) {
			if (miss > 0 && o->draw)
				gmm_impute_draw_again(&im, rng, l.x);
			print_row(o, &l, in, o->draws > 1 ? t + 1 : 0);
		}
		if (!gmm_csvin_ready(in))
			fflush(stdout);
		if (ferror(stdout))
			break;	/* reader gone: main() reports or not */
	}
	if (!co->quiet)
		fprintf(stderr, "gmm impute: %s: %zu value%s filled in %zu "
		    "row%s\n", gmm_csvin_name(in), filled, filled == 1 ? "" :
		    "s", rows_filled, rows_filled == 1 ? "" : "s");
	ret = 0;
out:
	gsl_rng_free(rng);
	layout_release(&l);
	gmm_imputer_release(&im);
	return ret;
}

static int
run(const struct impute_opts *o, struct gmm_common *co, const char *mpath,
    const char *file)
{
	struct gmm_model *m = gmm_load_model_kind("impute", mpath, 0, 0,
	    "impute does not condition on yet");
	struct gmm_csvin *in = NULL;
	struct gmm_error err;
	int ret = GMM_EXIT_DATA;

	if (m == NULL)
		return GMM_EXIT_DATA;
	co->csv.keep_blank = 1;
	in = gmm_csvin_open(file, &co->csv, &err);
	if (in == NULL || stream(o, m, in, co, &err) < 0)
		gmm_report("impute", &err);
	else
		ret = 0;
	gmm_csvin_close(in);
	gmm_model_free(m);
	return ret;
}

static int
cmd_impute(int argc, char **argv)
{
	struct impute_opts o = { .draws = 1 };
	struct gmm_common co;
	const char *model, *file;
	int opt;

	gmm_common_init(&co);
	while ((opt = gmm_getopt("impute", argc, argv,
	    gmm_cmd_impute.shortopts, longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			return 0;
		case OPT_VARIANCE:
			o.variance = 1;
			break;
		case OPT_DRAW:
			o.draw = 1;
			break;
		case OPT_DRAWS:
			if (gmm_parse_count("impute", "--draws", optarg, 1,
			    1000000, &o.draws) < 0)
				return gmm_usage(usage_text);
			o.draw = 1;
			break;
		default:
			if (gmm_common_option("impute", &co, opt, optarg) <= 0)
				return gmm_usage(usage_text);
		}
	}
	if (o.draw && o.variance) {
		gmm_warn("impute", "--variance is that of the conditional "
		    "mean; it does not combine with --draw or --draws");
		return gmm_usage(usage_text);
	}
	if (gmm_model_file_operands("impute", argc - optind, argv + optind,
	    &model, &file) < 0)
		return gmm_usage(usage_text);
	return run(&o, &co, model, file);
}
