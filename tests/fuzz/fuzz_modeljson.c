/*
 * libFuzzer target: the JSON model loader.  Whatever the text, decoding
 * returns a valid prepared model or an error.  A model that decodes is
 * printed as `gmm show --json` prints it and read back: the two must encode
 * to the same binary model, so JSON export loses nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "io/modelfile.h"
#include "same_model.h"

static void
roundtrip(const struct gmm_model *m)
{
	struct gmm_model *again = NULL;
	struct gmm_error err;
	size_t jlen;
	char *json;
	FILE *f;

	if ((f = open_memstream(&json, &jlen)) == NULL)
		return;
	gmm_modelfile_write_json(f, m);
	if (fclose(f) != 0)
		return;
	if (gmm_modelfile_decode_json((unsigned char *)json, jlen, "again",
	    &again, &err) < 0)
		abort();
	abort_unless_same(m, again);
	free(json);
	gmm_model_free(again);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gmm_model *m = NULL;
	struct gmm_error err;

	gsl_set_error_handler_off();
	if (gmm_modelfile_decode_json(data, size, "fuzz", &m, &err) < 0)
		return 0;
	roundtrip(m);
	gmm_model_free(m);
	return 0;
}
