#include "io/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>
#include <cairo/cairo-svg.h>

/* The plot area inside the page. */
#define LEFT 78.0
#define RIGHT 170.0	/* the legend's room */
#define TOP 40.0
#define BOTTOM 52.0
#define FONT "sans-serif"

static const unsigned palette[8] = {	/* Okabe and Ito */
	0xE69F00, 0x56B4E9, 0x009E73, 0xF0E442, 0x0072B2, 0xD55E00,
	0xCC79A7, 0x000000,
};

unsigned
gmm_chart_color(size_t s)
{
	return palette[s % 8];
}

int
gmm_chart_format_of(const char *name, enum gmm_chart_format *f)
{
	const char *dot = strrchr(name, '.');

	if (strcmp(name, "-") == 0) {
		*f = GMM_CHART_SVG;
		return 0;
	}
	if (dot == NULL)
		return -1;
	if (strcasecmp(dot, ".svg") == 0)
		*f = GMM_CHART_SVG;
	else if (strcasecmp(dot, ".png") == 0)
		*f = GMM_CHART_PNG;
	else if (strcasecmp(dot, ".pdf") == 0)
		*f = GMM_CHART_PDF;
	else
		return -1;
	return 0;
}

size_t
gmm_chart_ticks(double lo, double hi, size_t want, int integer,
    double *ticks, size_t max)
{
	double span = hi - lo, raw, mag, step, t;
	size_t n = 0;

	if (!(span > 0) || !isfinite(span)) {
		if (max > 0)
			ticks[n++] = lo;
		return n;
	}
	raw = span / (double)(want > 1 ? want - 1 : 1);
	mag = pow(10, floor(log10(raw)));
	step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag :
	    raw / mag < 7 ? 5 * mag : 10 * mag;
	if (integer && step < 1)
		step = 1;
	for (t = ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9 &&
	    n < max; t += step)
		ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
	return n;
}

size_t
gmm_chart_breaks(double lo, double hi, size_t n, double *breaks, size_t max)
{
	double span = hi - lo, raw, mag, step, t0;
	size_t bins = n > 1 ? (size_t)ceil(log2((double)n)) + 1 : 1, m = 0;

	if (!(span > 0) || !isfinite(span)) {
		if (max >= 2) {
			breaks[m++] = lo - 0.5;
			breaks[m++] = lo + 0.5;
		}
		return m;
	}
	raw = span / (double)bins;
	mag = pow(10, floor(log10(raw)));
	step = raw / mag < 1.5 ? mag : raw / mag < 3 ? 2 * mag :
	    raw / mag < 7 ? 5 * mag : 10 * mag;
	t0 = floor(lo / step + 1e-9) * step;
	for (size_t i = 0; m < max; i++) {
		double t = t0 + (double)i * step;

		breaks[m++] = fabs(t) < step * 1e-9 ? 0 : t;
		if (t >= hi - step * 1e-9)
			break;
	}
	return m;
}

