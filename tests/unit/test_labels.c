/*
 * Partial labels (issue 16, section 3): fit with a label column against
 * mclust 6.0.0's MclustSSC (tests/ref/mclust/ssc: iris, 30% of the rows
 * labelled, VEV, G = 3): from MclustSSC's start, the optimum it stops
 * near (its tol 1e-5 on the log-likelihood; ours runs to 1e-12), so the
 * log-likelihood (MclustSSC's: log p(x) of the unlabelled rows, log w_c
 * f_c(x) of the labelled ones) is at least mclust's and within 1e-4 of
 * it, the parameters within 1e-3 relative, and the BIC (mclust's count
 * for G = the classes) within 1e-3.  By construction: with every row
 * labelled (EDDA) one M-step gives each class's mean and share, and EM
 * iterations change them by rounding alone; with a class that has no labelled row, -k one
 * more than the classes finds it among the unlabelled rows (constrained
 * k-means, then EM); labelled rows stay in their class.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <jansson.h>

#include "check.h"
#include "refmodel.h"
#include "engine/em.h"
#include "engine/score.h"
#include "io/csvin.h"

static const char *refdir = "tests/ref";

static double
num(json_t *a, size_t i)
{
	return json_number_value(json_array_get(a, i));
}

/* path's rows, its column lcol the labels (refmodel.h). */
static void
read_labelled(const char *path, const char *lcol, struct gmm_data *x)
{
	struct gmm_csvin_options o = { .delim = ',', .header = -1,
		.labels = lcol };

	read_ref_csv(path, &o, x);
}

static struct gmm_model *
fit(const struct gmm_data *x, size_t k, enum gmm_cov_type t, double reg,
    size_t max_iter, double tol)
{
	struct gmm_em_options o = { 0 };
	struct gmm_model *m = NULL;
	struct gmm_error err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, 5);
	o.k = k;
	o.cov_type = t;
	o.max_iter = max_iter;
	o.tol = tol;
	o.reg_covar = reg;
	o.n_init = 1;
	o.init = GMM_INIT_KMEANS;
	o.threads = 2;
	if (gmm_em_fit(x, &o, rng, &m, &err) < 0) {
		fprintf(stderr, "fit: %s\n", err.msg);
		exit(2);
	}
	gsl_rng_free(rng);
	return m;
}

static void
check_mclust(void)
{
	char path[512];
	struct gmm_data x;
	struct gmm_model *m;
	json_error_t jerr;
	json_t *exp, *w, *mu, *cov;
	double ref, sig[16];

	snprintf(path, sizeof(path), "%s/mclust/ssc/iris_labelled.csv",
	    refdir);
	read_labelled(path, "class", &x);
	CHECK(x.n == 150 && x.d == 4 && x.nclasses == 3 && x.labelled == 48,
	    "iris: 150 rows, 4 columns, 3 classes, 48 labelled (%zu, %zu, "
	    "%zu, %zu)", x.n, x.d, x.nclasses, x.labelled);
	CHECK(x.nclasses == 3 && strcmp(x.classes[0], "setosa") == 0 &&
	    strcmp(x.classes[2], "virginica") == 0, "classes in byte order");
	snprintf(path, sizeof(path), "%s/mclust/ssc/iris.json", refdir);
	exp = json_load_file(path, 0, &jerr);
	if (exp == NULL)
		exit(2);
	w = json_object_get(exp, "weights");
	mu = json_object_get(exp, "means");
	cov = json_object_get(exp, "covariances");
	ref = json_number_value(json_object_get(exp, "loglik"));
	m = fit(&x, 3, GMM_COV_VEV, 0, 100000, 1e-12);
	CHECK(m->training.loglik_total >= ref - 1e-9 &&
	    m->training.loglik_total < ref + 1e-4, "MclustSSC's optimum: "
	    "log-likelihood %.12g, mclust %.12g", m->training.loglik_total,
	    ref);
	CHECK_TOL(m->training.bic, -json_number_value(json_object_get(exp,
	    "bic_mclust")), 0, 1e-3, "BIC against mclust's");
	for (size_t c = 0; c < 3; c++) {
		json_t *sc = json_array_get(cov, c);

		CHECK_TOL(m->weights[c], num(w, c), 1e-3, 0, "weight %zu", c);
		gmm_model_component_cov(m, c, sig);
		for (size_t i = 0; i < 4; i++) {
			double sii = num(json_array_get(sc, i), i);

			CHECK_TOL(m->means[c * 4 + i], num(json_array_get(mu,
			    c), i), 1e-3, 1e-3 * sqrt(sii), "mean %zu %zu", c,
			    i);
			for (size_t j = 0; j < 4; j++)
				CHECK_TOL(sig[i * 4 + j], num(json_array_get(sc,
				    i), j), 0, 1e-3 * sqrt(sii * num(
				    json_array_get(sc, j), j)), "cov %zu %zu %zu",
				    c, i, j);
		}
	}
	gmm_model_free(m);
	json_decref(exp);
	gmm_data_release(&x);
}

