/*
 * gmm plot clusters|density: a model drawn over data (plot.h).  The rows
 * are read once into a reservoir of at most --max-points rows; clusters
 * scores them (engine/score.h), sorts them by (component, uncertainty
 * class) so that each dot layer is one run of a column, and lays out one
 * panel, a strip of components (one column) or a pairs matrix; density
 * scores a grid of points that set only the drawn columns, so a model of
 * more columns is drawn by its marginal, and the components' densities
 * come from the responsibilities: w_c p_c(x) = r_c(x) p(x).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "cmd/plot.h"
#include "engine/score.h"

/* The rows drawn: at most cap of the n read, a seeded reservoir sample
 * (Vitter's algorithm R) when there were more. */
struct sample {
	size_t d, n, cap, have;		/* have = min(n, cap) rows in x */
	size_t room;			/* rows allocated */
	double *x;			/* have x d */
};

static int
sample_read(struct gmm_csvin *in, struct sample *s, gsl_rng *rng,
    struct gmm_error *err)
{
	double *row = malloc(s->d * sizeof(double) + 1);
	int r;

	if (row == NULL)
		return gmm_error_nomem(err);
	while ((r = gmm_csvin_read_row(in, row, err)) != 0) {
		size_t slot = s->have;

		if (r < 0) {
			free(row);
			return -1;
		}
		if (s->have == s->cap) {
			slot = (size_t)(gsl_rng_uniform(rng) * (double)(s->n +
			    1));
			if (slot >= s->cap) {
				s->n++;
				continue;
			}
		} else if (s->have == s->room) {
			size_t room = s->room ? 2 * s->room : 256;
			double *x;

			room = room < s->cap ? room : s->cap;
			if ((x = realloc(s->x, room * s->d *
			    sizeof(double))) == NULL) {
				free(row);
				return gmm_error_nomem(err);
			}
			s->x = x;
			s->room = room;
		}
		memcpy(s->x + slot * s->d, row, s->d * sizeof(double));
		if (slot == s->have)
			s->have++;
		s->n++;
	}
	free(row);
	return 0;
}

/* -c LIST: names or 1-based positions (and ranges a-b) of the model's
 * columns; by default the first def of them.  -1 (a bad list) or
 * GMM_PARSE_NOMEM, reported. */
static int
pick_columns(const struct gmm_model *m, const char *spec, size_t def,
    size_t **cols, size_t *n)
{
	char *list, *tok, *save = NULL;
	size_t *c;

	*n = 0;
	if ((c = malloc((m->d + 64) * sizeof(size_t))) == NULL) {
		gmm_warn("plot", "out of memory");
		return GMM_PARSE_NOMEM;
	}
	*cols = c;
	if (spec == NULL) {
		for (; *n < def && *n < m->d; (*n)++)
			c[*n] = *n;
		return 0;
	}
	if ((list = strdup(spec)) == NULL) {
		gmm_warn("plot", "out of memory");
		return GMM_PARSE_NOMEM;
	}
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		unsigned long a, b;
		char *end;
		size_t j;

		for (j = 0; j < m->d && strcmp(m->columns[j], tok) != 0; j++)
			;
		if (j < m->d) {
			a = b = j + 1;
		} else {
			a = strtoul(tok, &end, 10);
			b = *end == '-' ? strtoul(end + 1, &end, 10) : a;
			if (tok[0] < '0' || tok[0] > '9' || *end != '\0' ||
			    a < 1 || b < a || b > m->d) {
				gmm_warn("plot", "-c %s: \"%s\" is not a "
				    "column of the model (%zu columns: %s, "
				    "...)", spec, tok, m->d, m->columns[0]);
				free(list);
				return -1;
			}
		}
		for (; a <= b; a++) {
			if (*n == m->d + 64) {
				gmm_warn("plot", "-c %s: too many columns",
				    spec);
				free(list);
				return -1;
			}
			c[(*n)++] = a - 1;
		}
	}
	free(list);
	if (*n == 0) {
		gmm_warn("plot", "-c: no column given");
		return -1;
	}
	return 0;
}

#define GRID1 400		/* points of a 1-D density */
#define GRID2 100		/* a 2-D grid's side */
#define MAX_LEVELS 16		/* its contour levels at most */

