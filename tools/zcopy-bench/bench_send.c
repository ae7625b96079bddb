// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench: the sending techniques. Each sends @requests requests of
 * the workload (request i is unit i % nunits: a header from memory, then a
 * body: file bytes from the page cache, or the same bytes from memory) on
 * a connected TCP socket, in the way its API is meant to be used, and
 * counts every system call it makes in the timed path.
 *
 * Where the body comes from, per technique:
 *   page cache   read+write, mmap+write, sendfile, splice, sendfile+MSG_MORE,
 *                zcopy file extents, zcopy header(pool)+body(file)
 *   memory       MSG_ZEROCOPY, io_uring SEND_ZC (registered buffers),
 *                zcopy pool ranges, write: a page-aligned anonymous copy
 *                of the file, loaded before timing (io_uring refuses to
 *                register file-backed memory, so all memory techniques use
 *                the same copy)
 */

#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "bench.h"

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif
#define ZB_REAP_EVERY	16		/* sends between non-blocking reaps */

static inline const struct zb_unit *zb_unit(const struct zb_work *w,
					    uint64_t i)
{
	return &w->units[i % w->nunits];
}

int zb_sendall(int fd, const void *buf, size_t len, int flags,
	       struct zb_counts *c)
{
	const char *p = buf;

	while (len) {
		ssize_t n = ZB_SYS(c, send(fd, p, len, flags | MSG_NOSIGNAL));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int zb_hdr(struct zb_env *e, int fd, const struct zb_unit *u,
		  int flags, struct zb_counts *c)
{
	return u->hdr_len ? zb_sendall(fd, e->hdr, u->hdr_len, flags, c) : 0;
}

/* ---- read + write ---- */

static uint8_t *zb_rwbuf;

static int zb_rw_setup(struct zb_env *e, char *why, size_t wlen)
{
	if (!zb_rwbuf)
		zb_rwbuf = malloc(e->chunk);
	if (!zb_rwbuf) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	return 0;
}

static int zb_rw_send(struct zb_env *e, int fd, const struct zb_work *w,
		      uint64_t requests, struct zb_counts *c)
{
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		uint64_t off = u->body_off, left = u->body_len;

		if (zb_hdr(e, fd, u, 0, c))
			return -1;
		while (left) {
			size_t want = left < e->chunk ? left : e->chunk;
			ssize_t n = ZB_SYS(c, pread(e->file_fd, zb_rwbuf, want,
						    (off_t)off));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0 || zb_sendall(fd, zb_rwbuf, n, 0, c))
				return -1;
			off += n;
			left -= n;
		}
	}
	return 0;
}

/* ---- mmap + write ---- */

static int zb_mmap_send(struct zb_env *e, int fd, const struct zb_work *w,
			uint64_t requests, struct zb_counts *c)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		uint64_t start = u->body_off & ~(uint64_t)(pg - 1);
		size_t maplen = u->body_off + u->body_len - start;
		uint8_t *map = ZB_SYS(c, mmap(NULL, maplen, PROT_READ, MAP_SHARED,
					      e->file_fd, (off_t)start));
		const uint8_t *p;
		uint64_t left = u->body_len;
		bool first = true;

		if (map == MAP_FAILED)
			return -1;
		p = map + (u->body_off - start);
		while (left) {
			size_t want = left < e->chunk ? left : e->chunk;
			struct iovec iov[2] = {
				{ e->hdr, u->hdr_len },
				{ (void *)p, want },
			};
			struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
			ssize_t n;

			if (!first || !u->hdr_len) {
				msg.msg_iov = &iov[1];
				msg.msg_iovlen = 1;
			}
			n = ZB_SYS(c, sendmsg(fd, &msg, MSG_NOSIGNAL));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto fail;
			if (first && u->hdr_len) {
				/* A short send within the header: finish it. */
				if ((size_t)n < u->hdr_len) {
					if (zb_sendall(fd, e->hdr + n,
						       u->hdr_len - n, 0, c))
						goto fail;
					n = u->hdr_len;
				}
				n -= u->hdr_len;
			}
			first = false;
			p += n;
			left -= n;
		}
		ZB_SYS(c, munmap(map, maplen));
		continue;
fail:
		munmap(map, maplen);
		return -1;
	}
	return 0;
}

/* ---- sendfile, with and without MSG_MORE on the header ---- */

