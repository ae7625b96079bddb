// SPDX-License-Identifier: GPL-2.0
/*
 * libzcopy: /dev/zcopy. Open and query, pools, ZCOPY_IOC_SEND (one, or
 * resumed until everything is sent) and completion reaping.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define LIBZCOPY_DEV_PATH "/dev/" ZCOPY_DEVICE_NAME

LIBZCOPY_API int libzcopy_open_fd(struct libzcopy **zp, int fd)
{
	struct libzcopy *z;

	if (!zp || fd < 0)
		return -EINVAL;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->fd = fd;
	*zp = z;
	return 0;
}

LIBZCOPY_API int libzcopy_open(struct libzcopy **zp, unsigned int flags)
{
	int fd, ret;

	if (!zp || (flags & ~LIBZCOPY_NONBLOCK))
		return -EINVAL;
	fd = open(LIBZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC |
		  (flags & LIBZCOPY_NONBLOCK ? O_NONBLOCK : 0));
	if (fd < 0)
		return -errno;
	ret = libzcopy_open_fd(zp, fd);
	if (ret)
		close(fd);
	return ret;
}

LIBZCOPY_API void libzcopy_close(struct libzcopy *z)
{
	if (!z)
		return;
	close(z->fd);
	free(z->chunk);
	free(z->cbuf);
	free(z);
}

LIBZCOPY_API int libzcopy_fd(const struct libzcopy *z)
{
	return z ? z->fd : -EINVAL;
}

LIBZCOPY_API int libzcopy_query(struct libzcopy *z, struct zcopy_query *q)
{
	struct zcopy_query nq;

	memset(&nq, 0, sizeof(nq));
	nq.size = sizeof(nq);
	if (ioctl(z->fd, ZCOPY_IOC_QUERY, &nq))
		return -errno;
	z->q = nq;
	z->have_q = true;
	if (q)
		*q = nq;
	return 0;
}

LIBZCOPY_API int libzcopy_probe(struct libzcopy *z, int sockfd,
				struct zcopy_probe *p)
{
	struct zcopy_probe np;

	if (!z || !p)
		return -EINVAL;
	memset(&np, 0, sizeof(np));
	np.size = sizeof(np);
	np.sockfd = sockfd;
	if (ioctl(z->fd, ZCOPY_IOC_PROBE, &np))
		return -errno;
	*p = np;
	return 0;
}

/* The limits, queried once. */
static int libzcopy_limits(struct libzcopy *z)
{
	return z->have_q ? 0 : libzcopy_query(z, NULL);
}

LIBZCOPY_API int libzcopy_pool_register(struct libzcopy *z, void *addr,
					uint64_t len, uint32_t *pool_id)
{
	struct zcopy_pool_register r;

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.addr = (uintptr_t)addr;
	r.len = len;
	if (ioctl(z->fd, ZCOPY_IOC_POOL_REGISTER, &r))
		return -errno;
	if (pool_id)
		*pool_id = r.pool_id;
	return 0;
}

LIBZCOPY_API int libzcopy_pool_unregister(struct libzcopy *z, uint32_t pool_id)
{
	struct zcopy_pool_unregister u;

	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.pool_id = pool_id;
	return ioctl(z->fd, ZCOPY_IOC_POOL_UNREGISTER, &u) ? -errno : 0;
}

/* Map @len bytes (whole pages), copy @data in if given, register them. */
LIBZCOPY_API int libzcopy_pool_alloc(struct libzcopy *z,
				     struct libzcopy_pool *p, size_t len,
				     const void *data)
{
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	memset(p, 0, sizeof(*p));
	if (!len)
		return -EINVAL;
	if (len > SIZE_MAX - (size_t)page)
		return -EOVERFLOW;
	p->map_len = (len + page - 1) / page * page;
	p->addr = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->addr == MAP_FAILED) {
		ret = -errno;
		memset(p, 0, sizeof(*p));
		return ret;
	}
	if (data)
		memcpy(p->addr, data, len);
	ret = libzcopy_pool_register(z, p->addr, len, &p->id);
	if (ret) {
		munmap(p->addr, p->map_len);
		memset(p, 0, sizeof(*p));
		return ret;
	}
	p->len = len;
	return 0;
}

/*
 * Unregister and unmap. The pages stay pinned by transfers in flight, so
 * unmapping at once is safe; it also happens when unregistering failed.
 */
LIBZCOPY_API int libzcopy_pool_free(struct libzcopy *z,
				    struct libzcopy_pool *p)
{
	int ret;

	if (!p->addr)
		return 0;
	ret = libzcopy_pool_unregister(z, p->id);
	munmap(p->addr, p->map_len);
	memset(p, 0, sizeof(*p));
	return ret;
}

