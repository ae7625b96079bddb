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

struct nlattr *zt_nla_next(struct nlattr *a, int *rem);

#define zt_nla_for_each(a, head, len, rem)				\
	for (a = (head), rem = (len);					\
	     rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&	\
	     a->nla_len <= rem;						\
	     a = zt_nla_next(a, &rem))

void *zt_nla_data(struct nlattr *a);

/* Append an attribute to the message in @buf. */
void zt_nla_put(struct nlmsghdr *nlh, uint16_t type,
			      const void *data, uint16_t len);

void zt_nla_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v);
void zt_nla_put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v);

/* A ZCOPY_A_XFER_SEG nest of XFER_START: type, id, offset, length. */
void zt_xfer_put_seg(struct nlmsghdr *nlh, uint32_t type, uint32_t id,
		     uint64_t off, uint64_t len);

struct nlmsghdr *zt_genl_msg(void *buf, uint16_t family,
					   uint8_t cmd, uint8_t version);

/*
 * A raw netlink request: sends @nlh (the caller sets flags and the sequence
 * number is filled in) and reads until the ACK/error (NLMSG_ERROR) or the
 * end of a dump (NLMSG_DONE), calling @fn (if not NULL) on every message
 * that belongs to it, the last one too. Returns 0 or the kernel's negative
 * errno; -ETIMEDOUT when nothing ends the exchange within @timeout_ms (0:
 * the socket's receive timeout as it is, none unless set before).
 */
int zt_nl_raw(struct zt_nl *nl, struct nlmsghdr *nlh, int timeout_ms,
	      void (*fn)(const struct nlmsghdr *h, size_t len, void *arg),
	      void *arg);

/*
 * zt_nl_raw() for a request with an ACK, without timeout. Returns 0 or
 * -errno from the kernel; the extack message and the last reply are kept
 * in @nl.
 */
int zt_nl_transact(struct zt_nl *nl, struct nlmsghdr *nlh);

/*
 * Send a dump request and call @fn for every reply message until
 * NLMSG_DONE. Returns 0, a negative errno from the kernel, or @fn's
 * non-zero return.
 */
int zt_nl_dump(struct zt_nl *nl, struct nlmsghdr *nlh,
			     int (*fn)(struct nlmsghdr *h, void *arg),
			     void *arg);

/* The attribute @type among those of genl message @h, or NULL. */
struct nlattr *zt_genl_attr(struct nlmsghdr *h, int type);

uint64_t zt_nla_u64(struct nlattr *a);

uint32_t zt_nla_u32(struct nlattr *a);

/* Start a nested attribute; close it with zt_nla_nest_end(). */
struct nlattr *zt_nla_nest_start(struct nlmsghdr *nlh,
					       uint16_t type);

void zt_nla_nest_end(struct nlmsghdr *nlh, struct nlattr *a);

/* Attributes of the last reply, after the genl header. */
struct nlattr *zt_nl_reply_attrs(struct zt_nl *nl, int *len);

struct nlattr *zt_nl_reply_attr(struct zt_nl *nl, int type);

/*
 * Open a generic netlink socket with extended ACKs and resolve @name.
 * Returns 0, or -errno (-ENOENT when the family is not registered).
 */
int zt_nl_open(struct zt_nl *nl, const char *name);

#endif /* ZCOPY_TEST_H */
