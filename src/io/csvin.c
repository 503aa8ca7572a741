#include "io/csvin.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "io/csvout.h"
#include "base/status.h"
#include "base/strtab.h"
#include "base/text.h"
#include "engine/pool.h"

/*
 * A field longer than this is not a number nor a column name: refusing it
 * keeps a hostile file from making libcsv or us allocate without bound.
 */
#define FIELD_MAX (1u << 20)
#define FIELDS_MAX (1u << 20)
#define READ_SIZE 65536

struct record {
	char *buf;		/* fields, each NUL-terminated */
	size_t len, cap;
	size_t *off;		/* start of each field in buf */
	size_t nf, offcap;
	size_t line;
	int blank;		/* a blank line kept (keep_blank): no field */
	size_t nul_col;		/* 1 + the first field holding a NUL, or 0 */
};

struct gmm_csvin {
	int fd;			/* -1 when closed */
	int read_failed;	/* errno of a failed read, 0 when none */
	int at_eof;		/* read() returned 0 */
	size_t bytes;		/* read so far */
	char *name;
	struct csv_parser p;
	struct gmm_csvin_options opt;
	unsigned char *rbuf;
	size_t read_size, rpos, rlen;
	int eof, started, in_comment, at_line_start, mid_record;
	int seen_record;	/* a record was queued: the leading block is over */
	int line_blank;		/* the current line so far holds no field */
	int line_clean;		/* split_plain_line() found no NUL in it */
	size_t line, rec_line;
	size_t nblank;		/* blank lines among the data */
	size_t slow_lines;	/* lines split_plain_line() left to libcsv
				 * (a quote, a long field, ...) */
	size_t blank_at[GMM_CSVIN_BLANK_LIST];	/* the first ones' lines */
	struct record cur, last;
	struct record *queue;
	size_t qhead, qcount, qcap;
	int cb_failed;
	int replay;		/* in->last is a data row not yet returned */
	struct gmm_error cb_err;
	size_t nfields;
	char **hdr;
	size_t *hash, hmask;	/* header names: 1 + index, 0 empty slot */
	int dup_names;		/* two header columns share a name */
	size_t *sel, nsel, selcap;
	char **na;		/* missing-value tokens (opt.na) */
	size_t nna;
	int has_wcol;		/* opt.weights named a column */
	size_t wcol;		/* its 0-based field index */
	int has_lcol;		/* opt.labels named a column */
	size_t lcol;		/* its 0-based field index */
	size_t grow_calls;	/* every buffer growth, libcsv's too (tests) */
	/* a rank's share (gmm_csvin_share()): bytes start .. limit of the
	 * file, line 1 being the file's line lines_before + 1 */
	int shared;
	size_t share_start, limit, lines_before;
};

enum number_status { NUM_OK, NUM_EMPTY, NUM_MISSING, NUM_NONFINITE,
	NUM_RANGE, NUM_SYNTAX };

static int
is_token(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcasecmp(s, *list) == 0)
			return 1;
	return 0;
}

/*
 * The fast paths of number parsing.  An ordinary decimal is read as an
 * integer m of at most 19 digits and a power of ten e.
 * - Clinger's: when m fits in 2^53 and |e| <= 22, m and 10^e are exact
 *   doubles, so one correctly rounded operation gives what strtod() gives.
 * - With x86's 64-bit long double, m and 10^e (|e| <= 27) are exact long
 *   doubles: one operation puts the value within half a long-double unit;
 *   rounding that to double is then correct unless the 11 bits the double
 *   drops sit within one unit of the halfway point, where strtod() decides.
 * Returns 0 when a fast path applies; otherwise the general path decides.
 */
static int
long_double_path(uint64_t m, int e, double *v)
{
#if LDBL_MANT_DIG == 64
	static const long double p10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L,
		1e6L, 1e7L, 1e8L, 1e9L, 1e10L, 1e11L, 1e12L, 1e13L, 1e14L,
		1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L,
		1e24L, 1e25L, 1e26L, 1e27L };
	long double q;
	uint64_t mant;
	unsigned low;

	if (!gmm_long_double_is_wide() || e < -27 || e > 27)
		return -1;
	q = e < 0 ? (long double)m / p10[-e] : (long double)m * p10[e];
	memcpy(&mant, &q, sizeof(mant));	/* the 64-bit significand */
	low = (unsigned)(mant & 0x7ff);
	if (low >= 0x3ff && low <= 0x401)
		return -1;	/* too near halfway between two doubles */
	*v = (double)q;
	return 0;
#else
	(void)m;
	(void)e;
	(void)v;
	return -1;
#endif
}

/*
 * The value of the eight bytes at p read as decimal digits, or -1 when one
 * of them is not a digit: all eight at once in a 64-bit word (the bytes
 * minus '0' combined pairwise, then in fours, by multiplication).
 */
static int64_t
eight_digits(const char *p)
{
	const uint64_t high = 0xf0f0f0f0f0f0f0f0, low = 0x000000ff000000ff;
	uint64_t x;

	memcpy(&x, p, sizeof(x));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	/* each byte 0x30..0x39: high nibble 3, and still 3 after adding 6 */
	if (((x & high) | (((x + 0x0606060606060606) & high) >> 4)) !=
	    0x3333333333333333)
		return -1;
	x -= 0x3030303030303030;
	x = x * 10 + (x >> 8);		/* 2-digit values in bytes 0, 2, .. */
	x = ((x & low) * (100 + (1000000ULL << 32)) +
	    ((x >> 16) & low) * (1 + (10000ULL << 32))) >> 32;
	return (int64_t)(uint32_t)x;
}

/*
 * The common decimals s[0..len) exactly: up to 19 significant digits in
 * an integer m and a power of ten e, then one correctly rounded operation
 * when m and 10^|e| are exact doubles (Clinger), else the long double
 * path.  -1 sends anything else to strtod.
 */
static int
fast_number(const char *s, size_t len, double *v)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
		1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
		1e18, 1e19, 1e20, 1e21, 1e22 };
	const char *p = s, *end = s + len;
	uint64_t m = 0;
	int neg = 0, digits = 0, e = 0, any = 0, dot = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end; p++) {
		int64_t eight;

		if (*p == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (*p < '0' || *p > '9')
			break;
		any = 1;
		if (digits > 0 && digits <= 11 && end - p >= 8 &&
		    (eight = eight_digits(p)) >= 0) {
			m = m * 100000000 + (uint64_t)eight;
			digits += 8;
			e -= 8 * dot;
			p += 7;
			continue;
		}
		if (digits > 0 || *p != '0')
			digits++;
		if (digits > 19)
			return -1;
		m = m * 10 + (uint64_t)(*p - '0');
		e -= dot;
	}
	if (!any)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg, x = 0, n = 0;

		p++;
		eneg = p < end && *p == '-';
		p += p < end && (*p == '+' || *p == '-');
		for (; p < end && *p >= '0' && *p <= '9' && n < 4; p++, n++)
			x = x * 10 + (*p - '0');
		if (n == 0 || n == 4)
			return -1;
		e += eneg ? -x : x;
	}
	if (p != end)
		return -1;
	if (m <= ((uint64_t)1 << 53) && e >= -22 && e <= 22)
		*v = e < 0 ? (double)m / p10[-e] : (double)m * p10[e];
	else if (long_double_path(m, e, v) < 0)
		return -1;
	if (neg)
		*v = -*v;
	return 0;
}

/* s: a C string whose first len bytes are its text (len = strlen(s)
 * unless the field held a NUL byte, where the text is taken to end). */
static enum number_status
classify(const char *s, size_t len, double *v)
{
	static const char *const missing[] = { "na", "n/a", "null", "none",
		NULL };
	static const char *const nonfinite[] = { "nan", "inf", "infinity",
		NULL };
	const char *p = s;
	int digits = 0;
	char *end;

	if (*s == '\0')
		return NUM_EMPTY;
	if (fast_number(s, len, v) == 0)
		return NUM_OK;
	if (isalpha((unsigned char)*s) && is_token(s, missing))
		return NUM_MISSING;
	if (isalpha((unsigned char)s[*s == '+' || *s == '-']) &&
	    is_token(s + (*s == '+' || *s == '-'), nonfinite))
		return NUM_NONFINITE;
	p += *p == '+' || *p == '-';
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (digits == 0)
		return NUM_SYNTAX;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '+' || *p == '-';
		if (!isdigit((unsigned char)*p))
			return NUM_SYNTAX;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != '\0')
		return NUM_SYNTAX;
	errno = 0;
	*v = strtod(s, &end);
	if (!isfinite(*v))
		return NUM_RANGE;
	return NUM_OK;
}

