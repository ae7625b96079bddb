/* SPDX-License-Identifier: GPL-2.0 */
/* libzcopy: what its source files share. */
#ifndef LIBZCOPY_INTERNAL_H
#define LIBZCOPY_INTERNAL_H

#include "libzcopy.h"
#include "nl-gen.h"

/* Only what libzcopy.map lists is exported (-fvisibility=hidden too). */
#define LIBZCOPY_API __attribute__((visibility("default")))

struct libzcopy {
	int fd;
	bool have_q;
	struct zcopy_query q;
	struct zcopy_seg *chunk;	/* libzcopy_send_all(): max_segments */
	void *cbuf;			/* libzcopy_reap(): bounce buffer */
	size_t cbuf_len;
};

/* The arguments of one send, for the ioctl and for XFER_START alike. */
static inline void libzcopy_send_args(struct zcopy_send *a, int sockfd,
				      const struct zcopy_seg *segs,
				      unsigned int nr_segs, unsigned int flags,
				      uint64_t cookie)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->flags = flags;
	a->sockfd = sockfd;
	a->nr_segs = nr_segs;
	a->segs = (uintptr_t)segs;
	a->cookie = cookie;
}

#endif
