/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_XFER_H
#define _ZCOPY_XFER_H

#include <linux/init.h>
#include <linux/list.h>
#include <linux/poll.h>
#include <linux/skbuff.h>
#include <linux/time64.h>
#include <linux/workqueue.h>
#include <linux/zcopy.h>

#include "notify.h"

struct file;
struct zcopy_ctx;
struct zcopy_pool;

/**
 * struct zcopy_drop - a drop-behind extent, evicted at completion
 * @file: its file (a reference is held)
 * @start: first page index
 * @end: last page index
 */
struct zcopy_drop {
	struct file *file;
	pgoff_t start;
	pgoff_t end;
};

/**
 * struct zcopy_watch - a file of a ZCOPY_SEND_FILE_NOTIFY send, watched
 *	for changes from the start of the send to its completion
 * @file: the file (a reference is held)
 * @mtime: its inode's modification time when the send started
 * @size: its size then
 * @seg: the first segment that sent bytes of it
 * @sent: some segment sent bytes of it
 * @by_ref: some of them went by reference (the check waits for the
 *	completion; copied bytes are checked when the send returns)
 * @unknown: no snapshot could be taken (the inode stayed locked by a
 *	writer): the file counts as changed
 */
struct zcopy_watch {
	struct file *file;
	struct timespec64 mtime;
	loff_t size;
	u32 seg;
	bool sent;
	bool by_ref;
	bool unknown;
};

/**
 * struct zcopy_xfer - one ZCOPY_IOC_SEND, from the call to its completion
 * @ubuf: the zero-copy notification handed to the stack with pool pages;
 *	its refcount is held by the sender until the send is over and by
 *	every skb that references pool pages
 * @ctx: owning context (a reference is held)
 * @work: runs the completion in process context
 * @node: in @ctx->cq once completed
 * @nr_pools: entries in @pools
 * @pid: process (tgid) that sent (a reference is held)
 * @rec: the completion record, filled in as the send progresses
 * @file_pending: bytes of file extents handed over with @ubuf
 *	(ZCOPY_SEND_FILE_NOTIFY), settled at completion
 * @copy_reason: why the stack would copy pool pages if it does
 * @post: queue @rec for userspace (false if the send failed)
 * @zc_used: the stack released a pool skb it had not copied
 * @zc_copied: the stack copied pool pages
 * @id: the kernel-run transfer this is (zcopy_job), 0 for the ioctl's
 * @stop: how far the send got, for the XFER_DONE event
 * @done: if set, called with @done_arg once the completion is out, just
 *	before the record is queued or freed (the job layer's hook: the
 *	transfer knows nothing above it)
 * @done_arg: its argument
 * @nr_drops: entries in @drops
 * @drops: drop-behind extents (after @pools in the same allocation)
 * @nr_watches: entries in @watches
 * @watches: files watched for changes (after @drops)
 * @watch_until: when the snapshots of @watches stop waiting for a clean
 *	one (jiffies; set by the first), so a send waits that long in all
 * @head: the first transfer of the chain this one joined (itself if none):
 *	an skb carrying the tail of one transfer took the start of the next
 *	(6.10 and later, ->link_skb); each member holds a reference on
 *	@head's @ubuf until its own is released, and @head completes them all
 * @next: the next member of @head's chain, in sending order
 * @chain_len: members of the chain after @head (in @head)
 * @pools: references to the pools the transfer sends from, each once
 */
struct zcopy_xfer {
	struct ubuf_info ubuf;
	struct zcopy_ctx *ctx;
	struct work_struct work;
	struct list_head node;
	unsigned int nr_pools;
	struct pid *pid;
	struct zcopy_completion rec;
	u64 file_pending;
	u32 copy_reason;
	bool post;
	bool zc_used;
	bool zc_copied;
	u32 id;
	struct zcopy_stop_info stop;
	void (*done)(void *arg);
	void *done_arg;
	unsigned int nr_drops;
	struct zcopy_drop *drops;
	unsigned int nr_watches;
	struct zcopy_watch *watches;
	unsigned long watch_until;
	struct zcopy_xfer *head;
	struct zcopy_xfer *next;
	unsigned int chain_len;
	struct zcopy_pool *pools[];
};

struct zcopy_xfer *zcopy_xfer_alloc(struct zcopy_ctx *ctx,
				    unsigned int max_pools,
				    unsigned int max_drops,
				    unsigned int max_watches);
void zcopy_xfer_add_pool(struct zcopy_xfer *x, struct zcopy_pool *pool);
void zcopy_xfer_add_drop(struct zcopy_xfer *x, struct file *file, u64 offset,
			 u64 len);
void zcopy_xfer_watch(struct zcopy_xfer *x, struct file *file);
void zcopy_xfer_watch_sent(struct zcopy_xfer *x, struct file *file, u32 seg,
			   bool by_ref);
void zcopy_xfer_done_sending(struct zcopy_xfer *x, bool post);

ssize_t zcopy_cq_read(struct zcopy_ctx *ctx, char __user *buf, size_t count,
		      bool nonblock);
__poll_t zcopy_cq_poll(struct zcopy_ctx *ctx, struct file *file,
		       poll_table *wait);
void zcopy_ctx_close(struct zcopy_ctx *ctx);

int __init zcopy_xfer_init(void);
void zcopy_xfer_uninit(void);

#endif /* _ZCOPY_XFER_H */