static int zb_sendfile_body(struct zb_env *e, int fd, const struct zb_unit *u,
			    struct zb_counts *c)
{
	off_t off = (off_t)u->body_off;
	uint64_t left = u->body_len;

	while (left) {
		ssize_t n = ZB_SYS(c, sendfile(fd, e->file_fd, &off, left));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		left -= n;
	}
	return 0;
}

static int zb_sendfile_send(struct zb_env *e, int fd, const struct zb_work *w,
			    uint64_t requests, struct zb_counts *c)
{
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);

		if (zb_hdr(e, fd, u, 0, c) || zb_sendfile_body(e, fd, u, c))
			return -1;
	}
	return 0;
}

static int zb_sendfile_more_send(struct zb_env *e, int fd,
				 const struct zb_work *w, uint64_t requests,
				 struct zb_counts *c)
{
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);

		if (zb_hdr(e, fd, u, MSG_MORE, c) ||
		    zb_sendfile_body(e, fd, u, c))
			return -1;
	}
	return 0;
}

/* ---- splice through a pipe ---- */

static int zb_pipe[2] = { -1, -1 };
static size_t zb_pipe_size;

static int zb_splice_setup(struct zb_env *e, char *why, size_t wlen)
{
	int sz;

	(void)e;
	if (zb_pipe[0] >= 0)
		return 0;
	if (pipe2(zb_pipe, O_CLOEXEC)) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -1;
	}
	sz = fcntl(zb_pipe[0], F_GETPIPE_SZ);
	zb_pipe_size = sz > 0 ? (size_t)sz : 65536;
	return 0;
}

/* Splice @n bytes from zb_pipe to @fd, with SPLICE_F_MORE if @more. */
static int zb_pipe_drain(int fd, ssize_t n, bool more, struct zb_counts *c)
{
	while (n) {
		ssize_t m = ZB_SYS(c, splice(zb_pipe[0], NULL, fd, NULL, n,
					     SPLICE_F_MOVE |
					     (more ? SPLICE_F_MORE : 0)));

		if (m < 0 && errno == EINTR)
			continue;
		if (m <= 0)
			return -1;
		n -= m;
	}
	return 0;
}

static int zb_splice_send(struct zb_env *e, int fd, const struct zb_work *w,
			  uint64_t requests, struct zb_counts *c)
{
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		loff_t off = (loff_t)u->body_off;
		uint64_t left = u->body_len;

		if (zb_hdr(e, fd, u, 0, c))
			return -1;
		while (left) {
			size_t want = left < zb_pipe_size ? left : zb_pipe_size;
			ssize_t n = ZB_SYS(c, splice(e->file_fd, &off, zb_pipe[1],
						     NULL, want, SPLICE_F_MOVE));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -1;
			left -= n;
			if (zb_pipe_drain(fd, n, left, c))
				return -1;
		}
	}
	return 0;
}

/* ---- vmsplice(SPLICE_F_GIFT) from memory, then splice to the socket ---- */

/*
 * The body's pages go into the pipe by reference (SPLICE_F_GIFT: the
 * sender promises not to touch them; zcopy-bench never writes the
 * memory copy of the payload after loading it), then the pipe's buffers
 * to the socket. No completion tells when the stack let go of them: a
 * program that rewrites its buffers cannot know when it may.
 */
static int zb_vmsplice_send(struct zb_env *e, int fd, const struct zb_work *w,
			    uint64_t requests, struct zb_counts *c)
{
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		const uint8_t *p = e->mem + u->body_off;
		uint64_t left = u->body_len;

		if (zb_hdr(e, fd, u, MSG_MORE, c))
			return -1;
		while (left) {
			struct iovec iov = {
				(void *)p, left < zb_pipe_size ? left : zb_pipe_size,
			};
			ssize_t n = ZB_SYS(c, vmsplice(zb_pipe[1], &iov, 1,
						       SPLICE_F_GIFT));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return -1;
			p += n;
			left -= n;
			if (zb_pipe_drain(fd, n, left, c))
				return -1;
		}
	}
	return 0;
}

/* ---- MSG_ZEROCOPY ---- */

