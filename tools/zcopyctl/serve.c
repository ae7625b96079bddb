// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: serve. A static HTTP/1.1 file server over a directory, and
 * with --tls an HTTPS one, whose every response is one ZCOPY_IOC_SEND
 * (libzcopy) of a header from a pinned pool and the body as a file extent
 * of the page cache.
 *
 * One thread, epoll, non-blocking sockets. The pool is a slab of header
 * slots; a slot is taken for a response and given back only once every
 * transfer of it has completed (its completion read from /dev/zcopy, which
 * is in the epoll set too): then the stack no longer holds its pages. A
 * send that stops short (the socket buffer is full) is resumed from where
 * it stopped when the socket is writable again; ENOBUFS (too many
 * transfers whose completions are unread) waits for completions.
 *
 * Clients wait within bounds: a request head (and the handshake before
 * the first) must be complete within --header-timeout however steadily
 * it comes; no request, or no byte of a response taken, for
 * --idle-timeout closes the connection (the latter with a reset, which
 * drops the unsent data: its transfers complete). A new connection past
 * --max-conns replaces the one waiting longest for its client.
 *
 * The cookie of every transfer is (slot generation << 32 | slot index),
 * which "zcopyctl monitor" shows with each xfer-done event.
 *
 * TLS: OpenSSL does the TLS 1.3 handshake in user space with
 * SSL_OP_ENABLE_KTLS, which hands the transmit keys to the kernel
 * (setsockopt SOL_TLS TLS_TX) when the application keys are set; from then
 * on the kernel writes every record, and responses go out by zcopy on the
 * socket itself, encrypted by the kernel from the page cache: no user-space
 * copy. A connection whose keys did not go to the kernel is closed. The
 * receive side stays in OpenSSL (SSL_read), which OpenSSL 3.0 keeps in
 * user space for TLS 1.3 anyway.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/openat2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "zcopyctl.h"

enum {
	OPT_PORT = 'P',
	OPT_BIND = 'b',
	OPT_ROOT = 'r',
	OPT_VERBOSE = 'v',
	OPT_TLS = 256,
	OPT_READY,
	OPT_MAX_CONNS,
	OPT_IDLE,
	OPT_HEADER,
};

const struct zc_opt zc_serve_opts[] = {
	{ "port", OPT_PORT, "N", "listen on TCP port N (default 8080; 0: any)" },
	{ "bind", OPT_BIND, "ADDR",
	  "listen on ADDR only (default: every address, IPv6 and IPv4)" },
	{ "root", OPT_ROOT, "DIR", "serve the files beneath DIR (default .)" },
	{ "tls", OPT_TLS, "CERT KEY",
	  "HTTPS: TLS 1.3 with the PEM certificate chain CERT and key KEY, "
	  "the kernel encrypting (kTLS)" },
	{ "ready-file", OPT_READY, "FILE",
	  "write the port to FILE once listening" },
	{ "max-conns", OPT_MAX_CONNS, "N",
	  "connections at once (default 512); when all are taken, a new one "
	  "replaces the one waiting longest for its client" },
	{ "idle-timeout", OPT_IDLE, "SECS",
	  "close connections idle for SECS: no request, or the client takes "
	  "no byte of its response (default 60)" },
	{ "header-timeout", OPT_HEADER, "SECS",
	  "close connections whose request head (and TLS handshake) is not "
	  "complete within SECS (default 10)" },
	{ "verbose", OPT_VERBOSE, NULL,
	  "one line per response on stderr once its transfers completed, and one per failure or timeout" },
	{ NULL, 0, NULL, NULL },
};

#define ZC_SLOT_SIZE	1024		/* one response header (+ error body) */
#define ZC_NSLOTS	512
#define ZC_NREASONS	8

enum zc_kind { ZC_EP_LISTEN, ZC_EP_DEV, ZC_EP_CONN };

enum zc_state {
	ZC_HANDSHAKE,			/* TLS handshake */
	ZC_READ,			/* reading a request head */
	ZC_SEND,			/* sending a response */
	ZC_DRAIN,			/* last response sent: read until EOF */
};

struct zc_slot {
	uint32_t gen;			/* cookie high half */
	bool used, sending;		/* taken; its response is being sent */
	unsigned int outstanding;	/* transfers without completion */
	int fd;				/* the body's file, or -1 */
	int next_free;
	/* what -v prints */
	uint64_t conn, req;
	int status;
	uint64_t bytes, zc, copied;
	uint32_t reason;
	unsigned int transfers;
	int error;
	char what[80];
};

struct zc_conn {
	enum zc_kind kind;		/* first: the epoll cookie */
	struct zc_conn *prev, *next;	/* every connection */
	struct zc_conn *wprev, *wnext;	/* waiting for a slot or completions */
	bool waiting;
	int fd;
	SSL *ssl;
	enum zc_state state;
	uint32_t events;		/* the epoll mask set */
	uint64_t id, nreq, last_ns;
	uint64_t head_ns;		/* head (or handshake) begun, or 0 */
	uint64_t drain_ns;		/* ZC_DRAIN begun */
	bool close_after;		/* close once this response is out */
	int slot;			/* of the response in flight, or -1 */
	struct zcopy_seg segs[2];
	unsigned int nsegs;
	struct libzcopy_send_state st;
	/*
	 * The last read() returned less than it asked for: the socket is
	 * empty until epoll (level-triggered) says otherwise, and a read
	 * now would only return EAGAIN, one system call per request.
	 */
	bool rd_dry;
	size_t in_len;
	char in[ZC_HTTP_MAX_HEAD];
};

struct zc_serve {
	struct zc_ctx *ctx;
	struct libzcopy *z;
	struct libzcopy_pool pool;
	int ep, lfd, rootfd;
	enum zc_kind lkind, dkind;	/* epoll cookies of lfd and the device */
	SSL_CTX *tls;
	bool verbose;
	uint64_t max_conns, nconns, idle_ns, header_ns;
	struct zc_conn *conns;
	struct zc_conn *whead, *wtail;
	struct zc_slot slots[ZC_NSLOTS];
	int free_slot;
	uint64_t next_conn_id;

