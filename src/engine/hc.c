#include "engine/hc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>

#include "base/consts.h"

/* Entry (i, j), i < j, of a condensed m x m matrix. */
static size_t
cidx(size_t i, size_t j, size_t m)
{
	return i * m - i * (i + 1) / 2 + (j - i - 1);
}

static double
dist_at(const double *dm, size_t i, size_t j, size_t m)
{
	return i < j ? dm[cidx(i, j, m)] : dm[cidx(j, i, m)];
}

int
gmm_hc_ward(const double *pts, size_t m, size_t d, size_t *a, size_t *b,
    double *h)
{
	double *dm = m > 1 ? malloc(m * (m - 1) / 2 * sizeof(double)) : NULL;
	size_t *size = malloc(m * sizeof(size_t));
	size_t *chain = malloc(m * sizeof(size_t));
	unsigned char *active = malloc(m);
	size_t top = 0;

	if ((m > 1 && dm == NULL) || size == NULL || chain == NULL ||
	    active == NULL) {
		free(dm);
		free(size);
		free(chain);
		free(active);
		return -1;
	}
	for (size_t i = 0; i < m; i++) {
		size[i] = 1;
		active[i] = 1;
		for (size_t j = i + 1; j < m; j++) {
			double s = 0;

			for (size_t q = 0; q < d; q++) {
				double t = pts[i * d + q] - pts[j * d + q];

				s += t * t;
			}
			dm[cidx(i, j, m)] = s;
		}
	}
	for (size_t t = 0; t + 1 < m; t++) {
		size_t x, y, p, q;
		double dpq;

		if (top == 0)
			for (size_t i = 0; i < m; i++)
				if (active[i]) {
					chain[top++] = i;
					break;
				}
		/* grow the chain of nearest neighbours until two are each
		 * other's: on a tie the previous link is kept, else the
		 * smallest index */
		for (;;) {
			size_t cur = chain[top - 1], nn = SIZE_MAX;
			double best = INFINITY;

			if (top >= 2) {
				nn = chain[top - 2];
				best = dist_at(dm, cur, nn, m);
			}
			for (size_t i = 0; i < m; i++) {
				double di;

				if (!active[i] || i == cur)
					continue;
				di = dist_at(dm, cur, i, m);
				if (di < best) {
					best = di;
					nn = i;
				}
			}
			if (top >= 2 && nn == chain[top - 2])
				break;
			chain[top++] = nn;
		}
		x = chain[--top];
		y = chain[--top];
		p = x < y ? x : y;
		q = x < y ? y : x;
		dpq = dist_at(dm, p, q, m);
		a[t] = p;
		b[t] = q;
		h[t] = dpq;
		/* Lance-Williams for Ward: the merged cluster keeps slot p */
		for (size_t i = 0; i < m; i++) {
			double ni, np, nq;

			if (!active[i] || i == p || i == q)
				continue;
			ni = (double)size[i];
			np = (double)size[p];
			nq = (double)size[q];
			dm[i < p ? cidx(i, p, m) : cidx(p, i, m)] = ((np + ni) *
			    dist_at(dm, p, i, m) + (nq + ni) * dist_at(dm, q, i,
			    m) - ni * dpq) / (np + nq + ni);
		}
		active[q] = 0;
		size[p] += size[q];
	}
	free(dm);
	free(size);
	free(chain);
	free(active);
	return 0;
}

static size_t
find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/*
 * mclust's "SVD" transformation of the m x d points in place: each column
 * centred and divided by its standard deviation (a constant one left at
 * 0), then projected on the principal axes of those, each axis divided by
 * the square root of its singular value (an axis with none: 0).  Above
 * GMM_SHAPE_MAX_D columns, standardised only.  0, or -1 when out of
 * memory.
 */
