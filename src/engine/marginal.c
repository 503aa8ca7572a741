#include "engine/marginal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum gmm_cov_type
gmm_marginal_type(enum gmm_cov_type t)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	if (cm->form == GMM_FORM_MATRIX)
		return cm->shared ? GMM_COV_TIED : GMM_COV_FULL;
	return cm->form == GMM_FORM_DIAGONAL ? GMM_COV_DIAG :
	    GMM_COV_SPHERICAL;
}

int
gmm_marginal_alloc(struct gmm_marginal *mg, size_t k, size_t d,
    enum gmm_cov_type t)
{
	size_t count = gmm_covmodel_count(gmm_covmodel(t), k);

	memset(mg, 0, sizeof(*mg));
	mg->k = k;
	mg->d = d;
	mg->type = t;
	mg->m = gmm_model_new(k, d, gmm_marginal_type(t));
	mg->b = malloc((count * d * d + 1) * sizeof(double));
	mg->cmm = malloc((count * d * d + k * d + 1) * sizeof(double));
	mg->mu_m = malloc((k * d + 1) * sizeof(double));
	mg->work = malloc((2 * d * d + 1) * sizeof(double));
	return mg->m && mg->b && mg->cmm && mg->mu_m && mg->work ? 0 : -1;
}

void
gmm_marginal_release(struct gmm_marginal *mg)
{
	if (mg->m != NULL)
		mg->m->d = mg->d;	/* what it was made with */
	gmm_model_free(mg->m);
	free(mg->b);
	free(mg->cmm);
	free(mg->mu_m);
	free(mg->work);
	memset(mg, 0, sizeof(*mg));
}

/*
 * B = Sigma_mo Sigma_oo^-1 (nm x no) and C = Sigma_mm - B Sigma_om from the
 * full sigma (d x d) and the factor l of Sigma_oo: row r of B solves
 * L L^T b = Sigma_om's column r.
 */
static void
conditional(const double *sigma, size_t d, const struct gmm_pattern *p,
    const double *l, double *b, double *cmm)
{
	size_t no = p->nobs, nm = d - no;

	for (size_t r = 0; r < nm; r++) {
		double *br = b + r * no;
		const double *srow = sigma + p->mis[r] * d;

		for (size_t a = 0; a < no; a++) {	/* L y = s */
			double s = srow[p->obs[a]];

			for (size_t q = 0; q < a; q++)
				s -= l[a * no + q] * br[q];
			br[a] = s / l[a * no + a];
		}
		for (size_t a = no; a-- > 0;) {	/* L^T x = y */
			double s = br[a];

			for (size_t q = a + 1; q < no; q++)
				s -= l[q * no + a] * br[q];
			br[a] = s / l[a * no + a];
		}
	}
	for (size_t r = 0; r < nm; r++)
		for (size_t t = 0; t < nm; t++) {
			double s = sigma[p->mis[r] * d + p->mis[t]];

			for (size_t a = 0; a < no; a++)
				s -= b[r * no + a] * sigma[p->mis[t] * d +
				    p->obs[a]];
			cmm[r * nm + t] = s;
		}
}

/*
 * Lower Cholesky factor l of the n x n block of sigma (d x d) on columns
 * idx, and log|block| in *log_det; -1 when it is not positive definite (a
 * pivot that is not positive, or whose reciprocal overflows).  Written
 * out: the blocks are small and many (one per pattern and component each
 * pass), where a library's call overhead is most of the cost.
 */
static int
factor(const double *sigma, size_t d, const size_t *idx, size_t n,
    double *l, double *log_det)
{
	double s = 0;

	for (size_t j = 0; j < n; j++) {
		double *lj = l + j * n, v = sigma[idx[j] * d + idx[j]];

		for (size_t q = 0; q < j; q++)
			v -= lj[q] * lj[q];
		if (!(v > 0) || !isfinite(v) || !isfinite(1 / sqrt(v)))
			return -1;
		lj[j] = sqrt(v);
		s += log(lj[j]);
		for (size_t i = j + 1; i < n; i++) {
			double *li = l + i * n, t = sigma[idx[i] * d + idx[j]];

			for (size_t q = 0; q < j; q++)
				t -= li[q] * lj[q];
			li[j] = t / lj[j];
		}
		for (size_t q = j + 1; q < n; q++)
			lj[q] = 0;
	}
	*log_det = 2 * s;
	return 0;
}