static int
parse_number(const char *s, size_t len, double *v, const char **why)
{
	static const char *const reasons[] = { "", "empty field",
		"is a missing value", "is not a finite number",
		"is out of range", "is not a number" };
	enum number_status st = classify(s, len, v);

	*why = reasons[st];
	return st == NUM_OK ? 0 : -1;
}

int
gmm_csvin_parse_number(const char *s, double *v, const char **why)
{
	return parse_number(s, strlen(s), v, why);
}

/* With tab-separated input, only the space is padding around a field. */
static int
is_blank(unsigned char c)
{
	return c == ' ';
}

/*
 * Every buffer of the reader grows through grow(), which counts the calls
 * (gmm_csvin_grow_calls()) so that a test can hold each growth to
 * geometric: a long field or line must cost O(log n) reallocations, not
 * O(n), since allocators other than glibc's (musl, jemalloc, ASan) copy
 * the block on every realloc() and make linear growth quadratic.
 */
static void *
grow(struct gmm_csvin *in, void *p, size_t size)
{
	in->grow_calls++;
	return realloc(p, size);
}

/*
 * The reader whose parser libcsv is running on this thread: its realloc
 * hook takes no context, so feed() and read_more() name the reader here.
 */
static _Thread_local struct gmm_csvin *parsing;

/*
 * libcsv's realloc hook.  libcsv grows its field buffer by a fixed block
 * (csv_set_blk_size(), 128 bytes by default) at every call; setting the
 * block to the size just reached makes the next call double it.  Above
 * FIELD_MAX the call fails, so a field has a bound (libcsv halves its
 * request down to nothing and reports CSV_ENOMEM: parse_failed()).
 */
static void *
libcsv_realloc(void *p, size_t size)
{
	struct gmm_csvin *in = parsing;
	void *q;

	if (size > FIELD_MAX + 64)
		return NULL;
	if (in == NULL)
		return realloc(p, size);
	q = grow(in, p, size);
	if (q != NULL)
		csv_set_blk_size(&in->p, size);
	return q;
}

static int
record_push_field(struct gmm_csvin *in, struct record *r, const char *s,
    size_t len)
{
	if (r->nf == r->offcap) {
		size_t ncap = r->offcap ? 2 * r->offcap : 16;
		size_t *o = grow(in, r->off, ncap * sizeof(size_t));

		if (o == NULL)
			return -1;
		r->off = o;
		r->offcap = ncap;
	}
	if (r->len + len + 1 > r->cap) {
		size_t ncap = r->cap ? r->cap : 256;
		char *b;

		while (ncap < r->len + len + 1)
			ncap *= 2;
		b = grow(in, r->buf, ncap);
		if (b == NULL)
			return -1;
		r->buf = b;
		r->cap = ncap;
	}
	r->off[r->nf++] = r->len;
	memcpy(r->buf + r->len, s, len);
	r->buf[r->len + len] = '\0';
	r->len += len + 1;
	return 0;
}

static void
record_release(struct record *r)
{
	free(r->buf);
	free(r->off);
}

static void
on_field(void *s, size_t len, void *data)
{
	struct gmm_csvin *in = data;

	if (in->cb_failed)
		return;
	if (in->cur.nf >= FIELDS_MAX) {
		in->cb_failed = 1;
		gmm_error_set(&in->cb_err, in->name, in->rec_line,
		    "more than %u fields", FIELDS_MAX);
		return;
	}
	if (s != NULL && in->cur.nul_col == 0 && !in->line_clean &&
	    memchr(s, '\0', len) != NULL)
		in->cur.nul_col = in->cur.nf + 1;
	if (record_push_field(in, &in->cur, s ? s : "", s ? len : 0) < 0) {
		in->cb_failed = 1;
		gmm_error_nomem(&in->cb_err);
	}
}

static void
on_record(int c, void *data)
{
	struct gmm_csvin *in = data;
	struct record tmp;

	(void)c;
	in->mid_record = 0;
	if (in->cb_failed)
		return;
	if (in->qhead + in->qcount == in->qcap) {
		size_t ncap = in->qcap ? 2 * in->qcap : 4;
		struct record *q;

		if (in->qhead > 0) {
			/* slide down, keeping the spare buffers at the end */
			for (size_t i = 0; i < in->qcount; i++) {
				tmp = in->queue[i];
				in->queue[i] = in->queue[in->qhead + i];
				in->queue[in->qhead + i] = tmp;
			}
			in->qhead = 0;
		} else {
			q = grow(in, in->queue, ncap * sizeof(*q));
			if (q == NULL) {
				in->cb_failed = 1;
				gmm_error_nomem(&in->cb_err);
				return;
			}
			memset(q + in->qcap, 0,
			    (ncap - in->qcap) * sizeof(*q));
			in->queue = q;
			in->qcap = ncap;
		}
	}
	in->seen_record = 1;
	in->cur.line = in->rec_line;
	/* a record that begins later in this line (after a lone CR) begins
	 * on it; feed_segment() moves this on for one on a later line */
	in->rec_line = in->line;
	tmp = in->queue[in->qhead + in->qcount];
	in->queue[in->qhead + in->qcount] = in->cur;
	in->cur = tmp;
	in->cur.len = 0;
	in->cur.nf = 0;
	in->cur.blank = 0;
	in->cur.nul_col = 0;
	in->qcount++;
}

static int
parse_failed(struct gmm_csvin *in, struct gmm_error *err)
{
	int e = csv_error(&in->p);

	if (in->cb_failed) {
		*err = in->cb_err;
		return -1;
	}
	if (e == CSV_ENOMEM)
		return gmm_error_set(err, in->name, in->line,
		    "field longer than %u bytes", FIELD_MAX);
	return gmm_error_set(err, in->name, in->line,
	    "malformed quoted field");
}

static int
feed(struct gmm_csvin *in, const unsigned char *s, size_t len,
    struct gmm_error *err)
{
	size_t done;

	parsing = in;
	done = csv_parse(&in->p, s, len, on_field, on_record, in);
	parsing = NULL;
	if (done != len || in->cb_failed)
		return parse_failed(in, err);
	return 0;
}

/* read(2), not stdio: what is not yet parsed is then all in rbuf. */
static size_t
read_some(struct gmm_csvin *in, unsigned char *buf, size_t want)
{
	ssize_t got;

	if (in->at_eof || in->read_failed)
		return 0;
	if (in->shared && in->limit - in->bytes < want)
		want = in->limit - in->bytes;	/* the share ends there */
	if (want == 0) {
		in->at_eof = 1;
		return 0;
	}
	do
		got = read(in->fd, buf, want);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		in->read_failed = errno;
	else if (got == 0)
		in->at_eof = 1;
	else
		in->bytes += (size_t)got;
	return got > 0 ? (size_t)got : 0;
}

static int
read_more(struct gmm_csvin *in, struct gmm_error *err)
{
	int fini;

	in->rpos = 0;
	in->rlen = read_some(in, in->rbuf, in->read_size);
	if (in->rlen > 0)
		return 0;
	if (in->read_failed)
		return gmm_error_set(err, in->name, 0, "read error: %s",
		    strerror(in->read_failed));
	in->eof = 1;
	parsing = in;
	fini = csv_fini(&in->p, on_field, on_record, in);
	parsing = NULL;
	if (fini != 0 && !in->cb_failed)
		return gmm_error_set(err, in->name, in->rec_line,
		    "unterminated quoted field");
	if (in->cb_failed)
		return parse_failed(in, err);
	return 0;
}

/* Skip a UTF-8 byte order mark at the very start of the input. */
static void
skip_bom(struct gmm_csvin *in)
{
	static const unsigned char bom[3] = { 0xef, 0xbb, 0xbf };

	in->started = 1;
	while (in->rlen < 3) {
		size_t got = read_some(in, in->rbuf + in->rlen, 3 - in->rlen);

		if (got == 0)
			break;
		in->rlen += got;
	}
	if (in->rlen >= 3 && memcmp(in->rbuf, bom, 3) == 0)
		in->rpos = 3;
}

/* What libcsv takes for padding around an unquoted field. */
static int
is_pad(const struct gmm_csvin *in, unsigned char c)
{
	if (c == in->opt.delim)
		return 0;
	return c == ' ' || (c == '\t' && in->opt.delim != '\t');
}

/*
 * libcsv is between records: no field begun, nothing buffered.  Its state
 * is public in struct csv_parser, 0 being its ROW_NOT_BEGUN.  mid_record
 * alone would not tell: a carriage return ends a record inside a line,
 * and a quoted field may begin after it and run on past the newline.
 */
static int
libcsv_idle(const struct gmm_csvin *in)
{
	return !in->mid_record && in->p.pstate == 0 && in->p.entry_pos == 0;
}

