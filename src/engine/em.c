#include "engine/em.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/consts.h"
#include "engine/accel.h"
#include "engine/comm.h"
#include "engine/estep.h"
#include "engine/hc.h"
#include "engine/init.h"
#include "engine/kernels.h"
#include "engine/marginal.h"
#include "engine/mstep.h"
#include "engine/prior.h"
#include "engine/pool.h"
#include "engine/smem.h"
#include "engine/stats.h"
#include "engine/vec.h"

/* Squared distance of row r of block xt from centre ctr. */
static double
start_dist(const struct gmm_emctx *ctx, const double *ctr, const double *xt,
    size_t r)
{
	double s = 0;

	for (size_t j = 0; j < ctx->d; j++) {
		double x = xt[j * GMM_BLOCK_ROWS + r];

		s += (x - ctr[j]) * (x - ctr[j]);
	}
	return s;
}

/*
 * The block of rows from i0 for the start's statistics.  A missing value
 * is held as its column's mean (data.h); in a row with a start label it is
 * that label's centre instead, so that it adds nothing to the scatter of
 * the one component the row counts for (a copy, in the worker's buffer:
 * rows with missing values are in memory, so their blocks are not read
 * into it).
 */
static const double *
start_block(struct gmm_emctx *ctx, int worker, const double *shift,
    const uint32_t *labels, size_t i0, const double *xt)
{
	const struct gmm_data *x = ctx->x;
	size_t d = ctx->d, end = i0 + GMM_BLOCK_ROWS < x->n ?
	    i0 + GMM_BLOCK_ROWS : x->n;
	double *cp = ctx->buf[worker].xt;

	if (labels == NULL || end <= x->complete)
		return xt;
	memcpy(cp, xt, (size_t)GMM_BLOCK_ROWS * d * sizeof(double));
	for (size_t i = i0 > x->complete ? i0 : x->complete; i < end; i++) {
		const struct gmm_pattern *p = gmm_data_pattern_at(x, i);

		if (labels[i] == GMM_HC_UNUSED)
			continue;
		for (size_t r = 0; r < d - p->nobs; r++)
			cp[p->mis[r] * GMM_BLOCK_ROWS + i - i0] =
			    shift[labels[i] * d + p->mis[r]];
	}
	return cp;
}

/* A start label: the row's responsibilities are 1/k each (partial
 * labels' unlabelled rows, as MclustSSC starts them). */
#define START_UNIFORM (UINT32_MAX - 1)

/* What the start's pass over the rows reads (stats_from_start()). */
struct start_pass {
	struct gmm_emctx *ctx;
	const double *shift;
	const uint32_t *labels;
	int nearest;
	const double *given;
	gsl_rng *rng;
};

/* The rows of block b into worker's statistics (stats_from_start()). */
static void
start_rows(const struct start_pass *sp, int worker, size_t b)
{
	struct gmm_emctx *ctx = sp->ctx;
	struct thread_work *w = &ctx->tw[worker];
	struct gmm_estep_buffers *buf = &ctx->buf[worker];
	const uint32_t *labels = sp->labels;
	const double *given = sp->given, *shift = sp->shift, *wt;
	double *resp = buf->resp;
	size_t k = ctx->k, cols = given != NULL ? k + ctx->noise : k;
	size_t i0 = b * GMM_BLOCK_ROWS, rows = ctx->n - i0 < GMM_BLOCK_ROWS ?
	    ctx->n - i0 : GMM_BLOCK_ROWS;
	struct gmm_block blk;
	uint32_t near[GMM_BLOCK_ROWS];

	gmm_data_block(ctx->x, b, buf->xt, &blk);
	wt = blk.weight;
	if (sp->nearest)
		gmm_init_nearest(blk.xt, rows, ctx->d, shift, k, near);
	for (size_t i = 0; i < rows; i++) {
		double *r = resp + i, s = 0, far, wi = wt ? wt[i] : 1;
		uint32_t lab = sp->nearest ? near[i] : labels ?
		    labels[i0 + i] : 0;

		if (labels != NULL && labels[i0 + i] == START_UNIFORM) {
			/* unlabelled, MclustSSC's start: 1/k each */
			for (size_t c = 0; c < cols; c++)
				r[c * GMM_BLOCK_ROWS] = c < k ?
				    wi / (double)k : 0;
			continue;
		}
		if (labels != NULL && labels[i0 + i] == GMM_HC_UNUSED) {
			/* outside hc's subset: the start is the subset's */
			for (size_t c = 0; c < cols; c++)
				r[c * GMM_BLOCK_ROWS] = 0;
			continue;
		}
		far = start_dist(ctx, shift + lab * ctx->d, blk.xt, i);

		/* no density yet: the worst explained row is the one
		 * farthest from its centre, for reseed() */
		if (-far < w->st.worst && wi > 0) {
			w->st.worst = -far;
			w->st.worst_row = i0 + i;
		}

		for (size_t c = 0; c < cols; c++) {
			r[c * GMM_BLOCK_ROWS] = given ? given[
			    gmm_data_file_row(ctx->x, i0 + i) * cols + c] :
			    labels || sp->nearest ? lab == c :
			    gsl_rng_uniform(sp->rng);
			s += r[c * GMM_BLOCK_ROWS];
		}
		for (size_t c = 0; c < cols; c++)
			r[c * GMM_BLOCK_ROWS] /= s;
		if (wt != NULL)
			for (size_t c = 0; c < cols; c++)
				r[c * GMM_BLOCK_ROWS] *= wi;
		if (cols > k)	/* the noise's share */
			w->st.noise += r[k * GMM_BLOCK_ROWS];
	}
	gmm_emctx_zero_padding(resp, rows, k);
	gmm_stats_add_block(&w->st, shift, start_block(ctx, worker, shift,
	    labels, i0, blk.xt), rows, resp, buf->work);
}

