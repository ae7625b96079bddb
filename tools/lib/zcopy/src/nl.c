// SPDX-License-Identifier: GPL-2.0
/*
 * libzcopy: the "zcopy" generic netlink family, with libnl-genl-3.
 *
 * One routine sends a request and collects its replies until the ACK, the
 * error or the end of the dump; the kernel's extended ACK is kept in a
 * struct libzcopy_nl_err, with the attribute it points at named as in
 * Documentation/netlink/specs/zcopy.yaml ("seg[2].len").
 */

#include <errno.h>
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

#include "internal.h"

#define LIBZCOPY_TB_MAX	(LIBZCOPY_NL_MAX_ATTR + 1)

struct libzcopy_nl {
	struct nl_sock *sk;
	int family;
	uint32_t events_grp;
	uint64_t ops;			/* 1 << cmd for each op the family has */
};

/*
 * Attribute names, types and libnl policies come from nl-gen.c, generated
 * from the spec by tools/nlgen.
 */

/* Requests other than XFER_START carry no attributes worth naming. */
static const struct libzcopy_nl_aset *libzcopy_req_set(uint8_t cmd)
{
	return cmd == ZCOPY_CMD_XFER_START ? &libzcopy_nl_set_xfer : NULL;
}

/*
 * Name the attribute at byte @offs of a request, as the extack's
 * NLMSGERR_ATTR_OFFS points at it: "devfd", "seg[2].len".
 */
static void libzcopy_attr_at(const struct libzcopy_nl_aset *set,
			     struct nlattr *head, int len, size_t offs,
			     size_t base, char *buf, size_t size)
{
	int seen[LIBZCOPY_TB_MAX] = { 0 };
	struct nlattr *a;
	int rem;

	nla_for_each_attr(a, head, len, rem) {
		size_t start = base + ((char *)a - (char *)head);
		int t = nla_type(a);
		const struct libzcopy_nl_attr *d;
		size_t n;

		d = set && t <= set->max && set->attrs[t].name ?
			&set->attrs[t] : NULL;
		if (offs < start || offs >= start + nla_total_size(nla_len(a))) {
			if (d && d->nest && t < LIBZCOPY_TB_MAX)
				seen[t]++;
			continue;
		}
		if (!d) {
			snprintf(buf, size, "attribute %d", t);
			return;
		}
		/* Nests are repeated (multi-attr): "seg[2]". */
		if (d->nest)
			snprintf(buf, size, "%s[%d]", d->name,
				 t < LIBZCOPY_TB_MAX ? seen[t] : 0);
		else
			snprintf(buf, size, "%s", d->name);
		n = strlen(buf);
		if (d->nest && offs >= start + NLA_HDRLEN && n + 1 < size) {
			buf[n] = '.';
			libzcopy_attr_at(d->nest, nla_data(a), nla_len(a),
					 offs, start + NLA_HDRLEN, buf + n + 1,
					 size - n - 1);
			if (!buf[n + 1])
				buf[n] = '\0';
		}
		return;
	}
	buf[0] = '\0';
}

/* ---- parsing ---- */

LIBZCOPY_API int libzcopy_nl_parse(struct nl_msg *msg,
				   struct libzcopy_nl_obj *o)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[LIBZCOPY_TB_MAX];
	const struct libzcopy_nl_aset *set;
	struct genlmsghdr *gh;
	int i;

	memset(o, 0, sizeof(*o));
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	o->cmd = gh->cmd;
	set = gh->cmd <= ZCOPY_CMD_MAX ? libzcopy_nl_cmd_sets[gh->cmd] : NULL;
	if (!set || set->max > LIBZCOPY_NL_MAX_ATTR)
		return -EPROTO;
	memset(tb, 0, sizeof(tb));
	if (nla_parse(tb, set->max, genlmsg_attrdata(gh, 0),
		      genlmsg_attrlen(gh, 0), set->policy))
		return -EBADMSG;
	for (i = 1; i <= set->max; i++) {
		if (!tb[i])
			continue;
		o->present |= 1ull << i;
		switch (set->attrs[i].type) {
		case LIBZCOPY_NL_T_U32:
			o->val[i] = nla_get_u32(tb[i]);
			break;
		case LIBZCOPY_NL_T_S32:
			o->val[i] = (uint64_t)(int64_t)(int32_t)nla_get_u32(tb[i]);
			break;
		case LIBZCOPY_NL_T_U64:
			o->val[i] = nla_get_u64(tb[i]);
			break;
		case LIBZCOPY_NL_T_STRING:
			snprintf(o->str, sizeof(o->str), "%.*s", nla_len(tb[i]),
				 (char *)nla_data(tb[i]));
			break;
		default:
			break;
		}
	}
	return 0;
}

