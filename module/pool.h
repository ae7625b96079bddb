/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_POOL_H
#define _ZCOPY_POOL_H

#include <linux/kref.h>
#include <linux/skbuff.h>
#include <linux/types.h>

struct zcopy_ctx;
struct zcopy_pool_register;
struct zcopy_pool_unregister;

/**
 * struct zcopy_pool - a registered, pinned user buffer
 * @ref: held by the registry of its file and by each transfer using it
 * @id: id within the open file
 * @len: length in bytes as registered
 * @nr_pages: pages pinned
 * @pages: the pinned pages
 * @mmp: the RLIMIT_MEMLOCK charge
 */
struct zcopy_pool {
	struct kref ref;
	u32 id;
	u64 len;
	unsigned long nr_pages;
	struct page **pages;
	struct mmpin mmp;
};

int zcopy_pool_register(struct zcopy_ctx *ctx, struct zcopy_pool_register *r);
int zcopy_pool_unregister(struct zcopy_ctx *ctx,
			  struct zcopy_pool_unregister *r);
struct zcopy_pool *zcopy_pool_get(struct zcopy_ctx *ctx, u32 id);
void zcopy_pool_put(struct zcopy_pool *pool);
void zcopy_pools_release(struct zcopy_ctx *ctx);

#endif /* _ZCOPY_POOL_H */
