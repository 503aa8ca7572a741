#include "engine/smem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#define POWER_ITER 50

/*
 * The largest eigenvalue of the symmetric d x d matrix s and its unit
 * eigenvector v, by power iteration (started on the largest diagonal
 * entry's axis); work holds d doubles.
 */
static double
principal(const double *s, size_t d, double *v, double *work)
{
	size_t top = 0;
	double lambda = 0;

	for (size_t j = 1; j < d; j++)
		if (s[j * d + j] > s[top * d + top])
			top = j;
	for (size_t j = 0; j < d; j++)
		v[j] = j == top ? 1 : 0.01;
	for (int it = 0; it < POWER_ITER; it++) {
		double norm = 0;

		for (size_t i = 0; i < d; i++) {
			double t = 0;

			for (size_t j = 0; j < d; j++)
				t += s[i * d + j] * v[j];
			work[i] = t;
			norm += t * t;
		}
		norm = sqrt(norm);
		if (!(norm > 0))
			break;
		for (size_t j = 0; j < d; j++)
			v[j] = work[j] / norm;
		lambda = norm;
	}
	return lambda;
}

/*
 * (a - b)^T ((sa + sb) / 2)^-1 (a - b) through a Cholesky factor of the
 * average (never an inverse); INFINITY when it has none.
 */
static double
overlap_distance(const double *a, const double *b, const double *sa,
    const double *sb, size_t d, double *avg, double *diff)
{
	gsl_matrix_view A = gsl_matrix_view_array(avg, d, d);
	gsl_vector_view x = gsl_vector_view_array(diff, d);
	double q = 0;

	for (size_t i = 0; i < d * d; i++)
		avg[i] = 0.5 * (sa[i] + sb[i]);
	for (size_t j = 0; j < d; j++)
		diff[j] = a[j] - b[j];
	if (gsl_linalg_cholesky_decomp1(&A.matrix) != GSL_SUCCESS)
		return INFINITY;
	/* L y = diff, then |y|^2 */
	gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &A.matrix,
	    &x.vector);
	for (size_t j = 0; j < d; j++)
		q += diff[j] * diff[j];
	return q;
}

struct pair {
	size_t a, b;
	double dist;
};

static int
by_dist(const void *x, const void *y)
{
	const struct pair *p = x, *q = y;

	return (p->dist > q->dist) - (p->dist < q->dist);
}

/*
 * The pairs of m's components, most overlapping first, into pairs
 * (k (k - 1) / 2 of them), and each component's weight times its largest
 * variance into spread (k); -1 when out of memory.
 */
static int
rank_pairs(const struct gmm_model *m, struct pair *pairs, double *spread)
{
	size_t k = m->k, d = m->d, dd = d * d, n = 0;
	double *sig = malloc((k * dd + dd + 3 * d) * sizeof(double));
	double *avg, *diff, *v;

	if (sig == NULL)
		return -1;
	avg = sig + k * dd;
	diff = avg + dd;
	v = diff + d;
	for (size_t c = 0; c < k; c++) {
		gmm_model_component_cov(m, c, sig + c * dd);
		spread[c] = m->weights[c] * principal(sig + c * dd, d, v,
		    diff);
	}
	for (size_t a = 0; a < k; a++)
		for (size_t b = a + 1; b < k; b++) {
			pairs[n].a = a;
			pairs[n].b = b;
			pairs[n++].dist = overlap_distance(m->means + a * d,
			    m->means + b * d, sig + a * dd, sig + b * dd, d,
			    avg, diff);
		}
	qsort(pairs, n, sizeof(*pairs), by_dist);
	free(sig);
	return 0;
}

int
gmm_smem_candidates(const struct gmm_model *m, struct gmm_smem_move *moves,
    size_t max, size_t *count, struct gmm_error *err)
{
	size_t k = m->k, np = k * (k - 1) / 2, n = np;
	double *spread = malloc(k * sizeof(double));
	struct pair *pairs = malloc((np ? np : 1) * sizeof(*pairs));

	*count = 0;
	if (spread == NULL || pairs == NULL ||
	    rank_pairs(m, pairs, spread) < 0) {
		free(spread);
		free(pairs);
		return gmm_error_nomem(err);
	}
	for (size_t p = 0; p < n && *count < max && k >= 3; p++) {
		size_t split = k;

		for (size_t c = 0; c < k; c++)
			if (c != pairs[p].a && c != pairs[p].b &&
			    (split == k || spread[c] > spread[split]))
				split = c;
		moves[*count].merge_a = pairs[p].a;
		moves[*count].merge_b = pairs[p].b;
		moves[*count].split = split;
		(*count)++;
	}
	free(spread);
	free(pairs);
	return 0;
}

