/*
 * error: the one shape of a gmm diagnostic.
 *
 * Modules below the command layer never print and never exit: they fill a
 * caller-provided struct gmm_error and return a negative value.  The command
 * then reports it once, through gmm_report(), as
 *
 *	gmm fit: data.csv:17: column 3 ("x"): "abc" is not a number
 *
 * The struct owns no heap memory: it can live on the stack and be reused.
 * What is printed is escaped (text.h): a message may quote a field.
 */
#ifndef GMM_ERROR_H
#define GMM_ERROR_H

#include <stddef.h>

#define GMM_ERROR_MAX 512

struct gmm_error {
	char where[256];	/* "file" or "file:line", empty when none */
	char msg[GMM_ERROR_MAX];
	int nomem;		/* 1 when the error is "out of memory" */
};

/*
 * Record an error about `file` (may be NULL) at `line` (0: no line).
 * Always returns -1 so that the error path is one statement.
 */
int gmm_error_set(struct gmm_error *err, const char *file, size_t line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * An error that names no file is about file: name it (a fit's "rescale
 * it" or "out of memory" is about the data it was reading).
 */
void gmm_error_about(struct gmm_error *err, const char *file);

/* Record "out of memory" (no file) and set err->nomem; returns -1. */
int gmm_error_nomem(struct gmm_error *err);

/* Print "gmm <cmd>: <where>: <msg>" on stderr. */
void gmm_report(const char *cmd, const struct gmm_error *err);

/* Print "gmm <cmd>: <msg>" on stderr, for messages that have no file. */
void gmm_warn(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * The one failure a pass over rows cannot return: reading back a file
 * this process wrote failed (engine/data.h).  Print "gmm: <where>: <msg>"
 * and exit with status 1.
 */
void gmm_fatal(const struct gmm_error *err) __attribute__((noreturn));
/* Impossible states only: print file:line and abort. */
#define GMM_BUG(msg) gmm_bug(__FILE__, __LINE__, (msg))
void gmm_bug(const char *file, int line, const char *msg)
    __attribute__((noreturn));

#endif
