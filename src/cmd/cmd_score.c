#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/consts.h"
#include "io/csvout.h"
#include "engine/pool.h"
#include "engine/score.h"

static const char usage_text[] =
    "usage: gmm score [--labels] [--proba] [--append]\n"
    "                 [--append-columns LIST] [--keep-blank] [--summary]\n"
    "                 [--weights COL] [--json] [--outlier Q] [options]\n"
    "                 MODEL [FILE]\n";

static const char help_text[] =
    "Score the rows of a CSV file (or stdin) under a model: CSV on stdout,\n"
    "one row per input row, streamed.\n\n"
    "      --labels        add the most probable component (0-based; its\n"
    "                      class name when the model has classes; noise\n"
    "                      for a model's noise component)\n"
    "      --proba         add the responsibilities p0..p{K-1}\n"
    "                      (and p_noise)\n"
    "      --append        put every field of the input row first\n"
    "      --append-columns LIST  only these input fields (as -c)\n"
    "      --keep-blank    an empty output row for each blank input line\n"
    "                      (the default with --append)\n"
    "      --summary       print only n, total and mean log-likelihood,\n"
    "                      BIC and AIC of the whole file\n"
    "      --weights COL   with --summary: column COL (a number or header\n"
    "                      name) holds row frequency weights\n"
    "      --json          JSON lines, one object per row, not CSV\n"
    "      --outlier Q     add outlier: 1 when the row's log density is\n"
    "                      below the Q quantile (0 to 1) of the training\n"
    "                      rows', which fit keeps in the model\n"
    GMM_CSV_HELP;

static const struct option longopts[] = {
	{ "labels", no_argument, NULL, OPT_LABELS },
	{ "proba", no_argument, NULL, OPT_PROBA },
	{ "append", no_argument, NULL, OPT_APPEND },
	{ "append-columns", required_argument, NULL, OPT_APPEND_COLUMNS },
	{ "keep-blank", no_argument, NULL, OPT_KEEP_BLANK },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "weights", required_argument, NULL, OPT_WEIGHTS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "outlier", required_argument, NULL, OPT_OUTLIER },
	GMM_CSV_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int cmd_score(int argc, char **argv);

const struct gmm_cmd gmm_cmd_score = {
	.name = "score", .summary = "per-row log-density, labels, responsibilities",
	.run = cmd_score, .longopts = longopts,
	.shortopts = GMM_CSV_SHORTOPTS,
	.operands = { GMM_OPERAND_MODEL, GMM_OPERAND_CSV, GMM_OPERAND_END },
};

struct score_opts {
	int labels, proba, append, keep_blank, summary, json;
	int noise;		/* the model has a noise component: its
				 * label "noise", its column p_noise, the
				 * batch's last */
	char *const *classes;	/* the model's class names, or NULL */
	int outlier;		/* --outlier Q: the column */
	double outlier_q;	/* Q */
	double outlier_cut;	/* the model's Q quantile of log density */
	int weighted;		/* --weights: the summary weighs rows */
	const char *append_list;	/* --append-columns, or NULL: all */
	size_t *echo, necho;		/* the input fields --append prints */
};

/*
 * The selected fields of each row of a batch, as CSV text written with the
 * one field writer of csvout into a memory stream.
 */
struct text {
	FILE *f;		/* open_memstream over buf */
	char *buf;
	size_t size;
	size_t *end;		/* end of row i's text */
	size_t *blank;		/* blank lines before row i (cap + 1) */
};

/* Keep row i's fields that --append prints, each followed by a ','. */
static int
keep_fields(struct text *t, const struct score_opts *o,
    const struct gmm_csvin *in, size_t i)
{
	long end;

	for (size_t j = 0; j < o->necho; j++) {
		const char *v = gmm_csvin_raw_field(in, o->echo[j]);
		char buf[32];

		if (o->json) {	/* "name": "field", */
			gmm_json_string(t->f, gmm_csvin_field_name(in,
			    o->echo[j], buf));
			fputs(": ", t->f);
			gmm_json_string(t->f, v);
			fputs(", ", t->f);
			continue;
		}
		gmm_csvout_field(t->f, v, ',');
		fputc(',', t->f);
	}
	end = ftell(t->f);
	if (end < 0 || ferror(t->f))
		return -1;
	t->end[i] = (size_t)end;
	return 0;
}

