/*
 * gmm completion bash|zsh|fish: a shell completion script, written from
 * the command table (cmd.h: struct gmm_cmd, gmm_commands) and each
 * command's option table, so a new command or option completes without a
 * second edit.  What an option's value completes to is said here, by the
 * option's long name (covariance names come from the covariance table).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "engine/covmodel.h"

static const char usage_text[] = "usage: gmm completion bash|zsh|fish\n";

static const char help_text[] =
    "Print a completion script for the shell: subcommands, options,\n"
    "option values (covariance names, criteria, ...) and files (models\n"
    "for MODEL, CSV for FILE).  Load it with, for bash,\n"
    "  source <(gmm completion bash)\n"
    "or install it where the shell looks (make install does).\n\n"
    "  -h, --help          this help\n";

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int cmd_completion(int argc, char **argv);

const struct gmm_cmd gmm_cmd_completion = {
	.name = "completion", .summary = "print a shell completion script",
	.run = cmd_completion, .longopts = longopts,
	.shortopts = "h",
	.operands = { GMM_OPERAND_SHELL, GMM_OPERAND_END },
};

/* What an option's value completes to. */
enum value_kind { VALUE_NONE, VALUE_WORDS, VALUE_FILE, VALUE_MODEL };

struct value {
	const char *opt;	/* long name, or the short letter as "o" */
	enum value_kind kind;
	const char *words;	/* VALUE_WORDS, and before VALUE_MODEL's
				 * files */
};

static const struct value values[] = {
	{ "criterion", VALUE_WORDS, "bic aic icl" },
	{ "init", VALUE_MODEL, "kmeans kmeans++ random smallem hc resp: "
	    "labels:" },
	{ "prior", VALUE_WORDS, "none conjugate" },
	{ "family", VALUE_WORDS, "gaussian t" },
	{ "missing", VALUE_WORDS, "allow error" },
	{ "delimiter", VALUE_WORDS, ", tab" },
	{ "d", VALUE_WORDS, ", tab" },
	{ "o", VALUE_FILE, NULL },
};

/* The covariance names, ours then mclust's, in buf; select-k also takes
 * all and sklearn. */
static const char *
covariance_words(const struct gmm_cmd *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < GMM_N_COVROWS; i++) {
			const struct gmm_covmodel *cm = &gmm_covmodels[i];
			const char *w = pass == 0 ? cm->name : cm->mclust;

			if (pass == 1 && strcmp(w, cm->name) == 0)
				continue;	/* named once */
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
			    len ? " " : "", w);
		}
	if (strcmp(c->name, "select-k") == 0)
		snprintf(buf + len, size - len, " all sklearn");
	return buf;
}

/* opt's value completion for command c. */
static struct value
value_of(const struct gmm_cmd *c, const char *opt, char *buf, size_t size)
{
	struct value v = { opt, VALUE_NONE, NULL };

	if (strcmp(opt, "covariance") == 0) {
		v.kind = VALUE_WORDS;
		v.words = covariance_words(c, buf, size);
		return v;
	}
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (strcmp(values[i].opt, opt) == 0)
			return values[i];
	return v;
}

/* The short options of c that take a value, as "k" strings, in turn. */
static int
short_takes_value(const struct gmm_cmd *c, char letter)
{
	const char *p = strchr(c->shortopts, letter);

	return p != NULL && p[1] == ':';
}

/*
 * An option of a command as the scripts see it: "-k" or "--covariance",
 * whether it takes a value, and what that value completes to.
 */
struct opt {
	char flag[64];
	int takes_value;
	struct value value;
};

