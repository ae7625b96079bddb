/* SPDX-License-Identifier: GPL-2.0 */
/*
 * State shared by the parts of zcopy.ko: the per-open-file context and
 * the limits reported by ZCOPY_IOC_QUERY.
 */
#ifndef _ZCOPY_ZCOPY_H
#define _ZCOPY_ZCOPY_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/zcopy.h>

#define ZCOPY_MAX_POOLS		64
#define ZCOPY_MAX_SEGMENTS	1024
#define ZCOPY_MAX_POOL_BYTES	((u64)SZ_1G)
#define ZCOPY_MAX_SEND_BYTES	((u64)MAX_RW_COUNT)
#define ZCOPY_MAX_OUTSTANDING	4096

/**
 * struct zcopy_ctx - one open /dev/zcopy file
 * @ref: held by the open file and by every transfer not yet completed
 * @pool_lock: protects @pools and @nr_pools
 * @pools: pool id -> struct zcopy_pool
 * @nr_pools: pools registered or being registered
 * @next_pool_id: where the search for a free pool id starts
 * @cq_lock: protects @cq and @closed
 * @cq: completed transfers whose record has not been read
 * @closed: the file was released; completions are dropped
 * @read_lock: serialises readers of @cq
 * @wq: readers and pollers waiting for @cq
 * @outstanding: transfers sent whose record has not been read
 * @net: network namespace of the opener: its events go there
 * @pid_ns: pid namespace of the opener: its events show pids as seen
 *	from there
 */
struct zcopy_ctx {
	struct kref ref;
	struct mutex pool_lock;		/* @pools, @nr_pools */
	struct xarray pools;
	unsigned int nr_pools;
	u32 next_pool_id;
	spinlock_t cq_lock;		/* @cq, @closed */
	struct list_head cq;
	bool closed;
	struct mutex read_lock;		/* one reader of @cq */
	wait_queue_head_t wq;
	atomic_t outstanding;
	struct net *net;
	struct pid_namespace *pid_ns;
};

struct zcopy_ctx *zcopy_ctx_alloc(struct net *net);
void zcopy_ctx_put(struct zcopy_ctx *ctx);

/* What this module implements, for ZCOPY_IOC_QUERY and INFO_GET. */
static inline u64 zcopy_features(void)
{
	return ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND | ZCOPY_FEATURE_KTLS |
	       ZCOPY_FEATURE_FILE_NOTIFY | ZCOPY_FEATURE_NOWAIT_IO |
	       ZCOPY_FEATURE_CACHE_HINTS | ZCOPY_FEATURE_ROUTE_PROBE |
	       ZCOPY_FEATURE_FILE_CHANGED | ZCOPY_FEATURE_ASYNC_XFER;
}

static inline void zcopy_ctx_get(struct zcopy_ctx *ctx)
{
	kref_get(&ctx->ref);
}

#endif /* _ZCOPY_ZCOPY_H */
