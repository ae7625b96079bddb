/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_POOL_H
#define _ZCOPY_POOL_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct zcopy_ctx;
struct zcopy_pool_info;
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
 * @node: in the list of all pools, for netlink dumps
 * @net: network namespace of its file (a reference is held)
 * @pid: process (tgid) that registered it (a reference is held)
 * @pid_ns: pid namespace its events show @pid in: that of its file's
 *	opener (a reference is held)
 * @uid: its user
 * @comm: its command name
 * @registered: still in its file's registry
 * @inflight: transfers holding it
 * @sends: transfers that sent from it
 * @bytes_sent: bytes sent from it
 */
struct zcopy_pool {
	struct kref ref;
	u32 id;
	u64 len;
	unsigned long nr_pages;
	struct page **pages;
	struct mmpin mmp;
	struct list_head node;
	struct net *net;
	struct pid *pid;
	struct pid_namespace *pid_ns;
	kuid_t uid;
	char comm[TASK_COMM_LEN];
	bool registered;
	atomic_t inflight;
	atomic64_t sends;
	atomic64_t bytes_sent;
};

int zcopy_pool_register(struct zcopy_ctx *ctx, struct zcopy_pool_register *r);
int zcopy_pool_unregister(struct zcopy_ctx *ctx,
			  struct zcopy_pool_unregister *r);
struct zcopy_pool *zcopy_pool_get(struct zcopy_ctx *ctx, u32 id);
void zcopy_pool_put(struct zcopy_pool *pool);
void zcopy_pools_release(struct zcopy_ctx *ctx);
void zcopy_pool_info(const struct zcopy_pool *pool,
		     struct zcopy_pool_info *info);
int zcopy_pools_walk(unsigned long *pos, unsigned int *gen,
		     int (*fn)(const struct zcopy_pool_info *info, void *arg),
		     void *arg);

#endif /* _ZCOPY_POOL_H */
