/*
 * online: stepwise EM (engine/online.h) against the step written out by
 * hand with textbook formulas (raw moments, explicit inverses): from a
 * start model counting as t0 batches, one batch's step gives weights,
 * means and covariances to 1e-9; a row of weight 2 steps as two rows; a
 * stream of 60 batches from a known mixture ends near its parameters
 * and, on held-out rows, within 1% of batch EM's mean log-likelihood;
 * the prequential log-likelihood and the training counts add up.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "check.h"
#include "gaussref.h"
#include "engine/em.h"
#include "engine/online.h"
#include "engine/score.h"

#define D 2
#define K 2

static const double true_w[K] = { 0.35, 0.65 };
static const double true_mu[K][D] = { { -2, 1 }, { 3, -1 } };
static const double true_cov[K][D * D] = { { 1.0, 0.3, 0.3, 0.5 },
	{ 0.7, -0.2, -0.2, 1.2 } };

/* n rows of the true mixture into x (weight 2 on every third row when
 * weighted: then also the row twice into dup, unweighted). */
static void
draw(gsl_rng *r, size_t n, struct gmm_data *x, int weighted,
    struct gmm_data *dup)
{
	size_t bad = 0;

	gmm_data_init(x, D);
	if (weighted)
		CHECK(gmm_data_set_weighted(x) == 0, "weighted");
	if (dup != NULL)
		gmm_data_init(dup, D);
	for (size_t i = 0; i < n; i++) {
		size_t c = gsl_rng_uniform(r) < true_w[0] ? 0 : 1;
		double z0 = gsl_ran_gaussian(r, 1), z1 = gsl_ran_gaussian(r, 1);
		double l00 = sqrt(true_cov[c][0]), l10 = true_cov[c][2] / l00;
		double l11 = sqrt(true_cov[c][3] - l10 * l10), row[D];
		double w = weighted && i % 3 == 0 ? 2 : 1;

		row[0] = true_mu[c][0] + l00 * z0;
		row[1] = true_mu[c][1] + l10 * z0 + l11 * z1;
		bad += (weighted ? gmm_data_append_weighted(x, row, w) :
		    gmm_data_append(x, row)) != 0;
		for (int t = 0; dup != NULL && t < (int)w; t++)
			bad += gmm_data_append(dup, row) != 0;
	}
	CHECK(bad == 0, "%zu rows drawn", n);
}

static struct gmm_model *
start_model(void)
{
	struct gmm_model *m = gmm_model_new(K, D, GMM_COV_FULL);

	for (size_t c = 0; c < K; c++) {
		m->weights[c] = c == 0 ? 0.5 : 0.5;
		m->means[c * D] = true_mu[c][0] + 0.4;
		m->means[c * D + 1] = true_mu[c][1] - 0.3;
		memcpy(m->cov + c * D * D, true_cov[c], sizeof(true_cov[c]));
		m->cov[c * D * D] += 0.5;
	}
	m->training.present = 1;
	m->training.n = 3000;
	m->training.weight_total = 3000;
	m->training.loglik_mean = -3;
	return m;
}

static void
options(struct gmm_online_options *o, const struct gmm_model *init)
{
	memset(o, 0, sizeof(*o));
	o->em.k = K;
	o->em.cov_type = GMM_COV_FULL;
	o->em.max_iter = 100;
	o->em.tol = 1e-8;
	o->em.reg_covar = 1e-6;
	o->em.n_init = 1;
	o->em.init = init ? GMM_INIT_MODEL : GMM_INIT_KMEANS;
	o->em.init_model = init;
	o->em.threads = 2;
	o->batch = 1000;
	o->alpha = 0.6;
}

/* One step from the start model, by hand: raw moments of S0 and of the
 * batch, blended, then the M-step's formulas. */
