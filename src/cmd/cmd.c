#include "cmd/cmd.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/modelfile.h"
#include "base/text.h"

int
gmm_default_threads(void)
{
	const char *env = getenv("OMP_NUM_THREADS");
	cpu_set_t set;
	long n = -1;

	if (env != NULL) {	/* "4", or "4,2" for nested levels: the first */
		char *end;

		errno = 0;
		n = strtol(env, &end, 10);
		if (errno != 0 || end == env || (*end != '\0' && *end != ',')
		    || n < 1)
			n = -1;
	}
	/* the processors this process may run on (taskset, cgroups'
	 * cpusets), not every one the machine has */
	if (n < 0 && sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)(n > 1024 ? 1024 : n) : 1;
}

void
gmm_common_init(struct gmm_common *co)
{
	memset(co, 0, sizeof(*co));
	co->csv.delim = ',';
	co->csv.header = -1;
	co->csv.missing = 1;
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
	case OPT_NA:
		co->csv.na = arg;
		return 1;
	case OPT_MISSING:
		if (strcmp(arg, "allow") != 0 && strcmp(arg, "error") != 0) {
			gmm_warn(cmd, "--missing takes allow or error, not "
			    "\"%s\"", arg);
			return -1;
		}
		co->csv.missing = strcmp(arg, "allow") == 0;
		return 1;
	case OPT_THREADS:
		if (gmm_parse_count(cmd, "--threads", arg, 1, SIZE_MAX,
		    &v) < 0)
			return -1;
		co->threads = v > 1024 ? 1024 : (int)v;
		co->threads_given = 1;
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

int
gmm_model_file_operands(const char *cmd, int n, char **argv,
    const char **model, const char **file)
{
	if (gmm_operands(cmd, n, argv, 1, 2, "MODEL FILE") < 0)
		return -1;
	*model = argv[0];
	*file = n == 2 ? argv[1] : "-";
	if (strcmp(*model, "-") == 0 && strcmp(*file, "-") == 0) {
		gmm_warn(cmd, "the model and the data cannot both be stdin");
		return -1;
	}
	return 0;
}

void
gmm_report_missing(const char *cmd, const struct gmm_csvin *in,
    const struct gmm_data *x, const struct gmm_common *co)
{
	if (co->quiet || x->rows_read == x->complete)
		return;
	if (x->n > x->complete)
		fprintf(stderr, "gmm %s: %s: %zu value%s missing in %zu of %zu "
		    "rows%s", cmd, gmm_csvin_name(in), x->values_missing,
		    x->values_missing == 1 ? "" : "s", x->n - x->complete,
		    x->n, x->rows_empty ? "; " : "\n");
	else
		fprintf(stderr, "gmm %s: %s: ", cmd, gmm_csvin_name(in));
	if (x->rows_empty)
		fprintf(stderr, "%zu row%s with no observed value skipped\n",
		    x->rows_empty, x->rows_empty == 1 ? "" : "s");
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

/* The long option called name, or the one it abbreviates; NULL else. */
static const struct option *
long_option(const struct option *lo, const char *name, size_t len,
    size_t *nmatch)
{
	const struct option *found = NULL;

	*nmatch = 0;
	for (; lo->name != NULL; lo++) {
		if (strncmp(lo->name, name, len) != 0)
			continue;
		if (strlen(lo->name) == len) {
			*nmatch = 1;
			return lo;
		}
		found = lo;
		(*nmatch)++;
	}
	return found;
}

static void
option_error(const char *cmd, char **argv, const char *shortopts,
    const struct option *longopts)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const struct option *o;
	size_t len, nmatch;

	if (optopt != 0 && optopt < 256 && (arg[0] != '-' || arg[1] != '-')) {
		const char *p = strchr(shortopts, optopt);

		if (p != NULL && optopt != ':')
			gmm_warn(cmd, "option -%c needs a value", optopt);
		else
			gmm_warn(cmd, "unknown option -%c", optopt);
		return;
	}
	if (arg[0] != '-' || arg[1] != '-') {
		gmm_warn(cmd, "bad option %s", arg);
		return;
	}
	arg += 2;
	len = strcspn(arg, "=");
	o = long_option(longopts, arg, len, &nmatch);
	if (o != NULL && nmatch == 1 && optopt != 0) {
		gmm_warn(cmd, o->has_arg == no_argument ? "option --%s takes no "
		    "value" : "option --%s needs a value", o->name);
	} else if (nmatch > 1) {
		gmm_warn(cmd, "option --%.*s is ambiguous; say which",
		    (int)len, arg);
	} else {
		const char *names[64], *hint;
		size_t n = 0;
		char word[64];

		for (o = longopts; o->name != NULL && n < 64; o++)
			names[n++] = o->name;
		snprintf(word, sizeof(word), "%.*s", (int)len, arg);
		hint = gmm_text_closest(word, names, n);
		if (hint != NULL)
			gmm_warn(cmd, "unknown option --%s; did you mean --%s?",
			    word, hint);
		else
			gmm_warn(cmd, "unknown option --%s", word);
	}
}

int
gmm_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (opt == '?' || opt == ':')
		option_error(cmd, argv, shortopts, longopts);
	return opt;
}

