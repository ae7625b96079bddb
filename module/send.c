// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_SEND: an ordered list of pool ranges and file extents sent to
 * a TCP socket as one corked stream.
 *
 * The segment array is copied in once and every segment is validated and
 * resolved (pool references, file references) before the first byte goes
 * out, so a bad segment never leaves a partial send behind.
 *
 * Pool ranges go through sock_sendmsg(MSG_ZEROCOPY) with the transfer's
 * own ubuf_info and a bvec over the pinned pages: the stack references the
 * pages and reports back through the ubuf whether it had to copy them.
 *
 * File extents go through the splice machinery, as sendfile does: the
 * file's ->splice_read fills the task's internal pipe with page-cache
 * pages (with readahead, and the filesystem's own locking). The pipe holds
 * 16 pages; sendfile hands each pipe's worth to the socket in a call of
 * its own. zcopy takes the pages out of the pipe (a page reference each)
 * until a bvec batch of up to 64 is full, and hands the batch to the
 * socket by reference in one call (compat.h). Buffers that
 * are not page-cache pages (O_DIRECT, procfs, ...) were already copies.
 *
 * With ZCOPY_SEND_FILE_NOTIFY the pipe's page-cache pages go the way pool
 * pages do instead, MSG_ZEROCOPY with the transfer's ubuf_info, so every
 * skb that references them holds the notification and the completion
 * waits for the last one to be freed. kTLS would keep referenced pages in
 * an open record past the send without a notification: there the file
 * bytes are copied at send time.
 */

#include <linux/fadvise.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/splice.h>
#include <linux/uaccess.h>
#include <linux/zcopy.h>
#include <net/inet_connection_sock.h>
#include <net/netlink.h>
#include <net/tls.h>

#include "compat.h"
#include "notify.h"
#include "pool.h"
#include "send.h"
#include "stats.h"
#include "xfer.h"
#include "zcopy.h"

/*
 * Below some size a zero-copy send costs more than a copy: pinning is done
 * once, but each zero-copy send still pays for the notification and the
 * skb bookkeeping, and a small zero-copy segment gets an skb of its own
 * where a copied one shares the next one's. Pool segments shorter than
 * this are copied. The default is the smallest size from which zero copy
 * no longer costs more than a copy over a NIC route on either kernel, on
 * the instruction-counting benchmark (Documentation/performance.md).
 */
static unsigned int copy_threshold = 4096;
module_param(copy_threshold, uint, 0644);
MODULE_PARM_DESC(copy_threshold,
		 "Pool segments shorter than this many bytes are copied (0: never; default 4096)");

unsigned int zcopy_copy_threshold(void)
{
	return READ_ONCE(copy_threshold);
}

/* Segments of a ZCOPY_IOC_SEND read onto the stack (header and body). */
#define ZCOPY_SEGS_ON_STACK	4

/* Pool or page-cache pages handed to one sock_sendmsg() call. */
#define ZCOPY_BVEC_BATCH	64

/* Internal: a file extent met the end of its file. */
#define ZCOPY_ERR_EOF		(-ENODATA)

/* Internal: ZCOPY_SEND_NOWAIT_IO met a page not in the page cache. */
#define ZCOPY_ERR_NOT_CACHED	(-ENOMEDIUM)

/* Internal: the kernel-run transfer was cancelled (zcopy_send_cancel()). */
#define ZCOPY_ERR_CANCELLED	(-ECANCELED)

/* Readahead started where a ZCOPY_SEND_NOWAIT_IO send stopped. */
#define ZCOPY_NOWAIT_RA_BYTES	(2ULL << 20)

/**
 * struct zcopy_kseg - a validated segment
 * @pool: ZCOPY_SEG_POOL: the pool (a reference is held)
 * @file: ZCOPY_SEG_FILE: the file (a reference is held)
 * @offset: into the pool or file
 * @len: bytes
 * @hints: ZCOPY_SEG_WILLNEED, ZCOPY_SEG_DROP_BEHIND (file segments)
 * @zc: sent with the transfer's zero-copy notification: a pool range (not
 *	copied for being small) or a file extent of a ZCOPY_SEND_FILE_NOTIFY
 *	send, not on a kTLS socket
 */
struct zcopy_kseg {
	struct zcopy_pool *pool;
	struct file *file;
	u64 offset;
	u64 len;
	u32 hints;
	bool zc;
};

/**
 * struct zcopy_route - what a send decides from its socket and route
 * @tls: the socket encrypts with kernel TLS
 * @local: the route ends in this host (loopback, veth)
 * @copy_reason: why every byte is copied at send time, or NONE
 * @threshold: copy_threshold, read once for the whole send
 * @flags: enum zcopy_probe_flags
 * @ifindex: the route's device, 0 without a cached route
 * @ifname: its name
 * @mtu: the route's path MTU
 * @gso_max_size: the largest GSO packet TCP builds for the socket
 */
struct zcopy_route {
	bool tls;
	bool local;
	u32 copy_reason;
	u32 threshold;
	u32 flags;
	int ifindex;
	char ifname[IFNAMSIZ];
	u32 mtu;
	u32 gso_max_size;
};

static bool zcopy_sock_is_tls(struct sock *sk)
{
	const struct tcp_ulp_ops *ulp = READ_ONCE(inet_csk(sk)->icsk_ulp_ops);

	return ulp && !strcmp(ulp->name, "tls") &&
	       tls_get_ctx(sk)->tx_conf != TLS_BASE;
}

/*
 * Why the CPU will copy what is sent on @sk's route, known before sending:
 * kTLS encrypts into new pages; a device without scatter-gather gets every
 * non-linear skb linearized (TCP itself always builds paged skbs: with GSO
 * its route caps claim SG whatever the device has). @r->local says whether
 * the route ends in this host (loopback, veth), where receiving copies
 * pool pages. The rest of @r is what ZCOPY_IOC_PROBE shows of the route.
 */
static void zcopy_route_read(struct sock *sk, struct zcopy_route *r)
{
	netdev_features_t caps = READ_ONCE(sk->sk_route_caps);
	struct dst_entry *dst;

	if (caps & NETIF_F_SG)
		r->flags |= ZCOPY_PROBE_ROUTE_SG;
	if (sk_can_gso(sk))
		r->flags |= ZCOPY_PROBE_ROUTE_GSO;
	if (r->tls) {
		r->flags |= ZCOPY_PROBE_KTLS;
		r->copy_reason = ZCOPY_REASON_KTLS;
	} else if (!(caps & NETIF_F_SG)) {
		r->copy_reason = ZCOPY_REASON_NO_SG;
	}

	dst = sk_dst_get(sk);
	if (dst) {
		struct net_device *dev = dst->dev;
		netdev_features_t features = READ_ONCE(dev->features);

		r->flags |= ZCOPY_PROBE_DST;
		if (features & NETIF_F_SG)
			r->flags |= ZCOPY_PROBE_DEV_SG;
		else if (!r->copy_reason)
			r->copy_reason = ZCOPY_REASON_NO_SG;
		if (features & (NETIF_F_TSO | NETIF_F_TSO6))
			r->flags |= ZCOPY_PROBE_DEV_TSO;
		r->local = (dev->flags & IFF_LOOPBACK) ||
			   (dev->rtnl_link_ops &&
			    !strcmp(dev->rtnl_link_ops->kind, "veth"));
		if (r->local)
			r->flags |= ZCOPY_PROBE_LOCAL;
		r->ifindex = dev->ifindex;
		/* A rename meanwhile may show a mix; the index is exact. */
		strscpy(r->ifname, dev->name, sizeof(r->ifname));
		r->mtu = dst_mtu(dst);
		r->gso_max_size = READ_ONCE(sk->sk_gso_max_size);
		dst_release(dst);
	}
}

/**
 * zcopy_route_get - what the send path decides for a socket, before sending
 * @sock: a socket zcopy_check_sock() accepted
 * @r: filled in
 *
 * ZCOPY_IOC_SEND and ZCOPY_IOC_PROBE both decide from this, and only
 * through the zcopy_route_*_reason() helpers, so that what the probe says
 * is what a send does.
 */
static void zcopy_route_get(struct socket *sock, struct zcopy_route *r)
{
	memset(r, 0, sizeof(*r));
	r->tls = zcopy_sock_is_tls(sock->sk);
	r->threshold = zcopy_copy_threshold();
	zcopy_route_read(sock->sk, r);
}

/*
 * Whether a pool range of @len bytes goes with the transfer's zero-copy
 * notification: not when it is short (a copy is cheaper), never on kTLS
 * (which refuses MSG_ZEROCOPY: it encrypts into new pages).
 */
static bool zcopy_route_pool_seg_zc(const struct zcopy_route *r, u64 len)
{
	return !r->tls && len >= r->threshold;
}

/*
 * What the segment result of a pool range says when it is sent: copied
 * for being short (on a plain socket), for the route, or not (yet).
 */
static u32 zcopy_route_pool_seg_reason(const struct zcopy_route *r, bool zc)
{
	return !r->tls && !zc ? ZCOPY_REASON_SMALL : r->copy_reason;
}

/*
 * The reason the completion gives for zero-copy pool bytes that the stack
 * copied after the send (@stack_copied: the notification said so), or,
 * for the probe, what it expects: copied at send for the route, copied
 * by local delivery, or not copied (NONE) unless the stack has a reason
 * of its own later (STACK).
 */
static u32 zcopy_route_pool_reason(const struct zcopy_route *r,
				   bool stack_copied)
{
	if (r->copy_reason)
		return r->copy_reason;
	if (r->local)
		return ZCOPY_REASON_LOCAL;
	return stack_copied ? ZCOPY_REASON_STACK : ZCOPY_REASON_NONE;
}

/* Why bytes of a file extent were copied: @cache, a page-cache page. */
static u32 zcopy_route_file_reason(const struct zcopy_route *r, bool cache)
{
	if (r->copy_reason)
		return r->copy_reason;
	return cache ? ZCOPY_REASON_NONE : ZCOPY_REASON_FILE_COPY;
}

/**
 * struct zcopy_sender - one ZCOPY_IOC_SEND in progress
 * @sock: the socket (a reference is held)
 * @x: the transfer
 * @msg_flags: MSG_NOSIGNAL, and MSG_DONTWAIT for non-blocking sends
 * @route: what the socket and its route decide (zcopy_route_get())
 * @file_notify: ZCOPY_SEND_FILE_NOTIFY: no file page may stay referenced
 *	without the transfer's notification
 * @nowait_io: ZCOPY_SEND_NOWAIT_IO: stop before a page that is not cached
 * @cancel: set by zcopy_send_cancel(): stop at the next batch
 * @bvec: @nr_bvec entries for pool and page-cache pages
 * @nr_bvec: pages one sendmsg() takes at most: ZCOPY_BVEC_BATCH, or fewer
 *	when the segments span fewer
 */
struct zcopy_sender {
	struct socket *sock;
	struct zcopy_xfer *x;
	int msg_flags;
	struct zcopy_route route;
	bool file_notify;
	bool nowait_io;
	bool cancel;
	struct bio_vec *bvec;
	unsigned int nr_bvec;
};

static bool zcopy_cancelled(const struct zcopy_sender *s)
{
	return READ_ONCE(s->cancel);
}

/**
 * struct zcopy_sendop - a send between zcopy_send_prepare() and
 *	zcopy_send_finish()
 * @s: the sender
 * @ctx: the sender's context (the caller keeps it alive)
 * @a: the request, and its out fields as far as the send got
 * @ks: @a.nr_segs validated segments
 * @res: their results so far
 * @next: the first segment not sent in full
 * @pid: the process that asked for the send (a reference is held)
 * @started: the first pass ran (and started the willneed readahead)
 */
struct zcopy_sendop {
	struct zcopy_sender s;
	struct zcopy_ctx *ctx;
	struct zcopy_send a;
	struct zcopy_kseg *ks;
	struct zcopy_seg_result *res;
	unsigned int next;
	struct pid *pid;
	bool started;
};

static void zcopy_seg_count(struct zcopy_seg_result *res, int sent,
			    u32 copy_reason)
{
	res->sent += sent;
	if (copy_reason) {
		res->copied += sent;
		if (!res->reason)
			res->reason = copy_reason;
	}
}

/*
 * Why a blocking send returned fewer bytes than asked without an error:
 * a signal, the socket failing, or its send timeout.
 */
static int zcopy_short_send_err(struct socket *sock)
{
	struct sock *sk = sock->sk;
	int err = READ_ONCE(sk->sk_err);

	if (signal_pending(current))
		return -EINTR;
	if (err)
		return -err;
	if (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN)
		return -EPIPE;
	return -EAGAIN;
}

/*
 * Send pool segments @first to @last of @ks, each from what it sent
 * before, all with the same notification (or all copied): as many as the
 * bvec batch holds go down in one sendmsg(), as the iovecs of one
 * MSG_ZEROCOPY sendmsg() do, rather than one call per segment. @more:
 * data follows @last. The bytes sent are counted to the segments in
 * order; a short send stops at the first segment not sent in full.
 */
static int zcopy_send_pool_segs(struct zcopy_sender *s,
				const struct zcopy_kseg *ks,
				struct zcopy_seg_result *res, unsigned int first,
				unsigned int last, bool more)
{
	bool zc = ks[first].zc;
	u32 reason = zcopy_route_pool_seg_reason(&s->route, zc);
	unsigned int i = first;

	while (i <= last) {
		struct msghdr msg = { .msg_flags = s->msg_flags };
		unsigned int n = 0, j = i;
		u64 pos = res[i].sent;
		size_t chunk = 0, left;
		int ret;

		if (zcopy_cancelled(s))
			return ZCOPY_ERR_CANCELLED;
		while (n < s->nr_bvec && j <= last) {
			const struct zcopy_kseg *seg = &ks[j];
			u64 at = seg->offset + pos;
			unsigned int poff = offset_in_page(at);
			size_t l = min_t(u64, PAGE_SIZE - poff, seg->len - pos);

			bvec_set_page(&s->bvec[n++],
				      seg->pool->pages[at >> PAGE_SHIFT], l,
				      poff);
			chunk += l;
			pos += l;
			if (pos == seg->len) {
				j++;
				pos = 0;
			}
		}
		if (more || j <= last)
			msg.msg_flags |= MSG_MORE;
		/* kTLS refuses MSG_ZEROCOPY: it encrypts into new pages. */
		if (zc) {
			msg.msg_flags |= MSG_ZEROCOPY;
			msg.msg_ubuf = &s->x->ubuf;
		}
		iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, s->bvec, n, chunk);

		ret = sock_sendmsg(s->sock, &msg);
		if (ret < 0)
			return ret;
		for (left = ret; left; ) {
			size_t take = min_t(u64, ks[i].len - res[i].sent, left);

			zcopy_seg_count(&res[i], take, reason);
			atomic64_add(take, &ks[i].pool->bytes_sent);
			left -= take;
			if (res[i].sent == ks[i].len)
				i++;
		}
		if (ret < chunk)
			return zcopy_short_send_err(s->sock);
	}
	return 0;
}