/* 1 when s[0..len) holds a byte where libcsv begins a record: neither
 * padding nor a line end. */
static int
begins_record(const struct gmm_csvin *in, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!is_pad(in, s[i]) && s[i] != '\r' && s[i] != '\n')
			return 1;
	return 0;
}

/*
 * A whole line s[0..len) (its newline left out) that starts a record: when
 * it holds no quote, no carriage return but a last one, and a byte that
 * begins a record (begins_record()), split it here, calling on_field() and
 * on_record() just as libcsv would (each field without its padding), and
 * return 1; else return 0 and let libcsv have it.  Most lines of a numeric
 * file take this path, which does not copy bytes one at a time.
 */
static int
split_plain_line(struct gmm_csvin *in, const unsigned char *s, size_t len)
{
	const unsigned char *p = s, *end;

	if (in->opt.libcsv_only || len > FIELD_MAX) {
		in->slow_lines++;
		return 0;
	}
	len -= len > 0 && s[len - 1] == '\r';
	end = s + len;
	if (memchr(s, '"', len) != NULL || memchr(s, '\r', len) != NULL ||
	    !begins_record(in, s, len)) {
		in->slow_lines++;
		return 0;
	}
	in->rec_line = in->line;
	/* one scan of the line for a NUL spares on_field() one per field */
	in->line_clean = memchr(s, '\0', len) == NULL;
	for (;;) {
		const unsigned char *q, *f;

		while (p < end && is_pad(in, *p))
			p++;
		q = p < end ? memchr(p, in->opt.delim, (size_t)(end - p))
		    : NULL;
		f = q ? q : end;
		while (f > p && is_pad(in, f[-1]))
			f--;
		on_field((void *)p, (size_t)(f - p), in);
		if (q == NULL)
			break;
		p = q + 1;
	}
	in->line_clean = 0;
	on_record('\n', in);
	return 1;
}

/* A line that starts with c (outside a quoted field) is a comment. */
static int
is_comment(const struct gmm_csvin *in, unsigned char c)
{
	return (c == '#' && !in->seen_record) ||
	    (in->opt.comment != 0 && c == in->opt.comment);
}

/*
 * A blank line (nothing but padding) after the first record, on line
 * in->line.  In a one-column input it is a record of one empty field, a
 * missing value, reported as such.  Otherwise it is counted, and queued as
 * a blank record when the caller keeps blank lines (keep_blank).  Blank
 * lines of the leading block, before the first record, are skipped.
 */
static void
blank_line(struct gmm_csvin *in)
{
	if (!in->seen_record)
		return;
	if (in->nfields == 1) {
		in->rec_line = in->line;
		on_field((void *)"", 0, in);
		on_record('\n', in);
		return;
	}
	if (in->nblank < GMM_CSVIN_BLANK_LIST)
		in->blank_at[in->nblank] = in->line;
	in->nblank++;
	if (in->opt.keep_blank) {
		in->rec_line = in->line;
		on_record('\n', in);
		in->queue[in->qhead + in->qcount - 1].blank = 1;
	}
}

/* Feed the rest of the current line (or of the buffer). */
static int
feed_segment(struct gmm_csvin *in, struct gmm_error *err)
{
	unsigned char *s = in->rbuf + in->rpos;
	size_t avail = in->rlen - in->rpos;
	unsigned char *nl = memchr(s, '\n', avail);
	size_t len = nl ? (size_t)(nl - s) + 1 : avail;

	if (in->at_line_start)
		in->line_blank = libcsv_idle(in);
	if (in->in_comment || (in->at_line_start && !in->mid_record &&
	    is_comment(in, s[0]))) {
		in->in_comment = nl == NULL;
		in->line_blank = 0;
	} else if (nl != NULL && in->at_line_start && libcsv_idle(in) &&
	    split_plain_line(in, s, len - 1)) {
		in->line_blank = 0;
		if (in->cb_failed)
			return parse_failed(in, err);
	} else {
		int begins = begins_record(in, s, len);

		if (libcsv_idle(in) && begins) {
			in->mid_record = 1;
			in->rec_line = in->line;
		}
		if (begins)
			in->line_blank = 0;
		if (feed(in, s, len, err) < 0)
			return -1;
		if (nl != NULL && in->line_blank && libcsv_idle(in)) {
			blank_line(in);
			if (in->cb_failed)
				return parse_failed(in, err);
		}
	}
	in->rpos += len;
	in->at_line_start = nl != NULL;
	in->line += nl != NULL;
	return 0;
}

/* Parse until a record is queued or the input ends. */
static int
fill(struct gmm_csvin *in, struct gmm_error *err)
{
	while (in->qcount == 0 && !in->eof) {
		if (in->rpos == in->rlen) {
			if (read_more(in, err) < 0)
				return -1;
			if (!in->started && in->rlen > 0)
				skip_bom(in);
			continue;
		}
		if (feed_segment(in, err) < 0)
			return -1;
	}
	return 0;
}

/* Move the next queued record into in->last; 0 when there is none. */
static int
next_record(struct gmm_csvin *in, struct gmm_error *err)
{
	struct record tmp;

	if (in->replay) {
		in->replay = 0;
		return 1;
	}
	if (fill(in, err) < 0)
		return -1;
	if (in->qcount == 0)
		return 0;
	tmp = in->last;
	in->last = in->queue[in->qhead];
	in->queue[in->qhead] = tmp;
	in->qhead++;
	in->qcount--;
	if (in->qcount == 0)
		in->qhead = 0;
	return 1;
}

static const char *
field(const struct record *r, size_t j)
{
	return r->buf + r->off[j];
}

/* Bytes in field j, its NUL left out. */
static size_t
field_len(const struct record *r, size_t j)
{
	return (j + 1 < r->nf ? r->off[j + 1] : r->len) - r->off[j] - 1;
}

/* 1 when s is one of the missing-value tokens (opt.na). */
static int
is_na(const struct gmm_csvin *in, const char *s)
{
	for (size_t i = 0; i < in->nna; i++)
		if (strcasecmp(s, in->na[i]) == 0)
			return 1;
	return 0;
}

/* The missing-value tokens: opt.na split at commas (empty items left
 * out: an empty field is always missing), or NA and NaN.  -1 when out of
 * memory. */
static int
na_tokens(struct gmm_csvin *in)
{
	const char *list = in->opt.na != NULL ? in->opt.na : "NA,NaN";
	size_t n = 1;

	for (const char *p = list; *p != '\0'; p++)
		n += *p == ',';
	in->na = calloc(n, sizeof(char *));
	if (in->na == NULL)
		return -1;
	for (const char *p = list;;) {
		size_t len = strcspn(p, ",");

		if (len > 0 && (in->na[in->nna++] = strndup(p, len)) == NULL)
			return -1;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	return 0;
}

static int
looks_like_header(const struct gmm_csvin *in, const struct record *r)
{
	for (size_t j = 0; j < r->nf; j++) {
		double v;

		if (classify(field(r, j), field_len(r, j), &v) == NUM_SYNTAX &&
		    !is_na(in, field(r, j)))
			return 1;
	}
	return 0;
}

/* Room for n selected columns. */
static int
reserve_sel(struct gmm_csvin *in, size_t n)
{
	size_t *s;

	if (n <= in->selcap)
		return 0;
	s = grow(in, in->sel, n * sizeof(size_t));
	if (s == NULL)
		return -1;
	in->sel = s;
	in->selcap = n;
	return 0;
}

static int
add_sel(struct gmm_csvin *in, size_t idx)
{
	if (in->nsel == in->selcap &&
	    reserve_sel(in, in->selcap ? 2 * in->selcap : 16) < 0)
		return -1;
	in->sel[in->nsel++] = idx;
	return 0;
}

/* FNV-1a: header names go into an open-addressed table. */
static size_t
name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return (size_t)h;
}

/*
 * The slot of name in the header table: the one holding it, or the empty
 * one where it would go.
 */
static size_t
name_slot(const struct gmm_csvin *in, const char *name)
{
	size_t i = name_hash(name) & in->hmask;

	while (in->hash[i] != 0 && strcmp(in->hdr[in->hash[i] - 1], name))
		i = (i + 1) & in->hmask;
	return i;
}

/* Header column called name: 0 and *idx, -1 when there is none. */
static int
header_index(const struct gmm_csvin *in, const char *name, size_t *idx)
{
	size_t i;

	if (in->hdr == NULL)
		return -1;
	i = name_slot(in, name);
	if (in->hash[i] == 0)
		return -1;
	*idx = in->hash[i] - 1;
	return 0;
}

/*
 * The first column after column idx with the same name, or 0: a name
 * that two columns share selects neither.
 */
