#include "engine/family.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "engine/model.h"

/* a = log w_c - (d ln 2 pi + ln |Sigma_c|) / 2, b = -1/2 */
static void
gaussian_affine(const struct gmm_model *m, size_t c, double *a, double *b)
{
	double log_2pi_d = (double)m->d * log(2 * M_PI);

	*a = m->log_weights[c] - 0.5 * (log_2pi_d + m->log_det[c]);
	*b = -0.5;
}

static size_t
no_params(const struct gmm_model *m)
{
	(void)m;
	return 0;
}

const struct gmm_family gmm_family_gaussian = {
	.name = "gaussian",
	.code = 0,
	.affine = gaussian_affine,
	.params = no_params,
};

/*
 * log w_c + log t_nu(x; mu_c, Sigma_c) = log w_c + lgamma((nu + d)/2) -
 * lgamma(nu/2) - d/2 log(nu pi) - 1/2 log|Sigma_c| - (nu + d)/2 log(1 +
 * maha/nu), the gamma ratio as lgamma(d/2) - ln B(nu/2, d/2), which does
 * not cancel for large nu; u = (nu + d) / (nu + maha).
 */
static void
t_log_joint(const struct gmm_model *m, size_t c, double *v, double *u,
    size_t rows)
{
	double nu = m->df[c], d = (double)m->d, h = (nu + d) / 2;
	double cst = m->log_weights[c] + gsl_sf_lngamma(d / 2) -
	    gsl_sf_lnbeta(nu / 2, d / 2) - d / 2 * log(nu * M_PI) -
	    0.5 * m->log_det[c];

	for (size_t i = 0; i < rows; i++) {
		if (u != NULL)
			u[i] = (nu + d) / (nu + v[i]);
		v[i] = cst - h * log1p(v[i] / nu);
	}
}

/* Peel and McLachlan's equation for the new nu, decreasing in nu. */
static double
t_df_equation(double nu, double k0)
{
	return -gsl_sf_psi(nu / 2) + log(nu / 2) + k0;
}

/*
 * CM-step 2 (Peel and McLachlan 2000): nu_c solves -psi(nu/2) + log(nu/2)
 * + 1 + s_c / n_c + psi((nu_old + d)/2) - log((nu_old + d)/2) = 0, by
 * bisection on [GMM_T_DF_MIN, GMM_T_DF_MAX] down to adjacent doubles; an
 * end of the interval when the root lies beyond it.
 */
static void
t_mstep(struct gmm_model *m, size_t c, double n_c, double s_c)
{
	double d = (double)m->d, old = m->df[c], lo = GMM_T_DF_MIN;
	double hi = GMM_T_DF_MAX, k0;

	if (m->df_fixed || !(n_c > 0))
		return;
	k0 = 1 + s_c / n_c + gsl_sf_psi((old + d) / 2) - log((old + d) / 2);
	if (t_df_equation(hi, k0) >= 0) {
		m->df[c] = hi;
		return;
	}
	if (t_df_equation(lo, k0) <= 0) {
		m->df[c] = lo;
		return;
	}
	for (int it = 0; it < 200; it++) {
		double mid = lo + (hi - lo) / 2;

		if (mid <= lo || mid >= hi)
			break;
		if (t_df_equation(mid, k0) > 0)
			lo = mid;
		else
			hi = mid;
	}
	m->df[c] = lo + (hi - lo) / 2;
}

/* x = mu + L z / sqrt(g), g ~ chi^2_nu / nu */
static double
t_draw_scale(const struct gmm_model *m, size_t c, gsl_rng *rng)
{
	double nu = m->df[c];

	return 1 / sqrt(gsl_ran_chisq(rng, nu) / nu);
}

static size_t
t_params(const struct gmm_model *m)
{
	return m->df_fixed ? 0 : m->k;
}

const struct gmm_family gmm_family_t = {
	.name = "t",
	.code = 1,
	.scaled = 1,
	.log_joint = t_log_joint,
	.mstep = t_mstep,
	.draw_scale = t_draw_scale,
	.params = t_params,
};

static const struct gmm_family *const families[] = {
	&gmm_family_gaussian, &gmm_family_t,
};

const struct gmm_family *
gmm_family_coded(uint32_t code)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i]->code == code)
			return families[i];
	return NULL;
}

const struct gmm_family *
gmm_family_named(const char *s)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strcmp(families[i]->name, s) == 0)
			return families[i];
	return NULL;
}
