/*
 * chart: round ticks and histogram breaks, the format an output name asks
 * for, and pictures checked by their pixels: a PNG read back with cairo
 * has, at the centre of each point gmm_chart_to_page() names, its line's
 * colour (white inside a hollow point), the marked point's ring is black;
 * dots and a centre have their colours, an ellipse passes through its
 * axis points, a contour of -(x^2 + y^2) through the unit circle, bars
 * fill up to their heights, and the panels of a grid are apart.  SVG and
 * PDF bytes begin as their formats do.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo/cairo.h>

#include "check.h"
#include "io/chart.h"

struct reader {
	const unsigned char *p;
	size_t left;
};

static cairo_status_t
read_bytes(void *closure, unsigned char *data, unsigned int length)
{
	struct reader *r = closure;

	if (length > r->left)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->p, length);
	r->p += length;
	r->left -= length;
	return CAIRO_STATUS_SUCCESS;
}

/* The pixel at (x, y) of an image surface, as 0xRRGGBB. */
static unsigned
pixel(cairo_surface_t *sf, double x, double y)
{
	const unsigned char *d = cairo_image_surface_get_data(sf);
	int stride = cairo_image_surface_get_stride(sf);
	uint32_t v;

	memcpy(&v, d + (int)y * stride + 4 * (int)x, 4);
	return v & 0xffffff;
}

/* Near black: every channel below a half (the ring is antialiased). */
static int
dark(unsigned c)
{
	return (c >> 16 & 255) < 128 && (c >> 8 & 255) < 128 &&
	    (c & 255) < 128;
}

static void
check_ticks(void)
{
	double t[64];
	size_t n = gmm_chart_ticks(563.2, 1812.7, 6, 0, t, 64);

	CHECK(n >= 4 && n <= 8, "%zu ticks", n);
	for (size_t i = 0; i < n; i++)
		CHECK(fmod(t[i], 200) == 0 && t[i] >= 563.2 && t[i] <= 1812.7,
		    "tick %g is a round number inside the range", t[i]);
	n = gmm_chart_ticks(0.5, 9.5, 8, 1, t, 64);
	for (size_t i = 0; i < n; i++)
		CHECK(t[i] == floor(t[i]), "integer tick %g", t[i]);
	n = gmm_chart_ticks(-0.013, 0.021, 5, 0, t, 64);
	CHECK(n >= 3, "small ranges have ticks (%zu)", n);
}

static void
check_formats(void)
{
	enum gmm_chart_format f;

	CHECK(gmm_chart_format_of("a.svg", &f) == 0 && f == GMM_CHART_SVG,
	    "svg");
	CHECK(gmm_chart_format_of("A.PNG", &f) == 0 && f == GMM_CHART_PNG,
	    "png, any case");
	CHECK(gmm_chart_format_of("x.pdf", &f) == 0 && f == GMM_CHART_PDF,
	    "pdf");
	CHECK(gmm_chart_format_of("-", &f) == 0 && f == GMM_CHART_SVG,
	    "- is SVG");
	CHECK(gmm_chart_format_of("out.jpg", &f) < 0 &&
	    gmm_chart_format_of("out", &f) < 0, "other names are refused");
}

/* A colour within tol of want in every channel (antialiased edges). */
static int
near(unsigned c, unsigned want, int tol)
{
	for (int sh = 0; sh <= 16; sh += 8) {
		int a = (int)(c >> sh & 255), b = (int)(want >> sh & 255);

		if (a - b > tol || b - a > tol)
			return 0;
	}
	return 1;
}

/* Render c to PNG and read it back. */
static cairo_surface_t *
png_of(const struct gmm_chart *c, int w, int h)
{
	struct gmm_error err;
	unsigned char *buf;
	size_t len;
	struct reader r;
	cairo_surface_t *sf;

	CHECK(gmm_chart_render(c, GMM_CHART_PNG, &buf, &len, &err) == 0,
	    "png");
	r.p = buf;
	r.left = len;
	sf = cairo_image_surface_create_from_png_stream(read_bytes, &r);
	CHECK(cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS &&
	    cairo_image_surface_get_width(sf) == w &&
	    cairo_image_surface_get_height(sf) == h,
	    "the PNG reads back at %d x %d", w, h);
	cairo_surface_flush(sf);
	free(buf);
	return sf;
}

