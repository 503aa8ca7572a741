/*
 * gmm plot KIND: pictures of tables and models, drawn by io/chart (cairo)
 * into SVG, PNG or PDF as -o's extension says (SVG on standard output by
 * default).  Kinds: bic, the criterion of a select-k table against k, one
 * line per covariance model, as mclust's plot(mclustBIC); clusters and
 * density, a model over data (cmd_plot_model.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/plot.h"

static const char usage_text[] =
    "usage: gmm plot bic [--criterion bic|icl|aic] [-o FILE] [options]\n"
    "                [TABLE]\n"
    "       gmm plot clusters [-c LIST] [--uncertainty] [-o FILE]\n"
    "                [options] MODEL [FILE]\n"
    "       gmm plot density [-c LIST] [-o FILE] [options] MODEL [FILE]\n";

static const char help_text[] =
    "Draw a picture.  bic: the criterion of a select-k table (TABLE, or\n"
    "stdin) against k, one line per covariance model, the chosen fit\n"
    "ringed, degenerate fits hollow.  clusters: the rows of FILE (or\n"
    "stdin) coloured by their most probable component, each component's\n"
    "mean and its 1 and 2 sigma ellipses; a pairs matrix for more than\n"
    "two columns.  density: the model's density, with a histogram (one\n"
    "column) or the rows (two) of FILE when given; contours of the log\n"
    "density for two columns.\n\n"
    "      --criterion C   bic (default), icl or aic: the table's column\n"
    "  -c, --columns LIST  the model's columns to draw, by name, 1-based\n"
    "                      position or range (2-4); default the first\n"
    "                      four (clusters) or two (density)\n"
    "      --uncertainty   clusters: more uncertain rows (1 - max\n"
    "                      posterior) drawn larger and darker\n"
    "      --max-points N  draw at most N rows, a reservoir sample\n"
    "                      (default 20000)\n"
    "      --seed S        the sample's seed, 0 to 4294967295 (default 0)\n"
    "  -o FILE             the picture: .svg, .png or .pdf by its name;\n"
    "                      - (the default) writes SVG to stdout\n"
    "  -d, --delimiter C   field delimiter (default ','; '\\t' for tab)\n"
    "      --header        the first record of FILE is a header\n"
    "      --no-header     the first record of FILE is data\n"
    "      --comment C     skip lines that start with C anywhere\n"
    "      --na LIST       missing-value tokens besides the empty field\n"
    "      --missing M     allow (default: a row is drawn in the panels\n"
    "                      whose columns it has) or error\n"
    "      --threads N     threads scoring the rows\n"
    "  -v, --verbose       accepted for uniformity\n"
    "  -q, --quiet         no notes on stderr\n"
    "  -h, --help          this help\n";

static const struct option longopts[] = {
	GMM_COMMON_LONGOPTS,
	{ "criterion", required_argument, NULL, OPT_CRITERION },
	{ "uncertainty", no_argument, NULL, OPT_UNCERTAINTY },
	{ "max-points", required_argument, NULL, OPT_MAX_POINTS },
	{ NULL, 0, NULL, 0 }
};

static int cmd_plot(int argc, char **argv);

const struct gmm_cmd gmm_cmd_plot = {
	.name = "plot", .summary = "draw a select-k table or a model",
	.run = cmd_plot, .longopts = longopts,
	.shortopts = "o:" GMM_COMMON_SHORTOPTS,
	.operands = { GMM_OPERAND_PLOT, GMM_OPERAND_CSV, GMM_OPERAND_END },
};

/*
 * A select-k table's rows, grouped into one series per covariance model
 * (a factor model's, per q: "mfa q=2"; in the order the series first
 * come): series s holds rows
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
	size_t cov = (size_t)-1, fac = (size_t)-1;
	int r;

	for (size_t i = 0; i < gmm_csvin_nfields(in); i++) {
		const char *h = gmm_csvin_header_name(in, i);

		if (h != NULL && strcmp(h, "covariance") == 0)
			cov = i;
		if (h != NULL && strcmp(h, "factors") == 0)
			fac = i;
	}
	if (cov == (size_t)-1)
		return gmm_error_set(err, gmm_csvin_name(in), 0, "no column "
		    "\"covariance\": not a table of gmm select-k");
	while ((r = gmm_csvin_read_row(in, row, err)) != 0) {
		const char *name;
		char buf[160];
		size_t s = 0;

		if (r < 0)
			return -1;
		if (r == GMM_CSVIN_BLANK)
			continue;
		/* a factor model's series is its q's: "mfa q=2" */
		name = gmm_csvin_raw_field(in, cov);
		if (fac != (size_t)-1 && gmm_csvin_raw_field(in, fac)[0] != '\0') {
			snprintf(buf, sizeof(buf), "%.100s q=%.40s", name,
			    gmm_csvin_raw_field(in, fac));
			name = buf;
		}
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

