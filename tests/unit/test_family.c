/*
 * family: the Gaussian row's affine form against the density written out
 * (log w - d/2 ln 2 pi - 1/2 ln |Sigma| - maha/2), and that models get
 * that row from gmm_model_new() and keep it through gmm_model_dup().
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "engine/family.h"
#include "engine/model.h"

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
	return check_done("test_family");
}
