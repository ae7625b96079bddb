// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: command line interface to the zcopy generic netlink family.
 *
 * Subcommands live in one table; dispatch and --help come from it.
 * Exit codes: 0 success, 1 the operation failed (the kernel's error and
 * extack message are printed), 2 usage error.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <linux/netlink.h>
#include <linux/zcopy.h>

#define ZCOPYCTL_VERSION "0.1.0"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
};

struct zc_ctx {
	struct nl_sock *sk;
	int family;
	bool json;
};

struct zc_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(struct zc_ctx *ctx, int argc, char **argv);
};

/* Set by the error callback: the kernel's errno and extack message. */
struct zc_reply {
	int err;
	char extack[256];
	int (*parse)(struct zc_ctx *ctx, struct nlattr **tb);
	struct zc_ctx *ctx;
	struct nlattr *tb[ZCOPY_A_STATS_MAX + 1];
	int maxattr;
};

static int zc_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct zc_reply *r = arg;
	struct nlattr *attrs, *a;
	int len, rem;

	(void)nla;
	r->err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;

	attrs = (struct nlattr *)((char *)e + sizeof(*e));
	len = nlh->nlmsg_len - NLMSG_HDRLEN - sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		len -= e->msg.nlmsg_len - NLMSG_HDRLEN;
	nla_for_each_attr(a, attrs, len, rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(r->extack, sizeof(r->extack), "%s",
				 (char *)nla_data(a));
	}
	return NL_STOP;
}

static int zc_ack_cb(struct nl_msg *msg, void *arg)
{
	struct zc_reply *r = arg;

	(void)msg;
	r->err = 0;
	return NL_STOP;
}

static int zc_valid_cb(struct nl_msg *msg, void *arg)
{
	struct zc_reply *r = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	int ret;

	ret = nla_parse(r->tb, r->maxattr, genlmsg_attrdata(gh, 0),
			genlmsg_attrlen(gh, 0), NULL);
	if (ret < 0) {
		r->err = ret;
		return NL_STOP;
	}
	if (r->parse)
		r->err = r->parse(r->ctx, r->tb);
	return NL_OK;
}

/* Send @msg (consumed) and wait for the reply and the ACK. */
static int zc_transact(struct zc_ctx *ctx, struct nl_msg *msg,
		       struct zc_reply *r, const char *what)
{
	struct nl_cb *cb;
	int ret;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		fprintf(stderr, "zcopyctl: out of memory\n");
		return EXIT_FAIL;
	}
	r->err = 1;
	r->ctx = ctx;
	nl_cb_err(cb, NL_CB_CUSTOM, zc_err_cb, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, zc_ack_cb, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, zc_valid_cb, r);

	ret = nl_send_auto(ctx->sk, msg);
	nlmsg_free(msg);
	while (ret >= 0 && r->err > 0)
		ret = nl_recvmsgs(ctx->sk, cb);
	nl_cb_put(cb);

	if (ret < 0) {
		fprintf(stderr, "zcopyctl: %s: netlink: %s\n", what,
			nl_geterror(ret));
		return EXIT_FAIL;
	}
	if (r->err < 0) {
		fprintf(stderr, "zcopyctl: %s: %s%s%s\n", what,
			strerror(-r->err), r->extack[0] ? ": kernel says: " : "",
			r->extack);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static struct nl_msg *zc_msg(struct zc_ctx *ctx, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctx->family, 0,
				flags | NLM_F_ACK, cmd, ZCOPY_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if (!msg)
		fprintf(stderr, "zcopyctl: out of memory\n");
	return msg;
}

static int zc_info_print(struct zc_ctx *ctx, struct nlattr **tb)
{
	const char *ver = tb[ZCOPY_A_INFO_VERSION] ?
		nla_get_string(tb[ZCOPY_A_INFO_VERSION]) : "?";
	uint32_t abi = tb[ZCOPY_A_INFO_ABI] ?
		nla_get_u32(tb[ZCOPY_A_INFO_ABI]) : 0;
	uint64_t feat = tb[ZCOPY_A_INFO_FEATURES] ?
		nla_get_u64(tb[ZCOPY_A_INFO_FEATURES]) : 0;

	if (ctx->json)
		printf("{\"module_version\":\"%s\",\"abi_version\":%u,"
		       "\"features\":%" PRIu64 ",\"family_id\":%d}\n",
		       ver, abi, feat, ctx->family);
	else
		printf("module version  %s\nabi version     %u\n"
		       "features        0x%" PRIx64 "\nfamily id       %d\n",
		       ver, abi, feat, ctx->family);
	return 0;
}

static int cmd_info(struct zc_ctx *ctx, int argc, char **argv)
{
	struct zc_reply r = { .parse = zc_info_print,
			      .maxattr = ZCOPY_A_INFO_MAX };
	struct nl_msg *msg;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "zcopyctl info: takes no arguments\n");
		return EXIT_USAGE;
	}
	msg = zc_msg(ctx, ZCOPY_CMD_INFO_GET, 0);
	if (!msg)
		return EXIT_FAIL;
	return zc_transact(ctx, msg, &r, "info");
}

