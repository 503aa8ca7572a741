/*
 * outfile: where an output named by -o goes, decided before the work and
 * written without destroying what the path points at.
 *
 * gmm_outfile_prepare() looks at the path before a command reads its input
 * or fits, so that an output that cannot be written fails at once, not
 * after the fit.  What the path names decides how it is written:
 *
 * - "-", /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N: that
 *   open descriptor, written in place (`-o >(gzip > m.gz)` is /dev/fd/N).
 * - A symbolic link is followed, link by link (40 at most), to its final
 *   target, existing or not, which is then taken as below: the link stays.
 * - An existing file that is not a regular file (a character or block
 *   device, a FIFO): opened when the output is written and written in
 *   place, never replaced.  Atomicity is impossible there.  A directory or
 *   a socket is refused.
 * - A regular file, or no file: replaced atomically (write_atomic(): an
 *   unnamed temporary file in the target's directory, synced, then given
 *   the name), so the path holds the old file or the whole new one at
 *   every instant.  A file that was there keeps its permission bits, and
 *   its owner and group where the process may set them.  Other hard links
 *   to the old file keep the old content.
 *
 * Refused at prepare, with a message naming the path: the input file
 * itself as output (same device and inode; input "-" is standard input),
 * a missing directory, a directory that cannot be written, a device or
 * FIFO that cannot be opened for writing, a descriptor that is not open.
 *
 * Functions return 0, or -1 with err set; none prints.
 */
#ifndef GMM_OUTFILE_H
#define GMM_OUTFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

enum gmm_outfile_kind {
	GMM_OUT_FD,		/* an open descriptor: fd */
	GMM_OUT_IN_PLACE,	/* an existing device or FIFO: target */
	GMM_OUT_ATOMIC		/* a regular file or none: target */
};

struct gmm_outfile {
	char *name;		/* as given, for messages ("<stdout>": "-") */
	char *target;		/* the path written: links followed */
	enum gmm_outfile_kind kind;
	int fd;			/* GMM_OUT_FD */
};

/*
 * Decide where path goes and check it can be written; input is the path
 * of the command's input ("-": standard input), or NULL when it has none.
 */
int gmm_outfile_prepare(struct gmm_outfile *o, const char *path,
    const char *input, struct gmm_error *err);

/* After gmm_outfile_prepare(): one more input (a command that reads
 * several) that the output must not be.  0, or -1 with err set. */
int gmm_outfile_check_input(const struct gmm_outfile *o, const char *input,
    struct gmm_error *err);

/* 1 when the output is a terminal (a binary model is refused there). */
int gmm_outfile_is_tty(const struct gmm_outfile *o);

/* 1 when the output is this process's standard output. */
int gmm_outfile_is_stdout(const struct gmm_outfile *o);

/* Write buf[0..len) as decided by gmm_outfile_prepare(). */
int gmm_outfile_write(const struct gmm_outfile *o, const unsigned char *buf,
    size_t len, struct gmm_error *err);

void gmm_outfile_release(struct gmm_outfile *o);

#endif
