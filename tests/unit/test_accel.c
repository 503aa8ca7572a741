/*
 * accel: SQUAREM's point (accel.h) against its formula, its refusals,
 * and fits with --accelerate (em.c run_accel()) against plain EM from the
 * same start on the reference data: over 96 fits (faithful, iris, the
 * synthetic 5-D set; eight covariance models; k = 2 to 5; tol 1e-6) the
 * final log-likelihood is on average above plain EM's and lower than it
 * by more than 1e-9 a row in at most LOWER_AT_MOST fits, every fit
 * converges, and the iterations (E-steps) are fewer in all; a fit to
 * 1e-12 reaches plain EM's optimum, in fewer iterations.
 *
 * "Never lower" held from the single k-means++ seeding of the first
 * version; from the best of GMM_KMEANS_SEEDINGS (issue 18 section 5) the
 * accelerated fit ends lower in 3 of the 96: faithful VEV k = 5 at
 * another optimum (0.011 a row), faithful tied k = 4 and iris EEV k = 5
 * where the tolerance stops it (2e-6, 5e-7), and higher in 78 (by 0.019
 * and 0.012 a row where it finds a better optimum).  Extrapolation may
 * leave EM's basin, for better or worse: a property of SQUAREM, and why
 * --accelerate is not the default.
 */
#define LOWER_AT_MOST 4
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "rows.h"
#include "engine/accel.h"
#include "engine/em.h"

/* A prepared full model of k components in d dimensions from values. */
static struct gmm_model *
model(size_t k, size_t d, const double *w, const double *mu,
    const double *cov)
{
	struct gmm_model *m = gmm_model_new(k, d, GMM_COV_FULL);
	struct gmm_error err;

	memcpy(m->weights, w, k * sizeof(double));
	memcpy(m->means, mu, k * d * sizeof(double));
	memcpy(m->cov, cov, k * d * d * sizeof(double));
	if (gmm_model_prepare(m, &err) < 0)
		exit(2);
	return m;
}

static void
check_point(void)
{
	static const double w0[] = { 0.5, 0.5 }, w1[] = { 0.45, 0.55 },
	    w2[] = { 0.42, 0.58 };
	static const double u0[] = { 0, 0, 3, 3 }, u1[] = { 0.1, 0, 2.9, 3 },
	    u2[] = { 0.15, 0, 2.85, 3.05 };
	static const double c0[] = { 1, 0, 0, 1, 1, 0, 0, 1 },
	    c1[] = { 1.1, 0.1, 0.1, 1, 1, 0, 0, 0.9 },
	    c2[] = { 1.15, 0.15, 0.15, 1, 1, 0, 0, 0.85 };
	struct gmm_model *m0 = model(2, 2, w0, u0, c0),
	    *m1 = model(2, 2, w1, u1, c1), *m2 = model(2, 2, w2, u2, c2),
	    *out = gmm_model_dup(m0);
	const double *p0[] = { w0, u0, c0 }, *p1[] = { w1, u1, c1 },
	    *p2[] = { w2, u2, c2 };
	const size_t len[] = { 2, 4, 8 };
	double rr = 0, vv = 0, a, want;
	int ok;

	for (size_t t = 0; t < 3; t++)
		for (size_t i = 0; i < len[t]; i++) {
			double r = p1[t][i] - p0[t][i];
			double v = p2[t][i] - 2 * p1[t][i] + p0[t][i];

			rr += r * r;
			vv += v * v;
		}
	want = sqrt(rr / vv);
	ok = gmm_accel_point(m0, m1, m2, 100, out, &a);
	CHECK(ok == 1, "a valid point");
	CHECK_REL(a, want, 1e-15, "alpha = |r| / |v|");
	for (size_t i = 0; i < 4; i++) {
		double r = u1[i] - u0[i], v = u2[i] - 2 * u1[i] + u0[i];

		CHECK_REL(out->means[i], u0[i] + 2 * a * r + a * a * v, 1e-14,
		    "mean %zu: theta0 + 2 alpha r + alpha^2 v", i);
	}
	CHECK_REL(out->weights[0] + out->weights[1], 1, 1e-15,
	    "weights sum to 1");
	CHECK(out->log_det[0] != 0, "prepared");
	/* clamped to step_max = 1: theta2 itself */
	ok = gmm_accel_point(m0, m1, m2, 1, out, &a);
	CHECK(ok == 1 && a == 1 && memcmp(out->means, u2, sizeof(u2)) == 0 &&
	    memcmp(out->cov, c2, sizeof(c2)) == 0, "alpha 1 gives theta2");
	/* clamped below the natural length */
	ok = gmm_accel_point(m0, m1, m2, 1.5, out, &a);
	CHECK(ok == 1 && a == 1.5, "alpha clamped to step_max: %g", a);
	gmm_model_free(m1);
	gmm_model_free(m2);
	/* a geometric path (ratio 0.8) whose limit, where theta' lands, has
	 * a weight below 0: refused */
	{
		static const double wa[] = { 0.3, 0.7 }, wb[] = { 0.14, 0.86 };

		m1 = model(2, 2, wa, u0, c0);
		m2 = model(2, 2, wb, u0, c0);
		CHECK(gmm_accel_point(m0, m1, m2, 100, out, &a) == 0 &&
		    fabs(a - 5) < 1e-9, "a negative weight is refused (alpha "
		    "%g)", a);
		gmm_model_free(m1);
		gmm_model_free(m2);
	}
	/* ... a variance below 0: refused */
	{
		static const double ca[] = { 0.5, 0, 0, 1, 1, 0, 0, 1 },
		    cb[] = { 0.1, 0, 0, 1, 1, 0, 0, 1 };

		m1 = model(2, 2, w0, u0, ca);
		m2 = model(2, 2, w0, u0, cb);
		CHECK(gmm_accel_point(m0, m1, m2, 100, out, &a) == 0,
		    "an indefinite covariance is refused");
		/* ... but the same path stopped short of it is taken */
		CHECK(gmm_accel_point(m0, m1, m2, 1.1, out, &a) == 1 &&
		    out->cov[0] > 0, "  a shorter step on it is taken");
	}
	gmm_model_free(m0);
	gmm_model_free(m1);
	gmm_model_free(m2);
	gmm_model_free(out);
}