/* Read zero-copy notifications from the error queue; @block: until @want. */
int zb_msgzc_reap(int fd, struct zb_counts *c, uint64_t *done,
		  uint64_t want, bool block)
{
	while (*done < want) {
		char control[128];
		struct msghdr msg = {
			.msg_control = control,
			.msg_controllen = sizeof(control),
		};
		struct cmsghdr *cm;
		ssize_t n;

		if (block) {
			struct pollfd pfd = { .fd = fd, .events = 0 };

			if (ZB_SYS(c, poll(&pfd, 1, 10000)) <= 0 &&
			    errno != EINTR)
				return -1;
		}
		n = ZB_SYS(c, recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT));
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!block)
				return 0;
			continue;
		}
		if (n < 0)
			return -1;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			struct sock_extended_err *ee;
			uint64_t k;

			if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
			      (cm->cmsg_level == SOL_IPV6 &&
			       cm->cmsg_type == IPV6_RECVERR)))
				continue;
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY)
				continue;
			k = (uint64_t)(ee->ee_data - ee->ee_info) + 1;
			*done += k;
			c->compl += k;
			if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
				c->compl_copied += k;
			else
				c->compl_zc += k;
		}
	}
	return 0;
}

static int zb_msgzc_send(struct zb_env *e, int fd, const struct zb_work *w,
			 uint64_t requests, struct zb_counts *c)
{
	uint64_t i, issued = 0, done = 0;
	int one = 1;

	c->compl_known = c->compl_usage_known = true;
	if (setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
		return -1;
	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		const uint8_t *p = e->mem + u->body_off;
		uint64_t left = u->body_len;
		size_t hleft = u->hdr_len;

		while (left || hleft) {
			size_t want = left < e->chunk ? left : e->chunk;
			struct iovec iov[2] = {
				{ e->hdr + (u->hdr_len - hleft), hleft },
				{ (void *)p, want },
			};
			struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
			ssize_t n;

			if (!hleft) {
				msg.msg_iov = &iov[1];
				msg.msg_iovlen = 1;
			}
			n = ZB_SYS(c, sendmsg(fd, &msg, MSG_ZEROCOPY | MSG_NOSIGNAL));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == ENOBUFS) {
				/* optmem or memlock: wait for completions */
				if (issued == done ||
				    zb_msgzc_reap(fd, c, &done, done + 1, true))
					return -1;
				continue;
			}
			if (n <= 0)
				return -1;
			issued++;
			if ((size_t)n <= hleft) {
				hleft -= n;
				n = 0;
			} else {
				n -= hleft;
				hleft = 0;
			}
			p += n;
			left -= n;
			if (!(issued % ZB_REAP_EVERY) &&
			    zb_msgzc_reap(fd, c, &done, issued, false))
				return -1;
		}
	}
	return zb_msgzc_reap(fd, c, &done, issued, true);
}

/* ---- io_uring SEND_ZC with registered buffers ---- */

#ifdef ZC_HAVE_LIBURING

#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE	(1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED	(1U << 31)
#endif

#define ZB_URING_QD	16

static int zb_uring_setup(struct zb_env *e, char *why, size_t wlen)
{
	struct io_uring_probe *probe;
	struct iovec iov[2];
	int ret;

	if (e->uring_init)
		goto done;
	e->uring_init = true;
	ret = io_uring_queue_init(64, &e->ring, 0);
	if (ret) {
		snprintf(e->uring_why, sizeof(e->uring_why),
			 "io_uring_queue_init: %s", strerror(-ret));
		goto done;
	}
	probe = io_uring_get_probe_ring(&e->ring);
	if (!probe || !io_uring_opcode_supported(probe, IORING_OP_SEND_ZC)) {
		snprintf(e->uring_why, sizeof(e->uring_why),
			 "this kernel's io_uring has no IORING_OP_SEND_ZC");
		if (probe)
			io_uring_free_probe(probe);
		io_uring_queue_exit(&e->ring);
		goto done;
	}
	io_uring_free_probe(probe);
	iov[0].iov_base = e->hdr;
	iov[0].iov_len = e->hdr_max;
	iov[1].iov_base = e->mem;
	iov[1].iov_len = e->mem_map;
	ret = io_uring_register_buffers(&e->ring, iov, 2);
	if (ret) {
		snprintf(e->uring_why, sizeof(e->uring_why),
			 "io_uring_register_buffers: %s", strerror(-ret));
		io_uring_queue_exit(&e->ring);
		goto done;
	}
	e->uring_ok = true;
	e->uring_report = true;		/* until the kernel says EINVAL */
done:
	if (!e->uring_ok)
		snprintf(why, wlen, "%s", e->uring_why);
	return e->uring_ok ? 0 : -1;
}

