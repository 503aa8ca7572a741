#include "cmd/fitopts.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/consts.h"
#include "base/text.h"

void
gmm_fitopts_init(struct gmm_fitopts *fo)
{
	memset(fo, 0, sizeof(*fo));
	gmm_common_init(&fo->common);
	fo->em.cov_type = GMM_COV_FULL;
	fo->em.max_iter = GMM_DEFAULT_MAX_ITER;
	fo->em.tol = GMM_DEFAULT_TOL;
	fo->em.reg_covar = GMM_DEFAULT_REG_COVAR;
	fo->em.n_init = 1;
	fo->em.init = GMM_INIT_KMEANS;
}

void
gmm_fitopts_release(struct gmm_fitopts *fo)
{
	gmm_model_free(fo->init_model);
	fo->init_model = NULL;
}

static int
parse_init(const char *cmd, struct gmm_fitopts *fo, const char *arg)
{
	static const struct { const char *name; enum gmm_init_method m; }
	    methods[] = {
		{ "kmeans", GMM_INIT_KMEANS },
		{ "kmeans++", GMM_INIT_KMEANSPP },
		{ "random", GMM_INIT_RANDOM },
		{ "smallem", GMM_INIT_SMALLEM },
		{ "hc", GMM_INIT_HC },
	};
	static const char *const names[] = { "kmeans", "kmeans++", "random",
		"smallem", "hc" };
	enum { NMETHODS = sizeof(names) / sizeof(names[0]) };
	struct stat st;

	for (size_t i = 0; i < NMETHODS; i++) {
		if (strcmp(arg, methods[i].name) == 0) {
			fo->em.init = methods[i].m;
			fo->init_arg = NULL;
			return 1;
		}
	}
	/* a word that names no file and looks like no path is a method
	 * misspelt, not a model file that is missing */
	if (stat(arg, &st) < 0 && strpbrk(arg, "/.") == NULL) {
		const char *hint = gmm_text_closest(arg, names, NMETHODS);

		gmm_warn(cmd, "--init takes kmeans, kmeans++, random, smallem, "
		    "hc or a model file; \"%s\" is none of them%s%s%s", arg,
		    hint ? " (did you mean " : "", hint ? hint : "",
		    hint ? "?)" : "");
		return -1;
	}
	fo->em.init = GMM_INIT_MODEL;
	fo->init_arg = arg;
	return 1;
}

int
gmm_fitopts_option(const char *cmd, struct gmm_fitopts *fo, int opt,
    const char *arg)
{
	switch (opt) {
	case 'k':
		fo->k_given = 1;
		return gmm_parse_count(cmd, "-k", arg, 1, SIZE_MAX,
		    &fo->em.k) < 0 ? -1 : 1;
	case OPT_COVARIANCE:
		fo->cov_given = 1;
		if (gmm_cov_type_parse(arg, &fo->em.cov_type) < 0) {
			gmm_warn(cmd, "--covariance is full, diag, spherical "
			    "or tied (or mclust's VVV, VVI, VII, EEE), not "
			    "\"%s\"", arg);
			return -1;
		}
		return 1;
	case OPT_MAX_ITER:
		return gmm_parse_count(cmd, "--max-iter", arg, 0,
		    SIZE_MAX, &fo->em.max_iter) < 0 ? -1 : 1;
	case OPT_TOL:
		return gmm_parse_real(cmd, "--tol", arg, 0, &fo->em.tol) < 0
		    ? -1 : 1;
	case OPT_REG_COVAR:
		return gmm_parse_real(cmd, "--reg-covar", arg, 0,
		    &fo->em.reg_covar) < 0 ? -1 : 1;
	case OPT_N_INIT:
		return gmm_parse_count(cmd, "--n-init", arg, 1,
		    GMM_N_INIT_MAX, &fo->em.n_init) < 0 ? -1 : 1;
	case OPT_INIT:
		return parse_init(cmd, fo, arg);
	case OPT_SMEM:
		fo->em.smem = 1;
		return 1;
	}
	return 0;
}

