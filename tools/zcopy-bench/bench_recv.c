// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench: the receiver. A child process, in the receiving network
 * namespace, accepts one connection, reads it to EOF with plain read()
 * (or, with --receiver zerocopy, maps what it can with
 * TCP_ZEROCOPY_RECEIVE and reads the rest) and checks every request against the hash of what should have come, so
 * that a technique that sends wrong bytes fails instead of looking fast.
 *
 * The check is a 64-bit position-dependent mix of 8-byte words (each step
 * is bijective, so reordered, missing or changed words change the
 * result): cheap enough under TCG not to become the bottleneck, and no
 * cryptographic claim.
 */

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "bench.h"

#define ZB_RX_BUF (256 * 1024)

static inline uint64_t zb_rotl(uint64_t v, int r)
{
	return (v << r) | (v >> (64 - r));
}

static inline uint64_t zb_mix(uint64_t h, uint64_t w)
{
	h ^= w * 0x9e3779b97f4a7c15ull;
	return zb_rotl(h, 29) * 0xbf58476d1ce4e5b9ull + 0x94d049bb133111ebull;
}

void zb_hash_init(struct zb_hash *h)
{
	memset(h, 0, sizeof(*h));
	h->h = 0x6a09e667f3bcc908ull;
}

void zb_hash_update(struct zb_hash *h, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t w, x = h->h;

	h->n += len;
	while (h->ntail && len) {
		h->tail[h->ntail++] = *b++;
		len--;
		if (h->ntail == 8) {
			memcpy(&w, h->tail, 8);
			x = zb_mix(x, w);
			h->ntail = 0;
		}
	}
	while (len >= 8) {
		memcpy(&w, b, 8);
		x = zb_mix(x, w);
		b += 8;
		len -= 8;
	}
	while (len--)
		h->tail[h->ntail++] = *b++;
	h->h = x;
}

uint64_t zb_hash_final(struct zb_hash *h)
{
	uint64_t w = 0;

	memcpy(&w, h->tail, h->ntail);
	return zb_mix(zb_mix(h->h, w), h->n);
}

static uint64_t zb_tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + tv->tv_usec * 1000ull;
}

/* The check of one stream, unit by unit. */
struct zb_rx_state {
	const struct zb_work *w;
	const struct zb_unit *u;
	uint64_t left_in_unit, unit;
	struct zb_hash h;
};

static void zb_rx_check(struct zb_rx_state *s, struct zb_rx_result *r,
			const uint8_t *buf, size_t n)
{
	size_t off = 0;

	while (off < n && s->unit < s->w->requests) {
		size_t take = n - off < s->left_in_unit ? n - off :
			      s->left_in_unit;

		zb_hash_update(&s->h, buf + off, take);
		off += take;
		s->left_in_unit -= take;
		if (s->left_in_unit)
			continue;
		if (zb_hash_final(&s->h) != s->u->hash) {
			if (!r->bad_units)
				r->first_bad = s->unit;
			r->bad_units++;
		}
		r->units++;
		s->unit++;
		s->u = &s->w->units[s->unit % s->w->nunits];
		s->left_in_unit = s->u->hdr_len + s->u->body_len;
		zb_hash_init(&s->h);
	}
}

/*
 * --receiver zerocopy: TCP_ZEROCOPY_RECEIVE maps whole received pages (a
 * frag of a full page at offset 0) into @map, read-only; what cannot be
 * mapped (a header, a frag that is not a whole page, the tail) comes with
 * recv_skip_hint and is read() into @buf, a copy the probes count. Returns
 * the bytes taken (mapped and read), 0 at EOF, -1 on an error (errno).
 * Mapping needs the frag to be a whole page at offset 0 and the stream to
 * be at its start; the kernel says how far to read() to the next one.
 */
static ssize_t zb_rx_zerocopy(int fd, uint8_t *map, uint8_t *buf,
			      struct zb_rx_state *s, struct zb_rx_result *r,
			      bool verify)
{
	struct tcp_zerocopy_receive zc;
	socklen_t zl = sizeof(zc);
	ssize_t n, got = 0;

	memset(&zc, 0, sizeof(zc));
	zc.address = (uintptr_t)map;
	zc.length = ZB_RX_BUF;
	/* EIO: nothing left and the peer's FIN is in (tcp_zerocopy_receive()). */
	if (getsockopt(fd, IPPROTO_TCP, TCP_ZEROCOPY_RECEIVE, &zc, &zl))
		return errno == EIO ? 0 : -1;
	if (zc.length) {
		if (verify)
			zb_rx_check(s, r, map, zc.length);
		r->mapped += zc.length;
		got += zc.length;
		/* Unmapped now rather than by the next call. */
		madvise(map, zc.length, MADV_DONTNEED);
	}
	if (zc.recv_skip_hint || !zc.length) {
		/* Nothing mapped and nothing to skip: EOF, or bytes below a page. */
		size_t want = zc.recv_skip_hint && zc.recv_skip_hint < ZB_RX_BUF ?
			      zc.recv_skip_hint : ZB_RX_BUF;

		n = read(fd, buf, want);
		if (n < 0)
			return got ? got : -1;
		if (verify)
			zb_rx_check(s, r, buf, (size_t)n);
		r->copied += (uint64_t)n;
		got += n;
	}
	return got;
}