static size_t
same_name_after(const struct gmm_csvin *in, size_t idx)
{
	for (size_t j = idx + 1; j < in->nfields; j++)
		if (strcmp(in->hdr[j], in->hdr[idx]) == 0)
			return j + 1;
	return 0;
}

static const char *delimiter_hint(const struct gmm_csvin *in,
    const char *s);

/*
 * After "no column named ...": "; did you mean "x"? (columns: a, b, ...)",
 * the closest header name and the first ones, into buf; or, for a header
 * of one name holding another delimiter, that delimiter.
 */
static void
column_hint(const struct gmm_csvin *in, const char *name, char *buf,
    size_t size)
{
	const char *hint = NULL;
	size_t len = 0, shown = in->nfields < 10 ? in->nfields : 10;

	buf[0] = '\0';
	if (*delimiter_hint(in, in->hdr[0]) != '\0') {
		snprintf(buf, size, "%s", delimiter_hint(in, in->hdr[0]));
		return;
	}
	if (in->nfields <= 4096)
		hint = gmm_text_closest(name, (const char *const *)in->hdr,
		    in->nfields);
	if (hint != NULL)
		len = (size_t)snprintf(buf, size, "; did you mean \"%.80s\"?",
		    hint);
	for (size_t j = 0; j < shown && len < size; j++)
		len += (size_t)snprintf(buf + len, size - len, "%s%.40s",
		    j ? ", " : " (columns: ", in->hdr[j]);
	if (len < size)
		snprintf(buf + len, size - len, "%s)",
		    in->nfields > shown ? ", ..." : "");
}

/* Select the header column called name, refusing an ambiguous name. */
static int
select_name(struct gmm_csvin *in, const char *name, const char *what,
    struct gmm_error *err)
{
	size_t idx, other;

	if (header_index(in, name, &idx) < 0) {
		char hint[300];

		column_hint(in, name, hint, sizeof(hint));
		return gmm_error_set(err, in->name, 0, "%s%s", what, hint);
	}
	if (in->dup_names && (other = same_name_after(in, idx)) != 0)
		return gmm_error_set(err, in->name, 0, "columns %zu and %zu are "
		    "both named \"%s\"; select one by index with -c", idx + 1,
		    other, name);
	if (add_sel(in, idx) < 0)
		return gmm_error_nomem(err);
	return 0;
}

/* "5" or "2-5": 1 and the range set, 0 when item is not numeric. */
static int
parse_range(const char *item, size_t *lo, size_t *hi)
{
	char *end;
	unsigned long a, b;

	if (!isdigit((unsigned char)item[0]))
		return 0;
	a = strtoul(item, &end, 10);
	b = a;
	if (*end == '-' && isdigit((unsigned char)end[1]))
		b = strtoul(end + 1, &end, 10);
	if (*end != '\0')
		return 0;
	*lo = a;
	*hi = b;
	return 1;
}

static int
select_item(struct gmm_csvin *in, const char *item, struct gmm_error *err)
{
	size_t lo, hi;
	char what[300];

	if (parse_range(item, &lo, &hi)) {
		if (lo < 1 || hi < lo || hi > in->nfields)
			return gmm_error_set(err, in->name, 0,
			    "column %s is out of range (the input has %zu)",
			    item, in->nfields);
		for (size_t j = lo; j <= hi; j++)
			if (add_sel(in, j - 1) < 0)
				return gmm_error_nomem(err);
		return 0;
	}
	if (in->hdr == NULL)
		return gmm_error_set(err, in->name, 0,
		    "column \"%s\" is named but the input has no header", item);
	snprintf(what, sizeof(what), "no column named \"%.200s\" in the "
	    "header", item);
	return select_name(in, item, what, err);
}

static int
select_columns(struct gmm_csvin *in, const char *list, struct gmm_error *err)
{
	char *copy, *item, *save = NULL;
	int ret = 0;

	in->nsel = 0;
	if (list == NULL) {
		if (reserve_sel(in, in->nfields) < 0)
			return gmm_error_nomem(err);
		for (size_t j = 0; j < in->nfields; j++)
			if (add_sel(in, j) < 0)
				return gmm_error_nomem(err);
		return 0;
	}
	copy = strdup(list);
	if (copy == NULL)
		return gmm_error_nomem(err);
	for (item = strtok_r(copy, ",", &save); item != NULL && ret == 0;
	    item = strtok_r(NULL, ",", &save))
		ret = select_item(in, item, err);
	free(copy);
	if (ret == 0 && in->nsel == 0)
		ret = gmm_error_set(err, NULL, 0, "empty column list");
	return ret;
}

/* A field holding a NUL byte is an error, never a truncated value. */
static int
nul_error(const struct gmm_csvin *in, const struct record *r,
    struct gmm_error *err)
{
	return gmm_error_set(err, in->name, r->line,
	    "column %zu: a NUL byte in the field", r->nul_col);
}

static int
take_header(struct gmm_csvin *in, struct gmm_error *err)
{
	size_t size = 16;

	if (in->last.nul_col != 0)
		return nul_error(in, &in->last, err);
	while (size < 2 * in->nfields)
		size *= 2;
	in->hdr = calloc(in->nfields, sizeof(char *));
	in->hash = calloc(size, sizeof(size_t));
	if (in->hdr == NULL || in->hash == NULL)
		return gmm_error_nomem(err);
	in->hmask = size - 1;
	for (size_t j = 0; j < in->nfields; j++) {
		size_t i;

		in->hdr[j] = strdup(field(&in->last, j));
		if (in->hdr[j] == NULL)
			return gmm_error_nomem(err);
		i = name_slot(in, in->hdr[j]);
		if (in->hash[i] == 0)
			in->hash[i] = j + 1;	/* the first of a name */
		else
			in->dup_names = 1;
	}
	return 0;
}

/*
 * Selected columns become a model's columns, which need distinct names:
 * two selected header columns of one name are refused.
 */
int
gmm_csvin_has_column(const struct gmm_csvin *in, const char *name)
{
	size_t idx;

	return header_index(in, name, &idx) == 0;
}

int
gmm_csvin_check_names(const struct gmm_csvin *in, struct gmm_error *err)
{
	size_t *seen;	/* by the first column of each name: 1 + sel */
	int ret = 0;

	for (size_t a = 0; in->hdr != NULL && a < in->nsel; a++) {
		const char *name = in->hdr[in->sel[a]];

		if (!gmm_text_utf8(name, strlen(name)))
			return gmm_error_set(err, in->name, 0, "column %zu: "
			    "the header name \"%.80s\" is not valid UTF-8 "
			    "(a model's names are text; recode the file, or "
			    "use --no-header)", in->sel[a] + 1, name);
	}
	if (in->hdr == NULL || !in->dup_names)
		return 0;
	seen = calloc(in->nfields, sizeof(size_t));
	if (seen == NULL)
		return gmm_error_nomem(err);
	for (size_t a = 0; a < in->nsel && ret == 0; a++) {
		const char *name = in->hdr[in->sel[a]];
		size_t first = in->hash[name_slot(in, name)] - 1;

		if (seen[first] != 0)
			ret = gmm_error_set(err, in->name, 0, "columns %zu and "
			    "%zu are both named \"%s\"; a model's columns need "
			    "distinct names (rename one, or leave one out with "
			    "-c)", in->sel[seen[first] - 1] + 1,
			    in->sel[a] + 1, name);
		seen[first] = a + 1;
	}
	free(seen);
	return ret;
}

/* A column that is not data (--weights, --label-column: one index or
 * header name, list) into *col. */
static int
select_aside(struct gmm_csvin *in, const char *list, const char *opt,
    size_t *col, struct gmm_error *err)
{
	size_t *idx = NULL, n = 0;

	if (gmm_csvin_column_list(in, list, &idx, &n, err) < 0)
		return -1;
	if (n != 1) {
		free(idx);
		return gmm_error_set(err, in->name, 0, "%s takes one "
		    "column, not %zu", opt, n);
	}
	*col = idx[0];
	free(idx);
	return 0;
}

/* Column c, which holds what `what` says, out of the data columns: left
 * out of "all columns", refused in a -c list. */
static int
set_aside(struct gmm_csvin *in, size_t c, const char *what,
    struct gmm_error *err)
{
	for (size_t j = 0; j < in->nsel; j++) {
		if (in->sel[j] != c)
			continue;
		if (in->opt.columns != NULL)
			return gmm_error_set(err, in->name, 0, "column %zu is "
			    "both the %s and a data column (-c)", c + 1, what);
		memmove(in->sel + j, in->sel + j + 1,
		    (in->nsel - j - 1) * sizeof(*in->sel));
		in->nsel--;
		break;
	}
	if (in->nsel == 0)
		return gmm_error_set(err, in->name, 0, "no data column is "
		    "left beside the %s column %zu", what, c + 1);
	return 0;
}

