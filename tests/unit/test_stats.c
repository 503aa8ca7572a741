/*
 * stats: sizes for every covariance model; zero, merge (fields summed,
 * the first of equally worst rows kept), copy; folding lane partial sums
 * in lane order; pack/unpack through a flat array bit for bit; and
 * recentring statistics from one set of shifts to another, against the
 * statistics gathered about the new shifts directly (a plain scalar
 * reference), for every model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/stats.h"

enum { N = 50, K = 3, D = 4 };

/* Statistics of rows x with responsibilities r about shifts s, plainly. */
static void
reference(struct gmm_stats *st, enum gmm_cov_type t, const double *x,
    const double *r, const double *s)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	gmm_stats_zero(st);
	for (size_t i = 0; i < N; i++)
		for (size_t c = 0; c < K; c++) {
			double w = r[i * K + c], z[D];

			for (size_t j = 0; j < D; j++)
				z[j] = x[i * D + j] - s[c * D + j];
			st->nk[c] += w;
			for (size_t j = 0; j < D; j++)
				st->sx[c * D + j] += w * z[j];
			if (cm->form == GMM_FORM_MATRIX) {
				double *a = st->sxx + gmm_covmodel_offset(cm, c,
				    D);

				for (size_t p = 0; p < D; p++)
					for (size_t q = 0; q <= p; q++)
						a[p * D + q] += w * z[p] * z[q];
			} else {
				for (size_t j = 0; j < D; j++)
					st->sxx[c * D + j] += w * z[j] * z[j];
			}
		}
}

static double
lcg(unsigned long *s)
{
	*s = *s * 6364136223846793005UL + 1442695040888963407UL;
	return (double)(*s >> 11) / 9007199254740992.0;
}

