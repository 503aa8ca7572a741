/*
 * status: one live line on standard error, redrawn in place, that shows a
 * long command's progress on a terminal (issue 19).
 *
 * It is drawn only when enabled by gmm_status_enable(): standard error is
 * a terminal, TERM is not "dumb", and the command has no -q.  Pipes and
 * files never see it.  A draw replaces the line ("\r", the text cut to
 * the terminal's width so that it never wraps, then erase to the end of
 * the line) at most ten times a second unless forced.  The line is erased
 * before anything else goes to standard error (gmm_warn() and
 * gmm_report() do it, and whoever prints there otherwise calls
 * gmm_status_clear() first) and at the end of the command.  One line per
 * process, drawn from the command's own thread.
 */
#ifndef GMM_STATUS_H
#define GMM_STATUS_H

/* Enable the line when standard error is a terminal and not quiet. */
void gmm_status_enable(int quiet);
/* 1 when the line is enabled. */
int gmm_status_on(void);
/* Seconds since gmm_status_enable(). */
double gmm_status_elapsed(void);
/* Draw the line (printf format); unless force, not within 0.1 s of the
 * last draw.  Nothing when not enabled. */
void gmm_status_draw(int force, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Erase the line if it is drawn. */
void gmm_status_clear(void);

#endif
