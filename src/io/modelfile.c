#include "io/modelfile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/consts.h"

uint32_t
gmm_crc32(const unsigned char *buf, size_t len)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffffu;

	if (table[1] == 0) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int b = 0; b < 8; b++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ buf[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

/* Little-endian encoding, whatever the host. */
static void
put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_f64(unsigned char *p, double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	put_u64(p, u);
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static double
get_f64(const unsigned char *p)
{
	uint64_t u = get_u64(p);
	double v;

	memcpy(&v, &u, 8);
	return v;
}

static size_t
names_size(const struct gmm_model *m)
{
	size_t s = 0;

	for (size_t j = 0; j < m->d; j++)
		s += strlen(m->columns[j]) + 1;
	return s;
}

static unsigned char *
encode_training(unsigned char *p, const struct gmm_training *t)
{
	put_u64(p, t->n);
	put_f64(p + 8, t->loglik_total);
	put_f64(p + 16, t->loglik_mean);
	put_f64(p + 24, t->bic);
	put_f64(p + 32, t->aic);
	put_u64(p + 40, t->iterations);
	put_u32(p + 48, (uint32_t)t->converged);
	put_u32(p + 52, (uint32_t)t->n_init);
	put_u64(p + 56, t->seed);
	put_f64(p + 64, t->reg_covar);
	put_f64(p + 72, t->tol);
	return p + GMM_MODEL_TRAINING_SIZE;
}

static void
decode_training(const unsigned char *p, struct gmm_training *t, int present)
{
	t->present = present;
	t->n = get_u64(p);
	t->loglik_total = get_f64(p + 8);
	t->loglik_mean = get_f64(p + 16);
	t->bic = get_f64(p + 24);
	t->aic = get_f64(p + 32);
	t->iterations = get_u64(p + 40);
	t->converged = get_u32(p + 48) != 0;
	t->n_init = get_u32(p + 52);
	t->seed = get_u64(p + 56);
	t->reg_covar = get_f64(p + 64);
	t->tol = get_f64(p + 72);
}

int
gmm_modelfile_encode(const struct gmm_model *m, unsigned char **out,
    size_t *len, struct gmm_error *err)
{
	size_t k = m->k, d = m->d, ncov = gmm_cov_size(m->cov_type, k, d);
	size_t nvals = k + k * d + ncov, nnames = names_size(m);
	size_t total = GMM_MODEL_HEADER_SIZE + 8 * nvals
	    + GMM_MODEL_TRAINING_SIZE + nnames + 4;
	unsigned char *buf = calloc(1, total), *p;

	if (buf == NULL)
		return gmm_error_nomem(err);
	memcpy(buf, GMM_MODEL_MAGIC, 8);
	put_u32(buf + 8, GMM_MODEL_VERSION);
	put_u32(buf + 12, gmm_covmodel(m->cov_type)->code);
	put_u64(buf + 16, k);
	put_u64(buf + 24, d);
	put_u64(buf + 32, nnames);
	/* flags: bit 0 a training record, bit 1 the fit was degenerate */
	put_u32(buf + 40, m->training.present ? 1u | (m->training.degenerate
	    ? 2u : 0u) : 0u);
	p = buf + GMM_MODEL_HEADER_SIZE;
	for (size_t i = 0; i < k; i++, p += 8)
		put_f64(p, m->weights[i]);
	for (size_t i = 0; i < k * d; i++, p += 8)
		put_f64(p, m->means[i]);
	for (size_t i = 0; i < ncov; i++, p += 8)
		put_f64(p, m->cov[i]);
	p = encode_training(p, &m->training);
	for (size_t j = 0; j < d; j++) {
		size_t l = strlen(m->columns[j]) + 1;

		memcpy(p, m->columns[j], l);
		p += l;
	}
	put_u32(p, gmm_crc32(buf, total - 4));
	*out = buf;
	*len = total;
	return 0;
}

/* Expected file length for a header, or 0 when the sizes are absurd. */
static size_t
expected_length(enum gmm_cov_type t, uint64_t k, uint64_t d, uint64_t names)
{
	if (k < 1 || k > GMM_MAX_K || d < 1 || d > GMM_MAX_D ||
	    names > GMM_MODEL_FILE_MAX)
		return 0;
	/* k, d <= 1e5: k*d*d <= 1e15 doubles, no overflow in 64 bits */
	return GMM_MODEL_HEADER_SIZE + 8 * (k + k * d + gmm_cov_size(t,
	    (size_t)k, (size_t)d)) + GMM_MODEL_TRAINING_SIZE + names + 4;
}

static int
decode_names(struct gmm_model *m, const unsigned char *p, size_t len,
    const char *name, struct gmm_error *err)
{
	const unsigned char *end = p + len;

	for (size_t j = 0; j < m->d; j++) {
		const unsigned char *z = memchr(p, '\0', (size_t)(end - p));

		if (z == NULL)
			return gmm_error_set(err, name, 0,
			    "column names are cut short");
		if (gmm_model_set_column(m, j, (const char *)p) < 0)
			return gmm_error_nomem(err);
		p = z + 1;
	}
	if (p != end)
		return gmm_error_set(err, name, 0,
		    "column names do not fill their block");
	return 0;
}

static int
decode_header(const unsigned char *buf, size_t len, const char *name,
    enum gmm_cov_type *t, struct gmm_error *err)
{
	uint32_t version, type;
	size_t want;

	if (len < GMM_MODEL_HEADER_SIZE)
		return gmm_error_set(err, name, 0,
		    "truncated model file (%zu bytes)", len);
	version = get_u32(buf + 8);
	type = get_u32(buf + 12);
	if (version > GMM_MODEL_VERSION)
		return gmm_error_set(err, name, 0,
		    "model format version %u is newer than this gmm reads (%d)",
		    version, GMM_MODEL_VERSION);
	if (version == 0)
		return gmm_error_set(err, name, 0, "bad model format version 0");
	if (gmm_covmodel_coded(type) == NULL)
		return gmm_error_set(err, name, 0,
		    "unknown covariance type %u", type);
	/* flags beyond bits 0 (training present) and 1 (degenerate) and the
	 * last 4 bytes are reserved: a writer that set them meant something
	 * this one does not know */
	if ((get_u32(buf + 40) & ~3u) != 0 || get_u32(buf + 44) != 0)
		return gmm_error_set(err, name, 0,
		    "reserved header fields are set (flags 0x%08x, 0x%08x): "
		    "not a model this gmm can read", get_u32(buf + 40),
		    get_u32(buf + 44));
	*t = gmm_covmodel_coded(type)->type;
	want = expected_length(*t, get_u64(buf + 16), get_u64(buf + 24),
	    get_u64(buf + 32));
	if (want == 0)
		return gmm_error_set(err, name, 0,
		    "implausible sizes in header (k = %llu, d = %llu)",
		    (unsigned long long)get_u64(buf + 16),
		    (unsigned long long)get_u64(buf + 24));
	if (want != len)
		return gmm_error_set(err, name, 0,
		    "model file is %zu bytes, its header says %zu "
		    "(truncated or corrupted)", len, want);
	if (gmm_crc32(buf, len - 4) != get_u32(buf + len - 4))
		return gmm_error_set(err, name, 0,
		    "checksum mismatch (corrupted model file)");
	return 0;
}

int
gmm_training_check(const struct gmm_training *t, int allow_missing,
    const char *name, struct gmm_error *err)
{
	const struct { const char *what; double v; int nonneg; } f[] = {
		{ "log-likelihood", t->loglik_total, 0 },
		{ "mean log-likelihood", t->loglik_mean, 0 },
		{ "BIC", t->bic, 0 }, { "AIC", t->aic, 0 },
		{ "reg_covar", t->reg_covar, 1 }, { "tol", t->tol, 1 },
	};

	if (!t->present)
		return 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (isnan(f[i].v) && allow_missing)
			continue;	/* a JSON field left out */
		if (!isfinite(f[i].v) || (f[i].nonneg && f[i].v < 0))
			return gmm_error_set(err, name, 0, "the training "
			    "record's %s is %g, not a%s finite number",
			    f[i].what, f[i].v, f[i].nonneg ?
			    " non-negative" : "");
	}
	return 0;
}

static int
decode_binary(const unsigned char *buf, size_t len, const char *name,
    struct gmm_model **out, struct gmm_error *err)
{
	enum gmm_cov_type t = GMM_COV_FULL;
	struct gmm_model *m;
	const unsigned char *p;
	size_t k, d, ncov;

	if (decode_header(buf, len, name, &t, err) < 0)
		return -1;
	k = (size_t)get_u64(buf + 16);
	d = (size_t)get_u64(buf + 24);
	ncov = gmm_cov_size(t, k, d);
	m = gmm_model_new(k, d, t);
	if (m == NULL)
		return gmm_error_nomem(err);
	p = buf + GMM_MODEL_HEADER_SIZE;
	for (size_t i = 0; i < k; i++, p += 8)
		m->weights[i] = get_f64(p);
	for (size_t i = 0; i < k * d; i++, p += 8)
		m->means[i] = get_f64(p);
	for (size_t i = 0; i < ncov; i++, p += 8)
		m->cov[i] = get_f64(p);
	decode_training(p, &m->training, get_u32(buf + 40) & 1);
	m->training.degenerate = (get_u32(buf + 40) & 3) == 3;
	p += GMM_MODEL_TRAINING_SIZE;
	if (decode_names(m, p, (size_t)(buf + len - 4 - p), name, err) < 0 ||
	    gmm_model_validate(m, name, err) < 0 ||
	    gmm_training_check(&m->training, 0, name, err) < 0) {
		gmm_model_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

int
gmm_modelfile_decode(const unsigned char *buf, size_t len, const char *name,
    struct gmm_model **out, struct gmm_error *err)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n'
	    || buf[i] == '\r'))
		i++;
	if (i < len && buf[i] == '{')
		return gmm_modelfile_decode_json(buf, len, name, out, err);
	if (len >= 8 && memcmp(buf, GMM_MODEL_MAGIC, 8) == 0)
		return decode_binary(buf, len, name, out, err);
	if (len == 0)
		return gmm_error_set(err, name, 0, "empty model file");
	return gmm_error_set(err, name, 0,
	    "not a gmm model (neither the binary magic number nor JSON)");
}