struct zb_piece {
	uint16_t buf;
	const uint8_t *p;
	uint32_t len;
	bool more;
};

struct zb_uring_st {
	uint64_t notif_expected, notif_done;
};

static void zb_uring_notif(struct zb_env *e, struct io_uring_cqe *cqe,
			   struct zb_uring_st *st, struct zb_counts *c)
{
	st->notif_done++;
	c->compl++;
	if (!e->uring_report)
		return;
	if (cqe->res & IORING_NOTIF_USAGE_ZC_COPIED)
		c->compl_copied++;
	else
		c->compl_zc++;
}

/* One CQE, from the ring or by waiting (a system call). */
static int zb_uring_cqe(struct zb_env *e, struct io_uring_cqe **cqe,
			struct zb_counts *c)
{
	int ret = io_uring_peek_cqe(&e->ring, cqe);

	if (ret == -EAGAIN) {
		do {
			ret = ZB_SYS(c, io_uring_wait_cqe(&e->ring, cqe));
		} while (ret == -EINTR);
	}
	return ret;
}

/* Send @n pieces as one linked chain; resubmit after a short send. */
static int zb_uring_chain(struct zb_env *e, int fd, struct zb_piece *pc,
			  unsigned int n, struct zb_uring_st *st,
			  struct zb_counts *c)
{
	while (n) {
		int32_t res[ZB_URING_QD];
		unsigned int i, seen = 0, stop;
		int ret;

		for (i = 0; i < n; i++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&e->ring);
			int flags = MSG_WAITALL | MSG_NOSIGNAL |
				    (pc[i].more ? MSG_MORE : 0);

			io_uring_prep_send_zc_fixed(sqe, fd, pc[i].p, pc[i].len,
				flags, e->uring_report ?
				IORING_SEND_ZC_REPORT_USAGE : 0, pc[i].buf);
			sqe->user_data = i;
			if (i + 1 < n)
				sqe->flags |= IOSQE_IO_LINK;
			res[i] = 0;
		}
		ret = ZB_SYS(c, io_uring_submit_and_wait(&e->ring, 1));
		if (ret < 0 && ret != -EINTR)
			return -1;
		while (seen < n) {
			struct io_uring_cqe *cqe;

			if (zb_uring_cqe(e, &cqe, c))
				return -1;
			if (cqe->flags & IORING_CQE_F_NOTIF) {
				zb_uring_notif(e, cqe, st, c);
			} else if (cqe->user_data < n) {
				res[cqe->user_data] = cqe->res;
				if (cqe->flags & IORING_CQE_F_MORE)
					st->notif_expected++;
				seen++;
			}
			io_uring_cqe_seen(&e->ring, cqe);
		}
		for (stop = 0; stop < n && res[stop] == (int32_t)pc[stop].len;
		     stop++)
			;
		if (stop == n)
			return 0;
		if (res[stop] == -EINVAL && e->uring_report) {
			/* 6.1 before the backport: no usage reports. */
			e->uring_report = false;
			c->compl_usage_known = false;
		} else if (res[stop] > 0) {
			pc[stop].p += res[stop];
			pc[stop].len -= res[stop];
		} else if (res[stop] != -EINTR && res[stop] != -EAGAIN) {
			errno = -res[stop];
			return -1;
		}
		pc += stop;
		n -= stop;
	}
	return 0;
}

static int zb_uring_send(struct zb_env *e, int fd, const struct zb_work *w,
			 uint64_t requests, struct zb_counts *c)
{
	struct zb_uring_st st = { 0 };
	struct zb_piece pc[ZB_URING_QD];
	unsigned int n = 0;
	uint64_t i;

	c->compl_known = true;
	c->compl_usage_known = e->uring_report;
	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		uint64_t off = u->body_off, left = u->body_len;

		if (u->hdr_len)
			pc[n++] = (struct zb_piece){ 0, e->hdr, u->hdr_len, true };
		while (left) {
			size_t want = left < e->chunk ? left : e->chunk;

			if (n == ZB_URING_QD) {
				if (zb_uring_chain(e, fd, pc, n, &st, c))
					return -1;
				n = 0;
			}
			pc[n++] = (struct zb_piece){ 1, e->mem + off,
						     (uint32_t)want,
						     left > want };
			off += want;
			left -= want;
		}
		if (zb_uring_chain(e, fd, pc, n, &st, c))
			return -1;
		n = 0;
	}
	while (st.notif_done < st.notif_expected) {
		struct io_uring_cqe *cqe;

		if (zb_uring_cqe(e, &cqe, c))
			return -1;
		if (cqe->flags & IORING_CQE_F_NOTIF)
			zb_uring_notif(e, cqe, &st, c);
		io_uring_cqe_seen(&e->ring, cqe);
	}
	c->compl_usage_known = e->uring_report;
	return 0;
}

