/*
 * mstep: each covariance model's M-step from statistics gathered about an
 * arbitrary shift against the weighted covariance about the weighted mean
 * computed directly from rows and responsibilities (two passes); the
 * stored forms (full, diagonal, spherical, shared); reg on the variances;
 * and a component sitting on one point gets exactly reg, never less.
 * For scikit-learn's four models; the others are checked against mclust
 * by test_mclust.  The iterative M-steps (VEI, VEV, VEE, EVE, VVE): a
 * second M-step from the same statistics starts where the first ended
 * (one or two inner iterations, the same covariances), except VEE's,
 * which starts afresh as mclust's does; gmm_mstep_work_cold() gives back
 * the first M-step bitwise; a component that the model cannot take (a
 * singular scatter) fails, naming it.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "engine/covmodel.h"
#include "engine/mstep.h"
#include "engine/stats.h"

#define N 60
#define D 3
#define K 3

static double x[N][D], r[N][K], shift[K][D];

/* The statistics of x, r about shift, as stats.h defines them. */
static void
gather(struct gmm_stats *st, const struct gmm_covmodel *cm)
{
	gmm_stats_zero(st);
	for (size_t c = 0; c < K; c++)
		for (size_t i = 0; i < N; i++) {
			double *sxx = st->sxx + (cm->form == GMM_FORM_MATRIX ?
			    (cm->shared ? 0 : c) * D * D : c * D);

			st->nk[c] += r[i][c];
			for (size_t j = 0; j < D; j++) {
				double t = x[i][j] - shift[c][j];

				st->sx[c * D + j] += r[i][c] * t;
				if (cm->form != GMM_FORM_MATRIX) {
					sxx[j] += r[i][c] * t * t;
					continue;
				}
				for (size_t l = 0; l <= j; l++)
					sxx[j * D + l] += r[i][c] * t *
					    (x[i][l] - shift[c][l]);
			}
		}
}

/* Component c's weighted covariance about its weighted mean, directly. */
static void
direct(size_t c, double cov[D][D], double *nk)
{
	double mean[D] = { 0 };

	*nk = 0;
	for (size_t i = 0; i < N; i++) {
		*nk += r[i][c];
		for (size_t j = 0; j < D; j++)
			mean[j] += r[i][c] * x[i][j];
	}
	for (size_t j = 0; j < D; j++)
		mean[j] /= *nk;
	for (size_t j = 0; j < D; j++)
		for (size_t l = 0; l < D; l++) {
			double s = 0;

			for (size_t i = 0; i < N; i++)
				s += r[i][c] * (x[i][j] - mean[j]) *
				    (x[i][l] - mean[l]);
			cov[j][l] = s / *nk;
		}
}

static void
check_model(enum gmm_cov_type t, double reg)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);
	struct gmm_stats st;
	double cov[K * D * D], want[K][D][D], nk[K], tied[D][D] = { { 0 } };
	double total = 0;

	CHECK(gmm_stats_alloc(&st, t, K, D, 0) == 0, "alloc");
	gather(&st, cm);
	CHECK(cm->mstep(&st, reg, cov, NULL) == 0, "%s", cm->name);
	for (size_t c = 0; c < K; c++) {
		direct(c, want[c], &nk[c]);
		total += nk[c];
		for (size_t j = 0; j < D; j++)
			for (size_t l = 0; l < D; l++)
				tied[j][l] += nk[c] * want[c][j][l];
	}
	for (size_t c = 0; c < K; c++)
		for (size_t j = 0; j < D; j++)
			for (size_t l = 0; l < D; l++) {
				double w = cm->shared ? tied[j][l] / total :
				    want[c][j][l], sp = 0;

				w += j == l ? reg : 0;
				if (cm->form == GMM_FORM_MATRIX) {
					CHECK_TOL(cov[(cm->shared ? 0 : c) * D
					    * D + j * D + l], w, 1e-12, 1e-14,
					    "%s [%zu][%zu][%zu]", cm->name, c, j,
					    l);
				} else if (cm->form == GMM_FORM_DIAGONAL &&
				    j == l) {
					CHECK_TOL(cov[c * D + j], w, 1e-12,
					    1e-14, "%s [%zu][%zu]", cm->name, c,
					    j);
				} else if (j == 0 && l == 0) {
					for (size_t q = 0; q < D; q++)
						sp += want[c][q][q];
					CHECK_TOL(cov[c], sp / D + reg, 1e-12,
					    1e-14, "%s [%zu]", cm->name, c);
				}
			}
	gmm_stats_release(&st);
}