LIBZCOPY_API int libzcopy_send(struct libzcopy *z, int sockfd,
			       const struct zcopy_seg *segs,
			       unsigned int nr_segs, unsigned int flags,
			       uint64_t cookie,
			       struct zcopy_seg_result *results,
			       struct zcopy_send *out)
{
	struct zcopy_send a;

	libzcopy_send_args(&a, sockfd, segs, nr_segs, flags, cookie);
	a.results = (uintptr_t)results;
	if (ioctl(z->fd, ZCOPY_IOC_SEND, &a))
		return -errno;
	if (out)
		*out = a;
	return 0;
}

/*
 * Cut the next send from the cursor: at most max_segments segments and
 * max_send_bytes bytes. Returns the number of segments; *@last tells
 * whether the chunk ends the list.
 */
static unsigned int libzcopy_chunk(struct libzcopy *z,
				   const struct zcopy_seg *segs,
				   unsigned int nr_segs,
				   const struct libzcopy_send_state *st,
				   bool *last)
{
	uint64_t budget = z->q.max_send_bytes;
	unsigned int n = 0, i;

	*last = false;
	for (i = st->seg; i < nr_segs && n < z->q.max_segments && budget; i++) {
		uint64_t skip = i == st->seg ? st->offset : 0;
		uint64_t len = segs[i].len - skip;

		z->chunk[n] = segs[i];
		z->chunk[n].offset += skip;
		if (len > budget)
			len = budget;
		z->chunk[n].len = len;
		budget -= len;
		n++;
		if (i + 1 == nr_segs && skip + len == segs[i].len)
			*last = true;
	}
	return n;
}

/* Move the cursor to segment @seg of the chunk, @sent bytes into it. */
static void libzcopy_advance(const struct zcopy_seg *segs,
			     unsigned int nr_segs,
			     struct libzcopy_send_state *st,
			     const struct zcopy_seg *chunk, unsigned int seg,
			     uint64_t sent)
{
	unsigned int i;

	for (i = 0; i < seg; i++) {
		uint64_t done = chunk[i].len;

		/* A chunk's segment i is list segment st->seg (+ i). */
		if (st->offset + done >= segs[st->seg].len) {
			st->seg++;
			st->offset = 0;
		} else {
			st->offset += done;
		}
	}
	if (st->seg >= nr_segs)
		return;
	st->offset += sent;
	if (st->offset >= segs[st->seg].len) {
		st->seg++;
		st->offset = 0;
	}
}

/*
 * Send every segment, in as many ZCOPY_IOC_SENDs as the limits and short
 * sends take. Returns the number of sends that succeeded in this call
 * (each brings one completion), the whole progress in @st; or a negative
 * errno, @st still counting the sends (and completions) made.
 */
LIBZCOPY_API int libzcopy_send_all(struct libzcopy *z, int sockfd,
				   const struct zcopy_seg *segs,
				   unsigned int nr_segs, unsigned int flags,
				   uint64_t cookie,
				   struct libzcopy_send_state *st)
{
	unsigned int n, start = st->transfers;
	struct zcopy_send a;
	bool last;
	int ret;

	if (!segs || !nr_segs || (flags & ~ZCOPY_SEND_ALL))
		return -EINVAL;
	ret = libzcopy_limits(z);
	if (ret)
		return ret;
	if (!z->q.max_segments || !z->q.max_send_bytes)
		return -EOPNOTSUPP;
	if (!z->chunk) {
		z->chunk = calloc(z->q.max_segments, sizeof(*z->chunk));
		if (!z->chunk)
			return -ENOMEM;
	}
	st->stop_reason = ZCOPY_STOP_NONE;
	st->stop_errno = 0;
	while (st->seg < nr_segs) {
		n = libzcopy_chunk(z, segs, nr_segs, st, &last);
		ret = libzcopy_send(z, sockfd, z->chunk, n,
				    last ? flags : flags | ZCOPY_SEND_MORE,
				    cookie, NULL, &a);
		if (ret == -EAGAIN || ret == -EINTR) {
			/* Nothing sent: the caller waits, or gives up. */
			st->stop_reason = ret == -EAGAIN ? ZCOPY_STOP_AGAIN :
					  ZCOPY_STOP_SIGNAL;
			return (int)(st->transfers - start);
		}
		if (ret)
			return ret;
		st->transfers++;
		st->bytes_sent += a.bytes_sent;
		st->stop_reason = a.stop_reason;
		if (a.stop_reason == ZCOPY_STOP_NONE) {
			libzcopy_advance(segs, nr_segs, st, z->chunk, n, 0);
			continue;
		}
		if (a.stop_seg >= n)
			return -EPROTO;
		libzcopy_advance(segs, nr_segs, st, z->chunk, a.stop_seg,
				 a.stop_offset);
		switch (a.stop_reason) {
		case ZCOPY_STOP_EOF:
			/* The file ended: the rest of its extent is not sent. */
			if (st->seg < nr_segs) {
				st->eof_segs++;
				st->seg++;
				st->offset = 0;
			}
			break;
		case ZCOPY_STOP_AGAIN:
		case ZCOPY_STOP_SIGNAL:
			st->resumes++;
			return (int)(st->transfers - start);
		case ZCOPY_STOP_ERROR:
		default:
			st->stop_errno = a.stop_errno;
			return a.stop_errno ? -a.stop_errno : -EIO;
		}
	}
	return (int)(st->transfers - start);
}