int
gmm_marginal_set(struct gmm_marginal *mg, const struct gmm_model *full,
    const struct gmm_pattern *p, int cond, struct gmm_error *err)
{
	const struct gmm_covmodel *cm = gmm_covmodel(full->cov_type);
	struct gmm_model *m = mg->m;
	size_t k = mg->k, d = mg->d, no = p->nobs, nm = d - no;

	mg->pattern = p;
	mg->cond = cond;
	m->d = no;
	/* a t's marginal is a t of the same nu on the observed columns */
	m->family = full->family;
	m->df_fixed = full->df_fixed;
	for (size_t c = 0; c < k; c++) {
		m->df[c] = full->df[c];
		m->weights[c] = full->weights[c];
		m->log_weights[c] = full->log_weights[c];
		for (size_t a = 0; a < no; a++)
			m->means[c * no + a] = full->means[c * d + p->obs[a]];
		for (size_t r = 0; r < nm; r++)
			mg->mu_m[c * d + r] = full->means[c * d + p->mis[r]];
	}
	if (cm->form != GMM_FORM_MATRIX) {
		for (size_t c = 0; c < k; c++) {
			for (size_t a = 0; a < no && cm->form ==
			    GMM_FORM_DIAGONAL; a++)
				m->cov[c * no + a] = gmm_covmodel_var(cm,
				    full->cov, c, p->obs[a], d);
			if (cm->form == GMM_FORM_SCALAR)
				m->cov[c] = gmm_covmodel_var(cm, full->cov, c,
				    0, d);
			for (size_t r = 0; r < nm; r++)
				mg->cmm[c * d + r] = gmm_covmodel_var(cm,
				    full->cov, c, p->mis[r], d);
		}
		return gmm_model_prepare(m, err);
	}
	/* the marginal's factors (what gmm_model_prepare() would derive;
	 * its covariances are not needed), then B and C */
	for (size_t s = 0; s < gmm_covmodel_count(cm, k); s++) {
		const double *sigma = full->cov + gmm_covmodel_offset(cm, s, d);

		if (factor(sigma, d, p->obs, no, m->chol + s * no * no,
		    &m->log_det[s]) < 0)
			return gmm_error_set(err, NULL, 0, "component %zu: "
			    "covariance is not positive definite", s);
		if (cm->shared)
			for (size_t c = 1; c < k; c++)
				m->log_det[c] = m->log_det[0];
		if (cond)
			conditional(sigma, d, p, m->chol + s * no * no,
			    mg->b + s * d * d, mg->cmm + s * d * d);
	}
	return 0;
}

/* (sum r) C into the (m, m) block of scatter s (lower triangle). */
static void
add_conditional(const struct gmm_pattern *p, size_t d, double r,
    const double *cmm, double *s)
{
	size_t nm = d - p->nobs;

	for (size_t u = 0; u < nm; u++)
		for (size_t t = 0; t <= u; t++)
			s[p->mis[u] * d + p->mis[t]] += r * cmm[u * nm + t];
}

/* Full scatter s (d x d, lower triangle) += [I; B] soo [I; B]^T placed by
 * the pattern, soo (no x no) a lower triangle, b nm x no; g (d x no) and
 * sym (no x no) are scratch. */
static void
add_scatter(const struct gmm_pattern *p, size_t d, const double *soo,
    const double *b, double *s, double *g, double *sym)
{
	size_t no = p->nobs, nm = d - no;

	for (size_t a = 0; a < no; a++)
		for (size_t q = 0; q <= a; q++)
			sym[a * no + q] = sym[q * no + a] = soo[a * no + q];
	/* g: row obs[a] is soo's row a, row mis[r] is (B soo)'s row r */
	for (size_t a = 0; a < no; a++)
		memcpy(g + p->obs[a] * no, sym + a * no, no * sizeof(double));
	for (size_t r = 0; r < nm; r++) {
		double *gr = g + p->mis[r] * no;

		for (size_t q = 0; q < no; q++) {
			double t = 0;

			for (size_t a = 0; a < no; a++)
				t += b[r * no + a] * sym[a * no + q];
			gr[q] = t;
		}
	}
	/* s += g [I; B]^T: column obs[q] of [I; B]^T picks g's column q,
	 * column mis[t] takes g B^T's column t */
	for (size_t i = 0; i < d; i++) {
		const double *gi = g + i * no;

		for (size_t q = 0; q < no && p->obs[q] <= i; q++)
			s[i * d + p->obs[q]] += gi[q];
		for (size_t t = 0; t < nm && p->mis[t] <= i; t++) {
			double v = 0;

			for (size_t a = 0; a < no; a++)
				v += gi[a] * b[t * no + a];
			s[i * d + p->mis[t]] += v;
		}
	}
}

