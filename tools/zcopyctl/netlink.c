// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: the "zcopy" generic netlink family.
 *
 * One routine sends a request and collects its replies, ACK or error for
 * every command; the kernel's extack message (and the attribute it points
 * at) is kept for the error line. Attribute sets are described once here:
 * the same descriptions name attributes in --debug traces and in extack
 * offsets, and give the JSON keys of pools and events.
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

#define ZC_TB_MAX 64

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

/* The controller's replies: only the size matters, we parse them by hand. */
static const struct zc_attr_set zc_set_ctrl = { "ctrl", CTRL_ATTR_MAX, NULL };

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

/* Parse a generic netlink message: its command and top-level attributes. */
int zc_nl_parse_msg(struct nl_msg *msg, struct nlattr **tb, int maxattr,
		    uint8_t *cmd)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	*cmd = gh->cmd;
	return nla_parse(tb, maxattr, genlmsg_attrdata(gh, 0),
			 genlmsg_attrlen(gh, 0), NULL) ? -EBADMSG : 0;
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

/* Trace a socket's messages on stderr when --debug is on. */
void zc_nl_trace_cb(struct zc_ctx *ctx, struct nl_sock *sk)
{
	struct nl_cb *cb;

	if (!ctx->debug)
		return;
	cb = nl_socket_get_cb(sk);
	nl_cb_set(cb, NL_CB_MSG_OUT, NL_CB_CUSTOM, zc_trace_out, ctx);
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, zc_trace_in, ctx);
	nl_cb_put(cb);
}

/* ---- requests ---- */

struct zc_nl_req {
	struct zc_ctx *ctx;
	const struct zc_attr_set *set;
	zc_nl_parse_fn parse;
	void *arg;
	struct zc_nl_err *e;
	struct nlmsghdr *req;
	bool done;
};

/*
 * Name the attribute at byte @offs of the request @nlh, as the extack's
 * NLMSGERR_ATTR_OFFS points at it: "devfd", "seg[2].len".
 */
static void zc_attr_at(const struct zc_attr_set *set, struct nlattr *head,
		       int len, size_t offs, size_t base, char *buf,
		       size_t size)
{
	int counts[ZC_TB_MAX] = { 0 };
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		size_t start = base + ((char *)a - (char *)head);
		int t = nla_type(a);
		const struct zc_attr_desc *d;
		size_t n;

		if (offs < start || offs >= start + nla_total_size(nla_len(a))) {
			if (t < ZC_TB_MAX)
				counts[t]++;
			continue;
		}
		d = set && set->attrs && t <= set->max && set->attrs[t].name ?
		    &set->attrs[t] : NULL;
		if (!d) {
			snprintf(buf, size, "attribute %d", t);
			return;
		}
		if (d->type == ZC_T_NEST)
			snprintf(buf, size, "%s[%d]", d->name,
				 t < ZC_TB_MAX ? counts[t] : 0);
		else
			snprintf(buf, size, "%s", d->name);
		n = strlen(buf);
		if (d->type == ZC_T_NEST && offs >= start + NLA_HDRLEN &&
		    n + 1 < size) {
			buf[n] = '.';
			zc_attr_at(d->nest, nla_data(a), nla_len(a), offs,
				   start + NLA_HDRLEN, buf + n + 1,
				   size - n - 1);
			if (!buf[n + 1])
				buf[n] = '\0';
		}
		return;
	}
	buf[0] = '\0';
}

static void zc_parse_ext_ack(struct zc_nl_req *r, struct nlmsghdr *nlh,
			     struct nlattr *attrs, int len)
{
	struct nlattr *a;
	int rem;

	(void)nlh;
	nla_for_each_attr(a, attrs, len, rem) {
		switch (nla_type(a)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(r->e->msg, sizeof(r->e->msg), "%.*s",
				 nla_len(a), (char *)nla_data(a));
			/* Strip the trailing NUL and newline, if any. */
			r->e->msg[strcspn(r->e->msg, "\n")] = '\0';
			break;
		case NLMSGERR_ATTR_OFFS:
			if (r->req && nla_len(a) >= 4) {
				struct genlmsghdr *gh = nlmsg_data(r->req);

				zc_attr_at(r->set, genlmsg_attrdata(gh, 0),
					   genlmsg_attrlen(gh, 0),
					   nla_get_u32(a),
					   NLMSG_HDRLEN + GENL_HDRLEN,
					   r->e->attr, sizeof(r->e->attr));
			}
			break;
#ifdef NLMSGERR_ATTR_MISS_TYPE
		case NLMSGERR_ATTR_MISS_TYPE:
			if (nla_len(a) >= 4)
				r->e->miss_type = (int)nla_get_u32(a);
			break;
#endif
		default:
			break;
		}
	}
}