/*
 * Read up to @n completions. @timeout_ms as for poll(): -1 waits, 0 does
 * not. Returns the number read (0 on timeout) or a negative errno.
 */
LIBZCOPY_API int libzcopy_reap(struct libzcopy *z, struct zcopy_completion *c,
			       unsigned int n, int timeout_ms)
{
	size_t stride, want, i;
	char *buf;
	ssize_t r;
	int ret;

	if (!c || !n)
		return -EINVAL;
	ret = libzcopy_limits(z);
	if (ret)
		return ret;
	stride = z->q.completion_size ? z->q.completion_size :
		 sizeof(struct zcopy_completion);
	if (n > 1024)
		n = 1024;
	want = stride * n;
	if (stride == sizeof(*c)) {
		buf = (char *)c;
	} else {
		if (z->cbuf_len < want) {
			free(z->cbuf);
			z->cbuf_len = 0;
			z->cbuf = malloc(want);
			if (!z->cbuf)
				return -ENOMEM;
			z->cbuf_len = want;
		}
		buf = z->cbuf;
	}
	if (timeout_ms) {
		struct pollfd pfd = { .fd = z->fd, .events = POLLIN };

		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return -errno;
		if (!ret)
			return 0;
	} else if (!(fcntl(z->fd, F_GETFL) & O_NONBLOCK)) {
		struct pollfd pfd = { .fd = z->fd, .events = POLLIN };

		ret = poll(&pfd, 1, 0);
		if (ret <= 0)
			return ret < 0 ? -errno : 0;
	}
	r = read(z->fd, buf, want);
	if (r < 0)
		return errno == EAGAIN ? 0 : -errno;
	n = (unsigned int)((size_t)r / stride);
	if (buf != (char *)c) {
		/* A newer module's longer record, or an older shorter one. */
		for (i = 0; i < n; i++) {
			memset(&c[i], 0, sizeof(c[i]));
			memcpy(&c[i], buf + i * stride,
			       stride < sizeof(c[i]) ? stride : sizeof(c[i]));
		}
	}
	return (int)n;
}

/* What an error of ZCOPY_IOC_SEND means (the uapi's errno contract). */
LIBZCOPY_API const char *libzcopy_send_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case EBADF:
		return "a descriptor is not open, or a file not open for reading";
	case ENOTSOCK:
		return "the socket descriptor is not a socket";
	case EOPNOTSUPP:
		return "not a TCP socket";
	case ENOTCONN:
		return "the socket is not connected";
	case ENOENT:
		return "no such pool";
	case ERANGE:
		return "a pool range goes beyond its pool";
	case EISDIR:
		return "a file segment is a directory";
	case EINVAL:
		return "a file segment is not a regular file, or a bad segment";
	case EOVERFLOW:
		return "a segment's offset + length overflows";
	case E2BIG:
		return "too many segments or bytes";
	case ENOBUFS:
		return "too many transfers outstanding";
	default:
		return NULL;
	}
}

/* enum names, as in the netlink spec */
LIBZCOPY_API const char *libzcopy_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		[ZCOPY_REASON_NONE] = "none",
		[ZCOPY_REASON_NO_SG] = "no-sg",
		[ZCOPY_REASON_LOCAL] = "local",
		[ZCOPY_REASON_STACK] = "stack",
		[ZCOPY_REASON_KTLS] = "ktls",
		[ZCOPY_REASON_FILE_COPY] = "file-copy",
		[ZCOPY_REASON_SMALL] = "small",
	};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] :
	       "unknown";
}

LIBZCOPY_API const char *libzcopy_stop_name(uint32_t stop)
{
	static const char *const names[] = {
		[ZCOPY_STOP_NONE] = "none",
		[ZCOPY_STOP_EOF] = "eof",
		[ZCOPY_STOP_AGAIN] = "again",
		[ZCOPY_STOP_SIGNAL] = "signal",
		[ZCOPY_STOP_ERROR] = "error",
		[ZCOPY_STOP_NOT_CACHED] = "not-cached",
		[ZCOPY_STOP_CANCELLED] = "cancelled",
	};

	return stop < sizeof(names) / sizeof(names[0]) ? names[stop] :
	       "unknown";
}