static void
print_header(const struct score_opts *o, const struct gmm_model *m,
    const struct gmm_csvin *in)
{
	if (o->json)
		return;		/* every JSON line names its values */
	if (o->summary) {
		puts(o->weighted ? "n,weight_total,total_log_likelihood,"
		    "mean_log_likelihood,bic,aic" :
		    "n,total_log_likelihood,mean_log_likelihood,bic,aic");
		return;
	}
	for (size_t j = 0; o->append && j < o->necho; j++) {
		char buf[32];

		gmm_csvout_field(stdout, gmm_csvin_field_name(in, o->echo[j],
		    buf), ',');
		putchar(',');
	}
	fputs("log_density", stdout);
	if (o->labels)
		fputs(",label", stdout);
	for (size_t c = 0; o->proba && c < m->k; c++)
		printf(",p%zu", c);
	if (o->proba && m->noise)
		fputs(",p_noise", stdout);
	if (o->outlier)
		fputs(",outlier", stdout);
	putchar('\n');
}

/* An empty output row for each blank input line (--keep-blank): an
 * empty line, or in JSON an empty object. */
static void
print_blank(FILE *f, const struct score_opts *o, size_t count)
{
	for (size_t i = 0; i < count; i++)
		fputs(o->json ? "{}\n" : "\n", f);
}

/* Row i's outlier flag: 1 below the cut, 0 not, -1 none (a row with a
 * missing value is scored on fewer columns than the training rows). */
static int
outlier_of(const struct score_opts *o, const struct gmm_score_batch *b,
    size_t i)
{
	for (size_t j = 0; j < b->d; j++)
		if (isnan(b->x[i * b->d + j]))
			return -1;
	return b->log_density[i] < o->outlier_cut;
}

/* Row i as a JSON object: the appended fields, then the scores. */
static void
print_json_row(FILE *f, const struct score_opts *o,
    const struct gmm_score_batch *b, size_t i, const struct text *t)
{
	const double *r = b->resp + i * b->k;

	putc('{', f);
	if (o->append) {
		size_t start = i ? t->end[i - 1] : 0;

		fwrite(t->buf + start, 1, t->end[i] - start, f);
	}
	if (isnan(b->log_density[i])) {	/* nothing observed: no score */
		fprintf(f, "\"log_density\": null%s%s%s}\n", o->labels ?
		    ", \"label\": null" : "", o->proba ? ", \"proba\": null"
		    : "", o->outlier ? ", \"outlier\": null" : "");
		return;
	}
	fputs("\"log_density\": ", f);
	gmm_json_number(f, b->log_density[i]);
	if (o->labels) {
		size_t c = gmm_argmax(r, b->k);

		fputs(", \"label\": ", f);
		if (o->noise && c == b->k - 1)
			fputs("\"noise\"", f);
		else if (o->classes != NULL)
			gmm_json_string(f, o->classes[c]);
		else
			fprintf(f, "%zu", c);
	}
	if (o->proba) {
		fputs(", \"proba\": [", f);
		for (size_t c = 0; c < b->k; c++) {
			if (c > 0)
				fputs(", ", f);
			gmm_json_number(f, r[c]);
		}
		putc(']', f);
	}
	if (o->outlier) {
		int v = outlier_of(o, b, i);

		fprintf(f, ", \"outlier\": %s", v < 0 ? "null" : v ? "1" :
		    "0");
	}
	fputs("}\n", f);
}

/* Rows [from, to) into f, each after the blank lines that came before
 * it.  f is this thread's alone while it prints: unlocked stdio (the
 * locks were a third of score --proba's time). */
