/*
 * The CSV reader: every convention of the command-line contract, each
 * fixture re-read with every buffer size from 1 byte up, which must give the
 * same rows, the same line numbers and the same errors.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "io/csvin.h"

static char tmp[] = "/tmp/gmm-test-csvin-XXXXXX";

static void
write_file(const char *text, size_t len)
{
	FILE *f = fopen(tmp, "wb");

	fwrite(text, 1, len, f);
	fclose(f);
}

struct want {
	const char *text;
	unsigned char delim;
	int header;		/* option */
	const char *columns;	/* option */
	int has_header;
	size_t d, n;
	double values[16];
	size_t lines[8];
	const char *error;	/* when the read must fail */
};

static void
read_with(const struct want *w, size_t bufsize, int libcsv_only)
{
	struct gmm_csvin_options o = { .delim = w->delim ? w->delim : ',',
		.header = w->header, .columns = w->columns,
		.read_size = bufsize, .libcsv_only = libcsv_only };
	struct gmm_error err;
	struct gmm_csvin *in;
	double row[8];
	size_t n = 0;
	int r;

	write_file(w->text, strlen(w->text));
	in = gmm_csvin_open(tmp, &o, &err);
	if (in == NULL) {
		CHECK(w->error && strstr(err.msg, w->error) != NULL,
		    "buffer %zu: open failed: %s (want %s)", bufsize, err.msg,
		    w->error ? w->error : "success");
		return;
	}
	CHECK(gmm_csvin_has_header(in) == w->has_header, "buffer %zu: header",
	    bufsize);
	CHECK(gmm_csvin_ncols(in) == w->d, "buffer %zu: %zu columns", bufsize,
	    gmm_csvin_ncols(in));
	while ((r = gmm_csvin_read_row(in, row, &err)) == 1) {
		for (size_t j = 0; j < w->d && n < w->n; j++)
			CHECK(row[j] == w->values[n * w->d + j],
			    "buffer %zu: row %zu col %zu: %g", bufsize, n, j,
			    row[j]);
		if (n < w->n)
			CHECK(gmm_csvin_line(in) == w->lines[n],
			    "buffer %zu: row %zu on line %zu, want %zu", bufsize,
			    n, gmm_csvin_line(in), w->lines[n]);
		n++;
	}
	if (w->error) {
		char full[1024];

		snprintf(full, sizeof(full), "%s: %s", err.where, err.msg);
		CHECK(r < 0 && strstr(full, w->error) != NULL,
		    "buffer %zu: got \"%s\", want \"%s\"", bufsize, full,
		    w->error);
	} else {
		CHECK(r == 0, "buffer %zu: read failed: %s", bufsize, err.msg);
		CHECK(n == w->n, "buffer %zu: %zu rows, want %zu", bufsize, n,
		    w->n);
	}
	gmm_csvin_close(in);
}

static void
read_all_sizes(const struct want *w)
{
	size_t len = strlen(w->text);

	for (size_t b = 1; b <= len + 1; b++)
		read_with(w, b, 0);
	read_with(w, 0, 0);
	read_with(w, 0, 1);	/* no line split outside libcsv */
}

