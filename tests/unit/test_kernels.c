/*
 * kernels: every kernel of every table this processor runs
 * (engine/kernels.h), by its wide and its narrow paths, against a plain
 * scalar reference written here from the contract: the transposition
 * exactly, distances, responsibilities and statistics to rounding, exp and
 * log within 2 ulp of libm's.  The wide and narrow paths of one table must
 * agree bitwise.  A table this processor cannot run is reported and
 * skipped (AVX-512 here: the build has it, the machine does not).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "base/consts.h"
#include "engine/kernels.h"
#include "engine/model.h"
#include "engine/stats.h"
#include "engine/vec.h"

#define B GMM_BLOCK_ROWS
#define TOL 1e-12

static const struct gmm_kernels *kt;	/* the table under test */
static const char *path;		/* "wide" or "narrow" */

static size_t
pad_to(size_t n, size_t m)
{
	return (n + m - 1) / m * m;
}

/* rows x d uniform in [-2, 2), row-major, and the same by columns */
static void
random_block(gsl_rng *r, size_t rows, size_t d, double *x, double *xt)
{
	for (size_t i = 0; i < rows * d; i++)
		x[i] = 4 * gsl_rng_uniform(r) - 2;
	for (size_t j = 0; j < d; j++) {
		for (size_t i = 0; i < rows; i++)
			xt[j * B + i] = x[i * d + j];
		for (size_t i = rows; i < pad_to(rows, GMM_ROW_GROUP); i++)
			xt[j * B + i] = 0;
	}
}

static void
check_transpose(gsl_rng *r, size_t rows, size_t d)
{
	double *x = malloc(rows * d * sizeof(double));
	double *want = gmm_doubles_new(B * d), *got = gmm_doubles_new(B * d);

	random_block(r, rows, d, x, want);
	for (size_t i = 0; i < B * d; i++)
		got[i] = NAN;
	kt->transpose(x, rows, d, got);
	for (size_t j = 0; j < d; j++)
		for (size_t i = 0; i < pad_to(rows, GMM_ROW_GROUP); i++)
			CHECK(got[j * B + i] == want[j * B + i],
			    "%s %s transpose rows %zu d %zu [%zu][%zu]",
			    kt->name, path, rows, d, j, i);
	free(x);
	free(want);
	free(got);
}

/* A lower factor with a diagonal in [1, 2) and small entries below. */
static void
random_factor(gsl_rng *r, size_t d, double *l)
{
	for (size_t i = 0; i < d; i++)
		for (size_t j = 0; j < d; j++)
			l[i * d + j] = j > i ? 0 : j == i ? 1 +
			    gsl_rng_uniform(r) : 0.6 * gsl_rng_uniform(r) - 0.3;
}

static double
maha_chol_ref(const double *x, size_t d, const double *l, const double *mu)
{
	double y[64], s = 0;

	for (size_t j = 0; j < d; j++) {
		double t = x[j] - mu[j];

		for (size_t q = 0; q < j; q++)
			t -= l[j * d + q] * y[q];
		y[j] = t / l[j * d + j];
		s += y[j] * y[j];
	}
	return s;
}

static void
check_maha_chol(gsl_rng *r, size_t rows, size_t d)
{
	double *x = malloc(rows * d * sizeof(double)), *xt = gmm_doubles_new(B
	    * d), *out = gmm_doubles_new(B), *y = gmm_doubles_new(
	    (GMM_ROW_GROUP + 1) * d), l[64 * 64], mu[64];
	double a = -1.5, b = -0.5;

	random_block(r, rows, d, x, xt);
	random_factor(r, d, l);
	for (size_t j = 0; j < d; j++)
		mu[j] = gsl_rng_uniform(r) - 0.5;
	kt->maha_chol(xt, pad_to(rows, GMM_ROW_GROUP), d, l, mu, a, b, out,
	    y);
	for (size_t i = 0; i < rows; i++) {
		double m = maha_chol_ref(x + i * d, d, l, mu);

		CHECK_TOL(out[i], a + b * m, TOL, TOL, "%s %s maha_chol rows "
		    "%zu d %zu row %zu", kt->name, path, rows, d, i);
	}
	free(x);
	free(xt);
	free(out);
	free(y);
}

/* maha_factor against the written-out Woodbury form: sum_j p_j t_j^2 -
 * sum_a (sum_j G_aj t_j)^2, for q = 1 .. min(3, d - 1) */
