#include "io/csvout.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

/*
 * Numbers: the shortest of %.15g, %.16g and %.17g that reads back as the same
 * double.  The C library does this exactly but slowly (printf, then strtod
 * to check), so the usual case takes a fast path in 64-bit long double
 * arithmetic: y = |v| * 10^s is the number scaled to p digits, with a
 * relative error under 2^-62; D = rint(y) is the p-digit decimal, and it
 * reads back as v when |y - D| is under half the gap to v's neighbour,
 * scaled the same way.  Whenever y lies too near a rounding boundary for
 * that arithmetic to decide (within MARGIN of it, relatively), the exact
 * path decides.  Both paths print the same digits.  (Where long double is
 * no wider than double, as under valgrind, only the exact path runs.)
 */

#define POW10_MIN (-400)
#define POW10_MAX 400
#define MARGIN 4e-19L

static long double pow10_table[POW10_MAX - POW10_MIN + 1];
static int wide_ld;

/* 10^s correctly rounded to long double, from strtold(); and whether long
 * double really carries 64 bits here. */
__attribute__((constructor)) static void
init_pow10(void)
{
	volatile long double one = 1, eps = LDBL_EPSILON;
	char buf[16];

	wide_ld = LDBL_MANT_DIG == 64 && one + eps != one;
	for (int s = POW10_MIN; s <= POW10_MAX; s++) {
		snprintf(buf, sizeof(buf), "1e%d", s);
		pow10_table[s - POW10_MIN] = strtold(buf, NULL);
	}
}

static int
format_exact(char *buf, double v)
{
	int len = 0;

	for (int prec = 15; prec <= 17; prec++) {
		len = snprintf(buf, GMM_NUMBER_MAX, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return len;
}

/* The digits of d (p of them) as %.{p}g prints d * 10^(x - p + 1). */
static int
print_g(char *buf, int neg, uint64_t d, int p, int x)
{
	char dig[20], *o = buf;
	int nd = p;

	for (int i = p - 1; i >= 0; i--) {
		dig[i] = (char)('0' + d % 10);
		d /= 10;
	}
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= p) {
		*o++ = dig[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, dig + 1, (size_t)(nd - 1));
			o += nd - 1;
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		x = abs(x);
		if (x >= 100)
			*o++ = (char)('0' + x / 100);
		*o++ = (char)('0' + x / 10 % 10);
		*o++ = (char)('0' + x % 10);
	} else if (x >= 0) {
		for (int i = 0; i <= x; i++)
			*o++ = i < nd ? dig[i] : '0';
		if (nd > x + 1) {
			*o++ = '.';
			memcpy(o, dig + x + 1, (size_t)(nd - x - 1));
			o += nd - x - 1;
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > x; i--)
			*o++ = '0';
		memcpy(o, dig, (size_t)nd);
		o += nd;
	}
	*o = '\0';
	return (int)(o - buf);
}

/* The fast path: the length printed, or -1 when the exact path must decide. */
static int
format_fast(char *buf, double v)
{
	double a = fabs(v);
	uint64_t bits;
	int e2, x;
	long double gap_lo, gap_hi;

	memcpy(&bits, &a, sizeof(bits));
	e2 = (int)(bits >> 52) - 1023;
	if (e2 > -960 && e2 < 1000) {
		/* a normal number: its neighbours are 2^(e2 - 52) away, the
		 * one below half that at a power of two; log10(a) is in
		 * [e2 log10 2, (e2 + 1) log10 2), so x is the floor of its
		 * bottom or one more (the loop's correction) */
		uint64_t gb = (uint64_t)(e2 - 52 + 1023) << 52;
		double g;

		memcpy(&g, &gb, sizeof(g));	/* 2^(e2 - 52) */
		gap_hi = g;
		gap_lo = (bits & 0xfffffffffffffu) == 0 ? g / 2 : g;
		x = (int)floor(e2 * 0.30102999566398119521);
	} else {
		gap_lo = (long double)a - nextafter(a, 0);
		gap_hi = a == DBL_MAX ? gap_lo :
		    (long double)nextafter(a, INFINITY) - a;
		x = (int)floor(log10(a));
	}

	for (int p = 15; p <= 17; p++) {
		long double lo = pow10_table[p - 1 - POW10_MIN];
		long double hi = pow10_table[p - POW10_MIN];
		long double y, d, diff, scale, half, margin;
		int s = p - 1 - x;

		if (s < POW10_MIN || s > POW10_MAX)
			return -1;
		y = a * pow10_table[s - POW10_MIN];
		if (y >= hi || y < lo) {	/* log10 was off by one */
			x += y >= hi ? 1 : -1;
			s = p - 1 - x;
			if (s < POW10_MIN || s > POW10_MAX)
				return -1;
			y = a * pow10_table[s - POW10_MIN];
			if (y >= hi || y < lo)
				return -1;
		}
		d = rintl(y);
		diff = y - d;
		margin = y * MARGIN;
		if (fabsl(fabsl(diff) - 0.5L) <= margin)
			return -1;	/* a tie for rounding to p digits */
		scale = pow10_table[s - POW10_MIN];
		half = 0.5L * (diff < 0 ? gap_hi : gap_lo) * scale;
		if (fabsl(fabsl(diff) - half) <= margin)
			return -1;	/* at the round-trip boundary */
		if (fabsl(diff) < half) {
			int xx = x;

			if (d >= hi) {		/* 99...9.5 rounded up */
				d = lo;
				xx++;
			}
			return print_g(buf, signbit(v) != 0, (uint64_t)d, p, xx);
		}
	}
	return -1;
}

int
gmm_csvout_format(char *buf, double v)
{
	int len;

	if (isnan(v))
		return snprintf(buf, GMM_NUMBER_MAX, "nan");
	if (isinf(v))
		return snprintf(buf, GMM_NUMBER_MAX, v < 0 ? "-inf" : "inf");
	if (v == 0)
		return snprintf(buf, GMM_NUMBER_MAX, signbit(v) ? "-0" : "0");
	len = wide_ld ? format_fast(buf, v) : -1;
	return len >= 0 ? len : format_exact(buf, v);
}

int
gmm_long_double_is_wide(void)
{
	return wide_ld;
}

int
gmm_csvout_format_exact(char *buf, double v)
{
	return format_exact(buf, v);
}

void
gmm_csvout_number(FILE *f, double v)
{
	char buf[GMM_NUMBER_MAX];
	int len = gmm_csvout_format(buf, v);

	fwrite(buf, 1, (size_t)len, f);
}

void
gmm_csvout_field(FILE *f, const char *s, char delim)
{
	if (strchr(s, delim) == NULL && strpbrk(s, "\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
gmm_json_number(FILE *f, double v)
{
	if (!isfinite(v)) {
		fputs("null", f);
		return;
	}
	if (v == 0 && signbit(v)) {
		fputs("-0.0", f);
		return;
	}
	gmm_csvout_number(f, v);
}

void
gmm_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = 1;

		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			fprintf(f, "\\u%04x", p[i]);
		else if (p[i] < 0x80)
			fputc(p[i], f);
		else if ((n = gmm_text_utf8_seq(p + i, len - i)) > 0)
			fwrite(p + i, 1, n, f);
		else
			fprintf(f, "\\u%04x", p[i]), n = 1;
		i += n;
	}
	fputc('"', f);
}

void
gmm_json_member(FILE *f, const char *sep, const char *key, double v)
{
	fprintf(f, "%s\"%s\": ", sep, key);
	gmm_json_number(f, v);
}
