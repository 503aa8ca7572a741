/*
 * family: what kind of density a mixture's components have, as a row of
 * a table: the Gaussian, and the multivariate Student-t (Peel and
 * McLachlan 2000).  Factor analysers are covariance models (covmodel.h);
 * a noise component sits beside the components of any family (noise.h).
 *
 * The kernels (engine/kernels.h) give each row's squared Mahalanobis
 * distance to each component, maha_c(x) = (x - mu_c)^T Sigma_c^-1
 * (x - mu_c), from the covariance model's factorisation.  A family turns
 * it into the log joint log w_c + log f_c(x).  The Gaussian's is affine in
 * the distance, a_c + b maha_c(x), which the kernels apply as they go, so
 * it costs no pass of its own (affine); any other family takes the
 * distances (a = 0, b = 1) and maps them itself (log_joint), and may give
 * each row a latent scale u_ic beside them (scaled: the t's
 * (nu_c + d) / (nu_c + maha)).
 *
 * The EM of a scaled family (em.c) weighs each row's statistics by r_ic
 * u_ic (the means are sum r u x / sum r u, the scatter about them sum
 * r u (x - mu)(x - mu)^T), keeps n_c = sum r_ic for the weights and the
 * covariance divisors, and updates the family's own parameters from the
 * per-component sums it asks for (mstep: the t's nu_c from sum r_ic and
 * sum r_ic (log u_ic - u_ic)).  A family's own parameters live in the
 * model (model.h: df), one per component.
 *
 * Nothing here allocates, fails or prints.
 */
#ifndef GMM_FAMILY_H
#define GMM_FAMILY_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

struct gmm_model;

/* Student-t: the degrees of freedom a fit starts from, unless --df
 * fixes them, and the interval the update searches (Peel and McLachlan's
 * bisection; the references' too). */
#define GMM_T_START_DF 10.0
#define GMM_T_DF_MIN 1e-3
#define GMM_T_DF_MAX 1e6

struct gmm_family {
	const char *name;	/* "gaussian", "t" */
	uint32_t code;		/* in the binary model file */
	int scaled;		/* the E-step gives latent scales u_ic */
	/* affine families: log w_c + log f_c(x) = a + b maha_c(x) for a
	 * prepared model; NULL for the others */
	void (*affine)(const struct gmm_model *m, size_t c, double *a,
	    double *b);
	/* the others: component c's distances v[0..rows) into log joints in
	 * place, and the latent scales into u[0..rows) when u is not NULL */
	void (*log_joint)(const struct gmm_model *m, size_t c, double *v,
	    double *u, size_t rows);
	/* the family's own parameters of component c from n_c = sum r_ic
	 * and s_c = sum r_ic (log u_ic - u_ic) over the E-step's rows
	 * (scaled families), unless the model holds them fixed */
	void (*mstep)(struct gmm_model *m, size_t c, double n_c, double s_c);
	/* the factor that a draw's Gaussian offset L z is multiplied by
	 * (t: 1 / sqrt(g), g ~ chi^2_nu / nu); NULL: 1 */
	double (*draw_scale)(const struct gmm_model *m, size_t c,
	    gsl_rng *rng);
	/* free parameters beyond the Gaussian mixture's (BIC's count) */
	size_t (*params)(const struct gmm_model *m);
};

extern const struct gmm_family gmm_family_gaussian;
extern const struct gmm_family gmm_family_t;

/* The family of a binary file's code, or NULL. */
const struct gmm_family *gmm_family_coded(uint32_t code);
/* The family named s ("gaussian", "t"), or NULL. */
const struct gmm_family *gmm_family_named(const char *s);

#endif