void
gmm_marginal_add_stats(const struct gmm_marginal *mg,
    const struct gmm_stats *os, struct gmm_stats *st)
{
	const struct gmm_covmodel *cm = gmm_covmodel(mg->type);
	const struct gmm_pattern *p = mg->pattern;
	size_t k = mg->k, d = mg->d, no = p->nobs, nm = d - no;
	int matrix = cm->form == GMM_FORM_MATRIX;
	double *g = mg->work, *sym = mg->work + d * d;

	for (size_t c = 0; c < k; c++) {
		const double *osx = os->sx + c * no;
		const double *b = mg->b + (cm->shared ? 0 : c) * d * d;
		double *sx = st->sx + c * d;

		st->nk[c] += os->nk[c];
		for (size_t a = 0; a < no; a++)
			sx[p->obs[a]] += osx[a];
		for (size_t r = 0; r < nm && matrix; r++) {
			double t = 0;

			for (size_t a = 0; a < no; a++)
				t += b[r * no + a] * osx[a];
			sx[p->mis[r]] += t;
		}
		if (!matrix) {	/* B = 0, C = the variances */
			for (size_t a = 0; a < no; a++)
				st->sxx[c * d + p->obs[a]] +=
				    os->sxx[c * no + a];
			for (size_t r = 0; r < nm; r++)
				st->sxx[c * d + p->mis[r]] += os->nk[c] *
				    mg->cmm[c * d + r];
			continue;
		}
		if (cm->shared)
			continue;
		add_scatter(p, d, os->sxx + c * no * no, b,
		    st->sxx + c * d * d, g, sym);
		add_conditional(p, d, os->nk[c], mg->cmm + c * d * d,
		    st->sxx + c * d * d);
	}
	if (matrix && cm->shared) {
		double nk = 0;

		for (size_t c = 0; c < k; c++)
			nk += os->nk[c];
		add_scatter(p, d, os->sxx, mg->b, st->sxx, g, sym);
		add_conditional(p, d, nk, mg->cmm, st->sxx);
	}
}

void
gmm_marginal_add_rows(const struct gmm_marginal *mg, const double *xt,
    size_t rows, const double *resp, struct gmm_stats *st)
{
	const struct gmm_covmodel *cm = gmm_covmodel(mg->type);
	const struct gmm_pattern *p = mg->pattern;
	size_t k = mg->k, d = mg->d, no = p->nobs, nm = d - no;
	int matrix = cm->form == GMM_FORM_MATRIX;
	double *zh = mg->work, rsum = 0;

	for (size_t c = 0; c < k; c++) {
		const double *mu = mg->m->means + c * no;
		const double *b = mg->b + (cm->shared ? 0 : c) * d * d;
		double *sx = st->sx + c * d, rc = 0;
		double *sxx = st->sxx + (matrix ? (cm->shared ? 0 : c * d * d)
		    : c * d);

		for (size_t i = 0; i < rows; i++) {
			double r = resp[c * GMM_BLOCK_ROWS + i];

			if (r == 0)
				continue;	/* adds nothing */
			rc += r;
			for (size_t a = 0; a < no; a++)
				zh[p->obs[a]] = xt[a * GMM_BLOCK_ROWS + i] -
				    mu[a];
			for (size_t t = 0; t < nm; t++) {
				double v = 0;

				for (size_t a = 0; a < no && matrix; a++)
					v += b[t * no + a] * zh[p->obs[a]];
				zh[p->mis[t]] = v;
			}
			for (size_t j = 0; j < d; j++)
				sx[j] += r * zh[j];
			if (!matrix) {
				for (size_t j = 0; j < d; j++)
					sxx[j] += r * zh[j] * zh[j];
				continue;
			}
			for (size_t j = 0; j < d; j++) {
				double rz = r * zh[j];

				for (size_t l = 0; l <= j; l++)
					sxx[j * d + l] += rz * zh[l];
			}
		}
		st->nk[c] += rc;
		rsum += rc;
		if (!matrix) {
			for (size_t t = 0; t < nm; t++)
				sxx[p->mis[t]] += rc * mg->cmm[c * d + t];
		} else if (!cm->shared) {
			add_conditional(p, d, rc, mg->cmm + c * d * d, sxx);
		}
	}
	if (matrix && cm->shared)
		add_conditional(p, d, rsum, mg->cmm, st->sxx);
}

