#include "engine/online.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/covmodel.h"
#include "engine/emctx.h"
#include "engine/family.h"
#include "engine/stats.h"

struct gmm_online {
	struct gmm_online_options opt;
	struct gmm_emctx ctx;
	int have_ctx;
	struct gmm_model *m;
	struct gmm_stats s;	/* S: per unit of weight, about shift */
	struct gmm_stats t;	/* S scaled for the M-step */
	double *shift;		/* k x d */
	size_t t0;		/* batches the start counts as */
	size_t batches;		/* stepped */
	size_t rows;		/* seen */
	double weight;		/* seen */
	int weighted;
	double preq_ll, preq_w;	/* the batches' log-likelihood and weight
				 * under the model before their step */
	double start_mean;	/* the start fit's mean log-likelihood */
};

/*
 * S from a model: n_c = w_c, sx_c = 0 about the means, the scatter
 * n_c (Sigma_c - reg I) (a shared one: the sum), so that an M-step gives
 * the model back.
 */
static int
stats_from_model(struct gmm_online *o, const struct gmm_model *m,
    struct gmm_error *err)
{
	const struct gmm_covmodel *cm = gmm_covmodel(m->cov_type);
	size_t k = m->k, d = m->d;
	double reg = o->opt.em.reg_covar;
	double *cov = malloc(d * d * sizeof(double));

	if (cov == NULL)
		return gmm_error_nomem(err);
	gmm_stats_zero(&o->s);
	for (size_t c = 0; c < k; c++) {
		double nk = m->weights[c];

		o->s.nk[c] = nk;
		gmm_model_component_cov(m, c, cov);
		for (size_t i = 0; i < d; i++)
			cov[i * d + i] -= reg;
		if (cm->form == GMM_FORM_MATRIX) {
			double *sxx = o->s.sxx + gmm_covmodel_offset(cm, c, d);

			for (size_t i = 0; i < d; i++)
				for (size_t j = 0; j <= i; j++)
					sxx[i * d + j] += nk * cov[i * d + j];
		} else {
			for (size_t j = 0; j < d; j++)
				o->s.sxx[c * d + j] = nk * cov[j * d + j];
		}
	}
	free(cov);
	memcpy(o->shift, m->means, k * d * sizeof(double));
	return 0;
}

static int
check(const struct gmm_online_options *opt, const struct gmm_data *first,
    struct gmm_error *err)
{
	const struct gmm_em_options *e = &opt->em;

	if (e->family != NULL && e->family->scaled)
		return gmm_error_set(err, NULL, 0, "online EM takes the "
		    "Gaussian family only, not %s, yet", e->family->name);
	if (e->prior || e->noise || first->label != NULL)
		return gmm_error_set(err, NULL, 0, "online EM takes no %s yet",
		    e->prior ? "prior" : e->noise ? "noise component" :
		    "labels");
	if (opt->batch < 1 || !(opt->alpha > 0.5 && opt->alpha <= 1))
		GMM_BUG("gmm_online_start: batch or alpha out of range");
	if (e->init == GMM_INIT_MODEL && (e->init_model->family !=
	    &gmm_family_gaussian || e->init_model->noise))
		return gmm_error_set(err, NULL, 0, "online EM updates a "
		    "Gaussian model without noise only");
	if (e->init == GMM_INIT_MODEL && (e->init_model->k != e->k ||
	    e->init_model->d != first->d || e->init_model->cov_type !=
	    e->cov_type || e->init_model->factors != e->factors))
		return gmm_error_set(err, NULL, 0, "the start model (k = %zu, "
		    "d = %zu, %s) does not fit k = %zu, d = %zu, %s",
		    e->init_model->k, e->init_model->d,
		    gmm_cov_type_name(e->init_model->cov_type), e->k,
		    first->d, gmm_cov_type_name(e->cov_type));
	return 0;
}

int
gmm_online_start(const struct gmm_online_options *opt,
    const struct gmm_data *first, gsl_rng *rng, struct gmm_online **out,
    struct gmm_error *err)
{
	struct gmm_online *o;
	size_t k = opt->em.k, d = first->d;
	enum gmm_cov_type t = opt->em.cov_type;