/* fn(c, option, arg) for each option of c, short ones first. */
static void
each_option(const struct gmm_cmd *c,
    void (*fn)(const struct gmm_cmd *c, const struct opt *o, void *arg),
    void *arg)
{
	char buf[1024];
	struct opt o;

	for (const char *p = c->shortopts; *p; p++) {
		char letter[16] = { *p, 0 };

		if (*p == ':')
			continue;
		snprintf(o.flag, sizeof(o.flag), "-%c", *p);
		o.takes_value = short_takes_value(c, *p);
		o.value = value_of(c, letter, buf, sizeof(buf));
		fn(c, &o, arg);
	}
	for (const struct option *l = c->longopts; l->name; l++) {
		snprintf(o.flag, sizeof(o.flag), "--%s", l->name);
		o.takes_value = l->has_arg == required_argument;
		o.value = value_of(c, l->name, buf, sizeof(buf));
		fn(c, &o, arg);
	}
}

static const char *
operand_name(enum gmm_operand o)
{
	switch (o) {
	case GMM_OPERAND_CSV:
		return "csv";
	case GMM_OPERAND_MODEL:
		return "model";
	case GMM_OPERAND_SHELL:
		return "shell";
	case GMM_OPERAND_PLOT:
		return "plot";
	default:
		return "none";
	}
}

/* The words `case` lists as one pattern: the value in bash's words. */
static void
bash_value(const struct value *v)
{
	switch (v->kind) {
	case VALUE_WORDS:
		printf("COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", v->words);
		break;
	case VALUE_FILE:
		fputs("_gmm_files any \"$cur\"", stdout);
		break;
	case VALUE_MODEL:
		printf("_gmm_files model \"$cur\"; COMPREPLY+=($(compgen -W "
		    "'%s' -- \"$cur\"))", v->words);
		break;
	default:
		fputs("COMPREPLY=()", stdout);
	}
}

/* An option's flag among the options (arg "all") or among those that
 * take a value (arg "valued"). */
static void
bash_flag(const struct gmm_cmd *c, const struct opt *o, void *arg)
{
	(void)c;
	if (strcmp(arg, "all") == 0 || o->takes_value)
		printf("%s ", o->flag);
}

/* The value of an option that takes one: its `case $prev` line. */
static void
bash_case(const struct gmm_cmd *c, const struct opt *o, void *arg)
{
	(void)c;
	(void)arg;
	if (!o->takes_value)
		return;
	printf("		%s) ", o->flag);
	bash_value(&o->value);
	puts("; return 0 ;;");
}

