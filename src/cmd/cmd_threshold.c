/*
 * gmm threshold: the cut between the two components of a 1-D mixture of
 * two, fitted to one column of a CSV file (or given by --model): where
 * the posteriors are equal, the density's minimum between the means, and
 * with --posterior P where the upper component's posterior rises through
 * P.  The score threshold that pseudo-labelling pipelines (Consistent-
 * Teacher's) compute from a two-component fit by hand.
 *
 * The log-odds of the upper component are a quadratic in x,
 *   g(x) = log(w_H phi_H(x)) - log(w_L phi_L(x)) = A x^2 + B x + C,
 * so each cut is the root of g(x) = t (t = 0, or logit P) where g rises:
 * the one where the posterior passes t going up, unique (the other root
 * of a quadratic is where it comes down again, in the tail of the wider
 * component).  No root: the posterior never reaches P; the field is
 * empty and a note says so.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/fitopts.h"
#include "io/csvout.h"

static const char usage_text[] =
    "usage: gmm threshold [--model MODEL] [--posterior P]\n"
    "                     [--covariance E|V] [--n-init N] [--max-iter N]\n"
    "                     [--tol T] [options] [FILE]\n";

static const char help_text[] =
    "Fit a mixture of two Gaussians to one column of a CSV file (or\n"
    "stdin), or take --model's, and print, as CSV with a header: the cut\n"
    "where the two posteriors are equal, the density's minimum between\n"
    "the means, and each component's weight, mean and standard deviation,\n"
    "lower mean first.\n\n"
    "      --model MODEL   a model of 2 components on 1 column: no fit, no\n"
    "                      data read\n"
    "      --posterior P   also where the upper component's posterior\n"
    "                      rises through P (0 < P < 1): column at_posterior\n"
    "      --covariance C  V (default): a variance each; E: one shared\n"
    "      --n-init N      runs from different starts; best kept (default\n"
    "                      1)\n"
    "      --max-iter N    EM iterations at most (default 1000)\n"
    "      --tol T         stop when the mean log-likelihood per row\n"
    "                      changes by less than T (default 1e-6)\n"
    GMM_COMMON_HELP;

static const struct option longopts[] = {
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "posterior", required_argument, NULL, OPT_POSTERIOR },
	{ "covariance", required_argument, NULL, OPT_COVARIANCE },
	{ "n-init", required_argument, NULL, OPT_N_INIT },
	{ "max-iter", required_argument, NULL, OPT_MAX_ITER },
	{ "tol", required_argument, NULL, OPT_TOL },
	GMM_COMMON_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static int cmd_threshold(int argc, char **argv);

const struct gmm_cmd gmm_cmd_threshold = {
	.name = "threshold",
	.summary = "the cut between the two components of one column",
	.run = cmd_threshold, .longopts = longopts,
	.shortopts = GMM_COMMON_SHORTOPTS,
	.operands = { GMM_OPERAND_CSV, GMM_OPERAND_END },
};

/* One component: weight, mean, standard deviation. */
struct comp {
	double w, mu, sd;
};

/* log(w phi(x)) */
static double
log_joint(const struct comp *c, double x)
{
	double z = (x - c->mu) / c->sd;

	return log(c->w) - log(c->sd) - 0.5 * log(2 * M_PI) - 0.5 * z * z;
}