/* Stable names: the JSON keys and the first column of the table. */
static const struct {
	int attr;
	const char *name;
} zc_stats[] = {
	{ ZCOPY_A_STATS_TRANSFERS, "transfers" },
	{ ZCOPY_A_STATS_FAILED_SENDS, "failed_sends" },
	{ ZCOPY_A_STATS_BYTES_POOL, "bytes_pool" },
	{ ZCOPY_A_STATS_BYTES_FILE, "bytes_file" },
	{ ZCOPY_A_STATS_BYTES_ZC, "bytes_zerocopy" },
	{ ZCOPY_A_STATS_BYTES_COPIED, "bytes_copied" },
	{ ZCOPY_A_STATS_COMPLETIONS, "completions" },
	{ ZCOPY_A_STATS_COMPLETIONS_COPIED, "completions_copied" },
	{ ZCOPY_A_STATS_POOLS_REGISTERED, "pools_registered" },
	{ ZCOPY_A_STATS_POOLS_RELEASED, "pools_released" },
	{ ZCOPY_A_STATS_POOLS, "pools" },
	{ ZCOPY_A_STATS_PINNED_PAGES, "pinned_pages" },
	{ ZCOPY_A_STATS_PINNED_PAGES_PEAK, "pinned_pages_peak" },
	{ ZCOPY_A_STATS_OUTSTANDING, "outstanding" },
};

static int zc_stats_print(struct zc_ctx *ctx, struct nlattr **tb)
{
	size_t i, n = sizeof(zc_stats) / sizeof(zc_stats[0]);

	if (ctx->json)
		putchar('{');
	for (i = 0; i < n; i++) {
		struct nlattr *a = tb[zc_stats[i].attr];
		uint64_t v = a ? nla_get_u64(a) : 0;

		if (!a)
			continue;
		if (ctx->json)
			printf("%s\"%s\":%" PRIu64, i ? "," : "",
			       zc_stats[i].name, v);
		else
			printf("%-20s %" PRIu64 "\n", zc_stats[i].name, v);
	}
	if (ctx->json)
		printf("}\n");
	return 0;
}

static int cmd_stats(struct zc_ctx *ctx, int argc, char **argv)
{
	struct zc_reply r = { .parse = zc_stats_print,
			      .maxattr = ZCOPY_A_STATS_MAX };
	struct nl_msg *msg;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "zcopyctl stats: takes no arguments\n");
		return EXIT_USAGE;
	}
	msg = zc_msg(ctx, ZCOPY_CMD_STATS_GET, 0);
	if (!msg)
		return EXIT_FAIL;
	return zc_transact(ctx, msg, &r, "stats");
}

static const struct zc_cmd zc_cmds[] = {
	{ "info", "", "module version, ABI version and features", cmd_info },
	{ "stats", "", "module-wide counters", cmd_stats },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"usage: zcopyctl [OPTIONS] COMMAND [ARGS]\n\n"
		"options:\n"
		"  -j, --json      machine-readable JSON output\n"
		"  -h, --help      this help\n"
		"  -V, --version   print the zcopyctl version\n\n"
		"commands:\n");
	for (i = 0; i < sizeof(zc_cmds) / sizeof(zc_cmds[0]); i++)
		fprintf(f, "  %-8s %-20s %s\n", zc_cmds[i].name,
			zc_cmds[i].args, zc_cmds[i].help);
	fprintf(f, "\nexit status: 0 success, 1 operation failed, "
		"2 usage error\n");
}

static int zc_connect(struct zc_ctx *ctx)
{
	int ret, one = 1;

	ctx->sk = nl_socket_alloc();
	if (!ctx->sk) {
		fprintf(stderr, "zcopyctl: out of memory\n");
		return -1;
	}
	ret = genl_connect(ctx->sk);
	if (ret < 0) {
		fprintf(stderr, "zcopyctl: netlink: %s\n", nl_geterror(ret));
		return -1;
	}
	/*
	 * Ask for extended ACKs (the kernel's reason for a rejection) without
	 * the request echoed back in them.
	 */
	setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(ctx->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	ctx->family = genl_ctrl_resolve(ctx->sk, ZCOPY_GENL_NAME);
	if (ctx->family < 0) {
		fprintf(stderr,
			"zcopyctl: generic netlink family \"%s\" not found: "
			"is zcopy.ko loaded?\n", ZCOPY_GENL_NAME);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct zc_ctx ctx = { 0 };
	const struct zc_cmd *cmd = NULL;
	size_t i;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("zcopyctl %s\n", ZCOPYCTL_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(zc_cmds) / sizeof(zc_cmds[0]); i++)
		if (!strcmp(argv[optind], zc_cmds[i].name))
			cmd = &zc_cmds[i];
	if (!cmd) {
		fprintf(stderr, "zcopyctl: unknown command '%s'\n\n",
			argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}

	if (zc_connect(&ctx)) {
		ret = EXIT_FAIL;
		goto out;
	}
	ret = cmd->run(&ctx, argc - optind, argv + optind);
out:
	if (ctx.sk)
		nl_socket_free(ctx.sk);
	return ret;
}