static void
print_range(FILE *f, const struct score_opts *o,
    const struct gmm_score_batch *b, size_t from, size_t to,
    const struct text *t)
{
	size_t k = b->k;

	for (size_t i = from; i < to; i++) {
		const double *r = b->resp + i * k;

		print_blank(f, o, t->blank[i]);
		if (o->json) {
			print_json_row(f, o, b, i, t);
			continue;
		}
		if (o->append) {
			size_t start = i ? t->end[i - 1] : 0;

			fwrite_unlocked(t->buf + start, 1, t->end[i] - start, f);
		}
		if (isnan(b->log_density[i])) {	/* nothing observed */
			for (size_t c = 0; c < o->labels + o->proba * k +
			    o->outlier; c++)
				putc_unlocked(',', f);
			putc_unlocked('\n', f);
			continue;
		}
		gmm_csvout_number(f, b->log_density[i]);
		if (o->labels) {
			size_t c = gmm_argmax(r, k);

			putc_unlocked(',', f);
			if (o->noise && c == k - 1)
				fputs_unlocked("noise", f);
			else if (o->classes != NULL)
				gmm_csvout_field(f, o->classes[c], ',');
			else
				fprintf(f, "%zu", c);
		}
		for (size_t c = 0; o->proba && c < k; c++) {
			putc_unlocked(',', f);
			gmm_csvout_number(f, r[c]);
		}
		if (o->outlier) {
			int v = outlier_of(o, b, i);

			fputs_unlocked(v < 0 ? "," : v ? ",1" : ",0", f);
		}
		putc_unlocked('\n', f);
	}
}

/*
 * The rows of a batch, formatted by the batch's threads (a task of
 * PRINT_ROWS rows each, into its slot's stream) and written to stdout in
 * order by the pool's ordered merge: the bytes one thread writes, about
 * threads times as fast (printing numbers is most of score --proba's
 * time).  A slot's stream is a fopencookie() over a growing buffer, not
 * open_memstream(), whose failure to grow leaves no error on the stream
 * (glibc's strops.c): here a failed write is an error, and the batch is
 * reported out of memory rather than printed short.
 */
#define PRINT_ROWS 256
#define PRINT_SLOTS 16

struct sink {
	char *buf;
	size_t len, cap;
};

static ssize_t
sink_write(void *cookie, const char *data, size_t n)
{
	struct sink *k = cookie;

	if (n > k->cap - k->len) {
		size_t cap = k->cap ? 2 * k->cap : 65536;
		char *b;

		while (cap - k->len < n)
			cap *= 2;
		if ((b = realloc(k->buf, cap)) == NULL)
			return -1;
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, data, n);
	k->len += n;
	return (ssize_t)n;
}

struct printer {
	const struct score_opts *o;
	const struct gmm_score_batch *b;
	const struct text *t;
	size_t rows, nslots;
	FILE *f[PRINT_SLOTS];		/* over sink[] */
	struct sink sink[PRINT_SLOTS];
	int failed;			/* a write to a slot failed */
};

static void
print_work(void *ctx, size_t task, size_t slot, int worker)
{
	struct printer *p = ctx;
	size_t from = task * PRINT_ROWS;
	size_t to = from + PRINT_ROWS < p->rows ? from + PRINT_ROWS : p->rows;

	(void)worker;
	p->sink[slot].len = 0;
	print_range(p->f[slot], p->o, p->b, from, to, p->t);
	fflush(p->f[slot]);
}

static void
print_merge(void *ctx, size_t task, size_t slot)
{
	struct printer *p = ctx;

	(void)task;
	if (ferror(p->f[slot]))
		p->failed = 1;
	else if (!p->failed)
		fwrite(p->sink[slot].buf, 1, p->sink[slot].len, stdout);
}

/* Up to PRINT_SLOTS streams, two a thread; 0, or -1 out of memory. */
static int
printer_open(struct printer *p, const struct score_opts *o,
    const struct gmm_score_batch *b, const struct text *t)
{
	static const cookie_io_functions_t io = { .write = sink_write };
	size_t want = 2 * (size_t)b->threads;

	memset(p, 0, sizeof(*p));
	p->o = o;
	p->b = b;
	p->t = t;
	p->nslots = b->threads > 1 ? (want < PRINT_SLOTS ? want :
	    PRINT_SLOTS) : 0;
	for (size_t s = 0; s < p->nslots; s++)
		if ((p->f[s] = fopencookie(&p->sink[s], "w", io)) == NULL)
			return -1;
	return 0;
}

