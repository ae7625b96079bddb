// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: the "zcopy" generic netlink family.
 *
 * libzcopy resolves the family and sends the requests, keeping the
 * kernel's extack message (and the attribute it points at) for the error
 * line printed here. Attribute sets are described here for --debug
 * traces and the JSON keys of pools and events.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "zcopyctl.h"

/* ---- attribute sets, as in Documentation/netlink/specs/zcopy.yaml ---- */

static const struct zc_attr_desc zc_info_attrs[ZCOPY_A_INFO_MAX + 1] = {
	[ZCOPY_A_INFO_VERSION] = { "module_version", ZC_T_STR, NULL },
	[ZCOPY_A_INFO_ABI] = { "abi_version", ZC_T_U32, NULL },
	[ZCOPY_A_INFO_FEATURES] = { "features", ZC_T_U64, NULL },
	[ZCOPY_A_INFO_COPY_THRESHOLD] = { "copy_threshold", ZC_T_U32, NULL },
};

const struct zc_attr_set zc_set_info = {
	"info", ZCOPY_A_INFO_MAX, zc_info_attrs
};

static const struct zc_attr_desc zc_stats_attrs[ZCOPY_A_STATS_MAX + 1] = {
	[ZCOPY_A_STATS_TRANSFERS] = { "transfers", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_FAILED_SENDS] = { "failed_sends", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_POOL] = { "bytes_pool", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_FILE] = { "bytes_file", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_ZC] = { "bytes_zerocopy", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_COPIED] = { "bytes_copied", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_COMPLETIONS] = { "completions", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_COMPLETIONS_COPIED] = { "completions_copied", ZC_T_U64,
					       NULL },
	[ZCOPY_A_STATS_POOLS_REGISTERED] = { "pools_registered", ZC_T_U64,
					     NULL },
	[ZCOPY_A_STATS_POOLS_RELEASED] = { "pools_released", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_PINNED_PAGES] = { "pinned_pages", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_PINNED_PAGES_PEAK] = { "pinned_pages_peak", ZC_T_U64,
					      NULL },
	[ZCOPY_A_STATS_POOLS] = { "pools", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_OUTSTANDING] = { "outstanding", ZC_T_U64, NULL },
};

const struct zc_attr_set zc_set_stats = {
	"stats", ZCOPY_A_STATS_MAX, zc_stats_attrs
};

static const struct zc_attr_desc zc_pool_attrs[ZCOPY_A_POOL_MAX + 1] = {
	[ZCOPY_A_POOL_ID] = { "id", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_PID] = { "pid", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_UID] = { "uid", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_COMM] = { "comm", ZC_T_STR, NULL },
	[ZCOPY_A_POOL_LEN] = { "len", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_PAGES] = { "pages", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_INFLIGHT] = { "inflight", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_SENDS] = { "sends", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_BYTES_SENT] = { "bytes_sent", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_REGISTERED] = { "registered", ZC_T_FLAG, NULL },
};

const struct zc_attr_set zc_set_pool = {
	"pool", ZCOPY_A_POOL_MAX, zc_pool_attrs
};

static const struct zc_attr_desc zc_seg_attrs[ZCOPY_A_SEG_MAX + 1] = {
	[ZCOPY_A_SEG_TYPE] = { "type", ZC_T_U32, NULL },
	[ZCOPY_A_SEG_ID] = { "id", ZC_T_U32, NULL },
	[ZCOPY_A_SEG_OFFSET] = { "offset", ZC_T_U64, NULL },
	[ZCOPY_A_SEG_LEN] = { "len", ZC_T_U64, NULL },
};

const struct zc_attr_set zc_set_seg = {
	"xfer-seg", ZCOPY_A_SEG_MAX, zc_seg_attrs
};

static const struct zc_attr_desc zc_xfer_attrs[ZCOPY_A_XFER_MAX + 1] = {
	[ZCOPY_A_XFER_SOCKFD] = { "sockfd", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_DEVFD] = { "devfd", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_FLAGS] = { "flags", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_COOKIE] = { "cookie", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_SEG] = { "seg", ZC_T_NEST, &zc_set_seg },
	[ZCOPY_A_XFER_BYTES_SENT] = { "bytes_sent", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_STOP_SEG] = { "stop_seg", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_STOP_REASON] = { "stop_reason", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_STOP_OFFSET] = { "stop_offset", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_STOP_ERRNO] = { "stop_errno", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_PID] = { "pid", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_BYTES] = { "bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_POOL_BYTES] = { "pool_bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_ZC_BYTES] = { "zc_bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_COPIED_BYTES] = { "copied_bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_COMPL_FLAGS] = { "compl_flags", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_REASON] = { "reason", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_ERROR] = { "error", ZC_T_S32, NULL },
};

const struct zc_attr_set zc_set_xfer = {
	"xfer", ZCOPY_A_XFER_MAX, zc_xfer_attrs
};

