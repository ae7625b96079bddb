// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: command line interface to zcopy.
 *
 * Subcommands and their options live in one table; dispatch, getopt_long
 * tables and every help text are built from it. Exit codes: 0 success,
 * 1 the operation failed (the kernel's error and extack message are
 * printed), 2 usage error, 3 the data received differs from the expected.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>

#include "zcopyctl.h"

static const struct zc_cmd zc_cmds[] = {
	{
		.name = "send",
		.args = "HOST:PORT|--fd N FILE[:OFFSET[:LEN]]...",
		.help = "send a header and file extents in one zero-copy transfer",
		.desc =
"Connects to HOST:PORT (IPv4, IPv6 as [ADDR]:PORT, or a name) or uses the\n"
"connected TCP socket inherited as --fd N, and sends the optional header\n"
"(from a pinned zcopy pool) followed by each FILE extent, as one stream,\n"
"through the netlink XFER_START operation (--ioctl: ZCOPY_IOC_SEND).\n"
"Short sends are resumed. Then waits for the completions and reports\n"
"bytes sent, zero-copy and copied bytes, why bytes were copied, elapsed\n"
"time and throughput. OFFSET and LEN take K, M, G suffixes (powers of\n"
"1024); LEN defaults to the rest of the file. zcopy only sends to TCP\n"
"sockets, so unix:PATH is refused.",
		.opts = zc_send_opts,
		.run = cmd_send,
	},
	{
		.name = "recv",
		.args = "[HOST:]PORT|--fd N",
		.help = "accept one TCP connection, receive to EOF, verify",
		.desc =
"Listens on PORT (0: the kernel picks one, printed on stderr and written\n"
"to --ready-file), accepts one connection (or reads the socket inherited\n"
"as --fd N, listening or connected) until EOF, and compares the bytes\n"
"with the concatenation of every --expect-text and --expect-file, in\n"
"order, or with --expect-sha256. Exit status 3 on a mismatch. Does not\n"
"need zcopy.ko.",
		.opts = zc_recv_opts,
		.run = cmd_recv,
	},
	{
		.name = "stats",
		.args = "",
		.help = "module-wide counters",
		.desc =
"Reads the module-wide counters (STATS_GET). Any user may. With --watch,\n"
"repeats every SECS seconds with the change since the previous sample.",
		.opts = zc_stats_opts,
		.run = cmd_stats,
	},
	{
		.name = "pools",
		.args = "",
		.help = "list registered pools",
		.desc =
"Lists the pools of this network namespace (POOL_GET dump): one's own,\n"
"or everybody's with CAP_NET_ADMIN.",
		.opts = zc_pools_opts,
		.run = cmd_pools,
	},
	{
		.name = "monitor",
		.args = "",
		.help = "print transfer and pool events as they happen",
		.desc =
"Joins the \"events\" multicast group (needs CAP_NET_ADMIN) and prints one\n"
"line per event (xfer-done, send-failed, pool-new, pool-del) of this\n"
"network namespace, until SIGINT or SIGTERM, --count events or --timeout.",
		.opts = zc_monitor_opts,
		.run = cmd_monitor,
	},
	{
		.name = "reset",
		.args = "",
		.help = "zero the event counters, restart the peak (CAP_NET_ADMIN)",
		.desc =
"Zeroes the event counters (STATS_RESET); pinned_pages_peak restarts\n"
"from the pages pinned now. The gauges (pools, pinned_pages, outstanding)\n"
"describe the present and stay.",
		.opts = zc_reset_opts,
		.run = cmd_reset,
	},
	{
		.name = "info",
		.args = "",
		.help = "module version, ABI, features, operations, limits",
		.desc =
"Module version, ABI version and features (INFO_GET), the operations and\n"
"multicast groups the loaded module registered, and the limits of\n"
"ZCOPY_IOC_QUERY when /dev/zcopy can be opened.",
		.opts = zc_info_opts,
		.run = cmd_info,
	},
	{
		.name = "bench",
		.args = "",
		.help = "compare sending techniques: throughput, CPU, syscalls, copies",
		.desc =
"Sends the same payload over TCP to a receiver (a child process, in\n"
"--receiver-netns if given) through each technique side by side:\n"
"read+write, mmap+write, sendfile, splice, hdr+sendfile (MSG_MORE),\n"
"MSG_ZEROCOPY, io_uring-zc (SEND_ZC, registered buffers), zcopy-file,\n"
"zcopy-pool, zcopy-hdr+file, and write (pool workload). The receiver\n"
"checks every request against a hash of the payload. Reports per\n"
"technique throughput, the sender's CPU seconds per GiB, system calls and\n"
"context switches per request, completions (zero-copy/copied) and, with\n"
"kprobes in tracefs, the bytes the CPU copied per payload byte in the\n"
"sender, the receiver and softirq context (a separate pass, so the\n"
"probes do not slow the timed one). Workloads: bulk (one file),\n"
"small (header + 4-64 KiB body, many requests), pool (memory bodies of\n"
"--pool-sizes, zcopy-pool once per --copy-threshold). Needs root for\n"
"tracefs, /dev/zcopy and setns; a technique that cannot run is\n"
"skipped with the reason. Absolute times under emulation mean little:\n"
"compare ratios within one run.",
		.opts = zc_bench_opts,
		.run = cmd_bench,
	},
	{
		.name = "help",
		.args = "[COMMAND]",
		.help = "this help, or the help of COMMAND",
		.run = NULL,
	},
};

