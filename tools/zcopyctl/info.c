// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: info, stats, reset, pools: the read-mostly commands.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zcopyctl.h"

const struct zc_opt zc_info_opts[] = { { NULL, 0, NULL, NULL } };
const struct zc_opt zc_reset_opts[] = { { NULL, 0, NULL, NULL } };
const struct zc_opt zc_pools_opts[] = { { NULL, 0, NULL, NULL } };

enum { OPT_WATCH = 'w', OPT_COUNT = 'c' };

const struct zc_opt zc_stats_opts[] = {
	{ "watch", OPT_WATCH, "SECS",
	  "repeat every SECS seconds (until SIGINT), with the changes" },
	{ "count", OPT_COUNT, "N", "with --watch: stop after N samples" },
	{ NULL, 0, NULL, NULL },
};

/* Commands without arguments or options beyond -h/-j. */
static int zc_no_args(struct zc_ctx *ctx, int argc, char **argv)
{
	int c;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1)
		return c == ZC_OPT_EXIT ? ctx->cli.exit : EXIT_USAGE;
	if (zc_no_operands(&ctx->cli, argc, argv))
		return EXIT_USAGE;
	return -1;
}

/* ---- info ---- */

struct zc_info {
	char version[64];
	uint32_t abi;
	uint64_t features;
	uint32_t copy_threshold;
	bool have_threshold;
};

/* Request with libzcopy, print any error; EXIT_OK or EXIT_FAIL. */
static int zc_nl_check(struct zc_ctx *ctx, int ret,
		       const struct libzcopy_nl_err *le)
{
	struct zc_nl_err e;

	if (!ret)
		return EXIT_OK;
	zc_nl_err_from(&e, le);
	zc_nl_perror(ctx, NULL, &e);
	return EXIT_FAIL;
}

static void zc_info_from(struct zc_info *in, const struct libzcopy_nl_obj *o)
{
	if (libzcopy_nl_has(o, ZCOPY_A_INFO_VERSION))
		snprintf(in->version, sizeof(in->version), "%s", o->str);
	if (libzcopy_nl_has(o, ZCOPY_A_INFO_ABI))
		in->abi = (uint32_t)o->val[ZCOPY_A_INFO_ABI];
	if (libzcopy_nl_has(o, ZCOPY_A_INFO_FEATURES))
		in->features = o->val[ZCOPY_A_INFO_FEATURES];
	if (libzcopy_nl_has(o, ZCOPY_A_INFO_COPY_THRESHOLD)) {
		in->copy_threshold =
			(uint32_t)o->val[ZCOPY_A_INFO_COPY_THRESHOLD];
		in->have_threshold = true;
	}
}

/*
 * enum zcopy_feature by bit number; a bit this zcopyctl does not know is
 * printed as "bit N".
 */
static const char *const zc_feature_names[64] = {
	[0] = "pools",
	[1] = "send",
	[2] = "ktls",
	[3] = "file-notify",
	[4] = "nowait-io",
	[5] = "cache-hints",
	[6] = "route-probe",
	[7] = "file-changed",
	[8] = "async-xfer",
};

_Static_assert(ZCOPY_FEATURE_ASYNC_XFER == 1ull << 8, "async-xfer bit");

int cmd_info(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_info in = { .version = "?" };
	struct libzcopy_nl_err le;
	struct libzcopy_nl_obj o;
	struct zcopy_query q;
	struct libzcopy *z;
	bool have_q = false;
	unsigned int i, n;
	int ret;

	ret = zc_no_args(ctx, argc, argv);
	if (ret >= 0)
		return ret;
	if (zc_nl_connect(ctx))
		return EXIT_FAIL;
	ret = zc_nl_check(ctx, libzcopy_nl_info(ctx->nl, &o, &le), &le);
	if (ret)
		return ret;
	zc_info_from(&in, &o);

	/* Limits need the device, which only root may open: best effort. */
	if (!libzcopy_open(&z, 0)) {
		have_q = !libzcopy_query(z, &q);
		libzcopy_close(z);
	}

	zc_obj_open(NULL);
	zc_print_str(ZC_ANY, "module_version", "module version  %s\n",
		     in.version);
	zc_print_u64(ZC_ANY, "abi_version", "abi version     %" PRIu64, in.abi);
	zc_print_text(" (zcopyctl built for %d)\n", ZCOPY_ABI_VERSION);
	zc_print_u64(ZC_ANY, "features", "features        0x%" PRIx64,
		     in.features);
	zc_arr_open("feature_names");
	for (i = 0; i < 64; i++) {
		char bit[16];

		if (!(in.features & (1ull << i)))
			continue;
		snprintf(bit, sizeof(bit), "bit %u", i);
		zc_print_str(ZC_ANY, NULL, " %s",
			     zc_feature_names[i] ? zc_feature_names[i] : bit);
	}
	zc_arr_close();
	zc_print_nl();
	zc_print_u64(ZC_ANY, "family_id", "family id       %" PRIu64 "\n",
		     ctx->family);
	if (in.have_threshold)
		zc_print_u64(ZC_ANY, "copy_threshold",
			     "copy threshold  %" PRIu64 " bytes (shorter pool segments are copied)\n",
			     in.copy_threshold);
	zc_print_text("operations      ");
	zc_arr_open("operations");
	for (i = 1, n = 0; i <= ZCOPY_CMD_MAX; i++)
		if (ctx->ops & (1ull << i))
			zc_print_str(ZC_ANY, NULL, n++ ? " %s" : "%s",
				     zc_cmd_name(i));
	zc_arr_close();
	zc_print_nl();
	zc_print_text("mcast groups    ");
	zc_arr_open("mcast_groups");
	if (ctx->events_grp)
		zc_print_str(ZC_ANY, NULL, "%s", ZCOPY_MCGRP_EVENTS);
	else
		zc_print_text("-");
	zc_arr_close();
	zc_print_nl();
	if (have_q) {
		zc_obj_open("limits");
		zc_print_u64(ZC_ANY, "max_pools",
			     "max pools       %" PRIu64 " per open file\n",
			     q.max_pools);
		zc_print_u64(ZC_ANY, "max_segments",
			     "max segments    %" PRIu64 " per send\n",
			     q.max_segments);
		zc_print_bytes(ZC_ANY, "max_pool_bytes", "max pool        %s\n",
			       q.max_pool_bytes);
		zc_print_u64(ZC_ANY, "max_send_bytes",
			     "max send        %" PRIu64 " bytes\n",
			     q.max_send_bytes);
		zc_print_u64(ZC_ANY, "max_outstanding",
			     "max outstanding %" PRIu64 " transfers per open file\n",
			     q.max_outstanding);
		zc_print_u64(ZC_JSON, "completion_size", NULL,
			     q.completion_size);
		zc_obj_close();
	}
	zc_obj_close();
	zc_print_end();
	return EXIT_OK;
}

