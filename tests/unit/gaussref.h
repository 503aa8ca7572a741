/*
 * gaussref.h: a Gaussian's marginal and conditional by the textbook
 * formulas, with explicit inverses (a test may invert; the engine never
 * does), the independent side of test_marginal and test_impute.
 */
#ifndef GMM_TEST_GAUSSREF_H
#define GMM_TEST_GAUSSREF_H

#include <math.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "engine/data.h"

#define GAUSSREF_MAX 16

/* inv (n x n) of a (n x n), and log|a|, by LU (tests only). */
static inline double
invert(const double *a, size_t n, double *inv)
{
	gsl_matrix *lu = gsl_matrix_alloc(n, n), *iv = gsl_matrix_alloc(n, n);
	gsl_permutation *p = gsl_permutation_alloc(n);
	int sign;
	double ld;

	for (size_t i = 0; i < n * n; i++)
		lu->data[i] = a[i];
	gsl_linalg_LU_decomp(lu, p, &sign);
	gsl_linalg_LU_invert(lu, p, iv);
	ld = gsl_linalg_LU_lndet(lu);
	memcpy(inv, iv->data, n * n * sizeof(double));
	gsl_matrix_free(lu);
	gsl_matrix_free(iv);
	gsl_permutation_free(p);
	return ld;
}

/*
 * A Gaussian N(mu, s) (d x d) seen through pattern p, by the textbook
 * formulas: into xm its conditional mean mu_m + S_mo S_oo^-1 (x_o - mu_o)
 * given the observed values xo, into cmm (nmis x nmis) its conditional
 * covariance S_mm - S_mo S_oo^-1 S_om; returns log N(xo | mu_o, S_oo).
 */
static inline double
direct(const double *s, const double *mu, size_t d,
    const struct gmm_pattern *p, const double *xo, double *xm, double *cmm)
{
	size_t no = p->nobs, nm = d - no;
	double soo[GAUSSREF_MAX * GAUSSREF_MAX], inv[GAUSSREF_MAX *
	    GAUSSREF_MAX], z[GAUSSREF_MAX], q = 0, ld;

	for (size_t a = 0; a < no; a++)
		for (size_t b = 0; b < no; b++)
			soo[a * no + b] = s[p->obs[a] * d + p->obs[b]];
	ld = invert(soo, no, inv);
	for (size_t a = 0; a < no; a++)
		z[a] = xo[a] - mu[p->obs[a]];
	for (size_t a = 0; a < no; a++)
		for (size_t b = 0; b < no; b++)
			q += z[a] * inv[a * no + b] * z[b];
	for (size_t r = 0; r < nm; r++) {
		xm[r] = mu[p->mis[r]];
		for (size_t a = 0; a < no; a++)
			for (size_t b = 0; b < no; b++)
				xm[r] += s[p->mis[r] * d + p->obs[a]] *
				    inv[a * no + b] * z[b];
		for (size_t u = 0; u < nm; u++) {
			double v = s[p->mis[r] * d + p->mis[u]];

			for (size_t a = 0; a < no; a++)
				for (size_t b = 0; b < no; b++)
					v -= s[p->mis[r] * d + p->obs[a]] *
					    inv[a * no + b] *
					    s[p->obs[b] * d + p->mis[u]];
			cmm[r * nm + u] = v;
		}
	}
	return -0.5 * ((double)no * log(2 * M_PI) + ld + q);
}

#endif