static const struct {
	const char *name;
	const struct zc_attr_set *set;
} zc_cmds_desc[ZCOPY_CMD_MAX + 1] = {
	[ZCOPY_CMD_INFO_GET] = { "info-get", &zc_set_info },
	[ZCOPY_CMD_STATS_GET] = { "stats-get", &zc_set_stats },
	[ZCOPY_CMD_STATS_RESET] = { "stats-reset", &zc_set_stats },
	[ZCOPY_CMD_POOL_GET] = { "pool-get", &zc_set_pool },
	[ZCOPY_CMD_XFER_START] = { "xfer-start", &zc_set_xfer },
	[ZCOPY_CMD_XFER_DONE] = { "xfer-done", &zc_set_xfer },
	[ZCOPY_CMD_SEND_FAILED] = { "send-failed", &zc_set_xfer },
	[ZCOPY_CMD_POOL_NEW] = { "pool-new", &zc_set_pool },
	[ZCOPY_CMD_POOL_DEL] = { "pool-del", &zc_set_pool },
};

const char *zc_cmd_name(unsigned int cmd)
{
	if (cmd <= ZCOPY_CMD_MAX && zc_cmds_desc[cmd].name)
		return zc_cmds_desc[cmd].name;
	return NULL;
}

const struct zc_attr_set *zc_cmd_set(unsigned int cmd)
{
	return cmd <= ZCOPY_CMD_MAX ? zc_cmds_desc[cmd].set : NULL;
}

/* ---- --debug: one line per netlink message ---- */

static void zc_trace_attrs(FILE *f, const struct zc_attr_set *set,
			   struct nlattr *head, int len)
{
	struct nlattr *a;
	int rem, first = 1;

	nla_for_each_attr(a, head, len, rem) {
		int t = nla_type(a);
		const struct zc_attr_desc *d = set && set->attrs &&
			t <= set->max && set->attrs[t].name ? &set->attrs[t] :
			NULL;

		fprintf(f, "%s", first ? "" : " ");
		first = 0;
		if (!d) {
			fprintf(f, "attr%d[%d]", t, nla_len(a));
			continue;
		}
		fprintf(f, "%s", d->name);
		switch (d->type) {
		case ZC_T_U32:
			if (nla_len(a) >= 4)
				fprintf(f, "=%" PRIu32, nla_get_u32(a));
			break;
		case ZC_T_S32:
			if (nla_len(a) >= 4)
				fprintf(f, "=%" PRId32,
					(int32_t)nla_get_u32(a));
			break;
		case ZC_T_U64:
			if (nla_len(a) >= 8)
				fprintf(f, "=%" PRIu64, nla_get_u64(a));
			break;
		case ZC_T_STR:
			fprintf(f, "=\"%.*s\"", nla_len(a),
				(char *)nla_data(a));
			break;
		case ZC_T_FLAG:
			break;
		case ZC_T_NEST:
			fprintf(f, "={");
			zc_trace_attrs(f, d->nest, nla_data(a), nla_len(a));
			fprintf(f, "}");
			break;
		}
	}
}

static void zc_trace_msg(struct zc_ctx *ctx, struct nl_msg *msg,
			 const char *dir)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	FILE *f = stderr;

	fflush(stdout);
	fprintf(f, "debug: nl %s ", dir);
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = nlmsg_data(nlh);

		if (!e->error)
			fprintf(f, "ack");
		else
			fprintf(f, "error %d (%s)", e->error,
				strerror(-e->error));
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		int *err = nlmsg_data(nlh);

		fprintf(f, "done");
		if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int) && *err)
			fprintf(f, " error %d (%s)", *err, strerror(-*err));
	} else if (genlmsg_valid_hdr(nlh, 0)) {
		struct genlmsghdr *gh = nlmsg_data(nlh);
		const struct zc_attr_set *set = NULL;

		if (nlh->nlmsg_type == GENL_ID_CTRL) {
			fprintf(f, "ctrl %s", gh->cmd == CTRL_CMD_GETFAMILY ?
				"getfamily" : gh->cmd == CTRL_CMD_NEWFAMILY ?
				"newfamily" : "cmd");
			if (gh->cmd != CTRL_CMD_GETFAMILY &&
			    gh->cmd != CTRL_CMD_NEWFAMILY)
				fprintf(f, " %u", gh->cmd);
		} else if (nlh->nlmsg_type == ctx->family) {
			const char *n = zc_cmd_name(gh->cmd);

			set = zc_cmd_set(gh->cmd);
			if (n)
				fprintf(f, "zcopy %s", n);
			else
				fprintf(f, "zcopy cmd %u", gh->cmd);
		} else {
			fprintf(f, "type %u cmd %u", nlh->nlmsg_type, gh->cmd);
		}
		if (set) {
			fprintf(f, " {");
			zc_trace_attrs(f, set, genlmsg_attrdata(gh, 0),
				       genlmsg_attrlen(gh, 0));
			fprintf(f, "}");
		}
	} else {
		fprintf(f, "type %u", nlh->nlmsg_type);
	}
	fprintf(f, " seq %u len %u%s%s%s\n", nlh->nlmsg_seq, nlh->nlmsg_len,
		nlh->nlmsg_flags & NLM_F_MULTI ? " multi" : "",
		nlh->nlmsg_flags & NLM_F_DUMP_INTR ? " dump-intr" : "",
		nlh->nlmsg_flags & NLM_F_DUMP &&
		nlh->nlmsg_flags & NLM_F_REQUEST ? " dump" : "");
}

