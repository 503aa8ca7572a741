/*
 * modelfile: models on disk, binary (man/gmm-model.5) or JSON.
 *
 * gmm_modelfile_read() accepts either form, told apart by content (JSON
 * starts with '{' after white space; binary with the magic number), and
 * checks everything before it trusts it: magic, version (a newer one is
 * refused), header sizes against the file length (before any allocation),
 * CRC-32, then the parameters themselves (gmm_model_validate()).
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

#include "error.h"
#include "model.h"
#include "outfile.h"

#define GMM_MODEL_VERSION 1
#define GMM_MODEL_MAGIC "\x89GMM\r\n\x1a\n"
#define GMM_MODEL_HEADER_SIZE 48
#define GMM_MODEL_TRAINING_SIZE 80

/* Largest model file read: a model of maximal k and d is far smaller. */
#define GMM_MODEL_FILE_MAX ((size_t)1 << 30)

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

/* CRC-32 (IEEE 802.3, as zlib's crc32()) of buf. */
uint32_t gmm_crc32(const unsigned char *buf, size_t len);

#endif
