// SPDX-License-Identifier: GPL-2.0
/*
 * Transfers and their completions.
 *
 * Every transfer owns a struct ubuf_info, as io_uring's notifications do.
 * The sender holds one reference while it sends; each skb that carries
 * pool pages holds another. The stack calls the completion callback once
 * per reference it drops - from softirq or process context, possibly with
 * interrupts off - telling whether it had copied the pages. The callback
 * only records that and, on the last reference, queues the transfer's
 * work; unpinning, accounting and waking userspace happen there, in
 * process context. When the sender's own reference is the last one, as it
 * is whenever no pool page went into an skb, the sender runs the
 * completion itself before the send returns.
 *
 * An skb has one notification. Where the stack lets it take the bytes of
 * a later transfer anyway (->link_skb, 6.10 and later), the later transfer
 * joins the earlier one's chain and completes with it: consecutive small
 * sends then share skbs, as one sender's MSG_ZEROCOPY calls do.
 *
 * Each transfer not yet completed holds a module reference: the module
 * cannot be unloaded while the stack may still call back into it.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "notify.h"
#include "pool.h"
#include "stats.h"
#include "xfer.h"
#include "zcopy.h"

static struct workqueue_struct *zcopy_wq;

/*
 * @x's last reference is gone. A chain member's completion is its head's:
 * the transfer whose chain can now complete, or NULL.
 */
static struct zcopy_xfer *zcopy_xfer_released(struct zcopy_xfer *x)
{
	struct zcopy_xfer *head = x->head;

	if (head == x)
		return x;
	return refcount_dec_and_test(&head->ubuf.refcnt) ? head : NULL;
}

static void zcopy_xfer_ubuf_complete(struct sk_buff *skb,
				     struct ubuf_info *uarg, bool success)
{
	struct zcopy_xfer *x = container_of(uarg, struct zcopy_xfer, ubuf);

	if (!success)
		WRITE_ONCE(x->zc_copied, true);
	else if (skb)
		WRITE_ONCE(x->zc_used, true);

	if (refcount_dec_and_test(&uarg->refcnt)) {
		x = zcopy_xfer_released(x);
		if (x)
			queue_work(zcopy_wq, &x->work);
	}
}

/*
 * Members a chain may have: a transfer's completion waits for those
 * chained after it, so a stream of small sends must not make one chain.
 */
#define ZCOPY_CHAIN_MAX		64

/*
 * TCP appends the start of transfer @uarg to an skb that carries the tail
 * of an earlier one (called under the socket lock). Rather than start a
 * new skb for it, as TCP otherwise must (an skb has one notification;
 * and before 6.10, which has no ->link_skb, it does),
 * the new transfer joins the earlier one's chain: the chain's head then
 * completes only once every member's skbs are released. A transfer joins
 * before anything joined it, and once.
 */
static int zcopy_xfer_ubuf_link(struct sk_buff *skb, struct ubuf_info *uarg)
{
	struct ubuf_info *prev_uarg = skb_zcopy(skb);
	struct zcopy_xfer *x, *prev, *head;

	/* No notification yet, or this one: TCP attaches it as usual. */
	if (!prev_uarg || prev_uarg == uarg)
		return 0;
	if (!zcopy_ubuf_same_ops(prev_uarg, uarg))
		return -EEXIST;
	x = container_of(uarg, struct zcopy_xfer, ubuf);
	prev = container_of(prev_uarg, struct zcopy_xfer, ubuf);
	head = prev->head;
	if (x->head != x || x->chain_len || x->ctx != prev->ctx ||
	    head->chain_len >= ZCOPY_CHAIN_MAX)
		return -EEXIST;
	/* The skb holds @prev, and @prev holds @head: not yet released. */
	refcount_inc(&head->ubuf.refcnt);
	while (prev->next)
		prev = prev->next;
	prev->next = x;
	x->head = head;
	head->chain_len++;
	return 0;
}

ZCOPY_DEFINE_UBUF_OPS(zcopy_ubuf_ops, zcopy_xfer_ubuf_complete,
		      zcopy_xfer_ubuf_link);

/*
 * Settle the bytes sent with the notification (pool ranges, and file
 * extents of ZCOPY_SEND_FILE_NOTIFY sends): zero-copy only if the stack
 * released their skbs without ever copying them. Bytes already counted
 * as copied at send time (no scatter-gather, kTLS) keep that.
 */
