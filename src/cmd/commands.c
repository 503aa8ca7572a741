/*
 * commands: the table of subcommands, sorted by name, that main.c
 * dispatches on and `gmm completion` writes its scripts from (cmd.h).  A
 * new subcommand is a struct gmm_cmd in its own cmd_<name>.c and a line
 * here.
 */
#include "cmd/cmd.h"

const struct gmm_cmd *const gmm_commands[] = {
	&gmm_cmd_completion, &gmm_cmd_fit, &gmm_cmd_impute, &gmm_cmd_plot,
	&gmm_cmd_sample, &gmm_cmd_score, &gmm_cmd_select_k, &gmm_cmd_show,
	&gmm_cmd_threshold, NULL,
};