/* What a model picture holds while it is built (and drawn: the layers
 * point into it). */
struct pic {
	struct gmm_model *m;
	struct sample s;
	size_t *cols, ncols;		/* the model's columns drawn */
	double (*range)[2];		/* ncols: padded */
	double *cov;			/* k x d x d */
	struct gmm_outfile o;
	struct gmm_error err;
	char title[256], caption[512];
	struct gmm_chart_legend *legend;
	struct gmm_chart_panel *panels;
	struct gmm_chart_layer *layers;
	char **names;			/* the legend's, k + 1 */
	struct gmm_score_batch *batch;	/* a density's grid, scored */
	double *work, *work2;		/* a density's arrays */
	double levels[MAX_LEVELS + 1];	/* a 2-D density's contours */
	unsigned level_colors[MAX_LEVELS];
	char level_names[MAX_LEVELS][32];
};

static void
pic_release(struct pic *p)
{
	if (p->names != NULL)
		for (size_t c = 0; c <= p->m->k; c++)
			free(p->names[c]);
	free(p->names);
	free(p->s.x);
	free(p->cols);
	free(p->range);
	free(p->cov);
	free(p->legend);
	free(p->panels);
	free(p->layers);
	gmm_score_batch_free(p->batch);
	free(p->work);
	free(p->work2);
	gmm_outfile_release(&p->o);
	gmm_model_free(p->m);
}

/* Load the model, pick the columns, prepare -o, read and thin the data
 * (data NULL: none).  An exit status, 0 to go on. */
static int
pic_open(struct pic *p, struct gmm_plot_opts *o, const char *model,
    const char *data, size_t def_cols, size_t max_cols)
{
	struct gmm_csvin *in;
	gsl_rng *rng;
	int ok, r;

	if ((p->m = gmm_load_model_kind("plot", model, 0, 1,
	    "plot does not draw yet")) == NULL)
		return GMM_EXIT_DATA;
	if ((r = pick_columns(p->m, o->columns, def_cols, &p->cols,
	    &p->ncols)) < 0)
		return r == GMM_PARSE_NOMEM ? GMM_EXIT_DATA : GMM_EXIT_USAGE;
	if (p->ncols > max_cols) {
		if (max_cols == 2)
			gmm_warn("plot", "density draws one or two columns; "
			    "-c %s names %zu", o->columns, p->ncols);
		else
			gmm_warn("plot", "clusters draws at most %zu columns; "
			    "-c %s names %zu", max_cols, o->columns, p->ncols);
		return GMM_EXIT_USAGE;
	}
	if (gmm_outfile_prepare(&p->o, o->out, model, &p->err) < 0)
		goto fail;
	gmm_outfile_release(&p->o);
	if (gmm_outfile_prepare(&p->o, o->out, data, &p->err) < 0)
		goto fail;
	p->cov = malloc(p->m->k * p->m->d * p->m->d * sizeof(double));
	p->range = calloc(p->ncols, sizeof(*p->range));
	if (p->cov == NULL || p->range == NULL) {
		gmm_error_nomem(&p->err);
		goto fail;
	}
	for (size_t c = 0; c < p->m->k; c++)
		gmm_model_component_cov(p->m, c, p->cov + c * p->m->d *
		    p->m->d);
	p->s.d = p->m->d;
	p->s.cap = o->max_points;
	if (data == NULL)
		return 0;
	if ((in = gmm_csvin_open(data, &o->co.csv, &p->err)) == NULL)
		goto fail;
	if ((rng = gmm_rng_new(o->co.seed)) == NULL) {
		gmm_csvin_close(in);
		gmm_error_nomem(&p->err);
		goto fail;
	}
	ok = gmm_csvin_match(in, p->m->columns, p->m->d, &p->err) == 0 &&
	    sample_read(in, &p->s, rng, &p->err) == 0;
	if (ok)
		gmm_report_blank("plot", in, &o->co);
	gsl_rng_free(rng);
	gmm_csvin_close(in);
	if (!ok)
		goto fail;
	return 0;
fail:
	gmm_report("plot", &p->err);
	return GMM_EXIT_DATA;
}