void
gmm_marginal_conditional(const struct gmm_marginal *mg, size_t c,
    const double *x_o, double *x_m, double *var)
{
	const struct gmm_covmodel *cm = gmm_covmodel(mg->type);
	const struct gmm_pattern *p = mg->pattern;
	const struct gmm_model *m = mg->m;
	size_t d = mg->d, no = p->nobs, nm = d - no, s = cm->shared ? 0 : c;
	const double *b = mg->b + s * d * d;

	for (size_t r = 0; r < nm; r++) {
		double t = mg->mu_m[c * d + r];

		if (cm->form == GMM_FORM_MATRIX)
			for (size_t a = 0; a < no; a++)
				t += b[r * no + a] * (x_o[a] -
				    m->means[c * no + a]);
		x_m[r] = t;
		if (var != NULL)
			var[r] = cm->form == GMM_FORM_MATRIX ?
			    mg->cmm[s * d * d + r * nm + r] :
			    mg->cmm[c * d + r];
	}
}

int
gmm_marginal_row_init(struct gmm_marginal_row *r, size_t k, size_t d,
    enum gmm_cov_type t, int cond)
{
	memset(r, 0, sizeof(*r));
	r->cond = cond;
	r->pat.obs = malloc(2 * d * sizeof(size_t) + 1);
	r->pat.mask = malloc(d + 1);
	if (r->pat.obs == NULL || r->pat.mask == NULL ||
	    gmm_marginal_alloc(&r->mg, k, d, t) < 0 ||
	    gmm_estep_buffers_alloc(&r->buf, d, k) < 0)
		return -1;
	return 0;
}

void
gmm_marginal_row_release(struct gmm_marginal_row *r)
{
	gmm_marginal_release(&r->mg);
	gmm_estep_buffers_release(&r->buf);
	free(r->pat.obs);
	free(r->pat.mask);
	memset(r, 0, sizeof(*r));
}

int
gmm_marginal_row_score(struct gmm_marginal_row *r,
    const struct gmm_model *m, const double *x, double *resp, double *logd,
    struct gmm_error *err)
{
	struct gmm_pattern *p = &r->pat;
	struct gmm_estep_buffers *eb = &r->buf;
	size_t d = m->d, k = m->k;
	int same = r->have;

	for (size_t j = 0; j < d; j++)
		same = same && p->mask[j] == !isnan(x[j]);
	if (!same) {
		size_t a = 0, t = 0;

		for (size_t j = 0; j < d; j++)
			a += !isnan(x[j]);
		p->nobs = a;
		p->mis = p->obs + a;
		a = 0;
		for (size_t j = 0; j < d; j++) {
			p->mask[j] = !isnan(x[j]);
			if (p->mask[j])
				p->obs[a++] = j;
			else
				p->mis[t++] = j;
		}
		r->have = 0;
		if (gmm_marginal_set(&r->mg, m, p, r->cond, err) < 0)
			return -1;
		r->have = 1;
	}
	if (p->nobs == 0) {	/* nothing observed: the prior */
		memcpy(resp, m->weights, k * sizeof(double));
		*logd = NAN;
		return 0;
	}
	for (size_t a = 0; a < p->nobs; a++) {
		eb->xt[a * GMM_BLOCK_ROWS] = x[p->obs[a]];
		for (size_t i = 1; i < GMM_ROW_GROUP; i++)
			eb->xt[a * GMM_BLOCK_ROWS + i] = 0;
	}
	gmm_estep_block(r->mg.m, eb->xt, 1, eb->resp, eb->logd, NULL,
	    eb->work);
	*logd = eb->logd[0];
	for (size_t c = 0; c < k; c++)
		resp[c] = eb->resp[c * GMM_BLOCK_ROWS];
	return 0;
}
