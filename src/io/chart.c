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

/* The data ranges, padded by 5% (x by half a unit on an integer axis). */
static void
ranges(const struct gmm_chart *c, double *x0, double *x1, double *y0,
    double *y1)
{
	*x0 = *y0 = INFINITY;
	*x1 = *y1 = -INFINITY;
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->series[s].n; i++) {
			double x = c->series[s].x[i], y = c->series[s].y[i];

			if (!isfinite(y) || !isfinite(x))
				continue;
			*x0 = x < *x0 ? x : *x0;
			*x1 = x > *x1 ? x : *x1;
			*y0 = y < *y0 ? y : *y0;
			*y1 = y > *y1 ? y : *y1;
		}
	if (!isfinite(*x0)) {
		*x0 = *y0 = 0;
		*x1 = *y1 = 1;
	}
	if (*x1 == *x0) {
		*x0 -= 1;
		*x1 += 1;
	}
	if (*y1 == *y0) {
		*y0 -= 1;
		*y1 += 1;
	}
	{
		double dx = c->integer_x ? 0.5 : 0.05 * (*x1 - *x0);
		double dy = 0.05 * (*y1 - *y0);

		*x0 -= dx;
		*x1 += dx;
		*y0 -= dy;
		*y1 += dy;
	}
}

static void
to_page(double x0, double x1, double y0, double y1, double x, double y,
    double *px, double *py)
{
	*px = LEFT + (x - x0) / (x1 - x0) * (GMM_CHART_WIDTH - LEFT - RIGHT);
	*py = GMM_CHART_HEIGHT - BOTTOM - (y - y0) / (y1 - y0) *
	    (GMM_CHART_HEIGHT - TOP - BOTTOM);
}

void
gmm_chart_point(const struct gmm_chart *c, size_t s, size_t i, double *px,
    double *py)
{
	double x0, x1, y0, y1;

	ranges(c, &x0, &x1, &y0, &y1);
	to_page(x0, x1, y0, y1, c->series[s].x[i], c->series[s].y[i], px, py);
}

