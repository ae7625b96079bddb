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
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/zcopy.h>

#define ZCOPY_DEV_PATH "/dev/" ZCOPY_DEVICE_NAME

#define ZT_NL_BUFSZ 8192

struct zt_nl {
	int fd;
	uint16_t family;
	uint32_t seq;
	/* Result of the last zt_nl_transact() */
	int err;
	char extack[256];
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
		}
	}
	return nl->err;
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
	return 0;
err:
	close(nl->fd);
	nl->fd = -1;
	return ret;
}

#endif /* ZCOPY_TEST_H */
