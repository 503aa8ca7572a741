/*
 * rows.h: a reference CSV file's rows as one row-major array, for the
 * tests that compare against tests/ref (test_ref, test_mclust).  Exits
 * with status 2 when the file cannot be read: a broken test set-up, not
 * a failed check.
 */
#ifndef GMM_TEST_ROWS_H
#define GMM_TEST_ROWS_H

#include <stdio.h>
#include <stdlib.h>

#include "io/csvin.h"

/* The rows of path (n x d, row-major) in a new array. */
static double *
read_rows(const char *path, size_t *n, size_t *d)
{
	struct gmm_csvin_options o = { .delim = ',', .header = -1 };
	struct gmm_error err;
	struct gmm_csvin *in = gmm_csvin_open(path, &o, &err);
	struct gmm_data data;
	double *x;

	if (in == NULL || gmm_csvin_read_data(in, &data, NULL, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(2);
	}
	*n = data.n;
	*d = data.d;
	x = malloc(data.n * data.d * sizeof(double));
	if (x == NULL)
		exit(2);
	for (size_t i = 0; i < data.n; i++)
		gmm_data_row(&data, i, x + i * data.d);
	gmm_data_release(&data);
	gmm_csvin_close(in);
	return x;
}

#endif