static void
check_model(enum gmm_cov_type t)
{
	const char *name = gmm_covmodel(t)->name;
	struct gmm_stats a, b, c;
	double x[N * D], r[N * K], s1[K * D], s2[K * D], *buf;
	unsigned long seed = 7 + (unsigned long)t;
	/* full, diag, spherical, tied, EII, EEI, EVI, EEV, EVV, VEI, VEV,
	 * VEE, EVE, VVE */
	size_t want_sxx[] = { K * D * D, K * D, K * D, D * D, K * D, K * D,
		K * D, K * D * D, K * D * D, K * D, K * D * D, K * D * D,
		K * D * D, K * D * D };
	int same = 1;

	CHECK(gmm_stats_sxx_size(t, K, D) == want_sxx[t], "%s: sxx %zu",
	    name, gmm_stats_sxx_size(t, K, D));
	CHECK(gmm_stats_alloc(&a, t, K, D, 0) == 0 &&
	    gmm_stats_alloc(&b, t, K, D, 0) == 0 &&
	    gmm_stats_alloc(&c, t, K, D, 1) == 0, "%s: alloc", name);
	CHECK(gmm_stats_bytes(t, K, D, 0) == 8 * (3 * K + K * D + a.nsxx),
	    "%s: bytes", name);
	CHECK(gmm_stats_bytes(t, K, D, 1) == gmm_stats_bytes(t, K, D, 0) +
	    8 * (c.nv + (c.vsxx ? c.nv : c.ntile)), "%s: bytes with lanes",
	    name);
	for (size_t i = 0; i < N * D; i++)
		x[i] = 10 * lcg(&seed) - 5;
	for (size_t i = 0; i < N; i++) {
		double sum = 0;

		for (size_t q = 0; q < K; q++)
			sum += r[i * K + q] = lcg(&seed) + 0.01;
		for (size_t q = 0; q < K; q++)
			r[i * K + q] /= sum;
	}
	for (size_t i = 0; i < K * D; i++) {
		s1[i] = 4 * lcg(&seed) - 2;
		s2[i] = 4 * lcg(&seed) - 2;
	}

	/* recentring from s1 to s2 = gathering about s2 */
	reference(&a, t, x, r, s1);
	reference(&b, t, x, r, s2);
	gmm_stats_recentre(&a, t, s1, s2);
	for (size_t i = 0; i < K * D; i++)
		CHECK(fabs(a.sx[i] - b.sx[i]) <= 1e-12 * (fabs(b.sx[i]) + 1),
		    "%s: recentred sx[%zu] %.17g, want %.17g", name, i,
		    a.sx[i], b.sx[i]);
	for (size_t i = 0; i < a.nsxx; i++)
		CHECK(fabs(a.sxx[i] - b.sxx[i]) <= 1e-12 * (fabs(b.sxx[i]) +
		    1), "%s: recentred sxx[%zu] %.17g, want %.17g", name, i,
		    a.sxx[i], b.sxx[i]);

	/* pack and unpack: the same bits */
	b.loglik = -123.456;
	b.worst = -9.75;
	b.worst_row = 4097;
	b.noise = 3.25;
	for (size_t c = 0; c < 2 * K; c++)
		b.fam[c] = 0.5 + (double)c;
	b.logmax = -7.5;
	buf = malloc(gmm_stats_packed_size(&b) * sizeof(double));
	CHECK(gmm_stats_packed_size(&b) == 5 + 3 * K + K * D + b.nsxx,
	    "%s: packed size", name);
	gmm_stats_pack(&b, buf);
	gmm_stats_zero(&a);
	gmm_stats_unpack(&a, buf);
	same = a.loglik == b.loglik && a.worst == b.worst &&
	    a.worst_row == b.worst_row && a.noise == b.noise &&
	    a.logmax == b.logmax &&
	    memcmp(a.fam, b.fam, 2 * K * sizeof(double)) == 0 &&
	    memcmp(a.nk, b.nk, K * sizeof(double)) == 0 &&
	    memcmp(a.sx, b.sx, K * D * sizeof(double)) == 0 &&
	    memcmp(a.sxx, b.sxx, a.nsxx * sizeof(double)) == 0;
	CHECK(same, "%s: pack, unpack: the same bits", name);
	free(buf);

	/* merge: sums add; the worst row is the strictly worse one */
	gmm_stats_copy(&a, &b);
	gmm_stats_merge(&a, &b);
	CHECK(a.loglik == 2 * b.loglik && a.nk[1] == 2 * b.nk[1] &&
	    a.noise == 2 * b.noise &&
	    a.sx[5] == 2 * b.sx[5] && a.sxx[a.nsxx - 1] ==
	    2 * b.sxx[b.nsxx - 1], "%s: merge adds", name);
	b.worst_row = 9;
	gmm_stats_merge(&a, &b);
	CHECK(a.worst_row == 4097, "%s: an equally bad later row does not "
	    "replace the first (%zu)", name, a.worst_row);
	b.worst = -10;
	gmm_stats_merge(&a, &b);
	CHECK(a.worst_row == 9 && a.worst == -10, "%s: a worse row does",
	    name);

	/* fold: lanes added in order into the sums */
	gmm_stats_zero(&c);
	CHECK(c.worst == INFINITY && c.worst_row == 0, "%s: zero", name);
	for (size_t i = 0; i < c.nv; i++)
		c.vsx[i] = (double)(i % VLEN) + 0.5;
	gmm_stats_fold(&c);
	CHECK(c.sx[K * D - 1] == VLEN * (VLEN - 1) / 2.0 + VLEN * 0.5,
	    "%s: folded sx %g", name, c.sx[K * D - 1]);
	gmm_stats_release(&a);
	gmm_stats_release(&b);
	gmm_stats_release(&c);
}

int
main(void)
{
	for (int t = 0; t < GMM_N_COVMODELS; t++)
		check_model((enum gmm_cov_type)t);
	CHECK(gmm_stats_tiles(4) == 1 && gmm_stats_tiles(5) == 3 &&
	    gmm_stats_tiles(16) == 10, "tiles of a lower triangle");
	return check_done("test_stats");
}
