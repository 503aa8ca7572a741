/*
 * libFuzzer target: the CSV reader, with header detection and column
 * selection.  The first input byte picks the options (delimiter, header
 * mode, a column list); the rest is the file, read through a memfd with a
 * small buffer so that every refill path runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csvin.h"

static const char *const lists[] = { NULL, "1", "2-3", "a,1", "b,c",
	"3,1,2", "x", "1-1000" };

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gmm_csvin_options o = { ',', -1, NULL, 7 };
	struct gmm_error err;
	struct gmm_csvin *in;
	char path[64];
	double *x = NULL;
	size_t n;
	int fd;

	if (size < 1)
		return 0;
	o.delim = data[0] & 1 ? '\t' : ',';
	o.header = (int)((data[0] >> 1) % 3) - 1;
	o.columns = lists[(data[0] >> 3) & 7];
	o.read_size = 1 + (data[0] >> 6) * 5;
	fd = memfd_create("fuzz", 0);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	in = gmm_csvin_open(path, &o, &err);
	if (in != NULL) {
		if (gmm_csvin_read_all(in, &x, &n, &err) == 0)
			free(x);
		gmm_csvin_close(in);
	}
	close(fd);
	return 0;
}