/* The root of g(x) = t where g rises; NAN when g never reaches t. */
static double
rising_root(const struct comp *lo, const struct comp *hi, double t)
{
	double vl = lo->sd * lo->sd, vh = hi->sd * hi->sd;
	double A = 0.5 * (1 / vl - 1 / vh);
	double B = hi->mu / vh - lo->mu / vl;
	double C = log(hi->w) - log(lo->w) - log(hi->sd) + log(lo->sd) -
	    0.5 * (hi->mu * hi->mu / vh - lo->mu * lo->mu / vl) - t;
	double disc, q;

	/* A against B's scale over the means' span: a line when the
	 * variances are equal, or so nearly that the quadratic's far root
	 * is beyond any double's reach of the means */
	if (fabs(A) * (fabs(lo->mu) + fabs(hi->mu) + lo->sd + hi->sd) <=
	    1e-12 * fabs(B))
		return B > 0 ? -C / B : NAN;
	disc = B * B - 4 * A * C;
	if (disc < 0)
		return NAN;
	/* the roots without cancellation: q = -(B + sign(B) sqrt(disc)) / 2,
	 * x1 = q / A, x2 = C / q; g'(x) = 2 A x + B > 0 picks one */
	q = -0.5 * (B + copysign(sqrt(disc), B));
	{
		double x1 = q / A, x2 = q != 0 ? C / q : x1;

		return 2 * A * x1 + B > 0 ? x1 : x2;
	}
}

static double
density(const struct comp *c, double x)
{
	return exp(log_joint(&c[0], x)) + exp(log_joint(&c[1], x));
}

/*
 * The density's minimum strictly between the means: a scan of 1000
 * points, then golden-section search in the bracket of the lowest; NAN
 * when the density only falls from one mean to the other (one mode).
 */
static double
density_min(const struct comp *c)
{
	const double g = (sqrt(5) - 1) / 2;
	double a = c[0].mu, b = c[1].mu, best = INFINITY, x0 = NAN, step;
	size_t at = 0, n = 1000;

	if (!(b > a))
		return NAN;
	step = (b - a) / (double)n;
	for (size_t i = 0; i <= n; i++) {
		double f = density(c, a + step * (double)i);

		if (f < best) {
			best = f;
			at = i;
		}
	}
	if (at == 0 || at == n)
		return NAN;
	a += step * (double)(at - 1);
	b = a + 2 * step;
	for (int it = 0; it < 200 && b - a > 1e-12 * (fabs(a) + fabs(b));
	    it++) {
		double p = b - g * (b - a), q = a + g * (b - a);

		if (density(c, p) < density(c, q))
			b = q;
		else
			a = p;
	}
	x0 = (a + b) / 2;
	return x0;
}

static void
field(double v, int last)
{
	if (isfinite(v))
		gmm_csvout_number(stdout, v);
	putchar(last ? '\n' : ',');
}

static int
report(const struct gmm_model *m, int posterior, double p, int quiet)
{
	struct comp c[2];
	double cut, dmin, at = NAN;

	for (size_t i = 0; i < 2; i++) {
		double var;

		gmm_model_component_cov(m, i, &var);
		c[i] = (struct comp){ m->weights[i], m->means[i], sqrt(var) };
	}
	if (c[1].mu < c[0].mu) {
		struct comp t = c[0];

		c[0] = c[1];
		c[1] = t;
	}
	cut = rising_root(&c[0], &c[1], 0);
	dmin = density_min(c);
	printf("cut,density_min,low_weight,low_mean,low_sd,high_weight,"
	    "high_mean,high_sd%s\n", posterior ? ",at_posterior" : "");
	field(cut, 0);
	field(dmin, 0);
	for (size_t i = 0; i < 2; i++) {
		field(c[i].w, 0);
		field(c[i].mu, 0);
		field(c[i].sd, !posterior && i == 1);
	}
	if (posterior) {
		at = rising_root(&c[0], &c[1], log(p) - log1p(-p));
		field(at, 1);
	}
	if (!quiet && !isfinite(cut))
		gmm_warn("threshold", "the two posteriors are nowhere equal: "
		    "the upper component never has half of a row (no cut)");
	if (!quiet && posterior && !isfinite(at))
		gmm_warn("threshold", "the upper component's posterior never "
		    "reaches %g (at_posterior empty)", p);
	if (!quiet && !isfinite(dmin))
		gmm_warn("threshold", "the density has one mode: no minimum "
		    "between the means (density_min empty)");
	return 0;
}

