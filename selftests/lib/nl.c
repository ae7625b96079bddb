// SPDX-License-Identifier: GPL-2.0
/*
 * The device and the raw generic netlink client of zcopy_test.h, compiled
 * once and linked into every test.
 */

#include <stdlib.h>
#include <sys/time.h>

#include "zcopy_test.h"

struct nlattr *zt_nla_next(struct nlattr *a, int *rem)
{
	int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (struct nlattr *)((char *)a + len);
}

void *zt_nla_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

void zt_nla_put(struct nlmsghdr *nlh, uint16_t type,
			      const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh +
					     NLMSG_ALIGN(nlh->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(zt_nla_data(a), data, len);
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

struct nlmsghdr *zt_genl_msg(void *buf, uint16_t family,
					   uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = buf;
	struct genlmsghdr *gh;

	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	gh = NLMSG_DATA(nlh);
	gh->cmd = cmd;
	gh->version = version;
	return nlh;
}

int zt_nl_raw(struct zt_nl *nl, struct nlmsghdr *nlh, int timeout_ms,
	      void (*fn)(const struct nlmsghdr *h, size_t len, void *arg),
	      void *arg)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	size_t bufsz = 65536;
	char *buf = malloc(bufsz);
	struct nlmsghdr *h;
	int ret = 1;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	if (timeout_ms)
		setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh->nlmsg_seq = ++nl->seq;
	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) < 0) {
		ret = -errno;
		goto out;
	}
	while (ret > 0) {
		n = recv(nl->fd, buf, bufsz, 0);
		if (n < 0) {
			ret = (errno == EAGAIN || errno == EWOULDBLOCK) ?
			      -ETIMEDOUT : -errno;
			break;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (fn)
				fn(h, h->nlmsg_len, arg);
			if (h->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
				break;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int e = 0;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					memcpy(&e, NLMSG_DATA(h), sizeof(e));
				ret = e;
				break;
			}
		}
	}
out:
	free(buf);
	return ret;
}

/* zt_nl_transact()'s @fn: keep the reply, and the extack of the ACK. */
static void zt_nl_keep(const struct nlmsghdr *h, size_t len, void *arg)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	struct zt_nl *nl = arg;
	struct nlattr *a;
	int rem, off;

	if (h->nlmsg_type != NLMSG_ERROR) {
		if (len > sizeof(nl->reply)) {
			fprintf(stderr, "# netlink reply of %zu bytes dropped\n", len);
			return;
		}
		nl->reply_len = len;
		memcpy(nl->reply, h, len);
		return;
	}
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_HDRLEN + sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	zt_nla_for_each(a, (struct nlattr *)((char *)h + off),
			(int)len - off, rem)
		if (a->nla_type == NLMSGERR_ATTR_MSG)
			snprintf(nl->extack, sizeof(nl->extack), "%s",
				 (char *)zt_nla_data(a));
		else if (a->nla_type == NLMSGERR_ATTR_OFFS)
			memcpy(&nl->bad_off, zt_nla_data(a),
			       sizeof(nl->bad_off));
}

int zt_nl_transact(struct zt_nl *nl, struct nlmsghdr *nlh)
{
	nl->extack[0] = 0;
	nl->bad_off = -1;
	nl->reply_len = 0;
	nl->err = zt_nl_raw(nl, nlh, 0, zt_nl_keep, nl);
	return nl->err;
}

int zt_nl_dump(struct zt_nl *nl, struct nlmsghdr *nlh,
			     int (*fn)(struct nlmsghdr *h, void *arg),
			     void *arg)
{
	char buf[ZT_NL_BUFSZ * 4];
	struct nlmsghdr *h;
	ssize_t n;
	int ret;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++nl->seq;
	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			ret = fn(h, arg);
			if (ret)
				return ret;
		}
	}
}

struct nlattr *zt_genl_attr(struct nlmsghdr *h, int type)
{
	struct nlattr *a;
	int rem;