static int
usage_fail(struct gmm_fitopts *fo)
{
	fo->failed_usage = 1;
	return -1;
}

int
gmm_fitopts_finish(const char *cmd, struct gmm_fitopts *fo, int need_k)
{
	struct gmm_model *m;

	fo->cmd = cmd;
	if (fo->init_arg == NULL) {
		if (need_k && !fo->k_given) {
			gmm_warn(cmd, "-k is required");
			return usage_fail(fo);
		}
		return 0;
	}
	m = gmm_load_model(cmd, fo->init_arg);
	if (m == NULL)
		return -1;
	fo->init_model = m;
	fo->em.init_model = m;
	if ((fo->k_given && fo->em.k != m->k) ||
	    (fo->cov_given && fo->em.cov_type != m->cov_type)) {
		gmm_warn(cmd, "the --init model has k = %zu and covariance %s, "
		    "which the options contradict", m->k,
		    gmm_cov_type_name(m->cov_type));
		return usage_fail(fo);
	}
	fo->em.k = m->k;
	fo->em.cov_type = m->cov_type;
	if (fo->em.n_init > 1) {
		gmm_warn(cmd, "warning: --n-init %zu has no effect with a "
		    "start model; one run starts from it", fo->em.n_init);
		fo->em.n_init = 1;
	}
	return 0;
}

static void
progress(void *ctx, const struct gmm_em_progress *p)
{
	const struct gmm_fitopts *fo = ctx;

	if (p->at_start) {
		fprintf(stderr, "gmm %s: run %zu start: component %zu has no "
		    "rows; reseeded on data row %zu, the farthest from its "
		    "start centre\n", fo->cmd, p->run + 1, p->reseeded,
		    p->reseed_row + 1);
		return;
	}
	if (p->reseeded != (size_t)-1)
		fprintf(stderr, "gmm %s: run %zu iteration %zu: component %zu "
		    "collapsed; reseeded on data row %zu, the worst "
		    "explained\n", fo->cmd, p->run + 1, p->iteration,
		    p->reseeded, p->reseed_row + 1);
	if (p->distinct > 0)
		fprintf(stderr, "gmm %s: %zu run%s reached %zu distinct "
		    "optim%s; the best: mean log-likelihood %.12g\n", fo->cmd,
		    p->run, p->run == 1 ? "" : "s", p->distinct,
		    p->distinct == 1 ? "um" : "a", p->loglik_mean);
	else if (p->iteration == 0)
		fprintf(stderr, "gmm %s: run %zu: final mean log-likelihood "
		    "%.12g\n", fo->cmd, p->run + 1, p->loglik_mean);
	else
		fprintf(stderr, "gmm %s: run %zu iteration %zu: mean "
		    "log-likelihood %.12g change %.3g (%.6f s)\n", fo->cmd,
		    p->run + 1, p->iteration, p->loglik_mean, p->change,
		    p->seconds);
}

int
gmm_fitopts_fit(struct gmm_fitopts *fo, const char *cmd,
    const struct gmm_data *x, struct gmm_model **out, struct gmm_error *err)
{
	size_t n = x->n, d = x->d;
	gsl_rng *rng = gmm_rng_new(fo->common.seed);
	int ret;

	fo->cmd = cmd;
	if (rng == NULL)
		return gmm_error_nomem(err);
	fo->em.threads = fo->common.threads;
	fo->em.progress = fo->common.verbose && strcmp(cmd, "fit") == 0
	    ? progress : NULL;
	if (fo->em.progress != NULL) {
		int t = gmm_em_threads(n, d, fo->em.k, fo->em.cov_type,
		    fo->em.threads);

		fprintf(stderr, "gmm %s: %zu rows, %zu columns, %d thread%s\n",
		    cmd, n, d, t, t == 1 ? "" : "s");
	}
	fo->em.progress_ctx = fo;
	ret = gmm_em_fit(x, &fo->em, rng, out, err);
	if (ret == 0)
		(*out)->training.seed = fo->common.seed;
	gsl_rng_free(rng);
	return ret;
}
