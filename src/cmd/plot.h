/*
 * plot: what the files of `gmm plot` share.  cmd_plot.c parses the
 * options, draws the select-k table (bic) and dispatches; cmd_plot_model.c
 * draws a model over data (clusters, density): it reads the data as score
 * does (columns matched to the model's by name), keeps at most
 * max_points rows by a seeded reservoir sample (memory bounded by it, not
 * by the rows), scores them with the engine and builds io/chart figures.
 * Command layer: reports its own errors on stderr and returns exit
 * statuses.
 */
#ifndef GMM_PLOT_H
#define GMM_PLOT_H

#include "cmd/cmd.h"
#include "io/chart.h"
#include "io/outfile.h"

/* --max-points' default: as many as a picture shows usefully. */
#define GMM_PLOT_MAX_POINTS 20000
/* The columns of a pairs matrix at most: 12 x 12 panels of 140 points
 * make a page of 1928 x 1788 (a PNG of 14 MB in memory); more would be
 * unreadable and large. */
#define GMM_PLOT_MAX_PAIRS 12

struct gmm_plot_opts {
	struct gmm_common co;
	const char *criterion;		/* bic: --criterion */
	const char *out;		/* -o, "-" for stdout */
	const char *columns;		/* -c: the model's columns to draw */
	int uncertainty;		/* clusters: --uncertainty */
	size_t max_points;		/* --max-points */
};

/* The pictures of a model; data NULL: none (density only). */
int gmm_plot_clusters(struct gmm_plot_opts *o, const char *model,
    const char *data);
int gmm_plot_density(struct gmm_plot_opts *o, const char *model,
    const char *data);

/* Render c as -o's name says and write it there (prepared): 0, or -1
 * with err set. */
int gmm_plot_write(const struct gmm_chart *c, const char *out,
    const struct gmm_outfile *o, struct gmm_error *err);

#endif