/* The child: never returns. */
static void zb_receiver(struct zb_env *e, const struct zb_work *w, int lfd,
			int wfd)
{
	struct zb_rx_result r = { 0 };
	uint64_t want = w->bytes, t0 = 0;
	struct zb_rx_state s = { .w = w };
	uint8_t *map = NULL;
	struct rusage ru;
	char *buf = malloc(ZB_RX_BUF);
	int fd;

	if (!buf) {
		snprintf(r.err, sizeof(r.err), "receiver: out of memory");
		goto out;
	}
	{
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(e->timeout * 1000)) <= 0) {
			snprintf(r.err, sizeof(r.err),
				 "receiver: no connection within %g s",
				 e->timeout);
			goto out;
		}
	}
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		snprintf(r.err, sizeof(r.err), "receiver: accept: %s",
			 strerror(errno));
		goto out;
	}
	close(lfd);
	if (e->rx_zerocopy) {
		map = mmap(NULL, ZB_RX_BUF, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			snprintf(r.err, sizeof(r.err),
				 "receiver: mmap of the socket (TCP_ZEROCOPY_RECEIVE): %s",
				 strerror(errno));
			goto out;
		}
	}
	s.u = &w->units[0];
	s.left_in_unit = s.u->hdr_len + s.u->body_len;
	zb_hash_init(&s.h);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)(e->timeout * 1000)) <= 0) {
			snprintf(r.err, sizeof(r.err),
				 "receiver: no data for %g s after %llu bytes",
				 e->timeout, (unsigned long long)r.bytes);
			goto out;
		}
		/* A timed pass checks the length only. */
		if (map)
			n = zb_rx_zerocopy(fd, map, (uint8_t *)buf, &s, &r,
					   e->rx_verify);
		else
			n = read(fd, buf, ZB_RX_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(r.err, sizeof(r.err),
				 "receiver: %s after %llu bytes: %s",
				 map ? "TCP_ZEROCOPY_RECEIVE" : "read",
				 (unsigned long long)r.bytes, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		if (!t0)
			t0 = zc_now_ns();
		r.bytes += n;
		if (!map && e->rx_verify)
			zb_rx_check(&s, &r, (uint8_t *)buf, (size_t)n);
	}
	r.rx_ns = t0 ? zc_now_ns() - t0 : 0;
	close(fd);
	if (r.bytes != want)
		snprintf(r.err, sizeof(r.err),
			 "receiver: got %llu bytes, expected %llu",
			 (unsigned long long)r.bytes, (unsigned long long)want);
	else if (e->rx_verify && r.units != w->requests)
		snprintf(r.err, sizeof(r.err),
			 "receiver: %llu of %llu requests complete",
			 (unsigned long long)r.units,
			 (unsigned long long)w->requests);
	else if (r.bad_units)
		snprintf(r.err, sizeof(r.err),
			 "receiver: %llu of %llu requests differ from the payload (first: %llu)",
			 (unsigned long long)r.bad_units,
			 (unsigned long long)r.units,
			 (unsigned long long)r.first_bad);
	else
		r.ok = 1;
out:
	if (!getrusage(RUSAGE_SELF, &ru)) {
		r.utime_ns = zb_tv_ns(&ru.ru_utime);
		r.stime_ns = zb_tv_ns(&ru.ru_stime);
	}
	if (write(wfd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

static int zb_listen(struct zb_env *e, int *port, char *err, size_t elen)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, one = 1;

	fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, elen, "receiver: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (e->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, e->addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, e->addr, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 4)) {
		snprintf(err, elen, "receiver: bind/listen on %s: %s", e->addr,
			 strerror(errno));
		close(fd);
		return -1;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(e->family == AF_INET6 ?
		      ((struct sockaddr_in6 *)&ss)->sin6_port :
		      ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/*
 * Fork the receiver into the receiving namespace; it listens on the bench
 * address with a port of its choice, which it writes to the pipe first.
 */
int zb_recv_start(struct zb_env *e, const struct zb_work *w,
		  struct zb_recv *r)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		zc_err(e->ctx, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		zc_err(e->ctx, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (!pid) {
		struct zb_rx_result res = { 0 };
		int lfd, port = 0;

		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		if (e->rcv_netns >= 0 && setns(e->rcv_netns, CLONE_NEWNET)) {
			snprintf(res.err, sizeof(res.err),
				 "receiver: setns: %s", strerror(errno));
			lfd = -1;
		} else {
			lfd = zb_listen(e, &port, res.err, sizeof(res.err));
		}
		if (write(p[1], &port, sizeof(port)) != sizeof(port))
			_exit(1);
		if (lfd < 0) {
			if (write(p[1], &res, sizeof(res)) != sizeof(res))
				_exit(1);
			_exit(0);
		}
		zb_receiver(e, w, lfd, p[1]);
	}
	close(p[1]);
	r->pid = pid;
	r->result_fd = p[0];
	if (read(p[0], &r->port, sizeof(r->port)) != sizeof(r->port))
		r->port = 0;
	return 0;
}

int zb_recv_finish(struct zb_env *e, struct zb_recv *r,
		   struct zb_rx_result *res)
{
	struct pollfd pfd = { .fd = r->result_fd, .events = POLLIN };
	int st, ret = 0;

	memset(res, 0, sizeof(*res));
	if (poll(&pfd, 1, (int)(e->timeout * 1000 + 1000)) <= 0 ||
	    read(r->result_fd, res, sizeof(*res)) != sizeof(*res)) {
		snprintf(res->err, sizeof(res->err),
			 "receiver: no result (killed after %g s)", e->timeout);
		kill(r->pid, SIGKILL);
		ret = -1;
	}
	close(r->result_fd);
	waitpid(r->pid, &st, 0);
	return ret;
}
