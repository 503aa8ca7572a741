/*
 * libFuzzer target: the option-value parsers (-k lists, counts, reals,
 * covariance names).  They only parse; diagnostics go to stderr, which the
 * fuzzer silences.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t *ks = NULL, nk = 0, v;
	double r;
	enum gmm_cov_type t;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (gmm_parse_k_list("fuzz", s, &ks, &nk) == 0) {
		for (size_t i = 0; i < nk; i++)
			if (ks[i] < 1)
				abort();
		free(ks);
	}
	(void)gmm_parse_count("fuzz", "-n", s, 0, SIZE_MAX, &v);
	(void)gmm_parse_count("fuzz", "-n", s, 1, 4294967295u, &v);
	(void)gmm_parse_real("fuzz", "--tol", s, 0, &r);
	(void)gmm_cov_type_parse(s, &t);
	free(s);
	return 0;
}
