/*
 * The model file: round trips (binary and JSON) keep every bit; every
 * truncation, every single flipped bit and a version one higher than ours
 * are refused with a message; version 2's sections are checked (each
 * once, of the right size, within the file; an unknown one refused unless
 * its tag says it may be skipped); version 1 files written by gmm 0.1
 * (tests/fixtures/v1-*.gmm, with `gmm show --json` of each by that gmm
 * beside them) are still read, to the same bits, and refused when
 * damaged; writes are atomic.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "check.h"
#include "io/modelfile.h"

static struct gmm_model *
example(enum gmm_cov_type t)
{
	struct gmm_model *m = gmm_model_new(2, 3, t);
	struct gmm_error err;
	size_t ncov = gmm_cov_size(t, 2, 3);

	m->weights[0] = 0.3;
	m->weights[1] = 0.7;
	for (size_t i = 0; i < 6; i++)
		m->means[i] = 0.1 * (double)i - 1.0 / 3;
	for (size_t i = 0; i < ncov; i++)
		m->cov[i] = 0.01;
	if (gmm_covmodel(t)->form == GMM_FORM_MATRIX)
		for (size_t c = 0; c < ncov / 9; c++)
			for (size_t j = 0; j < 3; j++)
				m->cov[c * 9 + j * 4] = 1.5 + (double)j / 7;
	else
		for (size_t i = 0; i < ncov; i++)
			m->cov[i] = 0.5 + (double)i / 9;
	gmm_model_set_column(m, 1, "second \"column\"");
	m->training.present = 1;
	m->training.n = 1234;
	m->training.loglik_total = -5678.25;
	m->training.loglik_mean = -5678.25 / 1234;
	m->training.iterations = 17;
	m->training.converged = 1;
	m->training.seed = 42;
	m->training.n_init = 3;
	m->training.reg_covar = 1e-6;
	m->training.tol = 1e-3;
	CHECK(gmm_model_prepare(m, &err) == 0, "prepare: %s", err.msg);
	return m;
}

static int
same(const struct gmm_model *a, const struct gmm_model *b)
{
	size_t ncov = gmm_cov_size(a->cov_type, a->k, a->d);

	if (a->k != b->k || a->d != b->d || a->cov_type != b->cov_type)
		return 0;
	for (size_t j = 0; j < a->d; j++)
		if (strcmp(a->columns[j], b->columns[j]) != 0)
			return 0;
	return memcmp(a->weights, b->weights, a->k * sizeof(double)) == 0 &&
	    memcmp(a->means, b->means, a->k * a->d * sizeof(double)) == 0 &&
	    memcmp(a->cov, b->cov, ncov * sizeof(double)) == 0 &&
	    a->training.n == b->training.n &&
	    a->training.loglik_total == b->training.loglik_total &&
	    a->training.iterations == b->training.iterations &&
	    a->training.seed == b->training.seed &&
	    a->training.n_init == b->training.n_init;
}

static void
check_type(enum gmm_cov_type t)
{
	struct gmm_model *m = example(t), *back = NULL;
	struct gmm_error err;
	unsigned char *buf;
	size_t len, refused = 0;
	char *json;
	size_t jlen;
	FILE *f;

	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0,
	    "decode: %s", err.msg);
	CHECK(back && same(m, back), "binary round trip");
	gmm_model_free(back);

	for (size_t l = 0; l < len; l++) {
		back = NULL;
		refused += gmm_modelfile_decode(buf, l, "m", &back, &err) < 0;
		gmm_model_free(back);
	}
	CHECK(refused == len, "%zu of %zu truncations refused", refused, len);

	refused = 0;
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			buf[i] ^= (unsigned char)(1u << bit);
			back = NULL;
			refused += gmm_modelfile_decode(buf, len, "m", &back,
			    &err) < 0;
			gmm_model_free(back);
			buf[i] ^= (unsigned char)(1u << bit);
		}
	}
	CHECK(refused == 8 * len, "%zu of %zu bit flips refused", refused,
	    8 * len);

	buf[8]++;	/* version, then a CRC that matches it */
	{
		uint32_t crc = gmm_crc32(buf, len - 4);

		for (int i = 0; i < 4; i++)
			buf[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
	}
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) < 0 &&
	    strstr(err.msg, "version 3 is newer") != NULL, "newer version: %s",
	    err.msg);
	free(buf);

	f = open_memstream(&json, &jlen);
	gmm_modelfile_write_json(f, m);
	fclose(f);
	back = NULL;
	CHECK(gmm_modelfile_decode((unsigned char *)json, jlen, "j", &back,
	    &err) == 0, "JSON decode: %s", err.msg);
	CHECK(back && same(m, back), "JSON round trip keeps every bit");
	gmm_model_free(back);
	free(json);
	gmm_model_free(m);
}