/* Page-cache pages (and the shared zero page of a hole) are not copies. */
static bool zcopy_page_is_cache(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (is_zero_pfn(page_to_pfn(page)))
		return true;
	return READ_ONCE(folio->mapping) && !folio_test_anon(folio);
}

/**
 * struct zcopy_splice_state - one file extent going through the pipe
 * @s: the send
 * @res: the extent's result
 * @zc: page-cache pages go with the transfer's notification
 * @copy: every byte is copied at send time (FILE_NOTIFY on kTLS)
 * @more: MSG_MORE on the extent's last byte
 * @err: why the actor stopped short, or 0
 * @left: bytes of the extent not yet taken from the pipe
 * @n: pages taken from the pipe and not sent yet, in @s->bvec, each
 *	holding a page reference of its own
 * @bytes: their length
 * @reason: their copy reason (zcopy_buf_reason()), the same for all
 */
struct zcopy_splice_state {
	struct zcopy_sender *s;
	struct zcopy_seg_result *res;
	bool zc;
	bool copy;
	bool more;
	int err;
	u64 left;
	unsigned int n;
	size_t bytes;
	u32 reason;
};

/*
 * A run of page-cache pages with the transfer's notification, as pool
 * pages go: TCP takes its own page references, each skb holding them
 * also holds the notification.
 */
