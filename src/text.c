#include "text.h"

/*
 * Length of the valid UTF-8 sequence at s[0..len), or 0 when the bytes
 * there are not one (RFC 3629: at most U+10FFFF, no overlong form, no
 * surrogate).
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
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
		size_t n = utf8_seq(p + i, len - i);

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
		size_t n = utf8_seq(p + i, len - i);

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
