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

/* Bytes of the class names (k strings with their NULs), 0 for none. */
static size_t
classes_size(const struct gmm_model *m)
{
	size_t s = 0;

	for (size_t c = 0; m->classes != NULL && c < m->k; c++)
		s += strlen(m->classes[c]) + 1;
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
	t->weighted = 0;	/* unless a section rwgt says otherwise */
	t->weight_total = (double)t->n;
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

/*
 * Version 2: a header (magic, version, flags 0, the file's length), then
 * tagged sections (a tag of four letters or digits, the body's length in
 * 8 bytes, the body), then the CRC-32 of every byte before it.  A section
 * whose tag starts with an upper-case letter must be understood; one
 * with a lower-case letter may be skipped by a reader that does not know
 * it (PNG's rule), so a later writer can add either kind.
 */
enum { S_MIXT, S_WGHT, S_MEAN, S_COVS, S_COLS, S_TRAI, S_CRIT, S_PRIO,
	S_RWGT, S_LDQU, S_NOIS, S_TDOF, S_CLAS, S_FACT, S_N };
static const char tags[S_N][5] = {
	"MIXT", "WGHT", "MEAN", "COVS", "COLS", "TRAI", "crit", "prio",
	"rwgt", "ldqu", "NOIS", "TDOF", "clas", "FACT",
};
#define MIXT_SIZE 24
#define TRAI_SIZE (GMM_MODEL_TRAINING_SIZE + 8)
#define CRIT_SIZE 8	/* ICL */
#define PRIO_SIZE 8	/* the prior (4: 1 mclust's conjugate), 4 reserved */
#define RWGT_SIZE 8	/* the sum of the row weights of a weighted fit */
#define LDQU_SIZE (8 * GMM_LDQ_N)	/* the training log densities'
					 * quantiles */
#define NOIS_SIZE 16	/* a noise component: its density 1/V, its weight
			 * (upper case: a reader that skipped it would
			 * give other densities) */
/* a factor model: q (8), the loadings k x d x q, psi k x d (mfa) or k */
#define FACT_SIZE(t, k, d, q) (8 + 8 * (k) * (d) * (q) + 8 * \
	((t) == GMM_COV_MFA ? (k) * (d) : (k)))
#define TDOF_SIZE(k) (8 * (k) + 8)	/* the t family: nu per component,
					 * flags (4: bit 0 nu held fixed), 4
					 * reserved */

static unsigned char *
put_section(unsigned char *p, int s, size_t len)
{
	memcpy(p, tags[s], 4);
	put_u64(p + 4, len);
	return p + GMM_MODEL_SECTION_HEAD;
}

static unsigned char *
put_doubles(unsigned char *p, int s, const double *v, size_t n)
{
	p = put_section(p, s, 8 * n);
	for (size_t i = 0; i < n; i++, p += 8)
		put_f64(p, v[i]);
	return p;
}