/* Every row labelled: EDDA, the classes' own estimates after one step. */
static void
check_edda(void)
{
	size_t n = 300, d = 2;
	double *rows = malloc(n * d * sizeof(double));
	int32_t *lab = malloc(n * sizeof(int32_t));
	char **names = malloc(2 * sizeof(char *));
	struct gmm_data x;
	struct gmm_model *m, *m1;
	double mean[2][2] = { { 0 } }, cnt[2] = { 0 };
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, 2);
	for (size_t i = 0; i < n; i++) {
		lab[i] = i % 3 == 0;
		rows[i * 2] = gsl_ran_gaussian(rng, 1) + (lab[i] ? 1 : -1);
		rows[i * 2 + 1] = gsl_ran_gaussian(rng, 1);
		cnt[lab[i]]++;
		mean[lab[i]][0] += rows[i * 2];
		mean[lab[i]][1] += rows[i * 2 + 1];
	}
	names[0] = strdup("a");
	names[1] = strdup("b");
	if (gmm_data_from_rows(&x, rows, n, d) < 0)
		exit(2);
	gmm_data_set_labels(&x, lab, names, 2);
	m = fit(&x, 2, GMM_COV_FULL, 0, 0, 0);
	m1 = fit(&x, 2, GMM_COV_FULL, 0, 20, 0);
	for (size_t c = 0; c < 2; c++) {
		CHECK_TOL(m->weights[c], cnt[c] / (double)n, 1e-14, 0,
		    "EDDA: class %zu's share", c);
		for (size_t j = 0; j < 2; j++)
			CHECK_TOL(m->means[c * 2 + j], mean[c][j] / cnt[c],
			    1e-13, 1e-15, "EDDA: class %zu's mean", c);
	}
	for (size_t i = 0; i < 4; i++)
		CHECK_TOL(m1->means[i], m->means[i], 1e-12, 1e-14,
		    "EDDA: EM iterations change no mean (%zu)", i);
	for (size_t i = 0; i < 8; i++)
		CHECK_TOL(m1->cov[i], m->cov[i], 1e-12, 1e-14,
		    "EDDA: nor a covariance (%zu)", i);
	gmm_model_free(m);
	gmm_model_free(m1);
	gmm_data_release(&x);
	gsl_rng_free(rng);
	free(rows);
}

/* Three clusters; a third of the rows of the first two labelled, none
 * of the third: -k 3 finds it. */
static void
check_discovery(void)
{
	size_t n = 900, d = 2, right = 0, kept = 1;
	double *rows = malloc(n * d * sizeof(double));
	int32_t *lab = malloc(n * sizeof(int32_t));
	char **names = malloc(2 * sizeof(char *));
	static const double ctr[3][2] = { { -5, 0 }, { 5, 0 }, { 0, 6 } };
	struct gmm_data x;
	struct gmm_model *m;
	struct gmm_score_batch *b;
	struct gmm_error err;
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, 4);
	for (size_t i = 0; i < n; i++) {
		size_t c = i % 3;

		rows[i * 2] = ctr[c][0] + gsl_ran_gaussian(rng, 1);
		rows[i * 2 + 1] = ctr[c][1] + gsl_ran_gaussian(rng, 1);
		lab[i] = c < 2 && i % 9 < 3 ? (int32_t)c : -1;
	}
	names[0] = strdup("left");
	names[1] = strdup("right");
	if (gmm_data_from_rows(&x, rows, n, d) < 0)
		exit(2);
	gmm_data_set_labels(&x, lab, names, 2);
	m = fit(&x, 3, GMM_COV_FULL, 1e-6, 1000, 1e-8);
	b = gmm_score_batch_new(m, n, 1);
	if (b == NULL)
		exit(2);
	memcpy(b->x, rows, n * d * sizeof(double));
	CHECK(gmm_score_batch_run(b, m, n, &err) == 0, "score");
	for (size_t i = 0; i < n; i++) {
		size_t c = gmm_argmax(b->resp + i * 3, 3);

		right += c == i % 3;
		if (x.label[i] >= 0 && c != (size_t)x.label[i])
			kept = 0;
	}
	CHECK(right >= n - 5, "discovery: %zu of %zu rows in their cluster "
	    "(the third, unlabelled, as the new component)", right, n);
	CHECK(kept, "discovery: the labelled rows keep their class");
	CHECK(fabs(m->means[4]) < 0.3 && fabs(m->means[5] - 6) < 0.3,
	    "discovery: the new component's mean (%g, %g) near (0, 6)",
	    m->means[4], m->means[5]);
	gmm_score_batch_free(b);
	gmm_model_free(m);
	gmm_data_release(&x);
	gsl_rng_free(rng);
	free(rows);
}

int
main(void)
{
	gsl_set_error_handler_off();
	check_mclust();
	check_edda();
	check_discovery();
	return check_done("test_labels");
}