/* Lines with markers, hollow points and a marked point (plot bic). */
static void
check_lines(void)
{
	static const double x[] = { 1, 2, 3, 4 };
	static const double y0[] = { 1800, 1100, 880, 780 };
	static const double y1[] = { 1500, 560, 600, NAN };
	static const unsigned char hollow1[] = { 0, 0, 1, 0 };
	static const double mark[] = { 2, 560 };
	struct gmm_chart_layer L[3] = {
		{ .kind = GMM_CHART_LINE, .color = gmm_chart_color(0),
		    .n = 4, .x = x, .y = y0, .markers = 1 },
		{ .kind = GMM_CHART_LINE, .color = gmm_chart_color(1),
		    .n = 4, .x = x, .y = y1, .markers = 1,
		    .hollow = hollow1 },
		{ .kind = GMM_CHART_MARK, .n = 1, .x = mark, .y = mark + 1 },
	};
	struct gmm_chart_panel pa = { .xlabel = "k", .ylabel = "BIC",
	    .integer_x = 1, .nlayers = 3, .layers = L };
	struct gmm_chart c = { .title = "BIC", .panels = &pa };
	struct gmm_error err;
	unsigned char *buf;
	size_t len;
	cairo_surface_t *sf = png_of(&c, GMM_CHART_WIDTH, GMM_CHART_HEIGHT);
	double px, py;

	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < 3; i++) {
			unsigned want = s == 1 && hollow1[i] ? 0xffffff :
			    gmm_chart_color(s);

			gmm_chart_to_page(&c, 0, x[i], L[s].y[i], &px, &py);
			CHECK(pixel(sf, px, py) == want, "series %zu point %zu "
			    "at (%g, %g): %06x, want %06x", s, i, px, py,
			    pixel(sf, px, py), want);
		}
	gmm_chart_to_page(&c, 0, 2, 560, &px, &py);
	CHECK(dark(pixel(sf, px, py - 8)) && dark(pixel(sf, px, py + 8)),
	    "the marked point has a black ring (%06x, %06x)",
	    pixel(sf, px, py - 8), pixel(sf, px, py + 8));
	gmm_chart_to_page(&c, 0, 2, 1100, &px, &py);
	CHECK(!dark(pixel(sf, px, py - 8)), "another point has none");
	cairo_surface_destroy(sf);
	CHECK(gmm_chart_render(&c, GMM_CHART_SVG, &buf, &len, &err) == 0 &&
	    len > 5 && memcmp(buf, "<?xml", 5) == 0, "svg");
	free(buf);
	CHECK(gmm_chart_render(&c, GMM_CHART_PDF, &buf, &len, &err) == 0 &&
	    len > 5 && memcmp(buf, "%PDF-", 5) == 0, "pdf");
	free(buf);
}

/*
 * A 2 x 2 grid of the other marks: dots, an ellipse through its axis
 * points, a centre in its colour, contour lines of -(x^2 + y^2) through
 * the unit circle, histogram bars, and a named panel.
 */