static int zcopy_send_pages_notify(struct zcopy_sender *s,
				   struct bio_vec *bv, unsigned int n,
				   size_t len, int flags)
{
	struct msghdr msg = {
		.msg_flags = flags | MSG_ZEROCOPY,
		.msg_ubuf = &s->x->ubuf,
	};

	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	return sock_sendmsg(s->sock, &msg);
}

/*
 * Why a pipe buffer's bytes were copied before they reached the socket,
 * or NONE: a page-cache page goes by reference.
 */
static u32 zcopy_buf_reason(const struct zcopy_sender *s,
			    struct pipe_buffer *buf, bool copy)
{
	/* @copy: this send copies page-cache pages too (kTLS, file-notify) */
	return zcopy_route_file_reason(&s->route,
				       !copy && zcopy_page_is_cache(buf->page));
}

/* Drop the references of the pages taken and not sent. */
static void zcopy_file_batch_drop(struct zcopy_splice_state *st)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		put_page(st->s->bvec[i].bv_page);
	st->n = 0;
	st->bytes = 0;
}

/*
 * Send the pages taken from the pipe, by reference, in one call: MSG_MORE
 * unless they end the extent and nothing follows it. The stack takes its
 * own references; ours are dropped, whatever was sent. Return 0 when the
 * whole batch went out, else why not.
 */
static int zcopy_file_batch_send(struct zcopy_splice_state *st)
{
	struct zcopy_sender *s = st->s;
	int flags = s->msg_flags;
	size_t len = st->bytes;
	int ret;

	if (!st->n)
		return 0;
	if (st->more || st->left)
		flags |= MSG_MORE;
	if (zcopy_cancelled(s))
		ret = ZCOPY_ERR_CANCELLED;
	else if (st->zc)
		ret = zcopy_send_pages_notify(s, s->bvec, st->n, len, flags);
	else
		ret = zcopy_sock_send_pages(s->sock, s->bvec, st->n, len, flags,
					    !st->copy);
	zcopy_file_batch_drop(st);
	if (ret <= 0)
		return ret ?: -EIO;
	zcopy_seg_count(st->res, ret, st->reason);
	if ((size_t)ret < len)
		return zcopy_short_send_err(s->sock);
	return 0;
}

/*
 * Take @l bytes of @buf, a page that may be referenced, into the batch;
 * send the batch first if the page's copy reason differs from the
 * batch's, and after if the batch is full.
 */
static int zcopy_file_batch_add(struct zcopy_splice_state *st,
				struct pipe_buffer *buf, size_t l)
{
	struct zcopy_sender *s = st->s;
	u32 reason = zcopy_buf_reason(s, buf, st->copy);
	int ret;

	if (st->n && reason != st->reason) {
		ret = zcopy_file_batch_send(st);
		if (ret)
			return ret;
	}
	get_page(buf->page);
	bvec_set_page(&s->bvec[st->n++], buf->page, l, buf->offset);
	st->bytes += l;
	st->reason = reason;
	st->left -= l;
	if (st->n == s->nr_bvec || !st->left)
		return zcopy_file_batch_send(st);
	return 0;
}

/*
 * A page that may not be referenced (sendpage_ok()): after the batch,
 * copied by the socket on its own.
 */
static int zcopy_file_send_copy(struct zcopy_splice_state *st,
				struct pipe_buffer *buf, size_t l)
{
	struct zcopy_sender *s = st->s;
	int flags = s->msg_flags;
	struct bio_vec bv;
	int ret;

	ret = zcopy_file_batch_send(st);
	if (ret)
		return ret;
	st->left -= l;
	if (st->more || st->left)
		flags |= MSG_MORE;
	bvec_set_page(&bv, buf->page, l, buf->offset);
	ret = zcopy_sock_send_pages(s->sock, &bv, 1, l, flags, false);
	if (ret <= 0)
		return ret ?: -EIO;
	zcopy_seg_count(st->res, ret, zcopy_buf_reason(s, buf, st->copy));
	if ((size_t)ret < l)
		return zcopy_short_send_err(s->sock);
	return 0;
}

/*
 * Take what the task's private pipe holds, for the socket: the batch is
 * sent when full, and at the end of the extent. Return the bytes taken;
 * st->err says why it stopped short of sd->total_len.
 */
static int zcopy_splice_actor(struct pipe_inode_info *pipe,
			      struct splice_desc *sd)
{
	struct zcopy_splice_state *st = sd->u.data;
	unsigned int mask = pipe->ring_size - 1;
	size_t left = sd->total_len;
	int done = 0, ret = 0;

	pipe_lock(pipe);
	while (left && !pipe_empty(pipe->head, pipe->tail)) {
		struct pipe_buffer *buf = &pipe->bufs[pipe->tail & mask];
		size_t l = min_t(size_t, buf->len, left);

		if (l) {
			ret = pipe_buf_confirm(pipe, buf);
			if (ret) {
				int err = zcopy_file_batch_send(st);

				/* -ENODATA: the page left the page cache: the end. */
				if (ret == -ENODATA)
					ret = err;
				break;
			}
			if (sendpage_ok(buf->page))
				ret = zcopy_file_batch_add(st, buf, l);
			else
				ret = zcopy_file_send_copy(st, buf, l);
			if (ret)
				break;
			done += l;
			left -= l;
			buf->offset += l;
			buf->len -= l;
		}
		/* Empty buffers go too: nothing else releases them. */
		if (buf->len)
			break;
		pipe_buf_release(pipe, buf);
		pipe->tail++;
	}
	pipe_unlock(pipe);
	st->err = ret;
	return done ?: ret;
}

