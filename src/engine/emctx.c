#include "engine/emctx.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/consts.h"
#include "engine/comm.h"
#include "engine/covmodel.h"
#include "engine/kernels.h"
#include "engine/vec.h"

void
gmm_emctx_release(struct gmm_emctx *ctx)
{
	gmm_pool_free(ctx->pool);
	for (int t = 0; t < ctx->threads; t++) {
		if (ctx->tw != NULL) {
			gmm_stats_release(&ctx->tw[t].st);
			gmm_marginal_release(&ctx->tw[t].marg);
			for (size_t o = 0; ctx->tw[t].ost != NULL && o < ctx->d;
			    o++)
				gmm_stats_release(&ctx->tw[t].ost[o]);
			free(ctx->tw[t].ost);
		}
		if (ctx->buf != NULL)
			gmm_estep_buffers_release(&ctx->buf[t]);
	}
	if (ctx->slots != NULL)
		for (size_t i = 0; i < ctx->nslots; i++)
			gmm_stats_release(&ctx->slots[i]);
	free(ctx->slots);
	free(ctx->tw);
	free(ctx->buf);
	gmm_stats_release(&ctx->total);
	gmm_stats_release(&ctx->tst);
	free(ctx->packed);
	free(ctx->worst_x);
	if (ctx->mw != NULL)
		gmm_mstep_work_release(ctx->mw);
	free(ctx->mw);
	free(ctx->marks);
	gmm_prior_release(&ctx->prior);
	gmm_data_pattern_source_free(&ctx->psrc);
	if (ctx->own_sample)
		gmm_data_release(&ctx->sample);
}

int
gmm_emctx_sample(struct gmm_emctx *ctx, uint64_t seed)
{
	int r;

	if (ctx->own_sample || ctx->xs != ctx->x)
		return 0;
	r = gmm_data_pick_sample(ctx->x, seed, &ctx->sample);
	if (r != 0) {
		gmm_data_release(&ctx->sample);
		return r < 0 ? -1 : 0;
	}
	if ((double)(ctx->sample.n - ctx->sample.weight_zero) <
	    (double)GMM_KMEANS_SAMPLE_PER_K * (double)ctx->k) {
		gmm_data_release(&ctx->sample);
		return 0;
	}
	ctx->own_sample = 1;
	ctx->xs = &ctx->sample;
	return 0;
}

/* Bytes one E-step thread holds (gmm_emctx_init()): its own statistics with
 * partial sums, its scratch, and its share of the slots
 * (SLOTS_PER_THREAD). */
size_t
gmm_emctx_thread_bytes(enum gmm_cov_type t, size_t k, size_t d)
{
	return gmm_estep_buffers_bytes(d, k) +
	    gmm_stats_bytes(t, k, d, 1) + SLOTS_PER_THREAD *
	    gmm_stats_bytes(t, k, d, 0);
}

int
gmm_em_threads(size_t n, size_t d, size_t k, enum gmm_cov_type t,
    int threads)
{
	size_t nchunks = (n + GMM_CHUNK_ROWS - 1) / GMM_CHUNK_ROWS;
	size_t budget = n * d * 8 > GMM_THREAD_BUDGET ? n * d * 8 :
	    GMM_THREAD_BUDGET;
	size_t fit = budget / gmm_emctx_thread_bytes(t, k, d);

	if (threads < 1)
		threads = 1;
	if ((size_t)threads > nchunks)
		threads = nchunks > 0 ? (int)nchunks : 1;
	if ((size_t)threads > fit)
		threads = fit > 0 ? (int)fit : 1;
	return threads;
}

/* What the passes over rows with missing values need (thread_work). */
static int
patterns_init(struct gmm_emctx *ctx)
{
	const struct gmm_data *x = ctx->x;
	enum gmm_cov_type mt = gmm_marginal_type(ctx->type);

	if (gmm_data_pattern_source(x, &ctx->psrc) < 0)
		return -1;
	for (int i = 0; i < ctx->threads; i++) {
		struct thread_work *w = &ctx->tw[i];

		if (w->ost == NULL && gmm_marginal_alloc(&w->marg, ctx->k,
		    ctx->d, ctx->type) < 0)
			return -1;
		if (w->ost == NULL &&
		    (w->ost = calloc(ctx->d, sizeof(*w->ost))) == NULL)
			return -1;
		for (size_t p = 0; p < x->npatterns; p++) {
			size_t o = x->patterns[p].nobs;

			if (w->ost[o].nk == NULL && gmm_stats_alloc(&w->ost[o],
			    mt, ctx->k, o, 1) < 0)
				return -1;
		}
	}
	return 0;
}

