#include "engine/data.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

#include "engine/model.h"

#define BLOCK(d) ((size_t)GMM_BLOCK_ROWS * (d))

void
gmm_data_init(struct gmm_data *x, size_t d)
{
	memset(x, 0, sizeof(*x));
	x->d = d;
}

void
gmm_data_release(struct gmm_data *x)
{
	for (size_t b = 0; b < x->nblocks; b++) {
		free(x->blocks[b]);
		if (x->wblocks != NULL)
			free(x->wblocks[b]);
	}
	free(x->blocks);
	free(x->wblocks);
	gmm_data_init(x, x->d);
}

int
gmm_data_set_weighted(struct gmm_data *x)
{
	if (x->n != 0 || x->wblocks != NULL)
		GMM_BUG("gmm_data_set_weighted: rows already there");
	x->wblocks = malloc(16 * sizeof(*x->wblocks));
	if (x->wblocks == NULL)
		return -1;
	x->cap = 16;
	x->blocks = malloc(16 * sizeof(*x->blocks));
	if (x->blocks == NULL) {
		free(x->wblocks);
		x->wblocks = NULL;
		x->cap = 0;
		return -1;
	}
	return 0;
}

/* A new zeroed block at the end (and its zeroed weights in weighted
 * data); -1 when out of memory, x unchanged. */
static int
add_block(struct gmm_data *x)
{
	double *blk, *wb = NULL;

	if (x->nblocks == x->cap) {
		size_t ncap = x->cap ? 2 * x->cap : 16;
		double **nb = realloc(x->blocks, ncap * sizeof(*nb));

		if (nb == NULL)
			return -1;
		x->blocks = nb;
		if (x->wblocks != NULL) {
			nb = realloc(x->wblocks, ncap * sizeof(*nb));
			if (nb == NULL)
				return -1;	/* blocks is larger: harmless */
			x->wblocks = nb;
		}
		x->cap = ncap;
	}
	blk = gmm_doubles_new(BLOCK(x->d));
	if (blk == NULL)
		return -1;
	if (x->wblocks != NULL) {
		wb = calloc(GMM_BLOCK_ROWS, sizeof(double));
		if (wb == NULL) {
			free(blk);
			return -1;
		}
		x->wblocks[x->nblocks] = wb;
	}
	memset(blk, 0, BLOCK(x->d) * sizeof(double));
	x->blocks[x->nblocks++] = blk;
	return 0;
}

int
gmm_data_append_weighted(struct gmm_data *x, const double *row, double w)
{
	size_t i = x->n % GMM_BLOCK_ROWS;
	double *blk;

	if (i == 0 && add_block(x) < 0)
		return -1;
	blk = x->blocks[x->nblocks - 1];
	for (size_t j = 0; j < x->d; j++)
		blk[j * GMM_BLOCK_ROWS + i] = row[j];
	if (x->wblocks != NULL) {
		x->wblocks[x->nblocks - 1][i] = w;
		x->weight_total += w;
		x->weight_zero += w == 0;
	} else {
		x->weight_total += 1;
	}
	x->n++;
	return 0;
}

int
gmm_data_append(struct gmm_data *x, const double *row)
{
	return gmm_data_append_weighted(x, row, 1);
}

int
gmm_data_from_rows(struct gmm_data *x, const double *rows, size_t n,
    size_t d)
{
	gmm_data_init(x, d);
	for (size_t i = 0; i < n; i++)
		if (gmm_data_append(x, rows + i * d) < 0) {
			gmm_data_release(x);
			return -1;
		}
	return 0;
}

void
gmm_data_row(const struct gmm_data *x, size_t i, double *row)
{
	const double *blk = x->blocks[i / GMM_BLOCK_ROWS] + i % GMM_BLOCK_ROWS;

	for (size_t j = 0; j < x->d; j++)
		row[j] = blk[j * GMM_BLOCK_ROWS];
}

static int
memory_block(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk, struct gmm_error *err)
{
	const struct gmm_data *x = s->self;

	(void)buf;
	(void)err;
	memset(blk, 0, sizeof(*blk));
	blk->index = b;
	blk->first = b * GMM_BLOCK_ROWS;
	blk->rows = gmm_data_block_rows(x, b);
	blk->xt = x->blocks[b];
	blk->weight = x->wblocks != NULL ? x->wblocks[b] : NULL;
	return 0;
}

void
gmm_source_get(const struct gmm_source *s, size_t b, double *buf,
    struct gmm_block *blk)
{
	struct gmm_error err;