/*
 * How many of the @len bytes at @pos are in the page cache and up to
 * date, so that reading them waits for no disk. A mapping without a
 * ->read_folio (tmpfs, overlayfs, procfs) has no disk to wait for here:
 * all of them. Racy by nature: a page reclaimed after this look is read
 * by the splice as usual.
 */
static u64 zcopy_cached_bytes(struct file *file, loff_t pos, u64 len)
{
	struct address_space *mapping = file->f_mapping;
	pgoff_t first = pos >> PAGE_SHIFT;
	pgoff_t last = (pos + len - 1) >> PAGE_SHIFT;
	pgoff_t next = first;
	struct folio_batch fbatch;
	bool gap = false;

	if (!mapping->a_ops->read_folio)
		return len;
	folio_batch_init(&fbatch);
	while (next <= last && !gap) {
		pgoff_t start = next;
		unsigned int i, n;

		n = filemap_get_folios_contig(mapping, &start, last, &fbatch);
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			struct folio *folio = fbatch.folios[i];

			if (folio->index > next || !folio_test_uptodate(folio)) {
				gap = true;
				break;
			}
			next = folio_next_index(folio);
		}
		folio_batch_release(&fbatch);
		cond_resched();
	}
	if (next > last)
		return len;
	if (next == first)
		return 0;
	return min_t(u64, len, ((u64)next << PAGE_SHIFT) - pos);
}

/*
 * @more: MSG_MORE on the segment's last byte; @more_at_eof: on the file's
 * last byte if the segment runs past it, which ends the send.
 */
static int zcopy_send_file_seg(struct zcopy_sender *s,
			       const struct zcopy_kseg *seg, bool more,
			       bool more_at_eof, struct zcopy_seg_result *res)
{
	struct zcopy_splice_state st = {
		.s = s,
		.res = res,
		.zc = seg->zc,
		.copy = s->file_notify && !seg->zc,
		.more = more,
	};
	struct inode *inode = file_inode(seg->file);
	/* A resumed extent goes on from what it sent before. */
	u64 base = res->sent, len = seg->len - base;
	loff_t pos = seg->offset + base, isize = i_size_read(inode);
	struct splice_desc sd = {
		.u.data = &st,
	};
	bool eof, not_cached = false;
	ssize_t ret;
	int err;

	/*
	 * Stop at the end of the file with MSG_MORE already clear on the last
	 * byte. Files that report no size (procfs) are read until they end.
	 */
	if (isize > 0) {
		if (pos >= isize)
			return ZCOPY_ERR_EOF;
		len = min_t(u64, len, isize - pos);
	}
	eof = len < seg->len - base;
	if (eof)
		st.more = more_at_eof;

	ret = rw_verify_area(READ, seg->file, &pos, len);
	if (ret)
		return ret;

	/*
	 * ZCOPY_SEND_NOWAIT_IO: send what is cached, start reading what
	 * follows (as POSIX_FADV_WILLNEED does: submitted, not waited for)
	 * and stop there.
	 */
	if (s->nowait_io) {
		u64 cached = zcopy_cached_bytes(seg->file, pos, len);

		if (cached < len) {
			vfs_fadvise(seg->file, pos + cached,
				    min_t(u64, len - cached,
					  ZCOPY_NOWAIT_RA_BYTES),
				    POSIX_FADV_WILLNEED);
			if (!cached)
				return ZCOPY_ERR_NOT_CACHED;
			len = cached;
			st.more = true;
			not_cached = true;
		}
	}

	/*
	 * splice_direct_to_actor() stops short, without saying why, when the
	 * read path returns 0 (the end of the file, which a concurrent
	 * truncate moves) or fails after some bytes. Go on from where it
	 * stopped until the read path itself says: 0 is the end of the file,
	 * an error is returned as such. What it took from the pipe before it
	 * stopped short is sent first.
	 */
	while (res->sent - base < len) {
		u64 done = res->sent - base;

		st.left = len - done;
		sd.total_len = st.left;
		sd.pos = pos + done;
		ret = splice_direct_to_actor(seg->file, &sd, zcopy_splice_actor);
		err = ret < 0 ? ret : st.err;
		if (err) {
			zcopy_file_batch_drop(&st);
			return err;
		}
		err = zcopy_file_batch_send(&st);
		if (err)
			return err;
		if (res->sent - base >= len)
			break;
		if (signal_pending(current))
			return -EINTR;
		if (zcopy_cancelled(s))
			return ZCOPY_ERR_CANCELLED;
		if (!ret)
			return ZCOPY_ERR_EOF;
	}
	if (not_cached)
		return ZCOPY_ERR_NOT_CACHED;
	return eof ? ZCOPY_ERR_EOF : 0;
}

/**
 * zcopy_user_errno - the errno a record, an event or a reply may carry
 * @err: 0 or a negative errno from the send path
 *
 * The kernel's restart codes (-ERESTARTSYS and friends) only mean
 * something to the syscall return path, which turns them into a restart
 * or EINTR. Anywhere else - a completion record, an event, a netlink
 * reply - a signal interrupted the send, and that is EINTR.
 */
int zcopy_user_errno(int err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	default:
		return err;
	}
}

static u32 zcopy_stop_reason(int err)
{
	switch (zcopy_user_errno(err)) {
	case 0:
		return ZCOPY_STOP_NONE;
	case ZCOPY_ERR_EOF:
		return ZCOPY_STOP_EOF;
	case ZCOPY_ERR_NOT_CACHED:
		return ZCOPY_STOP_NOT_CACHED;
	case -EAGAIN:
		return ZCOPY_STOP_AGAIN;
	case -EINTR:
		return ZCOPY_STOP_SIGNAL;
	case ZCOPY_ERR_CANCELLED:
		return ZCOPY_STOP_CANCELLED;
	default:
		return ZCOPY_STOP_ERROR;
	}
}

static int zcopy_check_sock(struct socket *sock,
			    struct netlink_ext_ack *extack)
{
	struct sock *sk = sock->sk;
	int state;

	if (!sk || sock->type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG(extack, "sockfd is not a TCP socket");
		return -EOPNOTSUPP;
	}

	/* Never connected (or listening); a reset connection gives EPIPE. */
	state = READ_ONCE(sk->sk_state);
	if (state == TCP_LISTEN ||
	    (state == TCP_CLOSE && !READ_ONCE(sk->sk_shutdown))) {
		NL_SET_ERR_MSG(extack, "the socket is not connected");
		return -ENOTCONN;
	}
	return 0;
}

static int zcopy_resolve_seg(struct zcopy_ctx *ctx, const struct zcopy_seg *u,
			     u32 send_flags, struct zcopy_kseg *k,
			     struct netlink_ext_ack *extack)
{
	u64 end;