static const struct want cases[] = {
	{ "a,b\n1,2\n3,4\n", 0, -1, NULL, 1, 2, 2, { 1, 2, 3, 4 },
	  { 2, 3 }, NULL },
	{ "1,2\n3,4", 0, -1, NULL, 0, 2, 2, { 1, 2, 3, 4 }, { 1, 2 }, NULL },
	/* BOM, CRLF, a leading block of comments and blank lines, blank and
	 * white lines among the data, quoted numbers */
	{ "\xef\xbb\xbf# note, \"quoted\"\r\n\r\nx,y\r\n\r\n\"1.5\",-2e3\r\n"
	  "  \r\n+3,.25\r\n", 0, -1, NULL, 1, 2, 2,
	  { 1.5, -2000, 3, 0.25 }, { 5, 7 }, NULL },
	/* after the first record, a line that starts with '#' is data */
	{ "c,v\n#ff0000,1\n#00ff00,2\n", 0, -1, "v", 1, 1, 2, { 1, 2 },
	  { 2, 3 }, NULL },
	{ "c,v\n#ff0000,1\n", 0, -1, NULL, 1, 2, 0, { 0 }, { 0 },
	  ":2: column 1 (\"c\"): \"#ff0000\" is not a number" },
	{ "1,2\n# late\n", 0, -1, NULL, 0, 2, 1, { 1, 2 }, { 1 },
	  ":2: expected 2 fields, found 1" },
	/* in a one-column input a blank line is a missing value */
	{ "x\n1\n\n2\n", 0, -1, NULL, 1, 1, 1, { 1 }, { 2 },
	  ":3: column 1 (\"x\"): empty field" },
	{ "\n\n1\n  \r\n2\n", 0, -1, NULL, 0, 1, 1, { 1 }, { 3 },
	  ":4: column 1: empty field" },
	/* a quoted header name over two lines, then a row on line 3 */
	{ "\"a\nb\",c\n7,8\n", 0, -1, NULL, 1, 2, 1, { 7, 8 }, { 3 }, NULL },
	/* tab-separated, padded with spaces */
	{ "1\t 2\n3 \t4\n", '\t', -1, NULL, 0, 2, 2, { 1, 2, 3, 4 },
	  { 1, 2 }, NULL },
	/* forced header, forced data */
	{ "1,2\n3,4\n", 0, 1, NULL, 1, 2, 1, { 3, 4 }, { 2 }, NULL },
	{ "a,b\n1,2\n", 0, 0, NULL, 0, 2, 0, { 0 }, { 0 },
	  ":1: column 1: \"a\" is not a number" },
	/* columns by name, index and range, in the order given */
	{ "p,q,r\n1,2,3\n", 0, -1, "r,1", 1, 2, 1, { 3, 1 }, { 2 }, NULL },
	{ "p,q,r\n1,2,3\n", 0, -1, "2-3", 1, 2, 1, { 2, 3 }, { 2 }, NULL },
	/* a missing value in a column not selected is no error */
	{ "p,q\n1,NA\n", 0, -1, "p", 1, 1, 1, { 1 }, { 2 }, NULL },
	/* a first row of missing values is data, not a header */
	{ "NA,1\n", 0, -1, NULL, 0, 2, 0, { 0 }, { 0 },
	  ":1: column 1: \"NA\" is a missing value" },
	{ "a,b\n1,2\n\n# c\n3\n", 0, -1, NULL, 1, 2, 1, { 1, 2 }, { 2 },
	  ":4: expected 2 fields, found 1" },
	{ "a,b\n1,2\n3,x y\n", 0, -1, NULL, 1, 2, 1, { 1, 2 }, { 2 },
	  ":3: column 2 (\"b\"): \"x y\" is not a number" },
	{ "a\n1\n\"2\n", 0, -1, NULL, 1, 1, 1, { 1 }, { 2 },
	  ":3: unterminated quoted field" },
	{ "", 0, -1, NULL, 0, 0, 0, { 0 }, { 0 }, "no data rows" },
	{ "# only a comment\n\n", 0, -1, NULL, 0, 0, 0, { 0 }, { 0 },
	  "no data rows" },
	{ "a,b\n", 0, -1, NULL, 0, 0, 0, { 0 }, { 0 }, "no data rows" },
	{ "a,b\n1,2\n", 0, -1, "c", 0, 0, 0, { 0 }, { 0 },
	  "no column named \"c\"" },
	{ "1,2\n", 0, -1, "a", 0, 0, 0, { 0 }, { 0 },
	  "is named but the input has no header" },
	{ "1,2\n", 0, -1, "3", 0, 0, 0, { 0 }, { 0 }, "out of range" },
	/* lines split without libcsv must split as it does: padding of
	 * spaces and tabs, a lone carriage return ending a record, a
	 * form feed that is a field, empty and trailing fields */
	{ " 1 ,\t2\t\n  3,4  \r\n", 0, -1, NULL, 0, 2, 2, { 1, 2, 3, 4 },
	  { 1, 2 }, NULL },
	{ "1,2\r3,4\n5,6\n", 0, -1, NULL, 0, 2, 3, { 1, 2, 3, 4, 5, 6 },
	  { 1, 1, 2 }, NULL },
	{ "x\n1\n\f\n", 0, -1, NULL, 1, 1, 1, { 1 }, { 2 },
	  ":3: column 1 (\"x\"): \"\f\" is not a number" },
	{ "a,b\n1,2\n3, \n", 0, -1, NULL, 1, 2, 1, { 1, 2 }, { 2 },
	  ":3: column 2 (\"b\"): empty field" },
	{ "a,b\n1,2\n3,4,\n", 0, -1, NULL, 1, 2, 1, { 1, 2 }, { 2 },
	  ":3: expected 2 fields, found 3" },
	{ "1;2\n1 2;3\t\n", ';', -1, NULL, 0, 2, 1, { 1, 2 }, { 1 },
	  ":2: column 1: \"1 2\" is not a number" },
	{ "a\tb\n\t 2 \n", '\t', -1, NULL, 1, 2, 0, { 0 }, { 0 },
	  ":2: column 1 (\"a\"): empty field" },
	{ "a\tb\n\t1\t 2 \n", '\t', -1, NULL, 1, 2, 0, { 0 }, { 0 },
	  ":2: expected 2 fields, found 3" },
	/* a quoted field begun after a lone CR runs on over whole lines
	 * that libcsv, not the split, must read (found by fuzz_csvin), and
	 * its record begins on the CR's line whatever the buffer size */
	{ "x\n1\r\"2\n3\n4\"\n", 0, -1, NULL, 1, 1, 1, { 1 }, { 2 },
	  ":2: column 1 (\"x\"): \"2\n3\n4\" is not a number" },
	{ "x\n1\r2\r\n\n3\r\n", 0, -1, NULL, 1, 1, 2, { 1, 2 },
	  { 2, 2 }, ":3: column 1 (\"x\"): empty field" },
	{ "x,y\n1,1\r2,2\r\n\n3,3\r\n", 0, -1, NULL, 1, 2, 3,
	  { 1, 1, 2, 2, 3, 3 }, { 2, 2, 4 }, NULL },
};

