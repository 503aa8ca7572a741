/*
 * libFuzzer target: a model file, binary or JSON, from bytes.  Whatever the
 * bytes, decoding returns a valid prepared model or an error; a model that
 * decodes is encoded and decoded again to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "modelfile.h"

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gmm_model *m = NULL, *again = NULL;
	struct gmm_error err;
	unsigned char *buf, *buf2;
	size_t len, len2;

	gsl_set_error_handler_off();
	if (gmm_modelfile_decode(data, size, "fuzz", &m, &err) < 0)
		return 0;
	if (gmm_modelfile_encode(m, &buf, &len, &err) == 0) {
		if (gmm_modelfile_decode(buf, len, "again", &again, &err) < 0)
			abort();
		if (gmm_modelfile_encode(again, &buf2, &len2, &err) == 0) {
			if (len2 != len || memcmp(buf, buf2, len) != 0)
				abort();
			free(buf2);
		}
		free(buf);
	}
	gmm_model_free(again);
	gmm_model_free(m);
	return 0;
}
