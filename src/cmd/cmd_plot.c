/*
 * gmm plot KIND: pictures of models and tables, drawn by io/chart (cairo)
 * into SVG, PNG or PDF as -o's extension says (SVG on standard output by
 * default).  Kinds: bic, the criterion of a select-k table against k, one
 * line per covariance model, as mclust's plot(mclustBIC).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "io/chart.h"
#include "io/outfile.h"

static const char usage_text[] =
    "usage: gmm plot bic [--criterion bic|icl|aic] [-o FILE] [options]\n"
    "                [TABLE]\n";

static const char help_text[] =
    "Draw a picture: bic, the criterion of a select-k table (TABLE, or\n"
    "stdin) against k, one line per covariance model, the chosen fit\n"
    "ringed, degenerate fits hollow.\n\n"
    "      --criterion C   bic (default), icl or aic: the table's column\n"
    "  -o FILE             the picture: .svg, .png or .pdf by its name;\n"
    "                      - (the default) writes SVG to stdout\n"
    "  -d, --delimiter C   field delimiter of TABLE (default ',')\n"
    "  -q, --quiet         no note on stderr\n"
    "  -h, --help          this help\n";

static const struct option longopts[] = {
	{ "criterion", required_argument, NULL, OPT_CRITERION },
	{ "delimiter", required_argument, NULL, 'd' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_plot(int argc, char **argv);

const struct gmm_cmd gmm_cmd_plot = {
	.name = "plot", .summary = "draw a select-k table as a picture",
	.run = cmd_plot, .longopts = longopts,
	.shortopts = "o:d:qh",
	.operands = { GMM_OPERAND_PLOT, GMM_OPERAND_CSV, GMM_OPERAND_END },
};

/*
 * A select-k table's rows, grouped into one series per covariance model
 * (in the order the models first come): series s holds rows
 * first[s] .. first[s] + count[s] - 1 of x, y and hollow.
 */
struct table {
	size_t n, cap, nseries;
	char **names;			/* nseries */
	size_t *first, *count;		/* nseries */
	size_t *of;			/* n: each row's series */
	double *x, *y;			/* n */
	unsigned char *hollow;		/* n */
};

static void
table_release(struct table *t)
{
	for (size_t s = 0; s < t->nseries; s++)
		free(t->names[s]);
	free(t->names);
	free(t->first);
	free(t->count);
	free(t->of);
	free(t->x);
	free(t->y);
	free(t->hollow);
}

/* Room for one more row (and series). */
static int
table_grow(struct table *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	void *p;

	if ((p = realloc(t->x, cap * sizeof(double))) == NULL)
		return -1;
	t->x = p;
	if ((p = realloc(t->y, cap * sizeof(double))) == NULL)
		return -1;
	t->y = p;
	if ((p = realloc(t->hollow, cap)) == NULL)
		return -1;
	t->hollow = p;
	if ((p = realloc(t->of, cap * sizeof(size_t))) == NULL)
		return -1;
	t->of = p;
	if ((p = realloc(t->names, cap * sizeof(char *))) == NULL)
		return -1;
	t->names = p;
	t->cap = cap;
	return 0;
}

/* The rows sorted by series, stably (a counting sort). */
static int
table_group(struct table *t)
{
	double *x = malloc(t->n * sizeof(double) + 1);
	double *y = malloc(t->n * sizeof(double) + 1);
	unsigned char *h = malloc(t->n + 1);
	size_t *next = calloc(t->nseries + 1, sizeof(size_t));

	t->first = calloc(t->nseries + 1, sizeof(size_t));
	t->count = calloc(t->nseries + 1, sizeof(size_t));
	if (!x || !y || !h || !next || !t->first || !t->count) {
		free(x);
		free(y);
		free(h);
		free(next);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++)
		t->count[t->of[i]]++;
	for (size_t s = 1; s < t->nseries; s++)
		t->first[s] = t->first[s - 1] + t->count[s - 1];
	for (size_t i = 0; i < t->n; i++) {
		size_t j = t->first[t->of[i]] + next[t->of[i]]++;

		x[j] = t->x[i];
		y[j] = t->y[i];
		h[j] = t->hollow[i];
	}
	free(t->x);
	free(t->y);
	free(t->hollow);
	free(next);
	t->x = x;
	t->y = y;
	t->hollow = h;
	return 0;
}

