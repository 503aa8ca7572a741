#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modelfile.h"
#include "text.h"

int
gmm_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)(n > 1024 ? 1024 : n) : 1;
}

void
gmm_common_init(struct gmm_common *co)
{
	memset(co, 0, sizeof(*co));
	co->csv.delim = ',';
	co->csv.header = -1;
	co->threads = gmm_default_threads();
}

static int
parse_delim(const char *arg, unsigned char *out)
{
	if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0) {
		*out = '\t';
		return 0;
	}
	if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' ||
	    arg[0] == '\r')
		return -1;
	*out = (unsigned char)arg[0];
	return 0;
}

int
gmm_common_option(const char *cmd, struct gmm_common *co, int opt,
    const char *arg)
{
	size_t v;

	switch (opt) {
	case 'd':
		if (parse_delim(arg, &co->csv.delim) < 0) {
			gmm_warn(cmd, "--delimiter takes one character, not "
			    "\"%s\"", arg);
			return -1;
		}
		return 1;
	case 'c':
		co->csv.columns = arg;
		return 1;
	case OPT_HEADER:
		co->csv.header = 1;
		return 1;
	case OPT_COMMENT:
		if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' ||
		    arg[0] == '\r' || (unsigned char)arg[0] == co->csv.delim) {
			gmm_warn(cmd, "--comment takes one character, not a "
			    "quote, newline or the delimiter: \"%s\"", arg);
			return -1;
		}
		co->csv.comment = (unsigned char)arg[0];
		return 1;
	case OPT_NO_HEADER:
		co->csv.header = 0;
		return 1;
	case OPT_THREADS:
		if (gmm_parse_count(cmd, "--threads", arg, 1, &v) < 0)
			return -1;
		co->threads = v > 1024 ? 1024 : (int)v;
		return 1;
	case OPT_SEED:
		return gmm_parse_seed(cmd, arg, &co->seed) < 0 ? -1 : 1;
	case 'v':
		co->verbose = 1;
		return 1;
	case 'q':
		co->quiet = 1;
		return 1;
	}
	return 0;
}

void
gmm_report_blank(const char *cmd, const struct gmm_csvin *in,
    const struct gmm_common *co)
{
	const size_t *lines;
	size_t nl, n = gmm_csvin_blank_lines(in, &lines, &nl);

	if (n == 0 || co->quiet)
		return;
	fprintf(stderr, "gmm %s: ", cmd);
	gmm_text_put(stderr, gmm_csvin_name(in));
	fprintf(stderr, ": %zu blank line%s skipped", n, n == 1 ? "" : "s");
	for (size_t i = 0; co->verbose && i < nl; i++)
		fprintf(stderr, "%s%zu", i ? ", " : n == 1 ? " (line " :
		    " (lines ", lines[i]);
	if (co->verbose)
		fprintf(stderr, "%s)", n > nl ? ", ..." : "");
	fputc('\n', stderr);
}

int
gmm_usage(const char *usage)
{
	fprintf(stderr, "%s", usage);
	return GMM_EXIT_USAGE;
}

int
gmm_parse_seed(const char *cmd, const char *arg, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] == '-' || arg[0] == '\0' || *end != '\0' || errno != 0 ||
	    v > GMM_SEED_MAX) {
		gmm_warn(cmd, "--seed takes a whole number from 0 to %llu, "
		    "not \"%s\"", (unsigned long long)GMM_SEED_MAX, arg);
		return -1;
	}
	*out = v;
	return 0;
}

int
gmm_parse_count(const char *cmd, const char *opt, const char *arg,
    size_t min, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] == '-' || arg[0] == '\0' || *end != '\0' || errno != 0 ||
	    v < min || v > (unsigned long long)SIZE_MAX) {
		gmm_warn(cmd, "%s takes a whole number%s, not \"%s\"", opt,
		    min > 0 ? " of at least 1" : "", arg);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

int
gmm_parse_real(const char *cmd, const char *opt, const char *arg,
    double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (arg[0] == '\0' || *end != '\0' || !isfinite(v) || v < min) {
		gmm_warn(cmd, "%s takes a number of at least %g, not \"%s\"",
		    opt, min, arg);
		return -1;
	}
	*out = v;
	return 0;
}

static int
push_k(const char *cmd, size_t **ks, size_t *nk, size_t v)
{
	size_t *n = realloc(*ks, (*nk + 1) * sizeof(size_t));

	if (n == NULL) {
		gmm_warn(cmd, "out of memory");
		return GMM_PARSE_NOMEM;
	}
	*ks = n;
	n[(*nk)++] = v;
	return 0;
}

static int
k_item(const char *cmd, const char *arg, size_t len, size_t **ks,
    size_t *nk)
{
	char item[64], *dots;
	size_t lo, hi;

	if (len >= sizeof(item)) {
		gmm_warn(cmd, "bad -k value \"%.*s\"", (int)len, arg);
		return -1;
	}
	memcpy(item, arg, len);
	item[len] = '\0';
	dots = strstr(item, "..");
	if (dots == NULL) {
		if (gmm_parse_count(cmd, "-k", item, 1, &lo) < 0)
			return -1;
		return push_k(cmd, ks, nk, lo);
	}
	*dots = '\0';
	if (gmm_parse_count(cmd, "-k", item, 1, &lo) < 0 ||
	    gmm_parse_count(cmd, "-k", dots + 2, 1, &hi) < 0)
		return -1;
	if (hi < lo || hi - lo > 10000) {
		*dots = '.';
		gmm_warn(cmd, "bad -k range \"%s\"", item);
		return -1;
	}
	for (size_t k = lo; k <= hi; k++)
		if (push_k(cmd, ks, nk, k) < 0)
			return GMM_PARSE_NOMEM;
	return 0;
}

int
gmm_parse_k_list(const char *cmd, const char *arg, size_t **ks, size_t *nk)
{
	int ret = 0;

	*ks = NULL;
	*nk = 0;
	while (*arg != '\0' && ret == 0) {
		size_t len = strcspn(arg, ",");

		if (len > 0)
			ret = k_item(cmd, arg, len, ks, nk);
		arg += len + (arg[len] == ',');
	}
	if (ret == 0 && *nk == 0) {
		gmm_warn(cmd, "-k needs at least one value");
		ret = -1;
	}
	if (ret < 0) {
		free(*ks);
		*ks = NULL;
	}
	return ret;
}

gsl_rng *
gmm_rng_new(unsigned long long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	if (r != NULL)
		gsl_rng_set(r, (unsigned long)seed);
	return r;
}

struct gmm_model *
gmm_load_model(const char *cmd, const char *path)
{
	struct gmm_model *m = NULL;
	struct gmm_error err;

	if (gmm_modelfile_read(path, &m, &err) < 0) {
		gmm_report(cmd, &err);
		return NULL;
	}
	return m;
}

int
gmm_name_columns(struct gmm_model *m, const struct gmm_csvin *in)
{
	for (size_t j = 0; j < m->d; j++) {
		const char *h = gmm_csvin_colname(in, j);
		char buf[32];

		if (h == NULL) {
			snprintf(buf, sizeof(buf), "x%zu",
			    gmm_csvin_colindex(in, j));
			h = buf;
		}
		if (gmm_model_set_column(m, j, h) < 0)
			return -1;
	}
	return 0;
}