/* Put a CRC that matches the bytes before it. */
static void
reseal(unsigned char *buf, size_t len)
{
	uint32_t crc = gmm_crc32(buf, len - 4);

	for (int i = 0; i < 4; i++)
		buf[len - 4 + (size_t)i] = (unsigned char)(crc >> (8 * i));
}

static void
put_u32_at(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_f64_at(unsigned char *p, double v)
{
	uint64_t u;

	memcpy(&u, &v, 8);
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

/* decode must fail, saying want */
static void
refuse(const unsigned char *buf, size_t len, const char *want,
    const char *what)
{
	struct gmm_model *back = NULL;
	struct gmm_error err;
	int r = gmm_modelfile_decode(buf, len, "m", &back, &err);

	CHECK(r < 0 && strstr(err.msg, want) != NULL, "%s: %s", what,
	    r < 0 ? err.msg : "accepted");
	gmm_model_free(back);
}

/* Where section tag starts in buf (a model as encoded), or 0. */
static size_t
find_section(const unsigned char *buf, size_t len, const char *tag)
{
	size_t p = GMM_MODEL_HEADER_SIZE;

	while (p + GMM_MODEL_SECTION_HEAD <= len - 4) {
		uint64_t n = 0;

		if (memcmp(buf + p, tag, 4) == 0)
			return p;
		for (int i = 7; i >= 0; i--)
			n = n << 8 | buf[p + 4 + (size_t)i];
		p += GMM_MODEL_SECTION_HEAD + (size_t)n;
	}
	return 0;
}

static void
put_u64_at(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * buf (len bytes) with `extra` bytes inserted at `at`, the header's
 * length and the CRC made to match: a new buffer of *out_len bytes.
 */
static unsigned char *
with_inserted(const unsigned char *buf, size_t len, size_t at,
    const unsigned char *extra, size_t n, size_t *out_len)
{
	unsigned char *b = malloc(len + n);

	memcpy(b, buf, at);
	memcpy(b + at, extra, n);
	memcpy(b + at + n, buf + at, len - at);
	*out_len = len + n;
	put_u64_at(b + 16, *out_len);
	reseal(b, *out_len);
	return b;
}

/*
 * Fields a CRC cannot vouch for: a writer that set reserved fields, a
 * training record with a NaN log-likelihood or a negative reg_covar, a
 * name that is not UTF-8 (each with a matching CRC); a JSON key given
 * twice; a variance whose reciprocal overflows.  And version 2's
 * sections: unknown, twice, missing, of the wrong size, past the end,
 * with a bad tag; a section that may be skipped is.
 */
static void
check_hostile(void)
{
	struct gmm_model *m = example(GMM_COV_DIAG), *back;
	struct gmm_error err;
	unsigned char *buf, *b2, *b3;
	size_t len, len3, tr, cols, covs, mixt;
	/* a section a reader must understand, one it may skip */
	static const unsigned char crit[] = "ZZZZ\0\0\0\0\0\0\0\0";
	static const unsigned char anc[] = "note\3\0\0\0\0\0\0\0abc";

	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	tr = find_section(buf, len, "TRAI") + GMM_MODEL_SECTION_HEAD;
	cols = find_section(buf, len, "COLS");
	covs = find_section(buf, len, "COVS");
	mixt = find_section(buf, len, "MIXT");
	CHECK(tr > GMM_MODEL_SECTION_HEAD && cols && covs && mixt ==
	    GMM_MODEL_HEADER_SIZE, "sections found");
	b2 = malloc(len);
	memcpy(b2, buf, len);
	b2[12] = 1;
	reseal(b2, len);
	refuse(b2, len, "reserved header fields", "header flags");
	memcpy(b2, buf, len);
	b2[tr + GMM_MODEL_TRAINING_SIZE] |= 2;
	reseal(b2, len);
	refuse(b2, len, "reserved fields of section TRAI", "an unknown flag");
	memcpy(b2, buf, len);
	b2[tr + GMM_MODEL_TRAINING_SIZE + 4] = 1;
	reseal(b2, len);
	refuse(b2, len, "reserved fields of section TRAI", "reserved bytes");
	memcpy(b2, buf, len);
	put_f64_at(b2 + tr + 8, NAN);
	reseal(b2, len);
	refuse(b2, len, "log-likelihood is nan", "NaN log-likelihood");
	memcpy(b2, buf, len);
	put_f64_at(b2 + tr + 64, -1);
	reseal(b2, len);
	refuse(b2, len, "reg_covar is -1", "negative reg_covar");
	memcpy(b2, buf, len);
	b2[cols + GMM_MODEL_SECTION_HEAD] = 0xff;	/* first name's byte */
	reseal(b2, len);
	refuse(b2, len, "not valid UTF-8", "a name that is not UTF-8");
	memcpy(b2, buf, len);
	put_f64_at(b2 + covs + GMM_MODEL_SECTION_HEAD, 1e-320);
	reseal(b2, len);
	refuse(b2, len, "too small for its precision", "variance 1e-320");
	memcpy(b2, buf, len);
	b2[mixt + GMM_MODEL_SECTION_HEAD] = 7;	/* the family's code */
	reseal(b2, len);
	refuse(b2, len, "unknown component family 7", "a family");
	memcpy(b2, buf, len);
	memcpy(b2 + cols, "MEAN", 4);
	reseal(b2, len);
	refuse(b2, len, "section MEAN appears twice", "a section twice");
	memcpy(b2, buf, len);
	memcpy(b2 + cols, "cols", 4);	/* may be skipped: then missing */
	reseal(b2, len);
	refuse(b2, len, "no COLS section", "a section missing");
	memcpy(b2, buf, len);
	b2[cols + 1] = '-';
	reseal(b2, len);
	refuse(b2, len, "has no tag of four letters", "a bad tag");
	memcpy(b2, buf, len);
	put_u64_at(b2 + cols + 4, (uint64_t)1 << 62);
	reseal(b2, len);
	refuse(b2, len, "section COLS at byte", "a section past the end");
	b3 = with_inserted(buf, len, covs, crit, 12, &len3);
	refuse(b3, len3, "unknown section ZZZZ", "an unknown section");
	free(b3);
	b3 = with_inserted(buf, len, covs, anc, 15, &len3);
	back = NULL;
	CHECK(gmm_modelfile_decode(b3, len3, "m", &back, &err) == 0 &&
	    same(m, back), "a section that may be skipped is: %s", err.msg);
	gmm_model_free(back);
	free(b3);
	/* a WGHT section of k + 1 weights, the file otherwise consistent */
	{
		size_t w = find_section(buf, len, "WGHT");
		unsigned char extra[8] = { 0 };

		b3 = with_inserted(buf, len, w + GMM_MODEL_SECTION_HEAD, extra,
		    8, &len3);
		put_u64_at(b3 + w + 4, 8 * 3);
		reseal(b3, len3);
		refuse(b3, len3, "section WGHT is 24 bytes; k = 2 and d = 3 "
		    "of diag need 16", "a section of the wrong size");
		free(b3);
	}
	free(b2);
	free(buf);
	gmm_model_free(m);
	{
		static const char dup[] = "{\"covariance_type\": \"full\", "
		    "\"covariance_type\": \"diag\", \"weights\": [1], "
		    "\"means\": [[0]], \"covariances\": [[1]]}";
		static const char ok[] = "{\"covariance_type\": \"diag\", "
		    "\"weights\": [1], \"means\": [[0]], "
		    "\"covariances\": [[1]], \"training\": {\"tol\": 0.5}}";
		static const char neg[] = "{\"covariance_type\": \"diag\", "
		    "\"weights\": [1], \"means\": [[0]], "
		    "\"covariances\": [[1]], \"training\": {\"tol\": -1}}";

		back = NULL;
		refuse((const unsigned char *)dup, sizeof(dup) - 1,
		    "duplicate object key", "a JSON key twice");
		CHECK(gmm_modelfile_decode((const unsigned char *)ok,
		    sizeof(ok) - 1, "j", &back, &err) == 0,
		    "a JSON training record with fields left out: %s",
		    err.msg);
		gmm_model_free(back);
		refuse((const unsigned char *)neg, sizeof(neg) - 1,
		    "tol is -1", "a negative JSON tol");
	}
}

/* The whole of a file into a new buffer; NULL when it cannot be read. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b = malloc(1 << 16);

	*len = f ? fread(b, 1, 1 << 16, f) : 0;
	if (f)
		fclose(f);
	if (*len == 0) {
		free(b);
		return NULL;
	}
	return b;
}

/*
 * Version 1, as gmm 0.1 wrote it: read to the same bits as that gmm's
 * JSON of it, training record and degenerate flag included; every
 * truncation, every flipped bit and set reserved fields refused.
 */
static void
check_v1(const char *type)
{
	char path[128];
	unsigned char *bin, *json;
	size_t blen, jlen, refused = 0;
	struct gmm_model *a = NULL, *b = NULL, *back;
	struct gmm_error err;

	snprintf(path, sizeof(path), "tests/fixtures/v1-%s.gmm", type);
	bin = slurp(path, &blen);
	snprintf(path, sizeof(path), "tests/fixtures/v1-%s.json", type);
	json = slurp(path, &jlen);
	CHECK(bin && json, "v1 %s: fixtures (run from the top directory)",
	    type);
	if (!bin || !json) {
		free(bin);
		free(json);
		return;
	}
	CHECK(bin[8] == 1, "v1 %s: a version 1 file", type);
	CHECK(gmm_modelfile_decode(bin, blen, "v1", &a, &err) == 0,
	    "v1 %s: %s", type, err.msg);
	CHECK(gmm_modelfile_decode(json, jlen, "j", &b, &err) == 0,
	    "v1 %s JSON: %s", type, err.msg);
	CHECK(a && b && same(a, b) && a->training.present &&
	    a->training.degenerate == b->training.degenerate &&
	    a->training.converged == b->training.converged &&
	    a->training.reg_covar == b->training.reg_covar &&
	    a->training.tol == b->training.tol && a->training.bic ==
	    b->training.bic, "v1 %s: the model gmm 0.1 wrote", type);
	for (size_t l = 0; l < blen; l++) {
		back = NULL;
		refused += gmm_modelfile_decode(bin, l, "v1", &back, &err) < 0;
		gmm_model_free(back);
	}
	for (size_t i = 0; i < blen; i++)
		for (int bit = 0; bit < 8; bit++) {
			bin[i] ^= (unsigned char)(1u << bit);
			back = NULL;
			refused += gmm_modelfile_decode(bin, blen, "v1", &back,
			    &err) < 0;
			gmm_model_free(back);
			bin[i] ^= (unsigned char)(1u << bit);
		}
	CHECK(refused == 9 * blen, "v1 %s: %zu of %zu truncations and bit "
	    "flips refused", type, refused, 9 * blen);
	bin[44] = 1;
	reseal(bin, blen);
	refuse(bin, blen, "reserved header fields", "v1 reserved bytes");
	bin[44] = 0;
	bin[40] |= 4;
	reseal(bin, blen);
	refuse(bin, blen, "reserved header fields", "v1 unknown flag");
	gmm_model_free(a);
	gmm_model_free(b);
	free(bin);
	free(json);
}

/*
 * Reading decides from the first bytes: /dev/zero is refused at once
 * (not after 1 GiB), a binary model is read to its header's length and
 * no further.
 */
static void
check_read_bounds(void)
{
	char dir[] = "/tmp/gmm-test-modelfile-XXXXXX", path[300];
	struct gmm_model *m = example(GMM_COV_FULL), *back = NULL;
	struct gmm_error err;
	unsigned char *buf;
	size_t len;
	FILE *f;

	CHECK(gmm_modelfile_read("/dev/zero", &back, &err) < 0 &&
	    strstr(err.msg, "not a gmm model") != NULL, "/dev/zero: %s",
	    err.msg);
	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/long.gmm", dir);
	gmm_modelfile_encode(m, &buf, &len, &err);
	f = fopen(path, "wb");
	fwrite(buf, 1, len, f);
	fwrite("trailing", 1, 8, f);
	fclose(f);
	CHECK(gmm_modelfile_read(path, &back, &err) < 0 &&
	    strstr(err.msg, "longer than its header says") != NULL,
	    "bytes after the model: %s", err.msg);
	/* JSON over GMM_MODEL_JSON_MAX: refused when the read passes it */
	f = fopen(path, "wb");
	fputs("{\"weights\": [1], \"x\": \"", f);
	for (size_t i = 0; i < GMM_MODEL_JSON_MAX / 4096 + 1; i++) {
		static char chunk[4096];

		memset(chunk, 'a', sizeof(chunk));
		fwrite(chunk, 1, sizeof(chunk), f);
	}
	fputs("\"}", f);
	fclose(f);
	CHECK(gmm_modelfile_read(path, &back, &err) < 0 &&
	    strstr(err.msg, "a JSON model is at most") != NULL,
	    "JSON over the limit: %s", err.msg);
	/* a CSV file where a model belongs is named as such */
	f = fopen(path, "wb");
	fputs("x,y\n1,2\n", f);
	fclose(f);
	CHECK(gmm_modelfile_read(path, &back, &err) < 0 &&
	    strstr(err.msg, "is CSV, not a gmm model") != NULL, "CSV: %s",
	    err.msg);
	unlink(path);
	rmdir(dir);
	free(buf);
	gmm_model_free(m);
}

static size_t
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.' || strncmp(e->d_name, ".gmm", 4) == 0;
	closedir(d);
	return n;
}

static void
check_atomic(void)
{
	char dir[] = "/tmp/gmm-test-modelfile-XXXXXX", path[256], bad[300];
	struct gmm_model *m = example(GMM_COV_FULL), *back = NULL;
	struct gmm_outfile o;
	struct gmm_error err;

	if (mkdtemp(dir) == NULL)
		return;
	snprintf(path, sizeof(path), "%s/m.gmm", dir);
	CHECK(gmm_outfile_prepare(&o, path, NULL, &err) == 0 &&
	    gmm_modelfile_write(&o, m, &err) == 0, "write: %s", err.msg);
	gmm_outfile_release(&o);
	CHECK(gmm_modelfile_read(path, &back, &err) == 0 && same(m, back),
	    "read back");
	CHECK(count_entries(dir) == 1, "only the model is left");
	snprintf(bad, sizeof(bad), "%s/missing/m.gmm", dir);
	CHECK(gmm_outfile_prepare(&o, bad, NULL, &err) < 0 &&
	    strstr(err.msg, "does not exist") != NULL, "missing directory");
	gmm_outfile_release(&o);
	CHECK(gmm_modelfile_read(dir, &back, &err) < 0 &&
	    strstr(err.msg, "directory") != NULL, "a directory: %s", err.msg);
	unlink(path);
	rmdir(dir);
	gmm_model_free(back);
	gmm_model_free(m);
}

/*
 * ICL and the prior: each in its own section, crit and prio, which a
 * reader may skip (older models lack them; older readers skip them), only
 * beside TRAI; in JSON, training's "icl" and "prior", optional.
 */
/* The training log densities' quantiles: the ldqu section, its JSON
 * key, read back bitwise; out of order or short, refused. */
static void
check_ldq(void)
{
	struct gmm_model *m = example(GMM_COV_FULL), *back = NULL;
	struct gmm_error err;
	unsigned char *buf, *b2;
	size_t len, at;
	char *json;
	size_t jlen;
	FILE *f;
	int same = 1;

	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0 &&
	    find_section(buf, len, "ldqu") == 0, "no quantiles: no ldqu");
	free(buf);
	m->training.has_ldq = 1;
	for (size_t i = 0; i < GMM_LDQ_N; i++)
		m->training.ldq[i] = -20 + 0.015625 * (double)i / 3;
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	at = find_section(buf, len, "ldqu");
	CHECK(at > 0, "quantiles: an ldqu section");
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    back->training.has_ldq, "read back");
	for (size_t i = 0; back != NULL && i < GMM_LDQ_N; i++)
		same &= back->training.ldq[i] == m->training.ldq[i];
	CHECK(same, "... bitwise");
	gmm_model_free(back);
	b2 = malloc(len);
	memcpy(b2, buf, len);
	put_f64_at(b2 + at + GMM_MODEL_SECTION_HEAD + 8 * 500, 1e9);
	reseal(b2, len);
	refuse(b2, len, "quantiles are not finite and non-decreasing",
	    "quantiles out of order");
	memcpy(b2, buf, len);
	put_u64_at(b2 + at + 4, 8 * (GMM_LDQ_N - 1));
	memmove(b2 + at + GMM_MODEL_SECTION_HEAD + 8 * (GMM_LDQ_N - 1),
	    b2 + at + GMM_MODEL_SECTION_HEAD + 8 * GMM_LDQ_N,
	    len - (at + GMM_MODEL_SECTION_HEAD + 8 * GMM_LDQ_N));
	put_u64_at(b2 + 16, len - 8);
	reseal(b2, len - 8);
	refuse(b2, len - 8, "section ldqu is 8000 bytes", "a short ldqu");
	free(b2);
	free(buf);
	f = open_memstream(&json, &jlen);
	gmm_modelfile_write_json(f, m);
	fclose(f);
	CHECK(strstr(json, "\"log_density_quantiles\": [-20, ") != NULL,
	    "JSON: log_density_quantiles");
	back = NULL;
	same = gmm_modelfile_decode((unsigned char *)json, jlen, "j", &back,
	    &err) == 0 && back->training.has_ldq;
	for (size_t i = 0; same && i < GMM_LDQ_N; i++)
		same &= back->training.ldq[i] == m->training.ldq[i];
	CHECK(same, "JSON: read back bitwise");
	gmm_model_free(back);
	free(json);
	gmm_model_free(m);
}