int
gmm_operands(const char *cmd, int n, char **argv, int min, int max,
    const char *names)
{
	if (n < min) {
		const char *p = names;

		for (int i = 0; i < n && p != NULL; i++) {
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
		gmm_warn(cmd, "missing %.*s", p ? (int)strcspn(p, " ") : 7,
		    p ? p : "operand");
		return -1;
	}
	if (n > max) {
		fprintf(stderr, "gmm %s: extra operand '", cmd);
		gmm_text_put(stderr, argv[max]);
		fputs("'\n", stderr);
		return -1;
	}
	return 0;
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
    size_t min, size_t max, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (arg[0] == '-' || arg[0] == '\0' || *end != '\0' || errno != 0 ||
	    v < min || v > (unsigned long long)max) {
		if (max < SIZE_MAX)
			gmm_warn(cmd, "%s takes a whole number from %zu to "
			    "%zu, not \"%s\"", opt, min, max, arg);
		else
			gmm_warn(cmd, "%s takes a whole number%s, not \"%s\"",
			    opt, min > 0 ? " of at least 1" : "", arg);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

size_t
gmm_physical_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

	return pages > 0 && page > 0 ? (size_t)pages * (size_t)page : 0;
}

int
gmm_parse_size(const char *cmd, const char *opt, const char *arg,
    size_t *out)
{
	char *end;
	double v, scale = 1;

	errno = 0;
	v = strtod(arg, &end);
	if (end != arg && *end != '\0' && end[1] == '\0') {
		switch (*end) {
		case 'k': case 'K': scale = 1024.0; break;
		case 'm': case 'M': scale = 1024.0 * 1024; break;
		case 'g': case 'G': scale = 1024.0 * 1024 * 1024; break;
		case 't': case 'T': scale = 1024.0 * 1024 * 1024 * 1024; break;
		case '%': scale = (double)gmm_physical_memory() / 100; break;
		default: scale = -1;
		}
		end++;
	}
	if (end == arg || *end != '\0' || errno != 0 || !(v >= 0) ||
	    scale < 0 || !(v * scale < 1.8e19) || (*(end - 1) == '%' &&
	    v > 100)) {
		gmm_warn(cmd, "%s takes a size in bytes, with K, M, G or T "
		    "(powers of 1024) or %% of this machine's memory (up to "
		    "100), not \"%s\"", opt, arg);
		return -1;
	}
	*out = (size_t)(v * scale);
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
	size_t lo, hi, sep = 2;

	if (len >= sizeof(item)) {
		gmm_warn(cmd, "bad -k value \"%.*s\"", (int)len, arg);
		return -1;
	}
	memcpy(item, arg, len);
	item[len] = '\0';
	dots = strstr(item, "..");
	if (dots == NULL && item[0] != '-' && (dots = strchr(item, '-')))
		sep = 1;	/* 1-3, as -c takes ranges */
	if (dots == NULL) {
		if (gmm_parse_count(cmd, "-k", item, 1, SIZE_MAX, &lo) < 0)
			return -1;
		return push_k(cmd, ks, nk, lo);
	}
	*dots = '\0';
	if (gmm_parse_count(cmd, "-k", item, 1, SIZE_MAX, &lo) < 0 ||
	    gmm_parse_count(cmd, "-k", dots + sep, 1, SIZE_MAX, &hi) < 0)
		return -1;
	if (hi < lo || hi - lo > 10000) {
		*dots = sep == 2 ? '.' : '-';
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

struct gmm_model *
gmm_load_model_kind(const char *cmd, const char *path, int noise_ok,
    int family_ok, const char *why)
{
	struct gmm_model *m = gmm_load_model(cmd, path);

	if (m != NULL && m->noise && !noise_ok) {
		gmm_warn(cmd, "%s: the model has a noise component, which %s",
		    path, why);
		gmm_model_free(m);
		return NULL;
	}
	if (m != NULL && m->family != &gmm_family_gaussian && !family_ok) {
		gmm_warn(cmd, "%s: the model's components are %s, not "
		    "Gaussian, which %s", path, m->family->name, why);
		gmm_model_free(m);
		return NULL;
	}
	return m;
}

int
gmm_model_names_generated(const struct gmm_model *m)
{
	for (size_t j = 0; j < m->d; j++) {
		const char *s = m->columns[j];

		if (s[0] != 'x' || s[1] == '\0' ||
		    strspn(s + 1, "0123456789") != strlen(s + 1))
			return 0;
	}
	return 1;
}

int
gmm_name_columns(struct gmm_model *m, const struct gmm_csvin *in)
{
	for (size_t j = 0; j < m->d; j++) {
		char buf[32];

		if (gmm_model_set_column(m, j, gmm_csvin_field_name(in,
		    gmm_csvin_colindex(in, j) - 1, buf)) < 0)
			return -1;
	}
	return 0;
}
