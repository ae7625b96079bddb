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

static uint64_t zc_u(const struct libzcopy_nl_obj *o, unsigned int attr)
{
	return libzcopy_nl_get(o, attr);
}

static int64_t zc_s32(const struct libzcopy_nl_obj *o, unsigned int attr)
{
	return (int32_t)libzcopy_nl_get(o, attr);
}

static void zc_event_xfer_json(uint8_t cmd, const struct libzcopy_nl_obj *o)
{
	zj_u64("cookie", zc_u(o, ZCOPY_A_XFER_COOKIE));
	zj_u64("pid", zc_u(o, ZCOPY_A_XFER_PID));
	if (cmd == ZCOPY_CMD_XFER_DONE) {
		zj_u64("bytes", zc_u(o, ZCOPY_A_XFER_BYTES));
		zj_u64("pool_bytes", zc_u(o, ZCOPY_A_XFER_POOL_BYTES));
		zj_u64("zc_bytes", zc_u(o, ZCOPY_A_XFER_ZC_BYTES));
		zj_u64("copied_bytes", zc_u(o, ZCOPY_A_XFER_COPIED_BYTES));
		zj_u64("compl_flags", zc_u(o, ZCOPY_A_XFER_COMPL_FLAGS));
		zj_str("reason",
		       zc_reason_name((uint32_t)zc_u(o, ZCOPY_A_XFER_REASON)));
	}
	zj_s64("error", zc_s32(o, ZCOPY_A_XFER_ERROR));
}

static void zc_event_human(uint8_t cmd, const struct libzcopy_nl_obj *o)
{
	char b1[24], b2[24], b3[24], fl[64];
	int64_t err = zc_s32(o, ZCOPY_A_XFER_ERROR);

	printf("%-12s ", zc_cmd_name(cmd));
	switch (cmd) {
	case ZCOPY_CMD_XFER_DONE:
		zc_flags_str((uint32_t)zc_u(o, ZCOPY_A_XFER_COMPL_FLAGS), fl,
			     sizeof(fl));
		printf("cookie %" PRIu64 " pid %" PRIu64
		       ": %s sent, %s zero-copy, %s copied (%s), flags %s",
		       zc_u(o, ZCOPY_A_XFER_COOKIE),
		       zc_u(o, ZCOPY_A_XFER_PID),
		       zc_fmt_bytes(zc_u(o, ZCOPY_A_XFER_BYTES), b1, sizeof(b1)),
		       zc_fmt_bytes(zc_u(o, ZCOPY_A_XFER_ZC_BYTES), b2,
				    sizeof(b2)),
		       zc_fmt_bytes(zc_u(o, ZCOPY_A_XFER_COPIED_BYTES), b3,
				    sizeof(b3)),
		       zc_reason_name((uint32_t)zc_u(o, ZCOPY_A_XFER_REASON)),
		       fl);
		if (err)
			printf(", stopped by %s", strerror((int)-err));
		break;
	case ZCOPY_CMD_SEND_FAILED:
		printf("cookie %" PRIu64 " pid %" PRIu64 ": %s",
		       zc_u(o, ZCOPY_A_XFER_COOKIE),
		       zc_u(o, ZCOPY_A_XFER_PID),
		       err ? strerror((int)-err) : "no error given");
		break;
	case ZCOPY_CMD_POOL_NEW:
	case ZCOPY_CMD_POOL_DEL:
		printf("pool %" PRIu64 " pid %" PRIu64 " (%s) uid %" PRIu64
		       ": %s, %" PRIu64 " page%s",
		       zc_u(o, ZCOPY_A_POOL_ID), zc_u(o, ZCOPY_A_POOL_PID),
		       libzcopy_nl_has(o, ZCOPY_A_POOL_COMM) ? o->str : "?",
		       zc_u(o, ZCOPY_A_POOL_UID),
		       zc_fmt_bytes(zc_u(o, ZCOPY_A_POOL_LEN), b1, sizeof(b1)),
		       zc_u(o, ZCOPY_A_POOL_PAGES),
		       zc_u(o, ZCOPY_A_POOL_PAGES) == 1 ? "" : "s");
		if (cmd == ZCOPY_CMD_POOL_DEL)
			printf(", %" PRIu64 " send%s, %s sent",
			       zc_u(o, ZCOPY_A_POOL_SENDS),
			       zc_u(o, ZCOPY_A_POOL_SENDS) == 1 ? "" : "s",
			       zc_fmt_bytes(zc_u(o, ZCOPY_A_POOL_BYTES_SENT),
					    b2, sizeof(b2)));
		break;
	}
	putchar('\n');
	fflush(stdout);
}