int
gmm_emctx_bind(struct gmm_emctx *ctx, const struct gmm_data *x)
{
	if (x->d != ctx->d || ctx->has_prior || ctx->noise)
		GMM_BUG("gmm_emctx_bind: other columns, a prior or noise");
	gmm_data_pattern_source_free(&ctx->psrc);
	if (ctx->own_sample)
		gmm_data_release(&ctx->sample);
	ctx->own_sample = 0;
	ctx->x = x;
	ctx->xs = gmm_data_sample(x);
	gmm_data_source(x, &ctx->src);
	ctx->n = x->n;
	ctx->pass++;	/* no marginal cached for the old rows' patterns */
	return x->npatterns > 0 ? patterns_init(ctx) : 0;
}

int
gmm_emctx_init(struct gmm_emctx *ctx, const struct gmm_data *x, size_t k,
    enum gmm_cov_type t, int threads, int prior, int noise,
    const struct gmm_family *family)
{
	size_t n = x->n, d = x->d;

	memset(ctx, 0, sizeof(*ctx));
	ctx->x = x;
	ctx->xs = gmm_data_sample(x);
	gmm_data_source(x, &ctx->src);
	ctx->n = n;
	ctx->d = d;
	ctx->k = k;
	ctx->type = t;
	ctx->noise = noise != 0;
	ctx->family = family;
	if (family->scaled && gmm_stats_alloc(&ctx->tst, t, k, x->d, 0) < 0)
		return -1;
	if (noise && (ctx->marks = malloc(2 * n * sizeof(double))) == NULL)
		return -1;
	ctx->threads = gmm_em_threads(n, d, k, t, threads);
	ctx->tw = calloc((size_t)ctx->threads, sizeof(*ctx->tw));
	ctx->buf = calloc((size_t)ctx->threads, sizeof(*ctx->buf));
	ctx->pool = gmm_pool_new(ctx->threads);
	ctx->nslots = ctx->threads > 1 ? (size_t)ctx->threads *
	    SLOTS_PER_THREAD : 1;
	ctx->slots = calloc(ctx->nslots, sizeof(*ctx->slots));
	ctx->mw = calloc(1, sizeof(*ctx->mw));
	if (ctx->tw == NULL || ctx->buf == NULL || ctx->pool == NULL ||
	    ctx->slots == NULL || ctx->mw == NULL ||
	    gmm_stats_alloc(&ctx->total, t, k, d, 0) < 0)
		return -1;
	if (gmm_mstep_work_alloc(ctx->mw, t, k, d, prior) < 0)
		return -1;
	if (prior && gmm_prior_default(&ctx->prior, x, k, t) < 0)
		return -1;
	ctx->has_prior = prior;
	for (size_t i = 0; i < ctx->nslots; i++)
		if (gmm_stats_alloc(&ctx->slots[i], t, k, d, 0) < 0)
			return -1;
	for (int i = 0; i < ctx->threads; i++) {
		if (gmm_estep_buffers_alloc(&ctx->buf[i], d,
		    k + ctx->noise) < 0 ||
		    gmm_stats_alloc(&ctx->tw[i].st, t, k, d, 1) < 0)
			return -1;
	}
	if (x->npatterns > 0 && patterns_init(ctx) < 0)
		return -1;
	if (gmm_data_comm(x) != NULL && ((ctx->packed = malloc(
	    gmm_stats_packed_size(&ctx->total) * sizeof(double))) == NULL ||
	    (ctx->worst_x = malloc((d + 2) * sizeof(double))) == NULL))
		return -1;
	return 0;
}