static void
check_maha_factor(gsl_rng *r, size_t rows, size_t d)
{
	double *x = malloc(rows * d * sizeof(double)), *xt = gmm_doubles_new(B
	    * d), *out = gmm_doubles_new(B), *z = gmm_doubles_new(
	    (GMM_ROW_GROUP + 1) * d), g[3 * 64], p[64], mu[64];
	double a = -1.5, b = -0.5;

	random_block(r, rows, d, x, xt);
	for (size_t j = 0; j < d; j++) {
		mu[j] = gsl_rng_uniform(r) - 0.5;
		p[j] = 0.5 + gsl_rng_uniform(r);
	}
	for (size_t i = 0; i < 3 * d; i++)
		g[i] = 0.6 * gsl_rng_uniform(r) - 0.3;
	for (size_t q = 1; q <= 3 && q < d; q++) {
		kt->maha_factor(xt, pad_to(rows, GMM_ROW_GROUP), d, q, mu, p, g,
		    a, b, out, z);
		for (size_t i = 0; i < rows; i++) {
			double s = 0;

			for (size_t j = 0; j < d; j++) {
				double t = x[i * d + j] - mu[j];

				s += p[j] * t * t;
			}
			for (size_t c = 0; c < q; c++) {
				double u = 0;

				for (size_t j = 0; j < d; j++)
					u += g[c * d + j] * (x[i * d + j] -
					    mu[j]);
				s -= u * u;
			}
			CHECK_TOL(out[i], a + b * s, TOL, TOL, "%s %s "
			    "maha_factor rows %zu d %zu q %zu row %zu",
			    kt->name, path, rows, d, q, i);
		}
	}
	free(x);
	free(xt);
	free(out);
	free(z);
}

/* nc components, diagonal (pstride 1) or spherical (pstride 0) */
static void
check_maha_var(gsl_rng *r, size_t rows, size_t d, size_t nc, int diag)
{
	double *x = malloc(rows * d * sizeof(double)), *xt = gmm_doubles_new(B
	    * d), *out = gmm_doubles_new(B * nc), mu[4 * 64], p[4 * 64];
	double a[4], b = -0.5;
	size_t cstride = diag ? d : 1;

	random_block(r, rows, d, x, xt);
	for (size_t q = 0; q < nc; q++) {
		a[q] = -(double)q - 1;
		for (size_t j = 0; j < d; j++) {
			mu[q * d + j] = gsl_rng_uniform(r) - 0.5;
			p[q * cstride + j * diag] = 0.5 + gsl_rng_uniform(r);
		}
	}
	kt->maha_var(xt, pad_to(rows, GMM_ROW_GROUP), d, mu, p, diag, cstride,
	    a, b, out, nc);
	for (size_t q = 0; q < nc; q++)
		for (size_t i = 0; i < rows; i++) {
			double s = 0;

			for (size_t j = 0; j < d; j++) {
				double t = x[i * d + j] - mu[q * d + j];

				s += t * t * p[q * cstride + j * diag];
			}
			CHECK_TOL(out[q * B + i], a[q] + b * s, TOL, TOL,
			    "%s %s maha_var %s nc %zu rows %zu d %zu [%zu][%zu]",
			    kt->name, path, diag ? "diag" : "spherical", nc,
			    rows, d, q, i);
		}
	free(x);
	free(xt);
	free(out);
}

/* Log joints spread over 800 so that some responsibilities underflow;
 * the last row, when rows > 1, is -inf everywhere. */