/* Decide the header from the first record and select the columns. */
static int
start(struct gmm_csvin *in, struct gmm_error *err)
{
	int r = next_record(in, err);

	if (r < 0)
		return -1;
	if (r == 0)
		return gmm_error_set(err, in->name, 0, "no data rows");
	in->nfields = in->last.nf;
	if (in->opt.header == 1 ||
	    (in->opt.header < 0 && looks_like_header(in, &in->last))) {
		if (take_header(in, err) < 0)
			return -1;
		if (fill(in, err) < 0)
			return -1;
		if (in->qcount == 0)
			return gmm_error_set(err, in->name, 0, "no data rows");
	} else {
		in->replay = 1;	/* the first record is data */
	}
	if (in->opt.weights != NULL && select_aside(in, in->opt.weights,
	    "--weights", &in->wcol, err) < 0)
		return -1;
	in->has_wcol = in->opt.weights != NULL;
	if (in->opt.labels != NULL && select_aside(in, in->opt.labels,
	    "--label-column", &in->lcol, err) < 0)
		return -1;
	in->has_lcol = in->opt.labels != NULL;
	if (in->has_wcol && in->has_lcol && in->wcol == in->lcol)
		return gmm_error_set(err, in->name, 0, "column %zu is both the "
		    "weights (--weights) and the labels (--label-column)",
		    in->wcol + 1);
	if (select_columns(in, in->opt.columns, err) < 0)
		return -1;
	if (in->has_wcol && set_aside(in, in->wcol, "weights (--weights)",
	    err) < 0)
		return -1;
	if (in->has_lcol && set_aside(in, in->lcol, "labels (--label-column)",
	    err) < 0)
		return -1;
	return 0;
}

static int
is_directory(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * A model file given where CSV belongs (`gmm score data.csv m.gmm`) is
 * named as such from the first bytes read, never parsed into a message
 * full of binary: the binary magic number, or JSON that holds a model's
 * keys.
 */
static int
refuse_model(struct gmm_csvin *in, struct gmm_error *err)
{
	const unsigned char *p;
	size_t n, i = 0;

	if (read_more(in, err) < 0)
		return -1;
	if (in->rlen > 0)
		skip_bom(in);
	p = in->rbuf + in->rpos;
	n = in->rlen - in->rpos;
	if (n >= 8 && memcmp(p, "\x89GMM\r\n\x1a\n", 8) == 0)
		return gmm_error_set(err, in->name, 0, "is a gmm model file, "
		    "not CSV data");
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' ||
	    p[i] == '\n'))
		i++;
	if (i < n && p[i] == '{' && (memmem(p, n, "\"covariance_type\"", 17)
	    != NULL || memmem(p, n, "\"gmm-model\"", 11) != NULL))
		return gmm_error_set(err, in->name, 0, "is a JSON gmm model, "
		    "not CSV data");
	return 0;
}

struct gmm_csvin *
gmm_csvin_open(const char *path, const struct gmm_csvin_options *opt,
    struct gmm_error *err)
{
	struct gmm_csvin *in = calloc(1, sizeof(*in));
	int is_stdin = strcmp(path, "-") == 0;

	if (in == NULL) {
		gmm_error_nomem(err);
		return NULL;
	}
	in->fd = -1;
	in->opt = *opt;
	in->line = 1;
	in->at_line_start = 1;
	in->name = strdup(is_stdin ? "<stdin>" : path);
	in->read_size = opt->read_size ? opt->read_size : READ_SIZE;
	in->rbuf = malloc(in->read_size > 3 ? in->read_size : 3);
	if (in->name == NULL || in->rbuf == NULL || na_tokens(in) < 0 ||
	    csv_init(&in->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		gmm_error_nomem(err);
		for (size_t i = 0; i < in->nna; i++)
			free(in->na[i]);
		free(in->na);
		free(in->name);
		free(in->rbuf);
		free(in);
		return NULL;
	}
	csv_set_realloc_func(&in->p, libcsv_realloc);
	csv_set_delim(&in->p, opt->delim);
	if (opt->delim == '\t')
		csv_set_space_func(&in->p, is_blank);
	in->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
	if (in->fd < 0 || is_directory(in->fd)) {
		if (in->fd >= 0)
			errno = EISDIR;
		gmm_error_set(err, path, 0, "%s", strerror(errno));
		gmm_csvin_close(in);
		return NULL;
	}
	if (refuse_model(in, err) < 0 || start(in, err) < 0) {
		gmm_csvin_close(in);
		return NULL;
	}
	return in;
}

void
gmm_csvin_close(struct gmm_csvin *in)
{
	if (in == NULL)
		return;
	if (in->fd > STDIN_FILENO)
		close(in->fd);
	csv_free(&in->p);
	record_release(&in->cur);
	record_release(&in->last);
	for (size_t i = 0; i < in->qcap; i++)
		record_release(&in->queue[i]);
	free(in->queue);
	if (in->hdr != NULL)
		for (size_t j = 0; j < in->nfields; j++)
			free(in->hdr[j]);
	free(in->hdr);
	free(in->hash);
	free(in->sel);
	free(in->rbuf);
	free(in->name);
	for (size_t i = 0; i < in->nna; i++)
		free(in->na[i]);
	free(in->na);
	free(in);
}

const char *
gmm_csvin_name(const struct gmm_csvin *in)
{
	return in->name;
}

int
gmm_csvin_has_header(const struct gmm_csvin *in)
{
	return in->hdr != NULL;
}

size_t
gmm_csvin_ncols(const struct gmm_csvin *in)
{
	return in->nsel;
}

size_t
gmm_csvin_colindex(const struct gmm_csvin *in, size_t j)
{
	return in->sel[j] + 1;
}

const char *
gmm_csvin_colname(const struct gmm_csvin *in, size_t j)
{
	return in->hdr ? in->hdr[in->sel[j]] : NULL;
}

int
gmm_csvin_match(struct gmm_csvin *in, char *const *names, size_t d,
    struct gmm_error *err)
{
	return gmm_csvin_match_of(in, names, d, NULL, err);
}

int
gmm_csvin_match_of(struct gmm_csvin *in, char *const *names, size_t d,
    const char *file, struct gmm_error *err)
{
	if (in->hdr == NULL || in->opt.columns != NULL) {
		if (in->nsel != d)
			return gmm_error_set(err, in->name, 0,
			    "%zu columns but %.200s has %zu (select them with "
			    "-c)", in->nsel, file ? file : "the model", d);
		return 0;
	}
	in->nsel = 0;
	for (size_t j = 0; j < d; j++) {
		char what[600];

		if (file == NULL)
			snprintf(what, sizeof(what), "the header has no column "
			    "\"%.200s\" (a model column)", names[j]);
		else
			snprintf(what, sizeof(what), "the header has no column "
			    "\"%.200s\" (a column of %.200s)", names[j], file);
		if (select_name(in, names[j], what, err) < 0)
			return -1;
		if (in->has_wcol && in->sel[in->nsel - 1] == in->wcol)
			return gmm_error_set(err, in->name, 0, "column %zu "
			    "(\"%.200s\") is both the weights (--weights) and "
			    "a model column", in->wcol + 1, names[j]);
	}
	return 0;
}

int
gmm_csvin_match_present(struct gmm_csvin *in, char *const *names, size_t d,
    size_t *where, struct gmm_error *err)
{
	if (in->hdr == NULL || in->opt.columns != NULL) {
		for (size_t j = 0; j < d; j++)
			where[j] = j;
		return gmm_csvin_match(in, names, d, err);
	}
	in->nsel = 0;
	for (size_t j = 0; j < d; j++) {
		size_t idx;

		where[j] = (size_t)-1;
		if (header_index(in, names[j], &idx) < 0)
			continue;	/* predicted */
		if (select_name(in, names[j], "", err) < 0)
			return -1;
		if (in->has_wcol && idx == in->wcol)
			return gmm_error_set(err, in->name, 0, "column %zu "
			    "(\"%.200s\") is both the weights (--weights) and "
			    "a model column", in->wcol + 1, names[j]);
		where[j] = in->nsel - 1;
	}
	return 0;
}

/*
 * When a one-field record holds tabs or semicolons and they are not the
 * delimiter, the file is likely separated by them: say so.
 */
static const char *
delimiter_hint(const struct gmm_csvin *in, const char *s)
{
	if (in->nfields != 1)
		return "";
	if (in->opt.delim != '\t' && strchr(s, '\t') != NULL)
		return " (the fields seem to be separated by tabs: -d tab)";
	if (in->opt.delim != ';' && strchr(s, ';') != NULL)
		return " (the fields seem to be separated by semicolons: -d ';')";
	if (in->opt.delim != ',' && strchr(s, ',') != NULL)
		return " (the fields seem to be separated by commas: -d ',')";
	return "";
}

static int
convert(const struct gmm_csvin *in, double *row, struct gmm_error *err)
{
	const struct record *r = &in->last;

	if (r->nf != in->nfields)
		return gmm_error_set(err, in->name, r->line,
		    "expected %zu fields, found %zu", in->nfields, r->nf);
	if (r->nul_col != 0)
		return nul_error(in, r, err);
	for (size_t j = 0; j < in->nsel; j++) {
		size_t col = in->sel[j];
		const char *s = field(r, col), *why;
		char name[96] = "";

		if (parse_number(s, field_len(r, col), &row[j], &why) == 0)
			continue;
		if (in->opt.missing && (*s == '\0' || is_na(in, s))) {
			row[j] = NAN;
			continue;
		}
		if (in->hdr != NULL)
			snprintf(name, sizeof(name), " (\"%.80s\")",
			    in->hdr[col]);
		if (*s == '\0')
			return gmm_error_set(err, in->name, r->line,
			    "column %zu%s: %s", col + 1, name, why);
		return gmm_error_set(err, in->name, r->line,
		    "column %zu%s: \"%.80s\" %s%s", col + 1, name, s, why,
		    delimiter_hint(in, s));
	}
	return 0;
}

int
gmm_csvin_read_row(struct gmm_csvin *in, double *row, struct gmm_error *err)
{
	int r = next_record(in, err);

	if (r <= 0)
		return r;
	if (in->last.blank)
		return GMM_CSVIN_BLANK;
	return convert(in, row, err) < 0 ? -1 : 1;
}

size_t
gmm_csvin_blank_lines(const struct gmm_csvin *in, const size_t **lines,
    size_t *nlines)
{
	if (lines != NULL)
		*lines = in->blank_at;
	if (nlines != NULL)
		*nlines = in->nblank < GMM_CSVIN_BLANK_LIST ? in->nblank :
		    GMM_CSVIN_BLANK_LIST;
	return in->nblank;
}

int
gmm_csvin_column_list(struct gmm_csvin *in, const char *list, size_t **idx,
    size_t *n, struct gmm_error *err)
{
	/* the selection's parser, run on a list of its own */
	size_t *sel = in->sel, nsel = in->nsel, selcap = in->selcap;
	int r;

	in->sel = NULL;
	in->nsel = in->selcap = 0;
	r = select_columns(in, list, err);
	*idx = in->sel;
	*n = in->nsel;
	if (r < 0) {
		free(in->sel);
		*idx = NULL;
		*n = 0;
	}
	in->sel = sel;
	in->nsel = nsel;
	in->selcap = selcap;
	return r;
}

size_t
gmm_csvin_nfields(const struct gmm_csvin *in)
{
	return in->nfields;
}

const char *
gmm_csvin_raw_field(const struct gmm_csvin *in, size_t i)
{
	return field(&in->last, i);
}

const char *
gmm_csvin_header_name(const struct gmm_csvin *in, size_t i)
{
	return in->hdr ? in->hdr[i] : NULL;
}

const char *
gmm_csvin_field_name(const struct gmm_csvin *in, size_t i, char *buf)
{
	if (in->hdr != NULL)
		return in->hdr[i];
	snprintf(buf, 32, "x%zu", i + 1);
	return buf;
}

size_t
gmm_csvin_line(const struct gmm_csvin *in)
{
	return in->last.line;
}

const char *
gmm_csvin_field(const struct gmm_csvin *in, size_t j)
{
	return field(&in->last, in->sel[j]);
}

int
gmm_csvin_weight(const struct gmm_csvin *in, double *w,
    struct gmm_error *err)
{
	const char *why = NULL;
	const char *s = field(&in->last, in->wcol);

