/*
 * smem: the ranking of split-and-merge moves and the moves themselves.  A
 * merge keeps the pair's weight, mean and second moment; a split keeps the
 * component's weight, mean and covariance (its two halves' mixture); the
 * covariance forms (diag, spherical, tied) are kept.  Growing (select-k's
 * warm start) adds component k as half of the widest, the others as they
 * were, the split pair's weight and mean those of the component.
 * Shrinking (the warm start from k + 1) merges the overlapping pair into
 * the first's place and keeps the others in order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "engine/smem.h"

/* Components 0 and 1 overlap at the origin; 2 is wide, far; 3 is small. */
static struct gmm_model *
example(enum gmm_cov_type t)
{
	static const double mu[4][2] = { { 0, 0 }, { 0.1, 0 }, { 10, 0 },
		{ -10, 5 } };
	static const double var[4][2] = { { 1, 1 }, { 1, 1 }, { 9, 4 },
		{ 0.5, 0.5 } };
	struct gmm_model *m = gmm_model_new(4, 2, t);
	struct gmm_error err;

	for (size_t c = 0; c < 4; c++) {
		m->weights[c] = 0.25;
		memcpy(m->means + 2 * c, mu[c], sizeof(mu[c]));
		switch (t) {
		case GMM_COV_FULL:
			m->cov[4 * c] = var[c][0];
			m->cov[4 * c + 3] = var[c][1];
			m->cov[4 * c + 1] = m->cov[4 * c + 2] = 0.1;
			break;
		case GMM_COV_DIAG:
			m->cov[2 * c] = var[c][0];
			m->cov[2 * c + 1] = var[c][1];
			break;
		case GMM_COV_SPHERICAL:
			m->cov[c] = var[c][0];
			break;
		case GMM_COV_TIED:
			m->cov[0] = 2;
			m->cov[3] = 1;
			break;
		default:	/* scikit-learn's four are enough here */
			break;
		}
	}
	CHECK(gmm_model_prepare(m, &err) == 0, "prepare");
	return m;
}

static void
check_type(enum gmm_cov_type t)
{
	struct gmm_model *m = example(t), *out = NULL;
	struct gmm_smem_move mv[5];
	struct gmm_error err;
	double s0[4], s1[4], s2[4], w = 0;
	size_t count;

	CHECK(gmm_smem_candidates(m, mv, 5, &count, &err) == 0 && count == 5,
	    "%s: 5 candidates", gmm_cov_type_name(t));
	CHECK(mv[0].merge_a == 0 && mv[0].merge_b == 1,
	    "%s: the overlapping pair first: %zu %zu",
	    gmm_cov_type_name(t), mv[0].merge_a, mv[0].merge_b);
	if (t != GMM_COV_TIED)
		CHECK(mv[0].split == 2, "%s: the wide one split: %zu",
		    gmm_cov_type_name(t), mv[0].split);
	CHECK(gmm_smem_apply(m, &mv[0], &out, &err) == 0 && out != NULL,
	    "%s: apply", gmm_cov_type_name(t));
	if (out == NULL) {
		gmm_model_free(m);
		return;
	}
	for (size_t c = 0; c < 4; c++)
		w += out->weights[c];
	CHECK_REL(w, 1.0, 1e-15, "%s: weights sum to 1", gmm_cov_type_name(t));
	CHECK_REL(out->weights[0], 0.5, 1e-15, "merged weight");
	CHECK_TOL(out->means[0], 0.05, 1e-15, 1e-15, "merged mean");
	/* the merged second moment along x: 1 + 0.05^2 */
	gmm_model_component_cov(out, 0, s0);
	if (t == GMM_COV_FULL || t == GMM_COV_DIAG)
		CHECK_REL(s0[0], 1 + 0.0025, 1e-12, "%s: merged variance",
		    gmm_cov_type_name(t));
	/* the split halves: the same weight and mean as the component */
	CHECK_REL(out->weights[1] + out->weights[2], 0.25, 1e-15,
	    "split weights");
	for (size_t j = 0; j < 2; j++)
		CHECK_TOL(0.5 * (out->means[2 + j] + out->means[4 + j]),
		    m->means[4 + j], 1e-12, 1e-12, "%s: split mean %zu",
		    gmm_cov_type_name(t), j);
	/* and their mixture's covariance is the component's (full) */
	gmm_model_component_cov(out, 1, s1);
	gmm_model_component_cov(m, 2, s2);
	if (t == GMM_COV_FULL) {
		for (size_t a = 0; a < 2; a++)
			for (size_t b = 0; b < 2; b++) {
				double dm = out->means[2 + a] - m->means[4 + a];
				double dn = out->means[2 + b] - m->means[4 + b];

				CHECK_TOL(s1[2 * a + b] + dm * dn, s2[2 * a + b],
				    1e-9, 1e-9, "split covariance %zu %zu", a,
				    b);
			}
	}
	if (t == GMM_COV_TIED)
		CHECK(memcmp(out->cov, m->cov, 4 * sizeof(double)) == 0,
		    "tied: the shared covariance stays");
	gmm_model_free(out);
	gmm_model_free(m);
}

