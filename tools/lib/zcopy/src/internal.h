/* SPDX-License-Identifier: GPL-2.0 */
/* libzcopy: what its source files share. */
#ifndef LIBZCOPY_INTERNAL_H
#define LIBZCOPY_INTERNAL_H

#include "libzcopy.h"

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

#endif
