/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sanitizer-kernel programs (zcopy_kfuzz, zcopy_stress) share: a
 * seeded generator, the device, raw generic netlink to the zcopy family
 * and its counters. Self-contained on purpose: only the UAPI header.
 */
#ifndef ZCOPY_DBG_H
#define ZCOPY_DBG_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/zcopy.h>

#define ZD_SKIP 4	/* kselftest's KSFT_SKIP */

static inline uint64_t zd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* splitmix64: one 64-bit state, the same stream for the same seed. */
static inline uint64_t zd_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline int zd_dev_open(void)
{
	return open("/dev/" ZCOPY_DEVICE_NAME, O_RDWR | O_CLOEXEC);
}

/* Raw generic netlink: the fuzzer wants to send what libnl would refuse. */
struct zd_nl {
	int fd;
	__u16 family;
	__u32 seq;
	char buf[16384];
};

static inline struct nlattr *zd_nla_put(struct nlmsghdr *n, __u16 type,
					const void *data, __u16 len)
{
	struct nlattr *a = (struct nlattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
	return a;
}

static inline struct nlmsghdr *zd_genl_msg(struct zd_nl *nl, void *buf,
					   __u16 family, __u8 cmd, __u16 flags)
{
	struct nlmsghdr *n = buf;
	struct genlmsghdr *g = NLMSG_DATA(n);

	memset(n, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	n->nlmsg_type = family;
	n->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	n->nlmsg_seq = ++nl->seq;
	g->cmd = cmd;
	g->version = ZCOPY_GENL_VERSION;
	return n;
}

/*
 * Send @n and read until its ACK or error (or the end of a dump): 0 or a
 * negative errno. @cb, if set, sees each data message.
 */
static inline int zd_nl_transact(struct zd_nl *nl, struct nlmsghdr *n,
				 void (*cb)(struct nlmsghdr *, void *), void *arg)
{
	__u32 seq = n->nlmsg_seq;

	if (send(nl->fd, n, n->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		ssize_t r = recv(nl->fd, nl->buf, sizeof(nl->buf), 0);
		struct nlmsghdr *h;

		if (r < 0)
			return -errno;
		for (h = (struct nlmsghdr *)nl->buf; NLMSG_OK(h, r);
		     h = NLMSG_NEXT(h, r)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (cb)
				cb(h, arg);
		}
	}
}

/* Call @fn on each top-level attribute of the genl message @h. */
static inline void zd_attrs(struct nlmsghdr *h,
			    void (*fn)(struct nlattr *, void *), void *arg)
{
	struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	for (; len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len;
	     len -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		fn(a, arg);
}

static inline void zd_family_attr(struct nlattr *a, void *arg)
{
	if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
		*(__u16 *)arg = *(__u16 *)((char *)a + NLA_HDRLEN);
}

static inline void zd_family_cb(struct nlmsghdr *h, void *arg)
{
	zd_attrs(h, zd_family_attr, arg);
}

static inline int zd_nl_open(struct zd_nl *nl)
{
	struct timeval tmo = { .tv_sec = 10 };
	char req[256];
	struct nlmsghdr *n;

	memset(nl, 0, sizeof(*nl));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo));
	n = zd_genl_msg(nl, req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)NLMSG_DATA(n))->version = 2;
	zd_nla_put(n, CTRL_ATTR_FAMILY_NAME, ZCOPY_GENL_NAME,
		   sizeof(ZCOPY_GENL_NAME));
	if (zd_nl_transact(nl, n, zd_family_cb, &nl->family) || !nl->family) {
		close(nl->fd);
		nl->fd = -1;
		return -ENOENT;
	}
	return 0;
}

/* The counters of ZCOPY_CMD_STATS_GET, by attribute. */
struct zd_stats {
	__u64 v[ZCOPY_A_STATS_MAX + 1];
};

static inline void zd_stats_attr(struct nlattr *a, void *arg)
{
	struct zd_stats *st = arg;

	if (a->nla_type <= ZCOPY_A_STATS_MAX && a->nla_len == NLA_HDRLEN + 8)
		memcpy(&st->v[a->nla_type], (char *)a + NLA_HDRLEN, 8);
}

static inline void zd_stats_cb(struct nlmsghdr *h, void *arg)
{
	zd_attrs(h, zd_stats_attr, arg);
}

static inline int zd_stats(struct zd_nl *nl, struct zd_stats *st)
{
	char req[64];

	memset(st, 0, sizeof(*st));
	return zd_nl_transact(nl, zd_genl_msg(nl, req, nl->family,
					       ZCOPY_CMD_STATS_GET, 0),
			      zd_stats_cb, st);
}

/*
 * Wait up to @ms for no pool, no pinned page and no outstanding transfer
 * (the stack may still hold pages of closed sockets for a moment): 0, or
 * -1 with what was left in @st.
 */
static inline int zd_wait_idle(struct zd_nl *nl, struct zd_stats *st,
			       unsigned int ms)
{
	uint64_t end = zd_now_ms() + ms;

	for (;;) {
		if (!zd_stats(nl, st) && !st->v[ZCOPY_A_STATS_POOLS] &&
		    !st->v[ZCOPY_A_STATS_PINNED_PAGES] &&
		    !st->v[ZCOPY_A_STATS_OUTSTANDING])
			return 0;
		if (zd_now_ms() > end)
			return -1;
		usleep(20000);
	}
}

static inline long zd_module_refcnt(void)
{
	char b[32] = "";
	FILE *f = fopen("/sys/module/zcopy/refcnt", "r");
	long v = -1;

	if (f) {
		if (fgets(b, sizeof(b), f))
			v = strtol(b, NULL, 10);
		fclose(f);
	}
	return v;
}

#endif