	if (gmm_csvin_parse_number(s, w, &why) < 0)
		return gmm_error_set(err, in->name, in->last.line, "column "
		    "%zu (weights): \"%.40s\" %s", in->wcol + 1, s, why);
	if (!(*w >= 0) || !isfinite(*w))
		return gmm_error_set(err, in->name, in->last.line, "column "
		    "%zu (weights): %s; a weight is a finite number >= 0",
		    in->wcol + 1, s);
	return 0;
}

/* The label rows read so far, and the classes seen (--label-column). */
struct labels {
	int32_t *v;
	size_t n, cap;
	struct gmm_strtab tab;
};

/* The current row's class into l: -1 for an empty field. */
static int
add_label(struct gmm_csvin *in, struct labels *l, struct gmm_error *err)
{
	const char *s = field(&in->last, in->lcol);
	size_t len = strlen(s), id;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		int32_t *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return gmm_error_nomem(err);
		l->v = v;
		l->cap = cap;
	}
	if (len == 0) {
		l->v[l->n++] = -1;
		return 0;
	}
	if (!gmm_text_utf8(s, len))
		return gmm_error_set(err, in->name, in->last.line, "column "
		    "%zu (labels): a label must be UTF-8 text", in->lcol + 1);
	if (gmm_strtab_id(&l->tab, s, len, &id) < 0)
		return gmm_error_nomem(err);
	if (l->tab.n > GMM_MAX_K)
		return gmm_error_set(err, in->name, in->last.line, "column "
		    "%zu (labels): more than %d classes", in->lcol + 1,
		    GMM_MAX_K);
	l->v[l->n++] = (int32_t)id;
	return 0;
}

/* The labels into x, classes in byte order; frees l's table. */
static int
give_labels(struct gmm_csvin *in, struct labels *l, struct gmm_data *x,
    struct gmm_error *err)
{
	size_t nc = l->tab.n, *rank = malloc((nc ? nc : 1) * sizeof(*rank));
	char **names = malloc((nc ? nc : 1) * sizeof(*names));

	if (rank == NULL || names == NULL || gmm_strtab_ranks(&l->tab,
	    rank) < 0) {
		free(rank);
		free(names);
		return gmm_error_nomem(err);
	}
	if (nc == 0) {
		free(rank);
		free(names);
		return gmm_error_set(err, in->name, 0, "no row has a label "
		    "(column %zu, --label-column)", in->lcol + 1);
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] >= 0)
			l->v[i] = (int32_t)rank[l->v[i]];
	for (size_t c = 0; c < nc; c++) {
		names[rank[c]] = l->tab.s[c];
		l->tab.s[c] = NULL;
	}
	l->tab.n = 0;		/* the names are x's now */
	gmm_strtab_release(&l->tab);
	free(rank);
	gmm_data_set_labels(x, l->v, names, nc);
	l->v = NULL;
	return 0;
}

static void share_line_fix(struct gmm_csvin *in, struct gmm_error *err);

/* The status line while rows are read (the status option). */
static void
status(const struct gmm_csvin *in, const struct gmm_data *x)
{
	double t = gmm_status_elapsed();

	gmm_status_draw(0, "%s: reading  %zu rows  %.4g MB  %.3g MB/s%s",
	    in->opt.status, x->rows_read, (double)in->bytes / 1e6,
	    t > 0 ? (double)in->bytes / 1e6 / t : 0,
	    gmm_data_spilled(x) ? "  out of core" : "");
}

/* x initialised for in's rows: weighted with a weights column, with the
 * budget when given.  0, or -1 with err set and x empty. */
static int
begin_rows(const struct gmm_csvin *in, struct gmm_data *x,
    const struct gmm_data_budget *budget, struct gmm_error *err)
{
	gmm_data_init(x, in->nsel);
	if ((in->has_wcol && gmm_data_set_weighted(x) < 0) ||
	    (budget != NULL && gmm_data_set_budget(x, budget) < 0)) {
		gmm_data_release(x);
		return gmm_error_nomem(err);
	}
	return 0;
}

/*
 * Rows appended to x until the end of the input or max rows given in all
 * (a row with nothing observed counts); labels into lab when not NULL.
 * 0, or -1 with err set (x as it is: the caller releases it).
 */
static int
append_rows(struct gmm_csvin *in, struct gmm_data *x, size_t max,
    struct labels *lab, struct gmm_error *err)
{
	size_t d = in->nsel;
	double *row = malloc((d ? d : 1) * sizeof(double)), w = 1;
	unsigned char *mask = malloc(d ? d : 1);
	int r, ret = -1;