/* ---- requests ---- */

struct libzcopy_req {
	libzcopy_nl_msg_cb cb;
	void *arg;
	struct libzcopy_nl_err *e;
	struct nlmsghdr *req;
	bool done;
};

static void libzcopy_parse_ext_ack(struct libzcopy_req *r,
				   struct nlattr *attrs, int len)
{
	struct nlattr *a;
	int rem;

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

				libzcopy_attr_at(libzcopy_req_set(gh->cmd),
						 genlmsg_attrdata(gh, 0),
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

static int libzcopy_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e,
			   void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)e - 1;
	struct libzcopy_req *r = arg;
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
		libzcopy_parse_ext_ack(r, (struct nlattr *)attrs, len);
	return NL_STOP;
}

static int libzcopy_ack_cb(struct nl_msg *msg, void *arg)
{
	struct libzcopy_req *r = arg;

	(void)msg;
	r->done = true;
	return NL_STOP;
}

/* NLMSG_DONE of a dump: carries an int, the dump's error, and extack. */
static int libzcopy_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct libzcopy_req *r = arg;
	int *err = nlmsg_data(nlh);
	int len;

	r->done = true;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int) || !*err)
		return NL_STOP;
	r->e->err = *err;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)sizeof(int);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > 0)
		libzcopy_parse_ext_ack(r, (struct nlattr *)(err + 1), len);
	return NL_STOP;
}

static int libzcopy_valid_cb(struct nl_msg *msg, void *arg)
{
	struct libzcopy_req *r = arg;
	int ret;

	if (r->cb) {
		ret = r->cb(msg, r->arg);
		if (ret < 0 && !r->e->err)
			r->e->err = ret;
	}
	return NL_OK;
}

/*
 * Send @msg (freed here) and hand each reply to @cb until the ACK, the
 * error, or the end of the dump. Returns 0 or a negative errno; @e (which
 * may be NULL) has the kernel's extended ACK.
 */
LIBZCOPY_API int libzcopy_nl_request(struct libzcopy_nl *n, struct nl_msg *msg,
				     libzcopy_nl_msg_cb cb, void *arg,
				     struct libzcopy_nl_err *e)
{
	struct libzcopy_nl_err local;
	struct libzcopy_req r = { .cb = cb, .arg = arg };
	struct nl_cb *ncb, *scb;
	int ret;

	if (!e)
		e = &local;
	memset(e, 0, sizeof(*e));
	r.e = e;
	if (!msg) {
		e->err = -ENOMEM;
		e->local = true;
		snprintf(e->msg, sizeof(e->msg), "out of memory");
		return e->err;
	}
	scb = nl_socket_get_cb(n->sk);
	ncb = nl_cb_clone(scb);
	nl_cb_put(scb);
	if (!ncb) {
		nlmsg_free(msg);
		e->err = -ENOMEM;
		return e->err;
	}
	nl_cb_err(ncb, NL_CB_CUSTOM, libzcopy_err_cb, &r);
	nl_cb_set(ncb, NL_CB_ACK, NL_CB_CUSTOM, libzcopy_ack_cb, &r);
	nl_cb_set(ncb, NL_CB_FINISH, NL_CB_CUSTOM, libzcopy_finish_cb, &r);
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, libzcopy_valid_cb, &r);

	ret = nl_send_auto(n->sk, msg);
	r.req = nlmsg_hdr(msg);
	while (ret >= 0 && !r.done)
		ret = nl_recvmsgs(n->sk, ncb);
	nl_cb_put(ncb);
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