static void zcopy_xfer_settle(struct zcopy_xfer *x)
{
	struct zcopy_completion *rec = &x->rec;
	u64 pending = rec->bytes - rec->zc_bytes - rec->copied_bytes;

	if (!pending)
		return;
	if (READ_ONCE(x->zc_copied) || !READ_ONCE(x->zc_used)) {
		rec->copied_bytes += pending;
		rec->flags |= ZCOPY_COMPL_COPIED;
		if (pending > x->file_pending)
			rec->flags |= ZCOPY_COMPL_POOL_COPIED;
		if (x->file_pending)
			rec->flags |= ZCOPY_COMPL_FILE_COPIED;
		if (!rec->reason)
			rec->reason = x->copy_reason;
	} else {
		rec->zc_bytes += pending;
	}
}

static void zcopy_xfer_free(struct zcopy_xfer *x)
{
	put_pid(x->pid);
	kfree(x);
}

/*
 * Drop-behind: the stack has released the pages, evict what is clean and
 * unmapped of them. Mappings without a read path of their own (tmpfs)
 * hold the only copy of their data: they keep it.
 */
static void zcopy_xfer_drop_behind(struct zcopy_xfer *x)
{
	unsigned int i;

	for (i = 0; i < x->nr_drops; i++) {
		struct zcopy_drop *d = &x->drops[i];
		struct address_space *mapping = d->file->f_mapping;

		if (x->post && mapping->a_ops->read_folio)
			invalidate_mapping_pages(mapping, d->start, d->end);
		fput(d->file);
	}
	x->nr_drops = 0;
}

/*
 * File-changed detection (ZCOPY_SEND_FILE_NOTIFY sends).
 *
 * Whatever changes a file's data - write(), truncate, fallocate's punch
 * and collapse - does it under the inode lock, after setting the inode's
 * modification time to the current time; so does a write fault through a
 * shared mapping where the filesystem tracks those (->page_mkwrite), not
 * under the lock. A file whose mtime and size are what they were when the
 * send started, and whose inode no writer held then, has not changed -
 * provided that a change made later cannot leave the mtime as it was:
 * timestamps come from the coarse clock, so the snapshot is retaken until
 * the clock has moved past the file's mtime (a file written in the current
 * tick makes the send wait for the next one). The test is per file, not
 * per range: the filesystem keeps one mtime per inode.
 *
 * The wait is bounded per transfer, not per file: however many files a
 * send watches, it waits ZCOPY_WATCH_WAIT_MS in all; a file it cannot take
 * a clean snapshot of by then is reported changed (unknown), at once.
 */
#define ZCOPY_WATCH_WAIT_MS	50

static void zcopy_watch_snapshot(struct zcopy_watch *w, unsigned long until)
{
	struct inode *inode = file_inode(w->file);
	struct timespec64 now;

	for (;;) {
		/* Not inode_lock_shared(): a writer may hold it for long. */
		if (inode_trylock_shared(inode)) {
			w->mtime = zcopy_inode_mtime(inode);
			w->size = i_size_read(inode);
			now = current_time(inode);
			inode_unlock_shared(inode);
			if (!timespec64_equal(&w->mtime, &now))
				return;
		}
		if (!time_before(jiffies, until)) {
			w->unknown = true;
			return;
		}
		schedule_timeout_uninterruptible(1);
	}
}

static struct zcopy_watch *zcopy_watch_find(struct zcopy_xfer *x,
					    const struct file *file)
{
	unsigned int i;

	/* Newest first: segments of one file tend to follow each other. */
	for (i = x->nr_watches; i-- > 0; ) {
		if (file_inode(x->watches[i].file) == file_inode(file))
			return &x->watches[i];
	}
	return NULL;
}

/**
 * zcopy_xfer_watch - watch a file of the transfer for changes
 * @x: the transfer (of a ZCOPY_SEND_FILE_NOTIFY send)
 * @file: a file it is about to send from
 *
 * Call before the first byte of @file is sent; once per segment is fine.
 * May sleep: ZCOPY_WATCH_WAIT_MS at most over all calls for @x.
 */
