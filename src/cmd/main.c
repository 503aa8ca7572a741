/*
 * gmm: Gaussian mixture models from the shell.  This file only dispatches:
 * on the sorted table of subcommands (commands.c), --help and --version,
 * and the final check that everything written to stdout reached it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cmd/cmd.h"
#include "base/text.h"

#ifndef GMM_VERSION
#define GMM_VERSION "0.1.0"
#endif

/* OpenBLAS: our threads split rows, so BLAS itself runs on one. */
void openblas_set_num_threads(int);

static void
usage(FILE *f)
{
	fprintf(f, "usage: gmm COMMAND [options] [args]\n"
	    "       gmm --help | --version\n\n"
	    "Gaussian mixture models for CSV data.  Commands:\n");
	for (size_t i = 0; gmm_commands[i] != NULL; i++)
		fprintf(f, "  %-10s %s\n", gmm_commands[i]->name,
		    gmm_commands[i]->summary);
	fprintf(f, "\n'gmm COMMAND --help' and 'man gmm-COMMAND' say more.\n");
}

/*
 * Whether stdout is a pipe or socket whose reader has gone: poll() says
 * POLLERR there.  errno cannot say it once the failed write is past (a
 * later call, a number parsed, may have set it), so a reader that left
 * during the run was sometimes taken for a write error.
 */
static int
reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

/*
 * Everything printed must have reached stdout: a full disk is an error.  A
 * reader that went away (EPIPE: `gmm score ... | head`) is not.
 */
static int
close_stdout(const char *cmd, int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE || status != 0 || reader_gone())
			return status;	/* a gone reader; or already reported */
		fprintf(stderr, "%s%s: write error on stdout: %s\n",
		    cmd ? "gmm " : "gmm", cmd ? cmd : "", strerror(errno));
		return GMM_EXIT_DATA;
	}
	return status;
}

int
main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	gsl_set_error_handler_off();
	openblas_set_num_threads(1);
	signal(SIGPIPE, SIG_IGN);
	if (name == NULL) {
		usage(stderr);
		return GMM_EXIT_USAGE;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return close_stdout(NULL, 0);
	}
	if (strcmp(name, "--version") == 0) {
		printf("gmm %s\n", GMM_VERSION);
		return close_stdout(NULL, 0);
	}
	for (size_t i = 0; gmm_commands[i] != NULL; i++)
		if (strcmp(name, gmm_commands[i]->name) == 0)
			return close_stdout(name,
			    gmm_commands[i]->run(argc - 1, argv + 1));
	{
		const char *names[16];
		const char *hint;
		size_t n = 0;

		for (; gmm_commands[n] != NULL && n < 16; n++)
			names[n] = gmm_commands[n]->name;
		hint = gmm_text_closest(name, names, n);
		fputs("gmm: '", stderr);
		gmm_text_put(stderr, name);
		if (hint != NULL)
			fprintf(stderr, "' is not a command; did you mean '%s'? "
			    "(see 'gmm --help')\n", hint);
		else
			fputs("' is not a command; see 'gmm --help'\n", stderr);
	}
	return GMM_EXIT_USAGE;
}