	if (u->__reserved) {
		NL_SET_ERR_MSG(extack, "a segment has reserved bits set");
		return -EINVAL;
	}
	if (u->flags & ~ZCOPY_SEG_MASK) {
		NL_SET_ERR_MSG(extack, "a segment has unknown flags");
		return -EINVAL;
	}
	if (u->flags && u->type == ZCOPY_SEG_POOL) {
		NL_SET_ERR_MSG(extack, "page-cache hints are for file segments only");
		return -EINVAL;
	}
	/* Evicting pages the stack may still send from would be no use. */
	if ((u->flags & ZCOPY_SEG_DROP_BEHIND) &&
	    !(send_flags & ZCOPY_SEND_FILE_NOTIFY)) {
		NL_SET_ERR_MSG(extack, "drop-behind needs ZCOPY_SEND_FILE_NOTIFY");
		return -EINVAL;
	}
	if (!u->len) {
		NL_SET_ERR_MSG(extack, "a segment has length 0");
		return -EINVAL;
	}
	if (check_add_overflow(u->offset, u->len, &end)) {
		NL_SET_ERR_MSG(extack, "a segment's offset + len overflows");
		return -EOVERFLOW;
	}

	switch (u->type) {
	case ZCOPY_SEG_POOL:
		k->pool = zcopy_pool_get(ctx, u->id);
		if (!k->pool) {
			NL_SET_ERR_MSG(extack, "no such pool in this /dev/zcopy file");
			return -ENOENT;
		}
		if (end > k->pool->len) {
			zcopy_pool_put(k->pool);
			k->pool = NULL;
			NL_SET_ERR_MSG(extack, "a pool range goes beyond its pool");
			return -ERANGE;
		}
		break;
	case ZCOPY_SEG_FILE: {
		struct file *file;
		umode_t mode;

		if (end > (u64)LLONG_MAX) {
			NL_SET_ERR_MSG(extack, "a file extent ends beyond LLONG_MAX");
			return -EOVERFLOW;
		}
		file = fget(u->id);
		if (!file) {
			NL_SET_ERR_MSG(extack, "a file segment's descriptor is not open");
			return -EBADF;
		}
		mode = file_inode(file)->i_mode;
		if (!(file->f_mode & FMODE_READ) || !S_ISREG(mode)) {
			fput(file);
			if (S_ISDIR(mode)) {
				NL_SET_ERR_MSG(extack, "a file segment is a directory");
				return -EISDIR;
			}
			if (!S_ISREG(mode)) {
				NL_SET_ERR_MSG(extack, "a file segment is not a regular file");
				return -EINVAL;
			}
			NL_SET_ERR_MSG(extack, "a file segment's file is not open for reading");
			return -EBADF;
		}
		k->file = file;
		break;
	}
	default:
		NL_SET_ERR_MSG(extack, "a segment has an unknown type");
		return -EINVAL;
	}
	k->offset = u->offset;
	k->len = u->len;
	k->hints = u->flags;
	return 0;
}

static void zcopy_ksegs_put(struct zcopy_kseg *ks, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (ks[i].pool)
			zcopy_pool_put(ks[i].pool);
		if (ks[i].file)
			fput(ks[i].file);
	}
}

/*
 * An skb carries one zero-copy notification, and when the stack copies
 * for it (local delivery does, skb_orphan_frags_rx()) it copies every
 * frag of the skb: page-cache pages that shared an skb with pool pages
 * would be copied with them, and reported as zero-copy. So on routes that
 * end in this host the queued tail skb ends a record, as MSG_EOR would
 * make it (6.1's sendpage cannot say MSG_EOR), wherever zero-copy pool
 * data meets other data: TCP starts a new skb for what follows. Elsewhere
 * sharing an skb costs nothing, and splitting it would leave small pool
 * packets that drivers copy into their rings (vmxnet3 does).
 */
static void zcopy_sock_end_skb(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;

	lock_sock(sk);
	skb = tcp_write_queue_tail(sk);
	if (skb)
		TCP_SKB_CB(skb)->eor = 1;
	release_sock(sk);
}

/* Whether data with a notification meets other data before seg @i. */
static bool zcopy_seg_boundary(const struct zcopy_kseg *ks, unsigned int i)
{
	return ks[i - 1].zc != ks[i].zc;
}

/*
 * The same at the start of the transfer, where what meets the first
 * segment is the socket's queued tail. Another zcopy transfer's data with
 * a notification may share an skb with ours where the stack allows it:
 * its notification takes ours along (a chain, zcopy_xfer). Before 6.10
 * TCP would start a new skb itself, after marking the tail for push,
 * and there the tail ends a record, at the start and, as before chains
 * existed, at the end of a transfer (zcopy_send_segs()). With chains the
 * end needs nothing: the next zcopy transfer looks here, and data from
 * elsewhere is not reported by zcopy.
 */
static void zcopy_sock_start(struct zcopy_sender *s, bool zc)
{
	struct sock *sk = s->sock->sk;
	struct ubuf_info *tail_uarg;
	struct sk_buff *skb;
	bool ours;

	lock_sock(sk);
	skb = tcp_write_queue_tail(sk);
	if (skb) {
		tail_uarg = skb_zcopy(skb);
		ours = ZCOPY_UBUF_CAN_LINK && tail_uarg &&
		       zcopy_ubuf_same_ops(tail_uarg, &s->x->ubuf);
		if (zc ? !ours : !!tail_uarg)
			TCP_SKB_CB(skb)->eor = 1;
	}
	release_sock(sk);
}

/*
 * Send the segments from @op->next on, each from what it sent before
 * (a kernel-run transfer resumes after a full socket). Return why it
 * stopped, 0 when every segment went out.
 */
static int zcopy_send_segs(struct zcopy_sendop *op)
{
	struct zcopy_send *a = &op->a;
	struct zcopy_sender *s = &op->s;
	const struct zcopy_kseg *ks = op->ks;
	struct zcopy_seg_result *res = op->res;
	unsigned int i = op->next;
	int err = 0;

	for (; i < a->nr_segs; i++) {
		bool more_after = a->flags & ZCOPY_SEND_MORE;
		bool more = i + 1 < a->nr_segs || more_after;

		if (res[i].sent >= ks[i].len)
			continue;
		/* A resumed segment had its boundary before its first byte. */
		if (s->route.local && !res[i].sent) {
			if (!i)
				zcopy_sock_start(s, ks[0].zc);
			else if (zcopy_seg_boundary(ks, i))
				zcopy_sock_end_skb(s->sock);
		}
		if (zcopy_cancelled(s)) {
			err = ZCOPY_ERR_CANCELLED;
		} else if (ks[i].pool) {
			unsigned int last = i;

			/* The pool ranges that follow with the same notification. */
			while (last + 1 < a->nr_segs && ks[last + 1].pool &&
			       ks[last + 1].zc == ks[i].zc)
				last++;
			more = last + 1 < a->nr_segs || more_after;
			err = zcopy_send_pool_segs(s, ks, res, i, last, more);
			if (err) {
				while (res[i].sent >= ks[i].len)
					i++;
				break;
			}
			i = last;
			continue;
		} else {
			err = zcopy_send_file_seg(s, &ks[i], more, more_after,
						  &res[i]);
		}
		if (err)
			break;
	}
	/* Without chains, as before them: end the record after the transfer. */
	if (!err && s->route.local && !ZCOPY_UBUF_CAN_LINK && a->nr_segs &&
	    ks[a->nr_segs - 1].zc)
		zcopy_sock_end_skb(s->sock);
	op->next = i;
	a->bytes_sent = 0;
	for (i = 0; i < a->nr_segs; i++)
		a->bytes_sent += res[i].sent;
	a->stop_seg = op->next;
	a->stop_offset = op->next < a->nr_segs ? res[op->next].sent : 0;
	a->stop_reason = zcopy_stop_reason(err);
	a->stop_errno = a->stop_reason == ZCOPY_STOP_ERROR ? -err : 0;
	return err;
}