	zt_nla_for_each(a, (struct nlattr *)((char *)h + NLMSG_HDRLEN +
					     GENL_HDRLEN),
			(int)h->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, rem)
		if (a->nla_type == type)
			return a;
	return NULL;
}

uint64_t zt_nla_u64(struct nlattr *a)
{
	uint64_t v = 0;

	if (a)
		memcpy(&v, zt_nla_data(a), sizeof(v));
	return v;
}

uint32_t zt_nla_u32(struct nlattr *a)
{
	uint32_t v = 0;

	if (a)
		memcpy(&v, zt_nla_data(a), sizeof(v));
	return v;
}

struct nlattr *zt_nla_nest_start(struct nlmsghdr *nlh,
					       uint16_t type)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh +
					     NLMSG_ALIGN(nlh->nlmsg_len));

	zt_nla_put(nlh, type | NLA_F_NESTED, NULL, 0);
	return a;
}

void zt_nla_nest_end(struct nlmsghdr *nlh, struct nlattr *a)
{
	a->nla_len = (char *)nlh + nlh->nlmsg_len - (char *)a;
}

struct nlattr *zt_nl_reply_attrs(struct zt_nl *nl, int *len)
{
	*len = nl->reply_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (struct nlattr *)(nl->reply + NLMSG_HDRLEN + GENL_HDRLEN);
}

struct nlattr *zt_nl_reply_attr(struct zt_nl *nl, int type)
{
	struct nlattr *a;
	int len, rem;

	if (!nl->reply_len)
		return NULL;
	zt_nla_for_each(a, zt_nl_reply_attrs(nl, &len), len, rem)
		if (a->nla_type == type)
			return a;
	return NULL;
}

int zt_nl_open(struct zt_nl *nl, const char *name)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	nlh = zt_genl_msg(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	zt_nla_put(nlh, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	ret = zt_nl_transact(nl, nlh);
	if (ret)
		goto err;
	a = zt_nl_reply_attr(nl, CTRL_ATTR_FAMILY_ID);
	if (!a) {
		ret = -EPROTO;
		goto err;
	}
	memcpy(&nl->family, zt_nla_data(a), sizeof(nl->family));

	/* CTRL_ATTR_MCAST_GROUPS: nests of { name, id } */
	a = zt_nl_reply_attr(nl, CTRL_ATTR_MCAST_GROUPS);
	if (a) {
		struct nlattr *grp, *g;
		int rem1, rem2;

		zt_nla_for_each(grp, (struct nlattr *)zt_nla_data(a),
				a->nla_len - NLA_HDRLEN, rem1) {
			const char *gname = NULL;
			uint32_t id = 0;

			zt_nla_for_each(g, (struct nlattr *)zt_nla_data(grp),
					grp->nla_len - NLA_HDRLEN, rem2) {
				if (g->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					gname = zt_nla_data(g);
				if (g->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					memcpy(&id, zt_nla_data(g), sizeof(id));
			}
			if (gname && !strcmp(gname, ZCOPY_MCGRP_EVENTS))
				nl->events_group = id;
		}
	}
	return 0;
err:
	close(nl->fd);
	nl->fd = -1;
	return ret;
}

void zt_nla_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	zt_nla_put(nlh, type, &v, sizeof(v));
}

void zt_nla_put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	zt_nla_put(nlh, type, &v, sizeof(v));
}

void zt_xfer_put_seg(struct nlmsghdr *nlh, uint32_t type, uint32_t id,
		     uint64_t off, uint64_t len)
{
	struct nlattr *nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);

	zt_nla_put_u32(nlh, ZCOPY_A_SEG_TYPE, type);
	zt_nla_put_u32(nlh, ZCOPY_A_SEG_ID, id);
	zt_nla_put_u64(nlh, ZCOPY_A_SEG_OFFSET, off);
	zt_nla_put_u64(nlh, ZCOPY_A_SEG_LEN, len);
	zt_nla_nest_end(nlh, nest);
}
