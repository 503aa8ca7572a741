/*
 * mclustref.h: a fitted model against one step of an mclust reference
 * trajectory (tests/ref/mclust: "after"."t" holds weights, means, full
 * covariances and loglik), for test_mclust and test_noise.  A relative
 * difference is taken against the entry's natural scale: a weight
 * against itself, a mean against its size plus its column's standard
 * deviation, a covariance entry against sqrt(Sigma_ii Sigma_jj).
 */
#ifndef GMM_TEST_MCLUSTREF_H
#define GMM_TEST_MCLUSTREF_H

#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "check.h"
#include "engine/model.h"

static double
num(json_t *a, size_t i)
{
	return json_number_value(json_array_get(a, i));
}

static void
check_mclust_step(const struct gmm_model *m, json_t *after, const char *label,
    double rtol, double ltol, double loglik)
{
	size_t k = m->k, d = m->d;
	json_t *w = json_object_get(after, "weights");
	json_t *mu = json_object_get(after, "means");
	json_t *cov = json_object_get(after, "covariances");
	double *sig = malloc(d * d * sizeof(double));

	if (sig == NULL)
		exit(2);
	CHECK_TOL(loglik, json_number_value(json_object_get(after, "loglik")),
	    ltol, 0, "%s loglik", label);
	for (size_t c = 0; c < k; c++) {
		json_t *mc = json_array_get(mu, c), *sc = json_array_get(cov, c);

		CHECK_TOL(m->weights[c], num(w, c), rtol, 0, "%s weight %zu",
		    label, c);
		gmm_model_component_cov(m, c, sig);
		for (size_t i = 0; i < d; i++) {
			double sii = num(json_array_get(sc, i), i);

			CHECK_TOL(m->means[c * d + i], num(mc, i), rtol,
			    rtol * sqrt(sii), "%s mean %zu %zu", label, c, i);
			for (size_t j = 0; j < d; j++) {
				double sjj = num(json_array_get(sc, j), j);

				CHECK_TOL(sig[i * d + j],
				    num(json_array_get(sc, i), j), 0,
				    rtol * sqrt(sii * sjj), "%s cov %zu %zu %zu",
				    label, c, i, j);
			}
		}
	}
	free(sig);
}

#endif
