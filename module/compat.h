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
 * zcopy_sock_send_pages - send a run of page ranges by reference
 * @sock: the socket
 * @bv: the ranges; the caller keeps its page references until this returns
 * @n: entries in @bv
 * @len: their total length
 * @flags: MSG_* flags; MSG_MORE when more data follows the run
 * @by_ref: every page may be referenced (sendpage_ok()); else the run is
 *	copied. The caller does not mix the two in one run.
 *
 * The stack takes its own page references where it can (scatter-gather
 * route) and copies otherwise. 6.12 hands the whole run to TCP in one
 * sendmsg(MSG_SPLICE_PAGES), as splice_to_socket() does, so skbs fill up
 * to the size goal. 6.1 can only send a page at a time; on a plain TCP
 * socket it does so under one socket lock for the run.
 *
 * Whatever @flags say, what TCP can transmit is pushed at the end of the
 * run, as sendmsg() does: full segments leave, MSG_MORE only holds back a
 * partial one. On 6.1 that takes MSG_SENDPAGE_NOTLAST on every page but
 * the run's last, as pipe_to_sendpage() does: otherwise the queued
 * segments wait for the next send to push them, and a next send that has
 * to wait for socket memory before it queues a byte never does - the
 * memory it waits for is held by the segments it does not push.
 *
 * Return: bytes sent (fewer than @len if the send stopped short), or a
 * negative errno if nothing was.
 */
static inline int zcopy_sock_send_pages(struct socket *sock,
					struct bio_vec *bv, unsigned int n,
					size_t len, int flags, bool by_ref)
{
#ifdef ZCOPY_HAVE_SPLICE_PAGES
	struct msghdr msg = { .msg_flags = flags };

	if (by_ref)
		msg.msg_flags |= MSG_SPLICE_PAGES;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bv, n, len);
	return sock_sendmsg(sock, &msg);
#else
	struct sock *sk = sock->sk;
	/* Plain TCP (not kTLS, not sockmap): its own ->sendpage. */
	bool locked = by_ref && READ_ONCE(sk->sk_prot)->sendpage == tcp_sendpage;
	unsigned int i;
	int sent = 0;

	/*
	 * One socket lock for the run rather than one per page, which is
	 * what tcp_sendpage() would take.
	 */
	if (locked) {
		sock_rps_record_flow(sk);
		lock_sock(sk);
	}
	for (i = 0; i < n; i++) {
		struct page *page = bv[i].bv_page;
		unsigned int off = bv[i].bv_offset, l = bv[i].bv_len;
		int f = flags, ret;

		if (i + 1 < n)
			f |= MSG_MORE | MSG_SENDPAGE_NOTLAST;
		if (locked)
			ret = tcp_sendpage_locked(sk, page, off, l, f);
		else if (by_ref)
			ret = kernel_sendpage(sock, page, off, l, f);
		else
			ret = sock_no_sendpage(sock, page, off, l, f);
		if (ret <= 0) {
			sent = sent ?: ret;
			break;
		}
		sent += ret;
		if (ret < l)
			break;
	}
	if (locked)
		release_sock(sk);
	return sent;
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