/* A noise component: the NOIS section (upper case: must be understood)
 * and JSON "noise", read back bitwise; a bad density or a short section
 * refused. */
static void
check_noise(void)
{
	struct gmm_model *m = example(GMM_COV_DIAG), *back = NULL;
	struct gmm_error err;
	unsigned char *buf, *b2;
	size_t len, at, jlen;
	char *json;
	FILE *f;

	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0 &&
	    find_section(buf, len, "NOIS") == 0, "no noise: no NOIS");
	free(buf);
	m->noise = 1;
	m->noise_vinv = 1.0 / 3;
	m->weights[0] = 0.25;
	m->noise_weight = 0.05;
	CHECK(gmm_model_prepare(m, &err) == 0, "noise: prepare");
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	at = find_section(buf, len, "NOIS");
	CHECK(at > 0, "noise: a NOIS section");
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    back->noise && back->noise_vinv == m->noise_vinv &&
	    back->noise_weight == m->noise_weight, "read back bitwise");
	CHECK(back != NULL && back->noise_log_joint == log(0.05) -
	    log(3.0), "read back: prepared (%.17g)", back ?
	    back->noise_log_joint : 0);
	gmm_model_free(back);
	b2 = malloc(len);
	memcpy(b2, buf, len);
	put_f64_at(b2 + at + GMM_MODEL_SECTION_HEAD, -1);
	reseal(b2, len);
	refuse(b2, len, "the noise density is -1", "a negative density");
	memcpy(b2, buf, len);
	put_f64_at(b2 + at + GMM_MODEL_SECTION_HEAD + 8, 0.5);
	reseal(b2, len);
	refuse(b2, len, "weights sum to", "weights with the noise's past 1");
	memcpy(b2, buf, len);
	memcpy(b2 + at, "NOIZ", 4);
	reseal(b2, len);
	refuse(b2, len, "unknown section NOIZ", "an unknown upper-case section");
	free(b2);
	free(buf);
	f = open_memstream(&json, &jlen);
	gmm_modelfile_write_json(f, m);
	fclose(f);
	CHECK(strstr(json, "\"noise\": {\"weight\": 0.05, \"density\": "
	    "0.3333333333333333}") != NULL, "JSON: noise");
	back = NULL;
	CHECK(gmm_modelfile_decode((unsigned char *)json, jlen, "j", &back,
	    &err) == 0 && back->noise && back->noise_vinv == m->noise_vinv &&
	    back->noise_weight == m->noise_weight, "JSON read back bitwise");
	gmm_model_free(back);
	free(json);
	gmm_model_free(m);
}