/* A chunk of GMM_CHUNK_ROWS rows into a slot (pool.h work()). */
static void
start_chunk(void *arg, size_t task, size_t slot, int worker)
{
	const struct start_pass *sp = arg;
	struct gmm_emctx *ctx = sp->ctx;
	struct gmm_stats *st = &ctx->tw[worker].st;
	size_t per = GMM_CHUNK_ROWS / GMM_BLOCK_ROWS, b = task * per;
	size_t nb = (ctx->n + GMM_BLOCK_ROWS - 1) / GMM_BLOCK_ROWS;

	gmm_stats_zero(st);
	for (; b < (task + 1) * per && b < nb; b++)
		start_rows(sp, worker, b);
	gmm_stats_fold(st);
	gmm_stats_copy(&ctx->slots[slot], st);
}

/* The chunks' statistics into the total, in chunk order (merge()). */
static void
start_merge(void *arg, size_t task, size_t slot)
{
	const struct start_pass *sp = arg;

	(void)task;
	gmm_stats_merge(&sp->ctx->total, &sp->ctx->slots[slot]);
}

/*
 * Statistics of responsibilities that the start gives row by row: a
 * row's label, the nearest centre (nearest: a k-means start that ran on
 * a sample; init.h gmm_init_nearest(), the label k-means gives a row it
 * read), given responsibilities, or
 * uniform draws without labels.  The rows come block by block (data.h:
 * gmm_data_block()), from memory or from the file, in chunks of
 * GMM_CHUNK_ROWS on the pool's threads, merged in chunk order as the
 * E-step's (so the same for any number of threads); on one thread when
 * the draws come from rng, in row order.
 */
static void
stats_from_start(struct gmm_emctx *ctx, const double *shift,
    const uint32_t *labels, int nearest, const double *given, gsl_rng *rng)
{
	struct start_pass sp = { ctx, shift, labels, nearest, given, rng };
	int draws = given == NULL && labels == NULL && !nearest;

	gmm_stats_zero(&ctx->total);
	gmm_pool_run(ctx->pool, draws ? 1 : ctx->threads, (ctx->n +
	    GMM_CHUNK_ROWS - 1) / GMM_CHUNK_ROWS, ctx->nslots, start_chunk,
	    start_merge, &sp);
	gmm_emctx_share_total(ctx);
}

/* The means weighted by given responsibilities (n x cols, the first k
 * the components'): the shifts of the start's statistics; a component
 * with no weight takes the column means. */
static void
resp_means(const struct gmm_data *x, const double *resp, size_t k,
    size_t cols, double *means, double *buf)
{
	size_t d = x->d;

	for (size_t c = 0; c < k; c++) {
		double w = 0, *mu = means + c * d;

		memset(mu, 0, d * sizeof(double));
		for (size_t i = 0; i < x->n; i++) {
			double r = gmm_data_weight(x, i) *
			    resp[gmm_data_file_row(x, i) * cols + c];

			w += r;
			for (size_t j = 0; j < d; j++)
				mu[j] += r * gmm_data_at(x, i, j);
		}
		if (!(w > 0)) {
			gmm_data_column_means(x, mu, buf);
			continue;
		}
		for (size_t j = 0; j < d; j++)
			mu[j] /= w;
	}
}

/* The mean of the rows with each label (labels GMM_HC_UNUSED left out);
 * every label 0..k-1 has a row.  -1 when out of memory. */
static int
label_means(const struct gmm_data *x, const uint32_t *labels, size_t k,
    double *means, struct gmm_error *err)
{
	size_t d = x->d;
	double *count = calloc(k, sizeof(double));

	if (count == NULL)
		return gmm_error_nomem(err);
	memset(means, 0, k * d * sizeof(double));
	for (size_t i = 0; i < x->n; i++) {
		double w = gmm_data_weight(x, i);

		if (labels[i] == GMM_HC_UNUSED || labels[i] == START_UNIFORM)
			continue;
		count[labels[i]] += w;
		for (size_t j = 0; j < d; j++)
			means[labels[i] * d + j] += w * gmm_data_at(x, i, j);
	}
	for (size_t c = 0; c < k; c++)
		for (size_t j = 0; j < d; j++)
			means[c * d + j] /= count[c];
	free(count);
	return 0;
}

/* Progress of run `run`; reseeded is a component, or (size_t)-1. */
static void
report(const struct gmm_em_options *opt, const struct gmm_emctx *ctx,
    size_t run, size_t it, double ll, double change, size_t reseeded,
    double seconds)
{
	struct gmm_em_progress p = { .run = run, .iteration = it,
		.loglik_mean = ll, .change = change, .reseeded = reseeded,
		.seconds = seconds };

	if (reseeded != (size_t)-1)
		p.reseed_row = gmm_emctx_worst_file_row(ctx);
	if (opt->progress != NULL)
		opt->progress(opt->progress_ctx, &p);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The noise's start, from a start model m without it: one pass for each
 * row's log density under m, then the rows below the cut (the
 * GMM_NOISE_START_FRAC of rows of weight > 0 with the lowest, at least
 * one, leaving k) go to the noise alone and the others keep their
 * responsibilities under m; an M-step from those gives m its noise.
 */