void zcopy_xfer_watch(struct zcopy_xfer *x, struct file *file)
{
	struct zcopy_watch *w;

	if (zcopy_watch_find(x, file))
		return;
	if (!x->nr_watches)
		x->watch_until = jiffies + msecs_to_jiffies(ZCOPY_WATCH_WAIT_MS);
	w = &x->watches[x->nr_watches++];
	w->file = get_file(file);
	zcopy_watch_snapshot(w, x->watch_until);
}

/**
 * zcopy_xfer_watch_sent - segment @seg sent bytes of @file
 * @x: the transfer
 * @file: a file passed to zcopy_xfer_watch()
 * @seg: the segment's index; call in increasing order
 * @by_ref: some of the bytes went by reference, with the notification
 */
void zcopy_xfer_watch_sent(struct zcopy_xfer *x, struct file *file, u32 seg,
			   bool by_ref)
{
	struct zcopy_watch *w = zcopy_watch_find(x, file);

	if (!w)
		return;
	if (!w->sent) {
		w->sent = true;
		w->seg = seg;
	}
	w->by_ref |= by_ref;
}

static bool zcopy_watch_changed(const struct zcopy_watch *w)
{
	const struct inode *inode = file_inode(w->file);
	struct timespec64 mtime = zcopy_inode_mtime(inode);

	return w->unknown || !timespec64_equal(&mtime, &w->mtime) ||
	       i_size_read(inode) != w->size;
}

/*
 * Check the watched files. Before the completion (@final false), only
 * those whose bytes were all copied at send time are done with: the
 * others are checked again once the stack has released their pages.
 */
static void zcopy_xfer_check_watches(struct zcopy_xfer *x, bool final)
{
	struct zcopy_completion *rec = &x->rec;
	unsigned int i, kept = 0;

	for (i = 0; i < x->nr_watches; i++) {
		struct zcopy_watch *w = &x->watches[i];

		if (!final && w->sent && w->by_ref) {
			x->watches[kept++] = *w;
			continue;
		}
		if (x->post && w->sent && zcopy_watch_changed(w) &&
		    (!(rec->flags & ZCOPY_COMPL_FILE_CHANGED) ||
		     w->seg < rec->changed_seg)) {
			rec->flags |= ZCOPY_COMPL_FILE_CHANGED;
			rec->changed_seg = w->seg;
		}
		fput(w->file);
	}
	x->nr_watches = kept;
}

static void zcopy_xfer_complete(struct zcopy_xfer *x)
{
	struct zcopy_ctx *ctx = x->ctx;
	/* Read now: once queued, the record is the reader's to free. */
	void (*done)(void *arg) = x->done;
	void *done_arg = x->done_arg;
	unsigned int i;
	bool queued = false;

	zcopy_xfer_check_watches(x, true);
	zcopy_xfer_drop_behind(x);

	for (i = 0; i < x->nr_pools; i++) {
		atomic_dec(&x->pools[i]->inflight);
		zcopy_pool_put(x->pools[i]);
	}
	x->nr_pools = 0;

	if (x->post) {
		struct zcopy_xfer_info info = {
			.net = ctx->net,
			.pid = x->pid,
			.pid_ns = ctx->pid_ns,
			.cookie = x->rec.cookie,
			.id = x->id,
			.rec = &x->rec,
			.stop = &x->stop,
		};

		zcopy_xfer_settle(x);
		zcopy_notify_xfer_done(&info);
		zcopy_stat_add(ZCOPY_STAT_COMPLETIONS, 1);
		zcopy_stat_add(ZCOPY_STAT_BYTES_ZC, x->rec.zc_bytes);
		zcopy_stat_add(ZCOPY_STAT_BYTES_COPIED, x->rec.copied_bytes);
		if (x->rec.flags & ZCOPY_COMPL_COPIED)
			zcopy_stat_add(ZCOPY_STAT_COMPLETIONS_COPIED, 1);

		spin_lock(&ctx->cq_lock);
		if (!ctx->closed) {
			list_add_tail(&x->node, &ctx->cq);
			queued = true;
		}
		spin_unlock(&ctx->cq_lock);
	}
	zcopy_stats_outstanding(-1);
	if (done)
		done(done_arg);

	if (queued) {
		wake_up_interruptible_poll(&ctx->wq, EPOLLIN | EPOLLRDNORM);
	} else {
		atomic_dec(&ctx->outstanding);
		zcopy_xfer_free(x);
	}
	zcopy_ctx_put(ctx);
	module_put(THIS_MODULE);
}