static int
fit_column(struct gmm_fitopts *fo, const char *file, struct gmm_model **m)
{
	struct gmm_csvin *in;
	struct gmm_data x;
	struct gmm_error err;
	int ret = -1;

	gmm_data_init(&x, 0);
	in = gmm_csvin_open(file, &fo->common.csv, &err);
	if (in == NULL || gmm_csvin_read_data(in, &x, NULL, &err) < 0)
		goto fail;
	if (x.d != 1) {
		gmm_error_set(&err, gmm_csvin_name(in), 0, "threshold reads "
		    "one column, and the data have %zu (select one with -c)",
		    x.d);
		goto fail;
	}
	gmm_report_blank("threshold", in, &fo->common);
	gmm_report_missing("threshold", in, &x, &fo->common);
	if (gmm_fitopts_fit(fo, "threshold", &x, m, &err) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	gmm_error_about(&err, in ? gmm_csvin_name(in) : file);
	gmm_report("threshold", &err);
out:
	gmm_data_release(&x);
	gmm_csvin_close(in);
	return ret;
}

static int
cmd_threshold(int argc, char **argv)
{
	struct gmm_fitopts fo;
	struct gmm_model *m = NULL;
	const char *model = NULL, *file = "-";
	double p = 0;
	int opt, r, posterior = 0, ret = GMM_EXIT_DATA;

	gmm_fitopts_init(&fo);
	fo.em.cov_type = GMM_COV_SPHERICAL;	/* V: a variance each */
	while ((opt = gmm_getopt("threshold", argc, argv,
	    gmm_cmd_threshold.shortopts, longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			gmm_fitopts_release(&fo);
			return 0;
		case OPT_MODEL:
			model = optarg;
			continue;
		case OPT_POSTERIOR:
			if (gmm_parse_real("threshold", "--posterior", optarg,
			    0, &p) < 0 || !(p > 0 && p < 1)) {
				if (p >= 1 || p == 0)
					gmm_warn("threshold", "--posterior "
					    "takes a probability strictly "
					    "between 0 and 1, not %s", optarg);
				gmm_fitopts_release(&fo);
				return gmm_usage(usage_text);
			}
			posterior = 1;
			continue;
		default:
			break;
		}
		r = gmm_fitopts_option("threshold", &fo, opt, optarg);
		if (r == 0)
			r = gmm_common_option("threshold", &fo.common, opt,
			    optarg);
		if (r <= 0) {
			gmm_fitopts_release(&fo);
			return gmm_usage(usage_text);
		}
	}
	if (gmm_operands("threshold", argc - optind, argv + optind, 0,
	    model != NULL ? 0 : 1, "FILE") < 0) {
		if (model != NULL)
			gmm_warn("threshold", "--model gives the mixture: no "
			    "FILE is read");
		gmm_fitopts_release(&fo);
		return gmm_usage(usage_text);
	}
	if (optind < argc)
		file = argv[optind];
	fo.k_given = 1;
	fo.em.k = 2;
	if (model != NULL) {
		if ((m = gmm_load_model_kind("threshold",
		    model, 0, 0, "threshold's closed forms do not take")) == NULL)
			goto out;
		if (m->k != 2 || m->d != 1) {
			gmm_warn("threshold", "%s: a model of 2 components on 1 "
			    "column is needed; this one has %zu on %zu", model,
			    m->k, m->d);
			goto out;
		}
	} else {
		if (gmm_fitopts_finish("threshold", &fo, 1) < 0) {
			ret = fo.failed_usage ? GMM_EXIT_USAGE : GMM_EXIT_DATA;
			goto out;
		}
		if (fit_column(&fo, file, &m) < 0)
			goto out;
	}
	ret = report(m, posterior, p, fo.common.quiet);
out:
	gmm_model_free(m);
	gmm_fitopts_release(&fo);
	return ret;
}