#define ZC_NCMDS (sizeof(zc_cmds) / sizeof(zc_cmds[0]))

static const struct zc_opt zc_common_opts[] = {
	{ "json", 'j', NULL, "JSON output (as the global -j)" },
	{ "help", 'h', NULL, "this command's help" },
	{ NULL, 0, NULL, NULL },
};

static void zc_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: zcopyctl [OPTIONS] COMMAND [COMMAND OPTIONS] [ARGS]\n\n"
		"options:\n"
		"  -j, --json      JSON output: raw numbers, stable field names\n"
		"  -d, --debug     show the netlink messages and ioctls on stderr\n"
		"  -h, --help      this help\n"
		"  -V, --version   print the zcopyctl version\n\n"
		"commands:\n");
	for (i = 0; i < ZC_NCMDS; i++)
		fprintf(f, "  %-8s %s\n", zc_cmds[i].name, zc_cmds[i].help);
	fprintf(f,
		"\n'zcopyctl help COMMAND' or 'zcopyctl COMMAND --help' for a "
		"command's arguments.\n"
		"exit status: 0 success, 1 operation failed, 2 usage error, "
		"3 verification mismatch (recv)\n");
}

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

static void zc_cmd_help(FILE *f, const struct zc_cmd *c)
{
	const struct zc_opt *o;

	fprintf(f, "usage: zcopyctl %s%s%s%s\n\n%s.\n", c->name,
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

static const struct zc_cmd *zc_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ZC_NCMDS; i++)
		if (!strcmp(name, zc_cmds[i].name))
			return &zc_cmds[i];
	return NULL;
}

static void zc_vmsg(struct zc_ctx *ctx, const char *kind, const char *fmt,
		    va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "zcopyctl: ");
	if (ctx && ctx->cmd)
		fprintf(stderr, "%s: ", ctx->cmd->name);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void zc_err(struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zc_vmsg(ctx, NULL, fmt, ap);
	va_end(ap);
}

void zc_warn(struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zc_vmsg(ctx, "warning", fmt, ap);
	va_end(ap);
}