	if (row == NULL || mask == NULL) {
		gmm_error_nomem(err);
		goto out;
	}
	while (x->rows_read < max) {
		size_t nobs = 0;

		r = gmm_csvin_read_row(in, row, err);
		if (r < 0)
			goto out;
		if (r == 0)
			break;
		if (r == GMM_CSVIN_BLANK)
			continue;
		if (in->has_wcol && gmm_csvin_weight(in, &w, err) < 0)
			goto out;
		for (size_t j = 0; j < d; j++)
			nobs += (mask[j] = !isnan(row[j]));
		if (lab != NULL && nobs < d) {
			gmm_error_set(err, in->name, in->last.line, "a missing "
			    "value: --label-column does not take them yet");
			goto out;
		}
		if (lab != NULL && add_label(in, lab, err) < 0)
			goto out;
		if ((r = nobs == d ? gmm_data_append_weighted(x, row, w) :
		    gmm_data_append_missing(x, row, mask, w)) == -2) {
			gmm_error_set(err, in->name, in->last.line, "%s",
			    gmm_data_error(x));
			goto out;
		}
		if (in->opt.status != NULL && x->rows_read % 4096 == 0)
			status(in, x);
		if (r < 0) {
			gmm_error_set(err, in->name, in->last.line,
			    "out of memory after %zu rows of %zu columns "
			    "(%.3g GB): give --memory less, so that the rows "
			    "go to a temporary file, or fit fewer columns (-c)",
			    x->n, d, (double)(x->n * d * sizeof(double)) /
			    1e9);
			err->nomem = 1;
			goto out;
		}
	}
	ret = 0;
out:
	free(row);
	free(mask);
	return ret;
}

/* gmm_data_finish() on x: 0, or -1 with err set (x as it is). */
static int
finish_rows(const struct gmm_csvin *in, struct gmm_data *x,
    struct gmm_error *err)
{
	int r = gmm_data_finish(x);

	if (r == -2)
		return gmm_error_set(err, in->name, 0, "%s",
		    gmm_data_error(x));
	return r < 0 ? gmm_error_nomem(err) : 0;
}

/* begin_rows(), append_rows(), finish_rows(): 0, or -1 with err set and
 * x released. */
static int
read_rows(struct gmm_csvin *in, struct gmm_data *x, size_t max,
    const struct gmm_data_budget *budget, struct labels *lab,
    struct gmm_error *err)
{
	if (begin_rows(in, x, budget, err) < 0)
		return -1;
	if (append_rows(in, x, max, lab, err) < 0 ||
	    finish_rows(in, x, err) < 0) {
		gmm_data_release(x);
		return -1;
	}
	return 0;
}

int
gmm_csvin_read_begin(const struct gmm_csvin *in, struct gmm_data *x,
    const struct gmm_data_budget *budget, struct gmm_error *err)
{
	return begin_rows(in, x, budget, err);
}

int
gmm_csvin_read_more(struct gmm_csvin *in, struct gmm_data *x,
    struct gmm_error *err)
{
	if (x->d != in->nsel || gmm_data_weighted(x) != in->has_wcol ||
	    in->has_lcol)
		GMM_BUG("gmm_csvin_read_more: rows unlike x's");
	if (append_rows(in, x, SIZE_MAX, NULL, err) < 0) {
		share_line_fix(in, err);
		return -1;
	}
	return 0;
}

int
gmm_csvin_read_end(const struct gmm_csvin *in, struct gmm_data *x,
    struct gmm_error *err)
{
	return finish_rows(in, x, err);
}

size_t
gmm_csvin_bytes(const struct gmm_csvin *in)
{
	return in->bytes;
}

int
gmm_csvin_read_batch(struct gmm_csvin *in, struct gmm_data *x, size_t max,
    struct gmm_error *err)
{
	if (in->has_lcol)
		GMM_BUG("gmm_csvin_read_batch: a label column");
	return read_rows(in, x, max, NULL, NULL, err);
}

#define SCAN_SIZE 65536	/* the share's scans for line starts */

/* The offset of the first byte after the first newline at or after
 * `from` (the file's size when there is none); -1 on a read error. */
static long long
next_line_start(int fd, size_t from, size_t size, unsigned char *buf,
    size_t cap)
{
	while (from < size) {
		size_t want = size - from < cap ? size - from : cap;
		ssize_t got = pread(fd, buf, want, (off_t)from);
		unsigned char *nl;

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		nl = memchr(buf, '\n', (size_t)got);
		if (nl != NULL)
			return (long long)(from + (size_t)(nl - buf) + 1);
		from += (size_t)got;
	}
	return (long long)size;
}

/* Newlines in the file's bytes 0 .. end; -1 on a read error. */
static long long
count_lines(int fd, size_t end, unsigned char *buf, size_t cap)
{
	long long n = 0;

	for (size_t at = 0; at < end;) {
		size_t want = end - at < cap ? end - at : cap;
		ssize_t got = pread(fd, buf, want, (off_t)at);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
		at += (size_t)got;
	}
	return n;
}

/* Where the share that begins at t / of of the data bytes first .. size
 * begins: the first record start at or after that cut (first for t = 0,
 * size for t = of). */
static long long
share_cut(int fd, size_t first, size_t size, unsigned long long t,
    unsigned long long of, unsigned char *buf, size_t cap)
{
	size_t at;

	if (t == 0)
		return (long long)first;
	if (t >= of)
		return (long long)size;
#ifdef __SIZEOF_INT128__
	at = first + (size_t)(__extension__(unsigned __int128)(size - first) *
	    t / of);
#else
	at = first + (size_t)((long double)(size - first) * t / of);
#endif
	if (at == first)	/* the first data row is read by the share
				 * that begins at first: its reader holds it */
		at++;
	return next_line_start(fd, at - 1, size, buf, cap);
}

int
gmm_csvin_share(struct gmm_csvin *in, unsigned long long lo,
    unsigned long long hi, unsigned long long of, struct gmm_error *err)
{
	struct stat st;
	size_t first_line = in->replay ? in->last.line :
	    in->queue[in->qhead].line, data = 0, lines = 0;
	long long cut_lo = -1, cut_hi = -1;
	unsigned char *scan;	/* not rbuf: the first share keeps what it
				 * holds */

	if (lo == 0 && hi >= of)
		return 0;
	if (fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    in->fd == STDIN_FILENO)
		return gmm_error_set(err, in->name, 0, "--mpi reads a regular "
		    "file, each rank its share of it; not a pipe or standard "
		    "input");
	scan = malloc(SCAN_SIZE);
	if (scan == NULL)
		return gmm_error_nomem(err);
	/* the first data row's line begins after first_line - 1 newlines */
	while (lines + 1 < first_line) {
		long long at = next_line_start(in->fd, data, (size_t)st.st_size,
		    scan, SCAN_SIZE);

		if (at < 0)
			break;
		data = (size_t)at;
		lines++;
	}
	cut_lo = share_cut(in->fd, data, (size_t)st.st_size, lo, of, scan,
	    SCAN_SIZE);
	cut_hi = share_cut(in->fd, data, (size_t)st.st_size, hi, of, scan,
	    SCAN_SIZE);
	free(scan);
	if (cut_lo < 0 || cut_hi < 0)
		return gmm_error_set(err, in->name, 0, "read error: %s",
		    strerror(errno));
	in->shared = 1;
	in->limit = (size_t)cut_hi;
	if (lo == 0 && hi > 0) {
		/* the share that begins at the first data row keeps it (it
		 * was parsed when the reader opened); what was read past the
		 * share's end is dropped: the first data row's line ends
		 * before it (share_cut()).  An empty share (0, 0) starts
		 * afresh below, at its end. */
		size_t buf_at = in->bytes - in->rlen;

		if (in->bytes > in->limit) {
			in->rlen = in->limit - buf_at;
			in->bytes = in->limit;
		}
		in->at_eof = 0;
		if (lseek(in->fd, (off_t)in->bytes, SEEK_SET) < 0)
			return gmm_error_set(err, in->name, 0, "%s",
			    strerror(errno));
		return 0;
	}
	/* a fresh parser at the share's first record, past the leading
	 * block: '#' lines and blank lines are data as they are there */
	csv_free(&in->p);
	if (csv_init(&in->p, CSV_STRICT | CSV_STRICT_FINI |
	    CSV_APPEND_NULL) != 0)
		return gmm_error_nomem(err);
	csv_set_realloc_func(&in->p, libcsv_realloc);
	csv_set_delim(&in->p, in->opt.delim);
	if (in->opt.delim == '\t')
		csv_set_space_func(&in->p, is_blank);
	in->qhead = in->qcount = 0;
	in->replay = 0;
	in->cur.len = in->cur.nf = 0;
	in->cur.blank = 0;
	in->cur.nul_col = 0;
	in->rpos = in->rlen = 0;
	in->eof = in->at_eof = in->read_failed = 0;
	in->in_comment = in->mid_record = 0;
	in->at_line_start = 1;
	in->started = in->seen_record = 1;
	in->line = in->rec_line = 1;
	in->share_start = (size_t)cut_lo;
	in->bytes = (size_t)cut_lo;
	if (lseek(in->fd, (off_t)cut_lo, SEEK_SET) < 0)
		return gmm_error_set(err, in->name, 0, "%s", strerror(errno));
	return 0;
}