void
gmm_emctx_share_total(struct gmm_emctx *ctx)
{
	const struct gmm_comm *comm = gmm_data_comm(ctx->x);
	struct gmm_stats *t = &ctx->total;
	size_t d = ctx->d;
	double worst = t->worst;
	size_t local = t->worst_row;
	int owner;

	if (comm == NULL)
		return;
	gmm_stats_pack(t, ctx->packed);
	gmm_comm_sum(comm, ctx->packed, gmm_stats_packed_size(t));
	gmm_stats_unpack(t, ctx->packed);
	t->worst = worst;
	gmm_comm_min(comm, &t->worst, 1);
	owner = gmm_comm_first(comm, isfinite(t->worst) && worst == t->worst);
	t->worst_row = 0;
	if (owner < 0)
		return;
	if (owner == comm->rank) {
		gmm_data_row(ctx->x, local, ctx->worst_x);
		ctx->worst_x[d] = gmm_data_row_weight(ctx->x,
		    local);
		ctx->worst_x[d + 1] = (double)gmm_data_file_row(ctx->x,
		    local);
	}
	gmm_comm_bcast(comm, ctx->worst_x, (d + 2) * sizeof(double), owner);
	ctx->worst_file_row = (size_t)ctx->worst_x[d + 1];
}

size_t
gmm_emctx_worst_file_row(const struct gmm_emctx *ctx)
{
	return gmm_data_comm(ctx->x) != NULL ? ctx->worst_file_row :
	    gmm_data_file_row(ctx->x, ctx->total.worst_row);
}

/* Responsibilities 0 on the rows that pad a block to a multiple of VLEN. */
void
gmm_emctx_zero_padding(double *resp, size_t rows, size_t k)
{
	size_t pad = vrows(rows);

	for (size_t c = 0; c < k; c++)
		for (size_t i = rows; i < pad; i++)
			resp[c * GMM_BLOCK_ROWS + i] = 0;
}

struct pass {
	struct gmm_emctx *ctx;
	const struct gmm_model *m;
	int want_stats;
};

/*
 * A scaled family's block (family.h): n_c += r, s_c += r (log u - u), and
 * the responsibilities times u, which the moments then weigh rows by.
 */
static void
scale_block(struct gmm_stats *st, double *resp, const double *u,
    size_t rows)
{
	size_t k = st->k;

	for (size_t c = 0; c < k; c++) {
		double *r = resp + c * GMM_BLOCK_ROWS, n = 0, s = 0;
		const double *uc = u + c * GMM_BLOCK_ROWS;

		for (size_t i = 0; i < rows; i++) {
			n += r[i];
			s += r[i] * (log(uc[i]) - uc[i]);
			r[i] *= uc[i];
		}
		st->fam[c] += n;
		st->fam[k + c] += s;
	}
}

/*
 * Partial labels (data.h): a labelled row's responsibilities are its
 * class's, one-hot, and it adds log(w_c f_c(x)) of that class to the
 * log-likelihood (MclustSSC's), which is log p(x) + log r_ic: the
 * correction goes in here, log p(x) in the caller's loop.  A
 * responsibility under the least double counts as that (the row's log
 * joint is then below log p(x) - 744).
 */
static void
hold_labelled(struct gmm_stats *st, double *resp, size_t cols,
    const struct gmm_block *blk)
{
	for (size_t i = 0; i < blk->rows; i++) {
		int32_t c = blk->label[i];
		double w = blk->weight != NULL ? blk->weight[i] : 1, r;

		if (c < 0)
			continue;
		r = resp[(size_t)c * GMM_BLOCK_ROWS + i];
		if (w > 0)
			st->loglik += w * log(r > DBL_TRUE_MIN ? r :
			    DBL_TRUE_MIN);
		for (size_t q = 0; q < cols; q++)
			resp[q * GMM_BLOCK_ROWS + i] = 0;
		resp[(size_t)c * GMM_BLOCK_ROWS + i] = 1;
	}
}

/* A chunk's statistics start from zero (gmm_estep_run() task_begin). */
static void
chunk_begin(void *arg, int worker)
{
	struct pass *ps = arg;

	gmm_stats_zero(&ps->ctx->tw[worker].st);
}

