// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench --curve: the whole guest's cost per request (every CPU's
 * busy time around a pass, bench_cost.c) against one variable:
 *
 *   segs   segments per call: one request is one call carrying N pieces
 *          of --curve-unit bytes (default 4 KiB), 8 KiB apart, as N pool
 *          ranges or file extents of one ZCOPY_IOC_SEND, or N iovecs of
 *          one sendmsg() (with and without MSG_ZEROCOPY)
 *   size   body size: one request is one body of N bytes from memory or
 *          the file, bodies cycled through the payload
 *   conns  concurrent connections: N TCP connections, each sending the
 *          same requests of --curve-unit bytes (default 16 KiB) from one
 *          thread over non-blocking sockets and epoll
 *
 * The receiver (a child, in --receiver-netns) accepts every connection
 * before the pass starts, reads each to EOF, checks each connection's
 * length and, in one more pass per point, every byte against the payload.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_curve.h"

#define CV_MAX_PIECES	1024		/* UIO_MAXIOV, zcopy's max_segments */
#define CV_MAX_CONNS	1024
#define CV_REAP_EVERY	16
#define CV_RX_BUF	(256 * 1024)

enum { CV_SEGS, CV_SIZE, CV_CONNS };
enum { CT_ZC_POOL, CT_ZC_FILE, CT_MSGZC, CT_SENDMSG, CT_SENDFILE, CT_N };

static const char *const cv_tech_name[CT_N] = {
	"zcopy-pool", "zcopy-file", "MSG_ZEROCOPY", "sendmsg", "sendfile",
};

/* Which techniques each curve can run (and runs by default). */
static const bool cv_tech_ok[3][CT_N] = {
	[CV_SEGS] = { true, true, true, true, false },
	[CV_SIZE] = { true, true, true, true, true },
	[CV_CONNS] = { true, false, true, true, false },
};

/* What one pass sends: per connection @reqs requests of @npieces pieces. */
struct cv_plan {
	int kind;
	uint64_t x;			/* the point */
	unsigned int nconn, npieces;
	uint64_t reqs;			/* per connection */
	uint64_t plen, stride, nslots;
	uint64_t chunk;			/* MSG_ZEROCOPY: bytes per call, 0: all */
};

/* Where piece @j of request @req of connection @conn starts. */
static uint64_t cv_off(const struct cv_plan *p, unsigned int conn,
		       uint64_t req, unsigned int j)
{
	uint64_t k = ((uint64_t)conn * p->reqs + req) * p->npieces + j;

	return (k % p->nslots) * p->stride;
}

struct cv_pos {
	uint64_t req;
	unsigned int j;
	uint64_t in;			/* bytes of piece j done */
};

static void cv_advance(const struct cv_plan *p, struct cv_pos *s, uint64_t n)
{
	while (n) {
		uint64_t rem = p->plen - s->in;

		if (n < rem) {
			s->in += n;
			return;
		}
		n -= rem;
		s->in = 0;
		if (++s->j == p->npieces) {
			s->j = 0;
			s->req++;
		}
	}
}

static uint64_t cv_conn_bytes(const struct cv_plan *p)
{
	return p->reqs * p->npieces * p->plen;
}

/* ---- the receiver ---- */

struct cv_rx_result {
	int ok;
	uint64_t bytes;
	char err[160];
};

struct cv_rx_conn {
	int fd, idx;
	uint64_t bytes;
	struct cv_pos pos;
};

/*
 * Against the file: the payload's memory is not in the receiver (the
 * sender's pinned pool would be copied at every fork).
 */
static int cv_rx_check(struct zb_env *e, const struct cv_plan *p,
		       struct cv_rx_conn *c, const uint8_t *b, size_t n,
		       uint8_t *want)
{
	while (n) {
		uint64_t off, m;

		if (c->pos.req >= p->reqs)
			return -1;
		off = cv_off(p, (unsigned int)c->idx, c->pos.req, c->pos.j) +
		      c->pos.in;
		m = p->plen - c->pos.in;
		if (m > n)
			m = n;
		if (pread(e->file_fd, want, m, (off_t)off) != (ssize_t)m ||
		    memcmp(b, want, m))
			return -1;
		cv_advance(p, &c->pos, m);
		b += m;
		n -= m;
	}
	return 0;
}

/* Read @c until it would block (@nb) or ends: 1 EOF, 0 more, -1 error. */
static int cv_rx_read(struct zb_env *e, const struct cv_plan *p,
		      struct cv_rx_conn *c, uint8_t *buf, bool verify, bool nb,
		      struct cv_rx_result *res)
{
	uint8_t *want = buf + CV_RX_BUF;

