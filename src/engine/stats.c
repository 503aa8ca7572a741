#include "engine/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kernels.h"
#include "engine/model.h"

size_t
gmm_stats_sxx_size(enum gmm_cov_type t, size_t k, size_t d)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	if (cm->form == GMM_FORM_MATRIX)
		return gmm_covmodel_count(cm, k) * d * d;
	return k * d;
}

size_t
gmm_stats_tiles(size_t d)
{
	size_t t = (d + GMM_STATS_TILE - 1) / GMM_STATS_TILE;

	return t * (t + 1) / 2;
}

static size_t
ntile_of(enum gmm_cov_type t, size_t k, size_t d)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);

	if (cm->form != GMM_FORM_MATRIX)
		return 0;
	return gmm_covmodel_count(cm, k) * gmm_stats_tiles(d) *
	    GMM_STATS_TILE_SUMS;
}

size_t
gmm_stats_bytes(enum gmm_cov_type t, size_t k, size_t d, int partials)
{
	size_t n = 3 * k + k * d + gmm_stats_sxx_size(t, k, d);

	if (partials)
		n += k * d * VLEN + (gmm_covmodel(t)->form == GMM_FORM_MATRIX
		    ? ntile_of(t, k, d) : k * d * VLEN);
	return 8 * n;
}

int
gmm_stats_alloc(struct gmm_stats *st, enum gmm_cov_type t, size_t k,
    size_t d, int partials)
{
	memset(st, 0, sizeof(*st));
	st->k = k;
	st->d = d;
	st->type = t;
	st->nsxx = gmm_stats_sxx_size(t, k, d);
	st->nk = malloc(k * sizeof(double));
	st->fam = malloc(2 * k * sizeof(double));
	st->sx = malloc(k * d * sizeof(double));
	st->sxx = malloc(st->nsxx * sizeof(double));
	if (!st->nk || !st->fam || !st->sx || !st->sxx)
		return -1;
	if (!partials)
		return 0;
	st->nv = k * d * VLEN;
	st->vsx = gmm_doubles_new(st->nv);
	if (gmm_covmodel(t)->form != GMM_FORM_MATRIX) {
		st->vsxx = gmm_doubles_new(st->nv);
	} else {
		st->ntile = ntile_of(t, k, d);
		st->vtile = gmm_doubles_new(st->ntile);
	}
	return st->vsx && (st->vsxx || st->vtile) ? 0 : -1;
}

void
gmm_stats_release(struct gmm_stats *st)
{
	free(st->nk);
	free(st->fam);
	free(st->sx);
	free(st->sxx);
	free(st->vsx);
	free(st->vsxx);
	free(st->vtile);
	memset(st, 0, sizeof(*st));
}

void
gmm_stats_zero(struct gmm_stats *st)
{
	st->loglik = 0;
	st->logmax = 0;
	st->noise = 0;
	st->worst = INFINITY;
	st->worst_row = 0;
	memset(st->nk, 0, st->k * sizeof(double));
	memset(st->fam, 0, 2 * st->k * sizeof(double));
	memset(st->sx, 0, st->k * st->d * sizeof(double));
	memset(st->sxx, 0, st->nsxx * sizeof(double));
	if (st->vsx != NULL)
		memset(st->vsx, 0, st->nv * sizeof(double));
	if (st->vsxx != NULL)
		memset(st->vsxx, 0, st->nv * sizeof(double));
	if (st->vtile != NULL)
		memset(st->vtile, 0, st->ntile * sizeof(double));
}

double *
gmm_stats_tile_sums(const struct gmm_stats *st, size_t s)
{
	return st->vtile + s * gmm_stats_tiles(st->d) * GMM_STATS_TILE_SUMS;
}

void
gmm_stats_add_block(struct gmm_stats *st, const double *shift,
    const double *xt, size_t rows, const double *resp, double *work)
{
	const struct gmm_kernels *kn = gmm_kernels();
	const struct gmm_covmodel *cm = gmm_covmodel(st->type);
	size_t k = st->k, d = st->d, pad = vrows(rows);
	double *z = work, *sr = z + (size_t)GMM_BLOCK_ROWS * d, *zero = sr + pad;

	if (cm->form != GMM_FORM_MATRIX) {
		for (size_t c = 0; c < k; c++) {
			const double *r = resp + c * GMM_BLOCK_ROWS;

			st->nk[c] += kn->weight_sum(r, rows, NULL);
			kn->var_sums(xt, pad, d, shift + c * d, r,
			    st->vsx + c * d * VLEN, st->vsxx + c * d * VLEN);
		}
		return;
	}
	for (size_t i = 0; i < pad; i++)
		zero[i] = 0;
	for (size_t c = 0; c < k; c++) {
		const double *r = resp + c * GMM_BLOCK_ROWS;

		st->nk[c] += kn->weight_sum(r, pad, sr);
		kn->scatter(xt, pad, d, shift + c * d, r, sr, z, zero,
		    st->vsx + c * d * VLEN,
		    gmm_stats_tile_sums(st, cm->shared ? 0 : c));
	}
}

/* The tiles' lane partial sums vt added into sxx (d x d, lower triangle),
 * lanes in order. */
static void
fold_tiles(const double *vt, size_t d, double *sxx)
{
	enum { T = GMM_STATS_TILE };

	for (size_t j0 = 0; j0 < d; j0 += T) {
		for (size_t l0 = 0; l0 <= j0; l0 += T) {
			for (size_t p = 0; p < T && j0 + p < d; p++)
				for (size_t q = 0; q < T && l0 + q <= j0 + p;
				    q++)
					for (size_t l = 0; l < VLEN; l++)
						sxx[(j0 + p) * d + l0 + q] +=
						    vt[(p * T + q) * VLEN + l];
			vt += GMM_STATS_TILE_SUMS;
		}
	}
}