static int
noise_start(struct gmm_emctx *ctx, struct gmm_model *m, double reg,
    struct gmm_error *err)
{
	size_t n = ctx->n, have = 0, q, reseeded;
	double *v = ctx->marks + n;
	int rc;

	ctx->noise_pass = NOISE_COLLECT;
	rc = gmm_emctx_estep(ctx, m, 0, err);
	ctx->noise_pass = NOISE_OFF;
	if (rc < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isnan(ctx->marks[i]))
			v[have++] = ctx->marks[i];
	q = (size_t)floor(GMM_NOISE_START_FRAC * (double)have);
	if (q < 1)
		q = 1;
	if (q + ctx->k > have)
		q = have > ctx->k ? have - ctx->k : 0;
	qsort(v, have, sizeof(double), cmp_double);
	ctx->noise_cut = q > 0 ? v[q] : -INFINITY;
	ctx->noise_pass = NOISE_MARK;
	rc = gmm_emctx_estep(ctx, m, 1, err);
	ctx->noise_pass = NOISE_OFF;
	if (rc < 0)
		return -1;
	m->noise = 1;
	m->noise_vinv = ctx->noise_vinv;
	return gmm_emctx_mstep(ctx, m, &ctx->total, reg, &reseeded, err);
}

/*
 * The start of a fit with partial labels (data.h): with k the number of
 * classes, MclustSSC's (a labelled row one-hot in its class, an
 * unlabelled one 1/k in each); with more, the new classes are found by
 * constrained k-means (init.h) and each row starts in its cluster.
 * labels (n) and means (the statistics' shifts) are filled.
 */
static int
labelled_start(struct gmm_emctx *ctx, const struct gmm_em_options *opt,
    gsl_rng *rng, uint32_t *labels, double *means, struct gmm_error *err)
{
	const struct gmm_data *x = ctx->x;

	if (ctx->k > x->nclasses) {
		if (gmm_init_constrained(x, ctx->k, GMM_KMEANS_MAX_ITER,
		    ctx->threads, rng, means, labels, err) < 0)
			return -1;
		(void)opt;
		return 0;
	}
	for (size_t i = 0; i < x->n; i++)
		labels[i] = x->label[i] >= 0 ? (uint32_t)x->label[i] :
		    START_UNIFORM;
	return label_means(x, labels, ctx->k, means, err);
}

/* The fit's family on a start model: a t's nu from --df (held when
 * df_fixed) or GMM_T_START_DF. */
static void
set_family(struct gmm_model *m, const struct gmm_em_options *opt)
{
	m->family = opt->family != NULL ? opt->family : &gmm_family_gaussian;
	for (size_t c = 0; m->family->scaled && c < m->k; c++)
		m->df[c] = opt->df > 0 ? opt->df : GMM_T_START_DF;
	m->df_fixed = m->family->scaled && opt->df_fixed;
}

/* A prepared starting model in *out, as opt->init says. */
static int
start(struct gmm_emctx *ctx, const struct gmm_em_options *opt, gsl_rng *rng,
    size_t run, struct gmm_model **out, struct gmm_error *err)
{
	size_t n = ctx->n, d = ctx->d, k = ctx->k, reseeded;
	struct gmm_model *m;
	uint32_t *labels = NULL;
	int ret = -1, nearest = 0;
	double t0 = omp_get_wtime();
	size_t sample_rows = 0;

	gmm_mstep_work_cold(ctx->mw);	/* a new run */
	if (opt->init == GMM_INIT_MODEL) {
		m = gmm_model_dup(opt->init_model);
		if (m == NULL)
			return gmm_error_nomem(err);
		*out = m;
		if (m->noise)	/* its weight; the density is the fit's */
			m->noise_vinv = ctx->noise_vinv;
		if (opt->df > 0)	/* --df: the given nu, held */
			set_family(m, opt);
		if (gmm_model_prepare(m, err) < 0)
			return -1;
		return ctx->noise && !m->noise ? noise_start(ctx, m,
		    opt->reg_covar, err) : 0;
	}
	m = gmm_model_new(k, d, ctx->type);
	if (m == NULL || (gmm_covmodel(ctx->type)->factor &&
	    gmm_model_set_factors(m, opt->factors) < 0)) {
		gmm_model_free(m);
		return gmm_error_nomem(err);
	}
	set_family(m, opt);
	if (opt->init == GMM_INIT_RESP) {
		resp_means(ctx->x, opt->init_resp, k, k + ctx->noise,
		    m->means, ctx->buf[0].xt);
		m->noise = ctx->noise;	/* its share is the given column */
		m->noise_vinv = ctx->noise_vinv;
	} else if (opt->init == GMM_INIT_RANDOM) {
		gmm_data_column_means(ctx->x, m->means, ctx->buf[0].xt);
		for (size_t c = 1; c < k; c++)
			memcpy(m->means + c * d, m->means, d * sizeof(double));
	} else if (ctx->x->label != NULL) {
		labels = malloc(n * sizeof(uint32_t));
		if (labels == NULL) {
			gmm_error_nomem(err);
			goto out;
		}
		if (labelled_start(ctx, opt, rng, labels, m->means, err) < 0)
			goto out;
	} else if (opt->init == GMM_INIT_HC) {
		labels = malloc(n * sizeof(uint32_t));
		if (labels == NULL) {
			gmm_error_nomem(err);
			goto out;
		}
		if (gmm_hc_labels(ctx->x, k, rng, labels, err) < 0 ||
		    label_means(ctx->x, labels, k, m->means, err) < 0)
			goto out;
	} else {
		/* k-means on the rows, or on their sample (then each row
		 * goes to its nearest centre on the way: nearest) */
		labels = malloc((ctx->xs->n ? ctx->xs->n : 1) *
		    sizeof(uint32_t));
		if (labels == NULL) {
			gmm_error_nomem(err);
			goto out;
		}
		if (gmm_init_kmeanspp(ctx->xs, k, opt->init ==
		    GMM_INIT_KMEANS ? GMM_KMEANS_SEEDINGS : 1, ctx->threads,
		    rng, m->means, err) < 0
		    || gmm_init_assign(ctx->xs, k,
		    opt->init == GMM_INIT_KMEANS ? GMM_KMEANS_MAX_ITER : 0,
		    ctx->threads, m->means, labels, err) < 0)
			goto out;
		if (ctx->xs != ctx->x) {
			sample_rows = ctx->xs->n;
			free(labels);
			labels = NULL;
			nearest = 1;
		}
	}
	stats_from_start(ctx, m->means, labels, nearest, opt->init ==
	    GMM_INIT_RESP ? opt->init_resp : NULL, rng);
	ctx->at_start = 1;
	ret = gmm_emctx_mstep(ctx, m, &ctx->total, opt->reg_covar, &reseeded, err);
	ctx->at_start = 0;
	if (ret == 0 && ctx->noise && !m->noise)
		ret = noise_start(ctx, m, opt->reg_covar, err);
	if (ret == 0 && opt->progress != NULL) {
		struct gmm_em_progress p = { .run = run, .at_start = 1,
			.reseeded = reseeded, .reseed_row = reseeded !=
			(size_t)-1 ? gmm_emctx_worst_file_row(ctx) : 0,
			.seconds = omp_get_wtime() - t0,
			.sample_rows = sample_rows };

		opt->progress(opt->progress_ctx, &p);
	}
out:
	free(labels);
	if (ret < 0)
		gmm_model_free(m);
	else
		*out = m;
	return ret;
}