static void
check_marks(void)
{
	static const double dx[] = { -2, 2 }, dy[] = { 2, -2 };
	static const double cx[] = { 0 }, cy[] = { 0 };
	static const double br[] = { -2, 0, 2 }, bh[] = { 0.5, 1 };
	static const double lev[] = { -1 };
	static const unsigned levc[] = { 0x0072b2 };
	double g[41], z[41 * 41], px, py;
	struct gmm_chart_layer L0[3], L1[1], L2[1];
	struct gmm_chart_panel pa[4];
	struct gmm_chart c = { .width = 600, .height = 600, .rows = 2,
	    .cols = 2, .panels = pa, .caption = "a caption\nof two lines" };
	cairo_surface_t *sf;

	for (int i = 0; i < 41; i++)
		g[i] = -2 + 0.1 * i;
	for (int j = 0; j < 41; j++)
		for (int i = 0; i < 41; i++)
			z[j * 41 + i] = -(g[i] * g[i] + g[j] * g[j]);
	L0[0] = (struct gmm_chart_layer){ .kind = GMM_CHART_DOTS,
	    .color = 0xd55e00, .n = 2, .x = dx, .y = dy, .radius = 4 };
	L0[1] = (struct gmm_chart_layer){ .kind = GMM_CHART_ELLIPSE,
	    .color = 0x009e73, .centre = { 0, 0 }, .cov = { 1, 0, 0.25 },
	    .r = 1 };
	L0[2] = (struct gmm_chart_layer){ .kind = GMM_CHART_CENTRE,
	    .color = 0xcc79a7, .n = 1, .x = cx, .y = cy };
	L1[0] = (struct gmm_chart_layer){ .kind = GMM_CHART_CONTOUR,
	    .x = g, .y = g, .nx = 41, .ny = 41, .z = z, .levels = lev,
	    .nlevels = 1, .colors = levc };
	L2[0] = (struct gmm_chart_layer){ .kind = GMM_CHART_BARS,
	    .color = 0x999999, .n = 2, .x = br, .y = bh };
	for (int p = 0; p < 4; p++)
		pa[p] = (struct gmm_chart_panel){ .x0 = -3, .x1 = 3,
		    .y0 = -3, .y1 = 3 };
	pa[0].nlayers = 3;
	pa[0].layers = L0;
	pa[1].nlayers = 1;
	pa[1].layers = L1;
	pa[2].nlayers = 1;
	pa[2].layers = L2;
	pa[3].name = "name";
	sf = png_of(&c, 600, 600);
	for (int i = 0; i < 2; i++) {
		gmm_chart_to_page(&c, 0, dx[i], dy[i], &px, &py);
		CHECK(near(pixel(sf, px, py), 0xd55e00, 8), "dot %d: %06x", i,
		    pixel(sf, px, py));
	}
	gmm_chart_to_page(&c, 0, 0, 0, &px, &py);
	CHECK(pixel(sf, px, py) == 0xcc79a7, "the centre's colour: %06x",
	    pixel(sf, px, py));
	{
		/* the ellipse through (+-1, 0) and (0, +-0.5) */
		static const double ex[] = { 1, -1, 0, 0 }, ey[] = { 0, 0,
		    0.5, -0.5 };
		int hit = 0;

		for (int i = 0; i < 4; i++) {
			gmm_chart_to_page(&c, 0, ex[i], ey[i], &px, &py);
			hit += near(pixel(sf, px, py), 0x009e73, 90);
		}
		CHECK(hit == 4, "the ellipse passes through its 4 axis "
		    "points (%d)", hit);
		gmm_chart_to_page(&c, 0, 0.6, 0.1, &px, &py);
		CHECK(pixel(sf, px, py) == 0xffffff, "and not inside");
	}
	{
		int hit = 0;

		for (int a = 0; a < 8; a++) {
			gmm_chart_to_page(&c, 1, cos(a * M_PI / 4),
			    sin(a * M_PI / 4), &px, &py);
			hit += !near(pixel(sf, px, py), 0xffffff, 40);
		}
		CHECK(hit == 8, "the contour passes through the unit "
		    "circle (%d of 8)", hit);
		gmm_chart_to_page(&c, 1, 0.5, 0.5, &px, &py);
		CHECK(near(pixel(sf, px, py), 0xffffff, 0) ||
		    near(pixel(sf, px, py), 0xe5e5e5, 0), "and nowhere "
		    "near the middle (%06x)", pixel(sf, px, py));
	}
	gmm_chart_to_page(&c, 2, 1, 0.5, &px, &py);
	CHECK(!near(pixel(sf, px, py), 0xffffff, 10), "inside a bar");
	gmm_chart_to_page(&c, 2, -1, 0.75, &px, &py);
	CHECK(near(pixel(sf, px, py), 0xffffff, 0) || near(pixel(sf, px,
	    py), 0xe5e5e5, 0), "above the lower bar");
	{
		double ax, ay, bx, by;

		gmm_chart_to_page(&c, 0, 0, 0, &ax, &ay);
		gmm_chart_to_page(&c, 3, 0, 0, &bx, &by);
		CHECK(bx > ax + 100 && by > ay + 100, "panels at their "
		    "places in the grid");
	}
	cairo_surface_destroy(sf);
}

static void
check_breaks(void)
{
	double b[64];
	size_t n = gmm_chart_breaks(1.6, 5.1, 272, b, 64);

	CHECK(n >= 6 && n <= 12 && b[0] <= 1.6 && b[n - 1] >= 5.1,
	    "breaks cover the range: %zu from %g to %g", n, b[0], b[n - 1]);
	for (size_t i = 1; i < n; i++)
		CHECK(fabs(b[i] - b[i - 1] - (b[1] - b[0])) < 1e-9,
		    "equal widths");
	n = gmm_chart_breaks(3, 3, 10, b, 64);
	CHECK(n == 2 && b[0] < 3 && b[1] > 3, "a single value has a bar");
}

int
main(void)
{
	check_ticks();
	check_formats();
	check_breaks();
	check_lines();
	check_marks();
	return check_done("test_chart");
}
