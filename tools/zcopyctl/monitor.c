// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: monitor. Joins the "events" multicast group and prints each
 * event: one line for people, one JSON object per line with -j.
 */

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "zcopyctl.h"

enum { OPT_COUNT = 'c', OPT_TIMEOUT = 't', OPT_READY = 'r' };

const struct zc_opt zc_monitor_opts[] = {
	{ "count", OPT_COUNT, "N", "exit after N events" },
	{ "timeout", OPT_TIMEOUT, "SECS",
	  "exit with status 1 if --count events have not come in SECS" },
	{ "ready-file", OPT_READY, "FILE",
	  "create FILE once subscribed (for scripts)" },
	{ NULL, 0, NULL, NULL },
};

struct zc_monitor {
	struct zc_ctx *ctx;
	uint64_t seen;
};

static uint64_t zc_u(struct nlattr *a)
{
	if (!a)
		return 0;
	return nla_len(a) >= 8 ? nla_get_u64(a) : nla_get_u32(a);
}

static int64_t zc_s32(struct nlattr *a)
{
	return a ? (int32_t)nla_get_u32(a) : 0;
}

static void zc_event_xfer_json(uint8_t cmd, struct nlattr **tb)
{
	zj_u64("cookie", zc_u(tb[ZCOPY_A_XFER_COOKIE]));
	zj_u64("pid", zc_u(tb[ZCOPY_A_XFER_PID]));
	if (cmd == ZCOPY_CMD_XFER_DONE) {
		zj_u64("bytes", zc_u(tb[ZCOPY_A_XFER_BYTES]));
		zj_u64("pool_bytes", zc_u(tb[ZCOPY_A_XFER_POOL_BYTES]));
		zj_u64("zc_bytes", zc_u(tb[ZCOPY_A_XFER_ZC_BYTES]));
		zj_u64("copied_bytes", zc_u(tb[ZCOPY_A_XFER_COPIED_BYTES]));
		zj_u64("compl_flags", zc_u(tb[ZCOPY_A_XFER_COMPL_FLAGS]));
		zj_str("reason",
		       zc_reason_name((uint32_t)zc_u(tb[ZCOPY_A_XFER_REASON])));
	}
	zj_s64("error", zc_s32(tb[ZCOPY_A_XFER_ERROR]));
}

static void zc_event_human(uint8_t cmd, struct nlattr **tb)
{
	char b1[24], b2[24], b3[24], fl[64];
	int64_t err = zc_s32(tb[ZCOPY_A_XFER_ERROR]);

	printf("%-12s ", zc_cmd_name(cmd));
	switch (cmd) {
	case ZCOPY_CMD_XFER_DONE:
		zc_flags_str((uint32_t)zc_u(tb[ZCOPY_A_XFER_COMPL_FLAGS]), fl,
			     sizeof(fl));
		printf("cookie %" PRIu64 " pid %" PRIu64
		       ": %s sent, %s zero-copy, %s copied (%s), flags %s",
		       zc_u(tb[ZCOPY_A_XFER_COOKIE]),
		       zc_u(tb[ZCOPY_A_XFER_PID]),
		       zc_fmt_bytes(zc_u(tb[ZCOPY_A_XFER_BYTES]), b1, sizeof(b1)),
		       zc_fmt_bytes(zc_u(tb[ZCOPY_A_XFER_ZC_BYTES]), b2,
				    sizeof(b2)),
		       zc_fmt_bytes(zc_u(tb[ZCOPY_A_XFER_COPIED_BYTES]), b3,
				    sizeof(b3)),
		       zc_reason_name((uint32_t)zc_u(tb[ZCOPY_A_XFER_REASON])),
		       fl);
		if (err)
			printf(", stopped by %s", strerror((int)-err));
		break;
	case ZCOPY_CMD_SEND_FAILED:
		printf("cookie %" PRIu64 " pid %" PRIu64 ": %s",
		       zc_u(tb[ZCOPY_A_XFER_COOKIE]),
		       zc_u(tb[ZCOPY_A_XFER_PID]),
		       err ? strerror((int)-err) : "no error given");
		break;
	case ZCOPY_CMD_POOL_NEW:
	case ZCOPY_CMD_POOL_DEL:
		printf("pool %" PRIu64 " pid %" PRIu64 " (%s) uid %" PRIu64
		       ": %s, %" PRIu64 " page%s",
		       zc_u(tb[ZCOPY_A_POOL_ID]), zc_u(tb[ZCOPY_A_POOL_PID]),
		       tb[ZCOPY_A_POOL_COMM] ?
		       nla_get_string(tb[ZCOPY_A_POOL_COMM]) : "?",
		       zc_u(tb[ZCOPY_A_POOL_UID]),
		       zc_fmt_bytes(zc_u(tb[ZCOPY_A_POOL_LEN]), b1, sizeof(b1)),
		       zc_u(tb[ZCOPY_A_POOL_PAGES]),
		       zc_u(tb[ZCOPY_A_POOL_PAGES]) == 1 ? "" : "s");
		if (cmd == ZCOPY_CMD_POOL_DEL)
			printf(", %" PRIu64 " send%s, %s sent",
			       zc_u(tb[ZCOPY_A_POOL_SENDS]),
			       zc_u(tb[ZCOPY_A_POOL_SENDS]) == 1 ? "" : "s",
			       zc_fmt_bytes(zc_u(tb[ZCOPY_A_POOL_BYTES_SENT]),
					    b2, sizeof(b2)));
		break;
	}
	putchar('\n');
	fflush(stdout);
}