static void
check_resp(gsl_rng *r, size_t rows, size_t k)
{
	size_t pad = pad_to(rows, GMM_ROW_GROUP);
	double *lp = gmm_doubles_new(B * k), *orig = malloc(B * k *
	    sizeof(double)), *ld = malloc(B * sizeof(double));

	for (size_t c = 0; c < k; c++)
		for (size_t i = 0; i < pad; i++)
			lp[c * B + i] = -800 * gsl_rng_uniform(r) + 50;
	if (rows > 1)
		for (size_t c = 0; c < k; c++)
			lp[c * B + rows - 1] = -INFINITY;
	memcpy(orig, lp, B * k * sizeof(double));
	kt->resp(lp, rows, k, ld);
	for (size_t i = 0; i < rows; i++) {
		double mx = -INFINITY, s = 0, sum = 0;

		for (size_t c = 0; c < k; c++)
			mx = fmax(mx, orig[c * B + i]);
		if (mx == -INFINITY) {
			CHECK(ld[i] == -INFINITY, "%s %s resp: no component, "
			    "log density %g", kt->name, path, ld[i]);
			for (size_t c = 0; c < k; c++)
				CHECK(lp[c * B + i] == 1.0 / (double)k,
				    "%s %s resp: uniform", kt->name, path);
			continue;
		}
		for (size_t c = 0; c < k; c++)
			s += exp(orig[c * B + i] - mx);
		CHECK_TOL(ld[i], mx + log(s), TOL, TOL, "%s %s resp log "
		    "density rows %zu k %zu row %zu", kt->name, path, rows, k,
		    i);
		for (size_t c = 0; c < k; c++) {
			double want = exp(orig[c * B + i] - mx) / s;

			if (want < DBL_MIN)
				CHECK(lp[c * B + i] == 0 || lp[c * B + i]
				    <= 2 * DBL_MIN, "%s %s tiny resp %a",
				    kt->name, path, lp[c * B + i]);
			else
				CHECK_TOL(lp[c * B + i], want, TOL, 0,
				    "%s %s resp [%zu][%zu]", kt->name, path, c,
				    i);
			sum += lp[c * B + i];
		}
		CHECK_TOL(sum, 1, 0, 4 * (double)k * DBL_EPSILON, "%s %s resp "
		    "sum", kt->name, path);
	}
	free(lp);
	free(orig);
	free(ld);
}

/* ulps between a and b, both finite and positive */
static double
ulps(double a, double b)
{
	return fabs(a - b) / (nextafter(fmax(a, b), INFINITY) - fmax(a, b));
}

/*
 * A vector function f on lengths 0 to 17, arguments x0 + i step: the first
 * len values within 2 ulp of libm's (ref, positive results), the rest as
 * they were, whatever the length's tail.
 */
static void
check_tails(const char *name, void (*f)(double *, size_t),
    double (*ref)(double), double x0, double step)
{
	double v[20];

	for (size_t len = 0; len <= 17; len++) {
		for (size_t i = 0; i < 20; i++)
			v[i] = x0 + step * (double)i;
		f(v, len);
		for (size_t i = 0; i < 20; i++) {
			double x = x0 + step * (double)i;

			CHECK(i < len ? ulps(v[i], ref(x)) <= 2 : v[i] == x,
			    "%s %s len %zu [%zu] = %g", kt->name, name, len, i,
			    v[i]);
		}
	}
}

/*
 * exp against libm's, which is within 1 ulp: at most 2 ulp apart where
 * the result is normal, one step of 2^-1074 below, exactly 0 under
 * ln(2^-1075) and for -inf, exactly 1 at 0; lengths off the vector width
 * take the tail path.
 */
static void
check_exp(gsl_rng *r)
{
	size_t n = 200003;
	double *v = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
	double worst = 0, at = 0;
	static const double special[] = {
		0, -0.0, -1e-300, -4.9e-324, -0x1.62e42fefa39efp-2,
		-0x1.62e42fefa39efp-1, -1, -708.3964185322641,
		-708.4, -745.1332191019411, -745.1332191019412, -745.2,
		-1e300, -INFINITY,
	};

	for (size_t i = 0; i < n; i++) {
		double u = gsl_rng_uniform(r);

		/* half spread over [-750, 0], half over [-2, 0] */
		x[i] = i % 2 ? -750 * u : -2 * u;
	}
	memcpy(x, special, sizeof(special));
	memcpy(v, x, n * sizeof(double));
	kt->exp_nonpos(v, n);
	for (size_t i = 0; i < n; i++) {
		double want = exp(x[i]);

		if (want >= DBL_MIN) {
			double e = ulps(v[i], want);

			if (e > worst)
				worst = e, at = x[i];
		} else {
			CHECK(fabs(v[i] - want) <= 0x1p-1074, "%s exp(%a) = %a, "
			    "libm %a", kt->name, x[i], v[i], want);
		}
	}
	CHECK(worst <= 2, "%s exp: %g ulp at %a", kt->name, worst, at);
	CHECK(v[0] == 1 && v[1] == 1, "exp(0) = %a, exp(-0) = %a", v[0], v[1]);
	CHECK(v[11] == 0 && v[13] == 0, "exp(-745.2) = %a, exp(-inf) = %a",
	    v[11], v[13]);
	check_tails("exp", kt->exp_nonpos, exp, 0, -1);
	printf("%s exp_nonpos: worst %.3g ulp at %a over %zu arguments\n",
	    kt->name, worst, at, n);
	free(v);
	free(x);
}