/* Why the socket took none of the data (the segments were all good). */
static void zcopy_send_refused_msg(struct netlink_ext_ack *extack, int err)
{
	switch (zcopy_user_errno(err)) {
	case -EAGAIN:
		NL_SET_ERR_MSG(extack, "the socket would block before the first byte");
		break;
	case -EPIPE:
	case -ECONNRESET:
		NL_SET_ERR_MSG(extack, "the connection is closed");
		break;
	case -EINTR:
		NL_SET_ERR_MSG(extack, "interrupted by a signal before the first byte");
		break;
	default:
		NL_SET_ERR_MSG(extack, "the socket refused the first byte");
	}
}

/* What the completion will say, as far as the send itself knows. */
static void zcopy_fill_record(struct zcopy_xfer *x, const struct zcopy_send *a,
			      const struct zcopy_kseg *ks,
			      const struct zcopy_seg_result *res, int err)
{
	struct zcopy_completion *rec = &x->rec;
	unsigned int i;

	rec->cookie = a->cookie;
	rec->bytes = a->bytes_sent;
	for (i = 0; i < a->nr_segs; i++) {
		rec->copied_bytes += res[i].copied;
		if (ks[i].pool)
			rec->pool_bytes += res[i].sent;
		/* What went with the notification is settled at completion. */
		if (!ks[i].zc)
			rec->zc_bytes += res[i].sent - res[i].copied;
		else if (ks[i].file)
			x->file_pending += res[i].sent - res[i].copied;
		if (res[i].copied && !rec->reason)
			rec->reason = res[i].reason;
		if (res[i].copied && ks[i].pool)
			rec->flags |= ZCOPY_COMPL_POOL_COPIED;
	}
	/* The completion is queued once the last skb lets go of the pages. */
	if (a->flags & ZCOPY_SEND_FILE_NOTIFY)
		rec->flags |= ZCOPY_COMPL_FILE_RELEASED;
	if (rec->copied_bytes)
		rec->flags |= ZCOPY_COMPL_COPIED;
	if (a->stop_reason != ZCOPY_STOP_NONE)
		rec->flags |= ZCOPY_COMPL_SHORT;
	if (a->stop_reason == ZCOPY_STOP_ERROR ||
	    a->stop_reason == ZCOPY_STOP_SIGNAL ||
	    a->stop_reason == ZCOPY_STOP_AGAIN ||
	    a->stop_reason == ZCOPY_STOP_CANCELLED)
		rec->error = zcopy_user_errno(err);
}

/* A send refused or failed before anything went out: tell the world. */
static void zcopy_send_failed(struct zcopy_ctx *ctx, struct pid *pid,
			      u64 cookie, u32 id, int err)
{
	struct zcopy_xfer_info info = {
		.net = ctx->net,
		.pid = pid,
		.pid_ns = ctx->pid_ns,
		.cookie = cookie,
		.id = id,
		.error = zcopy_user_errno(err),
	};

	zcopy_stat_add(ZCOPY_STAT_FAILED_SENDS, 1);
	zcopy_notify_send_failed(&info);
}

static void zcopy_sendop_free(struct zcopy_sendop *op)
{
	unsigned int i;

	/* Once the transfer exists, it holds the pools; only files are ours. */
	for (i = 0; op->s.x && i < op->a.nr_segs; i++)
		op->ks[i].pool = NULL;
	zcopy_ksegs_put(op->ks, op->a.nr_segs);
	if (op->s.sock)
		sockfd_put(op->s.sock);
	put_pid(op->pid);
	kvfree(op);
}

/*
 * The bvec entries a send needs for its pool and page-cache pages: those
 * its segments span, up to one batch. Every allocation is zeroed on kernels
 * with init_on_alloc (Debian's), so a 1-page send that allocated the whole
 * batch paid for clearing 1 KiB. @seg is not validated yet: lengths that
 * large or offsets that far only saturate.
 */
static unsigned int zcopy_bvec_need(unsigned int need,
				    const struct zcopy_seg *seg)
{
	u64 span;

	if (seg->len >= (u64)ZCOPY_BVEC_BATCH << PAGE_SHIFT)
		return ZCOPY_BVEC_BATCH;
	span = offset_in_page(seg->offset) + seg->len;
	need += max_t(u64, 1, DIV_ROUND_UP(span, PAGE_SIZE));
	return min_t(unsigned int, need, ZCOPY_BVEC_BATCH);
}

/**
 * zcopy_send_prepare - validate and resolve a send; nothing is sent yet
 * @ctx: the sender's context: pools, completion queue; it must outlive
 *	the send
 * @a: the request (copied)
 * @segs: @a->nr_segs segments, already in kernel memory
 * @flags: ZCOPY_PREPARE_*
 * @extack: says why a send is refused (NULL from the ioctl)
 * @bad_seg: if not NULL, the index of the segment a refusal is about, or
 *	@a->nr_segs when it is about none
 *
 * Takes a reference to the socket, every file and pool, and allocates the
 * transfer (charged to @ctx's outstanding limit), in the caller's process:
 * descriptors resolve in its file table.
 *
 * Return: the send, or an ERR_PTR() (a SEND_FAILED event went out).
 */
