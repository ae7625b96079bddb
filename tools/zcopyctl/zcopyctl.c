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
		.name = "probe",
		.args = "HOST:PORT|--fd N",
		.help = "what a send on a connection's route would copy, and why",
		.desc =
"Connects to HOST:PORT (or uses the connected TCP socket inherited as\n"
"--fd N) and asks the module (ZCOPY_IOC_PROBE) what a send on it would\n"
"report, without sending: for pool segments, short pool segments and\n"
"file extents, zero copy or copied and why, decided by the code the send\n"
"path uses; and the route's device, MTU, MSS, GSO size and its\n"
"scatter-gather, GSO and TSO state. True for the route at the time of\n"
"the call: a later send on a changed route decides again.",
		.opts = zc_probe_opts,
		.run = cmd_probe,
	},
	{
		.name = "serve",
		.args = "",
		.help = "serve a directory over HTTP/1.1 (HTTPS with kTLS), zero-copy",
		.desc =
"A static file server: GET and HEAD of the regular files beneath --root,\n"
"keep-alive, one byte range (206, 416), If-Modified-Since (304), errors\n"
"400 403 404 405 414 416 431 505. Nothing outside the root is served:\n"
"\"..\" and NUL are refused, symbolic links that lead out answer 403.\n"
"Every response is one ZCOPY_IOC_SEND of a header from a pinned pool and\n"
"the file extent from the page cache, resumed when the socket was full.\n"
"With --tls, TLS 1.3 is negotiated by OpenSSL and the kernel encrypts\n"
"(kTLS): still no copy in user space. Runs until SIGINT or SIGTERM, then\n"
"waits for the last completions and prints what was sent, zero-copy and\n"
"copied, and why.",
		.opts = zc_serve_opts,
		.run = cmd_serve,
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
		.name = "help",
		.args = "[COMMAND]",
		.help = "this help, or the help of COMMAND",
		.run = NULL,		/* zc_help(), which reads this table */
	},
};

#define ZC_NCMDS (sizeof(zc_cmds) / sizeof(zc_cmds[0]))

static void zc_usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: zcopyctl [OPTIONS] COMMAND [COMMAND OPTIONS] [ARGS]\n\n"
		"options:\n"
		"  -j, --json      JSON output: raw numbers, stable field names\n"
		"  -p, --pretty    JSON output, indented\n"
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

static const struct zc_cmd *zc_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ZC_NCMDS; i++)
		if (!strcmp(name, zc_cmds[i].name))
			return &zc_cmds[i];
	return NULL;
}

static int zc_help(struct zc_cli *cli, int argc, char **argv)
{
	const struct zc_cmd *c;

	if (argc < 2) {
		zc_usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2)
		return zc_usage_error(cli, "takes at most one COMMAND");
	c = zc_find_cmd(argv[1]);
	if (!c) {
		cli->cmd = NULL;
		zc_err(cli, "unknown command '%s'", argv[1]);
		zc_usage(stderr);
		return EXIT_USAGE;
	}
	if (!c->run)
		zc_usage(stdout);
	else
		zc_cmd_help(cli, stdout, c);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct zc_ctx ctx = { .cli.prog = "zcopyctl" };
	const struct zc_cmd *cmd;
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+jpdhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.cli.json = true;
			zc_print_set_json(true, false);
			break;
		case 'p':
			ctx.cli.json = true;
			zc_print_set_json(true, true);
			break;
		case 'd':
			ctx.cli.debug = true;
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
	if (!cmd->run) {
		ctx.cli.cmd = cmd;
		return zc_help(&ctx.cli, argc - optind, argv + optind);
	}
	/* Commands parse their options, then connect (zc_nl_connect()). */
	ret = zc_cli_run(&ctx.cli, cmd, argc - optind, argv + optind);
	if (ctx.sk)
		nl_socket_free(ctx.sk);
	return ret;
}