/*
 * log against libm's, which is within 1 ulp: at most 2 ulp apart over the
 * normal numbers (exponents spread evenly), of the sign of libm's, exactly
 * 0 at 1 and ln 2 correctly rounded at 2; lengths off the vector width
 * take the tail path.
 */
static void
check_log(gsl_rng *r)
{
	size_t n = 200003;
	double *v = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
	double worst = 0, at = 0;
	static const double special[] = {
		1, 2, 0.5, 0x1.6a09e667f3bcdp0, 0x1.6a09e667f3bccp0,
		0x1.6a09e667f3bcdp-1, 0x1.0000000000001p0, 0x1.fffffffffffffp-1,
		DBL_MIN, DBL_MAX, 16, 1e300,
	};

	for (size_t i = 0; i < n; i++) {
		double u = gsl_rng_uniform(r);

		/* half any normal number, half in [1, 64] (log sums) */
		x[i] = i % 2 ? ldexp(1 + u, (int)gsl_rng_uniform_int(r, 2046)
		    - 1022) : 1 + 63 * u;
	}
	memcpy(x, special, sizeof(special));
	memcpy(v, x, n * sizeof(double));
	kt->log_normal(v, n);
	for (size_t i = 1; i < n; i++) {
		double e = ulps(fabs(v[i]), fabs(log(x[i])));

		CHECK((v[i] < 0) == (x[i] < 1), "%s log(%a) = %a", kt->name,
		    x[i], v[i]);
		if (e > worst)
			worst = e, at = x[i];
	}
	CHECK(worst <= 2, "%s log: %g ulp at %a", kt->name, worst, at);
	CHECK(v[0] == 0, "log(1) = %a", v[0]);
	CHECK(v[1] == 0x1.62e42fefa39efp-1, "log(2) = %a", v[1]);
	check_tails("log", kt->log_normal, log, 2, 1);
	printf("%s log_normal: worst %.3g ulp at %a over %zu arguments\n",
	    kt->name, worst, at, n);
	free(v);
	free(x);
}

/* Weights in [0, 1) on the rows, 0 on the padding up to a vector. */
static void
random_weights(gsl_rng *r, size_t rows, double *w)
{
	for (size_t i = 0; i < pad_to(rows, VLEN); i++)
		w[i] = i < rows ? gsl_rng_uniform(r) : 0;
}

static void
check_weight_sum(gsl_rng *r, size_t rows)
{
	double *w = gmm_doubles_new(B), *sr = gmm_doubles_new(B), s = 0;

	random_weights(r, rows, w);
	for (size_t i = 0; i < rows; i++)
		s += w[i];
	CHECK_TOL(kt->weight_sum(w, rows, NULL), s, TOL, TOL, "%s %s "
	    "weight_sum %zu", kt->name, path, rows);
	CHECK_TOL(kt->weight_sum(w, rows, sr), s, TOL, TOL, "%s %s "
	    "weight_sum sqrt %zu", kt->name, path, rows);
	for (size_t i = 0; i < rows; i++)
		CHECK(sr[i] == sqrt(w[i]), "%s %s sqrt weight [%zu]", kt->name,
		    path, i);
	free(w);
	free(sr);
}

/* The lanes of v (VLEN each) added up. */
static double
lanes(const double *v)
{
	double s = 0;

	for (size_t l = 0; l < VLEN; l++)
		s += v[l];
	return s;
}

