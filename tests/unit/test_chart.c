/*
 * chart: round ticks, the format an output name asks for, and pictures
 * checked by their pixels: a PNG read back with cairo has, at the centre
 * of each point gmm_chart_point() names, its series' colour (white inside
 * a hollow point), and the marked point's ring is black.  SVG and PDF
 * bytes begin as their formats do.
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

int
main(void)
{
	static const double x[] = { 1, 2, 3, 4 };
	static const double y0[] = { 1800, 1100, 880, 780 };
	static const double y1[] = { 1500, 560, 600, NAN };
	static const unsigned char hollow1[] = { 0, 0, 1, 0 };
	struct gmm_chart_series se[2] = {
		{ "EII", 4, x, y0, NULL }, { "VEV", 4, x, y1, hollow1 },
	};
	struct gmm_chart c = { "BIC", "k", "BIC", 2, se, 1, 1, 1 };
	struct gmm_error err;
	unsigned char *buf;
	size_t len;
	struct reader r;
	cairo_surface_t *sf;
	double px, py;

	check_ticks();
	check_formats();
	CHECK(gmm_chart_render(&c, GMM_CHART_PNG, &buf, &len, &err) == 0,
	    "png");
	r.p = buf;
	r.left = len;
	sf = cairo_image_surface_create_from_png_stream(read_bytes, &r);
	CHECK(cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS &&
	    cairo_image_surface_get_width(sf) == GMM_CHART_WIDTH &&
	    cairo_image_surface_get_height(sf) == GMM_CHART_HEIGHT,
	    "the PNG reads back at %d x %d", GMM_CHART_WIDTH,
	    GMM_CHART_HEIGHT);
	cairo_surface_flush(sf);
	for (size_t s = 0; s < 2; s++)
		for (size_t i = 0; i < 3; i++) {
			unsigned want = s == 1 && hollow1[i] ? 0xffffff :
			    gmm_chart_color(s);

			gmm_chart_point(&c, s, i, &px, &py);
			CHECK(pixel(sf, px, py) == want, "series %zu point %zu "
			    "at (%g, %g): %06x, want %06x", s, i, px, py,
			    pixel(sf, px, py), want);
		}
	gmm_chart_point(&c, 1, 1, &px, &py);
	CHECK(dark(pixel(sf, px, py - 8)) && dark(pixel(sf, px, py + 8)),
	    "the marked point has a black ring (%06x, %06x)",
	    pixel(sf, px, py - 8), pixel(sf, px, py + 8));
	gmm_chart_point(&c, 0, 1, &px, &py);
	CHECK(!dark(pixel(sf, px, py - 8)), "another point has none");
	cairo_surface_destroy(sf);
	free(buf);
	CHECK(gmm_chart_render(&c, GMM_CHART_SVG, &buf, &len, &err) == 0 &&
	    len > 5 && memcmp(buf, "<?xml", 5) == 0, "svg");
	free(buf);
	CHECK(gmm_chart_render(&c, GMM_CHART_PDF, &buf, &len, &err) == 0 &&
	    len > 5 && memcmp(buf, "%PDF-", 5) == 0, "pdf");
	free(buf);
	return check_done("test_chart");
}