/*
 * Complete @work's transfer and the members of its chain, in sending
 * order. Members shared skbs with each other, and the stack reports an
 * skb's fate to the notification it carries, not to each transfer whose
 * bytes it holds: what happened to one counts for the whole chain (any
 * copy makes all of it copied).
 */
static void zcopy_xfer_work(struct work_struct *work)
{
	struct zcopy_xfer *x = container_of(work, struct zcopy_xfer, work);
	struct zcopy_xfer *m, *next;
	bool copied = false, used = false;

	if (x->next) {
		for (m = x; m; m = m->next) {
			copied |= READ_ONCE(m->zc_copied);
			used |= READ_ONCE(m->zc_used);
		}
		for (m = x; m; m = m->next) {
			m->zc_copied = copied;
			m->zc_used = used;
		}
	}
	/*
	 * Each member holds a module reference until its completion: the
	 * last one's module_put() is the last thing done here, and
	 * zcopy_xfer_uninit() waits for this function to return.
	 */
	for (m = x; m; m = next) {
		next = m->next;
		zcopy_xfer_complete(m);
	}
}

/**
 * zcopy_xfer_alloc - start a transfer
 * @ctx: the sender's context
 * @max_pools: pool references the transfer will hold at most
 * @max_drops: drop-behind extents it will hold at most
 * @max_watches: files it will watch for changes at most
 *
 * Charges the transfer to @ctx's outstanding limit.
 *
 * Return: the transfer, or ERR_PTR(-ENOBUFS) over the limit, or
 * ERR_PTR(-ENOMEM).
 */
struct zcopy_xfer *zcopy_xfer_alloc(struct zcopy_ctx *ctx,
				    unsigned int max_pools,
				    unsigned int max_drops,
				    unsigned int max_watches)
{
	struct zcopy_xfer *x;
	size_t size;

	if (atomic_inc_return(&ctx->outstanding) > ZCOPY_MAX_OUTSTANDING) {
		atomic_dec(&ctx->outstanding);
		return ERR_PTR(-ENOBUFS);
	}

	size = size_add(size_add(struct_size(x, pools, max_pools),
				 array_size(max_drops, sizeof(*x->drops))),
			array_size(max_watches, sizeof(*x->watches)));
	x = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!x) {
		atomic_dec(&ctx->outstanding);
		return ERR_PTR(-ENOMEM);
	}
	x->drops = (struct zcopy_drop *)&x->pools[max_pools];
	x->watches = (struct zcopy_watch *)&x->drops[max_drops];

	zcopy_ubuf_init(&x->ubuf, &zcopy_ubuf_ops);
	x->head = x;
	INIT_WORK(&x->work, zcopy_xfer_work);
	INIT_LIST_HEAD(&x->node);
	zcopy_ctx_get(ctx);
	x->ctx = ctx;
	x->pid = get_pid(task_tgid(current));
	/* We are in an ioctl of this module: it cannot be going away. */
	__module_get(THIS_MODULE);
	zcopy_stats_outstanding(1);
	return x;
}

/*
 * The transfer takes over the caller's reference to @pool, and keeps one
 * reference per pool however many segments use it.
 */
void zcopy_xfer_add_pool(struct zcopy_xfer *x, struct zcopy_pool *pool)
{
	unsigned int i;

	for (i = 0; i < x->nr_pools; i++) {
		if (x->pools[i] == pool) {
			zcopy_pool_put(pool);
			return;
		}
	}
	x->pools[x->nr_pools++] = pool;
	atomic_inc(&pool->inflight);
	atomic64_inc(&pool->sends);
}

/*
 * The transfer keeps a reference to @file and evicts the pages of
 * [@offset, @offset + @len) once the stack has let go of them.
 */
void zcopy_xfer_add_drop(struct zcopy_xfer *x, struct file *file, u64 offset,
			 u64 len)
{
	struct zcopy_drop *d = &x->drops[x->nr_drops++];

	d->file = get_file(file);
	d->start = offset >> PAGE_SHIFT;
	d->end = (offset + len - 1) >> PAGE_SHIFT;
}