	for (;;) {
		ssize_t n = read(c->fd, buf, CV_RX_BUF);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && nb && errno == EAGAIN)
			return 0;
		if (n < 0) {
			snprintf(res->err, sizeof(res->err),
				 "receiver: read: %s", strerror(errno));
			return -1;
		}
		if (!n) {
			if (c->bytes != cv_conn_bytes(p)) {
				snprintf(res->err, sizeof(res->err),
					 "receiver: connection %d: %" PRIu64 " bytes, expected %" PRIu64,
					 c->idx, c->bytes, cv_conn_bytes(p));
				return -1;
			}
			return 1;
		}
		if (verify && cv_rx_check(e, p, c, buf, (size_t)n, want)) {
			snprintf(res->err, sizeof(res->err),
				 "receiver: connection %d: wrong bytes after %" PRIu64,
				 c->idx, c->bytes);
			return -1;
		}
		c->bytes += n;
		res->bytes += n;
	}
}

static int cv_rx_run(struct zb_env *e, const struct cv_plan *p, int lfd,
		     int in, int out, bool verify, struct cv_rx_result *res)
{
	struct cv_rx_conn *c = calloc(p->nconn, sizeof(*c));
	uint8_t *buf = malloc(2 * CV_RX_BUF);
	uint16_t *ports = calloc(p->nconn, sizeof(*ports));
	unsigned int i, k, left = p->nconn;
	bool nb = p->kind == CV_CONNS;
	int ep = -1, ret = -1;
	char ready = 'R';

	if (!c || !buf || !ports) {
		snprintf(res->err, sizeof(res->err), "receiver: out of memory");
		goto out;
	}
	for (i = 0; i < p->nconn; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		c[i].fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
				  SOCK_CLOEXEC | (nb ? SOCK_NONBLOCK : 0));
		if (c[i].fd < 0) {
			snprintf(res->err, sizeof(res->err),
				 "receiver: accept: %s", strerror(errno));
			goto out;
		}
		c[i].idx = -1;
		c[i].bytes = 0;
		memset(&c[i].pos, 0, sizeof(c[i].pos));
		c[i].pos.req = 0;
		/* The peer's port says which connection this is. */
		ports[i] = ntohs(ss.ss_family == AF_INET6 ?
				 ((struct sockaddr_in6 *)&ss)->sin6_port :
				 ((struct sockaddr_in *)&ss)->sin_port);
	}
	for (k = 0; k < p->nconn; k++) {
		uint16_t port;

		if (read(in, &port, sizeof(port)) != sizeof(port)) {
			snprintf(res->err, sizeof(res->err),
				 "receiver: the sender's ports did not come");
			goto out;
		}
		for (i = 0; i < p->nconn; i++)
			if (ports[i] == port && c[i].idx < 0)
				c[i].idx = (int)k;
	}
	for (i = 0; i < p->nconn; i++)
		if (c[i].idx < 0) {
			snprintf(res->err, sizeof(res->err),
				 "receiver: a connection from an unknown port %u",
				 ports[i]);
			goto out;
		}
	if (write(out, &ready, 1) != 1)
		goto out;
	if (!nb) {
		for (i = 0; i < p->nconn; i++)
			if (cv_rx_read(e, p, &c[i], buf, verify, false, res) < 0)
				goto out;
		ret = 0;
		goto out;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		goto out;
	for (i = 0; i < p->nconn; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c[i] };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev))
			goto out;
	}
	while (left) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, -1), j;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		for (j = 0; j < n; j++) {
			struct cv_rx_conn *rc = evs[j].data.ptr;
			int r = cv_rx_read(e, p, rc, buf, verify, true, res);

			if (r < 0)
				goto out;
			if (r) {
				epoll_ctl(ep, EPOLL_CTL_DEL, rc->fd, NULL);
				left--;
			}
		}
	}
	ret = 0;
out:
	if (ret && !res->err[0])
		snprintf(res->err, sizeof(res->err), "receiver: %s",
			 strerror(errno));
	free(c);
	free(buf);
	free(ports);
	if (ep >= 0)
		close(ep);
	return ret;
}

struct cv_recv {
	pid_t pid;
	int to_rx, from_rx;
};