static void
check_numbers(void)
{
	static const struct { const char *s; int ok; double v; } t[] = {
		{ "0", 1, 0 }, { "-1.5", 1, -1.5 }, { "+2", 1, 2 },
		{ ".5", 1, 0.5 }, { "5.", 1, 5 }, { "1e3", 1, 1000 },
		{ "1E-3", 1, 0.001 }, { "1e-320", 1, 1e-320 },
		{ "0.1", 1, 0.1 }, { "123456789012345678", 1,
		  123456789012345678.0 },
		{ "", 0, 0 }, { "NA", 0, 0 }, { "nan", 0, 0 }, { "-Inf", 0, 0 },
		{ "1e999", 0, 0 }, { "0x10", 0, 0 }, { "1,5", 0, 0 },
		{ "e5", 0, 0 }, { "1e", 0, 0 }, { ".", 0, 0 }, { "--1", 0, 0 },
		{ "1 2", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		double v = -99;
		const char *why;
		int r = gmm_csvin_parse_number(t[i].s, &v, &why);

		CHECK((r == 0) == t[i].ok, "\"%s\": %s", t[i].s, why);
		if (t[i].ok)
			CHECK(v == t[i].v, "\"%s\" read as %.17g", t[i].s, v);
	}
}

/*
 * Blank lines among the data are counted with their lines, or returned in
 * place with keep_blank; the comment option skips its lines anywhere.
 * Every buffer size, both read paths.
 */
static void
check_blank_and_comment(void)
{
	static const char text[] = "# lead\n\na,b\n\n1,2\n;x\n \t\n3,4\r\n"
	    "\r\n;y\n\n";
	/* rows and blanks in input order: 0 a row, 1 a blank line */
	static const int order[] = { 1, 0, 1, 0, 1, 1 };
	static const size_t blank_lines[] = { 4, 7, 9, 11 };
	size_t len = strlen(text);

	write_file(text, len);
	for (size_t b = 0; b <= len + 1; b++) {
		for (int keep = 0; keep <= 1; keep++) {
			struct gmm_csvin_options o = { .delim = ',',
				.header = -1, .read_size = b, .comment = ';',
				.keep_blank = keep, .libcsv_only = b == 0 };
			struct gmm_error err;
			struct gmm_csvin *in = gmm_csvin_open(tmp, &o, &err);
			const size_t *lines;
			size_t got = 0, nl = 0, rows = 0, total;
			double row[2];
			int r, same = 1;

			if (in == NULL) {
				CHECK(0, "buffer %zu: %s", b, err.msg);
				continue;
			}
			while ((r = gmm_csvin_read_row(in, row, &err)) > 0) {
				if (keep)
					same &= got < 6 &&
					    order[got] == (r == GMM_CSVIN_BLANK);
				else
					same &= r == 1;
				rows += r == 1;
				got++;
			}
			total = gmm_csvin_blank_lines(in, &lines, &nl);
			CHECK(r == 0 && rows == 2 && same &&
			    got == (keep ? 6u : 2u),
			    "buffer %zu keep %d: %zu rows, %zu records, %s", b,
			    keep, rows, got, r < 0 ? err.msg : "in order?");
			CHECK(total == 4 && nl == 4 && memcmp(lines,
			    blank_lines, sizeof(blank_lines)) == 0,
			    "buffer %zu keep %d: %zu blank lines, first at %zu",
			    b, keep, total, nl ? lines[0] : 0);
			gmm_csvin_close(in);
		}
	}
	/* without the option, the ';' lines are data: an error at line 6 */
	{
		struct gmm_csvin_options o = { .delim = ',', .header = -1 };
		struct gmm_error err;
		struct gmm_csvin *in = gmm_csvin_open(tmp, &o, &err);
		double row[2];
		int r = 0;

		while (in != NULL && (r = gmm_csvin_read_row(in, row, &err)) > 0)
			;
		CHECK(in != NULL && r < 0 && strcmp(err.where, tmp) != 0 &&
		    strstr(err.where, ":6") != NULL,
		    "no --comment: line 6 is data: %s: %s", err.where, err.msg);
		gmm_csvin_close(in);
	}
}

/* Open text[0..len) with options o: the reader, or NULL with err. */
static struct gmm_csvin *
open_text(const char *text, size_t len, const struct gmm_csvin_options *o,
    struct gmm_error *err)
{
	write_file(text, len);
	return gmm_csvin_open(tmp, o, err);
}

/* Read every row; the status of the last read (0 or -1). */
static int
drain(struct gmm_csvin *in, struct gmm_error *err)
{
	double row[8];
	int r;

	while ((r = gmm_csvin_read_row(in, row, err)) > 0)
		;
	return r;
}

/*
 * A NUL byte in a field is an error naming line and column (in a header,
 * in a data field, selected or not, on both read paths); duplicate header
 * names select nothing by name and are refused among a model's columns.
 */
static void
check_nul_and_names(void)
{
	static const struct { const char *text; size_t len; const char *cols;
	    const char *want; } nul[] = {
#define TEXT(s) s, sizeof(s) - 1
		{ TEXT("x,y\n1\0000.5,2\n3,4\n"), NULL, ":2: column 1: a NUL" },
		{ TEXT("x\0junk,y\n1,2\n"), NULL, ":1: column 1: a NUL" },
		{ TEXT("x,y\n1,2\n3,\"4\0\"\n"), NULL, ":3: column 2: a NUL" },
		{ TEXT("x,y\n1,2\n3\0,4\n"), "y", ":3: column 1: a NUL" },
#undef TEXT
	};
	struct gmm_error err;
	struct gmm_csvin *in;

	for (size_t i = 0; i < sizeof(nul) / sizeof(nul[0]); i++) {
		for (int lo = 0; lo <= 1; lo++) {
			struct gmm_csvin_options o = { .delim = ',',
				.header = -1, .columns = nul[i].cols,
				.libcsv_only = lo };
			char full[800];
			int r = -1;

			in = open_text(nul[i].text, nul[i].len, &o, &err);
			if (in != NULL)
				r = drain(in, &err);
			snprintf(full, sizeof(full), "%s: %s", err.where,
			    err.msg);
			CHECK(r < 0 && strstr(full, nul[i].want) != NULL,
			    "NUL case %zu, libcsv only %d: %s", i, lo,
			    r < 0 ? full : "read");
			gmm_csvin_close(in);
		}
	}
	{
		struct gmm_csvin_options o = { .delim = ',', .header = -1 };
		static char *const names[] = { "b", "a" };

		in = open_text("a,a,b\n1,2,3\n", 12, &o, &err);
		CHECK(in != NULL && gmm_csvin_check_names(in, &err) < 0 &&
		    strstr(err.msg, "columns 1 and 2 are both named \"a\"") !=
		    NULL, "duplicate names among the selected: %s", err.msg);
		CHECK(in != NULL && gmm_csvin_match(in, names, 2, &err) < 0 &&
		    strstr(err.msg, "columns 1 and 2 are both named \"a\"") !=
		    NULL, "an ambiguous name matches nothing: %s", err.msg);
		gmm_csvin_close(in);
		o.columns = "2,3";
		in = open_text("a,a,b\n1,2,3\n", 12, &o, &err);
		CHECK(in != NULL && gmm_csvin_check_names(in, &err) == 0,
		    "a selection by index avoids the duplicate");
		gmm_csvin_close(in);
		o.columns = "a";
		in = open_text("a,a,b\n1,2,3\n", 12, &o, &err);
		CHECK(in == NULL && strstr(err.msg, "both named") != NULL,
		    "-c by an ambiguous name: %s", in ? "accepted" : err.msg);
		gmm_csvin_close(in);
		o.columns = NULL;
		in = open_text("a,b,c\n1,2,3\n", 12, &o, &err);
		CHECK(in != NULL && gmm_csvin_match(in, names, 2, &err) == 0 &&
		    gmm_csvin_colindex(in, 0) == 2 &&
		    gmm_csvin_colindex(in, 1) == 1 &&
		    gmm_csvin_has_column(in, "c") &&
		    !gmm_csvin_has_column(in, "d"),
		    "match by name, in the model's order");
		gmm_csvin_close(in);
	}
}

/*
 * Long fields and lines cost O(log n) buffer growths (issue 21): a field
 * of 1 MiB through libcsv's buffer, and a line of 1 MiB (2^19 fields, all
 * selected) through the record, its offsets and the column selection.
 * Linear growth by libcsv's 128-byte blocks would take 8192 calls; each
 * doubling takes 20.  Both read paths and two read sizes.
 */
static void
check_long(void)
{
	const size_t mib = (size_t)1 << 20, nf = mib / 2;
	char *text = malloc(2 * mib + 16);
	double *row = malloc(nf * sizeof(double));

	for (int libcsv_only = 0; libcsv_only <= 1; libcsv_only++) {
		for (size_t rs = 4096; rs <= 65536; rs *= 16) {
			struct gmm_csvin_options o = { .delim = ',',
				.header = -1, .read_size = rs,
				.libcsv_only = libcsv_only };
			struct gmm_error err;
			struct gmm_csvin *in;
			size_t len;

			/* a header of one 1 MiB name (minus 16), then a row */
			len = mib - 16;
			memset(text, 'a', len);
			memcpy(text + len, ",b\n1,2\n", 8);
			write_file(text, len + 8);
			in = gmm_csvin_open(tmp, &o, &err);
			CHECK(in != NULL && gmm_csvin_read_row(in, row, &err)
			    == 1 && strlen(gmm_csvin_colname(in, 0)) == len,
			    "1 MiB field, read size %zu: %s", rs,
			    in ? "wrong" : err.msg);
			if (in != NULL)
				CHECK(gmm_csvin_grow_calls(in) <= 40,
				    "1 MiB field, read size %zu, libcsv only %d:"
				    " %zu buffer growths", rs, libcsv_only,
				    gmm_csvin_grow_calls(in));
			gmm_csvin_close(in);

			/* one row of 2^19 fields "1," ... "1\n" */
			for (size_t i = 0; i < nf; i++)
				memcpy(text + 2 * i, "1,", 2);
			text[2 * nf - 1] = '\n';
			write_file(text, 2 * nf);
			in = gmm_csvin_open(tmp, &o, &err);
			CHECK(in != NULL && gmm_csvin_ncols(in) == nf &&
			    gmm_csvin_read_row(in, row, &err) == 1 &&
			    row[nf - 1] == 1, "1 MiB line, read size %zu: %s",
			    rs, in ? "wrong" : err.msg);
			if (in != NULL)
				CHECK(gmm_csvin_grow_calls(in) <= 40,
				    "1 MiB line, read size %zu, libcsv only %d:"
				    " %zu buffer growths", rs, libcsv_only,
				    gmm_csvin_grow_calls(in));
			gmm_csvin_close(in);
		}
	}
	/* the cap stays: a field over 1 MiB is an error, not a read */
	memset(text, 'a', mib + 100);
	memcpy(text + mib + 100, ",b\n1,2\n", 8);
	write_file(text, mib + 108);
	{
		struct gmm_csvin_options o = { .delim = ',', .header = -1 };
		struct gmm_error err;
		struct gmm_csvin *in = gmm_csvin_open(tmp, &o, &err);

		CHECK(in == NULL && strstr(err.msg, "field longer than") != NULL,
		    "a field over the cap: %s", in ? "read" : err.msg);
		gmm_csvin_close(in);
	}
	free(text);
	free(row);
}

/*
 * Shares (gmm_csvin_share(), fit --mpi): for cut points 0 = t0 <= t1 <=
 * ... <= of, the shares (t_i, t_i+1, of) read every row exactly once, in
 * order (the first share with the file's line numbers; the others count
 * lines from their start, which only errors make the file's), however
 * small a share (one that
 * ends inside the first data row takes none of it: the share that begins
 * at 0 has it) and whatever the read buffer's size.
 */
static void
check_shares(void)
{
	enum { N = 60 };
	char text[4096];
	size_t len = (size_t)snprintf(text, sizeof(text), "a,b\n");
	static const unsigned long long ofs[] = { 1, 2, 3, 7, 64, 1000,
		123456789ULL, 4000000000000ULL };
	unsigned long long seed = 12345;

	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%d,%d\n", i, i * i * 37);
	write_file(text, len);
	for (size_t o = 0; o < sizeof(ofs) / sizeof(ofs[0]); o++) {
		unsigned long long of = ofs[o];

		for (int trial = 0; trial < 12; trial++) {
			unsigned long long cut[9];
			size_t nc = (size_t)trial % 8 + 1, bufsize = trial % 3 ?
			    (size_t)trial + 1 : 65536;
			int next = 0, ok = 1;

			/* nc shares: random cuts, sorted (insertion) */
			cut[0] = 0;
			cut[nc] = of;
			for (size_t c = 1; c < nc; c++) {
				seed = seed * 6364136223846793005ULL +
				    1442695040888963407ULL;
				cut[c] = (seed >> 11) % (of + 1);
				if (trial == 11)	/* tiny shares */
					cut[c] = c < of ? c : of;
				for (size_t e = c; e > 1 && cut[e] < cut[e - 1];
				    e--) {
					unsigned long long t = cut[e];

					cut[e] = cut[e - 1];
					cut[e - 1] = t;
				}
			}
			for (size_t c = 0; c < nc && ok; c++) {
				struct gmm_csvin_options opt = { .delim = ',',
					.header = 1, .read_size = bufsize };
				struct gmm_error err;
				struct gmm_csvin *in = gmm_csvin_open(tmp, &opt,
				    &err);
				double row[2];
				int r;

				ok = in != NULL && gmm_csvin_share(in, cut[c],
				    cut[c + 1], of, &err) == 0;
				while (ok && (r = gmm_csvin_read_row(in, row,
				    &err)) > 0) {
					ok = row[0] == next && (c > 0 ||
					    gmm_csvin_line(in) ==
					    (size_t)next + 2);
					next++;
				}
				ok = ok && r == 0;
				gmm_csvin_close(in);
			}
			CHECK(ok && next == N, "of %llu, %zu shares, buffer "
			    "%zu: rows 0 .. %d read, want %d", of, nc, bufsize,
			    next, N);
		}
	}
}

int
main(void)
{
	int fd = mkstemp(tmp);

	if (fd < 0)
		return 2;
	close(fd);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		read_all_sizes(&cases[i]);
	check_numbers();
	check_blank_and_comment();
	check_nul_and_names();
	check_long();
	check_shares();
	unlink(tmp);
	return check_done("test_csvin");
}