/* libzcopy hands over only the family's events, parsed. */
static int zc_event_cb(const struct libzcopy_nl_obj *o, void *arg)
{
	struct zc_monitor *m = arg;
	struct zc_ctx *ctx = m->ctx;
	const struct zc_attr_set *set;
	char name[32];
	size_t i;

	set = zc_cmd_set(o->cmd);
	if (!set) {
		zc_debug(&ctx->cli, "ignoring message cmd %u", o->cmd);
		return 0;
	}
	m->seen++;
	if (!ctx->cli.json) {
		zc_event_human(o->cmd, o);
		return 0;
	}
	snprintf(name, sizeof(name), "%s", zc_cmd_name(o->cmd));
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';
	zj_begin_obj(NULL);
	zj_str("event", name);
	if (set == &zc_set_pool)
		zc_pool_json(o);
	else
		zc_event_xfer_json(o->cmd, o);
	zj_end_obj();
	zj_end();
	return 0;
}

int cmd_monitor(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_monitor m = { .ctx = ctx };
	const char *ready = NULL;
	uint64_t count = 0, deadline = 0;
	double timeout = 0;
	struct libzcopy_nl *ev;
	struct nl_cb *cb;
	sigset_t block, orig;
	int c, fd, ret = EXIT_OK;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (zc_parse_u64(optarg, &count) || !count)
				return zc_usage_error(&ctx->cli,
					"--count '%s': expected a positive number",
					optarg);
			break;
		case OPT_TIMEOUT:
			if (zc_parse_secs(optarg, &timeout) || !timeout)
				return zc_usage_error(&ctx->cli,
					"--timeout '%s': expected seconds", optarg);
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case ZC_OPT_EXIT:
			return ctx->cli.exit;
		}
	}
	if (optind < argc)
		return zc_usage_error(&ctx->cli, "takes no arguments ('%s')",
				      argv[optind]);
	if (zc_nl_connect(ctx))
		return EXIT_FAIL;
	if (!ctx->events_grp) {
		zc_err(&ctx->cli,
		       "%s: the loaded zcopy module has no \"%s\" multicast group (an older module?)",
		       strerror(EOPNOTSUPP), ZCOPY_MCGRP_EVENTS);
		return EXIT_FAIL;
	}

	cb = zc_nl_trace_cb(ctx);
	ret = libzcopy_nl_events_open(ctx->nl, &ev, cb);
	if (cb)
		nl_cb_put(cb);
	if (ret) {
		zc_err(&ctx->cli, "joining the \"%s\" group: %s%s", ZCOPY_MCGRP_EVENTS,
		       strerror(-ret),
		       ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return EXIT_FAIL;
	}
	fd = nl_socket_get_fd(libzcopy_nl_sock(ev));
	zc_debug(&ctx->cli, "joined multicast group %s (id %u)", ZCOPY_MCGRP_EVENTS,
		 ctx->events_grp);
	ret = EXIT_OK;

	/* Signals are only let in while waiting: no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	zc_catch_signals(false);

	if (ready && zc_write_ready_file(&ctx->cli, ready, "ready\n")) {
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
				zc_err(&ctx->cli, "timed out after %g s with %" PRIu64
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
			zc_err(&ctx->cli, "poll: %s", strerror(errno));
			ret = EXIT_FAIL;
			break;
		}
		if (n <= 0)
			continue;
		for (;;) {
			n = libzcopy_nl_events_recv(ev, zc_event_cb, &m);
			if (!n || (count && m.seen >= count))
				break;
			if (n == -ENOBUFS) {
				/* The receive buffer overflowed. */
				zc_warn(&ctx->cli, "events were lost: the socket's receive buffer overflowed");
				continue;
			}
			if (n < 0) {
				zc_err(&ctx->cli, "netlink: %s", strerror(-n));
				ret = EXIT_FAIL;
				goto out;
			}
		}
	}
out:
	libzcopy_nl_close(ev);
	return ret;
}