/*
 * The rest of fp after the n bytes already in *buf (of capacity *cap): at
 * most max bytes in all, else an error saying what was expected.
 */
static int
read_rest(FILE *fp, const char *name, unsigned char **buf, size_t *cap,
    size_t *n, size_t max, const char *what, struct gmm_error *err)
{
	for (;;) {
		size_t got;

		if (*n == *cap) {
			size_t ncap = *cap * 2 > max + 1 ? max + 1 : *cap * 2;
			unsigned char *nb;

			if (*n > max)
				return gmm_error_set(err, name, 0, "%s", what);
			nb = realloc(*buf, ncap);
			if (nb == NULL)
				return gmm_error_nomem(err);
			*buf = nb;
			*cap = ncap;
		}
		got = fread(*buf + *n, 1, *cap - *n, fp);
		*n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp))
		return gmm_error_set(err, name, 0, "read error: %s",
		    strerror(errno));
	if (*n > max)
		return gmm_error_set(err, name, 0, "%s", what);
	return 0;
}

/* Printable text with a line end and a comma, tab or semicolon. */
static int
looks_like_csv(const unsigned char *p, size_t n)
{
	int sep = 0, nl = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n')
			nl = 1;
		else if (p[i] == ',' || p[i] == '\t' || p[i] == ';')
			sep = 1;
		else if (p[i] < 0x20 && p[i] != '\r')
			return 0;
	}
	return sep && nl;
}

