/*
 * gmm: Gaussian mixture models from the shell.  This file only dispatches:
 * one sorted table of subcommands, --help and --version, and the final
 * check that everything written to stdout reached it.
 */
#include <errno.h>
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

struct gmm_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct gmm_command commands[] = {
	{ "fit",      cmd_fit,      "estimate a mixture from CSV rows" },
	{ "impute",   cmd_impute,   "fill in missing values; predict columns" },
	{ "sample",   cmd_sample,   "draw rows from a model" },
	{ "score",    cmd_score,    "per-row log-density, labels, responsibilities" },
	{ "select-k", cmd_select_k, "fit a range of k and compare by BIC/AIC" },
	{ "show",     cmd_show,     "print a model as text or JSON" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: gmm COMMAND [options] [args]\n"
	    "       gmm --help | --version\n\n"
	    "Gaussian mixture models for CSV data.  Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'gmm COMMAND --help' and 'man gmm-COMMAND' say more.\n");
}

/*
 * Everything printed must have reached stdout: a full disk is an error.  A
 * reader that went away (EPIPE: `gmm score ... | head`) is not.
 */
static int
close_stdout(const char *cmd, int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (errno == EPIPE || status != 0)
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
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return close_stdout(name,
			    commands[i].fn(argc - 1, argv + 1));
	{
		const char *names[sizeof(commands) / sizeof(commands[0])];
		const char *hint;

		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]);
		    i++)
			names[i] = commands[i].name;
		hint = gmm_text_closest(name, names,
		    sizeof(names) / sizeof(names[0]));
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
