/*
 * impute: a worked example against the textbook formulas (gaussref.h,
 * explicit inverses): a two-component mixture in three dimensions, rows
 * with each pattern of missing values, including none observed, for a
 * full and a diagonal model.  The
 * conditional mean is sum_c r_c mu_c,m|o with r_c proportional to w_c
 * N(x_o | mu_c,o, S_c,oo), the variance sum_c r_c (C_c,jj + mu_c,j|o^2)
 * - mean_j^2; and draws from the conditional mixture have that mean and
 * variance (200,000 draws, to 5 standard errors).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "check.h"
#include "gaussref.h"
#include "engine/impute.h"

#define DIM 3
#define K 2

static const double sigmas[K][DIM * DIM] = {
	{ 1.0, 0.6, -0.3, 0.6, 2.0, 0.5, -0.3, 0.5, 1.5 },
	{ 0.7, -0.2, 0.1, -0.2, 0.9, 0.3, 0.1, 0.3, 1.2 },
};
static const double mus[K][DIM] = { { 0, 1, -1 }, { 2.5, -0.5, 1 } };
static const double weights[K] = { 0.4, 0.6 };

/* Component c's covariance: sigmas[c], or its diagonal. */
static void
sigma(int diag, size_t c, double *s)
{
	for (size_t i = 0; i < DIM * DIM; i++)
		s[i] = !diag || i % (DIM + 1) == 0 ? sigmas[c][i] : 0;
}

static struct gmm_model *
model(int diag)
{
	struct gmm_model *m = gmm_model_new(K, DIM, diag ? GMM_COV_DIAG :
	    GMM_COV_FULL);
	struct gmm_error err;

	memcpy(m->weights, weights, sizeof(weights));
	memcpy(m->means, mus, sizeof(mus));
	for (size_t c = 0; c < K; c++)
		for (size_t j = 0; j < DIM; j++) {
			if (diag)
				m->cov[c * DIM + j] = sigmas[c][j * DIM + j];
			else
				memcpy(m->cov + c * DIM * DIM, sigmas[c],
				    sizeof(sigmas[c]));
		}
	if (gmm_model_prepare(m, &err) < 0)
		exit(2);
	return m;
}

/* The mixture's conditional mean and variance of row x's NaN values. */
static void
expected(int diag, const double *x, double *mean, double *var)
{
	unsigned char mask[DIM];
	size_t cols[DIM], a = 0, r = 0, nm;
	struct gmm_pattern p = { .obs = cols, .mask = mask };
	double xo[DIM], xm[K][DIM], cmm[K][DIM * DIM], lj[K], top, s = 0;

	for (size_t j = 0; j < DIM; j++)
		mask[j] = !isnan(x[j]);
	for (size_t j = 0; j < DIM; j++)
		a += mask[j];
	p.nobs = a;
	p.mis = cols + a;
	a = 0;
	for (size_t j = 0; j < DIM; j++) {
		if (mask[j])
			xo[a] = x[j], cols[a++] = j;
		else
			p.mis[r++] = j;
	}
	nm = DIM - p.nobs;
	for (size_t c = 0; c < K; c++) {
		double sg[DIM * DIM];

		sigma(diag, c, sg);
		if (p.nobs > 0) {
			lj[c] = log(weights[c]) + direct(sg, mus[c], DIM, &p,
			    xo, xm[c], cmm[c]);
			continue;
		}
		lj[c] = log(weights[c]);	/* nothing observed */
		memcpy(xm[c], mus[c], sizeof(mus[c]));
		memcpy(cmm[c], sg, sizeof(sg));
	}
	top = lj[0] > lj[1] ? lj[0] : lj[1];
	for (size_t c = 0; c < K; c++)
		s += exp(lj[c] - top);
	memcpy(mean, x, DIM * sizeof(double));
	memset(var, 0, DIM * sizeof(double));
	for (size_t u = 0; u < nm; u++) {
		double m1 = 0, m2 = 0;

		for (size_t c = 0; c < K; c++) {
			double rc = exp(lj[c] - top) / s;

			m1 += rc * xm[c][u];
			m2 += rc * (cmm[c][u * nm + u] + xm[c][u] * xm[c][u]);
		}
		mean[p.mis[u]] = m1;
		var[p.mis[u]] = m2 - m1 * m1;
	}
}

static void
check_model(int diag, gsl_rng *rng)
{
	static const double rows[][DIM] = {
		{ 0.5, NAN, NAN }, { NAN, 0.2, NAN }, { NAN, NAN, 0.7 },
		{ 1.2, NAN, -0.4 }, { NAN, 1.5, 2.0 }, { 3.0, -1.0, NAN },
		{ NAN, NAN, NAN }, { 1.0, 2.0, 3.0 },
	};
	struct gmm_model *m = model(diag);
	struct gmm_imputer im;
	struct gmm_error err;

	CHECK(gmm_imputer_init(&im, m) == 0, "init");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double x[DIM], var[DIM], want[DIM], wvar[DIM];
		double sum[DIM] = { 0 }, sq[DIM] = { 0 };
		size_t changed = 0;
		const size_t n = 200000;

		memcpy(x, rows[i], sizeof(x));
		expected(diag, rows[i], want, wvar);
		CHECK(gmm_impute_mean(&im, x, var, &err) == 0, "row %zu", i);
		for (size_t j = 0; j < DIM; j++) {
			CHECK_TOL(x[j], want[j], 1e-12, 1e-14,
			    "row %zu: mean of column %zu", i, j);
			CHECK_TOL(var[j], wvar[j], 1e-12, 1e-14,
			    "row %zu: variance of column %zu", i, j);
		}
		gsl_rng_set(rng, 1 + i);
		for (size_t t = 0; t < n; t++) {
			memcpy(x, rows[i], sizeof(x));
			if (gmm_impute_draw(&im, rng, x, &err) < 0)
				exit(2);
			for (size_t j = 0; j < DIM; j++) {
				sum[j] += x[j];
				sq[j] += x[j] * x[j];
				changed += !isnan(rows[i][j]) &&
				    x[j] != rows[i][j];
			}
		}
		CHECK(changed == 0, "row %zu: draws change %zu observed "
		    "values", i, changed);
		for (size_t j = 0; j < DIM; j++) {
			double mean = sum[j] / (double)n;
			double v = sq[j] / (double)n - mean * mean;

			if (!isnan(rows[i][j]))
				continue;
			CHECK(fabs(mean - want[j]) < 5 * sqrt(wvar[j] /
			    (double)n), "row %zu: draws' mean %g of column "
			    "%zu, want %g", i, mean, j, want[j]);
			CHECK(fabs(v - wvar[j]) < 5 * wvar[j] * sqrt(4.0 /
			    (double)n), "row %zu: draws' variance %g of "
			    "column %zu, want %g", i, v, j, wvar[j]);
		}
	}
	gmm_imputer_release(&im);
	gmm_model_free(m);
}

int
main(void)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	check_model(0, rng);
	check_model(1, rng);
	gsl_rng_free(rng);
	return check_done("test_impute");
}
