#include <stdlib.h>

#include "cmd/cmd.h"
#include "io/csvout.h"
#include "engine/sample.h"

static const char usage_text[] =
    "usage: gmm sample -n N [--seed S] [--labels] [-v] [-q] MODEL\n";

static const char help_text[] =
    "Draw N rows from a model (binary or JSON): CSV on stdout, with the\n"
    "model's column names as header.\n\n"
    "  -n N                number of rows\n"
    "      --seed S        random seed, 0 to 4294967295 (default 0)\n"
    "      --labels        add the component each row was drawn from\n"
    "  -v, --verbose       accepted; sample has no progress to report\n"
    "  -q, --quiet         accepted; sample prints no notes\n"
    "  -h, --help          this help\n";

static const struct option longopts[] = {
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "labels", no_argument, NULL, OPT_LABELS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_sample(int argc, char **argv);

const struct gmm_cmd gmm_cmd_sample = {
	.name = "sample", .summary = "draw rows from a model",
	.run = cmd_sample, .longopts = longopts,
	.shortopts = "n:vqh",
	.operands = { GMM_OPERAND_MODEL, GMM_OPERAND_END },
};

static void
print_header(const struct gmm_model *m, int labels)
{
	for (size_t j = 0; j < m->d; j++) {
		if (j > 0)
			putchar(',');
		gmm_csvout_field(stdout, m->columns[j], ',');
	}
	puts(labels ? ",label" : "");
}

static int
run(const char *path, size_t n, unsigned long long seed, int labels)
{
	struct gmm_model *m = gmm_load_model_kind("sample", path, 0, 1,
	    "sample cannot draw from: its region is not kept, only its volume");
	struct gmm_sampler s;
	gsl_rng *rng;
	double *x;
	int ret = GMM_EXIT_DATA;

	if (m == NULL)
		return ret;
	rng = gmm_rng_new(seed);
	x = malloc(m->d * sizeof(double));
	if (rng == NULL || x == NULL || gmm_sampler_init(&s, m) < 0) {
		gmm_warn("sample", "out of memory");
		goto out;
	}
	print_header(m, labels);
	for (size_t i = 0; i < n && !ferror(stdout); i++) {
		size_t c = gmm_sampler_draw(&s, rng, x);

		for (size_t j = 0; j < m->d; j++) {
			if (j > 0)
				putchar(',');
			gmm_csvout_number(stdout, x[j]);
		}
		if (labels)
			printf(",%zu", c);
		putchar('\n');
	}
	gmm_sampler_release(&s);
	ret = 0;
out:
	free(x);
	if (rng != NULL)
		gsl_rng_free(rng);
	gmm_model_free(m);
	return ret;
}

static int
cmd_sample(int argc, char **argv)
{
	size_t n = 0;
	unsigned long long seed = 0;
	int labels = 0, have_n = 0, opt;

	while ((opt = gmm_getopt("sample", argc, argv,
	    gmm_cmd_sample.shortopts, longopts)) != -1) {
		switch (opt) {
		case 'h':
			printf("%s\n%s", usage_text, help_text);
			return 0;
		case 'n':
			if (gmm_parse_count("sample", "-n", optarg, 0,
			    SIZE_MAX, &n) < 0)
				return gmm_usage(usage_text);
			have_n = 1;
			break;
		case OPT_SEED:
			if (gmm_parse_seed("sample", optarg, &seed) < 0)
				return gmm_usage(usage_text);
			break;
		case OPT_LABELS:
			labels = 1;
			break;
		case 'v':
		case 'q':
			break;
		default:
			return gmm_usage(usage_text);
		}
	}
	if (!have_n) {
		gmm_warn("sample", "-n is required");
		return gmm_usage(usage_text);
	}
	if (gmm_operands("sample", argc - optind, argv + optind, 1, 1,
	    "MODEL") < 0)
		return gmm_usage(usage_text);
	return run(argv[optind], n, seed, labels);
}
