/*
 * The check both model fuzz targets end with: two models, one decoded from
 * the other's encoding, must encode to the same bytes; abort() otherwise.
 */
#ifndef GMM_FUZZ_SAME_MODEL_H
#define GMM_FUZZ_SAME_MODEL_H

#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"

static void
abort_unless_same(const struct gmm_model *a, const struct gmm_model *b)
{
	struct gmm_error err;
	unsigned char *ea, *eb;
	size_t la, lb;

	if (gmm_modelfile_encode(a, &ea, &la, &err) < 0)
		return;		/* out of memory: nothing to compare */
	if (gmm_modelfile_encode(b, &eb, &lb, &err) == 0) {
		if (la != lb || memcmp(ea, eb, la) != 0)
			abort();
		free(eb);
	}
	free(ea);
}

#endif