/* A block's log-likelihood, worst row and statistics (block()). */
static void
chunk_block(void *arg, int worker, const struct gmm_block *blk, double *resp,
    const double *logd)
{
	struct pass *ps = arg;
	struct gmm_emctx *ctx = ps->ctx;
	struct gmm_stats *st = &ctx->tw[worker].st;
	size_t k = ctx->k, cols = k + ctx->noise;
	double *z = resp + k * GMM_BLOCK_ROWS;	/* the noise column */

	/*
	 * Frequency weights (data.h): a row of weight w adds w log p(x_i),
	 * w r_ic to the statistics and w log max_c r_ic to ICL's term, and
	 * is the worst explained row only when w > 0.  Unweighted rows
	 * multiply by 1, which is exact: the old bits.
	 */
	gmm_emctx_zero_padding(resp, blk->rows, cols);
	/* the noise's start (em.c: noise_start()), under a model
	 * without it */
	for (size_t i = 0; ctx->noise && !ps->m->noise && i < blk->rows;
	    i++) {
		double w = blk->weight != NULL ? blk->weight[i] : 1;

		z[i] = 0;
		if (ctx->noise_pass == NOISE_COLLECT)
			ctx->marks[blk->first + i] = w > 0 ? logd[i] : NAN;
		if (ctx->noise_pass != NOISE_MARK || !(logd[i] <
		    ctx->noise_cut))
			continue;
		for (size_t c = 0; c < k; c++)
			resp[c * GMM_BLOCK_ROWS + i] = 0;
		z[i] = 1;
	}
	if (blk->label != NULL)
		hold_labelled(st, resp, cols, blk);
	for (size_t i = 0; i < blk->rows; i++) {
		double w = blk->weight != NULL ? blk->weight[i] : 1;

		if (!(w > 0))
			continue;
		st->loglik += w * logd[i];
		if (logd[i] < st->worst) {
			st->worst = logd[i];
			st->worst_row = blk->first + i;
		}
	}
	if (ps->want_stats) {
		struct thread_work *w = &ps->ctx->tw[worker];

		if (blk->weight != NULL)
			for (size_t c = 0; c < cols; c++)
				for (size_t i = 0; i < blk->rows; i++)
					resp[c * GMM_BLOCK_ROWS + i] *=
					    blk->weight[i];
		for (size_t i = 0; ctx->noise && i < blk->rows; i++)
			st->noise += z[i];
		if (ps->m->family->scaled)
			scale_block(st, resp, ctx->buf[worker].scale, blk->rows);
		if (blk->pattern == NULL) {
			gmm_stats_add_block(st, ps->m->means, blk->xt,
			    blk->rows, resp, ps->ctx->buf[worker].work);
			return;
		}
		/*
		 * A few rows: each row's share directly.  More: statistics
		 * on the observed columns about the marginal means, kept
		 * over the pattern's blocks and added into the full ones
		 * when the pattern or the chunk ends (flush_pattern()).
		 */
		if (blk->rows < GMM_MARGINAL_FEW_ROWS) {
			gmm_marginal_add_rows(&w->marg, blk->xt, blk->rows,
			    resp, st);
			return;
		}
		if (!w->pending)
			gmm_stats_zero(&w->ost[blk->pattern->nobs]);
		w->pending = 1;
		gmm_stats_add_block(&w->ost[blk->pattern->nobs],
		    w->marg.m->means, blk->xt, blk->rows, resp,
		    ps->ctx->buf[worker].work);
		return;
	}
	for (size_t i = 0; i < blk->rows; i++) {
		double top = resp[i];

		for (size_t c = 1; c < cols; c++)
			if (resp[c * GMM_BLOCK_ROWS + i] > top)
				top = resp[c * GMM_BLOCK_ROWS + i];
		if (blk->weight == NULL)
			st->logmax += log(top);
		else if (blk->weight[i] > 0)
			st->logmax += blk->weight[i] * log(top);
	}
}

/* The statistics kept for the worker's pattern into its full ones. */
static void
flush_pattern(struct thread_work *w)
{
	struct gmm_stats *os;

	if (!w->pending)
		return;
	os = &w->ost[w->cached->nobs];
	gmm_stats_fold(os);
	gmm_marginal_add_stats(&w->marg, os, &w->st);
	w->pending = 0;
}

/* The marginal of a block's pattern (gmm_estep_job model()): built when
 * the pattern or the pass changes; NULL once one fails. */
