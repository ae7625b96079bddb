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
	if (optind < argc)
		return zc_usage_error(&ctx->cli, "takes no arguments ('%s')",
				      argv[optind]);
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

static const char *const zc_feature_names[] = { "pools", "send", "ktls" };

int cmd_info(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_info in = { .version = "?" };
	struct libzcopy_nl_err le;
	struct libzcopy_nl_obj o;
	struct zcopy_query q;
	struct libzcopy *z;
	bool have_q = false;
	char buf[512], b1[32];
	size_t n = 0;
	unsigned int i;
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

	if (ctx->cli.json) {
		zj_begin_obj(NULL);
		zj_str("module_version", in.version);
		zj_u64("abi_version", in.abi);
		zj_u64("features", in.features);
		zj_u64("family_id", ctx->family);
		if (in.have_threshold)
			zj_u64("copy_threshold", in.copy_threshold);
		zj_begin_arr("feature_names");
		for (i = 0; i < 3; i++)
			if (in.features & (1ull << i))
				zj_str(NULL, zc_feature_names[i]);
		zj_end_arr();
		zj_begin_arr("operations");
		for (i = 1; i <= ZCOPY_CMD_MAX; i++)
			if (ctx->ops & (1ull << i))
				zj_str(NULL, zc_cmd_name(i));
		zj_end_arr();
		zj_begin_arr("mcast_groups");
		if (ctx->events_grp)
			zj_str(NULL, ZCOPY_MCGRP_EVENTS);
		zj_end_arr();
		if (have_q) {
			zj_begin_obj("limits");
			zj_u64("max_pools", q.max_pools);
			zj_u64("max_segments", q.max_segments);
			zj_u64("max_pool_bytes", q.max_pool_bytes);
			zj_u64("max_send_bytes", q.max_send_bytes);
			zj_u64("max_outstanding", q.max_outstanding);
			zj_u64("completion_size", q.completion_size);
			zj_end_obj();
		}
		zj_end_obj();
		zj_end();
		return EXIT_OK;
	}

	printf("module version  %s\n", in.version);
	printf("abi version     %u (zcopyctl built for %d)\n", in.abi,
	       ZCOPY_ABI_VERSION);
	for (i = 0; i < 3; i++)
		if (in.features & (1ull << i))
			n += snprintf(buf + n, sizeof(buf) - n, " %s",
				      zc_feature_names[i]);
	printf("features        0x%" PRIx64 "%s\n", in.features, buf[0] && n ?
	       buf : "");
	printf("family id       %d\n", ctx->family);
	if (in.have_threshold)
		printf("copy threshold  %u bytes (shorter pool segments are copied)\n",
		       in.copy_threshold);
	n = 0;
	buf[0] = '\0';
	for (i = 1; i <= ZCOPY_CMD_MAX && n < sizeof(buf); i++)
		if (ctx->ops & (1ull << i))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      n ? " " : "", zc_cmd_name(i));
	printf("operations      %s\n", buf);
	printf("mcast groups    %s\n", ctx->events_grp ? ZCOPY_MCGRP_EVENTS :
	       "-");
	if (have_q) {
		printf("max pools       %u per open file\n", q.max_pools);
		printf("max segments    %u per send\n", q.max_segments);
		printf("max pool        %s\n",
		       zc_fmt_bytes(q.max_pool_bytes, b1, sizeof(b1)));
		printf("max send        %" PRIu64 " bytes\n",
		       (uint64_t)q.max_send_bytes);
		printf("max outstanding %u transfers per open file\n",
		       q.max_outstanding);
	}
	return EXIT_OK;
}

/* ---- stats ---- */

/* The order of the table and of the JSON object (tools/vm/init reads it). */
static const int zc_stats_order[] = {
	ZCOPY_A_STATS_TRANSFERS,
	ZCOPY_A_STATS_FAILED_SENDS,
	ZCOPY_A_STATS_BYTES_POOL,
	ZCOPY_A_STATS_BYTES_FILE,
	ZCOPY_A_STATS_BYTES_ZC,
	ZCOPY_A_STATS_BYTES_COPIED,
	ZCOPY_A_STATS_COMPLETIONS,
	ZCOPY_A_STATS_COMPLETIONS_COPIED,
	ZCOPY_A_STATS_POOLS_REGISTERED,
	ZCOPY_A_STATS_POOLS_RELEASED,
	ZCOPY_A_STATS_POOLS,
	ZCOPY_A_STATS_PINNED_PAGES,
	ZCOPY_A_STATS_PINNED_PAGES_PEAK,
	ZCOPY_A_STATS_OUTSTANDING,
};

#define ZC_NSTATS (sizeof(zc_stats_order) / sizeof(zc_stats_order[0]))

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