/* Write the full covariance s into component c's slot of m's form. */
static void
set_cov(struct gmm_model *m, size_t c, const double *s)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);

	if (cm->shared)
		return;		/* shared: means and weights move alone */
	gmm_covmodel_from_full(cm, s, m->d, m->cov + gmm_covmodel_offset(cm,
	    c, m->d));
}

/* Merge b into a: weight, mean and second moment of the pair. */
static void
merge(struct gmm_model *m, size_t a, size_t b, double *sa, double *sb,
    double *mu)
{
	size_t d = m->d;
	double wa = m->weights[a], wb = m->weights[b], w = wa + wb;
	const double *ma = m->means + a * d, *mb = m->means + b * d;

	gmm_model_component_cov(m, a, sa);
	gmm_model_component_cov(m, b, sb);
	for (size_t j = 0; j < d; j++)
		mu[j] = w > 0 ? (wa * ma[j] + wb * mb[j]) / w : ma[j];
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++)
			sa[i * d + j] = w > 0 ? (wa * (sa[i * d + j] +
			    (ma[i] - mu[i]) * (ma[j] - mu[j])) + wb *
			    (sb[i * d + j] + (mb[i] - mu[i]) * (mb[j] -
			    mu[j]))) / w : sa[i * d + j];
	m->weights[a] = w;
	/* a t's degrees of freedom: the pair's weighted mean */
	m->df[a] = w > 0 ? (wa * m->df[a] + wb * m->df[b]) / w : m->df[a];
	memcpy(m->means + a * d, mu, d * sizeof(double));
	set_cov(m, a, sa);
}

/* Split l into l and b along the principal axis of its covariance. */
static void
split(struct gmm_model *m, size_t l, size_t b, double *s, double *v,
    double *work)
{
	size_t d = m->d;
	double lambda, off;

	gmm_model_component_cov(m, l, s);
	lambda = principal(s, d, v, work);
	off = sqrt(3 * lambda) / 2;
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++)
			s[i * d + j] -= 0.75 * lambda * v[i] * v[j];
	m->weights[l] /= 2;
	m->weights[b] = m->weights[l];
	m->df[b] = m->df[l];
	for (size_t j = 0; j < d; j++) {
		double mu = m->means[l * d + j];

		m->means[l * d + j] = mu + off * v[j];
		m->means[b * d + j] = mu - off * v[j];
	}
	set_cov(m, l, s);
	set_cov(m, b, s);
}

int
gmm_smem_apply(const struct gmm_model *m, const struct gmm_smem_move *mv,
    struct gmm_model **out, struct gmm_error *err)
{
	size_t d = m->d, dd = d * d;
	struct gmm_model *c = gmm_model_dup(m);
	double *s = malloc((2 * dd + 3 * d) * sizeof(double));
	struct gmm_error sub;

	*out = NULL;
	if (c == NULL || s == NULL) {
		gmm_model_free(c);
		free(s);
		return gmm_error_nomem(err);
	}
	merge(c, mv->merge_a, mv->merge_b, s, s + dd, s + 2 * dd);
	split(c, mv->split, mv->merge_b, s, s + 2 * dd, s + 2 * dd + d);
	free(s);
	if (gmm_model_prepare(c, &sub) < 0) {
		gmm_model_free(c);	/* not positive definite: skip it */
		return 0;
	}
	*out = c;
	return 0;
}

/* A factor model's loadings and psi of n components from m's `from` on
 * into c's `to` on (nothing for other models). */
static void
copy_factors(struct gmm_model *c, size_t to, const struct gmm_model *m,
    size_t from, size_t n)
{
	size_t d = m->d, q = m->factors, np = m->cov_type == GMM_COV_MFA ? d :
	    1;

	if (q == 0)
		return;
	memcpy(c->loadings + to * d * q, m->loadings + from * d * q,
	    n * d * q * sizeof(double));
	memcpy(c->psi + to * np, m->psi + from * np, n * np * sizeof(double));
}

