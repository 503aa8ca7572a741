/*
 * modelfile: models on disk, binary (man/gmm-model.5) or JSON.
 *
 * gmm_modelfile_read() accepts either form, told apart by its first bytes
 * (JSON starts with '{' after white space; binary with the magic number;
 * anything else is refused before more is read), and checks everything
 * before it trusts it: magic, version (a newer one is refused), reserved
 * fields (zero), the header's length against the file's (no more than
 * the header's length is read), CRC-32, the sections (each once, within
 * the file, of the size k and d imply; an unknown one refused unless its
 * tag says it may be skipped), the parameters themselves
 * (gmm_model_validate()), the training record (gmm_training_check()).
 * JSON keys may not repeat.
 *
 * gmm_modelfile_write() writes the binary form to an output that
 * gmm_outfile_prepare() checked: a regular file atomically (on any failure
 * the target is untouched), a device, FIFO or descriptor in place
 * (outfile.h).
 *
 * Models returned are new and prepared; the caller frees them.
 */
#ifndef GMM_MODELFILE_H
#define GMM_MODELFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/error.h"
#include "engine/model.h"
#include "io/outfile.h"

/* The binary form (man/gmm-model.5): version 2 is written, 1 and 2 are
 * read.  Version 2 is a header and tagged sections, so that a later model
 * or family adds a section, not a new layout. */
#define GMM_MODEL_VERSION 2
#define GMM_MODEL_MAGIC "\x89GMM\r\n\x1a\n"
#define GMM_MODEL_HEADER_SIZE 24	/* magic, version, flags, length */
#define GMM_MODEL_SECTION_HEAD 12	/* tag, body length */
#define GMM_MODEL_V1_HEADER_SIZE 48
#define GMM_MODEL_TRAINING_SIZE 80	/* the training record's fields */
/* The JSON form's own version ("version" in it), which the binary
 * form's version 2 left unchanged. */
#define GMM_MODEL_JSON_VERSION 1

/* Largest model file read: a model of maximal k and d is far smaller. */
#define GMM_MODEL_FILE_MAX ((size_t)1 << 30)
/*
 * Largest JSON model read: jansson holds about 20 bytes per byte of text,
 * so 64 MiB of JSON costs about 1.3 GB while it is decoded.  A larger
 * model is read in its binary form (`gmm show --json` writes any size).
 */
#define GMM_MODEL_JSON_MAX ((size_t)64 << 20)

int gmm_modelfile_read(const char *path, struct gmm_model **out,
    struct gmm_error *err);
int gmm_modelfile_write(const struct gmm_outfile *o, const struct gmm_model *m,
    struct gmm_error *err);

/* The binary form in a new buffer (caller frees) and its length. */
int gmm_modelfile_encode(const struct gmm_model *m, unsigned char **buf,
    size_t *len, struct gmm_error *err);
/* Decode a buffer (binary or JSON); name is used in messages. */
int gmm_modelfile_decode(const unsigned char *buf, size_t len,
    const char *name, struct gmm_model **out, struct gmm_error *err);

/* JSON as `gmm show --json` prints it. */
void gmm_modelfile_write_json(FILE *f, const struct gmm_model *m);
int gmm_modelfile_decode_json(const unsigned char *buf, size_t len,
    const char *name, struct gmm_model **out, struct gmm_error *err);

/*
 * The training record of a model read from a file, when present: its
 * log-likelihoods, BIC and AIC finite, reg_covar and tol finite and not
 * negative; with allow_missing (JSON), NaN stands for a field left out.
 */
int gmm_training_check(const struct gmm_training *t, int allow_missing,
    const char *name, struct gmm_error *err);

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of buf. */
uint32_t gmm_crc32(const unsigned char *buf, size_t len);

#endif