/*
 * One EM iteration, number it of run `run`: the E-step on m (*ll its mean
 * log-likelihood), then the M-step in place, reported with the change
 * from parent (the mean log-likelihood of the point whose EM step m is;
 * -INFINITY for none).  When judge, 1 when that change is under tol
 * (converged); else 0; -1 with err set.
 */
static int
em_iteration(struct gmm_emctx *ctx, const struct gmm_em_options *opt,
    size_t run, size_t it, struct gmm_model *m, double parent, int judge,
    double *ll, size_t *reseeded, struct gmm_error *err)
{
	double t0 = omp_get_wtime(), change;

	if (gmm_emctx_estep(ctx, m, 1, err) < 0)
		return -1;
	*ll = ctx->total.loglik / gmm_data_weight_all(ctx->x);
	if (gmm_emctx_mstep(ctx, m, &ctx->total, opt->reg_covar, reseeded,
	    err) < 0)
		return -1;
	change = *ll - parent;
	report(opt, ctx, run, it, *ll, change, *reseeded, omp_get_wtime() - t0);
	return judge && fabs(change) < opt->tol;
}

/*
 * --accelerate: SQUAREM cycles (accel.h) of two EM iterations from
 * theta0, the extrapolated theta' and its EM step.  Every E-step counts
 * as an iteration.  A cycle goes on from theta2, the plain EM path, when
 * an M-step reseeded, when theta' is no model, when the log-likelihood at
 * theta' is below theta1's, or when the EM step from theta' lands below
 * theta1's (that E-step is then spent): so the log-likelihoods of the
 * points the fit goes on from never drop.  Convergence is plain EM's: an
 * EM iteration that changes the mean log-likelihood by less than tol,
 * the model being its M-step's; but not the EM step from theta' (its
 * change, from a point off EM's path, or outside the covariance model,
 * says nothing of how near the optimum it is), nor any while the last
 * cycle's extrapolation gained tol or more (EM's change then understates
 * how far the optimum is: measured on iris, EVI, k = 4, where it stopped
 * 3e-7 a row below plain EM).  c[0..3] are scratch models like m.
 */
static int
run_accel(struct gmm_emctx *ctx, const struct gmm_em_options *opt,
    size_t run, struct gmm_model *m, struct gmm_model *const *c,
    struct gmm_training *tr, struct gmm_error *err)
{
	double n = gmm_data_weight_all(ctx->x), parent = -INFINITY;
	double step_max = GMM_ACCEL_STEP_MAX0, floor_ll = -INFINITY, jump = 0;
	size_t it = 0, rs0, rs1, rsp;
	int r;