static void
printer_close(struct printer *p)
{
	for (size_t s = 0; s < p->nslots; s++) {
		if (p->f[s] != NULL)
			fclose(p->f[s]);
		free(p->sink[s].buf);
	}
}

/* Rows [0, rows) of the batch, then the blank lines after them: 0, or
 * -1 when a stream ran out of memory. */
static int
print_rows(struct printer *p, size_t rows)
{
	size_t tasks = (rows + PRINT_ROWS - 1) / PRINT_ROWS;

	if (p->nslots == 0 || tasks < 2) {
		print_range(stdout, p->o, p->b, 0, rows, p->t);
	} else {
		p->rows = rows;
		gmm_pool_run(p->b->pool, p->b->threads, tasks, p->nslots,
		    print_work, print_merge, p);
		if (p->failed)
			return -1;
	}
	print_blank(stdout, p->o, p->t->blank[rows]);
	return 0;
}

/* wsum: the weights' sum with --weights, else n */
static void
print_summary(const struct score_opts *o, const struct gmm_model *m, size_t n,
    double wsum, double total)
{
	size_t p = gmm_model_parameters(m);

	if (o->json) {
		printf("{\"n\": %zu", n);
		if (o->weighted)
			gmm_json_member(stdout, ", ", "weight_total", wsum);
		gmm_json_member(stdout, ", ", "total_log_likelihood", total);
		gmm_json_member(stdout, ", ", "mean_log_likelihood",
		    total / wsum);
		gmm_json_member(stdout, ", ", "bic", gmm_bic(total, p, wsum));
		gmm_json_member(stdout, ", ", "aic", gmm_aic(total, p));
		puts("}");
		return;
	}
	printf("%zu,", n);
	if (o->weighted) {
		gmm_csvout_number(stdout, wsum);
		putchar(',');
	}
	gmm_csvout_number(stdout, total);
	putchar(',');
	gmm_csvout_number(stdout, total / wsum);
	putchar(',');
	gmm_csvout_number(stdout, gmm_bic(total, p, wsum));
	putchar(',');
	gmm_csvout_number(stdout, gmm_aic(total, p));
	putchar('\n');
}

/*
 * Read a batch of rows: the count.  On a bad row, the rows before it are
 * returned and *failed set (err filled), so that they are printed before
 * the error is reported.
 */
static size_t
read_batch(struct gmm_csvin *in, struct gmm_score_batch *b, struct text *t,
    const struct score_opts *o, double *w, int *failed,
    struct gmm_error *err)
{
	int append = o->append;

	size_t rows = 0;

	if (append)
		rewind(t->f);
	t->blank[0] = 0;
	while (rows < b->cap) {
		int r = gmm_csvin_read_row(in, b->x + rows * b->d, err);

		if (r < 0) {
			*failed = 1;
			break;
		}
		if (r == 0)
			break;
		if (r == GMM_CSVIN_BLANK) {
			t->blank[rows]++;
		} else {
			if (o->weighted && gmm_csvin_weight(in, &w[rows],
			    err) < 0) {
				*failed = 1;
				break;
			}
			if (append && keep_fields(t, o, in, rows) < 0) {
				*failed = 1;
				gmm_error_nomem(err);
				break;
			}
			t->blank[++rows] = 0;
		}
		if (!gmm_csvin_ready(in))
			break;	/* score what came before waiting for more */
	}
	if (append && fflush(t->f) != 0 && !*failed) {
		*failed = 1;	/* t->buf is current after it */
		gmm_error_nomem(err);
	}
	return rows;
}

/*
 * Rows a batch holds: a chunk per thread, fewer when rows are so wide that
 * the batch would pass GMM_BATCH_BUDGET, never fewer than one block.
 */
static size_t
batch_rows(const struct gmm_model *m, int threads)
{
	size_t want = (size_t)threads * GMM_CHUNK_ROWS;
	size_t fit = GMM_BATCH_BUDGET / (8 * (m->d + m->k + 1));

	fit -= fit % GMM_BLOCK_ROWS;
	if (fit < GMM_BLOCK_ROWS)
		fit = GMM_BLOCK_ROWS;
	return want < fit ? want : fit;
}