static void
bash(void)
{

	puts("# bash completion for gmm, written by `gmm completion bash` "
	    "from gmm's own\n# command and option tables.\n"
	    "_gmm_files() {	# KIND CUR: files for an operand or a value\n"
	    "	local IFS=$'\\n'	# file names may hold blanks\n"
	    "	case $1 in\n"
	    "	model) COMPREPLY=($(compgen -d -- \"$2\"; "
	    "compgen -f -X '!*.gmm' -- \"$2\";\n"
	    "	    compgen -f -X '!*.json' -- \"$2\")) ;;\n"
	    "	csv) COMPREPLY=($(compgen -d -- \"$2\"; "
	    "compgen -f -X '!*.csv' -- \"$2\";\n"
	    "	    compgen -f -X '!*.tsv' -- \"$2\"; "
	    "compgen -f -X '!*.txt' -- \"$2\")) ;;\n"
	    "	shell) COMPREPLY=($(IFS=' '; compgen -W 'bash zsh fish' -- "
	    "\"$2\")) ;;\n"
	    "	plot) COMPREPLY=($(IFS=' '; compgen -W '" GMM_PLOT_KINDS "' -- \"$2\")) ;;\n"
	    "	any) COMPREPLY=($(compgen -f -- \"$2\")) ;;\n"
	    "	*) COMPREPLY=() ;;\n"
	    "	esac\n"
	    "}\n"
	    "_gmm() {\n"
	    "	local cur=${COMP_WORDS[COMP_CWORD]} "
	    "prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "	local cmd=${COMP_WORDS[1]} opts args ops w i n=0 skip=0\n"
	    "	COMPREPLY=()\n"
	    "	if [ \"$COMP_CWORD\" -eq 1 ]; then");
	fputs("		COMPREPLY=($(compgen -W '", stdout);
	for (size_t i = 0; gmm_commands[i] != NULL; i++)
		printf("%s ", gmm_commands[i]->name);
	puts("--help --version' -- \"$cur\"))\n"
	    "		return 0\n"
	    "	fi\n"
	    "	case $cmd in");
	for (size_t i = 0; gmm_commands[i] != NULL; i++) {
		const struct gmm_cmd *c = gmm_commands[i];

		printf("	%s)\n		opts='", c->name);
		each_option(c, bash_flag, "all");
		fputs("'\n		args=' ", stdout);
		each_option(c, bash_flag, "valued");
		fputs("'\n		ops='", stdout);
		for (size_t j = 0; c->operands[j] != GMM_OPERAND_END; j++)
			printf("%s%s", j ? " " : "",
			    operand_name(c->operands[j]));
		puts("'\n		case $prev in");
		each_option(c, bash_case, NULL);
		puts("		esac\n		;;");
	}
	puts("	*) return 0 ;;\n"
	    "	esac\n"
	    "	if [[ $cur == -* ]]; then\n"
	    "		COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "		return 0\n"
	    "	fi\n"
	    "	# the operands before this word: what is left to complete\n"
	    "	for ((i = 2; i < COMP_CWORD; i++)); do\n"
	    "		w=${COMP_WORDS[i]}\n"
	    "		if [ $skip -eq 1 ]; then skip=0; continue; fi\n"
	    "		case \"$args\" in *\" $w \"*) skip=1; continue ;; esac\n"
	    "		case $w in -?*) continue ;; esac\n"
	    "		n=$((n + 1))\n"
	    "	done\n"
	    "	set -- $ops\n"
	    "	[ \"$n\" -lt $# ] || return 0\n"
	    "	shift \"$n\"\n"
	    "	_gmm_files \"$1\" \"$cur\"\n"
	    "}\n"
	    "complete -o filenames -F _gmm gmm");
}

/* A zsh action for a value: words, files or both. */
static void
zsh_value(const struct value *v)
{
	switch (v->kind) {
	case VALUE_WORDS:
		printf("(%s)", v->words);
		break;
	case VALUE_FILE:
		fputs("_files", stdout);
		break;
	case VALUE_MODEL:
		fputs("{_files -g \"*.(gmm|json)\"; compadd -- ", stdout);
		for (const char *p = v->words; *p; p++)
			fputs(*p == ':' ? "\\:" : (char[2]){ *p, 0 }, stdout);
		putchar('}');
		break;
	default:
		break;
	}
}

static const char *
zsh_operand(enum gmm_operand o)
{
	switch (o) {
	case GMM_OPERAND_CSV:
		return "csv:_files -g \"*.(csv|tsv|txt)\"";
	case GMM_OPERAND_MODEL:
		return "model:_files -g \"*.(gmm|json)\"";
	case GMM_OPERAND_PLOT:
		return "kind:(" GMM_PLOT_KINDS ")";
	default:
		return "shell:(bash zsh fish)";
	}
}

/* An option's _arguments spec: -k+:value:ACTION, --json. */
static void
zsh_spec(const struct gmm_cmd *c, const struct opt *o, void *arg)
{
	(void)c;
	(void)arg;
	printf(" \\\n			    '%s", o->flag);
	if (o->takes_value) {
		fputs(o->flag[1] == '-' ? "=:value:" : "+:value:", stdout);
		zsh_value(&o->value);
	}
	putchar('\'');
}

