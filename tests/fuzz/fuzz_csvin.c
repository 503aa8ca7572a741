/*
 * libFuzzer target: the CSV reader, with header detection and column
 * selection.  The first input byte picks the options (delimiter, header
 * mode, a column list, a buffer size); the rest is the file, read through
 * a memfd, with small buffers so that every refill path runs or with the
 * default one so that whole lines meet the split that bypasses libcsv.
 * The input's length picks whether missing values are allowed and which
 * tokens mark them (the rows with one are grouped by pattern at the end:
 * engine/data.h).  The file is read twice, the second time with every
 * line through libcsv, and both reads must give the same rows (their
 * places in the input too) or the same error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/csvin.h"

static const char *const lists[] = { NULL, "1", "2-3", "a,1", "b,c",
	"3,1,2", "x", "1-1000" };

struct outcome {
	int rc;
	double *x;
	size_t n, d, *place;
	struct gmm_error err;
};

static void
read_file(const char *path, const struct gmm_csvin_options *o,
    struct outcome *out)
{
	struct gmm_csvin *in;
	struct gmm_data data;

	memset(out, 0, sizeof(*out));
	in = gmm_csvin_open(path, o, &out->err);
	if (in == NULL) {
		out->rc = -2;
		return;
	}
	out->d = gmm_csvin_ncols(in);
	out->rc = gmm_csvin_read_data(in, &data, NULL, &out->err);
	out->n = data.n;
	out->x = malloc(data.n * data.d * sizeof(double) + 1);
	out->place = malloc(data.n * sizeof(size_t) + 1);
	if (out->x == NULL || out->place == NULL)
		abort();
	for (size_t i = 0; i < data.n; i++) {
		gmm_data_row(&data, i, out->x + i * data.d);
		out->place[i] = gmm_data_file_row(&data, i);
		if (out->place[i] >= data.rows_read ||
		    (i > 0 && i < data.complete &&
		    out->place[i] <= out->place[i - 1]))
			abort();
	}
	gmm_data_release(&data);
	gmm_csvin_close(in);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gmm_csvin_options o = { .delim = ',', .header = -1,
		.read_size = 7 };
	struct outcome a, b;
	char path[64];
	int fd;

	if (size < 1)
		return 0;
	o.delim = data[0] & 1 ? '\t' : ',';
	o.header = (int)((data[0] >> 1) % 3) - 1;
	o.columns = lists[(data[0] >> 3) & 7];
	o.read_size = (data[0] >> 6) == 3 ? 0 : 1 + (data[0] >> 6) * 5;
	o.missing = size & 1;
	o.na = size & 2 ? "?,x" : NULL;
	fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	read_file(path, &o, &a);
	o.libcsv_only = 1;
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	read_file(path, &o, &b);
	if (a.rc != b.rc)
		abort();
	if (a.rc == 0 && (a.n != b.n || a.d != b.d || (a.n > 0 &&
	    (memcmp(a.x, b.x, a.n * a.d * sizeof(double)) != 0 ||
	    memcmp(a.place, b.place, a.n * sizeof(size_t)) != 0))))
		abort();
	if (a.rc != 0 && (strcmp(a.err.where, b.err.where) != 0 ||
	    strcmp(a.err.msg, b.err.msg) != 0))
		abort();
	free(a.x);
	free(b.x);
	free(a.place);
	free(b.place);
	close(fd);
	return 0;
}