	for (;;) {
		double l0, l1, lp, alpha, t0;

		/* theta0 -> theta1 -> theta2, two EM iterations */
		if (it >= opt->max_iter)
			break;
		gmm_model_copy_params(c[0], m);
		if ((r = em_iteration(ctx, opt, run, ++it, m, parent,
		    floor_ll == -INFINITY && jump < opt->tol, &l0, &rs0,
		    err)) != 0)
			goto done;
		if (l0 < floor_ll) {
			/* the EM step from theta' fell below theta1: theta2 */
			gmm_model_copy_params(m, c[2]);
			parent = floor_ll;
			floor_ll = -INFINITY;
			step_max = fmax(GMM_ACCEL_STEP_MAX0, step_max /
			    GMM_ACCEL_MSTEP);
			continue;
		}
		floor_ll = -INFINITY;
		if (it >= opt->max_iter)
			break;
		gmm_model_copy_params(c[1], m);
		if ((r = em_iteration(ctx, opt, run, ++it, m, l0,
		    jump < opt->tol, &l1, &rs1, err)) != 0)
			goto done;
		parent = l1;
		jump = 0;
		gmm_model_copy_params(c[2], m);
		if (it >= opt->max_iter || rs0 != (size_t)-1 ||
		    rs1 != (size_t)-1 || !gmm_accel_point(c[0], c[1], c[2],
		    step_max, c[3], &alpha))
			continue;	/* from theta2 */
		if (alpha == 1) {	/* theta' is theta2 */
			if (alpha >= step_max)
				step_max *= GMM_ACCEL_MSTEP;
			continue;
		}
		/* theta', then its EM step */
		t0 = omp_get_wtime();
		if (gmm_emctx_estep(ctx, c[3], 1, err) < 0)
			return -1;
		lp = ctx->total.loglik / n;
		it++;
		if (!(lp >= l1)) {
			report(opt, ctx, run, it, lp, lp - l1, (size_t)-1,
			    omp_get_wtime() - t0);
			step_max = fmax(GMM_ACCEL_STEP_MAX0, step_max /
			    GMM_ACCEL_MSTEP);
			continue;	/* from theta2 */
		}
		if (gmm_emctx_mstep(ctx, c[3], &ctx->total, opt->reg_covar,
		    &rsp, err) < 0)
			return -1;
		report(opt, ctx, run, it, lp, lp - l1, rsp,
		    omp_get_wtime() - t0);
		gmm_model_copy_params(m, c[3]);
		parent = lp;
		floor_ll = l1;
		jump = lp - l1;
		if (alpha >= step_max)
			step_max *= GMM_ACCEL_MSTEP;
	}
	r = 0;
done:
	tr->iterations = it;
	tr->converged = r == 1;
	return r < 0 ? -1 : 0;
}

/* One run from one start; m is updated in place. */
static int
run_em(struct gmm_emctx *ctx, const struct gmm_em_options *opt, size_t run,
    struct gmm_model *m, struct gmm_training *tr, struct gmm_error *err)
{
	double prev = -INFINITY, n = gmm_data_weight_all(ctx->x), ll;
	struct gmm_model *c[4] = { NULL, NULL, NULL, NULL };
	size_t reseeded;
	int r = 0;

	tr->iterations = 0;
	tr->converged = 0;
	if (opt->accelerate) {
		for (size_t i = 0; i < 4; i++)
			if ((c[i] = gmm_model_dup(m)) == NULL)
				r = gmm_error_nomem(err);
		if (r == 0)
			r = run_accel(ctx, opt, run, m, c, tr, err);
		for (size_t i = 0; i < 4; i++)
			gmm_model_free(c[i]);
		if (r < 0)
			return -1;
	} else {
		for (size_t it = 1; it <= opt->max_iter; it++) {
			r = em_iteration(ctx, opt, run, it, m, prev, 1, &ll,
			    &reseeded, err);
			if (r < 0)
				return -1;
			tr->iterations = it;
			if (r == 1) {
				tr->converged = 1;
				break;
			}
			prev = ll;
		}
	}
	if (gmm_emctx_estep(ctx, m, 0, err) < 0)
		return -1;
	tr->loglik_total = ctx->total.loglik;
	tr->class_loglik = ctx->total.logmax;
	tr->loglik_mean = ctx->total.loglik / n;
	report(opt, ctx, run, 0, tr->loglik_mean, 0, (size_t)-1, 0);
	return 0;
}

/*
 * --init smallem: short runs from k-means++ seeds (their progress is not
 * reported); *out is the one with the highest log-likelihood, its
 * parameters those of its last M-step.
 */
static int
start_smallem(struct gmm_emctx *ctx, const struct gmm_em_options *opt,
    gsl_rng *rng, size_t run, struct gmm_model **out, struct gmm_error *err)
{
	struct gmm_em_options so = *opt;
	struct gmm_model *best = NULL;
	double best_ll = -INFINITY;

	so.init = GMM_INIT_KMEANSPP;
	so.max_iter = GMM_SMALLEM_ITER;
	so.tol = 0;
	so.progress = NULL;
	for (size_t s = 0; s < GMM_SMALLEM_STARTS; s++) {
		struct gmm_model *m = NULL;
		struct gmm_training tr = { 0 };

		if (start(ctx, &so, rng, run, &m, err) < 0)
			goto fail;
		if (run_em(ctx, &so, run, m, &tr, err) < 0) {
			gmm_model_free(m);
			goto fail;
		}
		if (best == NULL || tr.loglik_total > best_ll) {
			gmm_model_free(best);
			best = m;
			best_ll = tr.loglik_total;
		} else {
			gmm_model_free(m);
		}
	}
	*out = best;
	gmm_mstep_work_cold(ctx->mw);	/* left by another start */
	return 0;
fail:
	gmm_model_free(best);
	return -1;
}

/*
 * fit --smem: from the best run, split-and-merge moves (smem.h), each run
 * to convergence; a move that gains becomes the best and the next round
 * starts from it.
 */
static int
smem_improve(struct gmm_emctx *ctx, const struct gmm_em_options *opt,
    struct gmm_model **best, struct gmm_error *err)
{
	struct gmm_smem_move moves[GMM_SMEM_CANDIDATES];
	struct gmm_em_options so = *opt;
	double gain = 10 * opt->tol > GMM_SMEM_GAIN ? 10 * opt->tol :
	    GMM_SMEM_GAIN;

