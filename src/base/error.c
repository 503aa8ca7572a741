#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/status.h"
#include "base/text.h"

int
gmm_error_set(struct gmm_error *err, const char *file, size_t line,
    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->nomem = 0;
	if (file != NULL && line > 0)
		snprintf(err->where, sizeof(err->where), "%s:%zu", file, line);
	else if (file != NULL)
		snprintf(err->where, sizeof(err->where), "%s", file);
	else
		err->where[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
gmm_error_about(struct gmm_error *err, const char *file)
{
	if (err->where[0] == '\0' && file != NULL)
		snprintf(err->where, sizeof(err->where), "%s", file);
}

int
gmm_error_nomem(struct gmm_error *err)
{
	gmm_error_set(err, NULL, 0, "out of memory");
	if (err != NULL)
		err->nomem = 1;
	return -1;
}

/* Messages quote what was read: escaped (text.h) so no byte of it can
 * steer the terminal. */
void
gmm_report(const char *cmd, const struct gmm_error *err)
{
	gmm_status_clear();
	fprintf(stderr, "gmm %s: ", cmd);
	if (err->where[0] != '\0') {
		gmm_text_put(stderr, err->where);
		fputs(": ", stderr);
	}
	gmm_text_put(stderr, err->msg);
	fputc('\n', stderr);
}

void
gmm_warn(const char *cmd, const char *fmt, ...)
{
	char msg[GMM_ERROR_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gmm_status_clear();
	fprintf(stderr, "gmm %s: ", cmd);
	gmm_text_put(stderr, msg);
	fputc('\n', stderr);
}

void
gmm_fatal(const struct gmm_error *err)
{
	gmm_status_clear();
	fputs("gmm: ", stderr);
	if (err->where[0] != '\0') {
		gmm_text_put(stderr, err->where);
		fputs(": ", stderr);
	}
	gmm_text_put(stderr, err->msg);
	fputc('\n', stderr);
	exit(1);
}

void
gmm_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "gmm: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}