static int zc_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct zc_nl_req *r = arg;
	char *attrs = (char *)e + sizeof(*e);
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)sizeof(*e);

	(void)nla;
	r->e->err = e->error;
	r->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	/* Without NETLINK_CAP_ACK the request's payload is echoed first. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		attrs += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		len -= (int)NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (len > 0)
		zc_parse_ext_ack(r, nlh, (struct nlattr *)attrs, len);
	return NL_STOP;
}

static int zc_ack_cb(struct nl_msg *msg, void *arg)
{
	struct zc_nl_req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* NLMSG_DONE of a dump: carries an int, the dump's error, and extack. */
static int zc_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct zc_nl_req *r = arg;
	int *err = nlmsg_data(nlh);
	int len;

	r->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int) || !*err)
		return NL_STOP;
	r->e->err = *err;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)sizeof(int);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > 0)
		zc_parse_ext_ack(r, nlh, (struct nlattr *)(err + 1), len);
	return NL_STOP;
}

static int zc_valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[ZC_TB_MAX];
	struct zc_nl_req *r = arg;
	uint8_t cmd;
	int ret;

	memset(tb, 0, sizeof(tb));
	if (zc_nl_parse_msg(msg, tb, r->set->max, &cmd)) {
		r->e->err = -EBADMSG;
		snprintf(r->e->msg, sizeof(r->e->msg),
			 "malformed reply from the kernel");
		return NL_SKIP;
	}
	if (r->parse) {
		ret = r->parse(r->ctx, cmd, tb, r->arg);
		if (ret < 0 && !r->e->err)
			r->e->err = ret;
	}
	return NL_OK;
}

/*
 * Send @msg (freed here) and process its replies with @parse until the ACK,
 * the error, or the end of the dump. Returns 0 or a negative errno; the
 * kernel's extack is in @e.
 */
