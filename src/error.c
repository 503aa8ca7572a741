#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

int
gmm_error_nomem(struct gmm_error *err)
{
	gmm_error_set(err, NULL, 0, "out of memory");
	if (err != NULL)
		err->nomem = 1;
	return -1;
}

void
gmm_report(const char *cmd, const struct gmm_error *err)
{
	if (err->where[0] != '\0')
		fprintf(stderr, "gmm %s: %s: %s\n", cmd, err->where, err->msg);
	else
		fprintf(stderr, "gmm %s: %s\n", cmd, err->msg);
}

void
gmm_warn(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gmm %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
gmm_bug(const char *file, int line, const char *msg)
{
	fprintf(stderr, "gmm: BUG: %s:%d: %s\n", file, line, msg);
	abort();
}