static void
rgb(cairo_t *cr, unsigned c)
{
	cairo_set_source_rgb(cr, (c >> 16 & 255) / 255.0,
	    (c >> 8 & 255) / 255.0, (c & 255) / 255.0);
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

static void
axes(cairo_t *cr, const struct gmm_chart *c, double x0, double x1,
    double y0, double y1)
{
	double ticks[64], px, py;
	size_t n;
	char lab[32];

	cairo_set_line_width(cr, 1);
	rgb(cr, 0x444444);
	cairo_rectangle(cr, LEFT, TOP, GMM_CHART_WIDTH - LEFT - RIGHT,
	    GMM_CHART_HEIGHT - TOP - BOTTOM);
	cairo_stroke(cr);
	cairo_set_font_size(cr, 11);
	n = gmm_chart_ticks(x0, x1, 8, c->integer_x, ticks, 64);
	for (size_t i = 0; i < n; i++) {
		to_page(x0, x1, y0, y1, ticks[i], y0, &px, &py);
		cairo_move_to(cr, px, py);
		cairo_line_to(cr, px, py + 5);
		cairo_stroke(cr);
		snprintf(lab, sizeof(lab), "%g", ticks[i]);
		text(cr, px, py + 8, 0.5, 0, lab);
	}
	n = gmm_chart_ticks(y0, y1, 6, 0, ticks, 64);
	for (size_t i = 0; i < n; i++) {
		to_page(x0, x1, y0, y1, x0, ticks[i], &px, &py);
		rgb(cr, 0xe5e5e5);	/* a light grid line */
		cairo_move_to(cr, px, py);
		cairo_line_to(cr, GMM_CHART_WIDTH - RIGHT, py);
		cairo_stroke(cr);
		rgb(cr, 0x444444);
		cairo_move_to(cr, px - 5, py);
		cairo_line_to(cr, px, py);
		cairo_stroke(cr);
		snprintf(lab, sizeof(lab), "%.6g", ticks[i]);
		text(cr, px - 8, py, 1, 0.5, lab);
	}
	cairo_set_font_size(cr, 12);
	if (c->xlabel != NULL)
		text(cr, (LEFT + GMM_CHART_WIDTH - RIGHT) / 2,
		    GMM_CHART_HEIGHT - 18, 0.5, 0.5, c->xlabel);
	if (c->ylabel != NULL) {
		cairo_save(cr);
		cairo_translate(cr, 18, (TOP + GMM_CHART_HEIGHT - BOTTOM) / 2);
		cairo_rotate(cr, -M_PI / 2);
		text(cr, 0, 0, 0.5, 0.5, c->ylabel);
		cairo_restore(cr);
	}
	if (c->title != NULL) {
		cairo_set_font_size(cr, 14);
		text(cr, LEFT, TOP / 2, 0, 0.5, c->title);
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

static void
draw(cairo_t *cr, const struct gmm_chart *c)
{
	double x0, x1, y0, y1, px, py, dash[] = { 6, 3 };

	ranges(c, &x0, &x1, &y0, &y1);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
	    CAIRO_FONT_WEIGHT_NORMAL);
	axes(cr, c, x0, x1, y0, y1);
	for (size_t s = 0; s < c->nseries; s++) {
		const struct gmm_chart_series *se = &c->series[s];
		int pen = 0;

		rgb(cr, gmm_chart_color(s));
		cairo_set_line_width(cr, 1.8);
		cairo_set_dash(cr, dash, s >= 8 ? 2 : 0, 0);
		for (size_t i = 0; i < se->n; i++) {
			if (!isfinite(se->y[i])) {
				pen = 0;
				continue;
			}
			to_page(x0, x1, y0, y1, se->x[i], se->y[i], &px, &py);
			if (pen)
				cairo_line_to(cr, px, py);
			else
				cairo_move_to(cr, px, py);
			pen = 1;
		}
		cairo_stroke(cr);
		cairo_set_dash(cr, dash, 0, 0);
		cairo_set_line_width(cr, 1.5);
		for (size_t i = 0; i < se->n; i++) {
			if (!isfinite(se->y[i]))
				continue;
			to_page(x0, x1, y0, y1, se->x[i], se->y[i], &px, &py);
			marker(cr, px, py, se->hollow && se->hollow[i]);
		}
		/* the legend */
		py = TOP + 10 + 17 * (double)s;
		px = GMM_CHART_WIDTH - RIGHT + 16;
		cairo_set_line_width(cr, 1.8);
		cairo_set_dash(cr, dash, s >= 8 ? 2 : 0, 0);
		cairo_move_to(cr, px, py);
		cairo_line_to(cr, px + 26, py);
		cairo_stroke(cr);
		cairo_set_dash(cr, dash, 0, 0);
		marker(cr, px + 13, py, 0);
		rgb(cr, 0x222222);
		cairo_set_font_size(cr, 11);
		text(cr, px + 34, py, 0, 0.5, se->name);
	}
	if (c->mark_series >= 0 && (size_t)c->mark_series < c->nseries) {
		to_page(x0, x1, y0, y1,
		    c->series[c->mark_series].x[c->mark_point],
		    c->series[c->mark_series].y[c->mark_point], &px, &py);
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_set_line_width(cr, 1.5);
		cairo_new_path(cr);
		cairo_arc(cr, px, py, 8, 0, 2 * M_PI);
		cairo_stroke(cr);
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

	if (f == GMM_CHART_SVG)
		sf = cairo_svg_surface_create_for_stream(sink_write, &k,
		    GMM_CHART_WIDTH, GMM_CHART_HEIGHT);
	else if (f == GMM_CHART_PDF)
		sf = cairo_pdf_surface_create_for_stream(sink_write, &k,
		    GMM_CHART_WIDTH, GMM_CHART_HEIGHT);
	else
		sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
		    GMM_CHART_WIDTH, GMM_CHART_HEIGHT);
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