int
gmm_plot_write(const struct gmm_chart *c, const char *out,
    const struct gmm_outfile *o, struct gmm_error *err)
{
	enum gmm_chart_format f = GMM_CHART_SVG;
	unsigned char *buf = NULL;
	size_t len = 0;
	int r;

	gmm_chart_format_of(out, &f);
	r = gmm_chart_render(c, f, &buf, &len, err) < 0 ||
	    gmm_outfile_write(o, buf, len, err) < 0 ? -1 : 0;
	free(buf);
	return r;
}

static int
plot_bic(const char *criterion, const char *file, const char *out,
    struct gmm_common *co)
{
	struct gmm_outfile o = { 0 };
	struct gmm_csvin *in = NULL;
	struct gmm_error err;
	struct table t = { 0 };
	struct gmm_chart_layer *layers = NULL;
	struct gmm_chart_legend *legend = NULL;
	struct gmm_chart_panel panel = { 0 };
	struct gmm_chart c = { 0 };
	char cols[64], title[96], ylabel[16];
	double best = INFINITY, mark[2] = { NAN, NAN };
	int ret = GMM_EXIT_DATA;

	if (gmm_outfile_prepare(&o, out, file, &err) < 0)
		goto fail;
	snprintf(cols, sizeof(cols), "k,%s,degenerate", criterion);
	co->csv.columns = cols;
	co->csv.header = 1;
	in = gmm_csvin_open(file, &co->csv, &err);
	if (in == NULL || read_table(in, &t, &err) < 0)
		goto fail;
	layers = calloc(t.nseries + 1, sizeof(*layers));
	legend = calloc(t.nseries, sizeof(*legend));
	if (layers == NULL || legend == NULL) {
		gmm_error_nomem(&err);
		goto fail;
	}
	for (size_t s = 0; s < t.nseries; s++) {
		layers[s] = (struct gmm_chart_layer){ .kind = GMM_CHART_LINE,
		    .color = gmm_chart_color(s), .dashed = s >= 8,
		    .n = t.count[s], .x = t.x + t.first[s],
		    .y = t.y + t.first[s], .markers = 1,
		    .hollow = t.hollow + t.first[s] };
		legend[s] = (struct gmm_chart_legend){ t.names[s],
		    gmm_chart_color(s), 1, s >= 8, 1 };
		for (size_t i = 0; i < t.count[s]; i++)
			if (!layers[s].hollow[i] && layers[s].y[i] < best) {
				best = layers[s].y[i];
				mark[0] = layers[s].x[i];
				mark[1] = layers[s].y[i];
			}
	}
	layers[t.nseries] = (struct gmm_chart_layer){ .kind = GMM_CHART_MARK,
	    .n = 1, .x = mark, .y = mark + 1 };
	for (size_t i = 0; criterion[i] != '\0' && i + 1 < sizeof(ylabel);
	    i++) {
		ylabel[i] = (char)(criterion[i] - 'a' + 'A');
		ylabel[i + 1] = '\0';
	}
	snprintf(title, sizeof(title), "%s against k (lower is better)",
	    ylabel);
	panel = (struct gmm_chart_panel){ .xlabel = "k (components)",
	    .ylabel = ylabel, .integer_x = 1, .nlayers = t.nseries + 1,
	    .layers = layers };
	c.title = title;
	c.panels = &panel;
	c.legend = legend;
	c.nlegend = t.nseries;
	if (gmm_plot_write(&c, out, &o, &err) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	gmm_report("plot", &err);
out:
	free(layers);
	free(legend);
	table_release(&t);
	gmm_csvin_close(in);
	gmm_outfile_release(&o);
	return ret;
}

static int
cmd_plot(int argc, char **argv)
{
	struct gmm_plot_opts o = { .criterion = "bic", .out = "-",
	    .max_points = GMM_PLOT_MAX_POINTS };
	enum gmm_chart_format f;
	const char *kind, *model, *file;
	int opt, n;

	gmm_common_init(&o.co);
	while ((opt = gmm_getopt("plot", argc, argv, gmm_cmd_plot.shortopts,
	    longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			return 0;
		case 'o':
			o.out = optarg;
			break;
		case 'c':
			o.columns = optarg;
			break;
		case OPT_UNCERTAINTY:
			o.uncertainty = 1;
			break;
		case OPT_MAX_POINTS:
			if (gmm_parse_count("plot", "--max-points", optarg, 1,
			    100000000, &o.max_points) < 0)
				return gmm_usage(usage_text);
			break;
		case OPT_CRITERION:
			if (strcmp(optarg, "bic") != 0 &&
			    strcmp(optarg, "icl") != 0 &&
			    strcmp(optarg, "aic") != 0) {
				gmm_warn("plot", "--criterion takes bic, icl "
				    "or aic, not \"%s\"", optarg);
				return gmm_usage(usage_text);
			}
			o.criterion = optarg;
			break;
		default:
			if (gmm_common_option("plot", &o.co, opt, optarg) <= 0)
				return gmm_usage(usage_text);
		}
	}
	n = argc - optind;
	if (gmm_operands("plot", n, argv + optind, 1, 3, "KIND") < 0)
		return gmm_usage(usage_text);
	kind = argv[optind];
	if (gmm_chart_format_of(o.out, &f) < 0) {
		gmm_warn("plot", "-o %s: the name ends in .svg, .png or .pdf "
		    "(or is -, SVG on stdout)", o.out);
		return GMM_EXIT_USAGE;
	}
	if (strcmp(kind, "bic") == 0) {
		if (gmm_operands("plot", n - 1, argv + optind + 1, 0, 1,
		    "TABLE") < 0)
			return gmm_usage(usage_text);
		return plot_bic(o.criterion, n == 2 ? argv[optind + 1] : "-",
		    o.out, &o.co);
	}
	if (strcmp(kind, "clusters") == 0) {
		if (gmm_model_file_operands("plot", n - 1, argv + optind + 1,
		    &model, &file) < 0)
			return gmm_usage(usage_text);
		return gmm_plot_clusters(&o, model, file);
	}
	if (strcmp(kind, "density") == 0) {
		if (gmm_operands("plot", n - 1, argv + optind + 1, 1, 2,
		    "MODEL FILE") < 0)
			return gmm_usage(usage_text);
		if (n == 3 && strcmp(argv[optind + 1], "-") == 0 &&
		    strcmp(argv[optind + 2], "-") == 0) {
			gmm_warn("plot", "the model and the data cannot both "
			    "be stdin");
			return gmm_usage(usage_text);
		}
		return gmm_plot_density(&o, argv[optind + 1], n == 3 ?
		    argv[optind + 2] : NULL);
	}
	gmm_warn("plot", "no picture of kind \"%s\"; the kinds: bic, "
	    "clusters, density", kind);
	return gmm_usage(usage_text);
}