	if (s->block(s, b, buf, blk, &err) < 0)
		GMM_BUG("a block source failed");
}

void
gmm_data_source(const struct gmm_data *x, struct gmm_source *s)
{
	s->n = x->n;
	s->d = x->d;
	s->nblocks = x->nblocks;
	s->block = memory_block;
	s->self = x;
}

double
gmm_data_min_column_variance(const struct gmm_data *x)
{
	size_t n = x->n, d = x->d;
	double best = 0;

	/* weighted (frequency weights); a weight of 1 multiplies exactly,
	 * so unweighted data give the bits they always gave */
	for (size_t j = 0; j < d; j++) {
		double mean = 0, var = 0, scale = 0;

		for (size_t i = 0; i < n; i++)
			mean += gmm_data_weight(x, i) * gmm_data_at(x, i, j);
		mean /= x->weight_total;
		for (size_t i = 0; i < n; i++) {
			double t = gmm_data_at(x, i, j) - mean;
			double w = gmm_data_weight(x, i);

			var += w * (t * t);
			if (w > 0 && fabs(gmm_data_at(x, i, j)) > scale)
				scale = fabs(gmm_data_at(x, i, j));
		}
		var /= x->weight_total;
		/* constant up to the rounding of the mean */
		if (var <= (DBL_EPSILON * scale) * (DBL_EPSILON * scale))
			continue;
		if (best == 0 || var < best)
			best = var;
	}
	return best;
}


int
gmm_data_shape_init(struct gmm_data_shape *s, const struct gmm_data *x)
{
	/* GSL's own workspace allocator leaks when out of memory: ours */
	size_t n = x->n, d = x->d;
	int wide = d > GMM_SHAPE_MAX_D;
	double *mean = wide ? NULL : calloc(d, sizeof(double));
	double *cov = wide ? NULL : calloc(d * d, sizeof(double));
	double *eval = wide ? NULL : malloc(d * sizeof(double));
	double *ws = wide ? NULL : malloc(4 * d * sizeof(double));
	double *u = wide ? NULL : malloc(d * d * sizeof(double));
	double *r = wide ? NULL : malloc(d * sizeof(double));
	double top = 0;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (wide) {	/* too wide: every direction (nothing allocated) */
		s->d = s->rank = d;
		s->min_var = gmm_data_min_column_variance(x);
		return 0;
	}
	if (mean == NULL || cov == NULL || eval == NULL || ws == NULL ||
	    u == NULL || r == NULL)
		goto out;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < d; j++)
			mean[j] += gmm_data_weight(x, i) * gmm_data_at(x, i, j);
	for (size_t j = 0; j < d; j++)
		mean[j] /= x->weight_total;
	for (size_t i = 0; i < n; i++) {
		double w = gmm_data_weight(x, i);

		gmm_data_row(x, i, r);
		for (size_t a = 0; a < d; a++) {
			double ta = r[a] - mean[a];

			for (size_t b = 0; b <= a; b++)
				cov[a * d + b] += w * (ta * (r[b] - mean[b]));
		}
	}
	for (size_t a = 0; a < d; a++)
		for (size_t b = 0; b <= a; b++)
			cov[b * d + a] = cov[a * d + b] /= x->weight_total;
	{
		gsl_matrix_view A = gsl_matrix_view_array(cov, d, d);
		gsl_matrix_view U = gsl_matrix_view_array(u, d, d);
		gsl_vector_view E = gsl_vector_view_array(eval, d);
		gsl_eigen_symmv_workspace w = { d, ws, ws + d, ws + 2 * d,
			ws + 3 * d };

		if (gsl_eigen_symmv(&A.matrix, &E.vector, &U.matrix, &w) !=
		    GSL_SUCCESS)
			goto out;
		/* the kept directions first, as u's first rank columns */
		gsl_eigen_symmv_sort(&E.vector, &U.matrix,
		    GSL_EIGEN_SORT_VAL_DESC);
	}
	top = d > 0 ? eval[0] : 0;
	s->rank = 0;
	while (s->rank < d && eval[s->rank] > GMM_DATA_RANK_TOL * top &&
	    eval[s->rank] > 0)
		s->rank++;
	s->d = d;
	s->u = u;
	u = NULL;
	s->min_var = gmm_data_min_column_variance(x);
	ret = 0;
out:
	free(mean);
	free(cov);
	free(eval);
	free(ws);
	free(u);
	free(r);
	return ret;
}

void
gmm_data_shape_release(struct gmm_data_shape *s)
{
	free(s->u);
	s->u = NULL;
}
