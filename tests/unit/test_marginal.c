/*
 * marginal: a mixture seen through a pattern of observed columns, against
 * direct formulas written here with explicit inverses (a test may invert;
 * the engine never does): the marginal log density of a partly observed
 * row, the conditional mean and variance of its missing columns, and the
 * statistics' share, gathered on the observed columns or row by row,
 * against the per-row sums of the filled-in rows.  For
 * a full, a shared (tied), a diagonal and a spherical model.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "check.h"
#include "gaussref.h"
#include "engine/estep.h"
#include "engine/marginal.h"
#include "engine/stats.h"

#define D 4
#define K 2

/* Component c's full covariance in a model of type t. */
static void
sigma_of(enum gmm_cov_type t, size_t c, double *s)
{
	static const double a[K][D * D] = {
		{ 2.0, 0.6, 0.3, -0.2, 0.6, 1.5, 0.4, 0.1, 0.3, 0.4, 1.2, 0.5,
		  -0.2, 0.1, 0.5, 1.8 },
		{ 1.1, -0.3, 0.2, 0.0, -0.3, 0.9, 0.1, 0.2, 0.2, 0.1, 1.4,
		  -0.4, 0.0, 0.2, -0.4, 1.0 },
	};
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	for (size_t i = 0; i < D * D; i++) {
		size_t r = i / D, q = i % D;
		double v = a[cm->shared ? 0 : c][i];

		if (cm->form == GMM_FORM_DIAGONAL)
			v = r == q ? v : 0;
		if (cm->form == GMM_FORM_SCALAR)
			v = r == q ? 1.3 + 0.4 * (double)c : 0;
		s[i] = v;
	}
}

static struct gmm_model *
model_of(enum gmm_cov_type t)
{
	struct gmm_model *m = gmm_model_new(K, D, t);
	const struct gmm_covmodel *cm = gmm_covmodel(t);
	double s[D * D];
	struct gmm_error err;

	m->weights[0] = 0.35;
	m->weights[1] = 0.65;
	for (size_t j = 0; j < D; j++) {
		m->means[j] = 0.5 * (double)j - 1;
		m->means[D + j] = 1.5 - 0.3 * (double)j;
	}
	for (size_t c = 0; c < gmm_covmodel_count(cm, K); c++) {
		sigma_of(t, c, s);
		gmm_covmodel_from_full(cm, s, D,
		    m->cov + gmm_covmodel_offset(cm, c, D));
	}
	if (gmm_model_prepare(m, &err) < 0) {
		fprintf(stderr, "prepare: %s\n", err.msg);
		exit(2);
	}
	return m;
}

static void
make_pattern(struct gmm_pattern *p, const unsigned char *mask, size_t *cols)
{
	size_t a = 0, r = 0, no = 0;

	for (size_t j = 0; j < D; j++)
		no += mask[j];
	p->nobs = no;
	p->obs = cols;
	p->mis = cols + no;
	p->mask = (unsigned char *)mask;
	for (size_t j = 0; j < D; j++) {
		if (mask[j])
			p->obs[a++] = j;
		else
			p->mis[r++] = j;
	}
}