static const struct gmm_model *
pattern_model(void *arg, int worker, const struct gmm_block *blk)
{
	struct pass *ps = arg;
	struct thread_work *w = &ps->ctx->tw[worker];

	if (w->failed)
		return NULL;
	if (w->cached == blk->pattern && w->cached_pass == ps->ctx->pass)
		return w->marg.m;
	flush_pattern(w);
	if (gmm_marginal_set(&w->marg, ps->m, blk->pattern, ps->want_stats,
	    &w->err) < 0) {
		w->failed = 1;
		return NULL;
	}
	w->cached = blk->pattern;
	w->cached_pass = ps->ctx->pass;
	return w->marg.m;
}

/* The chunk's statistics into a slot (task_end()). */
static void
chunk_end(void *arg, int worker, size_t ch, size_t slot)
{
	struct pass *ps = arg;
	struct gmm_stats *st = &ps->ctx->tw[worker].st;

	(void)ch;
	flush_pattern(&ps->ctx->tw[worker]);
	gmm_stats_fold(st);
	gmm_stats_copy(&ps->ctx->slots[slot], st);
}

/* The chunks' statistics into the total, in chunk order (merge()). */
static void
chunk_merge(void *arg, size_t ch, size_t slot)
{
	struct pass *ps = arg;

	(void)ch;
	gmm_stats_merge(&ps->ctx->total, &ps->ctx->slots[slot]);
}

/*
 * One pass over the data: ctx->total gets log-likelihood and statistics,
 * the complete rows' first, then those of the rows with missing values,
 * pattern by pattern under each pattern's marginal (data.h, marginal.h).
 * Fails only when a marginal cannot be factorised.
 */
int
gmm_emctx_estep(struct gmm_emctx *ctx, const struct gmm_model *m,
    int want_stats, struct gmm_error *err)
{
	struct pass ps = { ctx, m, want_stats };
	struct gmm_estep_job job = {
		.src = &ctx->src, .m = m,
		.task_blocks = GMM_CHUNK_ROWS / GMM_BLOCK_ROWS,
		.nslots = ctx->nslots, .task_begin = chunk_begin,
		.block = chunk_block, .task_end = chunk_end,
		.merge = chunk_merge, .arg = &ps,
	};

	gmm_stats_zero(&ctx->total);
	gmm_estep_run(ctx->pool, ctx->threads, ctx->buf, &job);
	if (ctx->x->npatterns == 0) {
		gmm_emctx_share_total(ctx);
		return 0;
	}
	ctx->pass++;
	job.src = &ctx->psrc;
	job.model = pattern_model;
	gmm_estep_run(ctx->pool, ctx->threads, ctx->buf, &job);
	for (int t = 0; t < ctx->threads; t++)
		if (ctx->tw[t].failed) {
			ctx->tw[t].failed = 0;
			return gmm_error_set(err, NULL, 0, "%s, seen through "
			    "a pattern of missing values; try a larger "
			    "--reg-covar", ctx->tw[t].err.msg);
		}
	gmm_emctx_share_total(ctx);
	return 0;
}

/* A factor model's collapsed component c takes the loadings, psi and
 * covariance of the heaviest other one. */
static void
reseed_factors(const struct gmm_emctx *ctx, struct gmm_model *m,
    const struct gmm_stats *st, size_t c)
{
	size_t d = ctx->d, q = m->factors, from = c == 0 ? 1 : 0;
	size_t np = m->cov_type == GMM_COV_MFA ? d : 1;

	for (size_t o = 0; o < ctx->k; o++)
		if (o != c && gmm_mstep_nk(st, o) > gmm_mstep_nk(st, from))
			from = o;
	memcpy(m->loadings + c * d * q, m->loadings + from * d * q,
	    d * q * sizeof(double));
	memcpy(m->psi + c * np, m->psi + from * np, np * sizeof(double));
	memcpy(m->cov + c * d * d, m->cov + from * d * d,
	    d * d * sizeof(double));
}

/*
 * Put a collapsed component c on the worst explained row, with one row's
 * weight and the n_c-weighted mean covariance of the others (a factor
 * model: the heaviest other's factors).
 */