/* The fields --append prints: all of them, or --append-columns. */
static int
echo_columns(struct score_opts *o, struct gmm_csvin *in, struct gmm_error *err)
{
	size_t nf = gmm_csvin_nfields(in);

	if (!o->append)
		return 0;
	if (o->append_list != NULL)
		return gmm_csvin_column_list(in, o->append_list, &o->echo,
		    &o->necho, err);
	o->echo = malloc(nf * sizeof(size_t));
	if (o->echo == NULL)
		return gmm_error_nomem(err);
	for (size_t i = 0; i < nf; i++)
		o->echo[i] = i;
	o->necho = nf;
	return 0;
}

static int
stream(const struct score_opts *o, const struct gmm_model *m,
    struct gmm_csvin *in, int threads, int quiet, struct gmm_error *err)
{
	size_t cap = batch_rows(m, threads), n = 0, rows, empty = 0;
	struct gmm_score_batch *b = gmm_score_batch_new(m, cap, threads);
	struct text t = { 0 };
	struct printer pr = { 0 };
	double total = 0, wsum = 0;
	double *w = o->weighted ? malloc(cap * sizeof(double)) : NULL;
	int ret = -1, failed = 0;

	t.end = malloc(cap * sizeof(size_t));
	t.blank = malloc((cap + 1) * sizeof(size_t));
	t.f = o->append ? open_memstream(&t.buf, &t.size) : NULL;
	if (b == NULL || t.end == NULL || t.blank == NULL ||
	    (o->append && t.f == NULL) || (o->weighted && w == NULL) ||
	    (!o->summary && printer_open(&pr, o, b, &t) < 0)) {
		gmm_error_nomem(err);
		goto out;
	}
	print_header(o, m, in);
	for (;;) {
		rows = read_batch(in, b, &t, o, w, &failed, err);
		if (rows == 0 && t.blank[0] == 0)
			break;
		if (gmm_score_batch_run(b, m, rows, err) < 0)
			goto out;
		for (size_t i = 0; i < rows; i++) {
			if (isnan(b->log_density[i])) {
				empty++;	/* nothing observed */
				continue;
			}
			if (w == NULL) {
				total += b->log_density[i];
				continue;
			}
			if (w[i] > 0)	/* weight 0: the row is not there */
				total += w[i] * b->log_density[i];
			wsum += w[i];
		}
		n += rows;
		if (!o->summary && print_rows(&pr, rows) < 0) {
			gmm_error_nomem(err);
			goto out;
		}
		if (failed || !gmm_csvin_ready(in))
			fflush(stdout);
		if (failed || ferror(stdout))
			break;	/* reader gone: main() reports or not */
	}
	if (failed)
		goto out;
	if (o->summary && o->weighted && !(wsum > 0)) {
		gmm_error_set(err, gmm_csvin_name(in), 0, "every row's weight "
		    "is 0");
		goto out;
	}
	n -= empty;	/* the summary's rows: those with a value */
	if (o->summary && n == 0) {
		gmm_error_set(err, gmm_csvin_name(in), 0, "no row has an "
		    "observed value");
		goto out;
	}
	if (o->summary)
		print_summary(o, m, n, o->weighted ? wsum : (double)n, total);
	if (!quiet && b->values_missing > 0)
		fprintf(stderr, "gmm score: %s: %zu value%s missing in %zu "
		    "rows; %zu of them with no observed value (no score)\n",
		    gmm_csvin_name(in), b->values_missing,
		    b->values_missing == 1 ? "" : "s",
		    b->rows_incomplete + b->rows_empty, b->rows_empty);
	ret = 0;
out:
	printer_close(&pr);
	gmm_score_batch_free(b);
	if (t.f != NULL)
		fclose(t.f);
	free(t.buf);
	free(t.end);
	free(t.blank);
	free(w);
	return ret;
}

/*
 * A model fitted without a header (columns x1, x2, ...) and a file with
 * one that lacks those names: say so, and how to select by position.
 */