void
gmm_stats_fold(struct gmm_stats *st)
{
	size_t k = st->k, d = st->d;

	if (st->vsx == NULL)
		return;
	for (size_t i = 0; i < k * d; i++)
		for (size_t l = 0; l < VLEN; l++)
			st->sx[i] += st->vsx[i * VLEN + l];
	if (st->vsxx != NULL)
		for (size_t i = 0; i < k * d; i++)
			for (size_t l = 0; l < VLEN; l++)
				st->sxx[i] += st->vsxx[i * VLEN + l];
	if (st->vtile != NULL)
		for (size_t s = 0; s < st->nsxx / (d * d); s++)
			fold_tiles(gmm_stats_tile_sums(st, s), d,
			    st->sxx + s * d * d);
}

void
gmm_stats_copy(struct gmm_stats *a, const struct gmm_stats *b)
{
	a->loglik = b->loglik;
	a->logmax = b->logmax;
	a->noise = b->noise;
	a->worst = b->worst;
	a->worst_row = b->worst_row;
	memcpy(a->nk, b->nk, a->k * sizeof(double));
	memcpy(a->fam, b->fam, 2 * a->k * sizeof(double));
	memcpy(a->sx, b->sx, a->k * a->d * sizeof(double));
	memcpy(a->sxx, b->sxx, a->nsxx * sizeof(double));
}

void
gmm_stats_merge(struct gmm_stats *a, const struct gmm_stats *b)
{
	a->loglik += b->loglik;
	a->logmax += b->logmax;
	a->noise += b->noise;
	if (b->worst < a->worst) {
		a->worst = b->worst;
		a->worst_row = b->worst_row;
	}
	for (size_t c = 0; c < a->k; c++)
		a->nk[c] += b->nk[c];
	for (size_t c = 0; c < 2 * a->k; c++)
		a->fam[c] += b->fam[c];
	for (size_t i = 0; i < a->k * a->d; i++)
		a->sx[i] += b->sx[i];
	for (size_t i = 0; i < a->nsxx; i++)
		a->sxx[i] += b->sxx[i];
}

void
gmm_stats_scale(struct gmm_stats *st, double f)
{
	st->loglik *= f;
	st->logmax *= f;
	st->noise *= f;
	for (size_t c = 0; c < st->k; c++)
		st->nk[c] *= f;
	for (size_t c = 0; c < 2 * st->k; c++)
		st->fam[c] *= f;
	for (size_t i = 0; i < st->k * st->d; i++)
		st->sx[i] *= f;
	for (size_t i = 0; i < st->nsxx; i++)
		st->sxx[i] *= f;
}

void
gmm_stats_recentre(struct gmm_stats *st, enum gmm_cov_type t,
    const double *from, const double *to)
{
	const struct gmm_covmodel *cm = gmm_covmodel(t);
	size_t k = st->k, d = st->d;

	for (size_t c = 0; c < k; c++) {
		double *sx = st->sx + c * d, nk = st->nk[c];
		const double *f = from + c * d, *g = to + c * d;

		if (cm->form == GMM_FORM_MATRIX) {
			double *s = st->sxx + gmm_covmodel_offset(cm, c, d);

			for (size_t i = 0; i < d; i++)
				for (size_t j = 0; j <= i; j++) {
					double di = f[i] - g[i];
					double dj = f[j] - g[j];

					s[i * d + j] += di * sx[j] + sx[i] * dj
					    + nk * di * dj;
				}
		} else {
			for (size_t j = 0; j < d; j++) {
				double dj = f[j] - g[j];

				st->sxx[c * d + j] += 2 * dj * sx[j] +
				    nk * dj * dj;
			}
		}
		for (size_t j = 0; j < d; j++)
			sx[j] += nk * (f[j] - g[j]);
	}
}

size_t
gmm_stats_packed_size(const struct gmm_stats *st)
{
	return 5 + 3 * st->k + st->k * st->d + st->nsxx;
}

void
gmm_stats_pack(const struct gmm_stats *st, double *buf)
{
	buf[0] = st->loglik;
	buf[1] = st->worst;
	buf[2] = (double)st->worst_row;	/* exact below 2^53 rows */
	buf[3] = st->logmax;
	buf[4] = st->noise;
	memcpy(buf + 5, st->nk, st->k * sizeof(double));
	memcpy(buf + 5 + st->k, st->fam, 2 * st->k * sizeof(double));
	buf += 2 * st->k;
	memcpy(buf + 5 + st->k, st->sx, st->k * st->d * sizeof(double));
	memcpy(buf + 5 + st->k + st->k * st->d, st->sxx,
	    st->nsxx * sizeof(double));
}

void
gmm_stats_unpack(struct gmm_stats *st, const double *buf)
{
	st->loglik = buf[0];
	st->worst = buf[1];
	st->worst_row = (size_t)buf[2];
	st->logmax = buf[3];
	st->noise = buf[4];
	memcpy(st->nk, buf + 5, st->k * sizeof(double));
	memcpy(st->fam, buf + 5 + st->k, 2 * st->k * sizeof(double));
	buf += 2 * st->k;
	memcpy(st->sx, buf + 5 + st->k, st->k * st->d * sizeof(double));
	memcpy(st->sxx, buf + 5 + st->k + st->k * st->d,
	    st->nsxx * sizeof(double));
}