static void zc_stats_print(struct zc_ctx *ctx, const struct zc_stats *s,
			   const struct zc_stats *prev)
{
	static const char *const hdr[] = { "counter", "value", "", "change" };
	struct zc_table *t;
	uint64_t done;
	char pct[16];
	size_t i;

	if (ctx->cli.json) {
		zj_begin_obj(NULL);
		for (i = 0; i < ZC_NSTATS; i++) {
			int a = zc_stats_order[i];

			if (s->have[a])
				zj_u64(zc_set_stats.attrs[a].name, s->v[a]);
		}
		zj_end_obj();
		zj_end();
		return;
	}

	t = zc_table_new(prev ? 4 : 3, hdr, "lrlr");
	for (i = 0; i < ZC_NSTATS; i++) {
		int a = zc_stats_order[i];
		char val[32], unit[40] = "", delta[40] = "";

		if (!s->have[a])
			continue;
		snprintf(val, sizeof(val), "%" PRIu64, s->v[a]);
		if (zc_stat_is_bytes(a) && s->v[a] >= 1024) {
			char b[24];

			snprintf(unit, sizeof(unit), "(%s)",
				 zc_fmt_bytes(s->v[a], b, sizeof(b)));
		}
		if (prev && s->v[a] != prev->v[a])
			snprintf(delta, sizeof(delta), "%+" PRId64,
				 (int64_t)(s->v[a] - prev->v[a]));
		zc_table_row(t, zc_set_stats.attrs[a].name, val, unit, delta);
	}
	zc_table_print(t, stdout, false);
	zc_table_free(t);

	/* One line that answers the question people run this for. */
	done = s->v[ZCOPY_A_STATS_BYTES_ZC] + s->v[ZCOPY_A_STATS_BYTES_COPIED];
	if (done)
		printf("zero-copy: %s of the %" PRIu64
		       " bytes of completed transfers\n",
		       zc_fmt_pct(s->v[ZCOPY_A_STATS_BYTES_ZC], done, pct,
				  sizeof(pct)), done);
	fflush(stdout);
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
			if (zc_parse_u64(optarg, &count) || !count)
				return zc_usage_error(&ctx->cli,
					"--count '%s': expected a positive number",
					optarg);
			break;
		case ZC_OPT_EXIT:
			return ctx->cli.exit;
		}
	}
	if (optind < argc)
		return zc_usage_error(&ctx->cli, "takes no arguments ('%s')",
				      argv[optind]);
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
		if (watch && !ctx->cli.json) {
			char ts[16];
			time_t now = time(NULL);

			strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
			printf("%s-- %s\n", n ? "\n" : "", ts);
		}
		zc_stats_print(ctx, &cur, n ? &prev : NULL);
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

struct zc_pool_row {
	struct zc_ctx *ctx;
	struct zc_table *t;
	unsigned int n;
};

/*
 * Print one pool as a JSON object (pools -j, pool events): every attribute
 * of the set by its name, "registered" always present.
 */
void zc_pool_json(const struct libzcopy_nl_obj *o)
{
	int i;

	for (i = 1; i <= ZCOPY_A_POOL_MAX; i++) {
		const struct zc_attr_desc *d = &zc_set_pool.attrs[i];

		if (!d->name)
			continue;
		if (d->type == ZC_T_FLAG)
			zj_bool(d->name, libzcopy_nl_has(o, i));
		else if (!libzcopy_nl_has(o, i))
			continue;
		else if (d->type == ZC_T_STR)
			zj_str(d->name, o->str);
		else
			zj_u64(d->name, o->val[i]);
	}
}

static int zc_pools_row(const struct libzcopy_nl_obj *o, void *arg)
{
	struct zc_pool_row *r = arg;
	char id[16], pid[16], uid[16], len[24], pages[24], infl[16], sends[24],
	     sent[24];

	r->n++;
	if (r->ctx->cli.json) {
		zj_begin_obj(NULL);
		zc_pool_json(o);
		zj_end_obj();
		return 0;
	}
	snprintf(id, sizeof(id), "%" PRIu64, libzcopy_nl_get(o, ZCOPY_A_POOL_ID));
	snprintf(pid, sizeof(pid), "%" PRIu64,
		 libzcopy_nl_get(o, ZCOPY_A_POOL_PID));
	snprintf(uid, sizeof(uid), "%" PRIu64,
		 libzcopy_nl_get(o, ZCOPY_A_POOL_UID));
	zc_fmt_bytes(libzcopy_nl_get(o, ZCOPY_A_POOL_LEN), len, sizeof(len));
	snprintf(pages, sizeof(pages), "%" PRIu64,
		 libzcopy_nl_get(o, ZCOPY_A_POOL_PAGES));
	snprintf(infl, sizeof(infl), "%" PRIu64,
		 libzcopy_nl_get(o, ZCOPY_A_POOL_INFLIGHT));
	snprintf(sends, sizeof(sends), "%" PRIu64,
		 libzcopy_nl_get(o, ZCOPY_A_POOL_SENDS));
	zc_fmt_bytes(libzcopy_nl_get(o, ZCOPY_A_POOL_BYTES_SENT), sent,
		     sizeof(sent));
	zc_table_row(r->t, id, pid, uid,
		     libzcopy_nl_has(o, ZCOPY_A_POOL_COMM) ? o->str : "?",
		     len, pages, infl, sends, sent,
		     libzcopy_nl_has(o, ZCOPY_A_POOL_REGISTERED) ? "yes" : "no");
	return 0;
}

int cmd_pools(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	static const char *const hdr[] = {
		"ID", "PID", "UID", "COMM", "LEN", "PAGES", "INFLIGHT",
		"SENDS", "SENT", "REGISTERED",
	};
	struct zc_pool_row r = { .ctx = ctx };
	struct libzcopy_nl_err le;
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
	if (ctx->cli.json)
		zj_begin_arr(NULL);
	for (tries = 0; tries < 5; tries++) {
		zc_table_free(r.t);
		r.t = zc_table_new(10, hdr, "rrrlrrrrrl");
		r.n = 0;
		ret = libzcopy_nl_pools(ctx->nl, zc_pools_row, &r, &le);
		if (ret != -EINTR || ctx->cli.json)
			break;
		zc_debug(&ctx->cli, "the pool list changed during the dump: again");
	}
	if (ret) {
		if (ctx->cli.json) {
			zj_end_arr();
			zj_end();
		}
		zc_table_free(r.t);
		return zc_nl_check(ctx, ret, &le);
	}
	if (ctx->cli.json) {
		zj_end_arr();
		zj_end();
	} else {
		zc_table_print(r.t, stdout, true);
	}
	zc_table_free(r.t);
	return EXIT_OK;
}
