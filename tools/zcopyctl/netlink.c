// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: the "zcopy" generic netlink family.
 *
 * libzcopy resolves the family and sends the requests, keeping the
 * kernel's extack message (and the attribute it points at) for the error
 * line printed here. The attribute sets, for --debug traces and the JSON
 * keys of stats, pools and events, are generated from the spec into
 * nl-gen.c (tools/nlgen).
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

/* ---- commands: zc_cmds_desc and the zc_set_* tables are in nl-gen.c ---- */

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
