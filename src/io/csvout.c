#include "io/csvout.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"

/*
 * Numbers: the shortest decimal that reads back as the same double, and
 * among the shortest the nearest (as Python's repr() and JavaScript print
 * them), written as %.{p}g writes it with p = max(15, its digits): so a
 * number of at most 15 digits looks as %.15g prints it, trailing zeros
 * dropped.  The digits come from Ryu (Adams 2018): the interval of
 * decimals that round to v, scaled by a 125-bit power of five
 * (ryu_tables.h, made by scripts/ryu-tables) in exact 64 x 128-bit
 * products, then digits removed while the interval still holds a number.
 * Integer arithmetic only: the same digits everywhere (valgrind too).
 * gmm_csvout_format_exact() finds the same through printf and strtod.
 */

#include "io/ryu_tables.h"

__extension__ typedef unsigned __int128 u128;

static int wide_ld;

/* Whether long double really carries 64 bits here (csvin.c's parser). */
__attribute__((constructor)) static void
init_wide(void)
{
	volatile long double one = 1, eps = LDBL_EPSILON;

	wide_ld = LDBL_MANT_DIG == 64 && one + eps != one;
}

static uint32_t
pow5bits(int32_t e)
{
	return (uint32_t)(((e * 1217359) >> 19) + 1);
}

static uint32_t
log10_pow2(int32_t e)
{
	return (uint32_t)((e * 78913) >> 18);
}

static uint32_t
log10_pow5(int32_t e)
{
	return (uint32_t)((e * 732923) >> 20);
}

static int
multiple_of_pow5(uint64_t v, uint32_t p)
{
	uint32_t count = 0;

	while (v % 5 == 0 && count < p) {
		v /= 5;
		count++;
	}
	return count >= p;
}

static int
multiple_of_pow2(uint64_t v, uint32_t p)
{
	return p >= 64 ? v == 0 : (v & ((1ull << p) - 1)) == 0;
}

/* (m * mul) >> j, mul a 128-bit { low, high }, 64 <= j < 192. */
static uint64_t
mul_shift(uint64_t m, const uint64_t *mul, int32_t j)
{
	u128 b0 = (u128)m * mul[0], b2 = (u128)m * mul[1];

	return (uint64_t)(((b0 >> 64) + b2) >> (j - 64));
}

/* One digit off vr, vp and vm (Ryu's general case): the one vr loses is
 * the last removed, and vr's removed digits stay all zeros only if the
 * one before was. */
static void
drop_digit(uint64_t *vr, uint64_t *vp, uint64_t *vm, uint8_t *last,
    int *vr_tz)
{
	*vr_tz &= *last == 0;
	*last = (uint8_t)(*vr % 10);
	*vr /= 10;
	*vp /= 10;
	*vm /= 10;
}