static void
check_grow(enum gmm_cov_type t)
{
	struct gmm_model *m = example(t), *g = NULL;
	struct gmm_error err;
	double w, mu[2];
	size_t sp;

	CHECK(gmm_smem_grow(m, &g, &err) == 0 && g != NULL, "grow %s",
	    gmm_cov_type_name(t));
	if (g == NULL) {
		gmm_model_free(m);
		return;
	}
	CHECK(g->k == 5 && g->cov_type == t, "k + 1 components");
	/* the split one lost half its weight to component 4: component 2
	 * (wide), or with one shared covariance the first of equals, 0 */
	for (sp = 0; sp < 3 && g->weights[sp] == m->weights[sp]; sp++)
		;
	CHECK(sp == (t == GMM_COV_TIED ? 0u : 2u), "%s: component %zu split",
	    gmm_cov_type_name(t), sp);
	for (size_t c = 0; c < 4; c++)
		if (c != sp)
			CHECK(g->weights[c] == m->weights[c] && g->means[2 * c]
			    == m->means[2 * c] && g->means[2 * c + 1] ==
			    m->means[2 * c + 1], "%s: component %zu kept",
			    gmm_cov_type_name(t), c);
	w = g->weights[sp] + g->weights[4];
	CHECK_TOL(w, m->weights[sp], 1e-15, 0, "%s: the pair's weight",
	    gmm_cov_type_name(t));
	for (size_t j = 0; j < 2; j++) {
		mu[j] = (g->weights[sp] * g->means[2 * sp + j] + g->weights[4] *
		    g->means[2 * 4 + j]) / w;
		CHECK_TOL(mu[j], m->means[2 * sp + j], 1e-12, 1e-12,
		    "%s: the pair's mean", gmm_cov_type_name(t));
	}
	CHECK(hypot(g->means[2 * sp] - g->means[2 * 4], g->means[2 * sp + 1] -
	    g->means[2 * 4 + 1]) > 0.5, "%s: apart", gmm_cov_type_name(t));
	CHECK(strcmp(g->columns[1], m->columns[1]) == 0, "columns kept");
	gmm_model_free(g);
	gmm_model_free(m);
}

static void
check_shrink(enum gmm_cov_type t)
{
	struct gmm_model *m = example(t), *g = NULL, *one = NULL;
	struct gmm_error err;
	double s0[4];

	CHECK(gmm_smem_shrink(m, &g, &err) == 0 && g != NULL, "shrink %s",
	    gmm_cov_type_name(t));
	if (g == NULL) {
		gmm_model_free(m);
		return;
	}
	CHECK(g->k == 3 && g->cov_type == t, "k - 1 components");
	CHECK_REL(g->weights[0], 0.5, 1e-15, "%s: the pair's weight",
	    gmm_cov_type_name(t));
	CHECK_TOL(g->means[0], 0.05, 1e-15, 1e-15, "%s: the pair's mean",
	    gmm_cov_type_name(t));
	gmm_model_component_cov(g, 0, s0);
	if (t == GMM_COV_FULL || t == GMM_COV_DIAG)
		CHECK_REL(s0[0], 1 + 0.0025, 1e-12, "%s: the pair's variance",
		    gmm_cov_type_name(t));
	for (size_t c = 1; c < 3; c++) {
		double a[4], b[4];

		gmm_model_component_cov(g, c, a);
		gmm_model_component_cov(m, c + 1, b);
		CHECK(g->weights[c] == m->weights[c + 1] && memcmp(g->means +
		    2 * c, m->means + 2 * (c + 1), 2 * sizeof(double)) == 0 &&
		    memcmp(a, b, sizeof(a)) == 0, "%s: component %zu kept as "
		    "%zu", gmm_cov_type_name(t), c + 1, c);
	}
	CHECK(strcmp(g->columns[1], m->columns[1]) == 0, "columns kept");
	/* from one component (k = 2 down to 1, then 1: nothing) */
	gmm_model_free(m);
	m = g;
	g = NULL;
	CHECK(gmm_smem_shrink(m, &g, &err) == 0 && g != NULL && g->k == 2,
	    "%s: 3 to 2", gmm_cov_type_name(t));
	CHECK(g != NULL && gmm_smem_shrink(g, &one, &err) == 0 &&
	    one != NULL && one->k == 1, "%s: 2 to 1", gmm_cov_type_name(t));
	gmm_model_free(g);
	g = NULL;
	CHECK(one != NULL && gmm_smem_shrink(one, &g, &err) == 0 && g == NULL,
	    "%s: none from 1", gmm_cov_type_name(t));
	if (one != NULL)
		CHECK_REL(one->weights[0], 1.0, 1e-15, "%s: one weight 1",
		    gmm_cov_type_name(t));
	gmm_model_free(one);
	gmm_model_free(m);
}

int
main(void)
{
	struct gmm_model *m = gmm_model_new(2, 2, GMM_COV_FULL);
	struct gmm_smem_move mv[5];
	struct gmm_error err;
	size_t count = 9;

	gsl_set_error_handler_off();
	for (int t = 0; t < 4; t++) {
		check_type((enum gmm_cov_type)t);
		check_grow((enum gmm_cov_type)t);
		check_shrink((enum gmm_cov_type)t);
	}
	m->weights[0] = m->weights[1] = 0.5;
	m->cov[0] = m->cov[3] = m->cov[4] = m->cov[7] = 1;
	CHECK(gmm_smem_candidates(m, mv, 5, &count, &err) == 0 && count == 0,
	    "k = 2: no move");
	gmm_model_free(m);
	return check_done("test_smem");
}