/* ---- stats ---- */

struct zc_stats {
	uint64_t v[ZCOPY_A_STATS_MAX + 1];
	bool have[ZCOPY_A_STATS_MAX + 1];
};

static void zc_stats_from(struct zc_stats *s, const struct libzcopy_nl_obj *o)
{
	int i;

	for (i = 1; i <= ZCOPY_A_STATS_MAX; i++) {
		if (libzcopy_nl_has(o, i)) {
			s->v[i] = o->val[i];
			s->have[i] = true;
		}
	}
}

static bool zc_stat_is_bytes(int a)
{
	return a == ZCOPY_A_STATS_BYTES_POOL || a == ZCOPY_A_STATS_BYTES_FILE ||
	       a == ZCOPY_A_STATS_BYTES_ZC || a == ZCOPY_A_STATS_BYTES_COPIED;
}

/*
 * One object of counters in JSON; in text a table with units and, under
 * --watch, the change since the previous sample.
 */
static void zc_stats_print(const struct zc_stats *s,
			   const struct zc_stats *prev)
{
	static const struct zc_col cols[] = {
		{ "counter", NULL, 'l' },
		{ "value", NULL, 'r' },
		{ "", NULL, 'l' },
		{ "change", NULL, 'r' },
	};
	struct zc_table *t;
	uint64_t done;
	char pct[16];
	size_t i;

	t = zc_table_new(NULL, cols, 4, ZC_TABLE_KV);
	/* The spec's order, as the attributes are numbered. */
	for (i = 1; i <= ZCOPY_A_STATS_MAX; i++) {
		int a = (int)i;
		int64_t delta;
		char b[24];

		if (!s->have[a])
			continue;
		zc_row_begin(t);
		zc_cell_str(t, zc_set_stats.attrs[a].name);
		zc_cell_u64(t, s->v[a]);
		zc_cell_text(t, zc_stat_is_bytes(a) && s->v[a] >= 1024 ?
			     "(%s)" : NULL, zc_fmt_bytes(s->v[a], b, sizeof(b)));
		delta = prev ? (int64_t)(s->v[a] - prev->v[a]) : 0;
		zc_cell_text(t, delta ? "%+" PRId64 : NULL, delta);
		zc_row_end(t);
	}
	zc_table_end(t);

	/* One line that answers the question people run this for. */
	done = s->v[ZCOPY_A_STATS_BYTES_ZC] + s->v[ZCOPY_A_STATS_BYTES_COPIED];
	if (done)
		zc_print_text("zero-copy: %s of the %" PRIu64
			      " bytes of completed transfers\n",
			      zc_fmt_pct(s->v[ZCOPY_A_STATS_BYTES_ZC], done,
					 pct, sizeof(pct)), done);
	zc_print_end();
}

