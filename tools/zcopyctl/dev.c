// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: /dev/zcopy through libzcopy. Opening it, ZCOPY_IOC_QUERY, and
 * pools: an anonymous mapping, filled, then pinned (libzcopy_pool_alloc),
 * with zcopyctl's error messages.
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "zcopyctl.h"

#define ZC_DEV_PATH "/dev/" ZCOPY_DEVICE_NAME

struct libzcopy *zc_dev_open(struct zc_ctx *ctx)
{
	struct libzcopy *z;
	int err = -libzcopy_open(&z, 0);

	if (!err) {
		zc_debug(&ctx->cli, "open %s = fd %d", ZC_DEV_PATH, libzcopy_fd(z));
		return z;
	}
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		zc_err(&ctx->cli, "%s: %s: is zcopy.ko loaded?", ZC_DEV_PATH,
		       strerror(err));
	else if (err == EACCES || err == EPERM)
		zc_err(&ctx->cli, "%s: %s (the device is for root)", ZC_DEV_PATH,
		       strerror(err));
	else
		zc_err(&ctx->cli, "%s: %s", ZC_DEV_PATH, strerror(err));
	return NULL;
}

int zc_dev_query(struct zc_ctx *ctx, struct libzcopy *z, struct zcopy_query *q)
{
	int ret = libzcopy_query(z, q);

	if (ret) {
		zc_err(&ctx->cli, "ZCOPY_IOC_QUERY: %s", strerror(-ret));
		return -1;
	}
	zc_debug(&ctx->cli,
		 "ioctl QUERY: abi %u features 0x%" PRIx64 " max_segments %u max_send_bytes %" PRIu64 " max_pool_bytes %" PRIu64,
		 q->abi_version, (uint64_t)q->features, q->max_segments,
		 (uint64_t)q->max_send_bytes, (uint64_t)q->max_pool_bytes);
	return 0;
}

/* Map @len bytes, copy @data in, and register them as a pool of @z. */
int zc_pool_create(struct zc_ctx *ctx, struct libzcopy *z, const void *data,
		   size_t len, struct libzcopy_pool *p)
{
	int err = -libzcopy_pool_alloc(z, p, len, data);

	if (err == ENOMEM) {
		/* The mapping (the ioctl's own ENOMEM is as good as). */
		zc_err(&ctx->cli, "mmap of %zu bytes for the header: %s", len,
		       strerror(err));
		return -1;
	}
	if (err) {
		zc_err(&ctx->cli, "registering the header pool (%zu bytes): %s%s",
		       len, strerror(err),
		       err == ENOBUFS ? " (over RLIMIT_MEMLOCK)" :
		       err == E2BIG ? " (larger than max_pool_bytes)" :
		       err == EMFILE ? " (max_pools reached)" : "");
		return -1;
	}
	zc_debug(&ctx->cli, "ioctl POOL_REGISTER addr %p len %zu = pool %u",
		 p->addr, len, p->id);
	return 0;
}

void zc_pool_destroy(struct zc_ctx *ctx, struct libzcopy *z,
		     struct libzcopy_pool *p)
{
	uint32_t id = p->id;
	int ret;

	if (!p->addr)
		return;
	ret = libzcopy_pool_free(z, p);
	if (ret)
		zc_warn(&ctx->cli, "unregistering pool %u: %s", id, strerror(-ret));
	else
		zc_debug(&ctx->cli, "ioctl POOL_UNREGISTER pool %u", id);
}