	so.progress = NULL;
	for (size_t round = 0; round < GMM_SMEM_ROUNDS; round++) {
		size_t count;
		int improved = 0;

		if (gmm_smem_candidates(*best, moves, GMM_SMEM_CANDIDATES,
		    &count, err) < 0)
			return -1;
		for (size_t i = 0; i < count && !improved; i++) {
			struct gmm_model *m;
			struct gmm_training tr = { 0 };

			if (gmm_smem_apply(*best, &moves[i], &m, err) < 0)
				return -1;
			if (m == NULL)
				continue;
			gmm_mstep_work_cold(ctx->mw);
			if (run_em(ctx, &so, 0, m, &tr, err) < 0) {
				gmm_model_free(m);
				if (err->nomem)
					return -1;
				continue;	/* a move EM cannot follow */
			}
			m->training = tr;
			if (tr.loglik_mean > (*best)->training.loglik_mean +
			    gain) {
				gmm_model_free(*best);
				*best = m;
				improved = 1;
			} else {
				gmm_model_free(m);
			}
		}
		if (!improved)
			break;
	}
	return 0;
}

/*
 * The distinct optima the runs reached, by their final mean log-likelihood:
 * a final closer than GMM_SAME_OPTIMUM or ten times tol (where runs stop
 * short of the same optimum) to one already counted is that one.  Only the
 * distinct values are kept, so --n-init costs no memory of its own.
 */
struct optima {
	double *v;
	size_t n, cap;
};

/* 0, or -1 when out of memory. */
static int
optima_add(struct optima *o, double ll, double tol)
{
	double same = 10 * tol > GMM_SAME_OPTIMUM ? 10 * tol :
	    GMM_SAME_OPTIMUM;

	for (size_t i = 0; i < o->n; i++)
		if (fabs(ll - o->v[i]) <= same)
			return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 16;
		double *v = realloc(o->v, cap * sizeof(double));

		if (v == NULL)
			return -1;
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = ll;
	return 0;
}

static void
finish_training(struct gmm_model *m, const struct gmm_em_options *opt,
    size_t runs, const struct gmm_data *x)
{
	struct gmm_training *tr = &m->training;
	size_t p = gmm_model_parameters(m);

	tr->present = 1;
	tr->n = gmm_data_rows_all(x);
	tr->weighted = gmm_data_weighted(x);
	tr->weight_total = gmm_data_weight_all(x);
	tr->bic = gmm_bic(tr->loglik_total, p, tr->weight_total);
	tr->aic = gmm_aic(tr->loglik_total, p);
	tr->icl = gmm_icl(tr->bic, tr->class_loglik);
	tr->has_icl = 1;
	tr->prior = opt->prior;
	tr->n_init = runs;
	tr->reg_covar = opt->reg_covar;
	tr->tol = opt->tol;
}

/* check_scale()'s pass (gmm_data_reduce()): each column's least value
 * at part[j], its greatest at part[d + j]; the same in any order. */
static void
range_init(void *arg, double *part)
{
	size_t d = *(const size_t *)arg;

	for (size_t j = 0; j < d; j++) {
		part[j] = INFINITY;
		part[d + j] = -INFINITY;
	}
}

static void
range_add(void *arg, const struct gmm_block *blk, double *part)
{
	size_t d = *(const size_t *)arg;

	for (size_t j = 0; j < d; j++) {	/* in vectors */
		const double *c = blk->xt + j * GMM_BLOCK_ROWS;
		double l = part[j], h = part[d + j];

#pragma omp simd reduction(min:l) reduction(max:h)
		for (size_t i = 0; i < blk->rows; i++) {
			l = c[i] < l ? c[i] : l;
			h = c[i] > h ? c[i] : h;
		}
		part[j] = l;
		part[d + j] = h;
	}
}

static void
range_fold(void *arg, const double *part, double *total)
{
	size_t d = *(const size_t *)arg;

	for (size_t j = 0; j < d; j++) {
		total[j] = part[j] < total[j] ? part[j] : total[j];
		total[d + j] = part[d + j] > total[d + j] ? part[d + j] :
		    total[d + j];
	}
}

/*
 * The scatter adds up n squared spreads of each column; when that overflows
 * no regularisation helps, so say which column to rescale.
 */
static int
check_scale(const struct gmm_data *x, int threads, struct gmm_error *err)
{
	size_t d = x->d, all = gmm_data_rows_all(x);
	double *lo = malloc((2 * d + 1) * sizeof(double));
	double wall = gmm_data_weight_all(x);
	double *hi = lo + d;
	struct gmm_data_pass range = { 2 * d, range_init, range_add,
		range_fold, &d };
	int rc = 0;

	if (lo == NULL)
		return gmm_error_nomem(err);
	range_init(&d, lo);
	if (gmm_data_reduce(x, threads, &range, lo) < 0) {
		free(lo);
		return gmm_error_nomem(err);
	}
	gmm_comm_min(gmm_data_comm(x), lo, d);
	gmm_comm_max(gmm_data_comm(x), hi, d);
	for (size_t j = 0; j < d && rc == 0; j++) {
		double span = hi[j] - lo[j];

		if (!isfinite(span * span * ((double)all > wall ? (double)all :
		    wall)))
			rc = gmm_error_set(err, NULL, 0,
			    "column %zu spans %g to %g, too wide for its "
			    "variance to be a double; rescale it", j + 1, lo[j],
			    hi[j]);
	}
	free(lo);
	return rc;
}