static int
read_table(struct gmm_csvin *in, struct table *t, struct gmm_error *err)
{
	double row[3];
	size_t cov = (size_t)-1;
	int r;

	for (size_t i = 0; i < gmm_csvin_nfields(in); i++)
		if (gmm_csvin_header_name(in, i) != NULL &&
		    strcmp(gmm_csvin_header_name(in, i), "covariance") == 0)
			cov = i;
	if (cov == (size_t)-1)
		return gmm_error_set(err, gmm_csvin_name(in), 0, "no column "
		    "\"covariance\": not a table of gmm select-k");
	while ((r = gmm_csvin_read_row(in, row, err)) != 0) {
		const char *name = gmm_csvin_raw_field(in, cov);
		size_t s = 0;

		if (r < 0)
			return -1;
		if (r == GMM_CSVIN_BLANK)
			continue;
		if (t->n == t->cap && table_grow(t) < 0)
			return gmm_error_nomem(err);
		while (s < t->nseries && strcmp(t->names[s], name) != 0)
			s++;
		if (s == t->nseries) {
			if ((t->names[s] = strdup(name)) == NULL)
				return gmm_error_nomem(err);
			t->nseries++;
		}
		t->of[t->n] = s;
		t->x[t->n] = row[0];
		t->y[t->n] = row[1];
		t->hollow[t->n] = row[2] == 1;
		t->n++;
	}
	if (t->n == 0)
		return gmm_error_set(err, gmm_csvin_name(in), 0, "no rows");
	if (table_group(t) < 0)
		return gmm_error_nomem(err);
	return 0;
}

static int
plot_bic(const char *criterion, const char *file, const char *out,
    struct gmm_common *co)
{
	struct gmm_outfile o = { 0 };
	struct gmm_csvin *in = NULL;
	struct gmm_error err;
	struct table t = { 0 };
	struct gmm_chart_series *series = NULL;
	struct gmm_chart c = { 0 };
	enum gmm_chart_format f;
	unsigned char *buf = NULL;
	size_t len = 0;
	char cols[64], title[96], ylabel[16];
	double best = INFINITY;
	int ret = GMM_EXIT_DATA;

	if (gmm_chart_format_of(out, &f) < 0) {
		gmm_warn("plot", "-o %s: the name ends in .svg, .png or .pdf "
		    "(or is -, SVG on stdout)", out);
		return GMM_EXIT_USAGE;
	}
	if (gmm_outfile_prepare(&o, out, file, &err) < 0)
		goto fail;
	snprintf(cols, sizeof(cols), "k,%s,degenerate", criterion);
	co->csv.columns = cols;
	co->csv.header = 1;
	in = gmm_csvin_open(file, &co->csv, &err);
	if (in == NULL || read_table(in, &t, &err) < 0)
		goto fail;
	series = calloc(t.nseries, sizeof(*series));
	if (series == NULL) {
		gmm_error_nomem(&err);
		goto fail;
	}
	c.mark_series = -1;
	for (size_t s = 0; s < t.nseries; s++) {
		series[s].name = t.names[s];
		series[s].n = t.count[s];
		series[s].x = t.x + t.first[s];
		series[s].y = t.y + t.first[s];
		series[s].hollow = t.hollow + t.first[s];
		for (size_t i = 0; i < t.count[s]; i++)
			if (!series[s].hollow[i] && series[s].y[i] < best) {
				best = series[s].y[i];
				c.mark_series = (long)s;
				c.mark_point = i;
			}
	}
	for (size_t i = 0; criterion[i] != '\0' && i + 1 < sizeof(ylabel);
	    i++) {
		ylabel[i] = (char)(criterion[i] - 'a' + 'A');
		ylabel[i + 1] = '\0';
	}
	snprintf(title, sizeof(title), "%s against k (lower is better)",
	    ylabel);
	c.title = title;
	c.xlabel = "k (components)";
	c.ylabel = ylabel;
	c.nseries = t.nseries;
	c.series = series;
	c.integer_x = 1;
	if (gmm_chart_render(&c, f, &buf, &len, &err) < 0 ||
	    gmm_outfile_write(&o, buf, len, &err) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	gmm_report("plot", &err);
out:
	free(buf);
	free(series);
	table_release(&t);
	gmm_csvin_close(in);
	gmm_outfile_release(&o);
	return ret;
}

static int
cmd_plot(int argc, char **argv)
{
	struct gmm_common co;
	const char *criterion = "bic", *out = "-", *file = "-";
	int opt;

	gmm_common_init(&co);
	while ((opt = gmm_getopt("plot", argc, argv, gmm_cmd_plot.shortopts,
	    longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			return 0;
		case 'o':
			out = optarg;
			break;
		case OPT_CRITERION:
			if (strcmp(optarg, "bic") != 0 &&
			    strcmp(optarg, "icl") != 0 &&
			    strcmp(optarg, "aic") != 0) {
				gmm_warn("plot", "--criterion takes bic, icl "
				    "or aic, not \"%s\"", optarg);
				return gmm_usage(usage_text);
			}
			criterion = optarg;
			break;
		default:
			if (gmm_common_option("plot", &co, opt, optarg) <= 0)
				return gmm_usage(usage_text);
		}
	}
	if (gmm_operands("plot", argc - optind, argv + optind, 1, 2,
	    "KIND TABLE") < 0)
		return gmm_usage(usage_text);
	if (strcmp(argv[optind], "bic") != 0) {
		gmm_warn("plot", "no picture of kind \"%s\"; the kinds: bic",
		    argv[optind]);
		return gmm_usage(usage_text);
	}
	if (argc - optind == 2)
		file = argv[optind + 1];
	return plot_bic(criterion, file, out, &co);
}
