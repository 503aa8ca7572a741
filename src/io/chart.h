/*
 * chart: line charts drawn with cairo into SVG, PNG or PDF bytes, for
 * `gmm plot` (issue 19).  One style for every picture: a white page,
 * readable sans-serif labels, axis ticks at round numbers (1, 2 or 5
 * times a power of ten; whole numbers on an integer axis), a legend on
 * the right, and the colour-blind-safe palette of Okabe and Ito (eight
 * colours; a ninth series on takes them again with dashes).
 *
 * A chart is series of points (x, y); a point may be hollow (drawn as a
 * ring: mclust's way of marking what is not to be trusted), and one point
 * of the chart may be marked (a larger black ring).  Layout is
 * deterministic: gmm_chart_point() says where a point lands, so that a
 * test can look at the pixel.  Returns 0, or -1 with err set; nothing
 * prints.
 */
#ifndef GMM_CHART_H
#define GMM_CHART_H

#include <stddef.h>

#include "base/error.h"

enum gmm_chart_format { GMM_CHART_SVG, GMM_CHART_PNG, GMM_CHART_PDF };

/* Page size in points (PNG: pixels). */
#define GMM_CHART_WIDTH 720
#define GMM_CHART_HEIGHT 450

struct gmm_chart_series {
	const char *name;
	size_t n;
	const double *x, *y;		/* n; a NaN y is no point */
	const unsigned char *hollow;	/* n, or NULL: all filled */
};

struct gmm_chart {
	const char *title, *xlabel, *ylabel;
	size_t nseries;
	const struct gmm_chart_series *series;
	int integer_x;			/* x ticks at whole numbers */
	long mark_series;		/* the marked point, or -1 */
	size_t mark_point;
};

/* The format an output name asks for: .svg, .png or .pdf (any case);
 * "-" is SVG.  -1 when it says none of them. */
int gmm_chart_format_of(const char *name, enum gmm_chart_format *f);

/* The chart into *buf (malloc'd, *len bytes). */
int gmm_chart_render(const struct gmm_chart *c, enum gmm_chart_format f,
    unsigned char **buf, size_t *len, struct gmm_error *err);

/* Where point i of series s lands on the page (points from the top
 * left). */
void gmm_chart_point(const struct gmm_chart *c, size_t s, size_t i,
    double *px, double *py);

/* The colour of series s, as 0xRRGGBB. */
unsigned gmm_chart_color(size_t s);

/* Round tick values covering [lo, hi], about want of them, into ticks
 * (at most max); returns how many. */
size_t gmm_chart_ticks(double lo, double hi, size_t want, int integer,
    double *ticks, size_t max);

#endif