static void
check_type(enum gmm_cov_type t, const unsigned char *mask)
{
	static const double rows[3][D] = { { 0.3, -1.2, 2.0, 0.7 },
		{ -0.8, 0.4, 1.1, -1.5 }, { 1.9, 0.2, -0.6, 0.1 } };
	const char *name = gmm_cov_type_name(t);
	struct gmm_model *m = model_of(t);
	struct gmm_marginal mg;
	struct gmm_pattern p;
	struct gmm_error err;
	struct gmm_stats os, st, want;
	size_t cols[D], no, nm;
	double *xt = gmm_doubles_new(GMM_BLOCK_ROWS * D);
	double *resp = gmm_doubles_new(GMM_BLOCK_ROWS * K);
	double *work = gmm_doubles_new(GMM_STATS_WORK(D));
	double logd[GMM_BLOCK_ROWS];
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	make_pattern(&p, mask, cols);
	no = p.nobs;
	nm = D - no;
	CHECK(gmm_marginal_alloc(&mg, K, D, t) == 0, "%s alloc", name);
	CHECK(gmm_marginal_set(&mg, m, &p, 1, &err) == 0, "%s set", name);
	CHECK(mg.m->d == no, "%s: the marginal has %zu columns", name, no);
	memset(xt, 0, GMM_BLOCK_ROWS * D * sizeof(double));
	for (size_t i = 0; i < 3; i++)
		for (size_t a = 0; a < no; a++)
			xt[a * GMM_BLOCK_ROWS + i] = rows[i][p.obs[a]];
	gmm_estep_block(mg.m, xt, 3, resp, logd, NULL, work);
	if (gmm_stats_alloc(&os, gmm_marginal_type(t), K, no, 1) < 0 ||
	    gmm_stats_alloc(&st, t, K, D, 0) < 0 ||
	    gmm_stats_alloc(&want, t, K, D, 0) < 0)
		exit(2);
	gmm_stats_zero(&st);
	gmm_stats_zero(&want);
	for (size_t i = 0; i < 3; i++) {
		double xo[D], xm[K][D], cmm[K][D * D], lj[K], top, s = 0;

		for (size_t a = 0; a < no; a++)
			xo[a] = rows[i][p.obs[a]];
		for (size_t c = 0; c < K; c++) {
			double got[D], var[D];

			double sig[D * D];

			sigma_of(t, c, sig);
			lj[c] = log(m->weights[c]) + direct(sig, m->means +
			    c * D, D, &p, xo, xm[c], cmm[c]);
			gmm_marginal_conditional(&mg, c, xo, got, var);
			for (size_t r = 0; r < nm; r++) {
				CHECK_REL(got[r], xm[c][r], 1e-12,
				    "%s row %zu comp %zu: conditional mean %zu",
				    name, i, c, r);
				CHECK_REL(var[r], cmm[c][r * nm + r], 1e-12,
				    "%s row %zu comp %zu: conditional var %zu",
				    name, i, c, r);
			}
		}
		top = lj[0] > lj[1] ? lj[0] : lj[1];
		for (size_t c = 0; c < K; c++)
			s += exp(lj[c] - top);
		CHECK_REL(logd[i], top + log(s), 1e-12, "%s row %zu: log p(x_o)",
		    name, i);
		for (size_t c = 0; c < K; c++) {
			double r = exp(lj[c] - top - log(s)), xh[D];
			double *sxx = want.sxx + (cm->form == GMM_FORM_MATRIX ?
			    (cm->shared ? 0 : c * D * D) : c * D);

			CHECK_REL(resp[c * GMM_BLOCK_ROWS + i], r, 1e-12,
			    "%s row %zu: responsibility %zu", name, i, c);
			/* the filled-in row's sums, about the full means */
			for (size_t a = 0; a < no; a++)
				xh[p.obs[a]] = xo[a];
			for (size_t u = 0; u < nm; u++)
				xh[p.mis[u]] = xm[c][u];
			want.nk[c] += r;
			for (size_t j = 0; j < D; j++) {
				double zj = xh[j] - m->means[c * D + j];

				want.sx[c * D + j] += r * zj;
				if (cm->form != GMM_FORM_MATRIX) {
					sxx[j] += r * zj * zj;
					continue;
				}
				for (size_t l = 0; l <= j; l++)
					sxx[j * D + l] += r * zj *
					    (xh[l] - m->means[c * D + l]);
			}
			for (size_t u = 0; u < nm; u++)
				for (size_t v = 0; v < nm; v++) {
					size_t a = p.mis[u], b = p.mis[v];

					if (cm->form != GMM_FORM_MATRIX) {
						if (u == v)
							sxx[a] += r *
							    cmm[c][u * nm + u];
					} else if (b <= a) {
						sxx[a * D + b] += r *
						    cmm[c][u * nm + v];
					}
				}
		}
	}
	for (size_t i = 3; i < GMM_ROW_GROUP; i++)
		for (size_t c = 0; c < K; c++)
			resp[c * GMM_BLOCK_ROWS + i] = 0;
	/* by statistics on the observed columns, then row by row */
	for (int by_rows = 0; by_rows < 2; by_rows++) {
		const char *how = by_rows ? "add_rows" : "add_stats";

		gmm_stats_zero(&st);
		if (by_rows) {
			gmm_marginal_add_rows(&mg, xt, 3, resp, &st);
		} else {
			gmm_stats_zero(&os);
			gmm_stats_add_block(&os, mg.m->means, xt, 3, resp,
			    work);
			gmm_stats_fold(&os);
			gmm_marginal_add_stats(&mg, &os, &st);
		}
		for (size_t c = 0; c < K; c++)
			CHECK_REL(st.nk[c], want.nk[c], 1e-12, "%s %s nk %zu",
			    name, how, c);
		for (size_t i = 0; i < K * D; i++)
			CHECK_TOL(st.sx[i], want.sx[i], 1e-11, 1e-12,
			    "%s %s sx[%zu]", name, how, i);
		for (size_t i = 0; i < st.nsxx; i++) {
			size_t j = i % (D * D);

			if (cm->form == GMM_FORM_MATRIX && j % D > j / D)
				continue;	/* the upper triangle is not
						 * kept */
			CHECK_TOL(st.sxx[i], want.sxx[i], 1e-11, 1e-12,
			    "%s %s sxx[%zu]", name, how, i);
		}
	}
	gmm_stats_release(&os);
	gmm_stats_release(&st);
	gmm_stats_release(&want);
	gmm_marginal_release(&mg);
	gmm_model_free(m);
	free(xt);
	free(resp);
	free(work);
}

int
main(void)
{
	static const enum gmm_cov_type types[] = { GMM_COV_FULL,
		GMM_COV_TIED, GMM_COV_DIAG, GMM_COV_SPHERICAL, GMM_COV_VEV,
		GMM_COV_EEI };
	static const unsigned char masks[][D] = { { 1, 0, 1, 0 },
		{ 0, 1, 1, 1 }, { 1, 1, 1, 0 }, { 0, 0, 1, 0 } };

	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++)
		for (size_t q = 0; q < sizeof(masks) / sizeof(masks[0]); q++)
			check_type(types[t], masks[q]);
	return check_done("test_marginal");
}
