/*
 * The model: log-densities against the formula with an explicitly inverted
 * covariance (allowed here, in a test, as an independent computation),
 * responsibilities summing to 1, L L^T rebuilding Sigma, parameter counts,
 * BIC and AIC, and the degenerate flag.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "engine/model.h"

static double
direct_log_density(const struct gmm_model *m, const double *x)
{
	size_t d = m->d;
	double *sigma = malloc(d * d * sizeof(double)), p = 0;
	gsl_matrix *lu = gsl_matrix_alloc(d, d), *inv = gsl_matrix_alloc(d, d);
	gsl_permutation *perm = gsl_permutation_alloc(d);

	for (size_t c = 0; c < m->k; c++) {
		int sign;
		double q = 0, det;

		gmm_model_component_cov(m, c, sigma);
		for (size_t i = 0; i < d * d; i++)
			lu->data[i] = sigma[i];
		gsl_linalg_LU_decomp(lu, perm, &sign);
		det = gsl_linalg_LU_det(lu, sign);
		gsl_linalg_LU_invert(lu, perm, inv);
		for (size_t i = 0; i < d; i++)
			for (size_t j = 0; j < d; j++)
				q += (x[i] - m->means[c * d + i]) *
				    gsl_matrix_get(inv, i, j) *
				    (x[j] - m->means[c * d + j]);
		p += m->weights[c] * exp(-q / 2) / sqrt(pow(2 * M_PI,
		    (double)d) * det);
	}
	gsl_permutation_free(perm);
	gsl_matrix_free(inv);
	gsl_matrix_free(lu);
	free(sigma);
	return log(p);
}

/* A random model of the type, with well-conditioned covariances. */
static struct gmm_model *
random_model(enum gmm_cov_type t, size_t k, size_t d, gsl_rng *r)
{
	struct gmm_model *m = gmm_model_new(k, d, t);
	double wsum = 0;
	struct gmm_error err;

	for (size_t c = 0; c < k; c++) {
		m->weights[c] = 0.5 + gsl_rng_uniform(r);
		wsum += m->weights[c];
		for (size_t j = 0; j < d; j++)
			m->means[c * d + j] = 4 * gsl_rng_uniform(r) - 2;
	}
	for (size_t c = 0; c < k; c++)
		m->weights[c] /= wsum;
	if (t == GMM_COV_DIAG || t == GMM_COV_SPHERICAL) {
		for (size_t i = 0; i < gmm_cov_size(t, k, d); i++)
			m->cov[i] = 0.2 + gsl_rng_uniform(r);
	} else {
		size_t nmat = t == GMM_COV_FULL ? k : 1;

		for (size_t c = 0; c < nmat; c++) {
			double *a = m->cov + c * d * d, b[16 * 16];	/* d <= 16 */

			/* A = B B^T + 0.5 I */
			for (size_t i = 0; i < d * d; i++)
				b[i] = gsl_rng_uniform(r) - 0.5;
			for (size_t i = 0; i < d; i++)
				for (size_t j = 0; j < d; j++) {
					double s = i == j ? 0.5 : 0;

					for (size_t l = 0; l < d; l++)
						s += b[i * d + l] * b[j * d + l];
					a[i * d + j] = s;
				}
		}
	}
	CHECK(gmm_model_prepare(m, &err) == 0, "prepare: %s", err.msg);
	return m;
}

/*
 * Densities and responsibilities of `rows` rows, over more than one block
 * and a padded last group; the last row lies where no component reaches
 * (-inf, uniform responsibilities).
 */
static void
check_density(enum gmm_cov_type t, size_t d, size_t k, gsl_rng *r)
{
	size_t rows = 300;
	struct gmm_model *m = random_model(t, k, d, r);
	double *x = malloc(rows * d * sizeof(double));
	double *logp = malloc(rows * k * sizeof(double));
	double *work = gmm_doubles_new(GMM_RESP_WORK(d, k));
	double *logd = malloc(rows * sizeof(double));

	for (size_t i = 0; i < rows * d; i++)
		x[i] = 6 * gsl_rng_uniform(r) - 3;
	x[(rows - 1) * d] = 1e200;
	gmm_model_resp(m, x, rows, logp, logd, work);
	for (size_t i = 0; i < rows; i++) {
		double s = 0;

		if (i == rows - 1)
			CHECK(logd[i] == -INFINITY, "%s d=%zu far row: %g",
			    gmm_cov_type_name(t), d, logd[i]);
		else
			CHECK_TOL(logd[i], direct_log_density(m, x + i * d),
			    1e-12, 1e-12, "%s d=%zu row %zu",
			    gmm_cov_type_name(t), d, i);
		for (size_t c = 0; c < k; c++)
			s += logp[i * k + c];
		CHECK_TOL(s, 1, 0, 4 * k * 2.3e-16, "%s d=%zu row %zu resp sum",
		    gmm_cov_type_name(t), d, i);
	}
	if (t == GMM_COV_FULL || t == GMM_COV_TIED) {
		size_t nmat = t == GMM_COV_FULL ? k : 1;

		for (size_t c = 0; c < nmat; c++)
			for (size_t i = 0; i < d; i++)
				for (size_t j = 0; j < d; j++) {
					const double *l = m->chol + c * d * d;
					double s = 0;

					for (size_t q = 0; q < d; q++)
						s += l[i * d + q] * l[j * d + q];
					CHECK_TOL(s, m->cov[c * d * d + i * d
					    + j], 0, 16 * d * 2.3e-16,
					    "L L^T [%zu][%zu]", i, j);
				}
	}
	gmm_model_free(m);
	free(x);
	free(logp);
	free(work);
	free(logd);
}

