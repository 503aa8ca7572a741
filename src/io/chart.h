/*
 * chart: figures drawn with cairo into SVG, PNG or PDF bytes, for
 * `gmm plot` (issue 19).  One style for every picture: a white page,
 * readable sans-serif labels, axis ticks at round numbers (1, 2 or 5
 * times a power of ten; whole numbers on an integer axis), a legend on
 * the right, a caption under the plot, and the colour-blind-safe palette
 * of Okabe and Ito (gmm_chart_color(); eight colours, then again).
 *
 * A figure is a grid of panels (one panel, or a pairs matrix), each with
 * its data ranges and layers drawn in order, clipped to the panel:
 *   LINE     a polyline through (x, y), a NaN breaking it; with markers,
 *            a dot at each point, hollow (a ring, mclust's way of marking
 *            what is not to be trusted) where hollow[i]
 *   DOTS     n dots of one colour, radius and opacity (one path: a
 *            zero-length round-capped subpath per dot); a NaN is no dot
 *   ELLIPSE  the points p with (p - centre)' S^-1 (p - centre) = r^2,
 *            S = [[cov[0], cov[1]], [cov[1], cov[2]]]: a Gaussian's
 *            r-sigma contour, drawn through S's Cholesky factor (no
 *            inverse); r = 2 dashed
 *   INTERVAL the segment centre[0] +- r sqrt(cov[0]) at height
 *            centre[1] (a 1-D Gaussian's r-sigma interval); r = 2 dashed
 *   BARS     a histogram: bar i over [x[i], x[i+1]] of height y[i]
 *   CONTOUR  lines of z (ny rows of nx values: z[j nx + i] at x[i], y[j])
 *            at each of levels, found by marching squares; level l in
 *            colors[l]
 *   MARK     a black ring around (x[0], y[0]) (the chosen point)
 *   CENTRE   a disc of the layer's colour with a dark rim at (x[0], y[0])
 *            (a component's mean): its middle pixel has the colour exactly
 * A panel with a name draws it in its middle instead of layers (the
 * diagonal of a pairs matrix); its ranges still give its outer axes.
 *
 * So that a test can count what an SVG holds, each kind of mark is one
 * SVG path with a line width of its own (GMM_CHART_W_*).  Layout is
 * deterministic: gmm_chart_to_page() says where a data point lands.
 * Tick labels are drawn on the outer panels only (x on the bottom row,
 * y on the left column), in a grid not at a panel's edge.  Returns 0, or -1 with err set; nothing prints.
 */
#ifndef GMM_CHART_H
#define GMM_CHART_H

#include <stddef.h>

#include "base/error.h"

enum gmm_chart_format { GMM_CHART_SVG, GMM_CHART_PNG, GMM_CHART_PDF };

/* The default page size in points (PNG: pixels). */
#define GMM_CHART_WIDTH 720
#define GMM_CHART_HEIGHT 450

/* The line widths that tell the marks apart in an SVG. */
#define GMM_CHART_W_LINE 1.8		/* LINE */
#define GMM_CHART_W_MARKER 1.5		/* LINE's markers */
#define GMM_CHART_W_MARK 2.0		/* MARK */
#define GMM_CHART_W_ELLIPSE1 1.6	/* ELLIPSE, INTERVAL at r < 2 */
#define GMM_CHART_W_ELLIPSE2 1.1	/* ELLIPSE, INTERVAL at r >= 2 */
#define GMM_CHART_W_CONTOUR 1.2
#define GMM_CHART_W_CENTRE 1.3
#define GMM_CHART_W_BAR 0.7
#define GMM_CHART_W_LEGEND 2.2		/* a legend's line samples */
#define GMM_CHART_CENTRE_R 5.0		/* a CENTRE's radius */

enum gmm_chart_kind {
	GMM_CHART_LINE, GMM_CHART_DOTS, GMM_CHART_ELLIPSE,
	GMM_CHART_INTERVAL, GMM_CHART_BARS, GMM_CHART_CONTOUR,
	GMM_CHART_MARK, GMM_CHART_CENTRE,
};

struct gmm_chart_layer {
	enum gmm_chart_kind kind;
	unsigned color;			/* 0xRRGGBB */
	int dashed;			/* LINE */
	size_t n;
	const double *x, *y;		/* n (BARS: x n + 1; CONTOUR: nx, ny) */
	int markers;			/* LINE: a dot at each point */
	const unsigned char *hollow;	/* LINE's markers: n, or NULL */
	double radius, alpha;		/* DOTS: in points (0: 2), opacity
					 * (0: 1) */
	double centre[2], cov[3], r;	/* ELLIPSE, INTERVAL */
	size_t nx, ny;			/* CONTOUR */
	const double *z, *levels;	/* CONTOUR: ny nx, nlevels */
	const unsigned *colors;		/* CONTOUR: nlevels */
	size_t nlevels;
};

struct gmm_chart_panel {
	double x0, x1, y0, y1;		/* the ranges; x0 == x1 (y0 == y1):
					 * from LINE, DOTS and BARS, padded */
	const char *xlabel, *ylabel;	/* under and left of the grid */
	const char *name;		/* drawn instead of layers, or NULL */
	int integer_x, integer_y;	/* ticks at whole numbers */
	size_t nlayers;
	const struct gmm_chart_layer *layers;
};

struct gmm_chart_legend {
	const char *name;
	unsigned color;
	int line, dashed, dot;		/* how its sample is drawn */
};

struct gmm_chart {
	double width, height;		/* 0: GMM_CHART_WIDTH x _HEIGHT */
	const char *title, *caption;	/* either may be NULL */
	size_t rows, cols;		/* the grid; 0: one panel */
	const struct gmm_chart_panel *panels;	/* rows x cols, row-major */
	size_t nlegend;
	const struct gmm_chart_legend *legend;
};

/* The format an output name asks for: .svg, .png or .pdf (any case);
 * "-" is SVG.  -1 when it says none of them. */
int gmm_chart_format_of(const char *name, enum gmm_chart_format *f);

/* The figure into *buf (malloc'd, *len bytes). */
int gmm_chart_render(const struct gmm_chart *c, enum gmm_chart_format f,
    unsigned char **buf, size_t *len, struct gmm_error *err);

/* Where the data point (x, y) of panel p lands on the page (points from
 * the top left). */
void gmm_chart_to_page(const struct gmm_chart *c, size_t p, double x,
    double y, double *px, double *py);

/* Colour s of the palette, as 0xRRGGBB. */
unsigned gmm_chart_color(size_t s);

/* Round tick values covering [lo, hi], about want of them, into ticks
 * (at most max); returns how many. */
size_t gmm_chart_ticks(double lo, double hi, size_t want, int integer,
    double *ticks, size_t max);

/*
 * Breaks for a histogram of n values in [lo, hi]: Sturges' count
 * (ceil(log2 n) + 1, as R's hist()), widened to round numbers by
 * gmm_chart_ticks(); into breaks (at most max), returns how many.
 */
size_t gmm_chart_breaks(double lo, double hi, size_t n, double *breaks,
    size_t max);

#endif
