/*
 * text: UTF-8 validation (RFC 3629's edge cases) and the escaping that
 * keeps untrusted text from steering a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/text.h"

static void
check_utf8(void)
{
	static const struct { const char *s; int ok; } t[] = {
		{ "plain", 1 }, { "", 1 }, { "caf\xc3\xa9", 1 },
		{ "\xe2\x82\xac", 1 }, { "\xf0\x9f\x98\x80", 1 },
		{ "\xf4\x8f\xbf\xbf", 1 },		/* U+10FFFF */
		{ "n\xe9", 0 },				/* Latin-1 */
		{ "\xc0\xaf", 0 }, { "\xe0\x80\xaf", 0 },	/* overlong */
		{ "\xed\xa0\x80", 0 },			/* a surrogate */
		{ "\xf4\x90\x80\x80", 0 },		/* above U+10FFFF */
		{ "\xe2\x82", 0 },			/* cut short */
		{ "\x80", 0 }, { "\xff", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK(gmm_text_utf8(t[i].s, strlen(t[i].s)) == t[i].ok,
		    "case %zu", i);
}

static void
check_put(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "x,y", "x,y" }, { "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "\033]0;pwned\007x", "\\x1b]0;pwned\\x07x" },
		{ "a\tb\nc\rd", "a\\tb\\nc\\rd" },
		{ "n\xe9", "n\\xe9" }, { "\x7f", "\\x7f" },
		{ "\xc2\x9b" "31m", "\\xc2\\x9b" "31m" },	/* C1 CSI */
		{ "back\\slash", "back\\slash" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *buf;
		size_t len;
		FILE *f = open_memstream(&buf, &len);

		gmm_text_put(f, t[i].in);
		fclose(f);
		CHECK(strcmp(buf, t[i].out) == 0, "case %zu: \"%s\"", i, buf);
		for (size_t j = 0; j < len; j++)
			CHECK((unsigned char)buf[j] >= 0x20 &&
			    (unsigned char)buf[j] != 0x7f,
			    "case %zu: a control byte left at %zu", i, j);
		free(buf);
	}
}

static void
check_closest(void)
{
	static const char *const cmds[] = { "fit", "sample", "score",
		"select-k", "show" };
	static const char *const cols[] = { "eruptions", "waiting" };
	static const struct { const char *w; const char *const *c; size_t n;
	    const char *want; } t[] = {
		{ "fti", cmds, 5, "fit" }, { "selectk", cmds, 5, "select-k" },
		{ "scroe", cmds, 5, "score" }, { "sho", cmds, 5, "show" },
		{ "s", cmds, 5, NULL },		/* a prefix of four */
		{ "xyz", cmds, 5, NULL }, { "", cmds, 5, NULL },
		{ "eruption", cols, 2, "eruptions" },
		{ "waitnig", cols, 2, "waiting" }, { "time", cols, 2, NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = gmm_text_closest(t[i].w, t[i].c, t[i].n);

		CHECK(got == t[i].want || (got && t[i].want &&
		    strcmp(got, t[i].want) == 0), "\"%s\": %s", t[i].w,
		    got ? got : "none");
	}
}

int
main(void)
{
	check_utf8();
	check_put();
	check_closest();
	return check_done("test_text");
}