	/* counters of the summary */
	uint64_t accepted, refused, evicted, requests, status[600];
	uint64_t tmo_idle, tmo_head, tmo_send;	/* closed by a timeout */
	uint64_t tls_ok, tls_fail, ktls_missing;
	uint64_t transfers, completions, resumes, enobufs_waits, slot_waits;
	uint64_t send_errors, short_files, stray;
	uint64_t bytes, pool_bytes, zc_bytes, copied_bytes, compl_errors;
	uint64_t reason_bytes[ZC_NREASONS];

	time_t date_t;			/* of date[] */
	char date[ZC_HTTP_DATE_LEN];
};

/* ---- slots: response headers in the pool ---- */

static char *zc_slot_buf(struct zc_serve *s, int i)
{
	return (char *)s->pool.addr + (size_t)i * ZC_SLOT_SIZE;
}

static int zc_slot_get(struct zc_serve *s)
{
	int i = s->free_slot;
	struct zc_slot *sl;

	if (i < 0)
		return -1;
	sl = &s->slots[i];
	s->free_slot = sl->next_free;
	sl->used = true;
	sl->sending = true;
	sl->outstanding = 0;
	sl->fd = -1;
	sl->gen++;
	sl->bytes = sl->zc = sl->copied = 0;
	sl->reason = 0;
	sl->transfers = 0;
	sl->error = 0;
	return i;
}

static void zc_wake_waiters(struct zc_serve *s);

/* Both done: the response is out and every transfer of it completed. */
static void zc_slot_put_if_done(struct zc_serve *s, int i)
{
	struct zc_slot *sl = &s->slots[i];

	if (sl->sending || sl->outstanding)
		return;
	if (s->verbose)
		fprintf(stderr,
			"zcopyctl: serve: conn %" PRIu64 " #%" PRIu64 " %s %d: %" PRIu64 " bytes in %u transfer%s, zero-copy %" PRIu64 ", copied %" PRIu64 "%s%s%s%s\n",
			sl->conn, sl->req, sl->what, sl->status, sl->bytes,
			sl->transfers, sl->transfers == 1 ? "" : "s", sl->zc,
			sl->copied, sl->copied ? " (" : "",
			sl->copied ? zc_reason_name(sl->reason) : "",
			sl->copied ? ")" : "",
			sl->error ? ", error" : "");
	if (sl->fd >= 0)
		close(sl->fd);
	sl->fd = -1;
	sl->used = false;
	sl->next_free = s->free_slot;
	s->free_slot = i;
}

/* ---- connections ---- */

static void zc_conn_events(struct zc_serve *s, struct zc_conn *c, uint32_t ev)
{
	struct epoll_event e = { .events = ev, .data.ptr = c };

	if (c->events == ev)
		return;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e))
		zc_warn(&s->ctx->cli, "epoll_ctl: %s", strerror(errno));
	c->events = ev;
}

static void zc_wait_add(struct zc_serve *s, struct zc_conn *c)
{
	if (c->waiting)
		return;
	c->waiting = true;
	c->wnext = NULL;
	c->wprev = s->wtail;
	if (s->wtail)
		s->wtail->wnext = c;
	else
		s->whead = c;
	s->wtail = c;
	zc_conn_events(s, c, 0);
}

static void zc_wait_del(struct zc_serve *s, struct zc_conn *c)
{
	if (!c->waiting)
		return;
	if (c->wprev)
		c->wprev->wnext = c->wnext;
	else
		s->whead = c->wnext;
	if (c->wnext)
		c->wnext->wprev = c->wprev;
	else
		s->wtail = c->wprev;
	c->waiting = false;
	c->wprev = c->wnext = NULL;
}

static void zc_conn_close(struct zc_serve *s, struct zc_conn *c)
{
	zc_wait_del(s, c);
	if (c->slot >= 0) {
		s->slots[c->slot].sending = false;
		zc_slot_put_if_done(s, c->slot);
	}
	if (c->ssl)
		SSL_free(c->ssl);
	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	free(c);
}

/*
 * Close with a reset: the stack drops at once what the client has not
 * taken, so the transfers of it complete (a FIN would keep the data, and
 * the pages, as long as the client does not read).
 */
static void zc_conn_abort(struct zc_serve *s, struct zc_conn *c)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	zc_conn_close(s, c);
}

/* Since when the connection waits for its client, or 0: it does not. */
static uint64_t zc_conn_waits_since(const struct zc_conn *c)
{
	if (c->waiting || c->state == ZC_SEND)
		return 0;			/* the server's turn */
	if (c->state == ZC_DRAIN)
		return c->drain_ns;
	return c->head_ns ? c->head_ns : c->last_ns;
}

/*
 * Every connection is taken: the one waiting longest for its client (an
 * idle keep-alive, a head or handshake coming slowly, a drain) makes room
 * for a new one, or NULL if all are being answered.
 */
static struct zc_conn *zc_victim(struct zc_serve *s)
{
	struct zc_conn *c, *v = NULL;
	uint64_t vt = 0, t;

	for (c = s->conns; c; c = c->next) {
		t = zc_conn_waits_since(c);
		if (t && (!v || t < vt)) {
			v = c;
			vt = t;
		}
	}
	return v;
}

static void zc_accept(struct zc_serve *s)
{
	for (;;) {
		struct epoll_event e;
		struct zc_conn *c;
		int fd, one = 1;

		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				zc_warn(&s->ctx->cli, "accept: %s", strerror(errno));
			return;
		}
		if (s->nconns >= s->max_conns) {
			struct zc_conn *v = zc_victim(s);

			if (!v) {
				s->refused++;
				close(fd);
				continue;
			}
			s->evicted++;
			zc_conn_close(s, v);
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->kind = ZC_EP_CONN;
		c->fd = fd;
		c->slot = -1;
		c->id = ++s->next_conn_id;
		c->last_ns = zc_now_ns();
		c->head_ns = c->last_ns;	/* the first head, from now */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (s->tls) {
			c->ssl = SSL_new(s->tls);
			if (!c->ssl || !SSL_set_fd(c->ssl, fd)) {
				if (c->ssl)
					SSL_free(c->ssl);
				free(c);
				close(fd);
				continue;
			}
			c->state = ZC_HANDSHAKE;
		} else {
			c->state = ZC_READ;
		}
		c->events = EPOLLIN;
		e.events = EPOLLIN;
		e.data.ptr = c;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e)) {
			zc_warn(&s->ctx->cli, "epoll_ctl: %s", strerror(errno));
			if (c->ssl)
				SSL_free(c->ssl);
			free(c);
			close(fd);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
		s->accepted++;
	}
}