static void
reseed(const struct gmm_emctx *ctx, struct gmm_model *m,
    const struct gmm_stats *st,
    size_t c)
{
	size_t d = ctx->d, per = gmm_cov_size(m->cov_type, 1, d);
	double total = 0;

	if (ctx->worst_x != NULL) {	/* a share: the row of all ranks' */
		memcpy(m->means + c * d, ctx->worst_x, d * sizeof(double));
		m->weights[c] = ctx->worst_x[d];
	} else {
		gmm_data_row(ctx->x, st->worst_row, m->means + c * d);
		m->weights[c] = gmm_data_row_weight(ctx->x, st->worst_row);
	}
	if (gmm_covmodel(m->cov_type)->shared)
		return;
	if (gmm_covmodel(m->cov_type)->factor) {
		reseed_factors(ctx, m, st, c);
		return;
	}
	for (size_t j = 0; j < per; j++)
		m->cov[c * per + j] = 0;
	for (size_t o = 0; o < ctx->k; o++) {
		double w = gmm_mstep_nk(st, o);

		if (o == c)
			continue;
		total += w;
		for (size_t j = 0; j < per; j++)
			m->cov[c * per + j] += w * m->cov[o * per + j];
	}
	for (size_t j = 0; j < per; j++)
		m->cov[c * per + j] /= total;
}

/*
 * A scaled family's statistics for the covariance M-step: gathered with
 * weights r u (nk = sum r u, sx, sxx), the M-step needs n_c = sum r as
 * nk and the scatter about the new mean sum r u (x - mu)(x - mu)^T =
 * sxx - sx sx^T / sum r u, which it forms as sxx - sx' sx'^T / n_c:
 * so sx' = sx sqrt(n_c / sum r u).  A start's statistics (u = 1, no
 * E-step) have n_c = nk.
 */
static const struct gmm_stats *
t_stats(struct gmm_emctx *ctx, const struct gmm_stats *st)
{
	struct gmm_stats *t = &ctx->tst;
	size_t k = st->k, d = st->d;

	gmm_stats_copy(t, st);
	for (size_t c = 0; c < k && !ctx->at_start; c++) {
		double f = st->nk[c] > 0 ? sqrt(st->fam[c] / st->nk[c]) : 1;

		t->nk[c] = st->fam[c];
		for (size_t j = 0; j < d; j++)
			t->sx[c * d + j] *= f;
	}
	return t;
}

int
gmm_emctx_mstep(struct gmm_emctx *ctx, struct gmm_model *m,
    const struct gmm_stats *st, double reg, size_t *reseeded,
    struct gmm_error *err)
{
	size_t k = ctx->k, d = ctx->d;
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	double wsum = 0;
	struct gmm_error sub;

	const struct gmm_stats *cst = st;

	/* the covariances by the model's row of the table, then means and
	 * weights */
	*reseeded = (size_t)-1;
	if (ctx->family->scaled)
		cst = t_stats(ctx, st);
	gmm_mstep_work_factors(ctx->mw, m->factors, m->loadings, m->psi);
	if ((ctx->has_prior ? cm->mstep_map(cst, &ctx->prior, reg, m->means,
	    m->cov, ctx->mw) : cm->mstep(cst, reg, m->cov, ctx->mw)) < 0)
		return gmm_error_set(err, NULL, 0, "component %zu: the scatter "
		    "is singular, which %s cannot take; try a smaller k or "
		    "another covariance model", ctx->mw->failed, cm->name);
	for (size_t c = 0; c < k; c++) {
		double nk = gmm_mstep_nk(st, c);

		for (size_t j = 0; j < d && !ctx->has_prior; j++)
			m->means[c * d + j] += st->sx[c * d + j] / nk;
		m->weights[c] = gmm_mstep_nk(cst, c);
		if (ctx->family->scaled && !ctx->at_start)
			ctx->family->mstep(m, c, cst->nk[c], st->fam[k + c]);
	}
	for (size_t c = 0; c < k && k > 1; c++) {
		if (cst->nk[c] < GMM_COLLAPSE_NK) {
			reseed(ctx, m, cst, c);
			*reseeded = c;
			break;
		}
	}
	for (size_t c = 0; c < k; c++)
		wsum += m->weights[c];
	if (m->noise)
		wsum += st->noise;
	for (size_t c = 0; c < k; c++)
		m->weights[c] /= wsum;
	if (m->noise)
		m->noise_weight = st->noise / wsum;
	if (gmm_model_prepare(m, &sub) < 0)
		return gmm_error_set(err, NULL, 0,
		    "%s; try a larger --reg-covar or a smaller k", sub.msg);
	return 0;
}