	*out = NULL;
	if (check(opt, first, err) < 0)
		return -1;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		return gmm_error_nomem(err);
	o->opt = *opt;
	o->shift = malloc(k * d * sizeof(double));
	if (o->shift == NULL || gmm_stats_alloc(&o->s, t, k, d, 0) < 0 ||
	    gmm_stats_alloc(&o->t, t, k, d, 0) < 0) {
		gmm_online_free(o);
		return gmm_error_nomem(err);
	}
	o->have_ctx = 1;
	if (gmm_emctx_init(&o->ctx, first, k, t, opt->em.threads, 0, 0,
	    &gmm_family_gaussian) < 0) {
		gmm_online_free(o);
		return gmm_error_nomem(err);
	}
	gmm_mstep_work_cold(o->ctx.mw);
	if (opt->em.init == GMM_INIT_MODEL) {
		const struct gmm_training *tr = &opt->em.init_model->training;

		o->m = gmm_model_dup(opt->em.init_model);
		if (o->m == NULL) {
			gmm_online_free(o);
			return gmm_error_nomem(err);
		}
		if (gmm_model_prepare(o->m, err) < 0 ||
		    stats_from_model(o, o->m, err) < 0) {
			gmm_online_free(o);
			return -1;
		}
		o->t0 = tr->present ? (size_t)(tr->weight_total /
		    (double)opt->batch) : 0;
		if (tr->present) {	/* the model's rows, then the new */
			o->rows = tr->n;
			o->weight = tr->weight_total;
			o->weighted = tr->weighted;
		}
		o->start_mean = tr->present ? tr->loglik_mean : NAN;
		if (gmm_online_step(o, first, err) < 0) {
			gmm_online_free(o);
			return -1;
		}
		*out = o;
		return 0;
	}
	if (gmm_em_fit(first, &opt->em, rng, &o->m, err) < 0 ||
	    gmm_emctx_estep(&o->ctx, o->m, 1, err) < 0) {
		gmm_online_free(o);
		return -1;
	}
	gmm_stats_copy(&o->s, &o->ctx.total);
	gmm_stats_scale(&o->s, 1 / first->weight_total);
	memcpy(o->shift, o->m->means, k * d * sizeof(double));
	o->start_mean = o->m->training.loglik_mean;
	o->rows = first->rows_read;
	o->weight = first->weight_total;
	o->weighted = gmm_data_weighted(first);
	*out = o;
	return 0;
}

int
gmm_online_step(struct gmm_online *o, const struct gmm_data *batch,
    struct gmm_error *err)
{
	size_t k = o->m->k, d = o->m->d, reseeded;
	double w = batch->weight_total, g;
	struct gmm_model *next;

	o->rows += batch->rows_read;
	o->weighted |= gmm_data_weighted(batch);
	if (batch->n == 0 || !(w > 0))
		return 0;
	o->weight += w;
	if (gmm_emctx_bind(&o->ctx, batch) < 0)
		return gmm_error_nomem(err);
	if (gmm_emctx_estep(&o->ctx, o->m, 1, err) < 0)
		return -1;
	o->preq_ll += o->ctx.total.loglik;
	o->preq_w += w;
	o->batches++;
	g = pow((double)(o->t0 + o->batches + 2), -o->opt.alpha);
	/* S about the model's means, then the step */
	gmm_stats_recentre(&o->s, o->m->cov_type, o->shift, o->m->means);
	memcpy(o->shift, o->m->means, k * d * sizeof(double));
	gmm_stats_scale(&o->s, 1 - g);
	gmm_stats_scale(&o->ctx.total, g / w);
	gmm_stats_merge(&o->s, &o->ctx.total);
	/* the M-step on S in rows of a batch; the worst row this batch's */
	gmm_stats_copy(&o->t, &o->s);
	gmm_stats_scale(&o->t, (double)o->opt.batch);
	o->t.worst = o->ctx.total.worst;
	o->t.worst_row = o->ctx.total.worst_row;
	next = gmm_model_dup(o->m);
	if (next == NULL)
		return gmm_error_nomem(err);
	if (gmm_emctx_mstep(&o->ctx, next, &o->t, o->opt.em.reg_covar,
	    &reseeded, err) < 0) {
		gmm_model_free(next);
		return -1;
	}
	gmm_model_free(o->m);
	o->m = next;
	return 0;
}

struct gmm_model *
gmm_online_model(struct gmm_online *o)
{
	struct gmm_training *tr = &o->m->training;
	size_t p = gmm_model_parameters(o->m);
	double mean = gmm_online_loglik(o);

	memset(tr, 0, sizeof(*tr));
	tr->present = 1;
	tr->n = o->rows;
	tr->weighted = o->weighted;
	tr->weight_total = o->weight;
	tr->loglik_mean = mean;
	tr->loglik_total = mean * o->weight;
	tr->bic = gmm_bic(tr->loglik_total, p, o->weight);
	tr->aic = gmm_aic(tr->loglik_total, p);
	tr->iterations = o->batches;
	tr->converged = 1;
	tr->n_init = o->opt.em.init == GMM_INIT_MODEL ? 1 : o->opt.em.n_init;
	tr->reg_covar = o->opt.em.reg_covar;
	tr->tol = o->opt.em.tol;
	return o->m;
}

double
gmm_online_loglik(const struct gmm_online *o)
{
	return o->preq_w > 0 ? o->preq_ll / o->preq_w : o->start_mean;
}

size_t
gmm_online_batches(const struct gmm_online *o)
{
	return o->batches;
}

size_t
gmm_online_rows(const struct gmm_online *o)
{
	return o->rows;
}

void
gmm_online_free(struct gmm_online *o)
{
	if (o == NULL)
		return;
	if (o->have_ctx)
		gmm_emctx_release(&o->ctx);
	gmm_stats_release(&o->s);
	gmm_stats_release(&o->t);
	gmm_model_free(o->m);
	free(o->shift);
	free(o);
}