static int
svd_transform(double *pts, size_t m, size_t d)
{
	double *cov, *v, *eval, *row;
	int ret = -1;

	for (size_t j = 0; j < d; j++) {
		double mean = 0, var = 0;

		for (size_t s = 0; s < m; s++)
			mean += pts[s * d + j];
		mean /= (double)m;
		for (size_t s = 0; s < m; s++)
			var += (pts[s * d + j] - mean) * (pts[s * d + j] - mean);
		var /= (double)m;
		for (size_t s = 0; s < m; s++)
			pts[s * d + j] = var > 0 ? (pts[s * d + j] - mean) /
			    sqrt(var) : 0;
	}
	if (d > GMM_SHAPE_MAX_D)
		return 0;
	cov = calloc(d * d, sizeof(double));
	v = malloc(d * d * sizeof(double));
	eval = malloc(d * sizeof(double));
	row = malloc(d * sizeof(double));
	if (cov && v && eval && row) {
		gsl_matrix_view A = gsl_matrix_view_array(cov, d, d);
		gsl_matrix_view V = gsl_matrix_view_array(v, d, d);
		gsl_vector_view E = gsl_vector_view_array(eval, d);
		gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(d);

		/* X^T X: its eigenvalues are the squared singular values */
		for (size_t s = 0; s < m; s++)
			for (size_t a = 0; a < d; a++)
				for (size_t b = 0; b <= a; b++)
					cov[a * d + b] += pts[s * d + a] *
					    pts[s * d + b];
		for (size_t a = 0; a < d; a++)
			for (size_t b = 0; b < a; b++)
				cov[b * d + a] = cov[a * d + b];
		if (w != NULL && gsl_eigen_symmv(&A.matrix, &E.vector,
		    &V.matrix, w) == GSL_SUCCESS) {
			gsl_eigen_symmv_sort(&E.vector, &V.matrix,
			    GSL_EIGEN_SORT_VAL_DESC);
			for (size_t s = 0; s < m; s++) {
				for (size_t q = 0; q < d; q++) {
					double t = 0, sv = eval[q] > 0 ?
					    sqrt(sqrt(eval[q])) : 0;

					for (size_t j = 0; j < d; j++)
						t += pts[s * d + j] *
						    v[j * d + q];
					row[q] = sv > 0 && eval[q] > 1e-12 *
					    eval[0] ? t / sv : 0;
				}
				memcpy(pts + s * d, row, d * sizeof(double));
			}
			ret = 0;
		}
		if (w != NULL)
			gsl_eigen_symmv_free(w);
	}
	free(cov);
	free(v);
	free(eval);
	free(row);
	return ret;
}

/* A merge by its cost and the order it was found in (ties). */
struct merge {
	double h;
	size_t t;
};

static int
by_cost(const void *u, const void *v)
{
	const struct merge *a = u, *b = v;

	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->t < b->t ? -1 : a->t > b->t;
}

int
gmm_hc_labels(const struct gmm_data *x, size_t k, gsl_rng *rng,
    uint32_t *labels, struct gmm_error *err)
{
	size_t n = x->n, d = x->d, want = GMM_HC_MAX_ROWS > k ?
	    GMM_HC_MAX_ROWS : k, m = n < want ? n : want, got = 0;
	size_t *rows = malloc(m * sizeof(size_t));
	size_t *a = malloc(m * sizeof(size_t)), *b = malloc(m * sizeof(size_t));
	struct merge *order = malloc(m * sizeof(*order));
	size_t *parent = malloc(m * sizeof(size_t));
	uint32_t *name = malloc(m * sizeof(uint32_t));
	double *pts = malloc(m * d * sizeof(double));
	double *h = malloc(m * sizeof(double));
	uint32_t next = 0;
	int ret = -1;

	if (!rows || !a || !b || !order || !parent || !name || !pts || !h)
		goto out;
	/* the subset: selection sampling (Knuth's algorithm S), rows in
	 * order, each m-subset equally likely */
	for (size_t i = 0; i < n && got < m; i++)
		if (m == n || (double)(n - i) * gsl_rng_uniform(rng) <
		    (double)(m - got))
			rows[got++] = i;
	for (size_t s = 0; s < m; s++)
		gmm_data_row(x, rows[s], pts + s * d);
	if (svd_transform(pts, m, d) < 0 || gmm_hc_ward(pts, m, d, a, b, h) < 0)
		goto out;
	for (size_t t = 0; t + 1 < m; t++) {
		order[t].h = h[t];
		order[t].t = t;
	}
	qsort(order, m - 1, sizeof(*order), by_cost);
	for (size_t s = 0; s < m; s++)
		parent[s] = s;
	for (size_t t = 0; t + k < m; t++) {
		size_t u = find(parent, a[order[t].t]), v = find(parent,
		    b[order[t].t]);

		parent[u > v ? u : v] = u < v ? u : v;
	}
	for (size_t s = 0; s < m; s++)
		name[s] = UINT32_MAX;
	for (size_t i = 0; i < n; i++)
		labels[i] = GMM_HC_UNUSED;
	for (size_t s = 0; s < m; s++) {
		size_t r = find(parent, s);

		if (name[r] == UINT32_MAX)
			name[r] = next++;
		labels[rows[s]] = name[r];
	}
	ret = 0;
out:
	if (ret < 0)
		gmm_error_nomem(err);
	free(rows);
	free(a);
	free(b);
	free(order);
	free(parent);
	free(name);
	free(pts);
	free(h);
	return ret;
}