/* A zeroed model of k components with m's d, covariance model, family,
 * noise component and column names; NULL when out of memory. */
static struct gmm_model *
model_like(const struct gmm_model *m, size_t k)
{
	struct gmm_model *c = gmm_model_new(k, m->d, m->cov_type);

	if (c == NULL)
		return NULL;
	c->family = m->family;
	c->noise = m->noise;
	c->noise_vinv = m->noise_vinv;
	c->noise_weight = m->noise_weight;
	c->df_fixed = m->df_fixed;
	if (m->factors > 0 && gmm_model_set_factors(c, m->factors) < 0) {
		gmm_model_free(c);
		return NULL;
	}
	for (size_t j = 0; j < m->d; j++)
		if (gmm_model_set_column(c, j, m->columns[j]) < 0) {
			gmm_model_free(c);
			return NULL;
		}
	return c;
}

int
gmm_smem_grow(const struct gmm_model *m, struct gmm_model **out,
    struct gmm_error *err)
{
	size_t k = m->k, d = m->d, dd = d * d, widest = 0;
	struct gmm_model *c = model_like(m, k + 1);
	double *s = malloc((dd + 3 * d) * sizeof(double)), best = -1;
	struct gmm_error sub;

	*out = NULL;
	if (c == NULL || s == NULL) {
		gmm_model_free(c);
		free(s);
		return gmm_error_nomem(err);
	}
	memcpy(c->weights, m->weights, k * sizeof(double));
	memcpy(c->df, m->df, k * sizeof(double));
	memcpy(c->means, m->means, k * d * sizeof(double));
	copy_factors(c, 0, m, 0, k);
	/* one covariance after another: the first k are m's */
	memcpy(c->cov, m->cov, gmm_cov_size(m->cov_type, k, d) *
	    sizeof(double));
	for (size_t q = 0; q < k; q++) {
		double w;

		gmm_model_component_cov(m, q, s);
		w = m->weights[q] * principal(s, d, s + dd, s + dd + 2 * d);
		if (w > best) {
			best = w;
			widest = q;
		}
	}
	copy_factors(c, k, m, widest, 1);	/* the split one's, to start */
	split(c, widest, k, s, s + dd, s + dd + 2 * d);
	free(s);
	if (gmm_model_prepare(c, &sub) < 0) {
		gmm_model_free(c);	/* not positive definite: no start */
		return 0;
	}
	*out = c;
	return 0;
}

int
gmm_smem_shrink(const struct gmm_model *m, struct gmm_model **out,
    struct gmm_error *err)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t k = m->k, d = m->d, dd = d * d, per = gmm_covmodel_per(cm, d);
	size_t np = k * (k - 1) / 2, a, b;
	struct pair *pairs = malloc((np ? np : 1) * sizeof(*pairs));
	double *s = malloc((2 * dd + d + k) * sizeof(double));
	struct gmm_model *w = NULL, *c = NULL;
	struct gmm_error sub;

	*out = NULL;
	if (k < 2) {
		free(pairs);
		free(s);
		return 0;
	}
	if (pairs == NULL || s == NULL || rank_pairs(m, pairs,
	    s + 2 * dd + d) < 0 || (w = gmm_model_dup(m)) == NULL ||
	    (c = model_like(m, k - 1)) == NULL)
		goto nomem;
	a = pairs[0].a;
	b = pairs[0].b;
	merge(w, a, b, s, s + dd, s + 2 * dd);
	for (size_t q = 0, t = 0; q < k; q++) {
		if (q == b)
			continue;
		c->weights[t] = w->weights[q];
		c->df[t] = w->df[q];
		copy_factors(c, t, w, q, 1);
		memcpy(c->means + t * d, w->means + q * d,
		    d * sizeof(double));
		if (!cm->shared)
			memcpy(c->cov + t * per, w->cov + q * per,
			    per * sizeof(double));
		t++;
	}
	if (cm->shared)
		memcpy(c->cov, w->cov, per * sizeof(double));
	gmm_model_free(w);
	free(pairs);
	free(s);
	if (gmm_model_prepare(c, &sub) < 0) {
		gmm_model_free(c);	/* not positive definite: no start */
		return 0;
	}
	*out = c;
	return 0;
nomem:
	gmm_model_free(w);
	gmm_model_free(c);
	free(pairs);
	free(s);
	return gmm_error_nomem(err);
}