static struct nl_msg *libzcopy_nl_msg_to(int family, uint8_t version,
					 uint8_t cmd, int flags, size_t size)
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
	return msg;
}

/* A request to the family; @size 0 for libnl's default buffer size. */
LIBZCOPY_API struct nl_msg *libzcopy_nl_msg(struct libzcopy_nl *n,
					    uint8_t cmd, int flags,
					    size_t size)
{
	return libzcopy_nl_msg_to(n->family, ZCOPY_GENL_VERSION, cmd, flags,
				  size);
}

/* ---- the handle: a socket, the family resolved ---- */

static int libzcopy_ctrl_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct libzcopy_nl *n = arg;
	struct genlmsghdr *gh;
	struct nlattr *a, *b;
	int rem, rem2;

	if (!genlmsg_valid_hdr(nlmsg_hdr(msg), 0))
		return -EBADMSG;
	gh = nlmsg_data(nlmsg_hdr(msg));
	memset(tb, 0, sizeof(tb));
	if (nla_parse(tb, CTRL_ATTR_MAX, genlmsg_attrdata(gh, 0),
		      genlmsg_attrlen(gh, 0), NULL))
		return -EBADMSG;
	if (tb[CTRL_ATTR_FAMILY_ID])
		n->family = nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_OPS]) {
		nla_for_each_nested(a, tb[CTRL_ATTR_OPS], rem) {
			nla_for_each_nested(b, a, rem2) {
				if (nla_type(b) == CTRL_ATTR_OP_ID &&
				    nla_get_u32(b) < 64)
					n->ops |= 1ull << nla_get_u32(b);
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
				n->events_grp = id;
		}
	}
	return 0;
}