/* ---- building a response ---- */

struct zc_resp {
	int status;
	int fd;				/* the body's file, or -1 */
	uint64_t off, len;		/* its extent */
	uint64_t size;			/* the file's size (Content-Range) */
	time_t mtime;
	const char *type;
	bool body;			/* send the extent (not HEAD) */
};

/* Open @path beneath the root: a regular file, or a directory's index. */
static int zc_open(struct zc_serve *s, const struct zc_http_req *r,
		   struct zc_resp *o, struct stat *st)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	const char *path = r->path[0] ? r->path : ".";
	int fd, err;

	fd = (int)syscall(SYS_openat2, s->rootfd, path, &how, sizeof(how));
	if (fd >= 0 && fstat(fd, st)) {
		close(fd);
		return 500;
	}
	if (fd >= 0 && S_ISDIR(st->st_mode)) {
		int dfd = fd;

		fd = (int)syscall(SYS_openat2, dfd, "index.html", &how,
				  sizeof(how));
		err = errno;
		close(dfd);
		if (fd < 0)
			return err == ENOENT ? 403 : 403;
		if (fstat(fd, st)) {
			close(fd);
			return 500;
		}
		o->type = zc_http_type("index.html");
	} else if (fd >= 0) {
		if (r->dir_slash) {
			close(fd);
			return 404;	/* "file/" names no directory */
		}
		o->type = zc_http_type(path);
	}
	if (fd < 0) {
		switch (errno) {
		case ENOENT:
		case ENOTDIR:
			return 404;
		case ENAMETOOLONG:
			return 414;
		case EMFILE:
		case ENFILE:
			return 503;
		default:
			/* EXDEV (out of the root), ELOOP, EACCES, ENXIO... */
			return 403;
		}
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return 403;
	}
	o->fd = fd;
	return 0;
}

/* What to answer to a parsed request (@perr: zc_http_parse()'s status). */
static void zc_decide(struct zc_serve *s, const struct zc_http_req *r,
		      int perr, struct zc_resp *o)
{
	struct stat st;
	int ret;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->body = !r->head;
	if (perr) {
		o->status = perr;
		return;
	}
	if (!r->get && !r->head) {
		o->status = 405;
		return;
	}
	ret = zc_open(s, r, o, &st);
	if (ret) {
		o->status = ret;
		return;
	}
	o->size = (uint64_t)st.st_size;
	o->mtime = st.st_mtime;
	if (r->have_ims && st.st_mtime <= r->ims) {
		o->status = 304;
		close(o->fd);
		o->fd = -1;
		return;
	}
	o->status = zc_http_range(r, o->size, &o->off, &o->len);
	if (o->status == 200) {
		o->off = 0;
		o->len = o->size;
	} else if (o->status == 416) {
		close(o->fd);
		o->fd = -1;
	}
}

/*
 * The response header is written by appending: snprintf() costs about
 * 1,700 instructions a call in glibc 2.36 (callgrind), and a response
 * took seven of them with its dates and its slot's description, more than
 * a tenth of what a 4 KiB response cost in all. What does not fit in @cap
 * (never, for the header's sizes) is cut.
 */
struct zc_out {
	char *b;
	size_t n, cap;
};

static void zc_out_mem(struct zc_out *o, const char *p, size_t len)
{
	if (len > o->cap - o->n)
		len = o->cap - o->n;
	memcpy(o->b + o->n, p, len);
	o->n += len;
}

static void zc_out_str(struct zc_out *o, const char *p)
{
	zc_out_mem(o, p, strlen(p));
}

static void zc_out_u64(struct zc_out *o, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do
		d[--i] = (char)('0' + v % 10);
	while (v /= 10);
	zc_out_mem(o, d + i, sizeof(d) - i);
}

/* The Date field's value, formatted once a second. */
static const char *zc_date_now(struct zc_serve *s)
{
	time_t now = time(NULL);

	if (now != s->date_t || !s->date[0]) {
		zc_http_date(now, s->date, sizeof(s->date));
		s->date_t = now;
	}
	return s->date;
}