/*
 * What a fit will hold besides its rows: the statistics of its threads
 * and the total, and about five models' worth of parameters (the current,
 * the best run's, the factors and copies).  Saturates at SIZE_MAX.
 */
static double
fit_bytes(size_t n, size_t d, const struct gmm_em_options *opt)
{
	size_t k = opt->k;
	int th = gmm_em_threads(n, d, k, opt->cov_type, opt->threads);
	double cov = (double)gmm_cov_size(opt->cov_type, k, d);

	return (double)th * (double)gmm_emctx_thread_bytes(opt->cov_type, k, d) +
	    8.0 * 5 * ((double)k * (double)(d + 2) + 2 * cov) +
	    (double)gmm_mstep_work_bytes(opt->cov_type, k, d, opt->prior);
}

/*
 * Refuse, before any allocation, a fit that needs more memory than the
 * machine has: say how much, and what to change, never a bare "out of
 * memory" after a long wait.
 */
static int
check_memory(size_t n, size_t d, const struct gmm_em_options *opt,
    struct gmm_error *err)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	double need = fit_bytes(n, d, opt), have;
	const char *hint;

	if (pages <= 0 || page <= 0)
		return 0;
	have = (double)pages * (double)page;
	if (need <= have)
		return 0;
	hint = gmm_covmodel(opt->cov_type)->form == GMM_FORM_MATRIX
	    ? "try --covariance diag or fewer columns (-c)" :
	    "try a smaller k or fewer columns (-c)";
	return gmm_error_set(err, NULL, 0, "%s covariance with k = %zu and "
	    "d = %zu needs about %.3g GB for its parameters and statistics; "
	    "this machine has %.3g GB: %s", gmm_cov_type_name(opt->cov_type),
	    opt->k, d, need / 1e9, have / 1e9, hint);
}