/* The caption's lines ('\n' parts them). */
static size_t
caption_lines(const struct gmm_chart *c)
{
	size_t n = c->caption != NULL;

	for (const char *s = c->caption; s != NULL && *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The page and the grid's place on it. */
struct layout {
	double w, h;
	size_t rows, cols;
	double left, top, cw, ch, gap;	/* the grid; a cell's size */
};

static void
layout_of(const struct gmm_chart *c, struct layout *l)
{
	double bottom = BOTTOM + 14 * (double)caption_lines(c);

	l->w = c->width > 0 ? c->width : GMM_CHART_WIDTH;
	l->h = c->height > 0 ? c->height : GMM_CHART_HEIGHT;
	l->rows = c->rows ? c->rows : 1;
	l->cols = c->cols ? c->cols : 1;
	l->gap = l->rows * l->cols > 1 ? 8 : 0;
	l->left = LEFT;
	l->top = TOP;
	l->cw = (l->w - LEFT - RIGHT - (double)(l->cols - 1) * l->gap) /
	    (double)l->cols;
	l->ch = (l->h - TOP - bottom - (double)(l->rows - 1) * l->gap) /
	    (double)l->rows;
}

static void
stretch(double v, double *lo, double *hi)
{
	if (!isfinite(v))
		return;
	*lo = v < *lo ? v : *lo;
	*hi = v > *hi ? v : *hi;
}

/* A panel's ranges: given, or those of its layers padded by 5% (x by
 * half a unit on an integer axis). */
static void
ranges(const struct gmm_chart_panel *p, double r[4])
{
	double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;

	for (size_t k = 0; k < p->nlayers; k++) {
		const struct gmm_chart_layer *a = &p->layers[k];

		if (a->kind == GMM_CHART_LINE || a->kind == GMM_CHART_DOTS)
			for (size_t i = 0; i < a->n; i++) {
				if (!isfinite(a->x[i]) || !isfinite(a->y[i]))
					continue;
				stretch(a->x[i], &x0, &x1);
				stretch(a->y[i], &y0, &y1);
			}
		else if (a->kind == GMM_CHART_BARS && a->n > 0) {
			stretch(a->x[0], &x0, &x1);
			stretch(a->x[a->n], &x0, &x1);
			stretch(0, &y0, &y1);
			for (size_t i = 0; i < a->n; i++)
				stretch(a->y[i], &y0, &y1);
		}
	}
	if (!isfinite(x0)) {
		x0 = y0 = 0;
		x1 = y1 = 1;
	}
	if (x1 == x0) {
		x0 -= 1;
		x1 += 1;
	}
	if (y1 == y0) {
		y0 -= 1;
		y1 += 1;
	}
	{
		double dx = p->integer_x ? 0.5 : 0.05 * (x1 - x0);
		double dy = 0.05 * (y1 - y0);

		r[0] = x0 - dx;
		r[1] = x1 + dx;
		r[2] = y0 - dy;
		r[3] = y1 + dy;
	}
	if (p->x0 != p->x1) {
		r[0] = p->x0;
		r[1] = p->x1;
	}
	if (p->y0 != p->y1) {
		r[2] = p->y0;
		r[3] = p->y1;
	}
}

/* A panel's box on the page and its ranges. */
struct frame {
	double px0, py0, pw, ph;	/* top left, size */
	double r[4];			/* x0, x1, y0, y1 */
};

static void
frame_of(const struct gmm_chart *c, const struct layout *l, size_t p,
    struct frame *f)
{
	size_t i = p / l->cols, j = p % l->cols;

	f->px0 = l->left + (double)j * (l->cw + l->gap);
	f->py0 = l->top + (double)i * (l->ch + l->gap);
	f->pw = l->cw;
	f->ph = l->ch;
	ranges(&c->panels[p], f->r);
}

static void
page(const struct frame *f, double x, double y, double *px, double *py)
{
	*px = f->px0 + (x - f->r[0]) / (f->r[1] - f->r[0]) * f->pw;
	*py = f->py0 + f->ph - (y - f->r[2]) / (f->r[3] - f->r[2]) * f->ph;
}

void
gmm_chart_to_page(const struct gmm_chart *c, size_t p, double x, double y,
    double *px, double *py)
{
	struct layout l;
	struct frame f;

	layout_of(c, &l);
	frame_of(c, &l, p, &f);
	page(&f, x, y, px, py);
}

static void
rgb(cairo_t *cr, unsigned c)
{
	cairo_set_source_rgb(cr, (c >> 16 & 255) / 255.0,
	    (c >> 8 & 255) / 255.0, (c & 255) / 255.0);
}

static void
rgba(cairo_t *cr, unsigned c, double a)
{
	cairo_set_source_rgba(cr, (c >> 16 & 255) / 255.0,
	    (c >> 8 & 255) / 255.0, (c & 255) / 255.0, a);
}

/* Text with its anchor: ax, ay in [0, 1] of its width and height. */
static void
text(cairo_t *cr, double x, double y, double ax, double ay, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - ax * e.width - e.x_bearing,
	    y + (1 - ay) * e.height - (e.height + e.y_bearing));
	cairo_show_text(cr, s);
}

/* A panel's frame, grid lines, ticks (labelled on the outer panels) and
 * axis labels. */
static void
axes(cairo_t *cr, const struct gmm_chart *c, const struct layout *l,
    size_t p, const struct frame *f)
{
	const struct gmm_chart_panel *pa = &c->panels[p];
	int single = l->rows * l->cols == 1;
	int bottom = p / l->cols == l->rows - 1, left = p % l->cols == 0;
	double ticks[64], px, py, fs = single ? 11 : 9;
	size_t n;
	char lab[32];

	cairo_set_line_width(cr, 1);
	cairo_set_font_size(cr, fs);
	n = gmm_chart_ticks(f->r[0], f->r[1], single ? 8 : 5, pa->integer_x,
	    ticks, 64);
	for (size_t i = 0; i < n; i++) {
		page(f, ticks[i], f->r[2], &px, &py);
		rgb(cr, 0x444444);
		cairo_move_to(cr, px, py);
		cairo_line_to(cr, px, py + 4);
		cairo_stroke(cr);
		if (bottom && (single || (px > f->px0 + 8 &&
		    px < f->px0 + f->pw - 8))) {	/* apart from the next
							 * panel's */
			snprintf(lab, sizeof(lab), "%g", ticks[i]);
			text(cr, px, py + 7, 0.5, 0, lab);
		}
	}
	n = gmm_chart_ticks(f->r[2], f->r[3], single ? 6 : 5, pa->integer_y,
	    ticks, 64);
	for (size_t i = 0; i < n; i++) {
		page(f, f->r[0], ticks[i], &px, &py);
		if (pa->name == NULL) {
			rgb(cr, 0xe5e5e5);	/* a light grid line */
			cairo_move_to(cr, px, py);
			cairo_line_to(cr, px + f->pw, py);
			cairo_stroke(cr);
		}
		rgb(cr, 0x444444);
		cairo_move_to(cr, px - 4, py);
		cairo_line_to(cr, px, py);
		cairo_stroke(cr);
		if (left && (single || (py > f->py0 + 6 &&
		    py < f->py0 + f->ph - 6))) {
			snprintf(lab, sizeof(lab), "%.6g", ticks[i]);
			text(cr, px - 7, py, 1, 0.5, lab);
		}
	}
	rgb(cr, 0x444444);
	cairo_rectangle(cr, f->px0, f->py0, f->pw, f->ph);
	cairo_stroke(cr);
	cairo_set_font_size(cr, 12);
	if (pa->xlabel != NULL && bottom)
		text(cr, f->px0 + f->pw / 2, f->py0 + f->ph + 34, 0.5, 0.5,
		    pa->xlabel);
	if (pa->ylabel != NULL && left) {
		cairo_save(cr);
		cairo_translate(cr, 18, f->py0 + f->ph / 2);
		cairo_rotate(cr, -M_PI / 2);
		text(cr, 0, 0, 0.5, 0.5, pa->ylabel);
		cairo_restore(cr);
	}
	if (pa->name != NULL) {
		cairo_set_font_size(cr, 13);
		rgb(cr, 0x222222);
		text(cr, f->px0 + f->pw / 2, f->py0 + f->ph / 2, 0.5, 0.5,
		    pa->name);
	}
}

static void
marker(cairo_t *cr, double px, double py, int hollow)
{
	cairo_new_path(cr);
	cairo_arc(cr, px, py, 3.5, 0, 2 * M_PI);
	if (hollow) {
		cairo_save(cr);
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_fill_preserve(cr);
		cairo_restore(cr);
		cairo_stroke(cr);
	} else {
		cairo_fill(cr);
	}
}

static const double dash[] = { 6, 3 };

static void
line(cairo_t *cr, const struct frame *f, const struct gmm_chart_layer *a)
{
	double px, py;
	int pen = 0;

	rgb(cr, a->color);
	cairo_set_line_width(cr, GMM_CHART_W_LINE);
	cairo_set_dash(cr, dash, a->dashed ? 2 : 0, 0);
	for (size_t i = 0; i < a->n; i++) {
		if (!isfinite(a->y[i]) || !isfinite(a->x[i])) {
			pen = 0;
			continue;
		}
		page(f, a->x[i], a->y[i], &px, &py);
		if (pen)
			cairo_line_to(cr, px, py);
		else
			cairo_move_to(cr, px, py);
		pen = 1;
	}
	cairo_stroke(cr);
	cairo_set_dash(cr, dash, 0, 0);
	if (!a->markers)
		return;
	cairo_set_line_width(cr, GMM_CHART_W_MARKER);
	for (size_t i = 0; i < a->n; i++) {
		if (!isfinite(a->y[i]) || !isfinite(a->x[i]))
			continue;
		page(f, a->x[i], a->y[i], &px, &py);
		marker(cr, px, py, a->hollow && a->hollow[i]);
	}
}

static void
dots(cairo_t *cr, const struct frame *f, const struct gmm_chart_layer *a)
{
	double px, py;
	size_t drawn = 0;

	rgba(cr, a->color, a->alpha > 0 ? a->alpha : 1);
	cairo_set_line_width(cr, 2 * (a->radius > 0 ? a->radius : 2));
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
	for (size_t i = 0; i < a->n; i++) {
		if (!isfinite(a->y[i]) || !isfinite(a->x[i]))
			continue;
		page(f, a->x[i], a->y[i], &px, &py);
		cairo_move_to(cr, px, py);
		cairo_close_path(cr);
		drawn++;
	}
	if (drawn > 0)
		cairo_stroke(cr);
	cairo_new_path(cr);
	cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
}

static void
ellipse(cairo_t *cr, const struct frame *f, const struct gmm_chart_layer *a)
{
	double sa, sb, sc, px, py;

	rgb(cr, a->color);
	cairo_set_line_width(cr, a->r < 2 ? GMM_CHART_W_ELLIPSE1 :
	    GMM_CHART_W_ELLIPSE2);
	cairo_set_dash(cr, dash, a->r < 2 ? 0 : 2, 0);
	if (!(a->cov[0] > 0) || !isfinite(a->cov[0]))
		return;
	sa = sqrt(a->cov[0]);
	if (a->kind == GMM_CHART_INTERVAL) {
		double ex[2] = { a->centre[0] - a->r * sa,
		    a->centre[0] + a->r * sa };

		for (int e = 0; e < 2; e++) {
			page(f, ex[e], a->centre[1], &px, &py);
			cairo_move_to(cr, px, py - 4);
			cairo_line_to(cr, px, py + 4);
			cairo_move_to(cr, px, py);
			page(f, ex[1 - e], a->centre[1], &px, &py);
			cairo_line_to(cr, px, py);
		}
	} else {
		/* p = centre + r L (cos t, sin t), L L' = S */
		sb = a->cov[1] / sa;
		sc = a->cov[2] - sb * sb;
		sc = sc > 0 ? sqrt(sc) : 0;
		for (int t = 0; t < 96; t++) {
			double u = cos(2 * M_PI * t / 96), v = sin(2 * M_PI *
			    t / 96);

			page(f, a->centre[0] + a->r * sa * u, a->centre[1] +
			    a->r * (sb * u + sc * v), &px, &py);
			if (t == 0)
				cairo_move_to(cr, px, py);
			else
				cairo_line_to(cr, px, py);
		}
		cairo_close_path(cr);
	}
	cairo_stroke(cr);
	cairo_set_dash(cr, dash, 0, 0);
}

static void
bars(cairo_t *cr, const struct frame *f, const struct gmm_chart_layer *a)
{
	double x0, y0, x1, y1;

	for (size_t i = 0; i < a->n; i++) {
		page(f, a->x[i], 0, &x0, &y0);
		page(f, a->x[i + 1], a->y[i], &x1, &y1);
		cairo_rectangle(cr, x0, y1, x1 - x0, y0 - y1);
	}
	rgba(cr, a->color, 0.35);
	cairo_fill_preserve(cr);
	rgb(cr, a->color);
	cairo_set_line_width(cr, GMM_CHART_W_BAR);
	cairo_stroke(cr);
}

/* Where level L crosses edge e of cell (i, j): 0 bottom, 1 right, 2 top,
 * 3 left. */
static void
crossing(const struct gmm_chart_layer *a, size_t i, size_t j, int e,
    double L, double *x, double *y)
{
	static const int from[4][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 },
	    { 0, 1 } }, to[4][2] = { { 1, 0 }, { 1, 1 }, { 0, 1 },
	    { 0, 0 } };
	size_t i0 = i + (size_t)from[e][0], j0 = j + (size_t)from[e][1];
	size_t i1 = i + (size_t)to[e][0], j1 = j + (size_t)to[e][1];
	double z0 = a->z[j0 * a->nx + i0], z1 = a->z[j1 * a->nx + i1];
	double t = z1 != z0 ? (L - z0) / (z1 - z0) : 0.5;

	*x = a->x[i0] + t * (a->x[i1] - a->x[i0]);
	*y = a->y[j0] + t * (a->y[j1] - a->y[j0]);
}