int
gmm_modelfile_encode(const struct gmm_model *m, unsigned char **out,
    size_t *len, struct gmm_error *err)
{
	size_t k = m->k, d = m->d, ncov = gmm_cov_size(m->cov_type, k, d);
	size_t nnames = names_size(m), tr = m->training.present;
	size_t crit = tr && m->training.has_icl;
	size_t prio = tr && m->training.prior;
	size_t rwgt = tr && m->training.weighted;
	size_t ldqu = tr && m->training.has_ldq, nois = m->noise != 0;
	size_t tdof = m->family->scaled != 0, ncls = classes_size(m);
	size_t fact = m->factors > 0 ? FACT_SIZE(m->cov_type, k, d,
	    m->factors) : 0;
	size_t total = GMM_MODEL_HEADER_SIZE + (5 + tr + crit + prio + rwgt +
	    ldqu + nois + tdof + (ncls > 0) + (fact > 0)) *
	    GMM_MODEL_SECTION_HEAD + MIXT_SIZE + 8 * (k + k * d + ncov) +
	    nnames + (tr ? TRAI_SIZE : 0) + (crit ? CRIT_SIZE : 0) +
	    (prio ? PRIO_SIZE : 0) + (rwgt ? RWGT_SIZE : 0) +
	    (ldqu ? LDQU_SIZE : 0) + (nois ? NOIS_SIZE : 0) +
	    (tdof ? TDOF_SIZE(k) : 0) + ncls + fact + 4;
	unsigned char *buf = calloc(1, total), *p;

	if (buf == NULL)
		return gmm_error_nomem(err);
	memcpy(buf, GMM_MODEL_MAGIC, 8);
	put_u32(buf + 8, GMM_MODEL_VERSION);
	put_u64(buf + 16, total);
	p = put_section(buf + GMM_MODEL_HEADER_SIZE, S_MIXT, MIXT_SIZE);
	put_u32(p, m->family->code);
	put_u32(p + 4, gmm_covmodel(m->cov_type)->code);
	put_u64(p + 8, k);
	put_u64(p + 16, d);
	p = put_doubles(p + MIXT_SIZE, S_WGHT, m->weights, k);
	p = put_doubles(p, S_MEAN, m->means, k * d);
	p = put_doubles(p, S_COVS, m->cov, ncov);
	if (nois) {
		double v[2] = { m->noise_vinv, m->noise_weight };

		p = put_doubles(p, S_NOIS, v, 2);
	}
	if (fact > 0) {
		size_t q = m->factors;

		p = put_section(p, S_FACT, fact);
		put_u64(p, q);
		p += 8;
		for (size_t i = 0; i < k * d * q; i++, p += 8)
			put_f64(p, m->loadings[i]);
		for (size_t i = 0; i < (fact - 8) / 8 - k * d * q; i++, p += 8)
			put_f64(p, m->psi[i]);
	}
	if (tdof) {
		p = put_section(p, S_TDOF, TDOF_SIZE(k));
		for (size_t c = 0; c < k; c++, p += 8)
			put_f64(p, m->df[c]);
		put_u32(p, m->df_fixed ? 1u : 0u);
		p += 8;
	}
	p = put_section(p, S_COLS, nnames);
	for (size_t j = 0; j < d; j++) {
		size_t l = strlen(m->columns[j]) + 1;

		memcpy(p, m->columns[j], l);
		p += l;
	}
	if (tr) {
		p = put_section(p, S_TRAI, TRAI_SIZE);
		p = encode_training(p, &m->training);
		/* flags: bit 0 the fit was degenerate; 4 bytes reserved */
		put_u32(p, m->training.degenerate ? 1u : 0u);
		p += 8;
	}
	if (crit) {
		p = put_section(p, S_CRIT, CRIT_SIZE);
		put_f64(p, m->training.icl);
		p += CRIT_SIZE;
	}
	if (prio) {
		p = put_section(p, S_PRIO, PRIO_SIZE);
		put_u32(p, 1);
		p += PRIO_SIZE;
	}
	if (rwgt) {
		p = put_section(p, S_RWGT, RWGT_SIZE);
		put_f64(p, m->training.weight_total);
		p += RWGT_SIZE;
	}
	if (ldqu)
		p = put_doubles(p, S_LDQU, m->training.ldq, GMM_LDQ_N);
	if (ncls > 0) {
		p = put_section(p, S_CLAS, ncls);
		for (size_t c = 0; c < k; c++) {
			size_t l = strlen(m->classes[c]) + 1;

			memcpy(p, m->classes[c], l);
			p += l;
		}
	}
	put_u32(p, gmm_crc32(buf, total - 4));
	*out = buf;
	*len = total;
	return 0;
}