/* Each drawn column's range: the data's and the means', padded by 5%;
 * without data the components' means +- 3 standard deviations. */
static void
pic_ranges(struct pic *p)
{
	const struct gmm_model *m = p->m;

	for (size_t a = 0; a < p->ncols; a++) {
		size_t j = p->cols[a];
		double lo = INFINITY, hi = -INFINITY, pad;

		for (size_t i = 0; i < p->s.have; i++) {
			double v = p->s.x[i * m->d + j];

			if (isfinite(v)) {
				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
		}
		for (size_t c = 0; c < m->k; c++) {
			double mu = m->means[c * m->d + j];
			double sd = sqrt(p->cov[(c * m->d + j) * m->d + j]);
			double w = isfinite(lo) && p->s.have > 0 ? 0 : 3 * sd;

			lo = mu - w < lo ? mu - w : lo;
			hi = mu + w > hi ? mu + w : hi;
		}
		if (!(hi > lo)) {
			lo -= 1;
			hi += 1;
		}
		pad = 0.05 * (hi - lo);
		p->range[a][0] = lo - pad;
		p->range[a][1] = hi + pad;
	}
}

/* The caption's words on the rows: how many, and the sample. */
static void
rows_words(const struct pic *p, const struct gmm_plot_opts *o, char *buf,
    size_t size)
{
	if (p->s.n > p->s.have)
		snprintf(buf, size, "%zu of %zu rows drawn (a reservoir "
		    "sample, --max-points %zu --seed %llu)", p->s.have,
		    p->s.n, o->max_points, o->co.seed);
	else
		snprintf(buf, size, "%zu row%s", p->s.n, p->s.n == 1 ? "" :
		    "s");
}

static int
legend_names(struct pic *p)
{
	char buf[32];

	if ((p->names = calloc(p->m->k + 1, sizeof(char *))) == NULL)
		return -1;
	for (size_t c = 0; c < p->m->k; c++) {
		snprintf(buf, sizeof(buf), "component %zu", c + 1);
		if ((p->names[c] = strdup(buf)) == NULL)
			return -1;
	}
	return 0;
}

/* Write the figure (c gives its layout and legend's length; the title,
 * caption, panels and legend are p's): 0, or an exit status reported. */
static int
pic_finish(struct pic *p, struct gmm_chart *c, const struct gmm_plot_opts *o)
{
	c->title = p->title;
	c->caption = p->caption;
	c->panels = p->panels;
	c->legend = p->legend;
	if (gmm_plot_write(c, o->out, &p->o, &p->err) < 0) {
		gmm_report("plot", &p->err);
		return GMM_EXIT_DATA;
	}
	return 0;
}

/*
 * clusters: the sampled rows scored; each drawn as a dot of its most
 * probable component's colour (in three sizes and depths by uncertainty
 * with --uncertainty), grouped so that one dot layer holds one
 * (component, class).
 */
struct groups {
	size_t ng;			/* k x 3 */
	size_t *first, *count;		/* ng + 1 */
	double *col;			/* ncols x have, sorted by group */
	double *height;			/* have: the component's number + 1,
					 * the height of a one-column plot */
	double q75, q95;		/* uncertainty's quantiles */
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
group_rows(struct pic *p, const struct gmm_plot_opts *o, struct groups *g,
    int threads)
{
	const struct gmm_model *m = p->m;
	size_t n = p->s.have, *grp = NULL, *next = NULL;
	double *unc = NULL;
	struct gmm_score_batch *b = NULL;
	int ret = -1;

	g->ng = 3 * m->k;
	g->first = calloc(g->ng + 1, sizeof(size_t));
	g->count = calloc(g->ng + 1, sizeof(size_t));
	next = calloc(g->ng + 1, sizeof(size_t));
	grp = malloc(n * sizeof(size_t) + 1);
	unc = malloc(2 * n * sizeof(double) + 1);
	g->col = malloc(p->ncols * n * sizeof(double) + 1);
	g->height = malloc(n * sizeof(double) + 1);
	if (!g->first || !g->count || !next || !grp || !unc || !g->col ||
	    !g->height) {
		gmm_error_nomem(&p->err);
		goto out;
	}
	if (n > 0) {
		if ((b = gmm_score_batch_new(m, n, threads)) == NULL) {
			gmm_error_nomem(&p->err);
			goto out;
		}
		memcpy(b->x, p->s.x, n * m->d * sizeof(double));
		if (gmm_score_batch_run(b, m, n, &p->err) < 0)
			goto out;
	}
	for (size_t i = 0; i < n; i++) {
		size_t c = gmm_argmax(b->resp + i * m->k, m->k);

		unc[i] = isfinite(b->log_density[i]) ? 1 - b->resp[i * m->k +
		    c] : NAN;
		grp[i] = isfinite(unc[i]) ? 3 * c : g->ng;
		unc[n + i] = isfinite(unc[i]) ? unc[i] : INFINITY;
	}
	g->q75 = g->q95 = INFINITY;
	if (o->uncertainty && n > 0) {
		qsort(unc + n, n, sizeof(double), cmp_double);
		g->q75 = unc[n + (size_t)(0.75 * (double)(n - 1))];
		g->q95 = unc[n + (size_t)(0.95 * (double)(n - 1))];
		for (size_t i = 0; i < n; i++)
			if (grp[i] < g->ng)
				grp[i] += (unc[i] > g->q75) + (unc[i] >
				    g->q95);
	}
	for (size_t i = 0; i < n; i++)
		g->count[grp[i]]++;
	for (size_t q = 1; q <= g->ng; q++)
		g->first[q] = g->first[q - 1] + g->count[q - 1];
	for (size_t i = 0; i < n; i++) {
		size_t at = g->first[grp[i]] + next[grp[i]]++;

		for (size_t a = 0; a < p->ncols; a++)
			g->col[a * n + at] = p->s.x[i * m->d + p->cols[a]];
		g->height[at] = (double)(grp[i] / 3 + 1);
	}
	ret = 0;
out:
	gmm_score_batch_free(b);
	free(next);
	free(grp);
	free(unc);
	return ret;
}

static const double dot_radius[3] = { 1.4, 2.4, 3.4 };
static const double dot_alpha[3] = { 0.35, 0.7, 1 };

/* Panel (row variable ya, column variable xa): dots, ellipses, centres;
 * a one-column picture (ya = -1) puts component c at height c + 1. */
static size_t
cluster_layers(const struct pic *p, const struct gmm_plot_opts *o,
    const struct groups *g, size_t xa, long ya, struct gmm_chart_layer *L)
{
	const struct gmm_model *m = p->m;
	size_t n = p->s.have, nl = 0, d = m->d, jx = p->cols[xa];

	for (size_t q = 0; q < g->ng; q++) {
		size_t c = q / 3, cls = o->uncertainty ? q % 3 : 0;

		if (g->count[q] == 0)
			continue;
		L[nl] = (struct gmm_chart_layer){ .kind = GMM_CHART_DOTS,
		    .color = gmm_chart_color(c), .n = g->count[q],
		    .x = g->col + xa * n + g->first[q],
		    .radius = o->uncertainty ? dot_radius[cls] : 2,
		    .alpha = o->uncertainty ? dot_alpha[cls] : 0.75 };
		L[nl].y = ya < 0 ? g->height + g->first[q] :
		    g->col + (size_t)ya * n + g->first[q];
		nl++;
	}
	for (size_t c = 0; c < m->k; c++) {
		const double *S = p->cov + c * d * d;

		for (int r = 1; r <= 2; r++) {
			struct gmm_chart_layer *e = &L[nl++];

			*e = (struct gmm_chart_layer){ .color =
			    gmm_chart_color(c), .r = r };
			e->centre[0] = m->means[c * d + jx];
			e->cov[0] = S[jx * d + jx];
			if (ya < 0) {
				e->kind = GMM_CHART_INTERVAL;
				e->centre[1] = (double)(c + 1);
			} else {
				size_t jy = p->cols[ya];

				e->kind = GMM_CHART_ELLIPSE;
				e->centre[1] = m->means[c * d + jy];
				e->cov[1] = S[jx * d + jy];
				e->cov[2] = S[jy * d + jy];
			}
		}
	}
	return nl;
}

int
gmm_plot_clusters(struct gmm_plot_opts *o, const char *model,
    const char *data)
{
	struct pic p = { 0 };
	struct groups g = { 0 };
	struct gmm_chart c = { 0 };
	double *cx = NULL, *cy = NULL;
	size_t np, nl = 0, per, k;
	char rows[160];
	int ret;

	if ((ret = pic_open(&p, o, model, data, 4, GMM_PLOT_MAX_PAIRS)) != 0)
		goto out;
	ret = GMM_EXIT_DATA;
	k = p.m->k;
	pic_ranges(&p);
	if (group_rows(&p, o, &g, o->co.threads) < 0 || legend_names(&p) < 0)
		goto nomem;
	np = p.ncols < 2 ? 1 : p.ncols == 2 ? 1 : p.ncols * p.ncols;
	per = g.ng + 3 * k;
	p.panels = calloc(np, sizeof(*p.panels));
	p.layers = calloc(np * per + 1, sizeof(*p.layers));
	p.legend = calloc(k, sizeof(*p.legend));
	cx = malloc(2 * k * np * sizeof(double) + 1);
	if (!p.panels || !p.layers || !p.legend || !cx)
		goto nomem;
	cy = cx + k * np;	/* the means' places, panel by panel */
	for (size_t a = 0; a < np; a++) {
		struct gmm_chart_panel *pa = &p.panels[a];
		size_t i = p.ncols > 2 ? a / p.ncols : 1;
		size_t j = p.ncols > 2 ? a % p.ncols : 0;
		size_t first = nl;

		pa->layers = p.layers + nl;
		pa->x0 = p.range[j][0];
		pa->x1 = p.range[j][1];
		if (p.ncols == 1) {
			pa->y0 = 0.5;
			pa->y1 = (double)k + 0.5;
			pa->xlabel = p.m->columns[p.cols[0]];
			pa->ylabel = "component";
			pa->integer_y = 1;
		} else {
			pa->y0 = p.range[i][0];
			pa->y1 = p.range[i][1];
		}
		if (p.ncols == 2) {
			pa->xlabel = p.m->columns[p.cols[0]];
			pa->ylabel = p.m->columns[p.cols[1]];
		}
		if (p.ncols > 2 && i == j) {
			pa->name = p.m->columns[p.cols[i]];
			continue;
		}
		nl += cluster_layers(&p, o, &g, j, p.ncols == 1 ? -1 :
		    (long)i, p.layers + nl);
		for (size_t ci = 0; ci < k; ci++) {
			struct gmm_chart_layer *L = &p.layers[nl++];

			cx[a * k + ci] = p.m->means[ci * p.m->d + p.cols[j]];
			cy[a * k + ci] = p.ncols == 1 ? (double)(ci + 1) :
			    p.m->means[ci * p.m->d + p.cols[i]];
			*L = (struct gmm_chart_layer){ .kind =
			    GMM_CHART_CENTRE, .color = gmm_chart_color(ci),
			    .n = 1, .x = cx + a * k + ci, .y = cy + a * k +
			    ci };
		}
		pa->nlayers = nl - first;
	}
	for (size_t ci = 0; ci < k; ci++)
		p.legend[ci] = (struct gmm_chart_legend){ p.names[ci],
		    gmm_chart_color(ci), 0, 0, 1 };
	snprintf(p.title, sizeof(p.title), "Clusters: %zu component%s (%s), "
	    "%s at 1 and 2 sigma", k, k == 1 ? "" : "s",
	    gmm_cov_type_name(p.m->cov_type), p.ncols == 1 ? "intervals" :
	    "ellipses");
	rows_words(&p, o, rows, sizeof(rows));
	snprintf(p.caption, sizeof(p.caption), "%s, each by its most "
	    "probable component%s", rows, o->uncertainty ? "\nlarger and "
	    "darker: more uncertain (1 - max posterior above its 75% and "
	    "95% quantiles)" : "");
	c.rows = c.cols = np == 1 ? 1 : p.ncols;
	c.nlegend = k;
	if (np > 1) {
		c.width = 78 + 170 + 140 * (double)p.ncols;
		c.height = 40 + 68 + 140 * (double)p.ncols;
	} else if (p.ncols == 2) {
		c.height = 540;
	}
	ret = pic_finish(&p, &c, o);
	goto out;
nomem:
	if (p.err.msg[0] == '\0')
		gmm_error_nomem(&p.err);
	gmm_report("plot", &p.err);
out:
	free(cx);
	free(g.height);
	free(g.first);
	free(g.count);
	free(g.col);
	pic_release(&p);
	return ret;
}

/*
 * The mixture's log density (and responsibilities) at rows that set
 * only the drawn columns: vals is rows x ncols.  A model of more columns
 * is scored by its marginal on the drawn ones (engine/marginal.h, through
 * score's handling of missing values).
 */
static struct gmm_score_batch *
grid_score(struct pic *p, const double *vals, size_t rows, int threads)
{
	const struct gmm_model *m = p->m;
	struct gmm_score_batch *b = gmm_score_batch_new(m, rows, threads);

	if (b == NULL) {
		gmm_error_nomem(&p->err);
		return NULL;
	}
	for (size_t i = 0; i < rows; i++) {
		double *x = b->x + i * m->d;

		for (size_t j = 0; j < m->d; j++)
			x[j] = NAN;
		for (size_t a = 0; a < p->ncols; a++)
			x[p->cols[a]] = vals[i * p->ncols + a];
	}
	if (gmm_score_batch_run(b, m, rows, &p->err) < 0) {
		gmm_score_batch_free(b);
		return NULL;
	}
	return b;
}


static const char *
model_words(const struct pic *p, char *buf, size_t size)
{
	snprintf(buf, size, "k = %zu, %s", p->m->k,
	    gmm_cov_type_name(p->m->cov_type));
	return buf;
}

/* 1-D: the histogram of the data, the mixture's density and each
 * weighted component's, into c: 0, or -1 with p->err set. */
static int
density1(struct pic *p, const struct gmm_plot_opts *o, struct gmm_chart *c)
{
	const struct gmm_model *m = p->m;
	size_t k = m->k, n = p->s.have, nb = 0, nf = 0, nl = 0;
	double *x = p->work = malloc((GRID1 * (k + 2) + 2 * 258) *
	    sizeof(double));
	double *mix, *comp, *br, *h, top = 0, lo = p->range[0][0];
	double hi = p->range[0][1];
	struct gmm_score_batch *b;
	char words[64], rows[160];

	p->panels = calloc(1, sizeof(*p->panels));
	p->layers = calloc(k + 2, sizeof(*p->layers));
	p->legend = calloc(k + 1, sizeof(*p->legend));
	if (x == NULL || !p->panels || !p->layers || !p->legend ||
	    legend_names(p) < 0)
		return gmm_error_nomem(&p->err);
	mix = x + GRID1;	/* the grid, the mixture, the components */
	comp = mix + GRID1;
	br = comp + GRID1 * k;	/* the histogram's breaks and heights */
	h = br + 258;
	if (n > 0) {		/* the histogram, as a density */
		double vlo = INFINITY, vhi = -INFINITY;

		for (size_t i = 0; i < n; i++) {
			double v = p->s.x[i * m->d + p->cols[0]];

			if (isfinite(v)) {
				vlo = v < vlo ? v : vlo;
				vhi = v > vhi ? v : vhi;
				nf++;
			}
		}
		if (nf > 0)
			nb = gmm_chart_breaks(vlo, vhi, nf, br, 257) - 1;
		for (size_t q = 0; q < nb; q++)
			h[q] = 0;
		for (size_t i = 0; i < n && nb > 0; i++) {
			double v = p->s.x[i * m->d + p->cols[0]];
			size_t q;

			if (!isfinite(v))
				continue;
			q = (size_t)((v - br[0]) / (br[1] - br[0]));
			q = q >= nb ? nb - 1 : q;
			while (q > 0 && v < br[q])
				q--;
			while (q + 1 < nb && v >= br[q + 1])
				q++;
			h[q]++;
		}
		for (size_t q = 0; q < nb; q++) {
			h[q] /= (double)nf * (br[q + 1] - br[q]);
			top = h[q] > top ? h[q] : top;
		}
		if (nb > 0) {
			lo = br[0] < lo ? br[0] : lo;
			hi = br[nb] > hi ? br[nb] : hi;
			p->layers[nl++] = (struct gmm_chart_layer){ .kind =
			    GMM_CHART_BARS, .color = 0x999999, .n = nb,
			    .x = br, .y = h };
		}
	}
	for (size_t g = 0; g < GRID1; g++)
		x[g] = lo + (hi - lo) * (double)g / (GRID1 - 1);
	if ((b = p->batch = grid_score(p, x, GRID1, o->co.threads)) == NULL)
		return -1;
	for (size_t g = 0; g < GRID1; g++) {
		mix[g] = exp(b->log_density[g]);
		top = mix[g] > top ? mix[g] : top;
		for (size_t ci = 0; ci < k; ci++)
			comp[ci * GRID1 + g] = b->resp[g * k + ci] * mix[g];
	}
	/* the mixture under its components: dashed, they show where one
	 * of them is the whole of it */
	p->layers[nl++] = (struct gmm_chart_layer){ .kind = GMM_CHART_LINE,
	    .color = 0x222222, .n = GRID1, .x = x, .y = mix };
	for (size_t ci = 0; ci < k; ci++) {
		p->layers[nl++] = (struct gmm_chart_layer){ .kind =
		    GMM_CHART_LINE, .color = gmm_chart_color(ci), .n = GRID1,
		    .x = x, .y = comp + ci * GRID1, .dashed = 1 };
		p->legend[ci + 1] = (struct gmm_chart_legend){ p->names[ci],
		    gmm_chart_color(ci), 1, 1, 0 };
	}
	p->legend[0] = (struct gmm_chart_legend){ "mixture", 0x222222, 1, 0,
	    0 };
	*p->panels = (struct gmm_chart_panel){ .x0 = lo, .x1 = hi, .y0 = 0,
	    .y1 = 1.05 * (top > 0 && isfinite(top) ? top : 1),
	    .xlabel = m->columns[p->cols[0]], .ylabel = "density",
	    .nlayers = nl, .layers = p->layers };
	snprintf(p->title, sizeof(p->title), "%s of %s (%s)", m->d > 1 ?
	    "Marginal density" : "Density", m->columns[p->cols[0]],
	    model_words(p, words, sizeof(words)));
	rows_words(p, o, rows, sizeof(rows));
	if (n > 0)
		snprintf(p->caption, sizeof(p->caption), "the histogram of "
		    "%s; the components weighted by their proportions", rows);
	else
		snprintf(p->caption, sizeof(p->caption), "the components "
		    "weighted by their proportions");
	c->nlegend = k + 1;
	return 0;
}

/* 2-D: contour lines of the log density over the data's dots, into c:
 * 0, or -1 with p->err set. */
static int
density2(struct pic *p, const struct gmm_plot_opts *o, struct gmm_chart *c)
{
	const struct gmm_model *m = p->m;
	size_t nlev = 0, nl = 0;
	double *v = p->work = malloc((2 * GRID2 * GRID2 + 2 * GRID2) *
	    sizeof(double));
	double *gx, *gy;
	double z0 = INFINITY, z1 = -INFINITY, *lev = p->levels;
	double *dx, *dy;
	unsigned *colors = p->level_colors;
	char words[64], rows[160], (*names)[32] = p->level_names;
	struct gmm_score_batch *b;

	p->panels = calloc(1, sizeof(*p->panels));
	p->layers = calloc(2, sizeof(*p->layers));
	p->legend = calloc(MAX_LEVELS, sizeof(*p->legend));
	dx = p->work2 = malloc(2 * p->s.have * sizeof(double) + 1);
	if (v == NULL || !p->panels || !p->layers || !p->legend || !dx)
		return gmm_error_nomem(&p->err);
	gx = v + 2 * GRID2 * GRID2;	/* after the grid's points */
	gy = gx + GRID2;
	dy = dx + p->s.have;
	for (size_t g = 0; g < GRID2; g++) {
		gx[g] = p->range[0][0] + (p->range[0][1] - p->range[0][0]) *
		    (double)g / (GRID2 - 1);
		gy[g] = p->range[1][0] + (p->range[1][1] - p->range[1][0]) *
		    (double)g / (GRID2 - 1);
	}
	for (size_t j = 0; j < GRID2; j++)
		for (size_t i = 0; i < GRID2; i++) {
			v[2 * (j * GRID2 + i)] = gx[i];
			v[2 * (j * GRID2 + i) + 1] = gy[j];
		}
	if ((b = p->batch = grid_score(p, v, GRID2 * GRID2,
	    o->co.threads)) == NULL)
		return -1;
	for (size_t g = 0; g < GRID2 * GRID2; g++) {
		double z = b->log_density[g];

		z0 = isfinite(z) && z < z0 ? z : z0;
		z1 = isfinite(z) && z > z1 ? z : z1;
	}
	if (isfinite(z1)) {
		double from = z1 - 10 > z0 ? z1 - 10 : z0;

		nlev = gmm_chart_ticks(from, z1, 8, 0, lev, MAX_LEVELS + 1);
		while (nlev > 0 && lev[nlev - 1] >= z1)
			nlev--;
		nlev = nlev > MAX_LEVELS ? MAX_LEVELS : nlev;
	}
	for (size_t l = 0; l < nlev; l++) {	/* light to dark blue */
		static const int a[3] = { 0xc6, 0xdb, 0xef }, e[3] = { 0x08,
		    0x30, 0x6b };
		double t = nlev > 1 ? (double)l / (double)(nlev - 1) : 1;

		colors[l] = 0;
		for (int ch = 0; ch < 3; ch++)
			colors[l] = colors[l] << 8 | (unsigned)lround(a[ch] +
			    t * (e[ch] - a[ch]));
		snprintf(names[l], sizeof(names[l]), "log p = %g", lev[l]);
		p->legend[nlev - 1 - l] = (struct gmm_chart_legend){
		    names[l], colors[l], 1, 0, 0 };
	}
	for (size_t i = 0; i < p->s.have; i++) {
		dx[i] = p->s.x[i * m->d + p->cols[0]];
		dy[i] = p->s.x[i * m->d + p->cols[1]];
	}
	if (p->s.have > 0)
		p->layers[nl++] = (struct gmm_chart_layer){ .kind =
		    GMM_CHART_DOTS, .color = 0x888888, .n = p->s.have,
		    .x = dx, .y = dy, .radius = 1.6, .alpha = 0.6 };
	p->layers[nl++] = (struct gmm_chart_layer){ .kind = GMM_CHART_CONTOUR,
	    .x = gx, .y = gy, .nx = GRID2, .ny = GRID2, .z = b->log_density,
	    .levels = lev, .nlevels = nlev, .colors = colors };
	*p->panels = (struct gmm_chart_panel){ .x0 = p->range[0][0],
	    .x1 = p->range[0][1], .y0 = p->range[1][0], .y1 = p->range[1][1],
	    .xlabel = m->columns[p->cols[0]], .ylabel = m->columns[p->cols[1]],
	    .nlayers = nl, .layers = p->layers };
	snprintf(p->title, sizeof(p->title), "%s (%s)", m->d > 2 ?
	    "Log density of the marginal on two columns" : "Log density",
	    model_words(p, words, sizeof(words)));
	rows_words(p, o, rows, sizeof(rows));
	snprintf(p->caption, sizeof(p->caption), "contours of log p(x), "
	    "%zu level%s%s%s", nlev, nlev == 1 ? "" : "s", p->s.have > 0 ?
	    ", over " : "", p->s.have > 0 ? rows : "");
	c->nlegend = nlev;
	c->height = 540;
	return 0;
}

int
gmm_plot_density(struct gmm_plot_opts *o, const char *model,
    const char *data)
{
	struct pic p = { 0 };
	struct gmm_chart c = { 0 };
	int ret;


	if ((ret = pic_open(&p, o, model, data, 2, 2)) == 0) {
		pic_ranges(&p);
		if ((p.ncols == 1 ? density1(&p, o, &c) : density2(&p, o,
		    &c)) < 0) {
			gmm_report("plot", &p.err);
			ret = GMM_EXIT_DATA;
		} else {
			ret = pic_finish(&p, &c, o);
		}
	}
	pic_release(&p);
	return ret;
}