/* A generic netlink socket, with extended ACKs, without resolving. */
static int libzcopy_nl_socket(struct libzcopy_nl **np, struct nl_cb *cb)
{
	struct libzcopy_nl *n;
	int ret, one = 1;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->sk = cb ? nl_socket_alloc_cb(cb) : nl_socket_alloc();
	if (!n->sk) {
		free(n);
		return -ENOMEM;
	}
	ret = genl_connect(n->sk);
	if (ret < 0) {
		nl_socket_free(n->sk);
		free(n);
		return -EIO;
	}
	/*
	 * Ask for extended ACKs (the kernel's reason for a rejection) without
	 * the request echoed back in them.
	 */
	setsockopt(nl_socket_get_fd(n->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(n->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	*np = n;
	return 0;
}

/*
 * Open a socket and resolve the family by name (which loads zcopy.ko on
 * demand), with the operations and multicast groups the module has. @cb,
 * if not NULL, becomes the socket's callbacks (e.g. NL_CB_MSG_IN/OUT for
 * tracing). -ENOENT: no such family.
 */
LIBZCOPY_API int libzcopy_nl_open(struct libzcopy_nl **np, struct nl_cb *cb,
				  struct libzcopy_nl_err *e)
{
	struct libzcopy_nl_err local;
	struct libzcopy_nl *n;
	struct nl_msg *msg;
	int ret;

	if (!e)
		e = &local;
	memset(e, 0, sizeof(*e));
	ret = libzcopy_nl_socket(&n, cb);
	if (ret) {
		e->err = ret;
		e->local = true;
		snprintf(e->msg, sizeof(e->msg), "netlink: %s",
			 ret == -ENOMEM ? "out of memory" : "cannot connect");
		return ret;
	}
	msg = libzcopy_nl_msg_to(GENL_ID_CTRL, 1, CTRL_CMD_GETFAMILY, 0, 0);
	if (msg && nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, ZCOPY_GENL_NAME)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	ret = libzcopy_nl_request(n, msg, libzcopy_ctrl_cb, n, e);
	if (!ret && !n->family)
		ret = e->err = -ENOENT;
	if (ret) {
		libzcopy_nl_close(n);
		return ret;
	}
	*np = n;
	return 0;
}

LIBZCOPY_API void libzcopy_nl_close(struct libzcopy_nl *n)
{
	if (!n)
		return;
	nl_socket_free(n->sk);
	free(n);
}

LIBZCOPY_API struct nl_sock *libzcopy_nl_sock(struct libzcopy_nl *n)
{
	return n->sk;
}

LIBZCOPY_API int libzcopy_nl_family(const struct libzcopy_nl *n)
{
	return n->family;
}

LIBZCOPY_API bool libzcopy_nl_has_op(const struct libzcopy_nl *n,
				     unsigned int cmd)
{
	return cmd < 64 && (n->ops & (1ull << cmd));
}

LIBZCOPY_API uint32_t libzcopy_nl_events_group(const struct libzcopy_nl *n)
{
	return n->events_grp;
}

/* ---- the operations ---- */

static int libzcopy_obj_cb(struct nl_msg *msg, void *arg)
{
	return libzcopy_nl_parse(msg, arg);
}

static int libzcopy_nl_do_get(struct libzcopy_nl *n, uint8_t cmd,
			   struct libzcopy_nl_obj *o,
			   struct libzcopy_nl_err *e)
{
	memset(o, 0, sizeof(*o));
	return libzcopy_nl_request(n, libzcopy_nl_msg(n, cmd, 0, 0),
				   libzcopy_obj_cb, o, e);
}

LIBZCOPY_API int libzcopy_nl_info(struct libzcopy_nl *n,
				  struct libzcopy_nl_obj *o,
				  struct libzcopy_nl_err *e)
{
	return libzcopy_nl_do_get(n, ZCOPY_CMD_INFO_GET, o, e);
}

LIBZCOPY_API int libzcopy_nl_stats(struct libzcopy_nl *n,
				   struct libzcopy_nl_obj *o,
				   struct libzcopy_nl_err *e)
{
	return libzcopy_nl_do_get(n, ZCOPY_CMD_STATS_GET, o, e);
}

LIBZCOPY_API int libzcopy_nl_stats_reset(struct libzcopy_nl *n,
					 struct libzcopy_nl_err *e)
{
	return libzcopy_nl_request(n, libzcopy_nl_msg(n, ZCOPY_CMD_STATS_RESET,
						      0, 0), NULL, NULL, e);
}

struct libzcopy_dump {
	libzcopy_nl_obj_cb cb;
	void *arg;
};

static int libzcopy_dump_cb(struct nl_msg *msg, void *arg)
{
	struct libzcopy_dump *d = arg;
	struct libzcopy_nl_obj o;
	int ret = libzcopy_nl_parse(msg, &o);

	return ret ? ret : d->cb(&o, d->arg);
}

/*
 * Dump the pools, @cb called once per pool. -EINTR: the list changed
 * during the dump (the callback may have seen a pool twice or missed one);
 * dump again.
 */
LIBZCOPY_API int libzcopy_nl_pools(struct libzcopy_nl *n,
				   libzcopy_nl_obj_cb cb, void *arg,
				   struct libzcopy_nl_err *e)
{
	struct libzcopy_dump d = { .cb = cb, .arg = arg };

	return libzcopy_nl_request(n, libzcopy_nl_msg(n, ZCOPY_CMD_POOL_GET,
						      NLM_F_DUMP, 0),
				   libzcopy_dump_cb, &d, e);
}

static int libzcopy_xfer_cb(struct nl_msg *msg, void *arg)
{
	uint32_t *id = arg;
	struct libzcopy_nl_obj o;
	int ret = libzcopy_nl_parse(msg, &o);

	if (ret)
		return ret;
	*id = (uint32_t)o.val[ZCOPY_A_XFER_ID];
	return 0;
}

static int libzcopy_nl_too_big(struct nl_msg *msg, struct libzcopy_nl_err *e)
{
	nlmsg_free(msg);
	memset(e, 0, sizeof(*e));
	e->err = -EMSGSIZE;
	snprintf(e->msg, sizeof(e->msg), "request too large for a message");
	e->local = true;
	return e->err;
}

/*
 * ZCOPY_CMD_XFER_START: the segments, as for libzcopy_send(), to be sent
 * on @sockfd by the kernel in the background, with the completion on
 * @devfd (-1: none; file segments only). *@id gets the transfer's id.
 */
LIBZCOPY_API int libzcopy_nl_xfer_start(struct libzcopy_nl *n, int sockfd,
					int devfd,
					const struct zcopy_seg *segs,
					unsigned int nr_segs,
					unsigned int flags, uint64_t cookie,
					unsigned int xflags, uint32_t *id,
					struct libzcopy_nl_err *e)
{
	struct libzcopy_nl_err local;
	struct nl_msg *msg;
	uint32_t got = 0;
	unsigned int i;
	int ret;

	if (!e)
		e = &local;
	if (xflags & ~LIBZCOPY_XFER_CANCEL_ON_CLOSE) {
		memset(e, 0, sizeof(*e));
		e->err = -EINVAL;
		snprintf(e->msg, sizeof(e->msg), "unknown xflags");
		e->local = true;
		return e->err;
	}
	msg = libzcopy_nl_msg(n, ZCOPY_CMD_XFER_START, 0,
			      256 + (size_t)nr_segs * 64);
	if (!msg)
		return libzcopy_nl_request(n, NULL, NULL, NULL, e);
	if (nla_put_u32(msg, ZCOPY_A_XFER_SOCKFD, (uint32_t)sockfd) ||
	    (devfd >= 0 &&
	     nla_put_u32(msg, ZCOPY_A_XFER_DEVFD, (uint32_t)devfd)) ||
	    (flags && nla_put_u32(msg, ZCOPY_A_XFER_FLAGS, flags)) ||
	    nla_put_u64(msg, ZCOPY_A_XFER_COOKIE, cookie) ||
	    ((xflags & LIBZCOPY_XFER_CANCEL_ON_CLOSE) &&
	     nla_put_flag(msg, ZCOPY_A_XFER_CANCEL_ON_CLOSE)))
		return libzcopy_nl_too_big(msg, e);
	for (i = 0; i < nr_segs; i++) {
		struct nlattr *nest = nla_nest_start(msg, ZCOPY_A_XFER_SEG);

		if (!nest ||
		    nla_put_u32(msg, ZCOPY_A_SEG_TYPE, segs[i].type) ||
		    nla_put_u32(msg, ZCOPY_A_SEG_ID, segs[i].id) ||
		    nla_put_u64(msg, ZCOPY_A_SEG_OFFSET, segs[i].offset) ||
		    nla_put_u64(msg, ZCOPY_A_SEG_LEN, segs[i].len) ||
		    (segs[i].flags &&
		     nla_put_u32(msg, ZCOPY_A_SEG_FLAGS, segs[i].flags)))
			return libzcopy_nl_too_big(msg, e);
		nla_nest_end(msg, nest);
	}
	ret = libzcopy_nl_request(n, msg, libzcopy_xfer_cb, &got, e);
	if (!ret && id)
		*id = got;
	return ret;
}

/* A request that names one transfer: XFER_GET (do) and XFER_CANCEL. */
static struct nl_msg *libzcopy_xfer_id_msg(struct libzcopy_nl *n, uint8_t cmd,
					   uint32_t id)
{
	struct nl_msg *msg = libzcopy_nl_msg(n, cmd, 0, 0);

	if (msg && nla_put_u32(msg, ZCOPY_A_XFER_ID, id)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* ZCOPY_CMD_XFER_GET of transfer @id: its state and progress into @o. */
LIBZCOPY_API int libzcopy_nl_xfer_get(struct libzcopy_nl *n, uint32_t id,
				      struct libzcopy_nl_obj *o,
				      struct libzcopy_nl_err *e)
{
	return libzcopy_nl_request(n,
				   libzcopy_xfer_id_msg(n, ZCOPY_CMD_XFER_GET,
							id),
				   libzcopy_obj_cb, o, e);
}

/* ZCOPY_CMD_XFER_GET dump: @cb per kernel-run transfer of the namespace. */
LIBZCOPY_API int libzcopy_nl_xfers(struct libzcopy_nl *n,
				   libzcopy_nl_obj_cb cb, void *arg,
				   struct libzcopy_nl_err *e)
{
	struct libzcopy_dump d = { .cb = cb, .arg = arg };

	return libzcopy_nl_request(n, libzcopy_nl_msg(n, ZCOPY_CMD_XFER_GET,
						      NLM_F_DUMP, 0),
				   libzcopy_dump_cb, &d, e);
}

/* ZCOPY_CMD_XFER_CANCEL of transfer @id. */
LIBZCOPY_API int libzcopy_nl_xfer_cancel(struct libzcopy_nl *n, uint32_t id,
					 struct libzcopy_nl_err *e)
{
	return libzcopy_nl_request(n,
				   libzcopy_xfer_id_msg(n, ZCOPY_CMD_XFER_CANCEL,
							id),
				   NULL, NULL, e);
}

/* ---- events ---- */

/*
 * A second socket, joined to the "events" group of @n's family: read it
 * with libzcopy_nl_events_recv(), poll its fd (libzcopy_nl_sock()). It is
 * non-blocking. -EOPNOTSUPP: the module has no such group; -EPERM: the
 * group needs CAP_NET_ADMIN.
 */
LIBZCOPY_API int libzcopy_nl_events_open(struct libzcopy_nl *n,
					 struct libzcopy_nl **ep,
					 struct nl_cb *cb)
{
	struct libzcopy_nl *ev;
	int ret, grp, fd;

	if (!n->events_grp)
		return -EOPNOTSUPP;
	ret = libzcopy_nl_socket(&ev, cb);
	if (ret)
		return ret;
	ev->family = n->family;
	ev->ops = n->ops;
	ev->events_grp = n->events_grp;
	nl_socket_disable_seq_check(ev->sk);
	nl_socket_set_buffer_size(ev->sk, 4 << 20, 0);
	fd = nl_socket_get_fd(ev->sk);
	grp = (int)ev->events_grp;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp))) {
		ret = -errno;
		libzcopy_nl_close(ev);
		return ret;
	}
	nl_socket_set_nonblocking(ev->sk);
	*ep = ev;
	return 0;
}

struct libzcopy_ev {
	int family;
	libzcopy_nl_obj_cb cb;
	void *arg;
	int n, err;
};

static int libzcopy_ev_cb(struct nl_msg *msg, void *arg)
{
	struct libzcopy_ev *v = arg;
	struct libzcopy_nl_obj o;
	int ret;

	if (nlmsg_hdr(msg)->nlmsg_type != v->family)
		return NL_SKIP;
	if (libzcopy_nl_parse(msg, &o) || o.cmd < ZCOPY_CMD_XFER_DONE)
		return NL_SKIP;
	v->n++;
	ret = v->cb(&o, v->arg);
	if (ret < 0) {
		v->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

/*
 * Read what is queued on an events socket, @cb called per event. Returns
 * the number of events (0: none was queued), or a negative errno:
 * -ENOBUFS when the socket's buffer overflowed and events were lost, or
 * what @cb returned.
 */
LIBZCOPY_API int libzcopy_nl_events_recv(struct libzcopy_nl *ev,
					 libzcopy_nl_obj_cb cb, void *arg)
{
	struct libzcopy_ev v = { .family = ev->family, .cb = cb, .arg = arg };
	struct nl_cb *ncb, *scb;
	int ret;

	scb = nl_socket_get_cb(ev->sk);
	ncb = nl_cb_clone(scb);
	nl_cb_put(scb);
	if (!ncb)
		return -ENOMEM;
	nl_cb_set(ncb, NL_CB_VALID, NL_CB_CUSTOM, libzcopy_ev_cb, &v);
	ret = nl_recvmsgs(ev->sk, ncb);
	nl_cb_put(ncb);
	if (v.err)
		return v.err;
	if (ret == -NLE_AGAIN)
		return v.n;
	if (ret == -NLE_NOMEM)
		return -ENOBUFS;
	if (ret < 0)
		return -EIO;
	return v.n;
}
