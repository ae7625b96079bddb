// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl and zcopy-bench: the command table's help, option parsing (one
 * place allocates and frees, for every command) and messages.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct zc_opt zc_common_opts[] = {
	{ "json", 'j', NULL, "JSON output (as the global -j)" },
	{ "pretty", 'p', NULL, "JSON output, indented (as the global -p)" },
	{ "help", 'h', NULL, "this command's help" },
	{ NULL, 0, NULL, NULL },
};

/* "  -x, --long ARG   help text", the text wrapped at 79 columns. */
static void zc_opt_help(FILE *f, const struct zc_opt *o)
{
	const int indent = 27, width = 79;
	const char *p = o->help;
	char left[64];
	int col;

	if (o->val < 256)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->val, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	col = fprintf(f, "  %-*s", indent - 3, left);
	if (col >= indent) {
		fprintf(f, "\n%*s", indent - 1, "");
	}
	col = indent - 1;
	while (*p) {
		int w = (int)strcspn(p, " ");

		if (col + 1 + w > width && col > indent - 1) {
			fprintf(f, "\n%*s", indent - 1, "");
			col = indent - 1;
		}
		fprintf(f, " %.*s", w, p);
		col += 1 + w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void zc_cmd_help(const struct zc_cli *cli, FILE *f, const struct zc_cmd *c)
{
	const struct zc_opt *o;

	fprintf(f, "usage: %s%s%s%s%s%s\n\n%s.\n", cli->prog,
		c->name ? " " : "", c->name ? c->name : "",
		c->opts ? " [OPTIONS]" : "", c->args[0] ? " " : "", c->args,
		c->help);
	if (c->desc)
		fprintf(f, "\n%s\n", c->desc);
	if (!c->opts)
		return;
	fprintf(f, "\noptions:\n");
	for (o = c->opts; o->name; o++)
		zc_opt_help(f, o);
	for (o = zc_common_opts; o->name; o++)
		zc_opt_help(f, o);
}

static void zc_vmsg(struct zc_cli *cli, const char *kind, const char *fmt,
		    va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "%s: ", cli->prog);
	if (cli->cmd && cli->cmd->name)
		fprintf(stderr, "%s: ", cli->cmd->name);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void zc_err(struct zc_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zc_vmsg(cli, NULL, fmt, ap);
	va_end(ap);
}

void zc_warn(struct zc_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zc_vmsg(cli, "warning", fmt, ap);
	va_end(ap);
}

void zc_debug(struct zc_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (!cli->debug)
		return;
	va_start(ap, fmt);
	fflush(stdout);
	fprintf(stderr, "debug: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A usage error: the message, a pointer to the help, exit status 2. */
int zc_usage_error(struct zc_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zc_vmsg(cli, NULL, fmt, ap);
	va_end(ap);
	if (cli->cmd && cli->cmd->name && cli->cmd->run)
		fprintf(stderr, "Try '%s %s --help'.\n", cli->prog,
			cli->cmd->name);
	else
		fprintf(stderr, "Try '%s --help'.\n", cli->prog);
	return EXIT_USAGE;
}

static void zc_getopt_init(struct zc_cli *cli)
{
	const struct zc_opt *lists[2] = { cli->cmd->opts, zc_common_opts };
	const struct zc_opt *o;
	size_t n = 0, s = 0, i;

	for (i = 0; i < 2; i++)
		for (o = lists[i]; o && o->name; o++)
			n++;
	cli->lopts = calloc(n + 1, sizeof(*cli->lopts));
	if (!cli->lopts) {
		perror(cli->prog);
		exit(EXIT_FAIL);
	}
	/* ':' first: a missing argument returns ':', not '?'. */
	cli->sopts[s++] = ':';
	n = 0;
	for (i = 0; i < 2; i++) {
		for (o = lists[i]; o && o->name; o++) {
			cli->lopts[n].name = o->name;
			cli->lopts[n].has_arg = o->arg ? required_argument :
						       no_argument;
			cli->lopts[n].val = o->val;
			n++;
			if (o->val < 256 && s + 3 < sizeof(cli->sopts)) {
				cli->sopts[s++] = (char)o->val;
				if (o->arg)
					cli->sopts[s++] = ':';
			}
		}
	}
	cli->sopts[s] = '\0';
	optind = 0;		/* full re-initialisation of GNU getopt */
	opterr = 0;		/* we print our own messages */
}

/* The next option of the running command: see cli.h. */
int zc_getopt(struct zc_cli *cli, int argc, char **argv)
{
	int c, idx = -1;

	if (!cli->lopts)
		zc_getopt_init(cli);

	for (;;) {
		c = getopt_long(argc, argv, cli->sopts, cli->lopts, &idx);
		switch (c) {
		case 'j':
			cli->json = true;
			zc_print_set_json(true, false);
			continue;
		case 'p':
			cli->json = true;
			zc_print_set_json(true, true);
			continue;
		case 'h':
			zc_cmd_help(cli, stdout, cli->cmd);
			cli->exit = EXIT_OK;
			return ZC_OPT_EXIT;
		case ':':
			cli->exit = zc_usage_error(cli, "option '%s' needs an argument",
						 argv[optind - 1]);
			return ZC_OPT_EXIT;
		case '?':
			if (optopt && optopt < 256)
				cli->exit = zc_usage_error(cli, "unknown option '-%c'",
							 optopt);
			else
				cli->exit = zc_usage_error(cli, "unknown option '%s'",
							 argv[optind - 1]);
			return ZC_OPT_EXIT;
		default:
			return c;
		}
	}
}

int zc_cli_run(struct zc_cli *cli, const struct zc_cmd *cmd, int argc,
	       char **argv)
{
	int ret;

	cli->cmd = cmd;
	ret = cmd->run(cli, argc, argv);
	free(cli->lopts);
	cli->lopts = NULL;
	return ret;
}

/* After the options: none left, or the usage error for the first one. */
int zc_no_operands(struct zc_cli *cli, int argc, char **argv)
{
	if (optind < argc)
		return zc_usage_error(cli, "takes no arguments ('%s')",
				      argv[optind]);
	return 0;
}

/* The argument of a count option (--count N): a positive number. */
int zc_opt_count(struct zc_cli *cli, const char *arg, uint64_t *v)
{
	if (zc_parse_u64(arg, v) || !*v)
		return zc_usage_error(cli, "--count '%s': expected a positive number",
				      arg);
	return 0;
}