struct zcopy_sendop *zcopy_send_prepare(struct zcopy_ctx *ctx,
					const struct zcopy_send *a,
					const struct zcopy_seg *segs,
					unsigned int flags,
					struct netlink_ext_ack *extack,
					unsigned int *bad_seg)
{
	unsigned int i, nr_segs = a->nr_segs, nr_pools = 0, nr_drops = 0;
	unsigned int nr_watches = 0, nr_bvec = 0;
	struct zcopy_sendop *op;
	struct zcopy_sender *s;
	u64 total = 0;
	int ret;

	if (bad_seg)
		*bad_seg = nr_segs;
	/* One allocation: the send, its segments and results, the bvec. */
	for (i = 0; i < nr_segs; i++) {
		nr_bvec = zcopy_bvec_need(nr_bvec, &segs[i]);
		nr_pools += segs[i].type == ZCOPY_SEG_POOL;
		nr_drops += !!(segs[i].flags & ZCOPY_SEG_DROP_BEHIND);
		/* Files of a file-notify send are watched for changes. */
		nr_watches += segs[i].type == ZCOPY_SEG_FILE &&
			      (a->flags & ZCOPY_SEND_FILE_NOTIFY);
	}
	op = kvzalloc(sizeof(*op) + nr_segs * (sizeof(*op->ks) +
					       sizeof(*op->res)) +
		      nr_bvec * sizeof(*s->bvec),
		      GFP_KERNEL);
	if (!op) {
		ret = -ENOMEM;
		goto out;
	}
	s = &op->s;
	op->ctx = ctx;
	op->a = *a;
	op->pid = get_pid(task_tgid(current));
	op->ks = (struct zcopy_kseg *)(op + 1);
	op->res = (struct zcopy_seg_result *)(op->ks + nr_segs);
	s->bvec = (struct bio_vec *)(op->res + nr_segs);
	s->nr_bvec = nr_bvec;

	s->sock = sockfd_lookup(a->sockfd, &ret);
	if (!s->sock) {
		if (ret == -ENOTSOCK)
			NL_SET_ERR_MSG(extack, "sockfd is not a socket");
		else
			NL_SET_ERR_MSG(extack, "sockfd is not an open file descriptor");
		goto out_op;
	}
	ret = zcopy_check_sock(s->sock, extack);
	if (ret)
		goto out_op;

	for (i = 0; i < nr_segs; i++) {
		ret = zcopy_resolve_seg(ctx, &segs[i], a->flags, &op->ks[i],
					extack);
		if (ret) {
			if (bad_seg)
				*bad_seg = i;
			goto out_op;
		}
		if (check_add_overflow(total, op->ks[i].len, &total))
			total = U64_MAX;
	}
	ret = -E2BIG;
	if (total > ZCOPY_MAX_SEND_BYTES) {
		NL_SET_ERR_MSG(extack,
			       "the segments add up to more than max_send_bytes");
		goto out_op;
	}

	s->x = zcopy_xfer_alloc(ctx, nr_pools, nr_drops, nr_watches);
	if (IS_ERR(s->x)) {
		ret = PTR_ERR(s->x);
		s->x = NULL;
		if (ret == -ENOBUFS)
			NL_SET_ERR_MSG(extack,
				       "max_outstanding transfers not yet read on this file");
		goto out_op;
	}
	/* The transfer keeps the pools until its completion. */
	for (i = 0; i < nr_segs; i++) {
		if (op->ks[i].pool)
			zcopy_xfer_add_pool(s->x, op->ks[i].pool);
	}

	zcopy_route_get(s->sock, &s->route);
	s->file_notify = a->flags & ZCOPY_SEND_FILE_NOTIFY;
	s->nowait_io = a->flags & ZCOPY_SEND_NOWAIT_IO;
	for (i = 0; i < nr_segs; i++) {
		if (op->ks[i].pool)
			op->ks[i].zc = zcopy_route_pool_seg_zc(&s->route,
							       op->ks[i].len);
		else
			op->ks[i].zc = s->file_notify && !s->route.tls;
	}
	s->msg_flags = MSG_NOSIGNAL;
	if ((flags & ZCOPY_PREPARE_NONBLOCK) ||
	    (a->flags & ZCOPY_SEND_DONTWAIT) ||
	    (s->sock->file->f_flags & O_NONBLOCK))
		s->msg_flags |= MSG_DONTWAIT;
	s->x->copy_reason = zcopy_route_pool_reason(&s->route, true);
	return op;

out_op:
	if (op)
		zcopy_sendop_free(op);
out:
	zcopy_send_failed(ctx, task_tgid(current), a->cookie, 0, ret);
	return ERR_PTR(ret);
}

/**
 * zcopy_send_run - send what is left of a prepared send
 * @op: the send
 *
 * A send whose socket was full (-EAGAIN) may be run again once it has
 * room: each segment goes on from where it stopped. @op->a's out fields
 * say how far the send got.
 *
 * Return: 0 once everything went out, else why it stopped.
 */
int zcopy_send_run(struct zcopy_sendop *op)
{
	unsigned int i;

	/*
	 * Before the first byte: readahead for every willneed extent, and
	 * the snapshot of every file a file-notify send will watch.
	 */
	if (!op->started) {
		op->started = true;
		for (i = 0; i < op->a.nr_segs; i++) {
			if (op->ks[i].hints & ZCOPY_SEG_WILLNEED)
				vfs_fadvise(op->ks[i].file, op->ks[i].offset,
					    op->ks[i].len, POSIX_FADV_WILLNEED);
			if (op->ks[i].file && op->s.file_notify)
				zcopy_xfer_watch(op->s.x, op->ks[i].file);
		}
	}
	return zcopy_send_segs(op);
}

/**
 * zcopy_send_cancel - ask a send run by the kernel to stop
 * @op: the send
 *
 * zcopy_send_run() stops at the next batch it would hand to the socket,
 * with ZCOPY_STOP_CANCELLED. Any context; @op must be alive.
 */
void zcopy_send_cancel(struct zcopy_sendop *op)
{
	WRITE_ONCE(op->s.cancel, true);
}

/**
 * zcopy_send_set_job - make a prepared send a kernel-run transfer
 * @op: the send
 * @id: the transfer's id, for its events
 * @done: called with @arg once the transfer has completed (or, when
 *	nothing was sent, once zcopy_send_finish() has dropped it)
 * @arg: its argument
 */
void zcopy_send_set_job(struct zcopy_sendop *op, u32 id,
			void (*done)(void *arg), void *arg)
{
	op->s.x->id = id;
	op->s.x->done = done;
	op->s.x->done_arg = arg;
}

/* The socket of a prepared send, for its caller to wait on. */
struct socket *zcopy_send_sock(const struct zcopy_sendop *op)
{
	return op->s.sock;
}

/* The bytes the send's segments ask for. */
u64 zcopy_send_total(const struct zcopy_sendop *op)
{
	unsigned int i;
	u64 total = 0;

	for (i = 0; i < op->a.nr_segs; i++)
		total += op->ks[i].len;
	return total;
}

/* Whether the send's socket encrypts with kernel TLS. */
bool zcopy_send_tls(const struct zcopy_sendop *op)
{
	return op->s.route.tls;
}

/* How far the send got: its request with the out fields filled in. */
const struct zcopy_send *zcopy_send_state(const struct zcopy_sendop *op)
{
	return &op->a;
}

/**
 * zcopy_send_finish - end a send, hand its transfer to the stack
 * @op: the send (freed)
 * @err: what the last zcopy_send_run() returned
 * @a: if not NULL, gets the request's out fields
 * @ures: where the per-segment results go (checked writable), or NULL
 * @extack: says why a send is refused (NULL from the ioctl)
 *
 * Return: 0 if anything was sent or a file ended (a completion follows),
 * else a negative errno (no completion; a SEND_FAILED event went out).
 */