static int zc_event_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ZCOPY_A_XFER_MAX + ZCOPY_A_POOL_MAX + 2];
	struct zc_monitor *m = arg;
	struct zc_ctx *ctx = m->ctx;
	const struct zc_attr_set *set;
	char name[32];
	uint8_t cmd;
	size_t i;

	if (nlmsg_hdr(msg)->nlmsg_type != ctx->family)
		return NL_SKIP;
	memset(tb, 0, sizeof(tb));
	if (zc_nl_parse_msg(msg, tb, ZCOPY_A_XFER_MAX, &cmd))
		return NL_SKIP;
	set = zc_cmd_set(cmd);
	if (cmd < ZCOPY_CMD_XFER_DONE || !set) {
		zc_debug(ctx, "ignoring message cmd %u", cmd);
		return NL_SKIP;
	}
	m->seen++;
	if (!ctx->json) {
		zc_event_human(cmd, tb);
		return NL_OK;
	}
	snprintf(name, sizeof(name), "%s", zc_cmd_name(cmd));
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';
	zj_begin_obj(NULL);
	zj_str("event", name);
	if (set == &zc_set_pool)
		zc_pool_json(tb);
	else
		zc_event_xfer_json(cmd, tb);
	zj_end_obj();
	zj_end();
	return NL_OK;
}

int cmd_monitor(struct zc_ctx *ctx, int argc, char **argv)
{
	struct zc_monitor m = { .ctx = ctx };
	const char *ready = NULL;
	uint64_t count = 0, deadline = 0;
	double timeout = 0;
	struct nl_sock *sk;
	struct zc_getopt g;
	sigset_t block, orig;
	int c, fd, grp, ret = EXIT_OK;

	zc_getopt_init(ctx, &g);
	while ((c = zc_getopt_next(ctx, &g, argc, argv)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (zc_parse_u64(optarg, &count) || !count) {
				zc_getopt_free(&g);
				return zc_usage_error(ctx,
					"--count '%s': expected a positive number",
					optarg);
			}
			break;
		case OPT_TIMEOUT:
			if (zc_parse_secs(optarg, &timeout) || !timeout) {
				zc_getopt_free(&g);
				return zc_usage_error(ctx,
					"--timeout '%s': expected seconds", optarg);
			}
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case ZC_OPT_EXIT:
			zc_getopt_free(&g);
			return g.exit;
		}
	}
	zc_getopt_free(&g);
	if (optind < argc)
		return zc_usage_error(ctx, "takes no arguments ('%s')",
				      argv[optind]);
	if (zc_nl_connect(ctx))
		return EXIT_FAIL;
	if (!ctx->events_grp) {
		zc_err(ctx,
		       "%s: the loaded zcopy module has no \"%s\" multicast group (an older module?)",
		       strerror(EOPNOTSUPP), ZCOPY_MCGRP_EVENTS);
		return EXIT_FAIL;
	}

	sk = zc_nl_socket(ctx);
	if (!sk)
		return EXIT_FAIL;
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, zc_event_cb, &m);
	nl_socket_set_buffer_size(sk, 4 << 20, 0);
	fd = nl_socket_get_fd(sk);
	grp = (int)ctx->events_grp;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		zc_err(ctx, "joining the \"%s\" group: %s%s", ZCOPY_MCGRP_EVENTS,
		       strerror(errno),
		       errno == EPERM ? " (needs CAP_NET_ADMIN)" : "");
		nl_socket_free(sk);
		return EXIT_FAIL;
	}
	zc_debug(ctx, "joined multicast group %s (id %d)", ZCOPY_MCGRP_EVENTS,
		 grp);
	nl_socket_set_nonblocking(sk);

	/* Signals are only let in while waiting: no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	zc_catch_signals(false);

	if (ready && zc_write_ready_file(ctx, ready, "ready\n")) {
		ret = EXIT_FAIL;
		goto out;
	}
	if (timeout)
		deadline = zc_now_ns() + (uint64_t)(timeout * 1e9);

	while (!count || m.seen < count) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		int n;

		if (deadline) {
			uint64_t now = zc_now_ns();

			if (now >= deadline) {
				zc_err(ctx, "timed out after %g s with %" PRIu64
				       " of %" PRIu64 " events", timeout, m.seen,
				       count);
				ret = EXIT_FAIL;
				break;
			}
			ts.tv_sec = (deadline - now) / 1000000000ull;
			ts.tv_nsec = (deadline - now) % 1000000000ull;
			tsp = &ts;
		}
		n = ppoll(&pfd, 1, tsp, &orig);
		if (zc_stop_signal)
			break;
		if (n < 0 && errno != EINTR) {
			zc_err(ctx, "poll: %s", strerror(errno));
			ret = EXIT_FAIL;
			break;
		}
		if (n <= 0)
			continue;
		for (;;) {
			n = nl_recvmsgs_default(sk);
			if (n == -NLE_AGAIN || (count && m.seen >= count))
				break;
			if (n == -NLE_NOMEM) {
				/* ENOBUFS: the receive buffer overflowed. */
				zc_warn(ctx, "events were lost: the socket's receive buffer overflowed");
				continue;
			}
			if (n < 0) {
				zc_err(ctx, "netlink: %s", nl_geterror(n));
				ret = EXIT_FAIL;
				goto out;
			}
		}
	}
out:
	nl_socket_free(sk);
	return ret;
}