/* Two blocks added into the same lanes, as a chunk's blocks are. */
static void
check_var_sums(gsl_rng *r, size_t rows, size_t d)
{
	size_t pad = pad_to(rows, VLEN);
	double *x = malloc(rows * d * sizeof(double)), *xt = gmm_doubles_new(B
	    * d), *w = gmm_doubles_new(B), *vsx = gmm_doubles_new(d * VLEN),
	    *vsxx = gmm_doubles_new(d * VLEN), shift[64];
	double sx[64] = { 0 }, sxx[64] = { 0 };

	for (size_t j = 0; j < d; j++)
		shift[j] = gsl_rng_uniform(r) - 0.5;
	memset(vsx, 0, d * VLEN * sizeof(double));
	memset(vsxx, 0, d * VLEN * sizeof(double));
	for (int blk = 0; blk < 2; blk++) {
		random_block(r, rows, d, x, xt);
		random_weights(r, rows, w);
		kt->var_sums(xt, pad, d, shift, w, vsx, vsxx);
		for (size_t i = 0; i < rows; i++)
			for (size_t j = 0; j < d; j++) {
				double t = x[i * d + j] - shift[j];

				sx[j] += w[i] * t;
				sxx[j] += w[i] * t * t;
			}
	}
	for (size_t j = 0; j < d; j++) {
		CHECK_TOL(lanes(vsx + j * VLEN), sx[j], TOL, TOL, "%s %s "
		    "var_sums sx rows %zu d %zu [%zu]", kt->name, path, rows, d,
		    j);
		CHECK_TOL(lanes(vsxx + j * VLEN), sxx[j], TOL, TOL, "%s %s "
		    "var_sums sxx rows %zu d %zu [%zu]", kt->name, path, rows,
		    d, j);
	}
	free(x);
	free(xt);
	free(w);
	free(vsx);
	free(vsxx);
}

/*
 * The scatter's tiles against the scalar sums: tile (j0, l0), l0 <= j0 in
 * order, entry (p, q) at ((p*T + q)*VLEN), lanes added; on the diagonal
 * tiles only q <= p.
 */
static void
check_scatter(gsl_rng *r, size_t rows, size_t d)
{
	enum { T = GMM_STATS_TILE };
	size_t pad = pad_to(rows, VLEN), ntile = gmm_stats_tiles(d);
	double *x = malloc(rows * d * sizeof(double)), *xt = gmm_doubles_new(B
	    * d), *w = gmm_doubles_new(B), *sr = gmm_doubles_new(B),
	    *z = gmm_doubles_new(B * d), *zero = gmm_doubles_new(B),
	    *vsx = gmm_doubles_new(d * VLEN), *vt = gmm_doubles_new(ntile *
	    GMM_STATS_TILE_SUMS), shift[64], sx[64] = { 0 };
	double *sxx = calloc(d * d, sizeof(double));
	const double *tl;

	for (size_t j = 0; j < d; j++)
		shift[j] = gsl_rng_uniform(r) - 0.5;
	memset(zero, 0, B * sizeof(double));
	memset(vsx, 0, d * VLEN * sizeof(double));
	memset(vt, 0, ntile * GMM_STATS_TILE_SUMS * sizeof(double));
	for (int blk = 0; blk < 2; blk++) {
		random_block(r, rows, d, x, xt);
		random_weights(r, rows, w);
		for (size_t i = 0; i < pad; i++)
			sr[i] = sqrt(w[i]);
		kt->scatter(xt, pad, d, shift, w, sr, z, zero, vsx, vt);
		for (size_t i = 0; i < rows; i++)
			for (size_t j = 0; j < d; j++) {
				double t = x[i * d + j] - shift[j];

				sx[j] += w[i] * t;
				for (size_t l = 0; l <= j; l++)
					sxx[j * d + l] += w[i] * t *
					    (x[i * d + l] - shift[l]);
			}
	}
	for (size_t j = 0; j < d; j++)
		CHECK_TOL(lanes(vsx + j * VLEN), sx[j], TOL, TOL, "%s %s "
		    "scatter sx rows %zu d %zu [%zu]", kt->name, path, rows, d,
		    j);
	tl = vt;
	for (size_t j0 = 0; j0 < d; j0 += T)
		for (size_t l0 = 0; l0 <= j0; l0 += T, tl +=
		    GMM_STATS_TILE_SUMS)
			for (size_t p = 0; p < T && j0 + p < d; p++)
				for (size_t q = 0; q < T && l0 + q <= j0 + p;
				    q++)
					CHECK_TOL(lanes(tl + (p * T + q) * VLEN),
					    sxx[(j0 + p) * d + l0 + q], TOL, TOL,
					    "%s %s scatter rows %zu d %zu "
					    "[%zu][%zu]", kt->name, path, rows,
					    d, j0 + p, l0 + q);
	free(x);
	free(xt);
	free(w);
	free(sr);
	free(z);
	free(zero);
	free(vsx);
	free(vt);
	free(sxx);
}