void zc_debug(struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx->debug)
		return;
	va_start(ap, fmt);
	fflush(stdout);
	fprintf(stderr, "debug: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* A usage error: the message, a pointer to the help, exit status 2. */
int zc_usage_error(struct zc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zc_vmsg(ctx, NULL, fmt, ap);
	va_end(ap);
	if (ctx->cmd && ctx->cmd->run)
		fprintf(stderr, "Try 'zcopyctl %s --help'.\n", ctx->cmd->name);
	else
		fprintf(stderr, "Try 'zcopyctl --help'.\n");
	return EXIT_USAGE;
}

void zc_getopt_init(struct zc_ctx *ctx, struct zc_getopt *g)
{
	const struct zc_opt *lists[2] = { ctx->cmd->opts, zc_common_opts };
	const struct zc_opt *o;
	size_t n = 0, s = 0, i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 2; i++)
		for (o = lists[i]; o && o->name; o++)
			n++;
	g->lopts = calloc(n + 1, sizeof(*g->lopts));
	if (!g->lopts) {
		perror("zcopyctl");
		exit(EXIT_FAIL);
	}
	/* ':' first: a missing argument returns ':', not '?'. */
	g->sopts[s++] = ':';
	n = 0;
	for (i = 0; i < 2; i++) {
		for (o = lists[i]; o && o->name; o++) {
			g->lopts[n].name = o->name;
			g->lopts[n].has_arg = o->arg ? required_argument :
						       no_argument;
			g->lopts[n].val = o->val;
			n++;
			if (o->val < 256 && s + 3 < sizeof(g->sopts)) {
				g->sopts[s++] = (char)o->val;
				if (o->arg)
					g->sopts[s++] = ':';
			}
		}
	}
	g->sopts[s] = '\0';
	optind = 0;		/* full re-initialisation of GNU getopt */
	opterr = 0;		/* we print our own messages */
}

/*
 * The next option of a subcommand. Handles -h (prints the help) and -j;
 * returns ZC_OPT_EXIT with g->exit set when the caller must return.
 */
int zc_getopt_next(struct zc_ctx *ctx, struct zc_getopt *g, int argc,
		   char **argv)
{
	int c, idx = -1;

	for (;;) {
		c = getopt_long(argc, argv, g->sopts, g->lopts, &idx);
		switch (c) {
		case 'j':
			ctx->json = true;
			continue;
		case 'h':
			zc_cmd_help(stdout, ctx->cmd);
			g->exit = EXIT_OK;
			return ZC_OPT_EXIT;
		case ':':
			g->exit = zc_usage_error(ctx, "option '%s' needs an argument",
						 argv[optind - 1]);
			return ZC_OPT_EXIT;
		case '?':
			if (optopt && optopt < 256)
				g->exit = zc_usage_error(ctx, "unknown option '-%c'",
							 optopt);
			else
				g->exit = zc_usage_error(ctx, "unknown option '%s'",
							 argv[optind - 1]);
			return ZC_OPT_EXIT;
		default:
			return c;
		}
	}
}

void zc_getopt_free(struct zc_getopt *g)
{
	free(g->lopts);
	g->lopts = NULL;
}

static int zc_help(struct zc_ctx *ctx, int argc, char **argv)
{
	const struct zc_cmd *c;

	if (argc < 2) {
		zc_usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2)
		return zc_usage_error(ctx, "takes at most one COMMAND");
	c = zc_find_cmd(argv[1]);
	if (!c) {
		ctx->cmd = NULL;
		zc_err(ctx, "unknown command '%s'", argv[1]);
		zc_usage(stderr);
		return EXIT_USAGE;
	}
	if (!c->run)
		zc_usage(stdout);
	else
		zc_cmd_help(stdout, c);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct zc_ctx ctx = { 0 };
	const struct zc_cmd *cmd;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'd':
			ctx.debug = true;
			break;
		case 'h':
			zc_usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("zcopyctl %s (uapi ABI %d)\n", ZCOPYCTL_VERSION,
			       ZCOPY_ABI_VERSION);
			return EXIT_OK;
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "zcopyctl: unknown option '-%c'\n\n",
					optopt);
			else
				fprintf(stderr, "zcopyctl: unknown option '%s'\n\n",
					argv[optind - 1]);
			zc_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "zcopyctl: no command given\n\n");
		zc_usage(stderr);
		return EXIT_USAGE;
	}
	cmd = zc_find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "zcopyctl: unknown command '%s'\n\n",
			argv[optind]);
		zc_usage(stderr);
		return EXIT_USAGE;
	}
	ctx.cmd = cmd;
	if (!cmd->run)
		return zc_help(&ctx, argc - optind, argv + optind);

	/* Commands parse their options, then connect (zc_nl_connect()). */
	ret = cmd->run(&ctx, argc - optind, argv + optind);
	if (ctx.sk)
		nl_socket_free(ctx.sk);
	return ret;
}