static int zc_trace_out(struct nl_msg *msg, void *arg)
{
	zc_trace_msg(arg, msg, ">");
	return NL_OK;
}

static int zc_trace_in(struct nl_msg *msg, void *arg)
{
	zc_trace_msg(arg, msg, "<");
	return NL_OK;
}

/*
 * Callbacks for a new socket that trace its messages on stderr when
 * --debug is on; NULL without --debug (or memory). nl_cb_put() it.
 */
struct nl_cb *zc_nl_trace_cb(struct zc_ctx *ctx)
{
	struct nl_cb *cb;

	if (!ctx->cli.debug)
		return NULL;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_MSG_OUT, NL_CB_CUSTOM, zc_trace_out, ctx);
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, zc_trace_in, ctx);
	return cb;
}

/* ---- requests: libzcopy's, with zcopyctl's error struct ---- */

void zc_nl_err_from(struct zc_nl_err *e, const struct libzcopy_nl_err *le)
{
	memset(e, 0, sizeof(*e));
	e->err = le->err;
	snprintf(e->msg, sizeof(e->msg), "%s", le->msg);
	snprintf(e->attr, sizeof(e->attr), "%s", le->attr);
	e->miss_type = le->miss_type;
	e->local = le->local;
}

/*
 * The one error line: "zcopyctl: CMD: [WHAT: ]ERRNO TEXT[: kernel says:
 * EXTACK][ (attribute A)][ (hint)]".
 */
void zc_nl_perror(struct zc_ctx *ctx, const char *what,
		  const struct zc_nl_err *e)
{
	char line[640];
	size_t n = 0;

	if (e->local) {
		/* libnl failed locally: e->msg says how. */
		zc_err(&ctx->cli, "%s%s%s", what ? what : "", what ? ": " : "",
		       e->msg);
		return;
	}
	n += snprintf(line + n, sizeof(line) - n, "%s%s%s",
		      what ? what : "", what ? ": " : "", strerror(-e->err));
	if (e->msg[0] && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n,
			      e->hint ? " (%s)" : ": kernel says: %s", e->msg);
	if (e->attr[0] && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " (attribute %s)",
			      e->attr);
	if (e->miss_type > 0 && n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n,
			      " (missing attribute %d)", e->miss_type);
	if (e->err == -EPERM && !e->msg[0] && n < sizeof(line))
		snprintf(line + n, sizeof(line) - n,
			 " (needs CAP_NET_ADMIN)");
	zc_err(&ctx->cli, "%s", line);
}

/*
 * Resolve the family by name (which loads zcopy.ko on demand), with the
 * operations and multicast groups the loaded module registered.
 */
int zc_nl_connect(struct zc_ctx *ctx)
{
	struct nl_cb *cb = zc_nl_trace_cb(ctx);
	struct libzcopy_nl_err le;
	struct zc_nl_err e;
	unsigned int i;
	int ret;

	ret = libzcopy_nl_open(&ctx->nl, cb, &le);
	if (cb)
		nl_cb_put(cb);
	if (ret == -ENOMEM) {
		zc_err(&ctx->cli, "out of memory");
		return -1;
	}
	if (ret == -ENOENT) {
		zc_err(&ctx->cli,
		       "generic netlink family \"%s\" not found: is zcopy.ko loaded?",
		       ZCOPY_GENL_NAME);
		return -1;
	}
	if (ret) {
		zc_nl_err_from(&e, &le);
		zc_nl_perror(ctx, "resolving the family", &e);
		return -1;
	}
	ctx->sk = libzcopy_nl_sock(ctx->nl);
	ctx->family = libzcopy_nl_family(ctx->nl);
	ctx->events_grp = libzcopy_nl_events_group(ctx->nl);
	for (i = 0; i < 64; i++)
		if (libzcopy_nl_has_op(ctx->nl, i))
			ctx->ops |= 1ull << i;
	return 0;
}

/* Fail early, and clearly, when the loaded module lacks an operation. */
int zc_nl_require(struct zc_ctx *ctx, unsigned int cmd)
{
	if (cmd < 64 && (ctx->ops & (1ull << cmd)))
		return 0;
	zc_err(&ctx->cli,
	       "%s: the loaded zcopy module has no %s operation (an older module?)",
	       strerror(EOPNOTSUPP), zc_cmd_name(cmd));
	return -1;
}
