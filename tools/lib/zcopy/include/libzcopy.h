/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libzcopy: the user-space library of zcopy, for /dev/zcopy and the
 * "zcopy" generic netlink family.
 *
 * The ABI structs and constants are those of <linux/zcopy.h> (the module's
 * UAPI header, included here); everything this library adds is named
 * libzcopy_* or LIBZCOPY_*, so the two never clash.
 *
 * Error convention (as liburing's): functions return 0, a count, or a
 * negative errno; errno itself is not part of the interface.
 *
 * Man pages: one per function, section 3 (tools/lib/zcopy/man).
 */
#ifndef LIBZCOPY_H
#define LIBZCOPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <linux/zcopy.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LIBZCOPY_VERSION_MAJOR	0
#define LIBZCOPY_VERSION_MINOR	1

/* ---- the device ---- */

/* An open /dev/zcopy file; opaque. */
struct libzcopy;

/* libzcopy_open() flags */
enum {
	LIBZCOPY_NONBLOCK = 1 << 0,	/* O_NONBLOCK: reap never blocks in read() */
};

int libzcopy_open(struct libzcopy **zp, unsigned int flags);
int libzcopy_open_fd(struct libzcopy **zp, int fd);
void libzcopy_close(struct libzcopy *z);
int libzcopy_fd(const struct libzcopy *z);
int libzcopy_query(struct libzcopy *z, struct zcopy_query *q);

/* ---- pools ---- */

int libzcopy_pool_register(struct libzcopy *z, void *addr, uint64_t len,
			   uint32_t *pool_id);
int libzcopy_pool_unregister(struct libzcopy *z, uint32_t pool_id);

/* A pool in memory the library mapped: libzcopy_pool_alloc(). */
struct libzcopy_pool {
	void *addr;			/* page-aligned start, writable */
	size_t map_len;			/* bytes mapped, whole pages */
	uint64_t len;			/* bytes registered */
	uint32_t id;			/* the pool id for segments */
};

int libzcopy_pool_alloc(struct libzcopy *z, struct libzcopy_pool *p,
			size_t len, const void *data);
int libzcopy_pool_free(struct libzcopy *z, struct libzcopy_pool *p);

/* ---- segments ---- */

static inline void libzcopy_seg_pool(struct zcopy_seg *s, uint32_t pool_id,
				     uint64_t offset, uint64_t len)
{
	memset(s, 0, sizeof(*s));
	s->type = ZCOPY_SEG_POOL;
	s->id = pool_id;
	s->offset = offset;
	s->len = len;
}

static inline void libzcopy_seg_file(struct zcopy_seg *s, int fd,
				     uint64_t offset, uint64_t len)
{
	memset(s, 0, sizeof(*s));
	s->type = ZCOPY_SEG_FILE;
	s->id = (uint32_t)fd;
	s->offset = offset;
	s->len = len;
}

/* ---- sending ---- */

int libzcopy_send(struct libzcopy *z, int sockfd, const struct zcopy_seg *segs,
		  unsigned int nr_segs, unsigned int flags, uint64_t cookie,
		  struct zcopy_seg_result *results, struct zcopy_send *out);

/*
 * Where libzcopy_send_all() is in a list of segments. Zero it before the
 * first call; pass it back unchanged to resume.
 */
struct libzcopy_send_state {
	unsigned int seg;		/* next segment to send */
	uint64_t offset;		/* bytes of it already sent */
	uint64_t bytes_sent;		/* all calls together */
	unsigned int transfers;		/* sends that succeeded: completions */
	unsigned int resumes;		/* short sends resumed */
	unsigned int eof_segs;		/* file extents cut short by EOF */
	uint32_t stop_reason;		/* the last ZCOPY_STOP_* */
	int stop_errno;			/* positive, with ZCOPY_STOP_ERROR */
};

int libzcopy_send_all(struct libzcopy *z, int sockfd,
		      const struct zcopy_seg *segs, unsigned int nr_segs,
		      unsigned int flags, uint64_t cookie,
		      struct libzcopy_send_state *st);

static inline bool libzcopy_send_done(const struct libzcopy_send_state *st,
				      unsigned int nr_segs)
{
	return st->seg >= nr_segs;
}

/* ---- asking before sending (LIBZCOPY_0.2) ---- */

int libzcopy_probe(struct libzcopy *z, int sockfd, struct zcopy_probe *p);

/* ---- completions ---- */

int libzcopy_reap(struct libzcopy *z, struct zcopy_completion *c,
		  unsigned int n, int timeout_ms);

/* ---- names ---- */

const char *libzcopy_send_strerror(int err);
const char *libzcopy_reason_name(uint32_t reason);
const char *libzcopy_stop_name(uint32_t stop);

/* ---- generic netlink: the "zcopy" family (needs libnl-genl-3) ---- */

struct nl_cb;
struct nl_msg;
struct nl_sock;
struct libzcopy_nl;

/* A failed request: the kernel's errno and extended ACK. */
struct libzcopy_nl_err {
	int err;			/* negative errno, or 0 */
	char msg[256];			/* the kernel's extack message */
	char attr[96];			/* attribute it points at: "seg[1].len" */
	int miss_type;			/* missing attribute type, or 0 */
	bool local;			/* libnl failed, not the kernel; see msg */
};

#define LIBZCOPY_NL_MAX_ATTR	63

/*
 * One message of the family, parsed: a reply (INFO_GET, STATS_GET,
 * POOL_GET, XFER_START, XFER_GET) or an event. @val[A] holds attribute A of the
 * command's attribute set as a number (s32 sign-extended), @str the
 * string attribute (INFO_VERSION, POOL_COMM).
 */
struct libzcopy_nl_obj {
	uint8_t cmd;			/* ZCOPY_CMD_* */
	uint64_t present;		/* bit A: attribute A was there */
	uint64_t val[LIBZCOPY_NL_MAX_ATTR + 1];
	char str[64];
};

static inline bool libzcopy_nl_has(const struct libzcopy_nl_obj *o,
				   unsigned int attr)
{
	return attr <= LIBZCOPY_NL_MAX_ATTR && (o->present >> attr & 1);
}

static inline uint64_t libzcopy_nl_get(const struct libzcopy_nl_obj *o,
				       unsigned int attr)
{
	return libzcopy_nl_has(o, attr) ? o->val[attr] : 0;
}

typedef int (*libzcopy_nl_obj_cb)(const struct libzcopy_nl_obj *o, void *arg);
typedef int (*libzcopy_nl_msg_cb)(struct nl_msg *msg, void *arg);

int libzcopy_nl_open(struct libzcopy_nl **np, struct nl_cb *cb,
		     struct libzcopy_nl_err *e);
void libzcopy_nl_close(struct libzcopy_nl *n);
struct nl_sock *libzcopy_nl_sock(struct libzcopy_nl *n);
int libzcopy_nl_family(const struct libzcopy_nl *n);
bool libzcopy_nl_has_op(const struct libzcopy_nl *n, unsigned int cmd);
uint32_t libzcopy_nl_events_group(const struct libzcopy_nl *n);

struct nl_msg *libzcopy_nl_msg(struct libzcopy_nl *n, uint8_t cmd, int flags,
			       size_t size);
int libzcopy_nl_request(struct libzcopy_nl *n, struct nl_msg *msg,
			libzcopy_nl_msg_cb cb, void *arg,
			struct libzcopy_nl_err *e);
int libzcopy_nl_parse(struct nl_msg *msg, struct libzcopy_nl_obj *o);

int libzcopy_nl_info(struct libzcopy_nl *n, struct libzcopy_nl_obj *o,
		     struct libzcopy_nl_err *e);
int libzcopy_nl_stats(struct libzcopy_nl *n, struct libzcopy_nl_obj *o,
		      struct libzcopy_nl_err *e);
int libzcopy_nl_stats_reset(struct libzcopy_nl *n, struct libzcopy_nl_err *e);
int libzcopy_nl_pools(struct libzcopy_nl *n, libzcopy_nl_obj_cb cb, void *arg,
		      struct libzcopy_nl_err *e);
/* libzcopy_nl_xfer_start() @xflags: cancel when @n is closed. */
#define LIBZCOPY_XFER_CANCEL_ON_CLOSE	(1U << 0)

int libzcopy_nl_xfer_start(struct libzcopy_nl *n, int sockfd, int devfd,
			   const struct zcopy_seg *segs, unsigned int nr_segs,
			   unsigned int flags, uint64_t cookie,
			   unsigned int xflags, uint32_t *id,
			   struct libzcopy_nl_err *e);
int libzcopy_nl_xfer_get(struct libzcopy_nl *n, uint32_t id,
			 struct libzcopy_nl_obj *o, struct libzcopy_nl_err *e);
int libzcopy_nl_xfers(struct libzcopy_nl *n, libzcopy_nl_obj_cb cb, void *arg,
		      struct libzcopy_nl_err *e);
int libzcopy_nl_xfer_cancel(struct libzcopy_nl *n, uint32_t id,
			    struct libzcopy_nl_err *e);

int libzcopy_nl_events_open(struct libzcopy_nl *n, struct libzcopy_nl **ep,
			    struct nl_cb *cb);
int libzcopy_nl_events_recv(struct libzcopy_nl *ev, libzcopy_nl_obj_cb cb,
			    void *arg);

#ifdef __cplusplus
}
#endif

#endif /* LIBZCOPY_H */