/* ulps between a and b, both finite and positive */
static double
ulps(double a, double b)
{
	return fabs(a - b) / (nextafter(fmax(a, b), INFINITY) - fmax(a, b));
}

/*
 * A responsibility that would be subnormal is 0; one just above 2^-1022
 * is computed.  Two unit variances, equal weights, x = 0: the far
 * component's log joint is -m^2/2 below the near one's.
 */
static void
check_tiny_resp(void)
{
	static const double gap[] = { 700, 708, 709, 720, 744, 746 };
	double work[GMM_RESP_WORK(1, 2)], x = 0, resp[2], logd;

	for (size_t i = 0; i < sizeof(gap) / sizeof(gap[0]); i++) {
		struct gmm_model *m = gmm_model_new(2, 1, GMM_COV_DIAG);
		struct gmm_error err;
		double want = exp(-gap[i]);

		m->weights[0] = m->weights[1] = 0.5;
		m->means[0] = 0;
		m->means[1] = sqrt(2 * gap[i]);
		m->cov[0] = m->cov[1] = 1;
		CHECK(gmm_model_prepare(m, &err) == 0, "prepare: %s", err.msg);
		gmm_model_resp(m, &x, 1, resp, &logd, work);
		if (want >= DBL_MIN)
			CHECK_TOL(resp[1], want, 0, 1e-9 * want, "gap %g: %a",
			    gap[i], resp[1]);
		else
			CHECK(resp[1] == 0, "gap %g: %a", gap[i], resp[1]);
		CHECK(resp[0] == 1, "gap %g: near %a", gap[i], resp[0]);
		gmm_model_free(m);
	}
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
			    "%s len %zu [%zu] = %g", name, len, i, v[i]);
		}
	}
}

/*
 * The vectorised exp against libm's, which is within 1 ulp: at most 2 ulp
 * apart where the result is normal, one step of 2^-1074 below, exactly 0
 * under ln(2^-1075) and for -inf, exactly 1 at 0; lengths off the vector
 * width take the tail path.
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
	gmm_exp_nonpos(v, n);
	for (size_t i = 0; i < n; i++) {
		double want = exp(x[i]);

		if (want >= DBL_MIN) {
			double e = ulps(v[i], want);

			if (e > worst)
				worst = e, at = x[i];
		} else {
			CHECK(fabs(v[i] - want) <= 0x1p-1074, "exp(%a) = %a, "
			    "libm %a", x[i], v[i], want);
		}
	}
	CHECK(worst <= 2, "exp: %g ulp at %a", worst, at);
	CHECK(v[0] == 1 && v[1] == 1, "exp(0) = %a, exp(-0) = %a", v[0], v[1]);
	CHECK(v[11] == 0 && v[13] == 0, "exp(-745.2) = %a, exp(-inf) = %a",
	    v[11], v[13]);
	check_tails("exp", gmm_exp_nonpos, exp, 0, -1);
	printf("exp_nonpos: worst %.3g ulp at %a over %zu arguments\n", worst,
	    at, n);
	free(v);
	free(x);
}

/*
 * The vectorised log against libm's, which is within 1 ulp: at most 2 ulp
 * apart over the normal numbers (exponents spread evenly), of the sign of
 * libm's, exactly 0 at 1 and ln 2 correctly rounded at 2; lengths off the
 * vector width take the tail path.
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
	gmm_log_normal(v, n);
	for (size_t i = 1; i < n; i++) {
		double e = ulps(fabs(v[i]), fabs(log(x[i])));

		CHECK((v[i] < 0) == (x[i] < 1), "log(%a) = %a", x[i], v[i]);
		if (e > worst)
			worst = e, at = x[i];
	}
	CHECK(worst <= 2, "log: %g ulp at %a", worst, at);
	CHECK(v[0] == 0, "log(1) = %a", v[0]);
	CHECK(v[1] == 0x1.62e42fefa39efp-1, "log(2) = %a", v[1]);
	check_tails("log", gmm_log_normal, log, 2, 1);
	printf("log_normal: worst %.3g ulp at %a over %zu arguments\n", worst,
	    at, n);
	free(v);
	free(x);
}

static void
check_counts(void)
{
	static const struct { enum gmm_cov_type t; size_t k, d, p; } c[] = {
		{ GMM_COV_FULL, 3, 2, 17 }, { GMM_COV_DIAG, 3, 2, 14 },
		{ GMM_COV_SPHERICAL, 3, 2, 11 }, { GMM_COV_TIED, 3, 2, 11 },
		{ GMM_COV_FULL, 4, 5, 83 }, { GMM_COV_DIAG, 4, 5, 43 },
		{ GMM_COV_SPHERICAL, 4, 5, 27 }, { GMM_COV_TIED, 4, 5, 38 },
		{ GMM_COV_FULL, 1, 1, 2 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK(gmm_n_parameters(c[i].t, c[i].k, c[i].d) == c[i].p,
		    "%s k=%zu d=%zu: %zu", gmm_cov_type_name(c[i].t), c[i].k,
		    c[i].d, gmm_n_parameters(c[i].t, c[i].k, c[i].d));
	/* mclust's VVV G=2 on faithful: logL -1130.2640682868503, p 11 */
	CHECK_REL(gmm_bic(-1130.2640682868503, 11, 272), 2322.1919593029565,
	    1e-14, "bic");
	CHECK_REL(gmm_aic(-1130.2640682868503, 11), 2282.5281365737005,
	    1e-14, "aic");
}