/* The t family: code 1 in MIXT, the TDOF section (nu, held or not) and
 * JSON "family", "df", "df_fixed", read back bitwise; TDOF missing, or
 * beside a Gaussian, refused. */
static void
check_family(void)
{
	struct gmm_model *m = example(GMM_COV_TIED), *back = NULL;
	struct gmm_error err;
	unsigned char *buf, *b2;
	size_t len, at, jlen;
	char *json;
	FILE *f;

	m->family = &gmm_family_t;
	m->df[0] = 2.5;
	m->df[1] = 1e12;
	m->df_fixed = 1;
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "t: encode");
	at = find_section(buf, len, "TDOF");
	CHECK(at > 0, "t: a TDOF section");
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    back->family == &gmm_family_t && back->df[0] == 2.5 &&
	    back->df[1] == 1e12 && back->df_fixed, "t: read back bitwise");
	gmm_model_free(back);
	b2 = malloc(len);
	memcpy(b2, buf, len);
	memcpy(b2 + at, "XDOF", 4);
	reseal(b2, len);
	refuse(b2, len, "unknown section XDOF", "TDOF renamed");
	memcpy(b2, buf, len);
	put_f64_at(b2 + at + GMM_MODEL_SECTION_HEAD + 8, 0);
	reseal(b2, len);
	refuse(b2, len, "component 1: degrees of freedom 0", "nu = 0");
	memcpy(b2, buf, len);
	put_u32_at(b2 + at + GMM_MODEL_SECTION_HEAD + 16, 3);
	reseal(b2, len);
	refuse(b2, len, "reserved fields of section TDOF", "TDOF flags");
	memcpy(b2, buf, len);
	put_u32_at(b2 + GMM_MODEL_HEADER_SIZE + GMM_MODEL_SECTION_HEAD, 0);
	reseal(b2, len);
	refuse(b2, len, "the gaussian family has no section TDOF",
	    "TDOF beside a Gaussian");
	free(b2);
	free(buf);
	f = open_memstream(&json, &jlen);
	gmm_modelfile_write_json(f, m);
	fclose(f);
	CHECK(strstr(json, "\"family\": \"t\", \"df\": [2.5, 1000000000000], "
	    "\"df_fixed\": true") != NULL, "JSON: family, df, df_fixed: %s",
	    json);
	back = NULL;
	CHECK(gmm_modelfile_decode((unsigned char *)json, jlen, "j", &back,
	    &err) == 0 && back->family == &gmm_family_t && back->df[1] ==
	    1e12 && back->df_fixed, "JSON read back bitwise");
	gmm_model_free(back);
	free(json);
	gmm_model_free(m);
}