static void
contour(cairo_t *cr, const struct frame *f, const struct gmm_chart_layer *a)
{
	/* the segments of each case: pairs of edges, -1 ends */
	static const signed char seg[16][5] = {
		{ -1 }, { 3, 0, -1 }, { 0, 1, -1 }, { 3, 1, -1 },
		{ 1, 2, -1 }, { 0, 1, 2, 3, -1 }, { 0, 2, -1 },
		{ 2, 3, -1 }, { 2, 3, -1 }, { 0, 2, -1 },
		{ 3, 0, 1, 2, -1 }, { 1, 2, -1 }, { 3, 1, -1 },
		{ 0, 1, -1 }, { 3, 0, -1 }, { -1 },
	};

	cairo_set_line_width(cr, GMM_CHART_W_CONTOUR);
	for (size_t l = 0; l < a->nlevels; l++) {
		double L = a->levels[l];
		size_t drawn = 0;

		for (size_t j = 0; j + 1 < a->ny; j++)
			for (size_t i = 0; i + 1 < a->nx; i++) {
				const double *z0 = a->z + j * a->nx + i;
				const double *z1 = z0 + a->nx;
				int cs = (z0[0] >= L) | (z0[1] >= L) << 1 |
				    (z1[1] >= L) << 2 | (z1[0] >= L) << 3;
				const signed char *s = seg[cs];

				if (!isfinite(z0[0]) || !isfinite(z0[1]) ||
				    !isfinite(z1[0]) || !isfinite(z1[1]))
					continue;
				if ((cs == 5 || cs == 10) && (z0[0] + z0[1] +
				    z1[0] + z1[1]) / 4 < L)
					s = seg[15 - cs];	/* the saddle
								 * parted */
				for (; s[0] >= 0; s += 2) {
					double x, y, px, py;

					crossing(a, i, j, s[0], L, &x, &y);
					page(f, x, y, &px, &py);
					cairo_move_to(cr, px, py);
					crossing(a, i, j, s[1], L, &x, &y);
					page(f, x, y, &px, &py);
					cairo_line_to(cr, px, py);
					drawn++;
				}
			}
		rgb(cr, a->colors != NULL ? a->colors[l] : a->color);
		if (drawn > 0)
			cairo_stroke(cr);
	}
}