/*
 * Read a model file, deciding from its first bytes: the binary magic
 * number, then the length its header gives, read and no more; or JSON
 * ('{' after white space), at most GMM_MODEL_JSON_MAX bytes; anything
 * else is refused at once (`gmm show /dev/zero` reads 64 bytes).
 */
static int
read_model(FILE *fp, const char *name, unsigned char **out, size_t *len,
    struct gmm_error *err)
{
	size_t cap = 64, n, max, i = 0;
	unsigned char *buf = malloc(cap);
	char what[160];
	int ret;

	if (buf == NULL)
		return gmm_error_nomem(err);
	n = fread(buf, 1, cap, fp);
	while (i < n && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' ||
	    buf[i] == '\r'))
		i++;
	if (n >= 8 && memcmp(buf, GMM_MODEL_MAGIC, 8) == 0) {
		/* the header's sizes bound the read; when they are bad,
		 * nothing more is read and decoding says what is wrong */
		uint32_t type = n >= GMM_MODEL_HEADER_SIZE ?
		    get_u32(buf + 12) : UINT32_MAX;

		max = gmm_covmodel_coded(type) == NULL ? 0 : expected_length(
		    gmm_covmodel_coded(type)->type, get_u64(buf + 16),
		    get_u64(buf + 24), get_u64(buf + 32));
		if (max < n)
			max = n;
		snprintf(what, sizeof(what), "model file is longer than its "
		    "header says (%zu bytes; corrupted)", max);
	} else if (i == n || buf[i] == '{') {
		max = GMM_MODEL_JSON_MAX;
		snprintf(what, sizeof(what), "a JSON model is at most %zu "
		    "bytes (use the binary form)", max);
	} else {
		int csv = looks_like_csv(buf, n);

		free(buf);
		if (n == 0 && !ferror(fp))
			return gmm_error_set(err, name, 0, "empty model file");
		if (ferror(fp))
			return gmm_error_set(err, name, 0, "read error: %s",
			    strerror(errno));
		if (csv)
			return gmm_error_set(err, name, 0, "is CSV, not a gmm "
			    "model (the model comes first: gmm score MODEL "
			    "FILE)");
		return gmm_error_set(err, name, 0, "not a gmm model (neither "
		    "the binary magic number nor JSON)");
	}
	ret = read_rest(fp, name, &buf, &cap, &n, max, what, err);
	if (ret < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

int
gmm_modelfile_read(const char *path, struct gmm_model **out,
    struct gmm_error *err)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int ret;

	if (fp == NULL)
		return gmm_error_set(err, path, 0, "%s", strerror(errno));
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			fclose(fp);
		return gmm_error_set(err, name, 0, "is a directory");
	}
	ret = read_model(fp, name, &buf, &len, err);
	if (!is_stdin)
		fclose(fp);
	if (ret == 0)
		ret = gmm_modelfile_decode(buf, len, name, out, err);
	free(buf);
	return ret;
}

int
gmm_modelfile_write(const struct gmm_outfile *o, const struct gmm_model *m,
    struct gmm_error *err)
{
	unsigned char *buf;
	size_t len;
	int ret;

	if (gmm_modelfile_encode(m, &buf, &len, err) < 0)
		return -1;
	ret = gmm_outfile_write(o, buf, len, err);
	free(buf);
	return ret;
}
