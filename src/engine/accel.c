#include "engine/accel.h"

#include <math.h>

/* One array of a model's free parameters. */
struct span {
	double *v;
	size_t n;
};

/* The free parameters of m as arrays (accel.h); their number. */
static size_t
params(const struct gmm_model *m, struct span s[6])
{
	size_t k = m->k, d = m->d, ns = 0;

	s[ns++] = (struct span){ m->weights, k };
	if (m->noise)
		s[ns++] = (struct span){ (double *)&m->noise_weight, 1 };
	s[ns++] = (struct span){ m->means, k * d };
	if (gmm_covmodel(m->cov_type)->factor && m->factors > 0) {
		s[ns++] = (struct span){ m->loadings, k * d * m->factors };
		s[ns++] = (struct span){ m->psi, m->cov_type == GMM_COV_MFA ?
		    k * d : k };
	} else {
		s[ns++] = (struct span){ m->cov, gmm_cov_size(m->cov_type, k,
		    d) };
	}
	if (m->family->scaled && !m->df_fixed)
		s[ns++] = (struct span){ m->df, k };
	return ns;
}

int
gmm_accel_point(const struct gmm_model *m0, const struct gmm_model *m1,
    const struct gmm_model *m2, double step_max, struct gmm_model *out,
    double *alpha)
{
	struct span s0[6], s1[6], s2[6], so[6];
	size_t ns = params(m0, s0);
	double rr = 0, vv = 0, a, sum = 0;
	struct gmm_error err;

	params(m1, s1);
	params(m2, s2);
	gmm_model_copy_params(out, m2);	/* what is not a parameter */
	params(out, so);
	for (size_t t = 0; t < ns; t++)
		for (size_t i = 0; i < s0[t].n; i++) {
			double r = s1[t].v[i] - s0[t].v[i];
			double v = s2[t].v[i] - 2 * s1[t].v[i] + s0[t].v[i];

			rr += r * r;
			vv += v * v;
		}
	a = vv > 0 ? sqrt(rr / vv) : 1;
	if (!(a >= 1))
		a = 1;
	if (a > step_max)
		a = step_max;
	*alpha = a;
	for (size_t t = 0; t < ns; t++)
		for (size_t i = 0; i < s0[t].n; i++) {
			double r = s1[t].v[i] - s0[t].v[i];
			double v = s2[t].v[i] - 2 * s1[t].v[i] + s0[t].v[i];

			so[t].v[i] = s0[t].v[i] + 2 * a * r + a * a * v;
		}
	/* weights positive, summing to 1 exactly */
	for (size_t c = 0; c < out->k; c++) {
		if (!(out->weights[c] > 0))
			return 0;
		sum += out->weights[c];
	}
	if (out->noise) {
		if (!(out->noise_weight > 0))
			return 0;
		sum += out->noise_weight;
	}
	if (!isfinite(sum))
		return 0;
	for (size_t c = 0; c < out->k; c++)
		out->weights[c] /= sum;
	out->noise_weight /= sum;
	if (gmm_covmodel(out->cov_type)->form != GMM_FORM_MATRIX &&
	    !gmm_covmodel(out->cov_type)->factor)
		for (size_t i = 0; i < gmm_cov_size(out->cov_type, out->k,
		    out->d); i++)
			if (!(out->cov[i] > 0))
				return 0;
	/* finite, psi and degrees of freedom positive, a factor model's
	 * covariances from its loadings, positive definite; prepared */
	return gmm_model_validate(out, "", &err) == 0;
}