int zcopy_send_finish(struct zcopy_sendop *op, int err, struct zcopy_send *a,
		      void __user *ures, struct netlink_ext_ack *extack)
{
	const struct zcopy_send *sa = &op->a;
	struct zcopy_xfer *x = op->s.x;
	unsigned int i;
	u64 pool_bytes;
	u32 id = x->id;
	bool ok;

	/*
	 * What was sent of drop-behind extents is evicted at completion;
	 * the files sent from are checked for changes then, or now for
	 * bytes copied at send time.
	 */
	for (i = 0; i < sa->nr_segs; i++) {
		const struct zcopy_kseg *k = &op->ks[i];
		const struct zcopy_seg_result *r = &op->res[i];

		if ((k->hints & ZCOPY_SEG_DROP_BEHIND) && r->sent)
			zcopy_xfer_add_drop(x, k->file, k->offset, r->sent);
		/* Pages that went by reference, even to be copied late. */
		if (k->file && r->sent && op->s.file_notify)
			zcopy_xfer_watch_sent(x, k->file, i, k->zc);
	}
	/* Bytes queued with MSG_MORE by a send that stopped must go out. */
	if (err && sa->bytes_sent && !(sa->flags & ZCOPY_SEND_MORE))
		zcopy_sock_push(op->s.sock);

	ok = sa->bytes_sent || !err || err == ZCOPY_ERR_EOF ||
	     err == ZCOPY_ERR_NOT_CACHED;
	if (!ok)
		zcopy_send_refused_msg(extack, err);
	zcopy_fill_record(x, sa, op->ks, op->res, err);
	x->stop.bytes_sent = sa->bytes_sent;
	x->stop.seg = sa->stop_seg;
	x->stop.reason = sa->stop_reason;
	x->stop.offset = sa->stop_offset;
	x->stop.err = sa->stop_errno;
	pool_bytes = x->rec.pool_bytes;
	/* From here on the transfer may complete and be freed at any time. */
	zcopy_xfer_done_sending(x, ok);

	if (ok)
		zcopy_stat_add(ZCOPY_STAT_TRANSFERS, 1);
	zcopy_stat_add(ZCOPY_STAT_BYTES_POOL, pool_bytes);
	zcopy_stat_add(ZCOPY_STAT_BYTES_FILE, sa->bytes_sent - pool_bytes);
	if (ok && ures) {
		/* Checked writable above; the data is gone either way. */
		if (copy_to_user(ures, op->res, sa->nr_segs * sizeof(*op->res)))
			pr_debug("send: results no longer writable\n");
	}
	if (a) {
		a->bytes_sent = sa->bytes_sent;
		a->stop_seg = sa->stop_seg;
		a->stop_reason = sa->stop_reason;
		a->stop_offset = sa->stop_offset;
		a->stop_errno = sa->stop_errno;
	}
	if (!ok)
		zcopy_send_failed(op->ctx, op->pid, sa->cookie, id, err);
	zcopy_sendop_free(op);
	return ok ? 0 : err;
}

/**
 * zcopy_send - send segments, for ZCOPY_IOC_SEND
 * @ctx: the sender's context: pools, completion queue
 * @a: the request; its out fields are filled in on success
 * @segs: @a->nr_segs segments, already in kernel memory
 * @ures: where the per-segment results go (checked writable), or NULL
 *
 * Return: 0 if anything was sent or a file ended (a completion follows),
 * else a negative errno (no completion). A signal before the first byte
 * may return a restart code, for the ioctl's syscall to restart.
 */
int zcopy_send(struct zcopy_ctx *ctx, struct zcopy_send *a,
	       const struct zcopy_seg *segs, void __user *ures)
{
	struct zcopy_sendop *op;

	op = zcopy_send_prepare(ctx, a, segs, 0, NULL, NULL);
	if (IS_ERR(op))
		return PTR_ERR(op);
	return zcopy_send_finish(op, zcopy_send_run(op), a, ures, NULL);
}

/*
 * What a pool range of @len bytes gets: the reason its segment result
 * gives (@seg) and the one its completion gives (@compl), decided as
 * zcopy_send() decides them.
 */
static void zcopy_probe_pool(const struct zcopy_route *r, u64 len, u32 *seg,
			     u32 *compl)
{
	bool zc = zcopy_route_pool_seg_zc(r, len);

	*seg = zcopy_route_pool_seg_reason(r, zc);
	*compl = zc ? zcopy_route_pool_reason(r, false) : *seg;
}

/**
 * zcopy_probe - ZCOPY_IOC_PROBE and ZCOPY_CMD_ROUTE_PROBE: what a send on
 *	a socket would copy now
 * @p: the request; its out fields are filled in on success
 * @extack: says why a socket is refused (NULL from the ioctl)
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOTSOCK, -EOPNOTSUPP, -ENOTCONN, as
 * ZCOPY_IOC_SEND refuses the same socket.
 */
int zcopy_probe(struct zcopy_probe *p, struct netlink_ext_ack *extack)
{
	struct zcopy_route r;
	struct socket *sock;
	u32 unused;
	int ret;

	if (p->flags || p->__reserved)
		return -EINVAL;
	sock = sockfd_lookup(p->sockfd, &ret);
	if (!sock) {
		if (ret == -ENOTSOCK)
			NL_SET_ERR_MSG(extack, "sockfd is not a socket");
		else
			NL_SET_ERR_MSG(extack, "sockfd is not an open file descriptor");
		return ret;
	}
	ret = zcopy_check_sock(sock, extack);
	if (ret)
		goto out;

	zcopy_route_get(sock, &r);
	zcopy_probe_pool(&r, r.threshold, &p->pool_seg_reason,
			 &p->pool_reason);
	/* With copy_threshold 0 or 1 no segment is short. */
	zcopy_probe_pool(&r, r.threshold > 1 ? r.threshold - 1 : r.threshold,
			 &p->small_reason, &unused);
	p->file_reason = zcopy_route_file_reason(&r, true);
	p->copy_threshold = r.threshold;
	p->route_flags = r.flags;
	p->ifindex = r.ifindex;
	p->mtu = r.mtu;
	p->gso_max_size = r.gso_max_size;
	p->mss = READ_ONCE(tcp_sk(sock->sk)->mss_cache);
	memcpy(p->ifname, r.ifname, sizeof(p->ifname));
out:
	sockfd_put(sock);
	return ret;
}

/* Check what ZCOPY_IOC_SEND and ZCOPY_CMD_XFER_START share. */
int zcopy_send_check(const struct zcopy_send *a)
{
	if ((a->flags & ~ZCOPY_SEND_ALL) || a->__reserved || !a->nr_segs)
		return -EINVAL;
	if (a->nr_segs > ZCOPY_MAX_SEGMENTS)
		return -E2BIG;
	return 0;
}

/* ZCOPY_IOC_SEND: the segments are copied in once, here. */
int zcopy_send_user(struct zcopy_ctx *ctx, struct zcopy_send *a)
{
	void __user *ures = u64_to_user_ptr(a->results);
	struct zcopy_seg onstack[ZCOPY_SEGS_ON_STACK], *segs = onstack;
	int ret;

	ret = zcopy_send_check(a);
	if (ret)
		return ret;

	if (a->nr_segs > ARRAY_SIZE(onstack)) {
		segs = kvmalloc_array(a->nr_segs, sizeof(*segs), GFP_KERNEL);
		if (!segs)
			return -ENOMEM;
	}
	ret = -EFAULT;
	if (copy_from_user(segs, u64_to_user_ptr(a->segs),
			   a->nr_segs * sizeof(*segs)))
		goto out;
	if (ures && clear_user(ures, a->nr_segs *
			       sizeof(struct zcopy_seg_result)))
		goto out;

	ret = zcopy_send(ctx, a, segs, ures);
out:
	if (segs != onstack)
		kvfree(segs);
	return ret;
}
