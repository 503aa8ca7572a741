/*
 * The model file: round trips (binary and JSON) keep every bit; every
 * truncation, every single flipped bit and a version one higher than ours
 * are refused with a message; writes are atomic.
 */
#include <dirent.h>
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
	if (t == GMM_COV_FULL || t == GMM_COV_TIED)
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
	    strstr(err.msg, "version 2 is newer") != NULL, "newer version: %s",
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

/*
 * Fields a CRC cannot vouch for: a writer that set reserved header
 * fields, a training record with a NaN log-likelihood or a negative
 * reg_covar, a name that is not UTF-8 (each with a matching CRC); a JSON
 * key given twice; a variance whose reciprocal overflows.
 */
static void
check_hostile(void)
{
	struct gmm_model *m = example(GMM_COV_DIAG);
	struct gmm_error err;
	unsigned char *buf, *b2;
	/* the training record follows the header and 2 + 6 + 6 values */
	size_t len, tr = GMM_MODEL_HEADER_SIZE + 8 * 14;

	CHECK(gmm_modelfile_encode(m, &buf, &len, &err) == 0, "encode");
	b2 = malloc(len);
	memcpy(b2, buf, len);
	b2[44] = 1;
	reseal(b2, len);
	refuse(b2, len, "reserved header fields", "reserved bytes 44..47");
	memcpy(b2, buf, len);
	b2[40] |= 4;
	reseal(b2, len);
	refuse(b2, len, "reserved header fields", "an unknown flag");
	memcpy(b2, buf, len);
	put_f64_at(b2 + tr + 8, NAN);
	reseal(b2, len);
	refuse(b2, len, "log-likelihood is nan", "NaN log-likelihood");
	memcpy(b2, buf, len);
	put_f64_at(b2 + tr + 64, -1);
	reseal(b2, len);
	refuse(b2, len, "reg_covar is -1", "negative reg_covar");
	memcpy(b2, buf, len);
	b2[tr + GMM_MODEL_TRAINING_SIZE] = 0xff;	/* first name's byte */
	reseal(b2, len);
	refuse(b2, len, "not valid UTF-8", "a name that is not UTF-8");
	memcpy(b2, buf, len);
	put_f64_at(b2 + GMM_MODEL_HEADER_SIZE + 8 * 8, 1e-320);
	reseal(b2, len);
	refuse(b2, len, "too small for its precision", "variance 1e-320");
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
		struct gmm_model *back = NULL;

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

int
main(void)
{
	gsl_set_error_handler_off();
	for (int t = 0; t < 4; t++)
		check_type((enum gmm_cov_type)t);
	check_atomic();
	check_hostile();
	check_read_bounds();
	return check_done("test_modelfile");
}