static void
point_mark(cairo_t *cr, const struct frame *f,
    const struct gmm_chart_layer *a)
{
	double px, py;

	if (a->n < 1 || !isfinite(a->x[0]) || !isfinite(a->y[0]))
		return;
	page(f, a->x[0], a->y[0], &px, &py);
	cairo_new_path(cr);
	if (a->kind == GMM_CHART_MARK) {
		cairo_arc(cr, px, py, 8, 0, 2 * M_PI);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_line_width(cr, GMM_CHART_W_MARK);
	} else {
		cairo_arc(cr, px, py, GMM_CHART_CENTRE_R, 0, 2 * M_PI);
		rgb(cr, a->color);
		cairo_fill_preserve(cr);
		rgb(cr, 0x222222);
		cairo_set_line_width(cr, GMM_CHART_W_CENTRE);
	}
	cairo_stroke(cr);
}

static void
panel(cairo_t *cr, const struct gmm_chart *c, const struct layout *l,
    size_t p)
{
	const struct gmm_chart_panel *pa = &c->panels[p];
	struct frame f;

	frame_of(c, l, p, &f);
	axes(cr, c, l, p, &f);
	if (pa->name != NULL)
		return;
	cairo_save(cr);
	cairo_rectangle(cr, f.px0, f.py0, f.pw, f.ph);
	cairo_clip(cr);
	for (size_t k = 0; k < pa->nlayers; k++) {
		const struct gmm_chart_layer *a = &pa->layers[k];

		cairo_new_path(cr);
		switch (a->kind) {
		case GMM_CHART_LINE:
			line(cr, &f, a);
			break;
		case GMM_CHART_DOTS:
			dots(cr, &f, a);
			break;
		case GMM_CHART_ELLIPSE:
		case GMM_CHART_INTERVAL:
			ellipse(cr, &f, a);
			break;
		case GMM_CHART_BARS:
			bars(cr, &f, a);
			break;
		case GMM_CHART_CONTOUR:
			contour(cr, &f, a);
			break;
		case GMM_CHART_MARK:
		case GMM_CHART_CENTRE:
			point_mark(cr, &f, a);
			break;
		}
	}
	cairo_restore(cr);
}