static int
unnamed_model(const struct gmm_model *m, const struct gmm_csvin *in,
    const struct gmm_common *co, struct gmm_error *err)
{
	if (!gmm_csvin_has_header(in) || co->csv.columns != NULL ||
	    !gmm_model_names_generated(m))
		return 0;
	for (size_t j = 0; j < m->d; j++)
		if (!gmm_csvin_has_column(in, m->columns[j]))
			return gmm_error_set(err, gmm_csvin_name(in), 0,
			    "the model has no column names of its own (%s, "
			    "...: it was fitted without a header) and the "
			    "header has no \"%s\"; select its %zu columns by "
			    "position with -c", m->columns[0], m->columns[j],
			    m->d);
	return 0;
}

static int
run(struct score_opts *o, struct gmm_common *co, const char *mpath,
    const char *file)
{
	struct gmm_model *m = gmm_load_model("score", mpath);
	struct gmm_csvin *in = NULL;
	struct gmm_error err;
	int ret = GMM_EXIT_DATA;

	if (m == NULL)
		return GMM_EXIT_DATA;
	if (o->outlier && !m->training.has_ldq) {
		gmm_warn("score", "%s: --outlier needs the log-density quantiles "
		    "of the model's training rows, which this model lacks "
		    "(written by a gmm before them, by hand, or fitted with "
		    "no complete row): fit it again", mpath);
		gmm_model_free(m);
		return GMM_EXIT_DATA;
	}
	if (o->outlier)
		o->outlier_cut = gmm_ldq_at(m, o->outlier_q);
	o->noise = m->noise;
	o->classes = m->classes;
	co->csv.keep_blank = o->keep_blank || o->append;
	in = gmm_csvin_open(file, &co->csv, &err);
	if (in == NULL || unnamed_model(m, in, co, &err) < 0 ||
	    gmm_csvin_match(in, m->columns, m->d, &err) < 0 ||
	    echo_columns(o, in, &err) < 0 ||
	    stream(o, m, in, co->threads, co->quiet, &err) < 0) {
		gmm_report("score", &err);
	} else {
		if (!co->csv.keep_blank)	/* else printed as empty rows */
			gmm_report_blank("score", in, co);
		ret = 0;
	}
	gmm_csvin_close(in);
	gmm_model_free(m);
	free(o->echo);
	return ret;
}

static int
cmd_score(int argc, char **argv)
{
	struct score_opts o = { 0 };
	struct gmm_common co;
	const char *model, *file;
	int opt;

	gmm_common_init(&co);
	while ((opt = gmm_getopt("score", argc, argv,
	    gmm_cmd_score.shortopts, longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			return 0;
		case OPT_LABELS:
			o.labels = 1;
			break;
		case OPT_PROBA:
			o.proba = 1;
			break;
		case OPT_APPEND:
			o.append = 1;
			break;
		case OPT_APPEND_COLUMNS:
			o.append = 1;
			o.append_list = optarg;
			break;
		case OPT_KEEP_BLANK:
			o.keep_blank = 1;
			break;
		case OPT_WEIGHTS:
			co.csv.weights = optarg;
			o.weighted = 1;
			break;
		case OPT_OUTLIER:
			if (gmm_parse_real("score", "--outlier", optarg, 0,
			    &o.outlier_q) < 0 || o.outlier_q > 1) {
				if (o.outlier_q > 1)
					gmm_warn("score", "--outlier takes a "
					    "quantile level from 0 to 1, not "
					    "%s", optarg);
				return gmm_usage(usage_text);
			}
			o.outlier = 1;
			break;
		case OPT_SUMMARY:
			o.summary = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		default:
			if (gmm_common_option("score", &co, opt, optarg) <= 0)
				return gmm_usage(usage_text);
		}
	}
	if (o.weighted && !o.summary) {
		gmm_warn("score", "--weights weighs the rows of --summary; "
		    "a row's own score has no use for its weight");
		return gmm_usage(usage_text);
	}
	if (o.summary && (o.labels || o.proba || o.append || o.keep_blank ||
	    o.outlier)) {
		gmm_warn("score", "--summary prints one row for the file; it "
		    "does not combine with --labels, --proba, --append, "
		    "--keep-blank or --outlier");
		return gmm_usage(usage_text);
	}
	if (gmm_model_file_operands("score", argc - optind, argv + optind,
	    &model, &file) < 0)
		return gmm_usage(usage_text);
	return run(&o, &co, model, file);
}