/* Class names: the clas section and JSON "classes", read back; a section
 * with a name too few, or an empty name, refused. */
static void
check_classes(void)
{
	struct gmm_model *m = example(GMM_COV_FULL), *back = NULL;
	struct gmm_error err;
	char *names[] = { "setosa", "new\"1" };
	unsigned char *buf, *b2;
	size_t len, at, jlen;
	char *json;
	FILE *f;

	CHECK(gmm_model_set_classes(m, names, 2) == 0, "set classes");
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	at = find_section(buf, len, "clas");
	CHECK(at > 0, "a clas section");
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    back->classes != NULL && strcmp(back->classes[0], "setosa") == 0
	    && strcmp(back->classes[1], "new\"1") == 0, "read back");
	gmm_model_free(back);
	b2 = malloc(len);
	memcpy(b2, buf, len);
	b2[at + GMM_MODEL_SECTION_HEAD + 6] = 'x';	/* the first NUL */
	reseal(b2, len);
	refuse(b2, len, "class names are cut short", "a name too few");
	memcpy(b2, buf, len);
	b2[at + GMM_MODEL_SECTION_HEAD] = '\0';
	reseal(b2, len);
	refuse(b2, len, "do not fill", "an empty first name: a name too many");
	free(b2);
	free(buf);
	f = open_memstream(&json, &jlen);
	gmm_modelfile_write_json(f, m);
	fclose(f);
	CHECK(strstr(json, "\"classes\": [\"setosa\", \"new\\\"1\"]") !=
	    NULL, "JSON classes: %s", json);
	back = NULL;
	CHECK(gmm_modelfile_decode((unsigned char *)json, jlen, "j", &back,
	    &err) == 0 && back->classes != NULL && strcmp(back->classes[1],
	    "new\"1") == 0, "JSON read back");
	gmm_model_free(back);
	free(json);
	gmm_model_free(m);
}