static void
check_step(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_model *m0 = start_model(), *m;
	struct gmm_online_options opt;
	struct gmm_online *o;
	struct gmm_error err;
	struct gmm_data x;
	double reg = 1e-6, g = pow(3 + 0 + 1 + 2, -0.6), W = 0;
	double n[K] = { 0 }, s1[K][D] = { { 0 } }, s2[K][D * D] = { { 0 } };
	double inv[K][D * D], ld[K];

	gsl_rng_set(r, 3);
	draw(r, 1000, &x, 0, NULL);
	for (size_t c = 0; c < K; c++)
		ld[c] = invert(m0->cov + c * D * D, D, inv[c]);
	for (size_t i = 0; i < x.n; i++) {
		double lp[K], top = -INFINITY, s = 0, row[D];

		gmm_data_row(&x, i, row);
		for (size_t c = 0; c < K; c++) {
			double z[D], q = 0;

			for (size_t a = 0; a < D; a++)
				z[a] = row[a] - m0->means[c * D + a];
			for (size_t a = 0; a < D; a++)
				for (size_t b = 0; b < D; b++)
					q += z[a] * inv[c][a * D + b] * z[b];
			lp[c] = log(m0->weights[c]) - 0.5 * (D * log(2 * M_PI) +
			    ld[c] + q);
			top = lp[c] > top ? lp[c] : top;
		}
		for (size_t c = 0; c < K; c++)
			s += exp(lp[c] - top);
		for (size_t c = 0; c < K; c++) {
			double rc = exp(lp[c] - top) / s;

			n[c] += rc;
			for (size_t a = 0; a < D; a++) {
				s1[c][a] += rc * row[a];
				for (size_t b = 0; b < D; b++)
					s2[c][a * D + b] += rc * row[a] *
					    row[b];
			}
		}
		W += 1;
	}
	options(&opt, m0);
	CHECK(gmm_online_start(&opt, &x, r, &o, &err) == 0, "start: %s",
	    err.msg);
	m = gmm_online_model(o);
	{
		double N[K], tot = 0;

		for (size_t c = 0; c < K; c++)
			tot += N[c] = (1 - g) * m0->weights[c] + g * n[c] / W;
		for (size_t c = 0; c < K; c++) {
			double mu[D];

			CHECK_REL(m->weights[c], N[c] / tot, 1e-9, "weight %zu",
			    c);
			for (size_t a = 0; a < D; a++) {
				mu[a] = ((1 - g) * m0->weights[c] *
				    m0->means[c * D + a] + g * s1[c][a] / W) /
				    N[c];
				CHECK_REL(m->means[c * D + a], mu[a], 1e-9,
				    "mean %zu %zu", c, a);
			}
			for (size_t a = 0; a < D; a++)
				for (size_t b = 0; b < D; b++) {
					double q = (1 - g) * m0->weights[c] *
					    (m0->cov[c * D * D + a * D + b] -
					    (a == b ? reg : 0) +
					    m0->means[c * D + a] *
					    m0->means[c * D + b]) + g *
					    s2[c][a * D + b] / W;
					double want = q / N[c] - mu[a] * mu[b] +
					    (a == b ? reg : 0);

					CHECK_TOL(m->cov[c * D * D + a * D + b],
					    want, 1e-9, 1e-12, "cov %zu %zu %zu",
					    c, a, b);
				}
		}
	}
	CHECK(m->training.n == 4000 && m->training.weight_total == 4000 &&
	    m->training.iterations == 1 && !m->training.has_icl,
	    "training: %llu rows", (unsigned long long)m->training.n);
	gmm_online_free(o);
	gmm_data_release(&x);
	gmm_model_free(m0);
	gsl_rng_free(r);
}

/* Weight 2 on a row steps as the row twice. */
static void
check_weights(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_model *m0 = start_model();
	struct gmm_online_options opt;
	struct gmm_online *a, *b;
	struct gmm_error err;
	struct gmm_data x, y;
	const struct gmm_model *ma, *mb;

	gsl_rng_set(r, 4);
	draw(r, 900, &x, 1, &y);
	options(&opt, m0);
	CHECK(gmm_online_start(&opt, &x, r, &a, &err) == 0 &&
	    gmm_online_start(&opt, &y, r, &b, &err) == 0, "start");
	ma = gmm_online_model(a);
	mb = gmm_online_model(b);
	for (size_t i = 0; i < K * D * D; i++)
		CHECK_REL(ma->cov[i], mb->cov[i], 1e-11, "cov %zu", i);
	for (size_t i = 0; i < K * D; i++)
		CHECK_REL(ma->means[i], mb->means[i], 1e-11, "mean %zu", i);
	CHECK(ma->training.weighted && ma->training.weight_total == 4200 &&
	    mb->training.weight_total == 4200, "weights counted: %g",
	    ma->training.weight_total);
	gmm_online_free(a);
	gmm_online_free(b);
	gmm_data_release(&x);
	gmm_data_release(&y);
	gmm_model_free(m0);
	gsl_rng_free(r);
}