static void
fit(const double *x, size_t n, size_t d, size_t k, enum gmm_cov_type t,
    double tol, int accelerate, struct gmm_training *tr)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_em_options o;
	struct gmm_data data;
	struct gmm_model *m = NULL;
	struct gmm_error err;

	memset(&o, 0, sizeof(o));
	o.k = k;
	o.cov_type = t;
	o.max_iter = 100000;
	o.tol = tol;
	o.reg_covar = 1e-6;
	o.n_init = 1;
	o.init = GMM_INIT_KMEANS;
	o.threads = 1;
	o.accelerate = accelerate;
	gsl_rng_set(rng, 0);
	if (gmm_data_from_rows(&data, x, n, d) < 0 ||
	    gmm_em_fit(&data, &o, rng, &m, &err) < 0) {
		fprintf(stderr, "fit: %s\n", err.msg);
		exit(2);
	}
	*tr = m->training;
	gmm_model_free(m);
	gmm_data_release(&data);
	gsl_rng_free(rng);
}

static void
check_fits(void)
{
	static const char *const files[] = { "tests/ref/data/faithful.csv",
		"tests/ref/data/iris.csv", "tests/ref/data/synth_gmm4_d5.csv" };
	static const enum gmm_cov_type types[] = { GMM_COV_FULL,
		GMM_COV_DIAG, GMM_COV_SPHERICAL, GMM_COV_TIED, GMM_COV_VEV,
		GMM_COV_EVI, GMM_COV_EEV, GMM_COV_VEI };
	size_t it_plain = 0, it_accel = 0, fits = 0, converged = 0;
	size_t lower = 0;
	double worst = INFINITY, sum = 0;

	for (size_t f = 0; f < 3; f++) {
		size_t n, d;
		double *x = read_rows(files[f], &n, &d);

		for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			for (size_t k = 2; k <= 5; k++) {
				struct gmm_training p, a;
				double diff;

				fit(x, n, d, k, types[t], 1e-6, 0, &p);
				fit(x, n, d, k, types[t], 1e-6, 1, &a);
				diff = (a.loglik_total - p.loglik_total) /
				    (double)n;
				if (diff < -1e-9) {
					lower++;
					printf("# %s, %s, k = %zu: "
					    "accelerated %.10g, plain %.10g "
					    "(%.3g a row lower)\n", files[f],
					    gmm_cov_type_name(types[t]), k,
					    a.loglik_total, p.loglik_total,
					    -diff);
				}
				worst = fmin(worst, diff);
				sum += diff;
				it_plain += p.iterations;
				it_accel += a.iterations;
				converged += a.converged;
				fits++;
			}
		if (f == 0) {
			/* to 1e-12: plain EM's optimum, sooner */
			struct gmm_training p, a;

			fit(x, n, d, 4, GMM_COV_FULL, 1e-12, 0, &p);
			fit(x, n, d, 4, GMM_COV_FULL, 1e-12, 1, &a);
			CHECK(fabs(a.loglik_total - p.loglik_total) <
			    1e-9 * (double)n, "faithful, full, k = 4, tol "
			    "1e-12: the optimum (%.12g, plain %.12g)",
			    a.loglik_total, p.loglik_total);
			CHECK(a.iterations * 2 < p.iterations, "  in %llu "
			    "iterations, plain EM %llu",
			    (unsigned long long)a.iterations,
			    (unsigned long long)p.iterations);
		}
		free(x);
	}
	CHECK(lower <= LOWER_AT_MOST, "accelerated lower than plain by more "
	    "than 1e-9 a row in %zu of %zu fits", lower, fits);
	CHECK(sum > 0, "on average the accelerated fit is higher: %.3g a row",
	    sum / (double)fits);
	CHECK(converged == fits, "every accelerated fit converged: %zu of "
	    "%zu", converged, fits);
	CHECK(it_accel * 3 < it_plain * 2, "iterations: %zu accelerated, %zu "
	    "plain", it_accel, it_plain);
	printf("# %zu fits: %zu iterations plain, %zu accelerated; the "
	    "accelerated log-likelihood at worst %.3g a row above plain's, "
	    "on average %.3g\n", fits, it_plain, it_accel, worst,
	    sum / (double)fits);
}

int
main(void)
{
	gsl_set_error_handler_off();
	check_point();
	check_fits();
	return check_done("test_accel");
}