static int cv_listen(struct zb_env *e, int *port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = e->family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);
	int fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ss.ss_family = (sa_family_t)e->family;
	if (e->family == AF_INET6)
		inet_pton(AF_INET6, e->addr,
			  &((struct sockaddr_in6 *)&ss)->sin6_addr);
	else
		inet_pton(AF_INET, e->addr,
			  &((struct sockaddr_in *)&ss)->sin_addr);
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, CV_MAX_CONNS) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		close(fd);
		return -1;
	}
	*port = ntohs(e->family == AF_INET6 ?
		      ((struct sockaddr_in6 *)&ss)->sin6_port :
		      ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int cv_recv_start(struct zb_env *e, const struct cv_plan *p,
			 bool verify, struct cv_recv *r, int *port)
{
	int a[2], b[2];

	if (pipe2(a, O_CLOEXEC))
		return -1;
	if (pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -1;
	}
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (!r->pid) {
		struct cv_rx_result res = { 0 };
		int lfd = -1, pt = 0;

		close(a[1]);
		close(b[0]);
		if (e->rcv_netns >= 0 && setns(e->rcv_netns, CLONE_NEWNET))
			snprintf(res.err, sizeof(res.err), "receiver: setns: %s",
				 strerror(errno));
		else if ((lfd = cv_listen(e, &pt)) < 0)
			snprintf(res.err, sizeof(res.err), "receiver: listen on %s: %s",
				 e->addr, strerror(errno));
		if (write(b[1], &pt, sizeof(pt)) != sizeof(pt))
			_exit(1);
		if (lfd >= 0 && !cv_rx_run(e, p, lfd, a[0], b[1], verify, &res))
			res.ok = 1;
		if (write(b[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	r->to_rx = a[1];
	r->from_rx = b[0];
	if (read(r->from_rx, port, sizeof(*port)) != sizeof(*port))
		*port = 0;
	return 0;
}

static void cv_recv_finish(struct cv_recv *r, struct cv_rx_result *res)
{
	memset(res, 0, sizeof(*res));
	if (read(r->from_rx, res, sizeof(*res)) != sizeof(*res) && !res->err[0])
		snprintf(res->err, sizeof(res->err), "the receiver died");
	close(r->to_rx);
	close(r->from_rx);
	waitpid(r->pid, NULL, 0);
}

/* ---- the sender ---- */

struct cv_conn {
	int fd;
	unsigned int idx;
	struct cv_pos pos;
	uint64_t zc_issued, zc_done;	/* MSG_ZEROCOPY notifications */
	bool done;
};

struct cv_tx {
	struct zb_env *e;
	const struct cv_plan *p;
	int tech;
	struct cv_conn *c;
	uint64_t calls, outstanding, cookie;
	struct zb_counts cnt;		/* syscalls, completions */
	struct zcopy_seg segs[CV_MAX_PIECES];
	struct iovec iov[CV_MAX_PIECES];
};

/*
 * One call of the technique from where @c is, to the end of its current
 * request at most: 0 sent something, -1 with errno (EAGAIN: would block).
 */
static int cv_step(struct cv_tx *t, struct cv_conn *c)
{
	const struct cv_plan *p = t->p;
	struct zb_env *e = t->e;
	uint64_t cap = t->tech == CT_MSGZC && p->chunk ? p->chunk : UINT64_MAX;
	unsigned int j, n = 0, maxn = t->tech == CT_SENDFILE ? 1 : p->npieces;
	ssize_t sent;

	for (j = c->pos.j; j < p->npieces && n < maxn && cap; j++) {
		uint64_t skip = j == c->pos.j ? c->pos.in : 0;
		uint64_t off = cv_off(p, c->idx, c->pos.req, j) + skip;
		uint64_t len = p->plen - skip;

		if (len > cap)
			len = cap;
		cap -= len;
		t->iov[n].iov_base = e->mem + off;
		t->iov[n].iov_len = len;
		if (t->tech == CT_ZC_POOL)
			libzcopy_seg_pool(&t->segs[n], e->pool_mem, off, len);
		else if (t->tech == CT_ZC_FILE)
			libzcopy_seg_file(&t->segs[n], e->file_fd, off, len);
		n++;
	}
	for (;;) {
		if (t->tech == CT_ZC_POOL || t->tech == CT_ZC_FILE) {
			struct zcopy_send a;
			int ret;

			t->cnt.syscalls++;
			ret = libzcopy_send(e->z, c->fd, t->segs, n, 0,
					    ++t->cookie, NULL, &a);
			if (ret == -EINTR)
				continue;
			if (ret == -ENOBUFS && t->outstanding) {
				if (zb_zc_reap(e, &t->outstanding,
					       t->outstanding - 1, &t->cnt))
					return -1;
				continue;
			}
			if (ret) {
				errno = -ret;
				return -1;
			}
			t->outstanding++;
			if (a.stop_reason == ZCOPY_STOP_EOF ||
			    a.stop_reason == ZCOPY_STOP_ERROR) {
				errno = a.stop_errno ? a.stop_errno : EIO;
				return -1;
			}
			sent = (ssize_t)a.bytes_sent;
		} else if (t->tech == CT_SENDFILE) {
			off_t off = (off_t)((uint8_t *)t->iov[0].iov_base - e->mem);

			t->cnt.syscalls++;
			sent = sendfile(c->fd, e->file_fd, &off,
					t->iov[0].iov_len);
		} else {
			struct msghdr msg = { .msg_iov = t->iov,
					      .msg_iovlen = n };
			bool zc = t->tech == CT_MSGZC;

			t->cnt.syscalls++;
			sent = sendmsg(c->fd, &msg, MSG_NOSIGNAL |
				       (zc ? MSG_ZEROCOPY : 0));
			if (sent < 0 && errno == ENOBUFS && zc &&
			    c->zc_issued > c->zc_done) {
				/* optmem: wait for a notification */
				if (zb_msgzc_reap(c->fd, &t->cnt, &c->zc_done,
						  c->zc_done + 1, true))
					return -1;
				continue;
			}
			if (sent > 0 && zc)
				c->zc_issued++;
		}
		if (sent < 0 && errno == EINTR)
			continue;
		if (sent < 0)
			return -1;
		if (!sent) {
			errno = EPIPE;
			return -1;
		}
		break;
	}
	t->calls++;
	cv_advance(p, &c->pos, (uint64_t)sent);
	if (t->tech == CT_MSGZC && !(c->zc_issued % CV_REAP_EVERY) &&
	    zb_msgzc_reap(c->fd, &t->cnt, &c->zc_done, c->zc_issued, false))
		return -1;
	if ((t->tech == CT_ZC_POOL || t->tech == CT_ZC_FILE) &&
	    (!(t->calls % CV_REAP_EVERY) ||
	     t->outstanding > e->q.max_outstanding / 2) &&
	    zb_zc_reap(e, &t->outstanding, e->q.max_outstanding / 2, &t->cnt))
		return -1;
	if (c->pos.req == p->reqs) {
		c->done = true;
		shutdown(c->fd, SHUT_WR);
	}
	return 0;
}

static int cv_send_all(struct cv_tx *t)
{
	const struct cv_plan *p = t->p;
	unsigned int i, left = p->nconn;
	int ep = -1, ret = -1;

	if (!p->reqs) {
		/* the empty pass: connections opened and closed, no request */
		for (i = 0; i < p->nconn; i++) {
			t->c[i].done = true;
			shutdown(t->c[i].fd, SHUT_WR);
		}
		return 0;
	}
	if (p->kind != CV_CONNS) {
		for (i = 0; i < p->nconn; i++)
			while (!t->c[i].done)
				if (cv_step(t, &t->c[i]))
					return -1;
		goto reap;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -1;
	for (i = 0; i < p->nconn; i++) {
		struct epoll_event ev = { .events = EPOLLOUT,
					  .data.ptr = &t->c[i] };

		if (epoll_ctl(ep, EPOLL_CTL_ADD, t->c[i].fd, &ev))
			goto out;
	}
	while (left) {
		struct epoll_event evs[64];
		int n, j;

		t->cnt.syscalls++;
		n = epoll_wait(ep, evs, 64, (int)(t->e->timeout * 1000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = ETIMEDOUT;
			goto out;
		}
		for (j = 0; j < n; j++) {
			struct cv_conn *c = evs[j].data.ptr;

			while (!c->done) {
				if (!cv_step(t, c))
					continue;
				if (errno != EAGAIN)
					goto out;
				break;
			}
			if (c->done) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				left--;
			}
		}
	}
	close(ep);
reap:
	if (t->tech == CT_MSGZC)
		for (i = 0; i < p->nconn; i++)
			if (zb_msgzc_reap(t->c[i].fd, &t->cnt, &t->c[i].zc_done,
					  t->c[i].zc_issued, true))
				return -1;
	if (t->tech == CT_ZC_POOL || t->tech == CT_ZC_FILE)
		return zb_zc_reap(t->e, &t->outstanding, 0, &t->cnt);
	return 0;
out:
	close(ep);
	return ret;
}

static int cv_connect(struct zb_env *e, int port, uint16_t *lport)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = e->family == AF_INET6 ? sizeof(struct sockaddr_in6) :
			sizeof(struct sockaddr_in);
	int fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	ss.ss_family = (sa_family_t)e->family;
	if (e->family == AF_INET6) {
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		inet_pton(AF_INET6, e->addr,
			  &((struct sockaddr_in6 *)&ss)->sin6_addr);
	} else {
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		inet_pton(AF_INET, e->addr,
			  &((struct sockaddr_in *)&ss)->sin_addr);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		close(fd);
		return -1;
	}
	*lport = ntohs(e->family == AF_INET6 ?
		       ((struct sockaddr_in6 *)&ss)->sin6_port :
		       ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* ---- one pass, one point ---- */

struct cv_pass {
	uint64_t busy_ns, ns, calls, syscalls, compl, compl_copied;
	bool busy_ok;
};

static int cv_pass(struct zb_env *e, const struct cv_plan *p, int tech,
		   bool verify, struct cv_pass *out, char *why, size_t wlen)
{
	struct cv_tx *t = calloc(1, sizeof(*t));
	struct cv_conn *c = calloc(p->nconn, sizeof(*c));
	struct zb_cost_snap s0, s1;
	struct zb_cost cost;
	struct cv_rx_result rx;
	struct cv_recv r;
	unsigned int i, nc = 0;
	uint64_t t0, t1;
	int port = 0, ret = -1, one = 1;
	char ready;

	if (!t || !c) {
		snprintf(why, wlen, "out of memory");
		free(t);
		free(c);
		return -1;
	}
	if (cv_recv_start(e, p, verify, &r, &port)) {
		snprintf(why, wlen, "receiver: %s", strerror(errno));
		free(t);
		free(c);
		return -1;
	}
	for (i = 0; port && i < p->nconn; i++, nc++) {
		uint16_t lport;
		struct timeval tv = { .tv_sec = (long)e->timeout };

		c[i].fd = cv_connect(e, port, &lport);
		c[i].idx = i;
		if (c[i].fd < 0)
			break;
		setsockopt(c[i].fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (tech == CT_MSGZC &&
		    setsockopt(c[i].fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one)))
			break;
		if (p->kind == CV_CONNS &&
		    fcntl(c[i].fd, F_SETFL, fcntl(c[i].fd, F_GETFL) | O_NONBLOCK))
			break;
		if (write(r.to_rx, &lport, sizeof(lport)) != sizeof(lport))
			break;
	}
	if (nc < p->nconn || read(r.from_rx, &ready, 1) != 1) {
		snprintf(why, wlen, "connection %u: %s", nc, strerror(errno));
		for (i = 0; i < nc; i++)
			close(c[i].fd);
		cv_recv_finish(&r, &rx);
		if (rx.err[0])
			snprintf(why, wlen, "%s", rx.err);
		goto out;
	}
	t->e = e;
	t->p = p;
	t->tech = tech;
	t->c = c;
	zb_cost_snap(&s0);
	t0 = zc_now_ns();
	ret = cv_send_all(t);
	if (ret)
		snprintf(why, wlen, "%s: %s", cv_tech_name[tech], strerror(errno));
	for (i = 0; i < nc; i++)
		if (ret || !c[i].done)
			shutdown(c[i].fd, SHUT_RDWR);
	cv_recv_finish(&r, &rx);
	t1 = zc_now_ns();
	zb_cost_snap(&s1);
	for (i = 0; i < nc; i++)
		close(c[i].fd);
	if (!ret && !rx.ok) {
		snprintf(why, wlen, "%s", rx.err);
		ret = -1;
	}
	zb_cost_diff(&s0, &s1, &cost);
	out->busy_ns = cost.busy_ns;
	out->busy_ok = cost.busy_ok;
	out->ns = t1 - t0;
	out->calls = t->calls;
	out->syscalls = t->cnt.syscalls;
	out->compl = t->cnt.compl;
	out->compl_copied = t->cnt.compl_copied;
out:
	free(t);
	free(c);
	return ret;
}

static int cv_kind(const char *name)
{
	return !strcmp(name, "segs") ? CV_SEGS : !strcmp(name, "size") ?
	       CV_SIZE : !strcmp(name, "conns") ? CV_CONNS : -1;
}

static uint64_t cv_clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The plan of point @x; 0, or -1 if it does not fit the payload. */
static int cv_plan_point(const struct zb_env *e, const struct zb_curve_opts *o,
			 int kind, uint64_t x, struct cv_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->x = x;
	p->nconn = 1;
	p->npieces = 1;
	switch (kind) {
	case CV_SEGS:
		p->npieces = (unsigned int)x;
		p->plen = o->unit ? o->unit : 4096;
		/* a gap after each piece: no two are adjacent */
		p->stride = 2 * ((p->plen + 4095) / 4096 * 4096);
		p->reqs = cv_clamp((o->bytes ? o->bytes : 8 << 20) /
				   (x * p->plen), 4, 4096);
		break;
	case CV_SIZE:
		p->plen = x;
		p->stride = (x + 4095) / 4096 * 4096;
		p->reqs = cv_clamp((o->bytes ? o->bytes : 8 << 20) / x, 1, 4096);
		p->chunk = e->chunk;
		break;
	default:
		p->nconn = (unsigned int)x;
		p->plen = o->unit ? o->unit : 16384;
		p->stride = (p->plen + 4095) / 4096 * 4096;
		/* the same requests in all, shared by the connections */
		p->reqs = cv_clamp((o->bytes ? o->bytes : 16 << 20) / p->plen / x,
				   1, 4096);
		break;
	}
	if (p->plen > e->file_len)
		return -1;
	p->nslots = (e->file_len - p->plen) / p->stride + 1;
	return 0;
}

struct cv_row {
	uint64_t x;
	int tech;
	const char *status;
	char why[200];
	struct cv_plan p;
	struct cv_pass med;
	uint64_t min_busy, max_busy;
	uint64_t fixed_ns;		/* the empty pass's median */
	unsigned int repeats;
};

static void cv_row_text(const struct zb_curve_opts *o, const struct cv_row *w)
{
	uint64_t reqs = w->p.reqs * w->p.nconn;
	uint64_t bytes = reqs * w->p.npieces * w->p.plen;

	printf("%-6s %10" PRIu64 "  %-13s", o->name, w->x, cv_tech_name[w->tech]);
	if (strcmp(w->status, "ok")) {
		printf("  %s: %s\n", w->status, w->why);
		return;
	}
	printf(" %7" PRIu64 " %11" PRIu64 " %14.2f %6.1f%% %10.1f %12.2f %9.3f %9.2f %9.2f %9.2f\n",
	       reqs, bytes, w->med.busy_ns / 1e3 / reqs,
	       w->med.busy_ns ? 100.0 * (w->max_busy - w->min_busy) /
				w->med.busy_ns : 0,
	       w->fixed_ns / 1e3,
	       ((double)w->med.busy_ns - (double)w->fixed_ns) / 1e3 / reqs,
	       (double)w->med.busy_ns / bytes, (double)w->med.calls / reqs,
	       (double)w->med.syscalls / reqs,
	       w->med.compl ? 100.0 * w->med.compl_copied / w->med.compl : 0);
}

static void cv_row_json(FILE *f, const struct zb_curve_opts *o,
			const struct cv_row *w, bool first)
{
	uint64_t reqs = w->p.reqs * w->p.nconn;
	uint64_t bytes = reqs * w->p.npieces * w->p.plen;

	fprintf(f, "%s  {\"curve\": \"%s\", \"x\": %" PRIu64 ", \"technique\": \"%s\", \"status\": \"%s\", \"reason\": \"",
		first ? "" : ",\n", o->name, w->x, cv_tech_name[w->tech], w->status);
	for (const char *s = w->why; *s; s++)
		fprintf(f, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	fprintf(f, "\", \"connections\": %u, \"pieces_per_request\": %u, \"piece_bytes\": %" PRIu64
		", \"requests\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"repeats\": %u",
		w->p.nconn, w->p.npieces, w->p.plen, reqs, bytes, w->repeats);
	if (!strcmp(w->status, "ok"))
		fprintf(f, ", \"busy_ns\": %" PRIu64 ", \"busy_min_ns\": %" PRIu64 ", \"busy_max_ns\": %" PRIu64
			", \"elapsed_ns\": %" PRIu64 ", \"calls\": %" PRIu64 ", \"syscalls\": %" PRIu64
			", \"completions\": %" PRIu64 ", \"completions_copied\": %" PRIu64
			", \"all_kins_per_req\": %.3f, \"all_ins_per_byte\": %.4f"
			", \"empty_pass_ns\": %" PRIu64 ", \"net_kins_per_req\": %.3f",
			w->med.busy_ns, w->min_busy, w->max_busy, w->med.ns, w->med.calls,
			w->med.syscalls, w->med.compl, w->med.compl_copied,
			w->med.busy_ns / 1e3 / reqs, (double)w->med.busy_ns / bytes,
			w->fixed_ns,
			((double)w->med.busy_ns - (double)w->fixed_ns) / 1e3 / reqs);
	fprintf(f, "}");
}

/* The options, before anything is set up: 0 or EXIT_USAGE. */
int zb_curve_check(struct zc_cli *ctx, const struct zb_curve_opts *o)
{
	int kind = cv_kind(o->name), k;
	size_t i;

	if (kind < 0)
		return zc_usage_error(ctx, "--curve '%s': expected segs, size or conns",
				      o->name);
	for (i = 0; i < o->npoints; i++)
		if ((kind == CV_SEGS && o->points[i] > CV_MAX_PIECES) ||
		    (kind == CV_CONNS && o->points[i] > CV_MAX_CONNS))
			return zc_usage_error(ctx, "--curve-points: %" PRIu64 " is out of range for %s (at most %d)",
					      o->points[i], o->name,
					      kind == CV_SEGS ? CV_MAX_PIECES : CV_MAX_CONNS);
	if (o->techs) {
		char *dup = strdup(o->techs), *tok, *save;

		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			for (k = 0; k < CT_N; k++)
				if (!strcasecmp(tok, cv_tech_name[k]))
					break;
			if (k == CT_N || !cv_tech_ok[kind][k]) {
				zc_usage_error(ctx, "--techniques: '%s' is not a technique of the %s curve",
					       tok, o->name);
				free(dup);
				return EXIT_USAGE;
			}
		}
		free(dup);
	}
	return 0;
}

int zb_curve(struct zb_env *e, const struct zb_curve_opts *o)
{
	static const uint64_t def_conns[] = { 1, 4, 16, 64, 256 };
	int kind = cv_kind(o->name);
	uint64_t points[ZB_CURVE_MAX_POINTS];
	size_t npoints = 0, nrows = 0, i;
	bool techs[CT_N] = { 0 };
	struct cv_row *rows;
	struct utsname un;
	unsigned int fails = 0;
	int k;

	/* zb_curve_check() has vetted the name, the points and the techniques. */
	if (o->npoints) {
		memcpy(points, o->points, o->npoints * sizeof(points[0]));
		npoints = o->npoints;
	} else if (kind == CV_SEGS) {
		for (npoints = 0; npoints < 11; npoints++)
			points[npoints] = 1ull << npoints;
	} else if (kind == CV_SIZE) {
		for (npoints = 0; npoints < 18; npoints++)
			points[npoints] = 512ull << npoints;
	} else {
		memcpy(points, def_conns, sizeof(def_conns));
		npoints = 5;
	}
	if (o->techs) {
		char *dup = strdup(o->techs), *tok, *save;

		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			for (k = 0; k < CT_N; k++)
				if (!strcasecmp(tok, cv_tech_name[k]))
					techs[k] = true;
		}
		free(dup);
	} else {
		memcpy(techs, cv_tech_ok[kind], sizeof(techs));
	}
	rows = calloc(npoints * CT_N, sizeof(*rows));
	if (!rows)
		return EXIT_FAIL;
	/* Not into each pass's receiver: fork would copy the pinned pages. */
	if (madvise(e->mem, e->mem_map, MADV_DONTFORK))
		zc_warn(e->ctx, "madvise(MADV_DONTFORK): %s", strerror(errno));
	for (i = 0; i < npoints; i++) {
		uint64_t fixed = 0, fx[9];
		struct cv_plan ep;
		unsigned int m, a2, b2;
		char why[200] = "";

		/* what a pass costs without requests: setup, FINs, the snapshots */
		if (!cv_plan_point(e, o, kind, points[i], &ep)) {
			ep.reqs = 0;
			for (m = 0; m < o->repeat; m++) {
				struct cv_pass v;

				if (cv_pass(e, &ep, CT_SENDMSG, false, &v, why, sizeof(why)))
					break;
				fx[m] = v.busy_ns;
			}
			if (m < o->repeat) {
				zc_warn(e->ctx, "the empty pass of %" PRIu64 " failed: %s", points[i], why);
				m = 0;
			}
			for (a2 = 1; a2 < m; a2++)
				for (b2 = a2; b2 > 0 && fx[b2] < fx[b2 - 1]; b2--) {
					uint64_t tmp = fx[b2];

					fx[b2] = fx[b2 - 1];
					fx[b2 - 1] = tmp;
				}
			if (m)
				fixed = fx[m / 2];
		}
		for (k = 0; k < CT_N; k++) {
			struct cv_row *w = &rows[nrows];
			struct cv_pass ps[9], v;
			unsigned int n, a, b;

			if (!techs[k])
				continue;
			nrows++;
			w->x = points[i];
			w->tech = k;
			w->fixed_ns = fixed;
			w->status = "ok";
			if (cv_plan_point(e, o, kind, points[i], &w->p)) {
				w->status = "skipped";
				snprintf(w->why, sizeof(w->why), "larger than the %" PRIu64 "-byte payload",
					 e->file_len);
			} else if ((k == CT_ZC_POOL || k == CT_ZC_FILE) && !e->zc_ok) {
				w->status = "skipped";
				snprintf(w->why, sizeof(w->why), "%s", e->zc_why);
			}
			for (n = 0; !strcmp(w->status, "ok") && n < o->repeat; n++)
				if (cv_pass(e, &w->p, k, false, &ps[n], w->why,
					    sizeof(w->why)))
					w->status = "failed";
			if (!strcmp(w->status, "ok") &&
			    cv_pass(e, &w->p, k, true, &v, w->why, sizeof(w->why)))
				w->status = "failed";
			if (!strcmp(w->status, "ok")) {
				for (a = 1; a < n; a++)
					for (b = a; b > 0 && ps[b].busy_ns < ps[b - 1].busy_ns; b--) {
						struct cv_pass tmp = ps[b];

						ps[b] = ps[b - 1];
						ps[b - 1] = tmp;
					}
				w->med = ps[n / 2];
				w->min_busy = ps[0].busy_ns;
				w->max_busy = ps[n - 1].busy_ns;
				w->repeats = n;
				if (!w->med.busy_ok) {
					w->status = "failed";
					snprintf(w->why, sizeof(w->why), "the guest's busy time is unknown (/proc/timer_list)");
				}
			}
			if (!strcmp(w->status, "failed"))
				fails++;
			fprintf(stderr, "zcopy-bench: curve %s %" PRIu64 " %s: %s%s%s\n",
				o->name, w->x, cv_tech_name[k], w->status,
				w->why[0] ? ": " : "", w->why);
		}
	}
	madvise(e->mem, e->mem_map, MADV_DOFORK);
	uname(&un);
	printf("zcopy-bench --curve %s on %s, route %s: payload %" PRIu64 " bytes, copy_threshold %u, clock %s\n",
	       o->name, un.release, o->route, e->file_len, e->zc_ok ? e->q.copy_threshold : 0,
	       o->icount ? "icount (1 ns = 1 instruction)" : "wall");
	printf("all kins/req = every CPU's busy time per request (median of %u passes; rng = (max - min) / median),\n"
	       "in thousands of instructions under icount; empty = the same connections opened, shut down and read to\n"
	       "EOF with no request (median of %u such passes); net = (all - empty) per request; all ins/B per payload\n"
	       "byte; copied = completions that report a copy, percent.\n\n", o->repeat, o->repeat);
	printf("%-6s %10s  %-13s %7s %11s %14s %7s %10s %12s %9s %9s %9s %9s\n", "curve",
	       kind == CV_SEGS ? "segs/call" : kind == CV_SIZE ? "body B" : "conns",
	       "technique", "reqs", "bytes", o->icount ? "all kins/req" : "all us/req",
	       "rng", o->icount ? "empty kins" : "empty us",
	       o->icount ? "net kins/req" : "net us/req",
	       o->icount ? "all ins/B" : "all ns/B", "calls/req", "sys/req",
	       "copied%");
	for (i = 0; i < nrows; i++)
		cv_row_text(o, &rows[i]);
	if (o->json_out) {
		FILE *f = fopen(o->json_out, "w");

		if (!f) {
			zc_err(e->ctx, "--json-out %s: %s", o->json_out, strerror(errno));
			free(rows);
			return EXIT_FAIL;
		}
		fprintf(f, "{\"kernel\": \"%s\", \"route\": \"%s\", \"curve\": \"%s\", \"clock\": \"%s\", \"file_bytes\": %" PRIu64
			", \"copy_threshold\": %d, \"chunk_bytes\": %zu, \"repeats\": %u, \"rows\": [\n",
			un.release, o->route, o->name, o->icount ? "icount" : "wall", e->file_len,
			e->zc_ok ? (int)e->q.copy_threshold : -1, e->chunk, o->repeat);
		for (i = 0; i < nrows; i++)
			cv_row_json(f, o, &rows[i], !i);
		fprintf(f, "\n]}\n");
		fclose(f);
	}
	free(rows);
	return fails ? EXIT_FAIL : EXIT_OK;
}
