/*
 * family: the Gaussian row's affine form against the density written out
 * (log w - d/2 ln 2 pi - 1/2 ln |Sigma| - maha/2), and that models get
 * that row from gmm_model_new() and keep it through gmm_model_dup().  The
 * t row: its log joint against GSL's one-dimensional t density (scaled;
 * higher d against the reference trajectories, test_tdist) and, at nu =
 * 1e12, against the Gaussian's; its
 * latent scales (nu + d)/(nu + maha); its nu update solving Peel and
 * McLachlan's equation (the residual at the root, and nu held when
 * fixed); its parameter count; the table's lookups.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_psi.h>

#include "check.h"
#include "engine/family.h"
#include "engine/model.h"

static void
check_t(void)
{
	struct gmm_model *m = gmm_model_new(2, 1, GMM_COV_SPHERICAL), *c;
	struct gmm_error err;
	double v[4] = { 0, 0.5, 4, 100 }, u[4], x[4];

	CHECK(gmm_family_named("t") == &gmm_family_t &&
	    gmm_family_coded(1) == &gmm_family_t &&
	    gmm_family_named("gaussian") == &gmm_family_gaussian &&
	    gmm_family_named("cauchy") == NULL && gmm_family_coded(2) == NULL,
	    "the table's lookups");
	m->family = &gmm_family_t;
	m->weights[0] = 0.4;
	m->weights[1] = 0.6;
	m->cov[0] = 2.25;	/* scale 1.5 */
	m->cov[1] = 1;
	m->df[0] = 3.5;
	m->df[1] = 1e12;
	CHECK(gmm_model_prepare(m, &err) == 0, "t: prepare");
	/* d = 1: v holds maha = (x / 1.5)^2 for x = 1.5 sqrt(maha) */
	for (size_t i = 0; i < 4; i++)
		x[i] = 1.5 * sqrt(v[i]);
	m->family->log_joint(m, 0, v, u, 4);
	for (size_t i = 0; i < 4; i++) {
		double maha = (x[i] / 1.5) * (x[i] / 1.5);

		CHECK_TOL(v[i], log(0.4 * gsl_ran_tdist_pdf(x[i] / 1.5, 3.5) /
		    1.5), 1e-13, 1e-13, "t, nu 3.5: GSL's density at %g",
		    x[i]);
		CHECK_TOL(u[i], 4.5 / (3.5 + maha), 1e-15, 0, "u at %g", x[i]);
	}
	/* nu = 1e12: the Gaussian's density, to rounding */
	v[0] = 0;
	v[1] = 2;
	m->family->log_joint(m, 1, v, NULL, 2);
	CHECK_TOL(v[0], log(0.6) - 0.5 * log(2 * M_PI), 1e-11, 0,
	    "nu = 1e12 at 0: the Gaussian's");
	CHECK_TOL(v[1], log(0.6) - 0.5 * log(2 * M_PI) - 1, 1e-11, 0,
	    "nu = 1e12 at maha 2: the Gaussian's");
	CHECK(m->family->params(m) == 2, "t: k more parameters");
	/* the nu update: the equation's residual at the root */
	{
		double n = 40, s = -46.5, old = m->df[0], nu, r;

		m->family->mstep(m, 0, n, s);
		nu = m->df[0];
		r = -gsl_sf_psi(nu / 2) + log(nu / 2) + 1 + s / n +
		    gsl_sf_psi((old + 1) / 2) - log((old + 1) / 2);
		CHECK(nu > 1e-3 && nu < 1e6 && fabs(r) < 1e-13,
		    "nu update: %g, residual %g", nu, r);
		m->df_fixed = 1;
		m->df[0] = 7;
		m->family->mstep(m, 0, n, s);
		CHECK(m->df[0] == 7 && m->family->params(m) == 0,
		    "held nu stays, no parameter");
	}
	c = gmm_model_dup(m);
	CHECK(c != NULL && c->family == &gmm_family_t && c->df[0] == 7 &&
	    c->df[1] == 1e12 && c->df_fixed, "a copy keeps nu");
	gmm_model_free(c);
	gmm_model_free(m);
}

int
main(void)
{
	struct gmm_model *m = gmm_model_new(2, 3, GMM_COV_DIAG), *c;
	struct gmm_error err;
	static const double var[2][3] = { { 1, 2, 4 }, { 0.5, 0.5, 3 } };

	CHECK(m != NULL && m->family == &gmm_family_gaussian,
	    "a new model is Gaussian");
	CHECK(strcmp(gmm_family_gaussian.name, "gaussian") == 0, "name %s",
	    gmm_family_gaussian.name);
	m->weights[0] = 0.25;
	m->weights[1] = 0.75;
	for (size_t q = 0; q < 2; q++)
		for (size_t j = 0; j < 3; j++)
			m->cov[q * 3 + j] = var[q][j];
	CHECK(gmm_model_prepare(m, &err) == 0, "prepare: %s", err.msg);
	for (size_t q = 0; q < 2; q++) {
		double a, b, logdet = log(var[q][0] * var[q][1] * var[q][2]);
		double maha = 2.5;

		m->family->affine(m, q, &a, &b);
		CHECK_TOL(a + b * maha, log(m->weights[q]) - 1.5 * log(2 *
		    M_PI) - 0.5 * logdet - 0.5 * maha, 1e-14, 1e-14,
		    "component %zu", q);
		CHECK(b == -0.5, "b = %g", b);
	}
	c = gmm_model_dup(m);
	CHECK(c != NULL && c->family == m->family, "a copy keeps the family");
	gmm_model_free(c);
	gmm_model_free(m);
	check_t();
	return check_done("test_family");
}