/* The narrow and wide paths of the table give the same bits. */
static void
check_paths_agree(gsl_rng *r)
{
	size_t rows = 200, d = 13, k = 7;
	double *x = malloc(rows * d * sizeof(double)), *xt = gmm_doubles_new(B
	    * d), *y = gmm_doubles_new((GMM_ROW_GROUP + 1) * d), l[13 * 13],
	    mu[4 * 13], p[4 * 13], a[4] = { -1, -2, -3, -4 };
	double *out[2], *lp[2], ld[2][B];

	random_block(r, rows, d, x, xt);
	random_factor(r, d, l);
	for (size_t i = 0; i < 4 * d; i++) {
		mu[i] = gsl_rng_uniform(r) - 0.5;
		p[i] = 0.5 + gsl_rng_uniform(r);
	}
	for (int narrow = 0; narrow <= 1; narrow++) {
		gmm_vec_force = narrow;
		out[narrow] = calloc(B * 6, sizeof(double));
		lp[narrow] = calloc(B * k, sizeof(double));
		kt->maha_chol(xt, 224, d, l, mu, -1, -0.5, out[narrow], y);
		kt->maha_var(xt, 224, d, mu, p, 1, d, a, -0.5,
		    out[narrow] + B, 4);
		/* a factor form, q = 2: the rows of l as G */
		kt->maha_factor(xt, 224, d, 2, mu, p, l, -1, -0.5,
		    out[narrow] + 5 * B, y);
		for (size_t c = 0; c < k; c++)
			for (size_t i = 0; i < B; i++)
				lp[narrow][c * B + i] = -30 * (double)((c * 7
				    + i * 3) % 11) / 11;
		kt->resp(lp[narrow], rows, k, ld[narrow]);
	}
	gmm_vec_force = -1;
	CHECK(memcmp(out[0], out[1], B * 6 * sizeof(double)) == 0,
	    "%s: distances differ between the wide and narrow paths",
	    kt->name);
	CHECK(memcmp(lp[0], lp[1], B * k * sizeof(double)) == 0 &&
	    memcmp(ld[0], ld[1], rows * sizeof(double)) == 0,
	    "%s: responsibilities differ between the wide and narrow paths",
	    kt->name);
	for (int i = 0; i < 2; i++) {
		free(out[i]);
		free(lp[i]);
	}
	free(x);
	free(xt);
	free(y);
}

static void
check_table(gsl_rng *r)
{
	static const size_t rows[] = { 1, 7, 8, 31, 33, 100, 256 };
	static const size_t dims[] = { 1, 3, 4, 5, 8, 9, 17 };

	for (int narrow = 0; narrow <= 1; narrow++) {
		gmm_vec_force = narrow;
		path = narrow ? "narrow" : "wide";
		for (size_t a = 0; a < sizeof(rows) / sizeof(rows[0]); a++) {
			check_weight_sum(r, rows[a]);
			for (size_t k = 1; k <= 5; k += 2)
				check_resp(r, rows[a], k);
			for (size_t b = 0; b < sizeof(dims) / sizeof(dims[0]);
			    b++) {
				size_t n = rows[a], d = dims[b];

				check_transpose(r, n, d);
				check_maha_chol(r, n, d);
				check_maha_factor(r, n, d);
				for (size_t nc = 1; nc <= 4; nc++) {
					check_maha_var(r, n, d, nc, 1);
					check_maha_var(r, n, d, nc, 0);
				}
				check_var_sums(r, n, d);
				check_scatter(r, n, d);
			}
		}
	}
	gmm_vec_force = -1;
	check_exp(r);
	check_log(r);
	check_paths_agree(r);
}

int
main(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t ran = 0;

	for (size_t i = 0; i < gmm_n_kernel_tables; i++) {
		kt = gmm_kernel_tables[i];
		if (!gmm_kernels_runnable(kt)) {
			printf("kernels %s: not on this processor, skipped\n",
			    kt->name);
			continue;
		}
		check_table(r);
		printf("kernels %s: checked\n", kt->name);
		ran++;
	}
	CHECK(ran >= 1, "no kernel table ran");
	CHECK(gmm_kernels_runnable(gmm_kernels()), "the default table %s "
	    "does not run here", gmm_kernels()->name);
	gsl_rng_free(r);
	return check_done("test_kernels");
}
