/*
 * estep: log densities and responsibilities of rows under a model, by a
 * pass of gmm_estep_run() over their blocks (two threads), against
 * the formula with an explicitly inverted covariance (allowed here, in a
 * test, as an independent computation), responsibilities summing to 1,
 * L L^T rebuilding Sigma, a row no component reaches, and responsibilities
 * that would be subnormal; with every kernel table this processor runs
 * (engine/kernels.h), each by its wide and its narrow paths.
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
#include "engine/estep.h"
#include "engine/kernels.h"
#include "engine/model.h"
#include "engine/vec.h"

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
	if (gmm_covmodel(t)->form != GMM_FORM_MATRIX) {
		for (size_t i = 0; i < gmm_cov_size(t, k, d); i++)
			m->cov[i] = 0.2 + gsl_rng_uniform(r);
	} else {
		size_t nmat = gmm_covmodel_count(gmm_covmodel(t), k);

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

struct out {
	double *resp, *logd;
	size_t k, blocks;
};

/* A block's results into row-major arrays (gmm_estep_run() block()). */
static void
take_block(void *arg, int worker, const struct gmm_block *blk, double *resp,
    const double *logd)
{
	struct out *o = arg;

	(void)worker;
	o->blocks++;
	for (size_t i = 0; i < blk->rows; i++) {
		o->logd[blk->first + i] = logd[i];
		for (size_t c = 0; c < o->k; c++)
			o->resp[(blk->first + i) * o->k + c] =
			    resp[c * GMM_BLOCK_ROWS + i];
	}
}

/*
 * resp[i*k + c] and log_density[i] of `rows` rows of x (row-major) by
 * gmm_estep_run() over the rows' blocks, two threads, tasks of two
 * blocks, each block once.
 */
static void
estep_rows(const struct gmm_model *m, const double *x, size_t rows,
    double *resp, double *log_density)
{
	struct gmm_data data;
	struct gmm_source src;
	struct gmm_pool *pool = gmm_pool_new(2);
	struct gmm_estep_buffers buf[2];
	struct out o = { resp, log_density, m->k, 0 };
	struct gmm_estep_job job = { .m = m, .task_blocks = 2, .nslots = 1,
		.block = take_block, .arg = &o };

	CHECK(pool != NULL && gmm_data_from_rows(&data, x, rows, m->d) == 0 &&
	    gmm_estep_buffers_alloc(&buf[0], m->d, m->k) == 0 &&
	    gmm_estep_buffers_alloc(&buf[1], m->d, m->k) == 0, "alloc");
	gmm_data_source(&data, &src);
	job.src = &src;
	gmm_estep_run(pool, 2, buf, &job);
	CHECK(o.blocks == data.nblocks, "%zu blocks of %zu", o.blocks,
	    data.nblocks);
	gmm_estep_buffers_release(&buf[0]);
	gmm_estep_buffers_release(&buf[1]);
	gmm_data_release(&data);
	gmm_pool_free(pool);
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
	double *logd = malloc(rows * sizeof(double));

	for (size_t i = 0; i < rows * d; i++)
		x[i] = 6 * gsl_rng_uniform(r) - 3;
	x[(rows - 1) * d] = 1e200;
	estep_rows(m, x, rows, logp, logd);
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
	free(logd);
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
	double x = 0, resp[2], logd;

	for (size_t i = 0; i < sizeof(gap) / sizeof(gap[0]); i++) {
		struct gmm_model *m = gmm_model_new(2, 1, GMM_COV_DIAG);
		struct gmm_error err;
		double want = exp(-gap[i]);

		m->weights[0] = m->weights[1] = 0.5;
		m->means[0] = 0;
		m->means[1] = sqrt(2 * gap[i]);
		m->cov[0] = m->cov[1] = 1;
		CHECK(gmm_model_prepare(m, &err) == 0, "prepare: %s", err.msg);
		estep_rows(m, &x, 1, resp, &logd);
		if (want >= DBL_MIN)
			CHECK_TOL(resp[1], want, 0, 1e-9 * want, "gap %g: %a",
			    gap[i], resp[1]);
		else
			CHECK(resp[1] == 0, "gap %g: %a", gap[i], resp[1]);
		CHECK(resp[0] == 1, "gap %g: near %a", gap[i], resp[0]);
		gmm_model_free(m);
	}
}

int
main(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t ran = 0;

	gsl_set_error_handler_off();
	for (size_t i = 0; i < gmm_n_kernel_tables; i++) {
		const struct gmm_kernels *kt = gmm_kernel_tables[i];

		if (!gmm_kernels_runnable(kt)) {
			printf("kernels %s: not on this processor\n", kt->name);
			continue;
		}
		gmm_kernels_force(kt);
		for (int narrow = 0; narrow <= 1; narrow++) {
			gmm_vec_force = narrow;
			for (int t = 0; t < GMM_N_COVMODELS; t++)
				for (size_t d = 1; d <= 9; d += 4) {
					/* 1, 5, 9: tails */
					check_density((enum gmm_cov_type)t, d,
					    3, r);
					check_density((enum gmm_cov_type)t, d,
					    9, r);
				}
			check_tiny_resp();
		}
		printf("kernels %s: wide and narrow checked\n", kt->name);
		ran++;
	}
	gmm_vec_force = -1;
	gmm_kernels_force(NULL);
	CHECK(ran >= 1, "no kernel table ran");
	gsl_rng_free(r);
	return check_done("test_estep");
}