/* The shortest digits of finite v != 0 (|v|'s bits): *out * 10^*exp. */
static void
ryu(uint64_t bits, uint64_t *out, int32_t *exp)
{
	uint64_t mant = bits & ((1ull << 52) - 1), m2, mv, vr, vp, vm, output;
	uint32_t ieee_exp = (uint32_t)(bits >> 52) & 0x7ff, mm_shift;
	int32_t e2, e10, removed = 0;
	int even, vm_tz = 0, vr_tz = 0;
	uint8_t last = 0;

	if (ieee_exp == 0) {
		e2 = 1 - 1023 - 52 - 2;
		m2 = mant;
	} else {
		e2 = (int32_t)ieee_exp - 1023 - 52 - 2;
		m2 = (1ull << 52) | mant;
	}
	even = (m2 & 1) == 0;
	mv = 4 * m2;
	mm_shift = mant != 0 || ieee_exp <= 1;
	/* the interval [vm, vp] around vr = v, scaled by 10^-e10 */
	if (e2 >= 0) {
		uint32_t q = log10_pow2(e2) - (e2 > 3);
		int32_t k = 125 + (int32_t)pow5bits((int32_t)q) - 1;
		int32_t i = -e2 + (int32_t)q + k;

		e10 = (int32_t)q;
		vr = mul_shift(4 * m2, ryu_pow5inv[q], i);
		vp = mul_shift(4 * m2 + 2, ryu_pow5inv[q], i);
		vm = mul_shift(4 * m2 - 1 - mm_shift, ryu_pow5inv[q], i);
		if (q <= 21) {
			/* at most one of mv, mp, mm is a multiple of 5 */
			if (mv % 5 == 0)
				vr_tz = multiple_of_pow5(mv, q);
			else if (even)
				vm_tz = multiple_of_pow5(mv - 1 - mm_shift, q);
			else
				vp -= multiple_of_pow5(mv + 2, q);
		}
	} else {
		uint32_t q = log10_pow5(-e2) - (-e2 > 1);
		int32_t i = -e2 - (int32_t)q;
		int32_t k = (int32_t)pow5bits(i) - 125;
		int32_t j = (int32_t)q - k;

		e10 = (int32_t)q + e2;
		vr = mul_shift(4 * m2, ryu_pow5[i], j);
		vp = mul_shift(4 * m2 + 2, ryu_pow5[i], j);
		vm = mul_shift(4 * m2 - 1 - mm_shift, ryu_pow5[i], j);
		if (q <= 1) {
			/* mv has at least q trailing zero bits */
			vr_tz = 1;
			if (even)
				vm_tz = mm_shift == 1;
			else
				vp--;
		} else if (q < 63) {
			vr_tz = multiple_of_pow2(mv, q);
		}
	}
	/* digits off while the interval holds a shorter number */
	if (vm_tz || vr_tz) {
		while (vp / 10 > vm / 10) {
			vm_tz &= vm % 10 == 0;
			drop_digit(&vr, &vp, &vm, &last, &vr_tz);
			removed++;
		}
		while (vm_tz && vm % 10 == 0) {
			drop_digit(&vr, &vp, &vm, &last, &vr_tz);
			removed++;
		}
		if (vr_tz && last == 5 && vr % 2 == 0)
			last = 4;	/* a tie: to even */
		output = vr + ((vr == vm && (!even || !vm_tz)) || last >= 5);
	} else {
		int up = 0;

		if (vp / 100 > vm / 100) {
			up = vr % 100 >= 50;
			vr /= 100;
			vp /= 100;
			vm /= 100;
			removed += 2;
		}
		while (vp / 10 > vm / 10) {
			up = vr % 10 >= 5;
			vr /= 10;
			vp /= 10;
			vm /= 10;
			removed++;
		}
		output = vr + (vr == vm || up);
	}
	*out = output;
	*exp = e10 + removed;
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

/* n digits d, the first at 10^x, printed with p = max(15, n). */
static int
print_digits(char *buf, int neg, uint64_t d, int n, int x)
{
	int p = n > 15 ? n : 15;

	for (int i = n; i < p; i++)
		d *= 10;
	return print_g(buf, neg, d, p, x);
}

static int
ndigits(uint64_t d)
{
	int n = 1;

	while (d >= 10) {
		d /= 10;
		n++;
	}
	return n;
}

/*
 * The reference: the nearest p-digit decimal to v (printf's %.*e), or when
 * it does not read back (at a power of two, where the interval below is
 * half the one above) its neighbours one unit in the p-th digit away: the
 * first that reads back as *c * 10^*x, or 0 when none does.
 */
static int
exact_digits(double v, int p, unsigned long long *c, int *x)
{
	char s[40], t[40];
	unsigned long long d = 0;

	snprintf(s, sizeof(s), "%.*e", p - 1, v);
	for (const char *q = s; *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			d = d * 10 + (unsigned long long)(*q - '0');
	*x = atoi(strchr(s, 'e') + 1) - p + 1;	/* v ~ d * 10^x */
	for (int step = 0; step < 3; step++) {
		*c = step == 0 ? d : step == 1 ? d + 1 : d - 1;
		snprintf(t, sizeof(t), "%llue%d", *c, *x);
		if (*c != 0 && strtod(t, NULL) == v)
			return 1;
	}
	return 0;
}

/* The least p for which exact_digits() finds one (a p-digit decimal that
 * reads back makes a (p+1)-digit one: a binary search), printed. */
static int
format_exact(char *buf, double v)
{
	double a = fabs(v);
	unsigned long long c;
	int lo = 1, hi = 17, x, lead, n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (exact_digits(a, mid, &c, &x))
			hi = mid;
		else
			lo = mid + 1;
	}
	exact_digits(a, lo, &c, &x);
	lead = x + ndigits(c) - 1;
	while (c % 10 == 0)
		c /= 10;
	n = ndigits(c);
	return print_digits(buf, signbit(v) != 0, c, n, lead);
}

int
gmm_csvout_format(char *buf, double v)
{
	uint64_t bits, d;
	int32_t e;
	int n;

	if (isnan(v))
		return snprintf(buf, GMM_NUMBER_MAX, "nan");
	if (isinf(v))
		return snprintf(buf, GMM_NUMBER_MAX, v < 0 ? "-inf" : "inf");
	if (v == 0)
		return snprintf(buf, GMM_NUMBER_MAX, signbit(v) ? "-0" : "0");
	memcpy(&bits, &v, sizeof(bits));
	ryu(bits & ~(1ull << 63), &d, &e);
	while (d % 10 == 0) {	/* Ryu may leave zeros on */
		d /= 10;
		e++;
	}
	n = ndigits(d);
	return print_digits(buf, signbit(v) != 0, d, n, e + n - 1);
}

int
gmm_long_double_is_wide(void)
{
	return wide_ld;
}

int
gmm_csvout_format_exact(char *buf, double v)
{
	if (!isfinite(v) || v == 0)	/* as gmm_csvout_format() */
		return gmm_csvout_format(buf, v);
	return format_exact(buf, v);
}

void
gmm_csvout_number(FILE *f, double v)
{
	char buf[GMM_NUMBER_MAX];
	int len = gmm_csvout_format(buf, v);

	fwrite_unlocked(buf, 1, (size_t)len, f);
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