/**
 * zcopy_xfer_done_sending - drop the sender's reference
 * @x: the transfer
 * @post: queue a completion record (the send succeeded)
 *
 * The completion runs once the stack has dropped its references too.
 */
void zcopy_xfer_done_sending(struct zcopy_xfer *x, bool post)
{
	x->post = post;
	/* Files whose bytes were all copied are done with now. */
	zcopy_xfer_check_watches(x, false);
	/*
	 * Most often no skb holds the notification by now (nothing went
	 * zero-copy from a pool, or the stack has already let go of it):
	 * the caller is in process context, so complete here rather than
	 * wake a worker for it. The caller's file or genl family keeps the
	 * module alive past the module_put() at the end.
	 */
	if (refcount_dec_and_test(&x->ubuf.refcnt)) {
		x = zcopy_xfer_released(x);
		if (x)
			zcopy_xfer_work(&x->work);
	}
}

ssize_t zcopy_cq_read(struct zcopy_ctx *ctx, char __user *buf, size_t count,
		      bool nonblock)
{
	const size_t recsz = sizeof(struct zcopy_completion);
	struct zcopy_xfer *x;
	ssize_t done = 0;
	int ret;

	if (count < recsz)
		return -EINVAL;

	if (mutex_lock_interruptible(&ctx->read_lock))
		return -ERESTARTSYS;

	while (list_empty_careful(&ctx->cq)) {
		if (nonblock) {
			ret = -EAGAIN;
			goto out;
		}
		mutex_unlock(&ctx->read_lock);
		ret = wait_event_interruptible(ctx->wq,
					       !list_empty_careful(&ctx->cq));
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&ctx->read_lock))
			return -ERESTARTSYS;
	}

	/* Readers are serialised: the head stays ours until we take it. */
	while (count - done >= recsz) {
		spin_lock(&ctx->cq_lock);
		x = list_first_entry_or_null(&ctx->cq, struct zcopy_xfer, node);
		spin_unlock(&ctx->cq_lock);
		if (!x)
			break;
		if (copy_to_user(buf + done, &x->rec, recsz)) {
			ret = -EFAULT;
			goto out;
		}
		spin_lock(&ctx->cq_lock);
		list_del(&x->node);
		spin_unlock(&ctx->cq_lock);
		atomic_dec(&ctx->outstanding);
		zcopy_xfer_free(x);
		done += recsz;
	}
	ret = 0;
out:
	mutex_unlock(&ctx->read_lock);
	return done ? done : ret;
}

__poll_t zcopy_cq_poll(struct zcopy_ctx *ctx, struct file *file,
		       poll_table *wait)
{
	poll_wait(file, &ctx->wq, wait);
	return list_empty_careful(&ctx->cq) ? 0 : EPOLLIN | EPOLLRDNORM;
}

/* The file is closing: drop unread completions, refuse further ones. */
static void zcopy_cq_release(struct zcopy_ctx *ctx)
{
	struct zcopy_xfer *x, *tmp;
	LIST_HEAD(unread);

	spin_lock(&ctx->cq_lock);
	ctx->closed = true;
	list_splice_init(&ctx->cq, &unread);
	spin_unlock(&ctx->cq_lock);

	list_for_each_entry_safe(x, tmp, &unread, node) {
		atomic_dec(&ctx->outstanding);
		zcopy_xfer_free(x);
	}
}

/**
 * zcopy_ctx_close - the owner of @ctx is gone
 * @ctx: the context
 *
 * Unregister its pools and drop unread completions. Transfers still in
 * flight keep the context (and their pools) until the stack lets go of
 * them; closing never waits for the network.
 */
void zcopy_ctx_close(struct zcopy_ctx *ctx)
{
	mutex_lock(&ctx->pool_lock);
	zcopy_pools_release(ctx);
	mutex_unlock(&ctx->pool_lock);
	zcopy_cq_release(ctx);
}

int __init zcopy_xfer_init(void)
{
	zcopy_wq = alloc_workqueue("zcopy", WQ_UNBOUND, 0);
	return zcopy_wq ? 0 : -ENOMEM;
}

/* Only called once no transfer holds a module reference. */
void zcopy_xfer_uninit(void)
{
	destroy_workqueue(zcopy_wq);
}