#else /* !ZC_HAVE_LIBURING */

static int zb_uring_setup(struct zb_env *e, char *why, size_t wlen)
{
	(void)e;
	snprintf(why, wlen, "zcopy-bench was built without liburing (install liburing-dev and rebuild)");
	return -1;
}

static int zb_uring_send(struct zb_env *e, int fd, const struct zb_work *w,
			 uint64_t requests, struct zb_counts *c)
{
	(void)e; (void)fd; (void)w; (void)requests; (void)c;
	return -1;
}

#endif

/* ---- zcopy: ZCOPY_IOC_SEND ---- */

static int zb_zc_setup(struct zb_env *e, char *why, size_t wlen)
{
	if (!e->zc_ok) {
		snprintf(why, wlen, "%s", e->zc_why);
		return -1;
	}
	return 0;
}

/* Read completion records; @block: until @outstanding is at most @max. */
int zb_zc_reap(struct zb_env *e, uint64_t *outstanding, uint64_t max,
	       struct zb_counts *c)
{
	struct zcopy_completion comps[64];
	bool block = *outstanding > max;

	while (*outstanding) {
		int n, i;

		/* libzcopy_reap: poll() then read() if it waits, else read(). */
		c->syscalls += block ? 2 : 1;
		n = libzcopy_reap(e->z, comps, 64,
				  block ? (int)(e->timeout * 1000) : 0);
		if (n == -EINTR)
			continue;
		if (!n && !block)
			return 0;
		if (!n) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (n < 0) {
			errno = -n;
			return -1;
		}
		for (i = 0; i < n; i++) {
			c->compl++;
			if (comps[i].copied_bytes)
				c->compl_copied++;
			else
				c->compl_zc++;
			(*outstanding)--;
		}
		block = *outstanding > max;
		if (!block)
			return 0;
	}
	return 0;
}

/* One ZCOPY_IOC_SEND of @segs, resumed until all is sent. */
static int zb_zc_ioctl(struct zb_env *e, int fd, struct zcopy_seg *segs,
		       unsigned int n, uint64_t *outstanding,
		       struct zb_counts *c)
{
	static uint64_t cookie;

	while (n) {
		struct zcopy_send a;
		int ret = ZB_SYS(c, libzcopy_send(e->z, fd, segs, n, 0,
						  ++cookie, NULL, &a));

		if (ret) {
			if (ret == -EINTR || ret == -EAGAIN)
				continue;
			if (ret == -ENOBUFS && *outstanding) {
				if (zb_zc_reap(e, outstanding, *outstanding - 1, c))
					return -1;
				continue;
			}
			errno = -ret;
			return -1;
		}
		(*outstanding)++;
		if (a.stop_reason == ZCOPY_STOP_NONE)
			return 0;
		if (a.stop_reason == ZCOPY_STOP_EOF ||
		    a.stop_reason == ZCOPY_STOP_ERROR) {
			errno = a.stop_errno ? a.stop_errno : EIO;
			return -1;
		}
		segs += a.stop_seg;
		n -= a.stop_seg;
		segs[0].offset += a.stop_offset;
		segs[0].len -= a.stop_offset;
	}
	return 0;
}

enum { ZB_ZC_FILE_ONLY, ZB_ZC_POOLS, ZB_ZC_HDR_FILE_MODE };