static void
check_degenerate(void)
{
	struct gmm_model *m = gmm_model_new(2, 2, GMM_COV_FULL);
	struct gmm_data_shape sh;
	struct gmm_error err;
	/* rows (0,0) (1,0) (0,2) (3,3): columns of variance 1.5, 1.6875 */
	double x[] = { 0, 0, 1, 0, 0, 2, 3, 3 };
	double cx[] = { 7, 0, 7, 0, 7, 2, 7, 3 };	/* column 0 constant */
	double dx[] = { 0, 0, 1, 1, 2, 2, 3, 3 };	/* a duplicate */

	m->weights[0] = m->weights[1] = 0.5;
	for (size_t c = 0; c < 2; c++) {
		m->cov[c * 4] = 1;
		m->cov[c * 4 + 3] = 1;
	}
	gmm_model_prepare(m, &err);
	CHECK(gmm_data_shape_init(&sh, x, 4, 2) == 0 && sh.rank == 2,
	    "two directions");
	sh.min_var = 1.0;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0, "healthy model");
	CHECK(gmm_model_degenerate(m, 5, &sh) == 1, "n w = 2.5 < d + 1");
	m->cov_type = GMM_COV_TIED;
	CHECK(gmm_model_degenerate(m, 5, &sh) == 0,
	    "tied: n w = 2.5 needs no count");
	m->cov_type = GMM_COV_FULL;
	m->cov[3] = 1e-6;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 1, "eigenvalue 1e-6");
	sh.min_var = 1e-4;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0,
	    "eigenvalue 1e-6 on data of variance 1e-4");
	gmm_data_shape_release(&sh);
	CHECK_REL(gmm_min_column_variance(x, 4, 2), 1.5, 1e-15,
	    "smallest column variance");
	CHECK_REL(gmm_min_column_variance(cx, 4, 2), 1.6875, 1e-15,
	    "a constant column is passed over");
	/* a constant column: its direction is left out, so a variance of
	 * 1e-6 there is no degeneracy; the other direction still counts */
	CHECK(gmm_data_shape_init(&sh, cx, 4, 2) == 0 && sh.rank == 1 &&
	    fabs(fabs(sh.u[2]) - 1) < 1e-12, "a constant column: rank 1");
	m->cov[0] = 1e-6;
	m->cov[3] = 1;
	m->cov[4] = 1e-6;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0,
	    "reg_covar alone along a constant column is no degeneracy");
	CHECK(gmm_model_degenerate(m, 4, &sh) == 0,
	    "full, rank 1: n w = 2 rows suffice (d + 1 = 3 would not)");
	CHECK(gmm_model_degenerate(m, 3, &sh) == 1,
	    "full, rank 1: n w = 1.5 rows do not");
	m->cov[3] = 1e-6;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 1,
	    "a spike along the varying column still is");
	gmm_data_shape_release(&sh);
	/* a duplicated column: the direction (1, -1) is left out */
	CHECK(gmm_data_shape_init(&sh, dx, 4, 2) == 0 && sh.rank == 1,
	    "a duplicated column: rank 1");
	m->cov[0] = m->cov[3] = 1.25 + 1e-6;
	m->cov[1] = m->cov[2] = 1.25;
	m->cov[4] = m->cov[7] = 1.25 + 1e-6;
	m->cov[5] = m->cov[6] = 1.25;
	CHECK(gmm_model_degenerate(m, 100, &sh) == 0,
	    "duplicated columns: no degeneracy where the data have none");
	gmm_data_shape_release(&sh);
	gmm_model_free(m);
}

int
main(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_set_error_handler_off();
	for (int t = 0; t < 4; t++)
		for (size_t d = 1; d <= 9; d += 4) {	/* 1, 5, 9: tails */
			check_density((enum gmm_cov_type)t, d, 3, r);
			check_density((enum gmm_cov_type)t, d, 9, r);
		}
	check_tiny_resp();
	check_exp(r);
	check_log(r);
	check_counts();
	check_degenerate();
	gsl_rng_free(r);
	return check_done("test_model");
}