static void
check_warm(enum gmm_cov_type t)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);
	struct gmm_stats st;
	struct gmm_mstep_work w;
	size_t size = gmm_covmodel_count(cm, K) * gmm_covmodel_per(cm, D);
	double c1[K * D * D], c2[K * D * D], c3[K * D * D];
	size_t in1, in2;

	CHECK(gmm_stats_alloc(&st, t, K, D, 0) == 0, "alloc");
	CHECK(gmm_mstep_work_alloc(&w, t, K, D, 0) == 0, "work");
	gather(&st, cm);
	CHECK(cm->mstep(&st, 0, c1, &w) == 0, "%s cold", cm->name);
	in1 = w.inner;
	CHECK(cm->mstep(&st, 0, c2, &w) == 0, "%s again", cm->name);
	in2 = w.inner;
	if (t == GMM_COV_VEE)
		CHECK(in2 == in1, "VEE starts afresh: %zu, %zu", in1, in2);
	else
		CHECK(in1 > 3 && in2 <= 2, "%s warm: %zu inner iterations, "
		    "then %zu", cm->name, in1, in2);
	/* EVE and VVE stop on the change of their objective, with O still
	 * about 1e-6 from the fixed point (mstep.h) */
	for (size_t i = 0; i < size; i++)
		CHECK_TOL(c2[i], c1[i], 0, (t == GMM_COV_EVE || t ==
		    GMM_COV_VVE ? 1e-5 : 1e-9) * sqrt(fabs(c1[0] * c1[size -
		    1])), "%s warm %zu", cm->name, i);
	gmm_mstep_work_cold(&w);
	CHECK(cm->mstep(&st, 0, c3, &w) == 0 && w.inner == in1 &&
	    memcmp(c3, c1, size * sizeof(double)) == 0, "%s cold again",
	    cm->name);
	/* component 1 on one row (VEI, VEV: no scatter at all) or two
	 * (the others: a singular scatter) */
	for (size_t i = 0; i < N; i++) {
		double s = 0;

		r[i][1] = i == 5 || (i == 6 && t != GMM_COV_VEI && t !=
		    GMM_COV_VEV) ? 1 : 0;
		for (size_t c = 0; c < K; c++)
			s += r[i][c] = c == 1 ? r[i][1] : r[i][1] > 0 ? 0 :
			    0.5;
		(void)s;
	}
	gather(&st, cm);
	gmm_mstep_work_cold(&w);
	w.failed = 99;
	CHECK(cm->mstep(&st, 1e-6, c1, &w) < 0 && w.failed == 1,
	    "%s fails on a singular component 1 (%zu)", cm->name, w.failed);
	gmm_mstep_work_release(&w);
	gmm_stats_release(&st);
}

int
main(void)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);

	for (size_t i = 0; i < N; i++) {
		double s = 0;

		for (size_t j = 0; j < D; j++)
			x[i][j] = 10 * gsl_rng_uniform(g) - 5 + (double)j;
		for (size_t c = 0; c < K; c++)
			s += r[i][c] = 0.1 + gsl_rng_uniform(g);
		for (size_t c = 0; c < K; c++)
			r[i][c] /= s;
	}
	for (size_t c = 0; c < K; c++)
		for (size_t j = 0; j < D; j++)
			shift[c][j] = 3 * gsl_rng_uniform(g) - 1.5;
	/* scikit-learn's four (the others: test_mclust, against mclust) */
	for (int t = 0; t < GMM_N_COVMODELS; t++) {
		if (!gmm_covmodel((enum gmm_cov_type)t)->sklearn)
			continue;
		check_model((enum gmm_cov_type)t, 0);
		check_model((enum gmm_cov_type)t, 1e-3);
	}
	for (int t = 0; t < GMM_N_COVMODELS; t++) {
		const char *m = gmm_covmodel((enum gmm_cov_type)t)->mclust;

		if (strstr("VEI VEV VEE EVE VVE", m) != NULL) {
			double keep[N][K];

			memcpy(keep, r, sizeof(r));
			check_warm((enum gmm_cov_type)t);
			memcpy(r, keep, sizeof(r));
		}
	}
	/* every row at one point, far from the shift: the variances cancel
	 * to about 0 and must come out as reg exactly, never below */
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < D; j++)
			x[i][j] = 1e3 + 0.1 * (double)j;
	for (int t = GMM_COV_DIAG; t <= GMM_COV_SPHERICAL; t++) {
		const struct gmm_covmodel *cm = gmm_covmodel(t);
		struct gmm_stats st;
		double cov[K * D];

		CHECK(gmm_stats_alloc(&st, t, K, D, 0) == 0, "alloc");
		gather(&st, cm);
		CHECK(cm->mstep(&st, 1e-6, cov, NULL) == 0, "%s", cm->name);
		for (size_t i = 0; i < gmm_covmodel_count(cm, K) *
		    gmm_covmodel_per(cm, D); i++)
			CHECK(cov[i] >= 1e-6 && cov[i] < 1e-6 + 1e-9,
			    "%s one point: %a", cm->name, cov[i]);
		gmm_stats_release(&st);
	}
	gsl_rng_free(g);
	return check_done("test_mstep");
}
