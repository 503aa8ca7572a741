#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "io/modelfile.h"
#include "base/text.h"

static const char usage_text[] = "usage: gmm show [--json] [-v] [-q] MODEL\n";

static const char help_text[] =
    "Print a model (binary or JSON) as readable text, or as JSON.\n\n"
    "      --json          JSON, the form every command that reads a model\n"
    "                      accepts\n"
    "  -v, --verbose       accepted; show has no progress to report\n"
    "  -q, --quiet         accepted; show prints no notes\n"
    "  -h, --help          this help\n";

static const struct option longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_show(int argc, char **argv);

const struct gmm_cmd gmm_cmd_show = {
	.name = "show", .summary = "print a model as text or JSON",
	.run = cmd_show, .longopts = longopts,
	.shortopts = "vqh",
	.operands = { GMM_OPERAND_MODEL, GMM_OPERAND_END },
};

static void
print_training(const struct gmm_training *t)
{
	printf("training: n = %llu", (unsigned long long)t->n);
	if (t->weighted)
		printf(" (weights summing to %.10g)", t->weight_total);
	printf(", log-likelihood = %.10g (mean %.10g), BIC = %.10g, "
	    "AIC = %.10g", t->loglik_total, t->loglik_mean, t->bic, t->aic);
	if (t->has_icl)
		printf(", ICL = %.10g", t->icl);
	putchar('\n');
	printf("          %llu iterations, %s%s, seed %llu, n_init %llu, "
	    "reg_covar %g, tol %g%s\n", (unsigned long long)t->iterations,
	    t->converged ? "converged" : "not converged",
	    t->degenerate ? ", degenerate" : "",
	    (unsigned long long)t->seed, (unsigned long long)t->n_init,
	    t->reg_covar, t->tol, t->prior ? ", prior conjugate" : "");
}

static int
print_text(const char *path, const struct gmm_model *m)
{
	double *sigma = malloc(m->d * m->d * sizeof(double));
	size_t d = m->d;

	if (sigma == NULL) {
		gmm_warn("show", "out of memory");
		return GMM_EXIT_DATA;
	}
	/* the path and the names are escaped: they may hold anything */
	fputs("model: ", stdout);
	gmm_text_put(stdout, path);
	printf("\nk = %zu, d = %zu, covariance = %s", m->k, d,
	    gmm_cov_type_name(m->cov_type));
	if (m->factors > 0)
		printf(", factors = %zu", m->factors);
	if (m->family != &gmm_family_gaussian)
		printf(", family = %s%s", m->family->name, m->df_fixed ?
		    " (degrees of freedom held)" : "");
	fputs("\ncolumns:", stdout);
	for (size_t j = 0; j < d; j++) {
		putchar(' ');
		gmm_text_put(stdout, m->columns[j]);
	}
	putchar('\n');
	if (m->training.present)
		print_training(&m->training);
	for (size_t c = 0; c < m->k; c++) {
		printf("component %zu", c);
		if (m->classes != NULL) {	/* any text: escaped */
			fputs(" (", stdout);
			gmm_text_put(stdout, m->classes[c]);
			putchar(')');
		}
		printf(": weight %.6g", m->weights[c]);
		if (m->family->scaled)
			printf(", degrees of freedom %.6g", m->df[c]);
		fputs("\n  mean:", stdout);
		for (size_t j = 0; j < d; j++)
			printf(" %.6g", m->means[c * d + j]);
		printf("\n  covariance:\n");
		gmm_model_component_cov(m, c, sigma);
		for (size_t i = 0; i < d; i++) {
			printf("   ");
			for (size_t j = 0; j < d; j++)
				printf(" %.6g", sigma[i * d + j]);
			putchar('\n');
		}
	}
	if (m->noise)
		printf("noise: weight %.6g, density %.6g (volume %.6g)\n",
		    m->noise_weight, m->noise_vinv, 1 / m->noise_vinv);
	free(sigma);
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	struct gmm_model *m;
	int json = 0, opt, status = 0;

	while ((opt = gmm_getopt("show", argc, argv,
	    gmm_cmd_show.shortopts, longopts)) != -1) {
		if (opt == 'h') {
			printf("%s\n%s", usage_text, help_text);
			return 0;
		}
		if (opt == 'v' || opt == 'q')
			continue;
		if (opt != OPT_JSON)
			return gmm_usage(usage_text);
		json = 1;
	}
	if (gmm_operands("show", argc - optind, argv + optind, 1, 1,
	    "MODEL") < 0)
		return gmm_usage(usage_text);
	m = gmm_load_model("show", argv[optind]);
	if (m == NULL)
		return GMM_EXIT_DATA;
	if (json)
		gmm_modelfile_write_json(stdout, m);
	else
		status = print_text(argv[optind], m);
	gmm_model_free(m);
	return status;
}
