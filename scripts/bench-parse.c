/*
 * bench-parse: read a CSV file with gmm's own reader and do nothing else,
 * for the bare-parse line of scripts/bench.  Prints the rows, the columns
 * and the sum of every value, so that no read can be optimised away.
 *
 *   build/bench-parse FILE
 */
#include <stdio.h>
#include <stdlib.h>

#include "io/csvin.h"

int
main(int argc, char **argv)
{
	struct gmm_csvin_options o = { .delim = ',', .header = -1 };
	struct gmm_error err;
	struct gmm_csvin *in;
	double *row, sum = 0;
	size_t n = 0, d;
	int r;

	if (argc != 2) {
		fputs("usage: bench-parse FILE\n", stderr);
		return 2;
	}
	in = gmm_csvin_open(argv[1], &o, &err);
	if (in == NULL) {
		fprintf(stderr, "bench-parse: %s: %s\n", err.where, err.msg);
		return 1;
	}
	d = gmm_csvin_ncols(in);
	row = malloc(d * sizeof(double));
	if (row == NULL)
		return 1;
	while ((r = gmm_csvin_read_row(in, row, &err)) == 1) {
		for (size_t j = 0; j < d; j++)
			sum += row[j];
		n++;
	}
	if (r < 0) {
		fprintf(stderr, "bench-parse: %s: %s\n", err.where, err.msg);
		return 1;
	}
	printf("%zu rows, %zu columns, sum %.17g\n", n, d, sum);
	free(row);
	gmm_csvin_close(in);
	return 0;
}
