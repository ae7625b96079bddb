/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels zcopy supports (Debian's 6.1 and 6.12),
 * behind helpers. The feature macros come from Kbuild, by kernel release,
 * never from #ifdef of a kernel flag: 6.1 defines MSG_SPLICE_PAGES in its
 * headers but TCP ignores it.
 *
 *   ZCOPY_HAVE_SPLICE_PAGES (6.5)     TCP takes page references with
 *	MSG_SPLICE_PAGES; ->sendpage is gone; proto_ops has ->splice_eof
 *   ZCOPY_HAVE_UBUF_INFO_OPS (6.10)   struct ubuf_info's callback moved
 *	into struct ubuf_info_ops
 */
#ifndef _ZCOPY_COMPAT_H
#define _ZCOPY_COMPAT_H

#include <linux/bvec.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

/*
 * Zero-copy notification: a ubuf_info whose completion the stack calls
 * once per reference it drops.
 */
#ifdef ZCOPY_HAVE_UBUF_INFO_OPS
#define ZCOPY_DEFINE_UBUF_OPS(name, fn)					\
	static const struct ubuf_info_ops name = { .complete = fn }

static inline void zcopy_ubuf_init(struct ubuf_info *uarg,
				   const struct ubuf_info_ops *ops)
{
	uarg->ops = ops;
	uarg->flags = SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN;
	refcount_set(&uarg->refcnt, 1);
}
#else
struct zcopy_ubuf_ops {
	void (*complete)(struct sk_buff *skb, struct ubuf_info *uarg,
			 bool zerocopy_success);
};

#define ZCOPY_DEFINE_UBUF_OPS(name, fn)					\
	static const struct zcopy_ubuf_ops name = { .complete = fn }

static inline void zcopy_ubuf_init(struct ubuf_info *uarg,
				   const struct zcopy_ubuf_ops *ops)
{
	uarg->callback = ops->complete;
	uarg->flags = SKBFL_ZEROCOPY_FRAG | SKBFL_DONT_ORPHAN;
	refcount_set(&uarg->refcnt, 1);
}
#endif

/**
 * zcopy_sock_send_page - send part of a page by reference
 * @sock: the socket
 * @page: the page; the caller keeps its reference until this returns
 * @offset: offset in @page
 * @len: bytes
 * @flags: MSG_* flags; MSG_MORE when more data follows
 * @batch_more: another page follows at once, in this same run of pages
 *
 * The stack takes its own page reference where it can (scatter-gather
 * route) and copies otherwise. Pages that may not be referenced (slab,
 * refcount 0) are copied here rather than handed to the stack.
 *
 * Whatever @flags say, what TCP can transmit is pushed once @batch_more is
 * false, as sendmsg() does: full segments leave, MSG_MORE only holds back
 * a partial one. On 6.1 that takes leaving MSG_SENDPAGE_NOTLAST off the
 * run's last page, as pipe_to_sendpage() does: otherwise the queued
 * segments wait for the next send to push them, and a next send that has
 * to wait for socket memory before it queues a byte never does - the
 * memory it waits for is held by the segments it does not push.
 *
 * Return: bytes sent, or a negative errno.
 */
static inline int zcopy_sock_send_page(struct socket *sock, struct page *page,
				       unsigned int offset, size_t len,
				       int flags, bool batch_more)
{
#ifdef ZCOPY_HAVE_SPLICE_PAGES
	struct msghdr msg = { .msg_flags = flags };
	struct bio_vec bv;

	if (sendpage_ok(page))
		msg.msg_flags |= MSG_SPLICE_PAGES;
	bvec_set_page(&bv, page, len, offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bv, 1, len);
	return sock_sendmsg(sock, &msg);
#else
	/* kernel_sendpage() itself copies pages that fail sendpage_ok(). */
	if ((flags & MSG_MORE) && batch_more)
		flags |= MSG_SENDPAGE_NOTLAST;
	return kernel_sendpage(sock, page, offset, len, flags);
#endif
}

/**
 * zcopy_sock_push - transmit what an interrupted corked send left queued
 * @sock: the socket
 *
 * A send that stopped early may have queued its last bytes with MSG_MORE;
 * nothing else would push them out. Respects a TCP_CORK set by the user.
 */
static inline void zcopy_sock_push(struct socket *sock)
{
#ifdef ZCOPY_HAVE_SPLICE_PAGES
	if (sock->ops->splice_eof)
		sock->ops->splice_eof(sock);
#else
	struct sock *sk = sock->sk;
	bool corked;

	lock_sock(sk);
	corked = tcp_sk(sk)->nonagle & TCP_NAGLE_CORK;
	release_sock(sk);
	if (!corked)
		tcp_sock_set_cork(sk, false);
#endif
}

#endif /* _ZCOPY_COMPAT_H */