int zc_nl_request(struct zc_ctx *ctx, struct nl_msg *msg,
		  const struct zc_attr_set *set, zc_nl_parse_fn parse,
		  void *arg, struct zc_nl_err *e)
{
	struct zc_nl_req r = {
		.ctx = ctx, .set = set, .parse = parse, .arg = arg, .e = e,
	};
	struct nl_cb *cb, *scb;
	int ret;

	memset(e, 0, sizeof(*e));
	scb = nl_socket_get_cb(ctx->sk);
	cb = nl_cb_clone(scb);
	nl_cb_put(scb);
	if (!cb) {
		nlmsg_free(msg);
		e->err = -ENOMEM;
		return e->err;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, zc_err_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, zc_ack_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, zc_finish_cb, &r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, zc_valid_cb, &r);

	ret = nl_send_auto(ctx->sk, msg);
	r.req = nlmsg_hdr(msg);
	while (ret >= 0 && !r.done)
		ret = nl_recvmsgs(ctx->sk, cb);
	nl_cb_put(cb);
	nlmsg_free(msg);

	if (e->err)
		return e->err;
	if (ret < 0) {
		/* libnl's own failure, not the kernel's answer. */
		snprintf(e->msg, sizeof(e->msg), "netlink: %s",
			 nl_geterror(ret));
		e->err = ret == -NLE_DUMP_INTR ? -EINTR : -EIO;
		e->attr[0] = '\0';
		e->local = true;
		return e->err;
	}
	return 0;
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
		zc_err(ctx, "%s%s%s", what ? what : "", what ? ": " : "",
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
	zc_err(ctx, "%s", line);
}

/* Request, print any error; EXIT_OK or EXIT_FAIL. */
int zc_nl_do(struct zc_ctx *ctx, struct nl_msg *msg,
	     const struct zc_attr_set *set, zc_nl_parse_fn parse, void *arg)
{
	struct zc_nl_err e;

	if (zc_nl_request(ctx, msg, set, parse, arg, &e)) {
		zc_nl_perror(ctx, NULL, &e);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

static struct nl_msg *zc_nl_msg_to(struct zc_ctx *ctx, int family,
				    uint8_t version, uint8_t cmd, int flags,
				    size_t size)
{
	struct nl_msg *msg = size ? nlmsg_alloc_size(size) : nlmsg_alloc();

	/* Dumps end with NLMSG_DONE; everything else asks for an ACK. */
	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags, cmd, version)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	if (!msg) {
		zc_err(ctx, "out of memory");
		exit(EXIT_FAIL);
	}
	return msg;
}

/* A request to the zcopy family; @size 0 for the default buffer size. */
struct nl_msg *zc_nl_msg(struct zc_ctx *ctx, uint8_t cmd, int flags,
			 size_t size)
{
	return zc_nl_msg_to(ctx, ctx->family, ZCOPY_GENL_VERSION, cmd, flags,
			    size);
}

/* ---- resolving the family: id, operations, multicast groups ---- */

static int zc_ctrl_parse(struct zc_ctx *ctx, uint8_t cmd, struct nlattr **tb,
			 void *arg)
{
	struct nlattr *a, *b;
	int rem, rem2;

	(void)cmd;
	(void)arg;
	if (tb[CTRL_ATTR_FAMILY_ID])
		ctx->family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_OPS]) {
		nla_for_each_nested(a, tb[CTRL_ATTR_OPS], rem) {
			nla_for_each_nested(b, a, rem2) {
				if (nla_type(b) == CTRL_ATTR_OP_ID &&
				    nla_get_u32(b) < 64)
					ctx->ops |= 1ull << nla_get_u32(b);
			}
		}
	}
	if (tb[CTRL_ATTR_MCAST_GROUPS]) {
		nla_for_each_nested(a, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
			const char *name = NULL;
			uint32_t id = 0;

			nla_for_each_nested(b, a, rem2) {
				if (nla_type(b) == CTRL_ATTR_MCAST_GRP_NAME)
					name = nla_data(b);
				else if (nla_type(b) == CTRL_ATTR_MCAST_GRP_ID)
					id = nla_get_u32(b);
			}
			if (name && !strcmp(name, ZCOPY_MCGRP_EVENTS))
				ctx->events_grp = id;
		}
	}
	return 0;
}

/* A new generic netlink socket with extended ACKs and --debug tracing. */
struct nl_sock *zc_nl_socket(struct zc_ctx *ctx)
{
	struct nl_sock *sk;
	int ret, one = 1;

	sk = nl_socket_alloc();
	if (!sk) {
		zc_err(ctx, "out of memory");
		return NULL;
	}
	ret = genl_connect(sk);
	if (ret < 0) {
		zc_err(ctx, "netlink: %s", nl_geterror(ret));
		nl_socket_free(sk);
		return NULL;
	}
	/*
	 * Ask for extended ACKs (the kernel's reason for a rejection) without
	 * the request echoed back in them.
	 */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	zc_nl_trace_cb(ctx, sk);
	return sk;
}

/*
 * Resolve the family by name (which loads zcopy.ko on demand), with the
 * operations and multicast groups the loaded module registered.
 */
int zc_nl_connect(struct zc_ctx *ctx)
{
	struct nl_msg *msg;
	struct zc_nl_err e;

	ctx->sk = zc_nl_socket(ctx);
	if (!ctx->sk)
		return -1;
	msg = zc_nl_msg_to(ctx, GENL_ID_CTRL, 1, CTRL_CMD_GETFAMILY, 0, 0);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, ZCOPY_GENL_NAME);
	if (zc_nl_request(ctx, msg, &zc_set_ctrl, zc_ctrl_parse, NULL, &e) ||
	    !ctx->family) {
		if (e.err == -ENOENT || !ctx->family)
			zc_err(ctx,
			       "generic netlink family \"%s\" not found: is zcopy.ko loaded?",
			       ZCOPY_GENL_NAME);
		else
			zc_nl_perror(ctx, "resolving the family", &e);
		return -1;
	}
	return 0;
}

/* Fail early, and clearly, when the loaded module lacks an operation. */
int zc_nl_require(struct zc_ctx *ctx, unsigned int cmd)
{
	if (cmd < 64 && (ctx->ops & (1ull << cmd)))
		return 0;
	zc_err(ctx,
	       "%s: the loaded zcopy module has no %s operation (an older module?)",
	       strerror(EOPNOTSUPP), zc_cmd_name(cmd));
	return -1;
}
