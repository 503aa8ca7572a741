#include "engine/noise.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

/* The sum of the logs of the ranges of the rows projected on the columns
 * of v (d x d, row-major; NULL: the columns themselves), about mean. */
static double
log_box(const struct gmm_data *x, const double *mean, const double *v,
    double *lo, double *hi, double *y)
{
	size_t d = x->d;
	double s = 0;

	for (size_t j = 0; j < d; j++) {
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
	}
	for (size_t i = 0; i < x->n; i++) {
		if (!(gmm_data_weight(x, i) > 0))
			continue;
		for (size_t j = 0; j < d; j++)
			y[j] = gmm_data_at(x, i, j) - mean[j];
		for (size_t a = 0; a < d; a++) {
			double p = 0;

			if (v == NULL) {
				p = y[a];
			} else {
				for (size_t j = 0; j < d; j++)
					p += y[j] * v[j * d + a];
			}
			lo[a] = p < lo[a] ? p : lo[a];
			hi[a] = p > hi[a] ? p : hi[a];
		}
	}
	for (size_t a = 0; a < d; a++)
		s += log(hi[a] - lo[a]);
	return s;
}

int
gmm_noise_hypvol(const struct gmm_data *x, double *volume,
    struct gmm_error *err)
{
	size_t d = x->d, n = x->n;
	double *mean = calloc(d * (d + 4), sizeof(double));
	double *cov = mean + d, *lo = cov + d * d, *hi = lo + d, *y = hi + d;
	double wt = 0, box, pc;
	gsl_eigen_symmv_workspace *ws = NULL;
	gsl_matrix *evec = NULL;
	gsl_vector *eval = NULL;
	int rc = -1;

	if (mean == NULL)
		return gmm_error_nomem(err);
	if (x->npatterns > 0) {
		rc = gmm_error_set(err, NULL, 0, "the noise component's volume "
		    "needs complete rows; give --noise-volume");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		double w = gmm_data_weight(x, i);

		wt += w;
		for (size_t j = 0; j < d; j++)
			mean[j] += w * gmm_data_at(x, i, j);
	}
	for (size_t j = 0; j < d; j++)
		mean[j] /= wt;
	box = log_box(x, mean, NULL, lo, hi, y);
	pc = box;
	if (d > 1) {
		for (size_t i = 0; i < n; i++) {
			double w = gmm_data_weight(x, i);

			for (size_t j = 0; j < d; j++)
				y[j] = gmm_data_at(x, i, j) - mean[j];
			for (size_t a = 0; a < d; a++)
				for (size_t b = 0; b <= a; b++)
					cov[a * d + b] += w * y[a] * y[b];
		}
		for (size_t a = 0; a < d; a++)
			for (size_t b = 0; b < a; b++)
				cov[b * d + a] = cov[a * d + b];
		ws = gsl_eigen_symmv_alloc(d);
		evec = gsl_matrix_alloc(d, d);
		eval = gsl_vector_alloc(d);
		if (ws == NULL || evec == NULL || eval == NULL) {
			rc = gmm_error_nomem(err);
			goto out;
		}
		{
			gsl_matrix_view a = gsl_matrix_view_array(cov, d, d);

			gsl_eigen_symmv(&a.matrix, eval, evec, ws);
		}
		pc = log_box(x, mean, evec->data, lo, hi, y);
	}
	*volume = exp(pc < box ? pc : box);
	if (!(*volume > 0) || !isfinite(*volume) || !isfinite(1 / *volume)) {
		rc = gmm_error_set(err, NULL, 0, "the data's hypervolume is "
		    "%g (a constant column or direction, or too wide a "
		    "spread); give --noise-volume", *volume);
		goto out;
	}
	rc = 0;
out:
	gsl_eigen_symmv_free(ws);
	gsl_matrix_free(evec);
	gsl_vector_free(eval);
	free(mean);
	return rc;
}
