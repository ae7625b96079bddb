// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: monitor. Joins the "events" multicast group and prints each
 * event: one line for people, one JSON object per line with -j, from the
 * same calls (print.c).
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

/* A pool attribute that the event carries, under its name in the spec. */
static void zc_ev_pool(enum zc_pk k, const struct libzcopy_nl_obj *o,
		       unsigned int attr, const char *fmt)
{
	if (libzcopy_nl_has(o, attr))
		zc_print_u64(k, zc_set_pool.attrs[attr].name, fmt,
			     zc_u(o, attr));
}

static void zc_event_pool(uint8_t cmd, const struct libzcopy_nl_obj *o)
{
	uint64_t pages = zc_u(o, ZCOPY_A_POOL_PAGES);
	uint64_t sends = zc_u(o, ZCOPY_A_POOL_SENDS);
	enum zc_pk del = cmd == ZCOPY_CMD_POOL_DEL ? ZC_ANY : ZC_JSON;

	zc_ev_pool(ZC_ANY, o, ZCOPY_A_POOL_ID, "pool %" PRIu64);
	zc_ev_pool(ZC_ANY, o, ZCOPY_A_POOL_PID, " pid %" PRIu64);
	if (libzcopy_nl_has(o, ZCOPY_A_POOL_COMM))
		zc_print_str(ZC_ANY, "comm", " (%s)", o->str);
	else
		zc_print_text(" (?)");
	zc_ev_pool(ZC_ANY, o, ZCOPY_A_POOL_UID, " uid %" PRIu64);
	zc_print_bytes(ZC_ANY, "len", ": %s", zc_u(o, ZCOPY_A_POOL_LEN));
	zc_print_u64(ZC_ANY, "pages", ", %" PRIu64, pages);
	zc_print_text(" page%s", pages == 1 ? "" : "s");
	zc_ev_pool(ZC_JSON, o, ZCOPY_A_POOL_INFLIGHT, NULL);
	if (libzcopy_nl_has(o, ZCOPY_A_POOL_SENDS)) {
		zc_print_u64(del, "sends", ", %" PRIu64, sends);
		if (del == ZC_ANY)
			zc_print_text(" send%s", sends == 1 ? "" : "s");
	}
	if (libzcopy_nl_has(o, ZCOPY_A_POOL_BYTES_SENT))
		zc_print_bytes(del, "bytes_sent", ", %s sent",
			       zc_u(o, ZCOPY_A_POOL_BYTES_SENT));
	zc_print_bool(ZC_JSON, "registered", NULL,
		      libzcopy_nl_has(o, ZCOPY_A_POOL_REGISTERED));
}

static void zc_event_xfer(uint8_t cmd, const struct libzcopy_nl_obj *o)
{
	int64_t err = zc_s32(o, ZCOPY_A_XFER_ERROR);
	uint32_t flags = (uint32_t)zc_u(o, ZCOPY_A_XFER_COMPL_FLAGS);
	char fl[96];

	zc_print_u64(ZC_ANY, "cookie", "cookie %" PRIu64,
		     zc_u(o, ZCOPY_A_XFER_COOKIE));
	zc_print_u64(ZC_ANY, "pid", " pid %" PRIu64 ": ",
		     zc_u(o, ZCOPY_A_XFER_PID));
	if (cmd == ZCOPY_CMD_XFER_DONE) {
		zc_print_bytes(ZC_ANY, "bytes", "%s sent",
			       zc_u(o, ZCOPY_A_XFER_BYTES));
		zc_print_u64(ZC_JSON, "pool_bytes", NULL,
			     zc_u(o, ZCOPY_A_XFER_POOL_BYTES));
		zc_print_bytes(ZC_ANY, "zc_bytes", ", %s zero-copy",
			       zc_u(o, ZCOPY_A_XFER_ZC_BYTES));
		zc_print_bytes(ZC_ANY, "copied_bytes", ", %s copied",
			       zc_u(o, ZCOPY_A_XFER_COPIED_BYTES));
		zc_print_str(ZC_ANY, "reason", " (%s)",
			     zc_reason_name((uint32_t)zc_u(o, ZCOPY_A_XFER_REASON)));
		zc_flags_str(flags, fl, sizeof(fl));
		zc_print_u64(ZC_JSON, "compl_flags", NULL, flags);
		zc_print_str(ZC_TEXT, NULL, ", flags %s", fl);
		if (libzcopy_nl_has(o, ZCOPY_A_XFER_CHANGED_SEG))
			zc_print_u64(ZC_ANY, "changed_seg",
				     ", file of segment %" PRIu64 " changed",
				     zc_u(o, ZCOPY_A_XFER_CHANGED_SEG));
		if (err)
			zc_print_text(", stopped by %s", strerror((int)-err));
	} else {
		zc_print_text("%s", err ? strerror((int)-err) : "no error given");
	}
	zc_print_s64(ZC_JSON, "error", NULL, err);
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
	snprintf(name, sizeof(name), "%s", zc_cmd_name(o->cmd));
	zc_print_text("%-12s ", name);
	for (i = 0; name[i]; i++)
		if (name[i] == '-')
			name[i] = '_';
	zc_obj_open(NULL);
	zc_print_str(ZC_JSON, "event", NULL, name);
	if (set == &zc_set_pool)
		zc_event_pool(o->cmd, o);
	else
		zc_event_xfer(o->cmd, o);
	zc_obj_close();
	zc_print_nl();
	zc_print_end();
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
			if (zc_opt_count(&ctx->cli, optarg, &count))
				return EXIT_USAGE;
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
	if (zc_no_operands(&ctx->cli, argc, argv))
		return EXIT_USAGE;
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
