#include "base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* At most this many draws a second. */
#define STATUS_HZ 10

static struct {
	int on;
	int drawn;		/* a line is on the screen */
	double start, last;
} st;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void
gmm_status_enable(int quiet)
{
	const char *term = getenv("TERM");

	st.on = !quiet && isatty(STDERR_FILENO) && term != NULL &&
	    strcmp(term, "dumb") != 0;
	st.drawn = 0;
	st.start = now();
	st.last = -1;
}

int
gmm_status_on(void)
{
	return st.on;
}

double
gmm_status_elapsed(void)
{
	return now() - st.start;
}

/* Columns of the terminal; 80 when it does not say. */
static size_t
width(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
	return 80;
}

void
gmm_status_draw(int force, const char *fmt, ...)
{
	char line[512];
	size_t w;
	double t;
	va_list ap;

	if (!st.on)
		return;
	t = now();
	if (!force && st.last >= 0 && t - st.last < 1.0 / STATUS_HZ)
		return;
	st.last = t;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w = width() - 1;	/* the cursor's column stays on the line */
	if (strlen(line) > w)
		line[w] = '\0';
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	st.drawn = 1;
}

void
gmm_status_clear(void)
{
	if (!st.drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	st.drawn = 0;
}