int
gmm_em_fit(const struct gmm_data *x, const struct gmm_em_options *opt,
    gsl_rng *rng, struct gmm_model **out, struct gmm_error *err)
{
	size_t n = x->n, d = x->d;
	struct gmm_emctx ctx;
	struct gmm_model *best = NULL;
	size_t runs = opt->init == GMM_INIT_MODEL || opt->init ==
	    GMM_INIT_RESP ? 1 : opt->n_init;
	struct optima finals = { 0 };
	const struct gmm_family *fam = opt->family != NULL ? opt->family :
	    &gmm_family_gaussian;
	int ret = -1;

	if (opt->k < 1 || opt->k > gmm_data_rows_all(x) - gmm_data_zero_all(x))
		return gmm_error_set(err, NULL, 0,
		    "k = %zu is larger than the number of rows%s (%zu)",
		    opt->k, gmm_data_zero_all(x) ? " of weight > 0" : "",
		    gmm_data_rows_all(x) - gmm_data_zero_all(x));
	if (gmm_data_comm(x) != NULL && (opt->noise || opt->prior ||
	    opt->smem || opt->init == GMM_INIT_HC || opt->init ==
	    GMM_INIT_RESP || opt->init == GMM_INIT_RANDOM))
		return gmm_error_set(err, NULL, 0, "--mpi does not take %s "
		    "yet; fit without --mpi", opt->noise ? "--noise" :
		    opt->prior ? "--prior" : opt->smem ? "--smem" :
		    opt->init == GMM_INIT_HC ? "--init hc" : opt->init ==
		    GMM_INIT_RESP ? "--init resp:" : "--init random");
	if (gmm_data_spilled(x) && (opt->noise || opt->prior ||
	    opt->init == GMM_INIT_HC || opt->init == GMM_INIT_RESP ||
	    x->label != NULL))
		return gmm_error_set(err, NULL, 0, "the rows take more than "
		    "--memory allows, and %s does not run out of core yet; "
		    "give --memory more", opt->noise ? "--noise" : opt->prior ?
		    "--prior" : opt->init == GMM_INIT_HC ? "--init hc" :
		    opt->init == GMM_INIT_RESP ? "--init resp:" :
		    "--label-column");
	if (opt->init == GMM_INIT_MODEL && (opt->init_model->k != opt->k ||
	    opt->init_model->d != d ||
	    opt->init_model->cov_type != opt->cov_type))
		return gmm_error_set(err, NULL, 0,
		    "the start model (k = %zu, d = %zu, %s) does not fit "
		    "k = %zu, d = %zu, %s", opt->init_model->k,
		    opt->init_model->d,
		    gmm_cov_type_name(opt->init_model->cov_type), opt->k, d,
		    gmm_cov_type_name(opt->cov_type));
	if (opt->init == GMM_INIT_RESP && opt->init_resp_rows != x->rows_read)
		return gmm_error_set(err, NULL, 0,
		    "the start responsibilities have %zu rows, the data %zu",
		    opt->init_resp_rows, x->rows_read);
	if (opt->init == GMM_INIT_RESP && opt->init_resp_cols != opt->k +
	    (opt->noise != 0))
		return gmm_error_set(err, NULL, 0,
		    "the start responsibilities have %zu columns, k is %zu%s",
		    opt->init_resp_cols, opt->k, opt->noise ? " and a noise "
		    "component's column is last" : "");
	if (opt->noise && x->npatterns > 0)
		return gmm_error_set(err, NULL, 0, "a noise component does "
		    "not take missing values yet (its density on fewer "
		    "columns is not known)");
	if (opt->noise && (!(opt->noise_vinv > 0) ||
	    !isfinite(opt->noise_vinv)))
		return gmm_error_set(err, NULL, 0, "the noise density %g is "
		    "not positive and finite", opt->noise_vinv);
	if (gmm_covmodel(opt->cov_type)->factor && (opt->factors < 1 ||
	    opt->factors >= d))
		return gmm_error_set(err, NULL, 0, "%s needs 1 to d - 1 = %zu "
		    "factors, not %zu", gmm_cov_type_name(opt->cov_type),
		    d - 1, opt->factors);
	if (opt->init == GMM_INIT_MODEL && opt->init_model->factors !=
	    opt->factors)
		return gmm_error_set(err, NULL, 0, "the start model has %zu "
		    "factors, the fit %zu", opt->init_model->factors,
		    opt->factors);
	if (x->label != NULL && opt->k < x->nclasses)
		return gmm_error_set(err, NULL, 0, "k = %zu is less than the "
		    "%zu classes of the labels", opt->k, x->nclasses);
	if (x->label != NULL && opt->init != GMM_INIT_KMEANS &&
	    opt->init != GMM_INIT_MODEL)
		return gmm_error_set(err, NULL, 0, "with labels a fit starts "
		    "from the classes (and constrained k-means for new ones) "
		    "or from a model; not from another --init");
	if (fam->scaled && x->npatterns > 0)
		return gmm_error_set(err, NULL, 0, "the %s family does not "
		    "take missing values yet", fam->name);
	if (fam->scaled && opt->prior)
		return gmm_error_set(err, NULL, 0, "the %s family has no "
		    "conjugate prior here; fit it without --prior", fam->name);
	if (opt->init == GMM_INIT_MODEL && opt->init_model->family != fam)
		return gmm_error_set(err, NULL, 0, "the start model's family "
		    "is %s, the fit's %s", opt->init_model->family->name,
		    fam->name);
	if (opt->init == GMM_INIT_MODEL && opt->init_model->noise &&
	    !opt->noise)
		return gmm_error_set(err, NULL, 0, "the start model has a "
		    "noise component: fit it with --noise");
	if (check_scale(x, opt->threads, err) < 0)
		return -1;
	if (check_memory(n, d, opt, err) < 0)
		return -1;
	if (opt->init == GMM_INIT_HC && gmm_data_weighted(x))
		return gmm_error_set(err, NULL, 0, "--init hc does not take "
		    "row weights (mclust's hc has none); use kmeans, "
		    "kmeans++, smallem, random or a start file");
	if (opt->init == GMM_INIT_HC && x->npatterns > 0)
		return gmm_error_set(err, NULL, 0, "--init hc does not take "
		    "missing values (mclust's hc has none); use kmeans, "
		    "kmeans++, smallem, random or a start file");
	if (opt->prior && opt->accelerate)
		return gmm_error_set(err, NULL, 0, "--accelerate does not take "
		    "--prior yet");
	if (opt->prior && !gmm_prior_supported(opt->cov_type))
		return gmm_error_set(err, NULL, 0, "mclust has no conjugate "
		    "prior for %s, nor has gmm; it has one for %s",
		    gmm_cov_type_name(opt->cov_type), GMM_PRIOR_MODELS);
	if (gmm_emctx_init(&ctx, x, opt->k, opt->cov_type, opt->threads,
	    opt->prior, opt->noise, fam) < 0) {
		gmm_error_nomem(err);
		goto out;
	}
	ctx.noise_vinv = opt->noise_vinv;
	if ((opt->init == GMM_INIT_KMEANS || opt->init == GMM_INIT_KMEANSPP ||
	    opt->init == GMM_INIT_SMALLEM) && x->label == NULL &&
	    gmm_emctx_sample(&ctx, opt->seed) < 0) {
		gmm_error_nomem(err);
		goto out;
	}
	if (runs == 0)
		runs = 1;
	for (size_t run = 0; run < runs; run++) {
		struct gmm_model *m = NULL;
		struct gmm_training tr = { 0 };

		if ((opt->init == GMM_INIT_SMALLEM ? start_smallem(&ctx, opt,
		    rng, run, &m, err) : start(&ctx, opt, rng, run, &m,
		    err)) < 0) {
			gmm_model_free(m);
			goto out;
		}
		if (run_em(&ctx, opt, run, m, &tr, err) < 0) {
			gmm_model_free(m);
			goto out;
		}
		m->training = tr;
		if (optima_add(&finals, tr.loglik_mean, opt->tol) < 0) {
			gmm_model_free(m);
			gmm_error_nomem(err);
			goto out;
		}
		if (best == NULL || tr.loglik_total >
		    best->training.loglik_total) {
			gmm_model_free(best);
			best = m;
		} else {
			gmm_model_free(m);
		}
	}
	if (opt->smem && smem_improve(&ctx, opt, &best, err) < 0)
		goto out;
	finish_training(best, opt, runs, x);
	if (opt->progress != NULL) {
		struct gmm_em_progress p = { .run = runs,
			.loglik_mean = best->training.loglik_mean,
			.reseeded = (size_t)-1,
			.distinct = finals.n };

		opt->progress(opt->progress_ctx, &p);
	}
	*out = best;
	best = NULL;
	ret = 0;
out:
	free(finals.v);
	gmm_model_free(best);
	gmm_emctx_release(&ctx);
	return ret;
}
