/*
 * Numbers in and out: the number printer (csvout.c: Ryu) and the fast
 * paths of the parser (csvin.c) against the C library's exact answers.
 * The printer must print exactly what printf/strtod choose (the shortest
 * decimal that reads back, the nearest of those: csvout.c's
 * format_exact()), every power of two and its neighbours included, the
 * parser exactly what strtod() returns.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "io/csvin.h"
#include "io/csvout.h"

static uint64_t state = 88172645463325252ull;

static uint64_t
next(void)	/* xorshift64 */
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static int printed_bad, parsed_bad;
static size_t parsed_n;		/* strings parse_one() has compared */

static void
print_one(double v)
{
	char got[GMM_NUMBER_MAX], want[GMM_NUMBER_MAX];

	gmm_csvout_format(got, v);
	gmm_csvout_format_exact(want, v);
	if (strcmp(got, want) != 0 || strtod(got, NULL) != v) {
		if (printed_bad++ < 10)
			fprintf(stderr, "print %a: got %s want %s\n", v, got,
			    want);
	}
}

static void
parse_one(const char *s)
{
	const char *why;
	double got = 0, want = strtod(s, NULL);

	int st = gmm_csvin_parse_number(s, &got, &why);

	parsed_n++;

	if (!isfinite(want) ? st == 0 : st != 0 ||
	    memcmp(&got, &want, sizeof(got)) != 0) {
		if (parsed_bad++ < 10)
			fprintf(stderr, "parse %s: got %a want %a (%s)\n", s,
			    got, want, why);
	}
}

static double
from_bits(uint64_t b)
{
	double v;

	memcpy(&v, &b, sizeof(v));
	return v;
}

/* JSON strings and numbers: always valid JSON, whatever the bytes. */
static void
check_json(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "plain", "\"plain\"" }, { "say \"hi\"", "\"say \\\"hi\\\"\"" },
		{ "back\\slash", "\"back\\\\slash\"" },
		{ "tab\tnl\n", "\"tab\\u0009nl\\u000a\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "n\xe9", "\"n\\u00e9\"" }, { "\x7f", "\"\\u007f\"" },
	};
	static const struct { double v; const char *out; } n[] = {
		{ 1.5, "1.5" }, { -0.0, "-0.0" }, { 1.0 / 0.0, "null" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *buf;
		size_t len;
		FILE *f = open_memstream(&buf, &len);

		gmm_json_string(f, t[i].in);
		fclose(f);
		CHECK(strcmp(buf, t[i].out) == 0, "JSON string %zu: %s", i,
		    buf);
		free(buf);
	}
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		char *buf;
		size_t len;
		FILE *f = open_memstream(&buf, &len);

		gmm_json_number(f, n[i].v);
		fclose(f);
		CHECK(strcmp(buf, n[i].out) == 0, "JSON number %zu: %s", i,
		    buf);
		free(buf);
	}
}

int
main(void)
{
	check_json();
	static const double edge[] = { DBL_MAX, -DBL_MAX, DBL_MIN, DBL_TRUE_MIN,
		-DBL_TRUE_MIN, 1e22, 1e23, 9.999999999999999e22, 0.1, 0.2, 0.3,
		1.0 / 3, 2.0 / 3, 5e-324, 1e-5, 1e-4, 9.9999999999999995e-5,
		123456789012345678.0, 1e15, 1e16, 1e17, 9007199254740993.0,
		0.5, 1.5, 2.5, 1e300, 1e-300, 4.9406564584124654e-324 };
	char buf[64];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		print_one(edge[i]);
	for (int k = -1074; k <= 1023; k++) {
		print_one(ldexp(1, k));
		print_one(nextafter(ldexp(1, k), 0));
		print_one(nextafter(ldexp(1, k), INFINITY));
	}
	for (int k = -323; k <= 308; k++) {
		double p = strtod((snprintf(buf, sizeof(buf), "1e%d", k), buf),
		    NULL);

		print_one(p);
		print_one(nextafter(p, 0));
		print_one(nextafter(p, INFINITY));
	}
	/* every kind of double: random bit patterns */
	for (int i = 0; i < 400000; i++) {
		double v = from_bits(next());

		if (isfinite(v))
			print_one(v), n++;
	}
	/* numbers as data hold them: a few digits, and model parameters */
	for (int i = 0; i < 150000; i++) {
		int digits = 1 + (int)(next() % 17), e = (int)(next() % 40) - 20;
		double v = (double)(next() % 100000000000000000ull) *
		    pow(10, e - 17);

		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		print_one(strtod(buf, NULL));
		print_one(v);
		n += 2;
	}
	CHECK(printed_bad == 0, "%d of %zu numbers printed differently",
	    printed_bad, n);

	n = 0;
	for (int i = 0; i < 150000; i++, n++) {
		double v = from_bits(next());
		int digits = 1 + (int)(next() % 17);

		if (!isfinite(v))
			continue;
		snprintf(buf, sizeof(buf), "%.*g", digits, v);
		parse_one(buf);
		snprintf(buf, sizeof(buf), "%.*f", (int)(next() % 8),
		    (double)(next() % 2000000) / 100 - 10000);
		parse_one(buf);
		snprintf(buf, sizeof(buf), "%llue%d",
		    (unsigned long long)(next() % 10000000000000000000ull),
		    (int)(next() % 60) - 30);
		parse_one(buf);
		/* data as gmm prints them: 15 to 20 digits, moderate sizes */
		v = (double)(next() >> 11) / 9007199254740992.0 *
		    pow(10, (double)(next() % 16) - 6);
		snprintf(buf, sizeof(buf), "%.*g", 15 + (int)(next() % 6), v);
		parse_one(buf);
		snprintf(buf, sizeof(buf), "%.*f", 10 + (int)(next() % 10),
		    v - 5);
		parse_one(buf);
	}
	{
		static const char *const cases[] = { "0", "-0", "+0.0", ".5",
			"-.5", "5.", "1e22", "1e23", "9007199254740992",
			"9007199254740993", "9007199254740993.0",
			"0.000000000000000000000000001", "1e-22", "123.456e-20",
			"4.9e-324", "1.7976931348623157e308", "00000000000001",
			"1E5", "1e+05", "12345678901234567890", "0.1", "1e400",
			"-1e400", NULL };

		for (int i = 0; cases[i] != NULL; i++, n++)
			parse_one(cases[i]);
	}
	/* digit strings of every length, leading zeros and dot place, so
	 * that runs of eight digits start and stop anywhere */
	for (int i = 0; i < 200000; i++, n++) {
		int zeros = (int)(next() % 12), len = 1 + (int)(next() % 24);
		int dot = (int)(next() % (uint64_t)(zeros + len + 2)), at = 0;

		if (next() % 4 == 0)
			buf[at++] = '-';
		for (int j = 0; j < zeros + len; j++) {
			if (j == dot)
				buf[at++] = '.';
			buf[at++] = j < zeros ? '0' : (char)('0' + next() % 10);
		}
		if (next() % 3 == 0)
			at += snprintf(buf + at, sizeof(buf) - (size_t)at,
			    "e%d", (int)(next() % 80) - 40);
		buf[at] = '\0';
		parse_one(buf);
	}
	CHECK(parsed_bad == 0, "%d of %zu numbers parsed differently",
	    parsed_bad, parsed_n);
	return check_done("test_csvout");
}