static void
zsh(void)
{

	puts("#compdef gmm\n"
	    "# zsh completion for gmm, written by `gmm completion zsh` from "
	    "gmm's own\n# command and option tables.\n"
	    "_gmm() {\n"
	    "	local curcontext=\"$curcontext\" state line\n"
	    "	typeset -A opt_args\n"
	    "	_arguments -C '1:command:->cmds' '*::arg:->args'\n"
	    "	case $state in\n"
	    "	cmds)\n"
	    "		local -a cmds\n"
	    "		cmds=(");
	for (size_t i = 0; gmm_commands[i] != NULL; i++)
		printf("			'%s:%s'\n", gmm_commands[i]->name,
		    gmm_commands[i]->summary);
	puts("		)\n"
	    "		_describe -t commands 'gmm command' cmds\n"
	    "		;;\n"
	    "	args)\n"
	    "		case $line[1] in");
	for (size_t i = 0; gmm_commands[i] != NULL; i++) {
		const struct gmm_cmd *c = gmm_commands[i];

		printf("		%s)\n			_arguments -s", c->name);
		each_option(c, zsh_spec, NULL);
		for (size_t j = 0; c->operands[j] != GMM_OPERAND_END; j++)
			printf(" \\\n			    '%zu:%s'", j + 1,
			    zsh_operand(c->operands[j]));
		puts("\n			;;");
	}
	puts("		esac\n"
	    "		;;\n"
	    "	esac\n"
	    "}\n"
	    "_gmm \"$@\"");
}

/* One fish `complete` line's value part. */
static void
fish_value(const struct value *v)
{
	switch (v->kind) {
	case VALUE_WORDS:
		printf(" -x -a '%s'", v->words);
		break;
	case VALUE_FILE:
		fputs(" -r -F", stdout);
		break;
	case VALUE_MODEL:
		printf(" -r -F -a '%s'", v->words);
		break;
	default:
		fputs(" -x", stdout);
	}
}

/* An option's `complete` line. */
static void
fish_line(const struct gmm_cmd *c, const struct opt *o, void *arg)
{
	(void)arg;
	printf("complete -c gmm -n '__fish_seen_subcommand_from %s' %s %s",
	    c->name, o->flag[1] == '-' ? "-l" : "-s",
	    o->flag + (o->flag[1] == '-' ? 2 : 1));
	if (o->takes_value)
		fish_value(&o->value);
	putchar('\n');
}

static void
fish(void)
{

	puts("# fish completion for gmm, written by `gmm completion fish` "
	    "from gmm's own\n# command and option tables.\n"
	    "complete -c gmm -f");
	for (size_t i = 0; gmm_commands[i] != NULL; i++)
		printf("complete -c gmm -n __fish_use_subcommand -a %s -d '%s'\n",
		    gmm_commands[i]->name, gmm_commands[i]->summary);
	for (size_t i = 0; gmm_commands[i] != NULL; i++) {
		const struct gmm_cmd *c = gmm_commands[i];
		const char *when = "complete -c gmm -n "
		    "'__fish_seen_subcommand_from";

		each_option(c, fish_line, NULL);
		if (c->operands[0] == GMM_OPERAND_SHELL)
			printf("%s %s' -a 'bash zsh fish'\n", when, c->name);
		else if (c->operands[0] == GMM_OPERAND_PLOT)
			printf("%s %s' -a '" GMM_PLOT_KINDS "' -F\n", when,
			    c->name);
		else if (c->operands[0] != GMM_OPERAND_END)
			printf("%s %s' -F\n", when, c->name);
	}
}

static int
cmd_completion(int argc, char **argv)
{
	int opt;

	while ((opt = gmm_getopt("completion", argc, argv,
	    gmm_cmd_completion.shortopts, longopts)) != -1) {
		if (opt == 'h') {
			printf("%s\n%s", usage_text, help_text);
			return 0;
		}
		return gmm_usage(usage_text);
	}
	if (gmm_operands("completion", argc - optind, argv + optind, 1, 1,
	    "SHELL") < 0)
		return gmm_usage(usage_text);
	if (strcmp(argv[optind], "bash") == 0)
		bash();
	else if (strcmp(argv[optind], "zsh") == 0)
		zsh();
	else if (strcmp(argv[optind], "fish") == 0)
		fish();
	else {
		gmm_warn("completion", "no completion for \"%s\": bash, zsh "
		    "or fish", argv[optind]);
		return gmm_usage(usage_text);
	}
	return 0;
}