/* Mean log density of x under m. */
static double
mean_ll(struct gmm_model *m, const struct gmm_data *x)
{
	double s = 0, row[D];

	for (size_t i = 0; i < x->n; i++) {
		double lp = -INFINITY;

		gmm_data_row(x, i, row);
		for (size_t c = 0; c < K; c++) {
			double z[D], inv[D * D], ld, q = 0, l;

			ld = invert(m->cov + c * D * D, D, inv);
			for (size_t a = 0; a < D; a++)
				z[a] = row[a] - m->means[c * D + a];
			for (size_t a = 0; a < D; a++)
				for (size_t b = 0; b < D; b++)
					q += z[a] * inv[a * D + b] * z[b];
			l = log(m->weights[c]) - 0.5 * (D * log(2 * M_PI) +
			    ld + q);
			lp = lp > l ? lp + log1p(exp(l - lp)) :
			    l + log1p(exp(lp - l));
		}
		s += lp;
	}
	return s / (double)x->n;
}

/* A stream of 10 start batches and 50 more: the truth, and batch EM's
 * held-out log-likelihood to 1%. */
static void
check_stream(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct gmm_online_options opt;
	struct gmm_online *o;
	struct gmm_error err;
	struct gmm_data x, all, held;
	struct gmm_model *m, *batch;
	size_t bad = 0;

	gsl_rng_set(r, 5);
	options(&opt, NULL);
	gmm_data_init(&all, D);
	draw(r, 10000, &x, 0, NULL);
	for (size_t i = 0; i < x.n; i++) {
		double row[D];

		gmm_data_row(&x, i, row);
		bad += gmm_data_append(&all, row) != 0;
	}
	CHECK(gmm_online_start(&opt, &x, r, &o, &err) == 0, "start: %s",
	    err.msg);
	gmm_data_release(&x);
	for (size_t b = 0; b < 50; b++) {
		draw(r, 1000, &x, 0, NULL);
		for (size_t i = 0; i < x.n; i++) {
			double row[D];

			gmm_data_row(&x, i, row);
			bad += gmm_data_append(&all, row) != 0;
		}
		CHECK(gmm_online_step(o, &x, &err) == 0, "step %zu", b);
		gmm_data_release(&x);
	}
	CHECK(bad == 0, "the stream kept");
	m = gmm_online_model(o);
	CHECK(gmm_online_batches(o) == 50 && gmm_online_rows(o) == 60000 &&
	    m->training.n == 60000, "counts");
	for (size_t c = 0; c < K; c++) {
		/* components in the truth's order: by the first mean */
		size_t t = m->means[c * D] < 0 ? 0 : 1;

		CHECK(fabs(m->weights[c] - true_w[t]) < 0.02, "weight %zu: %g",
		    c, m->weights[c]);
		for (size_t a = 0; a < D; a++)
			CHECK(fabs(m->means[c * D + a] - true_mu[t][a]) < 0.05,
			    "mean %zu %zu: %g", c, a, m->means[c * D + a]);
		for (size_t a = 0; a < D * D; a++)
			CHECK(fabs(m->cov[c * D * D + a] - true_cov[t][a]) <
			    0.08, "cov %zu %zu: %g", c, a,
			    m->cov[c * D * D + a]);
	}
	opt.em.init = GMM_INIT_KMEANS;
	CHECK(gmm_em_fit(&all, &opt.em, r, &batch, &err) == 0, "batch fit");
	draw(r, 20000, &held, 0, NULL);
	{
		double lo = mean_ll(m, &held), lb = mean_ll(batch, &held);

		CHECK(lo > lb - 0.01 * fabs(lb), "held out: online %.6f, "
		    "batch %.6f", lo, lb);
		CHECK(fabs(m->training.loglik_mean - lb) < 0.05 * fabs(lb),
		    "prequential %.6f near %.6f", m->training.loglik_mean,
		    lb);
	}
	gmm_model_free(batch);
	gmm_online_free(o);
	gmm_data_release(&all);
	gmm_data_release(&held);
	gsl_rng_free(r);
}

int
main(void)
{
	check_step();
	check_weights();
	check_stream();
	return check_done("test_online");
}
