/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the zcopy selftests: the device, and a minimal raw
 * generic netlink client (tests talk to the kernel directly, not through
 * zcopyctl or libnl, so a bug there cannot hide one in the module).
 */
#ifndef ZCOPY_TEST_H
#define ZCOPY_TEST_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/zcopy.h>

#define ZCOPY_DEV_PATH "/dev/" ZCOPY_DEVICE_NAME

#define ZT_NL_BUFSZ 8192

struct zt_nl {
	int fd;
	uint16_t family;
	uint32_t events_group;	/* multicast group id of "events", or 0 */
	uint32_t seq;
	/* Result of the last zt_nl_transact() */
	int err;
	char extack[256];
	/* NLMSGERR_ATTR_OFFS: the bad attribute's offset in the request, or -1 */
	int bad_off;
	/* The last reply message (not the ACK), if any */
	char reply[ZT_NL_BUFSZ];
	int reply_len;
};

static inline struct nlattr *zt_nla_next(struct nlattr *a, int *rem)
{
	int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (struct nlattr *)((char *)a + len);
}

#define zt_nla_for_each(a, head, len, rem)				\
	for (a = (head), rem = (len);					\
	     rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&	\
	     a->nla_len <= rem;						\
	     a = zt_nla_next(a, &rem))

static inline void *zt_nla_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

/* Append an attribute to the message in @buf. */
static inline void zt_nla_put(struct nlmsghdr *nlh, uint16_t type,
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

static inline struct nlmsghdr *zt_genl_msg(void *buf, uint16_t family,
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

/*
 * Send @nlh and read until the ACK or error. Returns 0 or -errno from the
 * kernel; the extack message and the last reply are kept in @nl.
 */
static inline int zt_nl_transact(struct zt_nl *nl, struct nlmsghdr *nlh)
{
	char buf[ZT_NL_BUFSZ];
	struct nlmsghdr *h;
	ssize_t n;

	nlh->nlmsg_seq = ++nl->seq;
	nl->err = 1;
	nl->extack[0] = 0;
	nl->bad_off = -1;
	nl->reply_len = 0;
	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;

	while (nl->err > 0) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *e;
			struct nlattr *a;
			int rem, off;

			if (h->nlmsg_seq != nl->seq)
				continue;
			if (h->nlmsg_type != NLMSG_ERROR) {
				nl->reply_len = h->nlmsg_len;
				memcpy(nl->reply, h, h->nlmsg_len);
				continue;
			}
			e = NLMSG_DATA(h);
			nl->err = e->error;
			if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
				continue;
			off = NLMSG_HDRLEN + sizeof(*e);
			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			zt_nla_for_each(a, (struct nlattr *)((char *)h + off),
					(int)h->nlmsg_len - off, rem)
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					snprintf(nl->extack,
						 sizeof(nl->extack), "%s",
						 (char *)zt_nla_data(a));
				else if (a->nla_type == NLMSGERR_ATTR_OFFS)
					memcpy(&nl->bad_off, zt_nla_data(a),
					       sizeof(nl->bad_off));
		}
	}
	return nl->err;
}

/*
 * Send a dump request and call @fn for every reply message until
 * NLMSG_DONE. Returns 0, a negative errno from the kernel, or @fn's
 * non-zero return.
 */
static inline int zt_nl_dump(struct zt_nl *nl, struct nlmsghdr *nlh,
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

/* The attribute @type among those of genl message @h, or NULL. */
static inline struct nlattr *zt_genl_attr(struct nlmsghdr *h, int type)
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

static inline uint64_t zt_nla_u64(struct nlattr *a)
{
	uint64_t v = 0;

	if (a)
		memcpy(&v, zt_nla_data(a), sizeof(v));
	return v;
}

static inline uint32_t zt_nla_u32(struct nlattr *a)
{
	uint32_t v = 0;

	if (a)
		memcpy(&v, zt_nla_data(a), sizeof(v));
	return v;
}

/* Start a nested attribute; close it with zt_nla_nest_end(). */
static inline struct nlattr *zt_nla_nest_start(struct nlmsghdr *nlh,
					       uint16_t type)
{
	struct nlattr *a = (struct nlattr *)((char *)nlh +
					     NLMSG_ALIGN(nlh->nlmsg_len));

	zt_nla_put(nlh, type | NLA_F_NESTED, NULL, 0);
	return a;
}

static inline void zt_nla_nest_end(struct nlmsghdr *nlh, struct nlattr *a)
{
	a->nla_len = (char *)nlh + nlh->nlmsg_len - (char *)a;
}

/* Attributes of the last reply, after the genl header. */
static inline struct nlattr *zt_nl_reply_attrs(struct zt_nl *nl, int *len)
{
	*len = nl->reply_len - NLMSG_HDRLEN - GENL_HDRLEN;
	return (struct nlattr *)(nl->reply + NLMSG_HDRLEN + GENL_HDRLEN);
}

static inline struct nlattr *zt_nl_reply_attr(struct zt_nl *nl, int type)
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

/*
 * Open a generic netlink socket with extended ACKs and resolve @name.
 * Returns 0, or -errno (-ENOENT when the family is not registered).
 */
static inline int zt_nl_open(struct zt_nl *nl, const char *name)
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

/* A connected TCP pair over loopback: *cli sends, *srv receives. */
static inline int zt_tcp_pair(int *cli, int *srv)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t sl = sizeof(sa);
	int l, ret = -1;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0)
		return -1;
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl))
		goto out;
	*cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*cli < 0)
		goto out;
	if (connect(*cli, (struct sockaddr *)&sa, sizeof(sa))) {
		close(*cli);
		goto out;
	}
	*srv = accept(l, NULL, NULL);
	if (*srv < 0) {
		close(*cli);
		goto out;
	}
	ret = 0;
out:
	close(l);
	return ret;
}

#endif /* ZCOPY_TEST_H */