/* Expected length of a version 1 file, or 0 when the sizes are absurd. */
static size_t
expected_length(enum gmm_cov_type t, uint64_t k, uint64_t d, uint64_t names)
{
	if (k < 1 || k > GMM_MAX_K || d < 1 || d > GMM_MAX_D ||
	    names > GMM_MODEL_FILE_MAX)
		return 0;
	/* k, d <= 1e5: k*d*d <= 1e15 doubles, no overflow in 64 bits */
	return GMM_MODEL_V1_HEADER_SIZE + 8 * (k + k * d + gmm_cov_size(t,
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

/* The clas section: k NUL-ended names (checked by validate). */
static int
decode_classes(struct gmm_model *m, const unsigned char *p, size_t len,
    const char *name, struct gmm_error *err)
{
	const unsigned char *end = p + len;
	char **names = calloc(m->k, sizeof(*names));

	if (names == NULL)
		return gmm_error_nomem(err);
	for (size_t c = 0; c < m->k; c++) {
		const unsigned char *z = memchr(p, '\0', (size_t)(end - p));

		if (z == NULL) {
			free(names);
			return gmm_error_set(err, name, 0,
			    "class names are cut short");
		}
		names[c] = (char *)p;
		p = z + 1;
	}
	if (p != end) {
		free(names);
		return gmm_error_set(err, name, 0,
		    "class names do not fill their section");
	}
	if (gmm_model_set_classes(m, names, m->k) < 0) {
		free(names);
		return gmm_error_nomem(err);
	}
	free(names);
	return 0;
}

/*
 * Version 1: a header of GMM_MODEL_V1_HEADER_SIZE bytes (magic, version,
 * covariance code, k, d, the names' length, flags, 4 reserved bytes),
 * weights, means, covariances, the training record, the names, the CRC.
 */
static int
decode_v1_header(const unsigned char *buf, size_t len, const char *name,
    enum gmm_cov_type *t, struct gmm_error *err)
{
	uint32_t type;
	size_t want;

	if (len < GMM_MODEL_V1_HEADER_SIZE)
		return gmm_error_set(err, name, 0,
		    "truncated model file (%zu bytes)", len);
	type = get_u32(buf + 12);
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
		{ "ICL", t->has_icl ? t->icl : 0, 0 },
	};

	if (!t->present)
		return 0;
	for (size_t i = 0; t->has_ldq && i < GMM_LDQ_N; i++)
		if (!isfinite(t->ldq[i]) || (i > 0 && t->ldq[i] <
		    t->ldq[i - 1]))
			return gmm_error_set(err, name, 0, "the training "
			    "record's log-density quantiles are not finite "
			    "and non-decreasing (at level %zu of %d)", i,
			    GMM_LDQ_N - 1);
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

/* The parameters and names of a new model m, then its checks. */
static int
finish_model(struct gmm_model *m, const unsigned char *w,
    const unsigned char *mu, const unsigned char *cov,
    const unsigned char *names, size_t nnames, const char *name,
    struct gmm_error *err)
{
	size_t k = m->k, d = m->d, ncov = gmm_cov_size(m->cov_type, k, d);

	for (size_t i = 0; i < k; i++)
		m->weights[i] = get_f64(w + 8 * i);
	for (size_t i = 0; i < k * d; i++)
		m->means[i] = get_f64(mu + 8 * i);
	for (size_t i = 0; i < ncov; i++)
		m->cov[i] = get_f64(cov + 8 * i);
	if (decode_names(m, names, nnames, name, err) < 0 ||
	    gmm_model_validate(m, name, err) < 0 ||
	    gmm_training_check(&m->training, 0, name, err) < 0)
		return -1;
	return 0;
}

static int
decode_v1(const unsigned char *buf, size_t len, const char *name,
    struct gmm_model **out, struct gmm_error *err)
{
	enum gmm_cov_type t = GMM_COV_FULL;
	struct gmm_model *m;
	const unsigned char *w, *tr;
	size_t k, d;

	if (decode_v1_header(buf, len, name, &t, err) < 0)
		return -1;
	k = (size_t)get_u64(buf + 16);
	d = (size_t)get_u64(buf + 24);
	m = gmm_model_new(k, d, t);
	if (m == NULL)
		return gmm_error_nomem(err);
	w = buf + GMM_MODEL_V1_HEADER_SIZE;
	tr = w + 8 * (k + k * d + gmm_cov_size(t, k, d));
	decode_training(tr, &m->training, get_u32(buf + 40) & 1);
	m->training.degenerate = (get_u32(buf + 40) & 3) == 3;
	if (finish_model(m, w, w + 8 * k, w + 8 * (k + k * d),
	    tr + GMM_MODEL_TRAINING_SIZE, (size_t)(buf + len - 4 -
	    (tr + GMM_MODEL_TRAINING_SIZE)), name, err) < 0) {
		gmm_model_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

static int
is_tag_byte(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9');
}

/* The sections of a version 2 file, checked against the header, the CRC
 * and each other; body[s] NULL for a section not there. */
static int
v2_sections(const unsigned char *buf, size_t len, const char *name,
    const unsigned char *body[S_N], uint64_t blen[S_N],
    struct gmm_error *err)
{
	size_t p = GMM_MODEL_HEADER_SIZE, end;

	if (len < GMM_MODEL_HEADER_SIZE + 4)
		return gmm_error_set(err, name, 0,
		    "truncated model file (%zu bytes)", len);
	if (get_u32(buf + 12) != 0)
		return gmm_error_set(err, name, 0,
		    "reserved header fields are set (flags 0x%08x): not a "
		    "model this gmm can read", get_u32(buf + 12));
	if (get_u64(buf + 16) != len)
		return gmm_error_set(err, name, 0,
		    "model file is %zu bytes, its header says %llu "
		    "(truncated or corrupted)", len,
		    (unsigned long long)get_u64(buf + 16));
	if (gmm_crc32(buf, len - 4) != get_u32(buf + len - 4))
		return gmm_error_set(err, name, 0,
		    "checksum mismatch (corrupted model file)");
	end = len - 4;
	for (int s = 0; s < S_N; s++)
		body[s] = NULL;
	while (p < end) {
		const unsigned char *tag = buf + p;
		uint64_t n;
		int s;

		if (end - p < GMM_MODEL_SECTION_HEAD)
			return gmm_error_set(err, name, 0,
			    "a section at byte %zu is cut short", p);
		for (int i = 0; i < 4; i++)
			if (!is_tag_byte(tag[i]))
				return gmm_error_set(err, name, 0,
				    "a section at byte %zu has no tag of "
				    "four letters or digits", p);
		n = get_u64(tag + 4);
		if (n > end - p - GMM_MODEL_SECTION_HEAD)
			return gmm_error_set(err, name, 0,
			    "section %.4s at byte %zu runs past the end of "
			    "the file", (const char *)tag, p);
		for (s = 0; s < S_N && memcmp(tag, tags[s], 4) != 0; s++)
			;
		if (s < S_N && body[s] != NULL)
			return gmm_error_set(err, name, 0,
			    "section %.4s appears twice", (const char *)tag);
		if (s == S_N && tag[0] >= 'A' && tag[0] <= 'Z')
			return gmm_error_set(err, name, 0,
			    "unknown section %.4s at byte %zu: written by a "
			    "newer gmm?", (const char *)tag, p);
		if (s < S_N) {
			body[s] = tag + GMM_MODEL_SECTION_HEAD;
			blen[s] = n;
		}
		p += GMM_MODEL_SECTION_HEAD + (size_t)n;
	}
	for (int s = 0; s < S_N; s++)
		if (body[s] == NULL && s != S_TRAI && s != S_CRIT &&
		    s != S_PRIO && s != S_RWGT && s != S_LDQU && s != S_NOIS &&
	    s != S_TDOF && s != S_CLAS && s != S_FACT)
			return gmm_error_set(err, name, 0,
			    "no %s section", tags[s]);
	return 0;
}

static int
decode_v2(const unsigned char *buf, size_t len, const char *name,
    struct gmm_model **out, struct gmm_error *err)
{
	const unsigned char *body[S_N];
	uint64_t blen[S_N], k, d;
	const struct gmm_covmodel *cm;
	const struct gmm_family *fam;
	struct gmm_model *m;
	size_t want[S_N] = { 0 };

	if (v2_sections(buf, len, name, body, blen, err) < 0)
		return -1;
	if (blen[S_MIXT] != MIXT_SIZE)
		return gmm_error_set(err, name, 0, "section MIXT is %llu "
		    "bytes, not %d", (unsigned long long)blen[S_MIXT],
		    MIXT_SIZE);
	fam = gmm_family_coded(get_u32(body[S_MIXT]));
	if (fam == NULL)
		return gmm_error_set(err, name, 0,
		    "unknown component family %u", get_u32(body[S_MIXT]));
	cm = gmm_covmodel_coded(get_u32(body[S_MIXT] + 4));
	if (cm == NULL)
		return gmm_error_set(err, name, 0,
		    "unknown covariance type %u", get_u32(body[S_MIXT] + 4));
	k = get_u64(body[S_MIXT] + 8);
	d = get_u64(body[S_MIXT] + 16);
	if (k < 1 || k > GMM_MAX_K || d < 1 || d > GMM_MAX_D)
		return gmm_error_set(err, name, 0,
		    "implausible sizes (k = %llu, d = %llu)",
		    (unsigned long long)k, (unsigned long long)d);
	/* k, d <= 1e5: no overflow in 64 bits */
	want[S_WGHT] = 8 * k;
	want[S_MEAN] = 8 * k * d;
	want[S_COVS] = 8 * gmm_cov_size(cm->type, (size_t)k, (size_t)d);
	want[S_TRAI] = TRAI_SIZE;
	want[S_CRIT] = CRIT_SIZE;
	want[S_PRIO] = PRIO_SIZE;
	want[S_RWGT] = RWGT_SIZE;
	want[S_LDQU] = LDQU_SIZE;
	want[S_NOIS] = NOIS_SIZE;
	want[S_TDOF] = TDOF_SIZE(k);
	for (int s = S_WGHT; s < S_N; s++)
		if (body[s] != NULL && s != S_COLS && s != S_CLAS &&
		    s != S_FACT && blen[s] != want[s])
			return gmm_error_set(err, name, 0, "section %s is %llu "
			    "bytes; k = %llu and d = %llu of %s need %zu",
			    tags[s], (unsigned long long)blen[s],
			    (unsigned long long)k, (unsigned long long)d,
			    cm->name, want[s]);
	if (body[S_TRAI] != NULL && ((get_u32(body[S_TRAI] +
	    GMM_MODEL_TRAINING_SIZE) & ~1u) != 0 || get_u32(body[S_TRAI] +
	    GMM_MODEL_TRAINING_SIZE + 4) != 0))
		return gmm_error_set(err, name, 0, "reserved fields of section "
		    "TRAI are set: not a model this gmm can read");
	if ((body[S_FACT] != NULL) != (cm->factor != 0))
		return gmm_error_set(err, name, 0, "%s %s section FACT",
		    cm->name, cm->factor ? "needs" : "has no");
	if (body[S_FACT] != NULL && (blen[S_FACT] < 8 || get_u64(body[S_FACT])
	    < 1 || get_u64(body[S_FACT]) >= d || blen[S_FACT] !=
	    FACT_SIZE(cm->type, k, d, get_u64(body[S_FACT]))))
		return gmm_error_set(err, name, 0, "section FACT does not hold "
		    "1 to d - 1 factors of k = %llu, d = %llu",
		    (unsigned long long)k, (unsigned long long)d);
	if ((body[S_TDOF] != NULL) != (fam->scaled != 0))
		return gmm_error_set(err, name, 0, "the %s family %s section "
		    "TDOF", fam->name, fam->scaled ? "needs" : "has no");
	if (body[S_TDOF] != NULL && ((get_u32(body[S_TDOF] + 8 * k) & ~1u) !=
	    0 || get_u32(body[S_TDOF] + 8 * k + 4) != 0))
		return gmm_error_set(err, name, 0, "reserved fields of section "
		    "TDOF are set: not a model this gmm can read");
	if ((body[S_CRIT] != NULL || body[S_PRIO] != NULL ||
	    body[S_RWGT] != NULL || body[S_LDQU] != NULL) &&
	    body[S_TRAI] == NULL)
		return gmm_error_set(err, name, 0, "section %s without "
		    "TRAI: about no fit", body[S_CRIT] ? "crit" :
		    body[S_PRIO] ? "prio" : body[S_RWGT] ? "rwgt" : "ldqu");
	if (body[S_RWGT] != NULL && !(get_f64(body[S_RWGT]) > 0 &&
	    isfinite(get_f64(body[S_RWGT]))))
		return gmm_error_set(err, name, 0, "section rwgt: the weights' "
		    "sum %g is not positive and finite",
		    get_f64(body[S_RWGT]));
	if (body[S_PRIO] != NULL && (get_u32(body[S_PRIO]) != 1 ||
	    get_u32(body[S_PRIO] + 4) != 0))
		return gmm_error_set(err, name, 0, "section prio names prior "
		    "%u: not one this gmm knows", get_u32(body[S_PRIO]));
	m = gmm_model_new((size_t)k, (size_t)d, cm->type);
	if (m == NULL)
		return gmm_error_nomem(err);
	m->family = fam;
	if (body[S_FACT] != NULL) {
		size_t q = (size_t)get_u64(body[S_FACT]), nl = k * d * q;

		if (gmm_model_set_factors(m, q) < 0) {
			gmm_model_free(m);
			return gmm_error_nomem(err);
		}
		for (size_t i = 0; i < nl; i++)
			m->loadings[i] = get_f64(body[S_FACT] + 8 + 8 * i);
		for (size_t i = 0; 8 + 8 * (nl + i) < blen[S_FACT]; i++)
			m->psi[i] = get_f64(body[S_FACT] + 8 + 8 * (nl + i));
	}
	for (size_t c = 0; body[S_TDOF] != NULL && c < k; c++)
		m->df[c] = get_f64(body[S_TDOF] + 8 * c);
	m->df_fixed = body[S_TDOF] != NULL && (get_u32(body[S_TDOF] + 8 * k)
	    & 1);
	if (body[S_NOIS] != NULL) {
		m->noise = 1;
		m->noise_vinv = get_f64(body[S_NOIS]);
		m->noise_weight = get_f64(body[S_NOIS] + 8);
	}
	if (body[S_TRAI] != NULL) {
		decode_training(body[S_TRAI], &m->training, 1);
		m->training.degenerate = get_u32(body[S_TRAI] +
		    GMM_MODEL_TRAINING_SIZE) & 1;
	}
	if (body[S_CRIT] != NULL) {
		m->training.has_icl = 1;
		m->training.icl = get_f64(body[S_CRIT]);
	}
	m->training.prior = body[S_PRIO] != NULL;
	m->training.weighted = body[S_RWGT] != NULL;
	m->training.weight_total = body[S_RWGT] != NULL ?
	    get_f64(body[S_RWGT]) : (double)m->training.n;
	m->training.has_ldq = body[S_LDQU] != NULL;
	for (size_t i = 0; body[S_LDQU] != NULL && i < GMM_LDQ_N; i++)
		m->training.ldq[i] = get_f64(body[S_LDQU] + 8 * i);
	if (body[S_CLAS] != NULL && decode_classes(m, body[S_CLAS],
	    (size_t)blen[S_CLAS], name, err) < 0) {
		gmm_model_free(m);
		return -1;
	}
	if (finish_model(m, body[S_WGHT], body[S_MEAN], body[S_COVS],
	    body[S_COLS], (size_t)blen[S_COLS], name, err) < 0) {
		gmm_model_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

static int
decode_binary(const unsigned char *buf, size_t len, const char *name,
    struct gmm_model **out, struct gmm_error *err)
{
	uint32_t version;

	if (len < 12)
		return gmm_error_set(err, name, 0,
		    "truncated model file (%zu bytes)", len);
	version = get_u32(buf + 8);
	if (version > GMM_MODEL_VERSION)
		return gmm_error_set(err, name, 0,
		    "model format version %u is newer than this gmm reads (%d)",
		    version, GMM_MODEL_VERSION);
	if (version == 0)
		return gmm_error_set(err, name, 0, "bad model format version 0");
	if (version == 1)
		return decode_v1(buf, len, name, out, err);
	return decode_v2(buf, len, name, out, err);
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
		/* the header's length bounds the read (version 1: its
		 * sizes); when it is bad, nothing more is read and decoding
		 * says what is wrong */
		uint32_t version = n >= 12 ? get_u32(buf + 8) : 0;
		uint32_t type = n >= GMM_MODEL_V1_HEADER_SIZE ?
		    get_u32(buf + 12) : UINT32_MAX;

		if (version == 1)
			max = gmm_covmodel_coded(type) == NULL ? 0 :
			    expected_length(gmm_covmodel_coded(type)->type,
			    get_u64(buf + 16), get_u64(buf + 24),
			    get_u64(buf + 32));
		else if (version == GMM_MODEL_VERSION &&
		    n >= GMM_MODEL_HEADER_SIZE &&
		    get_u64(buf + 16) <= SIZE_MAX - 1)
			max = (size_t)get_u64(buf + 16);
		else if (version == 0 || version > GMM_MODEL_VERSION)
			max = SIZE_MAX;	/* not read on: decoding says */
		else
			max = 0;
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
	ret = max == SIZE_MAX ? 0 : read_rest(fp, name, &buf, &cap, &n, max,
	    what, err);
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