static void
check_icl(void)
{
	struct gmm_model *m = example(GMM_COV_FULL), *back = NULL;
	struct gmm_error err;
	unsigned char *buf, *b2;
	size_t len, len2, crit, covs;
	char *json;
	size_t jlen;
	FILE *f;
	static const unsigned char orphan[] = "crit\10\0\0\0\0\0\0\0"
	    "\0\0\0\0\0\0\0\0";

	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	CHECK(find_section(buf, len, "crit") == 0, "no ICL: no crit section");
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    !back->training.has_icl, "and none read back");
	gmm_model_free(back);
	free(buf);
	m->training.has_icl = 1;
	m->training.icl = 11384.125;
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	crit = find_section(buf, len, "crit");
	CHECK(crit > 0, "ICL: a crit section");
	back = NULL;
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    back->training.has_icl && back->training.icl == 11384.125,
	    "ICL read back");
	gmm_model_free(back);
	b2 = malloc(len);
	memcpy(b2, buf, len);
	put_f64_at(b2 + crit + GMM_MODEL_SECTION_HEAD, NAN);
	reseal(b2, len);
	refuse(b2, len, "ICL is nan", "a NaN ICL");
	memcpy(b2, buf, len);
	put_u64_at(b2 + crit + 4, 4);
	put_u64_at(b2 + 16, len - 4);
	reseal(b2, len - 4);
	refuse(b2, len - 4, "section crit is 4 bytes", "a short crit");
	free(b2);
	CHECK(find_section(buf, len, "prio") == 0, "no prior: no prio "
	    "section");
	free(buf);
	m->training.prior = 1;
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	crit = find_section(buf, len, "prio");
	CHECK(crit > 0, "a prior: a prio section");
	back = NULL;
	CHECK(gmm_modelfile_decode(buf, len, "m", &back, &err) == 0 &&
	    back->training.prior && back->training.has_icl, "prior read back");
	gmm_model_free(back);
	b2 = malloc(len);
	memcpy(b2, buf, len);
	b2[crit + GMM_MODEL_SECTION_HEAD] = 2;
	reseal(b2, len);
	refuse(b2, len, "section prio names prior 2", "an unknown prior");
	free(b2);
	f = open_memstream(&json, &jlen);
	gmm_modelfile_write_json(f, m);
	fclose(f);
	CHECK(strstr(json, "\"icl\": 11384.125") != NULL, "JSON: icl");
	CHECK(strstr(json, "\"prior\": \"conjugate\"") != NULL,
	    "JSON: prior");
	back = NULL;
	CHECK(gmm_modelfile_decode((unsigned char *)json, jlen, "j", &back,
	    &err) == 0 && back->training.has_icl && back->training.icl ==
	    11384.125 && back->training.prior, "JSON: icl and prior read back");
	gmm_model_free(back);
	free(json);
	free(buf);
	/* a crit section without TRAI */
	m->training.present = 0;
	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	covs = find_section(buf, len, "COVS");
	b2 = with_inserted(buf, len, covs, orphan, 20, &len2);
	refuse(b2, len2, "section crit without TRAI", "crit alone");
	free(b2);
	free(buf);
	gmm_model_free(m);
}

int
main(void)
{
	gsl_set_error_handler_off();
	for (int t = 0; t < GMM_N_COVMODELS; t++)
		check_type((enum gmm_cov_type)t);
	check_atomic();
	check_hostile();
	check_icl();
	check_ldq();
	check_noise();
	check_family();
	check_classes();
	check_v1("full");
	check_v1("diag");
	check_v1("spherical");
	check_v1("tied");
	check_read_bounds();
	return check_done("test_modelfile");
}
