#include "base/text.h"

#include <stdlib.h>
#include <string.h>

/*
 * Length of the valid UTF-8 sequence at s[0..len), or 0 when the bytes
 * there are not one (RFC 3629: at most U+10FFFF, no overlong form, no
 * surrogate).
 */
size_t
gmm_text_utf8_seq(const unsigned char *s, size_t len)
{
	unsigned c = s[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (len < n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;	/* overlong */
	else if (c == 0xed)
		hi = 0x9f;	/* surrogates */
	else if (c == 0xf0)
		lo = 0x90;	/* overlong */
	else if (c == 0xf4)
		hi = 0x8f;	/* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

int
gmm_text_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len;) {
		size_t n = gmm_text_utf8_seq(p + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

void
gmm_text_put(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;

	while (p[len] != '\0')
		len++;
	for (size_t i = 0; i < len;) {
		unsigned c = p[i];
		size_t n = gmm_text_utf8_seq(p + i, len - i);

		if (c == '\n' || c == '\r' || c == '\t') {
			fputc('\\', f);
			fputc(c == '\n' ? 'n' : c == '\r' ? 'r' : 't', f);
			i++;
		} else if (n == 0 || c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && p[i + 1] < 0xa0)) {
			/* a bad byte, a C0 or C1 control: escaped one byte
			 * at a time (a C1 control is two bytes in UTF-8) */
			size_t m = n == 0 || c < 0x80 ? 1 : n;

			for (size_t j = 0; j < m; j++)
				fprintf(f, "\\x%02x", p[i + j]);
			i += m;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
}

/* Optimal string alignment distance, or limit + 1 when above limit. */
static size_t
distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b), *d, r;

	if ((la > lb ? la - lb : lb - la) > limit || la > 64 || lb > 64)
		return limit + 1;
	d = malloc((la + 1) * (lb + 1) * sizeof(size_t));
	if (d == NULL)
		return limit + 1;
#define D(i, j) d[(i) * (lb + 1) + (j)]
	for (size_t i = 0; i <= la; i++)
		D(i, 0) = i;
	for (size_t j = 0; j <= lb; j++)
		D(0, j) = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v;

			v = D(i - 1, j) + 1;
			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + cost < v)
				v = D(i - 1, j - 1) + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(la, lb);
#undef D
	free(d);
	return r;
}

const char *
gmm_text_closest(const char *word, const char *const *cand, size_t n)
{
	size_t len = strlen(word), limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	size_t best_d = limit + 1;
	const char *best = NULL;

	const char *prefix_of = NULL;
	size_t nprefix = 0;

	if (len == 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strncmp(cand[i], word, len) == 0) {
			prefix_of = cand[i];	/* cut short */
			nprefix++;
		}
	}
	if (nprefix == 1)
		return prefix_of;
	for (size_t i = 0; i < n; i++) {
		size_t dd = distance(word, cand[i], limit);

		if (dd < best_d) {
			best_d = dd;
			best = cand[i];
		}
	}
	return best;
}