int cmd_stats(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_stats cur, prev;
	struct libzcopy_nl_err le;
	struct libzcopy_nl_obj o;
	uint64_t count = 0, n;
	double watch = 0;
	int c, ret;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_WATCH:
			if (zc_parse_secs(optarg, &watch) || watch < 0.01)
				return zc_usage_error(&ctx->cli,
					"--watch '%s': expected seconds (at least 0.01)",
					optarg);
			break;
		case OPT_COUNT:
			if (zc_opt_count(&ctx->cli, optarg, &count))
				return EXIT_USAGE;
			break;
		case ZC_OPT_EXIT:
			return ctx->cli.exit;
		}
	}
	if (zc_no_operands(&ctx->cli, argc, argv))
		return EXIT_USAGE;
	if (count && !watch)
		return zc_usage_error(&ctx->cli, "--count needs --watch");
	if (zc_nl_connect(ctx))
		return EXIT_FAIL;

	zc_catch_signals(false);
	for (n = 0;; n++) {
		memset(&cur, 0, sizeof(cur));
		ret = zc_nl_check(ctx, libzcopy_nl_stats(ctx->nl, &o, &le), &le);
		if (ret)
			return ret;
		zc_stats_from(&cur, &o);
		if (watch) {
			char ts[16];
			time_t now = time(NULL);

			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
			zc_print_text("%s-- %s\n", n ? "\n" : "", ts);
		}
		zc_stats_print(&cur, n ? &prev : NULL);
		prev = cur;
		if (!watch || (count && n + 1 >= count))
			break;
		{
			struct timespec ts = {
				.tv_sec = (time_t)watch,
				.tv_nsec = (long)((watch - (time_t)watch) * 1e9),
			};

			if (zc_stop_signal || nanosleep(&ts, NULL) ||
			    zc_stop_signal)
				break;
		}
	}
	return EXIT_OK;
}

/* ---- reset ---- */

int cmd_reset(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct libzcopy_nl_err le;
	int ret = zc_no_args(ctx, argc, argv);

	if (ret >= 0)
		return ret;
	if (zc_nl_connect(ctx) || zc_nl_require(ctx, ZCOPY_CMD_STATS_RESET))
		return EXIT_FAIL;
	return zc_nl_check(ctx, libzcopy_nl_stats_reset(ctx->nl, &le), &le);
}

/* ---- pools ---- */

/*
 * A pool: the columns of "pools", in the order of the spec's attributes,
 * named by them in JSON (pools -j and the pool events of monitor -j).
 */
static const struct zc_col zc_pool_cols[] = {
	{ "ID", "id", 'r' },
	{ "PID", "pid", 'r' },
	{ "UID", "uid", 'r' },
	{ "COMM", "comm", 'l' },
	{ "LEN", "len", 'r' },
	{ "PAGES", "pages", 'r' },
	{ "INFLIGHT", "inflight", 'r' },
	{ "SENDS", "sends", 'r' },
	{ "SENT", "bytes_sent", 'r' },
	{ "REGISTERED", "registered", 'l' },
};

#define ZC_POOL_NCOLS ((int)(sizeof(zc_pool_cols) / sizeof(zc_pool_cols[0])))

static int zc_pools_row(const struct libzcopy_nl_obj *o, void *arg)
{
	struct zc_table *t = arg;

	zc_row_begin(t);
	zc_cell_u64(t, libzcopy_nl_get(o, ZCOPY_A_POOL_ID));
	zc_cell_u64(t, libzcopy_nl_get(o, ZCOPY_A_POOL_PID));
	zc_cell_u64(t, libzcopy_nl_get(o, ZCOPY_A_POOL_UID));
	zc_cell_str(t, libzcopy_nl_has(o, ZCOPY_A_POOL_COMM) ? o->str : NULL);
	zc_cell_bytes(t, libzcopy_nl_get(o, ZCOPY_A_POOL_LEN));
	zc_cell_u64(t, libzcopy_nl_get(o, ZCOPY_A_POOL_PAGES));
	zc_cell_u64(t, libzcopy_nl_get(o, ZCOPY_A_POOL_INFLIGHT));
	zc_cell_u64(t, libzcopy_nl_get(o, ZCOPY_A_POOL_SENDS));
	zc_cell_bytes(t, libzcopy_nl_get(o, ZCOPY_A_POOL_BYTES_SENT));
	zc_cell_bool(t, libzcopy_nl_has(o, ZCOPY_A_POOL_REGISTERED));
	zc_row_end(t);
	return 0;
}

int cmd_pools(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct libzcopy_nl_err le;
	struct zc_table *t;
	int ret, tries;

	ret = zc_no_args(ctx, argc, argv);
	if (ret >= 0)
		return ret;
	if (zc_nl_connect(ctx) || zc_nl_require(ctx, ZCOPY_CMD_POOL_GET))
		return EXIT_FAIL;

	/*
	 * JSON is streamed; a table is collected first for the column widths,
	 * and collected again if the pool list changed during the dump.
	 */
	for (tries = 0;; tries++) {
		t = zc_table_new(NULL, zc_pool_cols, ZC_POOL_NCOLS,
				 ZC_TABLE_HEADER);
		ret = libzcopy_nl_pools(ctx->nl, zc_pools_row, t, &le);
		if (ret != -EINTR || zc_print_is_json() || tries == 4)
			break;
		zc_table_discard(t);
		zc_debug(&ctx->cli, "the pool list changed during the dump: again");
	}
	if (ret) {
		if (zc_print_is_json())
			zc_table_end(t);
		else
			zc_table_discard(t);
		zc_print_end();
		return zc_nl_check(ctx, ret, &le);
	}
	zc_table_end(t);
	zc_print_end();
	return EXIT_OK;
}