/* An error's line in a share, counted from its start, made the file's
 * (counted only now: a share does not read what is before it). */
static void
share_line_fix(struct gmm_csvin *in, struct gmm_error *err)
{
	size_t nlen = strlen(in->name), line;
	long long before;
	char *end;

	if (!in->shared || in->share_start == 0 ||
	    strncmp(err->where, in->name, nlen) != 0 ||
	    err->where[nlen] != ':')
		return;
	line = strtoull(err->where + nlen + 1, &end, 10);
	before = count_lines(in->fd, in->share_start, in->rbuf,
	    in->read_size);	/* the reading is over: rbuf is free */
	if (*end != '\0' || line == 0 || before < 0)
		return;
	snprintf(err->where + nlen, sizeof(err->where) - nlen, ":%zu",
	    line + (size_t)before);
}

int
gmm_csvin_read_data(struct gmm_csvin *in, struct gmm_data *x,
    const struct gmm_data_budget *budget, struct gmm_error *err)
{
	struct labels lab = { 0 };

	if (read_rows(in, x, SIZE_MAX, budget, in->has_lcol ? &lab : NULL,
	    err) < 0) {
		share_line_fix(in, err);
		free(lab.v);
		gmm_strtab_release(&lab.tab);
		return -1;
	}
	if (in->has_lcol && gmm_data_spilled(x)) {
		gmm_data_release(x);
		free(lab.v);
		gmm_strtab_release(&lab.tab);
		return gmm_error_set(err, in->name, 0, "the rows take more "
		    "than --memory allows, and --label-column does not run "
		    "out of core yet; give --memory more");
	}
	if (in->has_lcol && give_labels(in, &lab, x, err) < 0) {
		gmm_data_release(x);
		free(lab.v);
		gmm_strtab_release(&lab.tab);
		return -1;
	}
	if (in->shared)		/* a share may be empty: gmm_data_share() */
		return 0;
	if (x->n == 0) {
		gmm_data_release(x);
		return gmm_error_set(err, in->name, 0, "no row has an "
		    "observed value");
	}
	if (in->has_wcol && !(x->weight_total > 0)) {
		gmm_data_release(x);
		return gmm_error_set(err, in->name, 0, "every row's weight "
		    "(column %zu) is 0", in->wcol + 1);
	}
	if (in->has_wcol && !isfinite(x->weight_total)) {
		gmm_data_release(x);
		return gmm_error_set(err, in->name, 0, "the weights (column "
		    "%zu) add up to more than a double holds", in->wcol + 1);
	}
	return 0;
}

size_t
gmm_csvin_grow_calls(const struct gmm_csvin *in)
{
	return in->grow_calls;
}

int
gmm_csvin_ready(const struct gmm_csvin *in)
{
	struct pollfd p = { in->fd, POLLIN, 0 };

	if (in->replay || in->qcount > 0 || in->rpos < in->rlen || in->eof ||
	    in->at_eof || in->read_failed)
		return 1;
	return poll(&p, 1, 0) != 0;
}

size_t
gmm_csvin_row_line(const struct gmm_csvin *in)
{
	return in->rec_line;
}

/*
 * gmm_csvin_read_parallel(): the file's data bytes cut in shares (as
 * gmm_csvin_share() cuts them), each parsed by a reader of its own on a
 * worker of a pool into a part, the parts appended to x in file order
 * (gmm_data_append_data()) as they come.  Anything the serial reader
 * alone decides well -- an error and its line, a line not split by the
 * plain path (a quote: a quoted field may hold a newline, which a share's
 * cut would not know), a blank line
 * (reported with its line), a missing value (rows held aside), memory
 * past the budget -- makes the part, and the whole, fall back.
 */
#define PAR_MIN_BYTES ((size_t)4 << 20)
#define PAR_SHARES_PER_THREAD 4

enum { PART_FALL_BACK, PART_OK };

struct par {
	struct gmm_csvin *in;
	struct gmm_data *x;
	size_t nshares;
	struct gmm_data *part;	/* nslots */
	int *state;		/* nslots: PART_... */
	int fallback;		/* set by the merge; a work reads it */
	size_t size;		/* the file's bytes */
};

static void
par_work(void *ctx, size_t task, size_t slot, int worker)
{
	struct par *p = ctx;
	struct gmm_data *y = &p->part[slot];
	struct gmm_csvin_options o = p->in->opt;
	struct gmm_csvin *r;
	struct gmm_error err;

	(void)worker;
	p->state[slot] = PART_FALL_BACK;
	gmm_data_init(y, 0);
	if (__atomic_load_n(&p->fallback, __ATOMIC_RELAXED))
		return;
	o.status = NULL;
	if ((r = gmm_csvin_open(p->in->name, &o, &err)) == NULL)
		return;
	/* the main reader's columns (matched to a start model, say) */
	if (reserve_sel(r, p->in->nsel) == 0 && r->nfields ==
	    p->in->nfields) {
		memcpy(r->sel, p->in->sel, p->in->nsel * sizeof(*r->sel));
		r->nsel = p->in->nsel;
		/* every line by the plain path: no quote (whose newline a
		 * cut may have split) */
		if (gmm_csvin_share(r, task, task + 1, p->nshares, &err) == 0 &&
		    gmm_csvin_read_begin(r, y, NULL, &err) == 0 &&
		    gmm_csvin_read_more(r, y, &err) == 0 &&
		    r->slow_lines == 0 && r->nblank == 0 && y->held == NULL &&
		    y->rows_read == y->n)
			p->state[slot] = PART_OK;
	}
	gmm_csvin_close(r);
}

static void
par_merge(void *ctx, size_t task, size_t slot)
{
	struct par *p = ctx;
	struct gmm_data *y = &p->part[slot];
	int r;

	(void)task;
	if (!p->fallback && p->state[slot] == PART_OK) {
		r = gmm_data_append_data(p->x, y);
		if (r < 0) {	/* memory: the serial reader says */
			__atomic_store_n(&p->fallback, 1, __ATOMIC_RELAXED);
		} else if (p->in->opt.status != NULL) {
			/* as status(): the bytes are the shares' so far */
			double t = gmm_status_elapsed(), mb = (double)p->size *
			    (double)(task + 1) / (double)p->nshares / 1e6;

			gmm_status_draw(0, "%s: reading  %zu rows  %.4g MB  "
			    "%.3g MB/s", p->in->opt.status, p->x->rows_read,
			    mb, t > 0 ? mb / t : 0);
		}
	} else {
		__atomic_store_n(&p->fallback, 1, __ATOMIC_RELAXED);
	}
	gmm_data_release(y);
}

int
gmm_csvin_read_parallel(struct gmm_csvin *in, int threads, struct gmm_data *x,
    const struct gmm_data_budget *budget, struct gmm_error *err)
{
	struct stat st;
	struct par p;
	struct gmm_pool *pool;
	size_t nslots;

	if (threads < 2 || in->has_lcol || in->opt.libcsv_only ||
	    in->fd == STDIN_FILENO ||
	    fstat(in->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size < PAR_MIN_BYTES || in->nsel == 0 ||
	    (budget != NULL && (size_t)st.st_size > budget->bytes / 8 /
	    (in->nsel + 1) * in->nsel))
		return 1;
	memset(&p, 0, sizeof(p));
	p.in = in;
	p.x = x;
	p.size = (size_t)st.st_size;
	p.nshares = (size_t)threads * PAR_SHARES_PER_THREAD;
	if (p.nshares > (size_t)st.st_size / (PAR_MIN_BYTES / 16))
		p.nshares = (size_t)st.st_size / (PAR_MIN_BYTES / 16);
	nslots = 2 * (size_t)threads;
	p.part = calloc(nslots, sizeof(*p.part));
	p.state = calloc(nslots, sizeof(*p.state));
	pool = gmm_pool_new(threads);
	if (p.part == NULL || p.state == NULL || pool == NULL ||
	    gmm_csvin_read_begin(in, x, budget, err) < 0) {
		free(p.part);
		free(p.state);
		gmm_pool_free(pool);
		return 1;
	}
	gmm_pool_run(pool, threads, p.nshares, nslots, par_work, par_merge,
	    &p);
	gmm_pool_free(pool);
	free(p.part);
	free(p.state);
	if (p.fallback || gmm_csvin_read_end(in, x, err) < 0 || x->n == 0 ||
	    (in->has_wcol && !(x->weight_total > 0 &&
	    isfinite(x->weight_total)))) {
		gmm_data_release(x);
		return 1;	/* the serial reader says what it says */
	}
	return 0;
}
