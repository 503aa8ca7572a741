/*
 * png-pixel FILE.png [X Y]...: for the CLI tests of gmm plot (t7100).
 * Prints the PNG's width and height, then the colour (RRGGBB) of the
 * pixel at each X Y (page coordinates, as an SVG of the same picture
 * gives them: the pixel that holds the point).  Exit 1 when the file is
 * not a PNG or a point is outside it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo/cairo.h>

int
main(int argc, char **argv)
{
	cairo_surface_t *sf;
	const unsigned char *data;
	int w, h, stride, ret = 0;

	if (argc < 2 || argc % 2 != 0) {
		fprintf(stderr, "usage: png-pixel FILE.png [X Y]...\n");
		return 2;
	}
	sf = cairo_image_surface_create_from_png(argv[1]);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "png-pixel: %s: %s\n", argv[1],
		    cairo_status_to_string(cairo_surface_status(sf)));
		cairo_surface_destroy(sf);
		return 1;
	}
	cairo_surface_flush(sf);
	w = cairo_image_surface_get_width(sf);
	h = cairo_image_surface_get_height(sf);
	stride = cairo_image_surface_get_stride(sf);
	data = cairo_image_surface_get_data(sf);
	printf("%d %d\n", w, h);
	for (int i = 2; i + 1 < argc; i += 2) {
		double x = strtod(argv[i], NULL), y = strtod(argv[i + 1], NULL);
		uint32_t v;

		if (!(x >= 0 && x < w && y >= 0 && y < h)) {
			fprintf(stderr, "png-pixel: (%s, %s) is outside\n",
			    argv[i], argv[i + 1]);
			ret = 1;
			continue;
		}
		memcpy(&v, data + (int)floor(y) * stride + 4 * (int)floor(x),
		    4);
		printf("%06x\n", (unsigned)(v & 0xffffff));
	}
	cairo_surface_destroy(sf);
	return ret;
}
