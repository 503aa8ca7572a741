#include "engine/family.h"

#include <math.h>

#include "engine/model.h"

/* a = log w_c - (d ln 2 pi + ln |Sigma_c|) / 2, b = -1/2 */
static void
gaussian_affine(const struct gmm_model *m, size_t c, double *a, double *b)
{
	double log_2pi_d = (double)m->d * log(2 * M_PI);

	*a = m->log_weights[c] - 0.5 * (log_2pi_d + m->log_det[c]);
	*b = -0.5;
}

const struct gmm_family gmm_family_gaussian = {
	.name = "gaussian",
	.code = 0,
	.affine = gaussian_affine,
};

const struct gmm_family *
gmm_family_coded(uint32_t code)
{
	return code == gmm_family_gaussian.code ? &gmm_family_gaussian : NULL;
}