/* The legend's entries, as many as the page's height holds; then a
 * line saying how many more there are. */
static void
legend(cairo_t *cr, const struct gmm_chart *c, const struct layout *l)
{
	size_t room = (size_t)((l->h - TOP - 30) / 17), shown = c->nlegend;
	char more[48];

	if (shown > room) {
		shown = room > 1 ? room - 1 : 0;
		snprintf(more, sizeof(more), "and %zu more", c->nlegend -
		    shown);
		rgb(cr, 0x555555);
		cairo_set_font_size(cr, 11);
		text(cr, l->w - RIGHT + 16, TOP + 10 + 17 * (double)shown, 0,
		    0.5, more);
	}
	for (size_t s = 0; s < shown; s++) {
		const struct gmm_chart_legend *e = &c->legend[s];
		double py = TOP + 10 + 17 * (double)s;
		double px = l->w - RIGHT + 16;

		rgb(cr, e->color);
		if (e->line) {
			cairo_set_line_width(cr, GMM_CHART_W_LEGEND);
			cairo_set_dash(cr, dash, e->dashed ? 2 : 0, 0);
			cairo_move_to(cr, px, py);
			cairo_line_to(cr, px + 26, py);
			cairo_stroke(cr);
			cairo_set_dash(cr, dash, 0, 0);
		}
		if (e->dot)
			marker(cr, px + 13, py, 0);
		rgb(cr, 0x222222);
		cairo_set_font_size(cr, 11);
		text(cr, px + 34, py, 0, 0.5, e->name);
	}
}