/* Write the header (and an error's body) into slot @i; its length. */
static size_t zc_head(struct zc_serve *s, struct zc_conn *c,
		      const struct zc_http_req *r, const struct zc_resp *o,
		      int i, size_t *body_len)
{
	struct zc_out h = { .b = zc_slot_buf(s, i), .cap = ZC_SLOT_SIZE };
	bool file = o->status == 200 || o->status == 206;
	char lm[ZC_HTTP_DATE_LEN];
	const char *text = zc_http_status_text(o->status);
	char ebody[96];
	struct zc_out e = { .b = ebody, .cap = sizeof(ebody) };

	zc_out_str(&h, "HTTP/1.1 ");
	zc_out_u64(&h, (uint64_t)o->status);
	zc_out_str(&h, " ");
	zc_out_str(&h, text);
	zc_out_str(&h, "\r\nServer: zcopyctl/" ZCOPYCTL_VERSION "\r\nDate: ");
	zc_out_str(&h, zc_date_now(s));
	zc_out_str(&h, "\r\n");
	if (file || o->status == 304) {
		zc_http_date(o->mtime, lm, sizeof(lm));
		zc_out_str(&h, "Last-Modified: ");
		zc_out_str(&h, lm);
		zc_out_str(&h, "\r\n");
	}
	if (file) {
		zc_out_str(&h, "Content-Type: ");
		zc_out_str(&h, o->type);
		zc_out_str(&h, "\r\nContent-Length: ");
		zc_out_u64(&h, o->len);
		zc_out_str(&h, "\r\nAccept-Ranges: bytes\r\n");
		if (o->status == 206) {
			zc_out_str(&h, "Content-Range: bytes ");
			zc_out_u64(&h, o->off);
			zc_out_str(&h, "-");
			zc_out_u64(&h, o->off + o->len - 1);
			zc_out_str(&h, "/");
			zc_out_u64(&h, o->size);
			zc_out_str(&h, "\r\n");
		}
	} else if (o->status != 304) {
		/* The error's body: "404 Not Found\n". */
		zc_out_u64(&e, (uint64_t)o->status);
		zc_out_str(&e, " ");
		zc_out_str(&e, text);
		zc_out_str(&e, "\n");
		zc_out_str(&h, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
		zc_out_u64(&h, e.n);
		zc_out_str(&h, "\r\n");
		if (o->status == 416) {
			zc_out_str(&h, "Content-Range: bytes */");
			zc_out_u64(&h, o->size);
			zc_out_str(&h, "\r\n");
		}
		if (o->status == 405)
			zc_out_str(&h, "Allow: GET, HEAD\r\n");
	}
	if (c->close_after)
		zc_out_str(&h, "Connection: close\r\n");
	else if (r->minor == 0)
		zc_out_str(&h, "Connection: keep-alive\r\n");
	zc_out_str(&h, "\r\n");
	*body_len = 0;
	if (e.n && o->body && h.n + e.n <= h.cap) {
		memcpy(h.b + h.n, ebody, e.n);
		*body_len = e.n;
	}
	return h.n;
}

/* ---- sending ---- */

enum { ZC_SENT, ZC_BLOCKED, ZC_CLOSED };

static int zc_conn_send(struct zc_serve *s, struct zc_conn *c)
{
	struct zc_slot *sl = &s->slots[c->slot];
	uint64_t cookie = (uint64_t)sl->gen << 32 | (uint32_t)c->slot;

	for (;;) {
		unsigned int before = c->st.transfers;
		int ret;

		ret = libzcopy_send_all(s->z, c->fd, c->segs, c->nsegs,
					ZCOPY_SEND_DONTWAIT, cookie, &c->st);
		sl->outstanding += c->st.transfers - before;
		sl->transfers += c->st.transfers - before;
		s->transfers += c->st.transfers - before;
		if (ret == -ENOBUFS) {
			/* Too many completions unread: wait for some. */
			s->enobufs_waits++;
			zc_wait_add(s, c);
			return ZC_BLOCKED;
		}
		if (ret < 0) {
			s->send_errors++;
			if (s->verbose)
				zc_warn(&s->ctx->cli, "conn %" PRIu64 ": send: %s",
					c->id, strerror(-ret));
			zc_conn_close(s, c);
			return ZC_CLOSED;
		}
		if (libzcopy_send_done(&c->st, c->nsegs))
			break;
		if (c->st.stop_reason == ZCOPY_STOP_AGAIN) {
			s->resumes++;
			zc_conn_events(s, c, EPOLLOUT);
			return ZC_BLOCKED;
		}
		/* A signal: go on (the loop sees zc_stop_signal later). */
	}
	if (c->st.eof_segs) {
		/*
		 * The file shrank: fewer bytes than Content-Length said. The
		 * connection ends after them, which the client sees as a
		 * body cut short.
		 */
		s->short_files++;
		c->close_after = true;
		zc_warn(&s->ctx->cli,
			"conn %" PRIu64 " #%" PRIu64 " %s: the file shrank: %" PRIu64 " of %" PRIu64 " body bytes sent, closing",
			c->id, c->nreq, sl->what,
			c->st.bytes_sent - (uint64_t)c->segs[0].len,
			c->nsegs > 1 ? (uint64_t)c->segs[1].len : 0);
	}
	sl->sending = false;
	zc_slot_put_if_done(s, c->slot);
	c->slot = -1;
	return ZC_SENT;
}

/* "GET /path" (cut at 60 bytes of path), or "(bad request)" for none. */
static void zc_slot_what(struct zc_slot *sl, const struct zc_http_req *r)
{
	struct zc_out w = { .b = sl->what, .cap = sizeof(sl->what) - 1 };

	if (!r) {
		zc_out_str(&w, "(bad request)");
	} else {
		zc_out_str(&w, r->method);
		zc_out_str(&w, " /");
		zc_out_mem(&w, r->path, strnlen(r->path, 60));
	}
	sl->what[w.n] = '\0';
}

/*
 * Answer the complete request head at the start of c->in, @hl bytes
 * (0: the head is too long, answered with @perr). ZC_BLOCKED without a
 * free slot: the request stays in the buffer.
 */
static int zc_respond(struct zc_serve *s, struct zc_conn *c, size_t hl,
		      int perr)
{
	struct zc_http_req r;
	struct zc_resp o;
	struct zc_slot *sl;
	size_t n, body = 0;
	int i;

	if (s->free_slot < 0) {
		s->slot_waits++;
		zc_wait_add(s, c);
		return ZC_BLOCKED;
	}
	if (hl)
		perr = zc_http_parse(c->in, hl, &r);
	else
		memset(&r, 0, sizeof(r));
	zc_decide(s, &r, perr, &o);
	s->requests++;
	s->status[o.status < 600 ? o.status : 599]++;
	c->nreq++;
	/* Errors of the request itself end the connection, as a body does. */
	c->close_after = perr || !r.keep_alive || r.has_body || zc_stop_signal;

	i = zc_slot_get(s);
	sl = &s->slots[i];
	sl->conn = c->id;
	sl->req = c->nreq;
	sl->status = o.status;
	sl->fd = o.fd;
	zc_slot_what(sl, perr ? NULL : &r);
	n = zc_head(s, c, &r, &o, i, &body);
	c->slot = i;
	libzcopy_seg_pool(&c->segs[0], s->pool.id,
			  (uint64_t)i * ZC_SLOT_SIZE, n + body);
	c->nsegs = 1;
	if (o.fd >= 0 && o.body && o.len)
		libzcopy_seg_file(&c->segs[c->nsegs++], o.fd, o.off, o.len);
	memset(&c->st, 0, sizeof(c->st));
	/* Consume the head; pipelined bytes after it stay. */
	if (hl) {
		memmove(c->in, c->in + hl, c->in_len - hl);
		c->in_len -= hl;
	} else {
		c->in_len = 0;
	}
	c->state = ZC_SEND;
	return zc_conn_send(s, c);
}

/* ---- reading ---- */

/* > 0 bytes read, 0 EOF, -EAGAIN nothing now, other < 0 an error. */
static ssize_t zc_conn_recv(struct zc_conn *c, char *buf, size_t len)
{
	ssize_t r;
	int n, e;

	if (!c->ssl || c->state == ZC_DRAIN) {
		r = read(c->fd, buf, len);
		if (r < 0)
			return errno == EAGAIN || errno == EINTR ? -EAGAIN : -errno;
		c->rd_dry = !c->ssl && (size_t)r < len;
		return r;
	}
	n = SSL_read(c->ssl, buf, (int)len);
	if (n > 0)
		return n;
	e = SSL_get_error(c->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	ERR_clear_error();
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	return -EPROTO;
}

/* The TLS handshake, non-blocking: 1 done, 0 in progress, -1 closed. */
static int zc_handshake(struct zc_serve *s, struct zc_conn *c)
{
	int r = SSL_accept(c->ssl), e;

	if (r == 1) {
		if (!BIO_get_ktls_send(SSL_get_wbio(c->ssl))) {
			/* No kernel TLS: refused, never a user-space copy. */
			if (!s->ktls_missing++)
				zc_warn(&s->ctx->cli,
					"the TLS keys did not go to the kernel (kTLS): is the tls module loaded? (cipher %s) Closing such connections",
					SSL_get_cipher_name(c->ssl));
			zc_conn_close(s, c);
			return -1;
		}
		s->tls_ok++;
		c->state = ZC_READ;
		return 1;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		zc_conn_events(s, c, EPOLLIN);
		return 0;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		zc_conn_events(s, c, EPOLLOUT);
		return 0;
	}
	s->tls_fail++;
	if (s->verbose) {
		char msg[160];

		ERR_error_string_n(ERR_peek_last_error(), msg, sizeof(msg));
		zc_warn(&s->ctx->cli, "conn %" PRIu64 ": TLS handshake: %s",
			c->id, ERR_peek_last_error() ? msg : "failed");
	}
	ERR_clear_error();
	zc_conn_close(s, c);
	return -1;
}

/* After the last response: close_notify, FIN, then read until EOF. */
static void zc_start_drain(struct zc_serve *s, struct zc_conn *c)
{
	if (c->ssl) {
		SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	shutdown(c->fd, SHUT_WR);
	c->state = ZC_DRAIN;
	c->last_ns = zc_now_ns();
	c->drain_ns = c->last_ns;
	zc_conn_events(s, c, EPOLLIN);
}

/* Run the connection as far as it goes without blocking. */
static void zc_conn_run(struct zc_serve *s, struct zc_conn *c)
{
	char *end;
	ssize_t r;
	int ret = 0;

	c->last_ns = zc_now_ns();
	for (;;) {
		switch (c->state) {
		case ZC_HANDSHAKE:
			if (zc_handshake(s, c) <= 0)
				return;
			break;
		case ZC_READ:
			end = (char *)zc_http_find(c->in, c->in_len, "\r\n\r\n", 4);
			if (end) {
				c->head_ns = 0;
				ret = zc_respond(s, c, (size_t)(end - c->in) + 4, 0);
			} else if (c->in_len == sizeof(c->in)) {
				/* No end of the head in 8 KiB. */
				c->head_ns = 0;
				ret = zc_respond(s, c, 0,
						 zc_http_find(c->in, c->in_len, "\r\n", 2) ?
						 431 : 414);
			} else if (c->rd_dry) {
				zc_conn_events(s, c, EPOLLIN);
				return;
			} else {
				r = zc_conn_recv(c, c->in + c->in_len,
						 sizeof(c->in) - c->in_len);
				if (r == -EAGAIN) {
					zc_conn_events(s, c, EPOLLIN);
					return;
				}
				if (r <= 0) {
					zc_conn_close(s, c);
					return;
				}
				c->in_len += (size_t)r;
				/* The header deadline runs from its first byte. */
				if (!c->head_ns)
					c->head_ns = c->last_ns;
				break;
			}
			if (ret != ZC_SENT)
				return;
			goto sent;
		case ZC_SEND:
			ret = zc_conn_send(s, c);
			if (ret != ZC_SENT)
				return;
sent:
			if (c->close_after) {
				zc_start_drain(s, c);
				break;
			}
			c->state = ZC_READ;
			/* A pipelined head began already. */
			c->head_ns = c->in_len ? zc_now_ns() : 0;
			/*
			 * Back to the event loop after each response unless
			 * the next head is already with us (pipelined, or in
			 * OpenSSL's buffer), where epoll cannot see it. A
			 * client whose next request is in by the time a send
			 * returns (a long kTLS send on 6.1 encrypts while the
			 * client reads) kept the loop to itself, and the other
			 * connections waited for it until their timeouts.
			 */
			if (!c->in_len && !(c->ssl && SSL_has_pending(c->ssl))) {
				zc_conn_events(s, c, EPOLLIN);
				return;
			}
			break;
		case ZC_DRAIN: {
			char junk[4096];

			r = zc_conn_recv(c, junk, sizeof(junk));
			if (r == -EAGAIN)
				return;
			if (r <= 0) {
				zc_conn_close(s, c);
				return;
			}
			break;
		}
		}
	}
}

/* Connections that waited for a slot or for completions try again. */
static void zc_wake_waiters(struct zc_serve *s)
{
	struct zc_conn *c, *last = s->wtail;

	while ((c = s->whead)) {
		bool was_last = c == last;

		zc_wait_del(s, c);
		zc_conn_run(s, c);	/* may close it */
		if (was_last || s->free_slot < 0)
			break;
	}
}

/* ---- completions ---- */

static void zc_reap(struct zc_serve *s)
{
	struct zcopy_completion comp[64];
	int n, i;

	do {
		n = libzcopy_reap(s->z, comp, 64, 0);
		if (n < 0) {
			if (n != -EINTR)
				zc_warn(&s->ctx->cli, "reading completions: %s",
					strerror(-n));
			return;
		}
		for (i = 0; i < n; i++) {
			const struct zcopy_completion *c = &comp[i];
			uint32_t idx = (uint32_t)c->cookie;
			struct zc_slot *sl;

			s->completions++;
			s->bytes += c->bytes;
			s->pool_bytes += c->pool_bytes;
			s->zc_bytes += c->zc_bytes;
			s->copied_bytes += c->copied_bytes;
			if (c->copied_bytes)
				s->reason_bytes[c->reason < ZC_NREASONS ?
						c->reason : ZC_NREASONS - 1] +=
					c->copied_bytes;
			if (c->error && c->error != -EAGAIN && c->error != -EINTR)
				s->compl_errors++;
			if (idx >= ZC_NSLOTS ||
			    s->slots[idx].gen != (uint32_t)(c->cookie >> 32) ||
			    !s->slots[idx].outstanding) {
				s->stray++;
				continue;
			}
			sl = &s->slots[idx];
			sl->bytes += c->bytes;
			sl->zc += c->zc_bytes;
			sl->copied += c->copied_bytes;
			if (!sl->reason && c->reason)
				sl->reason = c->reason;
			if (c->error && c->error != -EAGAIN && c->error != -EINTR)
				sl->error = c->error;
			sl->outstanding--;
			zc_slot_put_if_done(s, (int)idx);
		}
	} while (n == 64);
}

static unsigned int zc_outstanding(const struct zc_serve *s)
{
	unsigned int i, n = 0;

	for (i = 0; i < ZC_NSLOTS; i++)
		n += s->slots[i].outstanding;
	return n;
}

/* ---- timers ---- */

static void zc_timers(struct zc_serve *s)
{
	uint64_t now = zc_now_ns();
	struct zc_conn *c, *next;

	for (c = s->conns; c; c = next) {
		uint64_t idle = now - c->last_ns;

		next = c->next;
		if (c->waiting)
			continue;	/* for the server: a slot, completions */
		switch (c->state) {
		case ZC_SEND:
			/* The client took no byte of the response. */
			if (idle > s->idle_ns) {
				s->tmo_send++;
				zc_conn_abort(s, c);
			}
			break;
		case ZC_DRAIN:
			if (now - c->drain_ns > 5000000000ull ||
			    idle > s->idle_ns)
				zc_conn_close(s, c);
			break;
		case ZC_HANDSHAKE:
		case ZC_READ:
			/* A head coming too slowly, however steadily. */
			if (c->head_ns && now - c->head_ns > s->header_ns) {
				s->tmo_head++;
				if (s->verbose)
					zc_warn(&s->ctx->cli,
						"conn %" PRIu64 ": no %s in %" PRIu64 " ms (%zu bytes of a head read, %" PRIu64 " responses), closing",
						c->id,
						c->state == ZC_HANDSHAKE ? "TLS handshake" : "request head",
						(now - c->head_ns) / 1000000, c->in_len, c->nreq);
				zc_conn_close(s, c);
			} else if (idle > s->idle_ns) {
				s->tmo_idle++;
				zc_conn_close(s, c);
			}
			break;
		}
	}
}

/* ---- TLS ---- */

static void zc_tls_err(struct zc_serve *s, const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[200];

	ERR_error_string_n(e, msg, sizeof(msg));
	zc_err(&s->ctx->cli, "%s: %s", what, e ? msg : "failed");
	ERR_clear_error();
}

static int zc_tls_init(struct zc_serve *s, const char *cert, const char *key)
{
	SSL_CTX *t = SSL_CTX_new(TLS_server_method());

	if (!t) {
		zc_tls_err(s, "SSL_CTX_new");
		return -1;
	}
	s->tls = t;
	/* TLS 1.3 and AES-GCM only: what kTLS takes, in every kernel here. */
	if (!SSL_CTX_set_min_proto_version(t, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(t, "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384")) {
		zc_tls_err(s, "TLS 1.3 setup");
		return -1;
	}
	SSL_CTX_set_options(t, SSL_OP_ENABLE_KTLS | SSL_OP_NO_RENEGOTIATION);
	/* No session tickets: nothing written by OpenSSL after the keys. */
	SSL_CTX_set_num_tickets(t, 0);
	if (SSL_CTX_use_certificate_chain_file(t, cert) != 1) {
		zc_tls_err(s, cert);
		return -1;
	}
	if (SSL_CTX_use_PrivateKey_file(t, key, SSL_FILETYPE_PEM) != 1) {
		zc_tls_err(s, key);
		return -1;
	}
	if (SSL_CTX_check_private_key(t) != 1) {
		zc_tls_err(s, "the key does not match the certificate");
		return -1;
	}
	return 0;
}

/* ---- the summary ---- */

static void zc_serve_report(struct zc_serve *s)
{
	static const int codes[] = {
		200, 206, 304, 400, 403, 404, 405, 414, 416, 431, 500, 503, 505,
	};
	uint64_t file_bytes = s->bytes - s->pool_bytes;
	char pct[16], key[8];
	size_t i;

	zc_obj_open(NULL);
	zc_print_u64(ZC_ANY, "requests", "served     %" PRIu64 " requests",
		     s->requests);
	zc_print_u64(ZC_ANY, "connections", " on %" PRIu64 " connections",
		     s->accepted);
	if (s->tls)
		zc_print_u64(ZC_ANY, "tls_handshakes",
			     " (%" PRIu64 " TLS with kTLS TX", s->tls_ok);
	zc_print_u64(s->tls ? ZC_ANY : ZC_JSON, "tls_failures",
		     ", %" PRIu64 " failed handshakes", s->tls_fail);
	zc_print_u64(s->tls ? ZC_ANY : ZC_JSON, "ktls_missing",
		     ", %" PRIu64 " without kTLS)", s->ktls_missing);
	zc_print_u64(s->refused ? ZC_ANY : ZC_JSON, "refused",
		     ", %" PRIu64 " refused", s->refused);
	zc_print_u64(s->evicted ? ZC_ANY : ZC_JSON, "evicted",
		     ", %" PRIu64 " closed for room", s->evicted);
	zc_print_nl();
	/* connections closed by each timeout */
	zc_print_text("timeouts  ");
	zc_obj_open("timeouts");
	zc_print_u64(ZC_ANY, "idle", " %" PRIu64 " idle", s->tmo_idle);
	zc_print_u64(ZC_ANY, "header", ", %" PRIu64 " slow heads", s->tmo_head);
	zc_print_u64(ZC_ANY, "send", ", %" PRIu64 " stalled sends", s->tmo_send);
	zc_obj_close();
	zc_print_nl();
	zc_print_text("status    ");
	zc_obj_open("status");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (!s->status[codes[i]])
			continue;
		snprintf(key, sizeof(key), "%d", codes[i]);
		zc_print_text(" %d:", codes[i]);
		zc_print_u64(ZC_ANY, key, "%" PRIu64, s->status[codes[i]]);
	}
	zc_obj_close();
	zc_print_nl();
	zc_print_u64(ZC_ANY, "transfers", "transfers  %" PRIu64, s->transfers);
	zc_print_u64(ZC_ANY, "completions", ", %" PRIu64 " completed",
		     s->completions);
	zc_print_u64(ZC_ANY, "resumes", ", %" PRIu64 " short sends resumed",
		     s->resumes);
	zc_print_u64(ZC_ANY, "enobufs_waits",
		     ", %" PRIu64 " waits for completions", s->enobufs_waits);
	zc_print_u64(ZC_ANY, "slot_waits", ", %" PRIu64 " for a header slot\n",
		     s->slot_waits);
	zc_print_u64(ZC_ANY, "bytes", "sent       %" PRIu64 " bytes", s->bytes);
	zc_print_u64(ZC_ANY, "pool_bytes", ": headers %" PRIu64, s->pool_bytes);
	zc_print_u64(ZC_ANY, "file_bytes", ", files %" PRIu64 "\n", file_bytes);
	zc_print_u64(ZC_ANY, "zc_bytes", "zero-copy  %" PRIu64 " bytes",
		     s->zc_bytes);
	zc_print_text(" (%s)\n", zc_fmt_pct(s->zc_bytes, s->bytes, pct,
					    sizeof(pct)));
	zc_print_u64(ZC_ANY, "copied_bytes", "copied     %" PRIu64 " bytes",
		     s->copied_bytes);
	zc_print_text(" (%s)", zc_fmt_pct(s->copied_bytes, s->bytes, pct,
					  sizeof(pct)));
	zc_obj_open("copied_by_reason");
	for (i = 0; i < ZC_NREASONS; i++) {
		if (!s->reason_bytes[i])
			continue;
		zc_print_text(", %s ", zc_reason_name((uint32_t)i));
		zc_print_u64(ZC_ANY, zc_reason_name((uint32_t)i), "%" PRIu64,
			     s->reason_bytes[i]);
	}
	zc_obj_close();
	zc_print_nl();
	zc_print_u64(ZC_ANY, "send_errors", "errors     %" PRIu64 " sends failed",
		     s->send_errors);
	zc_print_u64(ZC_ANY, "completion_errors",
		     ", %" PRIu64 " transfers ended early", s->compl_errors);
	zc_print_u64(ZC_ANY, "short_files", ", %" PRIu64 " files shrank",
		     s->short_files);
	zc_print_u64(ZC_ANY, "stray_completions",
		     ", %" PRIu64 " stray completions\n", s->stray);
	zc_obj_close();
	zc_print_end();
}

/* ---- the command ---- */

static int zc_serve_listen(struct zc_serve *s, const char *bind_addr,
			   uint64_t port, const char *ready)
{
	struct zc_ctx *ctx = s->ctx;
	struct zc_hostport hp;
	char buf[300], local[160], portbuf[16];
	const char *p;

	if (strchr(bind_addr, ':'))
		snprintf(buf, sizeof(buf), "[%s]:%" PRIu64, bind_addr, port);
	else
		snprintf(buf, sizeof(buf), "%s:%" PRIu64, bind_addr, port);
	if (zc_parse_hostport(ctx, buf, true, &hp))
		return EXIT_USAGE;
	s->lfd = zc_tcp_listen(ctx, &hp);
	if (s->lfd < 0)
		return EXIT_FAIL;
	/* Room for wrk's burst of connections. */
	if (listen(s->lfd, 1024) ||
	    fcntl(s->lfd, F_SETFL, fcntl(s->lfd, F_GETFL) | O_NONBLOCK)) {
		zc_err(&ctx->cli, "listen: %s", strerror(errno));
		return EXIT_FAIL;
	}
	zc_sock_peer_str(s->lfd, false, local, sizeof(local));
	p = strrchr(local, ':');
	snprintf(portbuf, sizeof(portbuf), "%s\n", p ? p + 1 : "?");
	fprintf(stderr, "zcopyctl: serve: %s on %s\n",
		s->tls ? "https" : "http", local);
	if (ready && zc_write_ready_file(&ctx->cli, ready, portbuf))
		return EXIT_FAIL;
	return 0;
}

/* --WHAT-timeout SECS in @ns: 0, or EXIT_USAGE (said). */
static int zc_opt_timeout(struct zc_cli *cli, const char *what,
			  const char *arg, uint64_t *ns)
{
	double secs;

	if (zc_parse_secs(arg, &secs) || secs <= 0)
		return zc_usage_error(cli, "--%s-timeout '%s': expected seconds",
				      what, arg);
	*ns = (uint64_t)(secs * 1e9);
	return 0;
}

int cmd_serve(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_serve s = {
		.ctx = ctx, .ep = -1, .lfd = -1, .rootfd = -1, .free_slot = -1,
		.max_conns = 512, .idle_ns = 60000000000ull,
		.header_ns = 10000000000ull,
		.lkind = ZC_EP_LISTEN, .dkind = ZC_EP_DEV,
	};
	const char *root = ".", *bind_addr = "", *cert = NULL, *key = NULL;
	const char *ready = NULL;
	struct epoll_event e, evs[64];
	uint64_t port = 8080, deadline;
	struct zcopy_query q;
	int c, i, n, ret = EXIT_FAIL;
	bool listening;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_PORT:
			if (zc_parse_u64(optarg, &port) || port > 65535)
				return zc_usage_error(&ctx->cli, "--port '%s': expected 0 to 65535",
						      optarg);
			break;
		case OPT_BIND:
			bind_addr = optarg;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_TLS:
			cert = optarg;
			if (optind >= argc || argv[optind][0] == '-')
				return zc_usage_error(&ctx->cli, "--tls CERT KEY: missing KEY");
			key = argv[optind++];
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case OPT_MAX_CONNS:
			if (zc_opt_count(&ctx->cli, optarg, &s.max_conns))
				return EXIT_USAGE;
			break;
		case OPT_IDLE:
			if (zc_opt_timeout(&ctx->cli, "idle", optarg, &s.idle_ns))
				return EXIT_USAGE;
			break;
		case OPT_HEADER:
			if (zc_opt_timeout(&ctx->cli, "header", optarg,
					   &s.header_ns))
				return EXIT_USAGE;
			break;
		case OPT_VERBOSE:
			s.verbose = true;
			break;
		case ZC_OPT_EXIT:
			return ctx->cli.exit;
		}
	}
	if (zc_no_operands(&ctx->cli, argc, argv))
		return EXIT_USAGE;

	s.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s.rootfd < 0) {
		zc_err(&ctx->cli, "--root %s: %s", root, strerror(errno));
		return EXIT_FAIL;
	}
	if (cert && zc_tls_init(&s, cert, key))
		goto out;

	s.z = NULL;
	{
		int err = -libzcopy_open(&s.z, LIBZCOPY_NONBLOCK);

		if (err) {
			s.z = NULL;
			zc_err(&ctx->cli, "/dev/zcopy: %s%s", strerror(err),
			       err == ENOENT ? ": is zcopy.ko loaded?" : "");
			goto out;
		}
	}
	if (zc_dev_query(ctx, s.z, &q))
		goto out;
	if (!(q.features & ZCOPY_FEATURE_SEND)) {
		zc_err(&ctx->cli, "the loaded zcopy module cannot send (no ZCOPY_FEATURE_SEND)");
		goto out;
	}
	if (zc_pool_create(ctx, s.z, NULL, (size_t)ZC_NSLOTS * ZC_SLOT_SIZE,
			   &s.pool))
		goto out;
	for (i = ZC_NSLOTS - 1; i >= 0; i--) {
		s.slots[i].fd = -1;
		s.slots[i].next_free = s.free_slot;
		s.free_slot = i;
	}

	ret = zc_serve_listen(&s, bind_addr, port, ready);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0) {
		zc_err(&ctx->cli, "epoll_create1: %s", strerror(errno));
		goto out;
	}
	e.events = EPOLLIN;
	e.data.ptr = &s.lkind;
	if (epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, &e))
		goto ep_fail;
	e.data.ptr = &s.dkind;
	if (epoll_ctl(s.ep, EPOLL_CTL_ADD, libzcopy_fd(s.z), &e))
		goto ep_fail;

	signal(SIGPIPE, SIG_IGN);
	zc_catch_signals(false);
	while (!zc_stop_signal) {
		n = epoll_wait(s.ep, evs, 64, 1000);
		if (n < 0 && errno != EINTR) {
			zc_err(&ctx->cli, "epoll_wait: %s", strerror(errno));
			goto out;
		}
		listening = false;
		for (i = 0; i < n; i++) {
			enum zc_kind *k = evs[i].data.ptr;

			if (*k == ZC_EP_LISTEN)
				listening = true;
			else if (*k == ZC_EP_DEV)
				zc_reap(&s);
		}
		/* Completions first: they free slots the connections want. */
		for (i = 0; i < n; i++) {
			struct zc_conn *cn = evs[i].data.ptr;

			if (cn->kind != ZC_EP_CONN)
				continue;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
				cn->rd_dry = false;
			/* Each connection once per round: it may close. */
			zc_conn_run(&s, cn);
		}
		if (s.whead)
			zc_wake_waiters(&s);
		/* Last: making room may close a connection of evs[]. */
		if (listening)
			zc_accept(&s);
		zc_timers(&s);
	}
	ret = EXIT_OK;

	/*
	 * Stop: close every connection, with a reset if its response is
	 * not all out (the stack purges what it holds, and every transfer
	 * completes), wait for the completions, then free the pool.
	 */
	while (s.conns) {
		if (s.conns->slot >= 0)
			zc_conn_abort(&s, s.conns);
		else
			zc_conn_close(&s, s.conns);
	}
	deadline = zc_now_ns() + 10000000000ull;
	while (zc_outstanding(&s) && zc_now_ns() < deadline) {
		n = epoll_wait(s.ep, evs, 64, 100);
		zc_reap(&s);
	}
	if (zc_outstanding(&s)) {
		zc_err(&ctx->cli, "%u transfers did not complete in 10 s",
		       zc_outstanding(&s));
		ret = EXIT_FAIL;
	}
	zc_serve_report(&s);
	goto out;
ep_fail:
	zc_err(&ctx->cli, "epoll_ctl: %s", strerror(errno));
out:
	while (s.conns)
		zc_conn_close(&s, s.conns);
	for (i = 0; i < ZC_NSLOTS; i++)
		if (s.slots[i].fd >= 0)
			close(s.slots[i].fd);
	if (s.z) {
		zc_pool_destroy(ctx, s.z, &s.pool);
		libzcopy_close(s.z);
	}
	if (s.tls)
		SSL_CTX_free(s.tls);
	if (s.ep >= 0)
		close(s.ep);
	if (s.lfd >= 0)
		close(s.lfd);
	if (s.rootfd >= 0)
		close(s.rootfd);
	return ret;
}
