// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: /dev/zcopy. Opening it, ZCOPY_IOC_QUERY, and pools: an
 * anonymous mapping, filled, then pinned with ZCOPY_IOC_POOL_REGISTER.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zcopyctl.h"

#define ZC_DEV_PATH "/dev/" ZCOPY_DEVICE_NAME

int zc_dev_open(struct zc_ctx *ctx)
{
	int fd = open(ZC_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		zc_debug(ctx, "open %s = fd %d", ZC_DEV_PATH, fd);
		return fd;
	}
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		zc_err(ctx, "%s: %s: is zcopy.ko loaded?", ZC_DEV_PATH,
		       strerror(errno));
	else if (errno == EACCES || errno == EPERM)
		zc_err(ctx, "%s: %s (the device is for root)", ZC_DEV_PATH,
		       strerror(errno));
	else
		zc_err(ctx, "%s: %s", ZC_DEV_PATH, strerror(errno));
	return -1;
}

int zc_dev_query(struct zc_ctx *ctx, int fd, struct zcopy_query *q)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	if (ioctl(fd, ZCOPY_IOC_QUERY, q)) {
		zc_err(ctx, "ZCOPY_IOC_QUERY: %s", strerror(errno));
		return -1;
	}
	zc_debug(ctx,
		 "ioctl QUERY: abi %u features 0x%" PRIx64 " max_segments %u max_send_bytes %" PRIu64 " max_pool_bytes %" PRIu64,
		 q->abi_version, (uint64_t)q->features, q->max_segments,
		 (uint64_t)q->max_send_bytes, (uint64_t)q->max_pool_bytes);
	return 0;
}

/* Map @len bytes, copy @data in, and register them as a pool of @fd. */
int zc_pool_create(struct zc_ctx *ctx, int fd, const void *data,
		   size_t len, struct zc_pool *p)
{
	long page = sysconf(_SC_PAGESIZE);
	struct zcopy_pool_register r;

	memset(p, 0, sizeof(*p));
	p->map_len = (len + page - 1) / page * page;
	p->addr = mmap(NULL, p->map_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->addr == MAP_FAILED) {
		zc_err(ctx, "mmap of %zu bytes for the header: %s", len,
		       strerror(errno));
		p->addr = NULL;
		return -1;
	}
	memcpy(p->addr, data, len);

	memset(&r, 0, sizeof(r));
	r.size = sizeof(r);
	r.addr = (uintptr_t)p->addr;
	r.len = len;
	if (ioctl(fd, ZCOPY_IOC_POOL_REGISTER, &r)) {
		int err = errno;

		zc_err(ctx, "registering the header pool (%zu bytes): %s%s",
		       len, strerror(err),
		       err == ENOBUFS ? " (over RLIMIT_MEMLOCK)" :
		       err == E2BIG ? " (larger than max_pool_bytes)" :
		       err == EMFILE ? " (max_pools reached)" : "");
		munmap(p->addr, p->map_len);
		p->addr = NULL;
		return -1;
	}
	p->id = r.pool_id;
	p->len = len;
	zc_debug(ctx, "ioctl POOL_REGISTER addr %p len %zu = pool %u",
		 p->addr, len, p->id);
	return 0;
}

void zc_pool_destroy(struct zc_ctx *ctx, int fd, struct zc_pool *p)
{
	struct zcopy_pool_unregister u;

	if (!p->addr)
		return;
	memset(&u, 0, sizeof(u));
	u.size = sizeof(u);
	u.pool_id = p->id;
	if (ioctl(fd, ZCOPY_IOC_POOL_UNREGISTER, &u))
		zc_warn(ctx, "unregistering pool %u: %s", p->id,
			strerror(errno));
	else
		zc_debug(ctx, "ioctl POOL_UNREGISTER pool %u", p->id);
	munmap(p->addr, p->map_len);
	p->addr = NULL;
}

/* What an error of ZCOPY_IOC_SEND means (the uapi's errno contract). */
const char *zc_ioctl_send_hint(int err)
{
	switch (err) {
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
