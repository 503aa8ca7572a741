/*
 * libFuzzer target: the binary model loader.  Most mutations would only
 * break the CRC-32 and stop at that check, so the target writes the right
 * checksum into the last four bytes first: the decoder proper sees every
 * header, size and parameter the fuzzer invents.  A model that decodes is
 * encoded and decoded again to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "io/modelfile.h"
#include "same_model.h"

/* Encoded, decoded again: the same model. */
static void
roundtrip(const struct gmm_model *m)
{
	struct gmm_model *again = NULL;
	struct gmm_error err;
	unsigned char *buf;
	size_t len;

	if (gmm_modelfile_encode(m, &buf, &len, &err) < 0)
		return;
	if (gmm_modelfile_decode(buf, len, "again", &again, &err) < 0)
		abort();
	abort_unless_same(m, again);
	free(buf);
	gmm_model_free(again);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct gmm_model *m = NULL;
	struct gmm_error err;
	unsigned char *buf;
	uint32_t crc;

	gsl_set_error_handler_off();
	if (size < 8 + 4 || (buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, GMM_MODEL_MAGIC, 8);
	memcpy(buf + 8, data + 8, size - 8);
	crc = gmm_crc32(buf, size - 4);
	for (int i = 0; i < 4; i++)
		buf[size - 4 + i] = (unsigned char)(crc >> (8 * i));
	if (gmm_modelfile_decode(buf, size, "fuzz", &m, &err) == 0) {
		roundtrip(m);
		gmm_model_free(m);
	}
	free(buf);
	return 0;
}