static int zb_zc_send_mode(struct zb_env *e, int fd, const struct zb_work *w,
			   uint64_t requests, struct zb_counts *c, int mode)
{
	uint64_t i, outstanding = 0;
	/* At most this many completions unread before reading them. */
	uint64_t window = e->q.max_outstanding / 2;

	c->compl_known = c->compl_usage_known = true;
	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);
		struct zcopy_seg segs[2];
		unsigned int n = 0;

		memset(segs, 0, sizeof(segs));
		if (u->hdr_len && mode == ZB_ZC_FILE_ONLY) {
			if (zb_hdr(e, fd, u, MSG_MORE, c))
				return -1;
		} else if (u->hdr_len) {
			segs[n].type = ZCOPY_SEG_POOL;
			segs[n].id = e->pool_hdr;
			segs[n].len = u->hdr_len;
			n++;
		}
		if (mode == ZB_ZC_POOLS) {
			segs[n].type = ZCOPY_SEG_POOL;
			segs[n].id = e->pool_mem;
		} else {
			segs[n].type = ZCOPY_SEG_FILE;
			segs[n].id = (uint32_t)e->file_fd;
		}
		segs[n].offset = u->body_off;
		segs[n].len = u->body_len;
		n++;
		if (zb_zc_ioctl(e, fd, segs, n, &outstanding, c))
			return -1;
		if (!(i % ZB_REAP_EVERY) || outstanding > window)
			if (zb_zc_reap(e, &outstanding, window, c))
				return -1;
	}
	return zb_zc_reap(e, &outstanding, 0, c);
}

static int zb_zc_file_send(struct zb_env *e, int fd, const struct zb_work *w,
			   uint64_t requests, struct zb_counts *c)
{
	return zb_zc_send_mode(e, fd, w, requests, c, ZB_ZC_FILE_ONLY);
}

static int zb_zc_pool_send(struct zb_env *e, int fd, const struct zb_work *w,
			   uint64_t requests, struct zb_counts *c)
{
	return zb_zc_send_mode(e, fd, w, requests, c, ZB_ZC_POOLS);
}

static int zb_zc_hdr_file_send(struct zb_env *e, int fd,
			       const struct zb_work *w, uint64_t requests,
			       struct zb_counts *c)
{
	return zb_zc_send_mode(e, fd, w, requests, c, ZB_ZC_HDR_FILE_MODE);
}

/* ---- write() from memory: the copying baseline of the pool sweep ---- */

static int zb_write_send(struct zb_env *e, int fd, const struct zb_work *w,
			 uint64_t requests, struct zb_counts *c)
{
	uint64_t i;

	for (i = 0; i < requests; i++) {
		const struct zb_unit *u = zb_unit(w, i);

		if (zb_hdr(e, fd, u, MSG_MORE, c) ||
		    zb_sendall(fd, e->mem + u->body_off, u->body_len, 0, c))
			return -1;
	}
	return 0;
}

const struct zb_tech zb_techs[ZB_NTECH] = {
	[ZB_RW] = { "read+write", "pread() into a buffer, write() it", true,
		    zb_rw_setup, zb_rw_send },
	[ZB_MMAP] = { "mmap+write", "mmap() the file, write() the mapping",
		      true, NULL, zb_mmap_send },
	[ZB_SENDFILE] = { "sendfile", "write() the header, sendfile() the body",
			  true, NULL, zb_sendfile_send },
	[ZB_SPLICE] = { "splice", "write() the header, splice() file -> pipe -> socket",
			true, zb_splice_setup, zb_splice_send },
	[ZB_SENDFILE_MORE] = { "hdr+sendfile", "send(header, MSG_MORE), sendfile() the body",
			       true, NULL, zb_sendfile_more_send },
	[ZB_MSG_ZC] = { "MSG_ZEROCOPY", "sendmsg(MSG_ZEROCOPY) from memory, error-queue completions",
			false, NULL, zb_msgzc_send },
	[ZB_URING_ZC] = { "io_uring-zc", "io_uring SEND_ZC from registered buffers",
			  false, zb_uring_setup, zb_uring_send },
	[ZB_ZC_FILE] = { "zcopy-file", "send(header, MSG_MORE), ZCOPY_IOC_SEND file extent",
			 true, zb_zc_setup, zb_zc_file_send },
	[ZB_ZC_POOL] = { "zcopy-pool", "ZCOPY_IOC_SEND header + body pool ranges",
			 false, zb_zc_setup, zb_zc_pool_send },
	[ZB_ZC_HDR_FILE] = { "zcopy-hdr+file", "one ZCOPY_IOC_SEND: header pool range + file extent",
			     true, zb_zc_setup, zb_zc_hdr_file_send },
	[ZB_WRITE] = { "write", "write() from memory (copies)", false, NULL,
		       zb_write_send },
	[ZB_VMSPLICE] = { "vmsplice", "send(header, MSG_MORE), vmsplice(SPLICE_F_GIFT) memory -> pipe -> socket",
			  false, zb_splice_setup, zb_vmsplice_send },
};