static void
draw(cairo_t *cr, const struct gmm_chart *c)
{
	struct layout l;

	layout_of(c, &l);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	for (size_t p = 0; p < l.rows * l.cols; p++)
		panel(cr, c, &l, p);
	legend(cr, c, &l);
	rgb(cr, 0x222222);
	if (c->title != NULL) {
		cairo_set_font_size(cr, 14);
		text(cr, LEFT, TOP / 2, 0, 0.5, c->title);
	}
	if (c->caption != NULL) {
		size_t lines = caption_lines(c), i = 0;
		const char *s = c->caption;
		char buf[256];

		cairo_set_font_size(cr, 10);
		rgb(cr, 0x555555);
		for (; i < lines; i++) {
			size_t len = strcspn(s, "\n");

			snprintf(buf, sizeof(buf), "%.*s", (int)len, s);
			text(cr, LEFT, l.h - 10 - 14 * (double)(lines - 1 - i),
			    0, 0.5, buf);
			s += len + (s[len] != '\0');
		}
	}
}

struct sink {
	unsigned char *buf;
	size_t len, cap;
	int failed;
};

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct sink *k = closure;

	if (k->len + length > k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 65536;
		unsigned char *b;

		while (cap < k->len + length)
			cap *= 2;
		if ((b = realloc(k->buf, cap)) == NULL) {
			k->failed = 1;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, data, length);
	k->len += length;
	return CAIRO_STATUS_SUCCESS;
}

int
gmm_chart_render(const struct gmm_chart *c, enum gmm_chart_format f,
    unsigned char **buf, size_t *len, struct gmm_error *err)
{
	struct sink k = { 0 };
	cairo_surface_t *sf;
	cairo_t *cr;
	cairo_status_t st;
	struct layout l;

	layout_of(c, &l);
	if (f == GMM_CHART_SVG)
		sf = cairo_svg_surface_create_for_stream(sink_write, &k,
		    l.w, l.h);
	else if (f == GMM_CHART_PDF)
		sf = cairo_pdf_surface_create_for_stream(sink_write, &k,
		    l.w, l.h);
	else
		sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
		    (int)l.w, (int)l.h);
	cr = cairo_create(sf);
	draw(cr, c);
	cairo_destroy(cr);
	if (f == GMM_CHART_PNG)
		cairo_surface_write_to_png_stream(sf, sink_write, &k);
	cairo_surface_finish(sf);
	st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (k.failed || st == CAIRO_STATUS_NO_MEMORY) {
		free(k.buf);
		return gmm_error_nomem(err);
	}
	if (st != CAIRO_STATUS_SUCCESS) {
		free(k.buf);
		return gmm_error_set(err, NULL, 0, "drawing failed: %s",
		    cairo_status_to_string(st));
	}
	*buf = k.buf;
	*len = k.len;
	return 0;
}
