// SPDX-License-Identifier: GPL-2.0
/*
 * Contexts: what a /dev/zcopy file (or a netlink transfer without one)
 * owns - its pools, its completion queue - and the namespaces its events
 * speak for. A context is reference counted: the open file holds one
 * reference, and so does every transfer not yet completed, so that
 * closing a file never waits for the network.
 */

#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "zcopy.h"

/**
 * zcopy_ctx_alloc - a new context
 * @net: the network namespace its pools and events belong to
 *
 * Its events show pids as seen from the caller's pid namespace.
 *
 * Return: the context with one reference, or NULL.
 */
struct zcopy_ctx *zcopy_ctx_alloc(struct net *net)
{
	struct zcopy_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return NULL;
	kref_init(&ctx->ref);
	mutex_init(&ctx->pool_lock);
	xa_init_flags(&ctx->pools, XA_FLAGS_ALLOC1);
	spin_lock_init(&ctx->cq_lock);
	INIT_LIST_HEAD(&ctx->cq);
	mutex_init(&ctx->read_lock);
	init_waitqueue_head(&ctx->wq);
	ctx->net = get_net(net);
	ctx->pid_ns = get_pid_ns(task_active_pid_ns(current));
	return ctx;
}

static void zcopy_ctx_free(struct kref *ref)
{
	struct zcopy_ctx *ctx = container_of(ref, struct zcopy_ctx, ref);

	xa_destroy(&ctx->pools);
	put_pid_ns(ctx->pid_ns);
	put_net(ctx->net);
	kfree(ctx);
}

void zcopy_ctx_put(struct zcopy_ctx *ctx)
{
	kref_put(&ctx->ref, zcopy_ctx_free);
}
