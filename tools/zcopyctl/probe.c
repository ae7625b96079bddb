// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl probe: ask the module, before sending, what a send on a TCP
 * connection's route would copy (ZCOPY_IOC_PROBE through libzcopy_probe()).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zcopyctl.h"

enum {
	OPT_FD = 'f',
};

const struct zc_opt zc_probe_opts[] = {
	{ "fd", OPT_FD, "N",
	  "probe the inherited connected TCP socket N, not HOST:PORT" },
	{ NULL, 0, NULL, NULL },
};

/* enum zcopy_probe_flags, bit by bit. */
static const char *const zc_probe_flag_names[] = {
	"dst", "ktls", "local", "route-sg", "dev-sg", "route-gso", "dev-tso",
};

/*
 * One kind of segment: "zero copy" or "copied (REASON)", for which ones,
 * and why.
 */
static void zc_probe_verdict(const char *key, const char *label,
			     uint32_t reason, uint32_t seg_reason,
			     const char *note)
{
	zc_obj_open(key);
	zc_print_text("%-14s ", label);
	zc_print_bool(ZC_JSON, "zerocopy", NULL, reason == ZCOPY_REASON_NONE);
	if (reason == ZCOPY_REASON_NONE)
		zc_print_text("zero copy");
	else
		zc_print_text("copied");
	zc_print_str(ZC_ANY, "reason", reason ? " (%s)" : NULL,
		     zc_reason_name(reason));
	zc_print_str(ZC_JSON, "seg_result_reason", NULL,
		     zc_reason_name(seg_reason));
	if (note)
		zc_print_text(", %s", note);
	if (reason)
		zc_print_text(": %s", zc_reason_help(reason));
	if (reason != seg_reason)
		zc_print_text(" (said by the completion; the segment result says %s)",
			      zc_reason_name(seg_reason));
	zc_print_nl();
	zc_obj_close();
}

static void zc_probe_report(const struct zcopy_probe *p, const char *dest)
{
	char note[64];
	unsigned int i, n = 0;

	zc_obj_open(NULL);
	zc_print_str(ZC_ANY, "peer", "connection     %s", dest);
	if (p->route_flags & ZCOPY_PROBE_DST) {
		zc_print_str(ZC_ANY, "ifname", " via %s", p->ifname);
		zc_print_u64(ZC_ANY, "ifindex", " (ifindex %" PRIu64 ")",
			     (uint64_t)p->ifindex);
		zc_print_u64(ZC_ANY, "mtu", ", mtu %" PRIu64, p->mtu);
	} else {
		zc_print_text(", no cached route");
		zc_print_null(ZC_JSON, "ifname", NULL);
		zc_print_u64(ZC_JSON, "ifindex", NULL, 0);
		zc_print_u64(ZC_JSON, "mtu", NULL, 0);
	}
	zc_print_u64(ZC_ANY, "mss", ", mss %" PRIu64, p->mss);
	zc_print_u64(ZC_ANY, "gso_max_size", ", gso max %" PRIu64 "\n",
		     p->gso_max_size);
	zc_print_u64(ZC_JSON, "route_flags", NULL, p->route_flags);
	zc_print_text("route flags   ");
	zc_arr_open("route_flag_names");
	for (i = 0; i < 32; i++) {
		if (!(p->route_flags & (1u << i)))
			continue;
		n++;
		if (i < sizeof(zc_probe_flag_names) / sizeof(zc_probe_flag_names[0]))
			zc_print_str(ZC_ANY, NULL, " %s", zc_probe_flag_names[i]);
		else
			zc_print_u64(ZC_ANY, NULL, " 0x%" PRIx64, 1ull << i);
	}
	if (!n)
		zc_print_text(" -");
	zc_arr_close();
	zc_print_nl();
	zc_print_u64(ZC_ANY, "copy_threshold",
		     "copy threshold %" PRIu64 " bytes\n", p->copy_threshold);

	snprintf(note, sizeof(note), "%u bytes or more", p->copy_threshold);
	zc_probe_verdict("pool", "pool segments", p->pool_reason,
			 p->pool_seg_reason, p->copy_threshold > 1 ? note : NULL);
	if (p->copy_threshold > 1) {
		snprintf(note, sizeof(note), "below %u bytes",
			 p->copy_threshold);
		zc_probe_verdict("small_pool", "short pool", p->small_reason,
				 p->small_reason, note);
	} else {
		zc_print_null(ZC_JSON, "small_pool", NULL);
	}
	zc_probe_verdict("file", "file extents", p->file_reason,
			 p->file_reason, "page-cache files");
	zc_obj_close();
	zc_print_end();
}

int cmd_probe(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_hostport hp;
	struct zcopy_probe p;
	struct zcopy_query q;
	struct libzcopy *z = NULL;
	bool have_fd = false;
	char dest[160] = "";
	int c, fd = -1, ret = EXIT_FAIL, err;
	uint64_t v;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_FD:
			if (zc_parse_u64(optarg, &v) || v > INT32_MAX)
				return zc_usage_error(&ctx->cli, "--fd '%s': expected a file descriptor",
						      optarg);
			fd = (int)v;
			have_fd = true;
			break;
		case ZC_OPT_EXIT:
			return ctx->cli.exit;
		}
	}
	if (have_fd) {
		if (optind < argc)
			return zc_usage_error(&ctx->cli, "--fd N takes no HOST:PORT");
	} else {
		if (optind >= argc)
			return zc_usage_error(&ctx->cli, "missing HOST:PORT (or --fd N)");
		if (optind + 1 < argc)
			return zc_usage_error(&ctx->cli, "one HOST:PORT only");
		if (zc_parse_hostport(ctx, argv[optind], false, &hp))
			return EXIT_USAGE;
	}

	z = zc_dev_open(ctx);
	if (!z)
		goto out;
	if (zc_dev_query(ctx, z, &q))
		goto out;
	if (!(q.features & ZCOPY_FEATURE_ROUTE_PROBE)) {
		zc_err(&ctx->cli, "the loaded zcopy.ko has no route-probe (ZCOPY_IOC_PROBE)");
		goto out;
	}
	if (!have_fd) {
		fd = zc_tcp_connect(ctx, &hp);
		if (fd < 0)
			goto out;
	}
	if (zc_sock_peer_str(fd, true, dest, sizeof(dest)))
		snprintf(dest, sizeof(dest), "fd %d", fd);

	err = -libzcopy_probe(z, fd, &p);
	if (err) {
		zc_err(&ctx->cli, "ZCOPY_IOC_PROBE on %s: %s%s", dest,
		       strerror(err),
		       err == ENOTSOCK ? " (not a socket)" :
		       err == EOPNOTSUPP ? " (not a TCP socket)" :
		       err == ENOTCONN ? " (not connected)" : "");
		goto out;
	}
	zc_debug(&ctx->cli,
		 "ioctl PROBE fd %d: pool %u/%u small %u file %u flags 0x%x ifindex %d",
		 fd, p.pool_reason, p.pool_seg_reason, p.small_reason,
		 p.file_reason, p.route_flags, p.ifindex);
	zc_probe_report(&p, dest);
	ret = EXIT_OK;
out:
	if (!have_fd && fd >= 0)
		close(fd);
	if (z)
		libzcopy_close(z);
	return ret;
}
