// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: send. A header in a pool and file extents, in one stream, by
 * the netlink XFER_START operation (or ZCOPY_IOC_SEND with --ioctl). By
 * netlink the kernel sends in the background: zcopyctl waits for the
 * transfer's end on the events socket, shows its progress events, and
 * cancels it on SIGINT or SIGTERM (and the kernel does if zcopyctl dies).
 *
 * The segments the user asked for are cut into sends of at most
 * max_segments segments and max_send_bytes bytes; a send that stops early
 * (end of file, would block, signal) is resumed where it stopped. Every
 * send that succeeded produces one completion on the /dev/zcopy file;
 * they are read and added up for the report.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <netlink/socket.h>

#include "zcopyctl.h"

enum {
	OPT_HEADER_TEXT = 't',
	OPT_HEADER_FILE = 'H',
	OPT_FD = 'f',
	OPT_COOKIE = 'c',
	OPT_TIMEOUT = 'T',
	OPT_QUIET = 'q',
	OPT_IOCTL = 256,
	OPT_MORE,
	OPT_SHUTDOWN,
	OPT_DONTWAIT,
	OPT_FILE_NOTIFY,
	OPT_NOWAIT_IO,
	OPT_WILLNEED,
	OPT_DROP_BEHIND,
};

const struct zc_opt zc_send_opts[] = {
	{ "header-text", OPT_HEADER_TEXT, "STR",
	  "header bytes, with C escapes (\\r \\n \\t \\\\ \\xHH \\0NN)" },
	{ "header-file", OPT_HEADER_FILE, "FILE", "header bytes from FILE" },
	{ "fd", OPT_FD, "N",
	  "send on the inherited connected TCP socket N, not to HOST:PORT" },
	{ "ioctl", OPT_IOCTL, NULL,
	  "use ZCOPY_IOC_SEND instead of netlink XFER_START" },
	{ "cookie", OPT_COOKIE, "N",
	  "the transfers' cookie (default: from the pid and the clock)" },
	{ "timeout", OPT_TIMEOUT, "SECS",
	  "wait at most SECS for completions (default 60)" },
	{ "more", OPT_MORE, NULL,
	  "more data follows: keep MSG_MORE on the last byte (with --fd)" },
	{ "shutdown", OPT_SHUTDOWN, NULL,
	  "shut down the writing side of --fd N when done" },
	{ "dontwait", OPT_DONTWAIT, NULL,
	  "non-blocking sends (ZCOPY_SEND_DONTWAIT): wait in poll() and "
	  "resume whenever the socket buffer is full" },
	{ "file-notify", OPT_FILE_NOTIFY, NULL,
	  "completions wait until the stack has released the files' pages "
	  "(ZCOPY_SEND_FILE_NOTIFY): the files may change after them" },
	{ "nowait-io", OPT_NOWAIT_IO, NULL,
	  "never wait for the disk (ZCOPY_SEND_NOWAIT_IO): a send stops "
	  "before pages not in the page cache, and is resumed shortly" },
	{ "willneed", OPT_WILLNEED, NULL,
	  "start reading every file extent when its send starts "
	  "(ZCOPY_SEG_WILLNEED)" },
	{ "drop-behind", OPT_DROP_BEHIND, NULL,
	  "evict the files' pages from the page cache once sent "
	  "(ZCOPY_SEG_DROP_BEHIND; implies --file-notify)" },
	{ "quiet", OPT_QUIET, NULL, "no progress line" },
	{ NULL, 0, NULL, NULL },
};

/* One segment as the user asked for it. */
struct zc_src {
	uint32_t type;
	uint32_t id;			/* pool id, or file descriptor */
	uint64_t offset, len;
	bool to_eof;			/* size unknown (procfs): until EOF */
	const char *name;
};

/* One segment of a send: a piece of a source. */
struct zc_piece {
	size_t src;
	uint64_t offset, len;		/* offset within the source's range */
};

struct zc_send {
	struct zc_ctx *ctx;
	bool use_ioctl, more, do_shutdown, quiet, dontwait, file_notify;
	bool nowait_io;
	uint32_t seg_hints;		/* ZCOPY_SEG_* of every file segment */
	uint64_t not_cached;		/* sends stopped for the page cache */
	struct libzcopy *z;		/* /dev/zcopy */
	struct libzcopy_nl *ev;		/* netlink: the events socket */
	uint64_t xfers_cancelled;	/* netlink: cancelled on a signal */
	int devfd, sockfd;
	uint64_t cookie;
	double timeout;
	struct zcopy_query q;
	struct zc_src *srcs;
	size_t nsrcs;
	struct zc_piece *pieces;
	struct zcopy_seg *segs;		/* the pieces of one send */
	struct zcopy_seg_result *results;	/* --ioctl */
	uint64_t total;			/* bytes asked for; 0 with to_eof */
	bool total_known;

	/* cursor: the next byte to send */
	size_t cur_src;
	uint64_t cur_off;

	/* what happened */
	uint64_t sent, sends, resumes, completions;
	uint64_t bytes, pool_bytes, zc_bytes, copied_bytes;
	uint32_t compl_flags, reason;
	uint64_t changed;		/* completions with file-changed */
	int32_t error;
	bool short_file, failed;
	uint64_t t0, t_sent, t_done;

	/* progress line */
	pthread_t progress;
	bool progress_on;
	volatile bool progress_stop;
	bool progress_shown;
};

/* ---- building the list of sources ---- */

static int zc_add_src(struct zc_send *s, const struct zc_src *src)
{
	struct zc_src *n = realloc(s->srcs, (s->nsrcs + 1) * sizeof(*n));

	if (!n) {
		zc_err(&s->ctx->cli, "out of memory");
		return -1;
	}
	s->srcs = n;
	s->srcs[s->nsrcs++] = *src;
	return 0;
}

/*
 * FILE, FILE:OFFSET, FILE:OFFSET:LEN, FILE::LEN. A name that exists as
 * given is a file name even if it has colons.
 */
static int zc_parse_extent(struct zc_send *s, char *arg)
{
	struct zc_ctx *ctx = s->ctx;
	const char *orig = strdupa(arg);
	char *name = arg, *c1 = NULL, *c2 = NULL;
	uint64_t off = 0, len = 0;
	bool have_len = false;
	struct zc_src src = { .type = ZCOPY_SEG_FILE };
	struct stat st;
	int fd;

	if (stat(arg, &st)) {
		c2 = strrchr(arg, ':');
		if (c2) {
			*c2 = '\0';
			c1 = strrchr(arg, ':');
			if (c1 && stat(arg, &st)) {
				*c1 = '\0';
			} else {
				/* FILE:OFFSET */
				c1 = c2;
				c2 = NULL;
			}
		}
		if (c1 && c1[1] && zc_parse_u64(c1 + 1, &off))
			return zc_usage_error(&ctx->cli, "'%s': bad offset '%s'",
					      orig, c1 + 1);
		if (c2) {
			if (!c2[1] || zc_parse_u64(c2 + 1, &len) || !len)
				return zc_usage_error(&ctx->cli,
					"'%s': bad length '%s' (at least 1)",
					orig, c2 + 1);
			have_len = true;
		}
		/* File offsets are loff_t: the extent must end below 2^63. */
		if (off > INT64_MAX || len > INT64_MAX - off)
			return zc_usage_error(&ctx->cli,
				"'%s': the extent ends past the largest file offset (2^63 - 1)",
				orig);
	}

	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		zc_err(&ctx->cli, "%s: %s", name, strerror(errno));
		return EXIT_FAIL;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		zc_err(&ctx->cli, "%s: %s (zcopy sends extents of regular files)",
		       name, S_ISDIR(st.st_mode) ? "is a directory" :
		       "not a regular file");
		close(fd);
		return EXIT_FAIL;
	}
	src.id = (uint32_t)fd;
	src.name = name;
	src.offset = off;
	if (!st.st_size) {
		/* procfs and friends: their size reads as 0. */
		src.to_eof = true;
		src.len = have_len ? len : UINT64_MAX / 4;
	} else if (off > (uint64_t)st.st_size ||
		   (have_len && len > (uint64_t)st.st_size - off)) {
		zc_err(&ctx->cli,
		       "%s: the extent [%" PRIu64 ", %" PRIu64 ") goes beyond the end of the file (%" PRIu64 " bytes)",
		       name, off, off + (have_len ? len : 0),
		       (uint64_t)st.st_size);
		close(fd);
		return EXIT_FAIL;
	} else if (!have_len && off == (uint64_t)st.st_size) {
		zc_err(&ctx->cli, "%s: nothing to send at offset %" PRIu64 " (the file has %" PRIu64 " bytes)",
		       name, off, (uint64_t)st.st_size);
		close(fd);
		return EXIT_FAIL;
	} else {
		src.len = have_len ? len : (uint64_t)st.st_size - off;
	}
	if (src.to_eof)
		s->total_known = false;
	else
		s->total += src.len;
	return zc_add_src(s, &src) ? EXIT_FAIL : 0;
}

static int zc_read_file(struct zc_ctx *ctx, const char *path, char **buf,
			size_t *len, size_t max)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !b) {
		zc_err(&ctx->cli, "--header-file %s: %s", path, strerror(errno));
		free(b);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (;;) {
		if (n == cap) {
			char *nb;

			if (cap >= max) {
				zc_err(&ctx->cli, "--header-file %s: larger than the largest pool (%zu bytes)",
				       path, max);
				goto fail;
			}
			cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				zc_err(&ctx->cli, "out of memory");
				goto fail;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			zc_err(&ctx->cli, "--header-file %s: %s", path,
			       strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
fail:
	close(fd);
	free(b);
	return -1;
}

/* ---- one send ---- */

/* Cut the next send from the cursor: pieces within the kernel's limits. */
static size_t zc_build(struct zc_send *s, uint64_t *bytes)
{
	uint64_t budget = s->q.max_send_bytes;
	size_t n = 0, i;

	*bytes = 0;
	for (i = s->cur_src; i < s->nsrcs && n < s->q.max_segments && budget;
	     i++) {
		uint64_t start = i == s->cur_src ? s->cur_off : 0;
		uint64_t len = s->srcs[i].len - start;

		if (len > budget)
			len = budget;
		s->pieces[n].src = i;
		s->pieces[n].offset = start;
		s->pieces[n].len = len;
		budget -= len;
		*bytes += len;
		n++;
	}
	return n;
}

/* Advance the cursor past a send that sent everything. */
static void zc_advance_all(struct zc_send *s, size_t n)
{
	const struct zc_piece *p = &s->pieces[n - 1];

	if (p->offset + p->len >= s->srcs[p->src].len) {
		s->cur_src = p->src + 1;
		s->cur_off = 0;
	} else {
		s->cur_src = p->src;
		s->cur_off = p->offset + p->len;
	}
}

struct zc_result {
	uint64_t bytes_sent, stop_offset;
	uint32_t stop_seg, stop_reason, stop_errno;
};

/* The pieces of the next send as segments. */
static void zc_fill_segs(struct zc_send *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct zc_piece *p = &s->pieces[i];
		const struct zc_src *src = &s->srcs[p->src];

		if (src->type == ZCOPY_SEG_POOL)
			libzcopy_seg_pool(&s->segs[i], src->id,
					  src->offset + p->offset, p->len);
		else {
			libzcopy_seg_file(&s->segs[i], (int)src->id,
					  src->offset + p->offset, p->len);
			s->segs[i].flags = s->seg_hints;
		}
	}
}

static void zc_result_from(struct zc_result *r, const struct zcopy_send *a)
{
	r->bytes_sent = a->bytes_sent;
	r->stop_seg = a->stop_seg;
	r->stop_reason = a->stop_reason;
	r->stop_offset = a->stop_offset;
	r->stop_errno = (uint32_t)a->stop_errno;
}

/* What the events say of the transfer the netlink send waits for. */
struct zc_xfer_wait {
	struct zc_send *s;
	uint32_t id;
	bool done;			/* XFER_DONE or SEND_FAILED came */
	int err;			/* SEND_FAILED's error */
	struct zc_result *r;
	uint64_t last_event_ns;
};

static void zc_xfer_progress_line(struct zc_send *s, uint64_t sent,
				  uint64_t acked, bool acked_known)
{
	char b1[24], b2[24];

	if (s->quiet || !isatty(STDERR_FILENO))
		return;
	zc_fmt_bytes(acked_known ? acked : sent, b1, sizeof(b1));
	fprintf(stderr, "\rzcopyctl: send: %s of %s %s (the kernel waits for the peer)\033[K",
		b1, zc_fmt_bytes(s->total, b2, sizeof(b2)),
		acked_known ? "acknowledged" : "sent");
	s->progress_shown = true;
}

static int zc_xfer_event(const struct libzcopy_nl_obj *o, void *arg)
{
	struct zc_xfer_wait *w = arg;

	if (!libzcopy_nl_has(o, ZCOPY_A_XFER_ID) ||
	    libzcopy_nl_get(o, ZCOPY_A_XFER_ID) != w->id)
		return 0;
	w->last_event_ns = zc_now_ns();
	switch (o->cmd) {
	case ZCOPY_CMD_XFER_PROGRESS:
		zc_xfer_progress_line(w->s,
				      libzcopy_nl_get(o, ZCOPY_A_XFER_BYTES_SENT),
				      libzcopy_nl_get(o, ZCOPY_A_XFER_BYTES_ACKED),
				      libzcopy_nl_has(o, ZCOPY_A_XFER_BYTES_ACKED));
		break;
	case ZCOPY_CMD_XFER_DONE:
		w->r->bytes_sent = libzcopy_nl_get(o, ZCOPY_A_XFER_BYTES);
		w->r->stop_seg = (uint32_t)libzcopy_nl_get(o, ZCOPY_A_XFER_STOP_SEG);
		w->r->stop_reason = (uint32_t)libzcopy_nl_get(o, ZCOPY_A_XFER_STOP_REASON);
		w->r->stop_offset = libzcopy_nl_get(o, ZCOPY_A_XFER_STOP_OFFSET);
		w->r->stop_errno = (uint32_t)libzcopy_nl_get(o, ZCOPY_A_XFER_STOP_ERRNO);
		w->done = true;
		break;
	case ZCOPY_CMD_SEND_FAILED:
		w->err = (int32_t)libzcopy_nl_get(o, ZCOPY_A_XFER_ERROR);
		if (!w->err)
			w->err = -EIO;
		w->done = true;
		break;
	}
	return 0;
}

static int zc_xfer_cancel(struct zc_send *s, uint32_t id)
{
	struct libzcopy_nl_err le;
	int ret = libzcopy_nl_xfer_cancel(s->ctx->nl, id, &le);

	zc_debug(&s->ctx->cli, "XFER_CANCEL %u = %d (%s)", id, ret, le.msg);
	if (!ret)
		s->xfers_cancelled++;
	/* Already with the stack, or already over: its end comes anyway. */
	return ret == -EALREADY || ret == -ENOENT ? 0 : ret;
}

/*
 * XFER_START: the kernel sends in the background; wait for the transfer's
 * end (XFER_DONE or SEND_FAILED) on the events socket, showing its
 * progress events, and cancel it on SIGINT or SIGTERM. It is started with
 * cancel-on-close: if zcopyctl dies, the kernel stops it.
 */
static int zc_send_netlink(struct zc_send *s, size_t n, uint32_t flags,
			   struct zc_result *r, struct zc_nl_err *e)
{
	struct zc_cli *cli = &s->ctx->cli;
	struct zc_xfer_wait w = { .s = s, .r = r };
	struct libzcopy_nl_err le;
	bool cancelled = false;
	int fd, ret;

	zc_fill_segs(s, n);
	memset(r, 0, sizeof(*r));
	if (!s->ev) {
		ret = libzcopy_nl_events_open(s->ctx->nl, &s->ev, NULL);
		if (ret) {
			memset(e, 0, sizeof(*e));
			e->err = ret;
			snprintf(e->msg, sizeof(e->msg),
				 "joining the \"%s\" group for the transfer's events%s",
				 ZCOPY_MCGRP_EVENTS,
				 ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
			e->hint = true;
			return ret;
		}
	}
	ret = libzcopy_nl_xfer_start(s->ctx->nl, s->sockfd, s->devfd, s->segs,
				     (unsigned int)n, flags, s->cookie,
				     LIBZCOPY_XFER_CANCEL_ON_CLOSE, &w.id, &le);
	zc_nl_err_from(e, &le);
	if (ret)
		return ret;
	zc_debug(cli, "XFER_START %zu segments: transfer %u", n, w.id);

	fd = nl_socket_get_fd(libzcopy_nl_sock(s->ev));
	w.last_event_ns = zc_now_ns();
	while (!w.done) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int p;

		if (zc_stop_signal && !cancelled) {
			cancelled = true;
			ret = zc_xfer_cancel(s, w.id);
			if (ret) {
				zc_err(cli, "cancelling transfer %u: %s", w.id,
				       strerror(-ret));
				return -1;
			}
		}
		p = poll(&pfd, 1, 1000);
		if (p < 0 && errno != EINTR) {
			zc_err(cli, "poll: %s", strerror(errno));
			return -1;
		}
		if (p > 0) {
			ret = libzcopy_nl_events_recv(s->ev, zc_xfer_event, &w);
			if (ret == -ENOBUFS) {
				zc_err(cli, "the events of transfer %u were lost (the socket's receive buffer overflowed)",
				       w.id);
				zc_xfer_cancel(s, w.id);
				return -1;
			}
			if (ret < 0) {
				zc_err(cli, "netlink: %s", strerror(-ret));
				return -1;
			}
		}
		if (!w.done && !cancelled &&
		    zc_now_ns() - w.last_event_ns > (uint64_t)(s->timeout * 1e9)) {
			zc_err(cli, "transfer %u: no progress for %g s; cancelling it",
			       w.id, s->timeout);
			cancelled = true;
			ret = zc_xfer_cancel(s, w.id);
			if (ret)
				return -1;
		}
	}
	if (s->progress_shown) {
		fprintf(stderr, "\r\033[K");
		s->progress_shown = false;
	}
	if (w.err) {
		/* Nothing was sent; say why as the kernel said it. */
		memset(e, 0, sizeof(*e));
		e->err = w.err;
		snprintf(e->msg, sizeof(e->msg), "transfer %u sent nothing",
			 w.id);
		e->hint = true;
		return w.err;
	}
	zc_debug(cli, "transfer %u done: sent %" PRIu64 " stop_seg %u stop %s offset %" PRIu64,
		 w.id, r->bytes_sent, r->stop_seg,
		 zc_stop_name(r->stop_reason), r->stop_offset);
	return 0;
}

static int zc_send_ioctl(struct zc_send *s, size_t n, uint32_t flags,
			 struct zc_result *r, struct zc_nl_err *e)
{
	struct zcopy_send a;
	const char *hint;
	size_t i;
	int ret;

	zc_fill_segs(s, n);
	memset(e, 0, sizeof(*e));
	ret = libzcopy_send(s->z, s->sockfd, s->segs, (unsigned int)n, flags,
			    s->cookie, s->results, &a);
	if (ret) {
		e->err = ret;
		hint = libzcopy_send_strerror(ret);
		if (hint)
			snprintf(e->msg, sizeof(e->msg), "ZCOPY_IOC_SEND: %s",
				 hint);
		e->hint = true;
		zc_debug(&s->ctx->cli, "ioctl SEND %zu segments = %s", n,
			 strerror(-e->err));
		return e->err;
	}
	zc_result_from(r, &a);
	if (s->ctx->cli.debug) {
		zc_debug(&s->ctx->cli,
			 "ioctl SEND %zu segments cookie %" PRIu64 " = sent %" PRIu64 " stop_seg %u stop %s offset %" PRIu64,
			 n, s->cookie, r->bytes_sent, r->stop_seg,
			 zc_stop_name(r->stop_reason), r->stop_offset);
		for (i = 0; i < n; i++)
			zc_debug(&s->ctx->cli,
				 "  seg %zu: sent %" PRIu64 " copied %" PRIu64 " (%s)",
				 i, (uint64_t)s->results[i].sent,
				 (uint64_t)s->results[i].copied,
				 zc_reason_name(s->results[i].reason));
	}
	return 0;
}

/* ---- completions ---- */

static void zc_add_completion(struct zc_send *s, const struct zcopy_completion *c)
{
	s->completions++;
	s->bytes += c->bytes;
	s->pool_bytes += c->pool_bytes;
	s->zc_bytes += c->zc_bytes;
	s->copied_bytes += c->copied_bytes;
	s->compl_flags |= c->flags;
	if (c->flags & ZCOPY_COMPL_FILE_CHANGED) {
		s->changed++;
		zc_warn(&s->ctx->cli,
			"a file of segment %u may have changed while it was sent",
			c->changed_seg);
	}
	if (!s->reason && c->reason)
		s->reason = c->reason;
	/* Stops zcopyctl resumed from (would block, signal) are no errors. */
	if (!s->error && c->error && c->error != -EAGAIN && c->error != -EINTR)
		s->error = c->error;
	zc_debug(&s->ctx->cli,
		 "completion cookie %" PRIu64 ": bytes %" PRIu64 " pool %" PRIu64 " zc %" PRIu64 " copied %" PRIu64 " flags 0x%x reason %s error %d",
		 (uint64_t)c->cookie, (uint64_t)c->bytes,
		 (uint64_t)c->pool_bytes, (uint64_t)c->zc_bytes,
		 (uint64_t)c->copied_bytes, c->flags,
		 zc_reason_name(c->reason), c->error);
}

/*
 * Read completions until @want have come, or the timeout. Returns 0, or -1
 * after printing why.
 */
static int zc_wait_completions(struct zc_send *s, uint64_t want)
{
	uint64_t deadline = zc_now_ns() + (uint64_t)(s->timeout * 1e9);
	struct zcopy_completion c[64];
	int n, i;

	while (s->completions < want) {
		uint64_t now = zc_now_ns();

		if (now >= deadline) {
			zc_err(&s->ctx->cli,
			       "timed out after %g s waiting for completions (%" PRIu64 " of %" PRIu64 ")",
			       s->timeout, s->completions, want);
			return -1;
		}
		n = libzcopy_reap(s->z, c, 64,
				  (int)((deadline - now) / 1000000 + 1));
		if (n == -EINTR) {
			if (zc_stop_signal) {
				zc_err(&s->ctx->cli, "interrupted while waiting for completions");
				return -1;
			}
			continue;
		}
		if (n < 0) {
			zc_err(&s->ctx->cli, "reading completions: %s", strerror(-n));
			return -1;
		}
		for (i = 0; i < n; i++)
			zc_add_completion(s, &c[i]);
	}
	return 0;
}

/* ---- the progress line ---- */

/*
 * The head of the kernel's struct tcp_info (linux/tcp.h, a stable ABI) up
 * to tcpi_bytes_acked, which glibc's netinet/tcp.h copy lacks.
 */
struct zc_tcp_info {
	uint8_t u8s[8];			/* tcpi_state .. wscale, flags */
	uint32_t u32s[24];		/* tcpi_rto .. tcpi_total_retrans */
	uint64_t pacing_rate, max_pacing_rate;
	uint64_t bytes_acked;
};

static uint64_t zc_bytes_acked(int fd)
{
	struct zc_tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) ||
	    len < sizeof(ti))
		return 0;
	return ti.bytes_acked;
}

static void *zc_progress(void *arg)
{
	struct zc_send *s = arg;
	uint64_t base = zc_bytes_acked(s->sockfd);
	struct timespec tick = { .tv_nsec = 250000000 };

	while (!s->progress_stop) {
		uint64_t ns = zc_now_ns() - s->t0;
		uint64_t acked = zc_bytes_acked(s->sockfd) - base;
		char b1[24], b2[24], r[24];

		nanosleep(&tick, NULL);
		if (ns < 1000000000ull || s->progress_stop)
			continue;
		zc_fmt_bytes(acked, b1, sizeof(b1));
		zc_fmt_rate(acked / (ns / 1e9), r, sizeof(r));
		if (s->total_known && s->total)
			fprintf(stderr, "\rzcopyctl: send: %s of %s (%.0f%%) acknowledged, %s\033[K",
				b1, zc_fmt_bytes(s->total, b2, sizeof(b2)),
				100.0 * acked / s->total, r);
		else
			fprintf(stderr, "\rzcopyctl: send: %s acknowledged, %s\033[K",
				b1, r);
		s->progress_shown = true;
	}
	return NULL;
}

static void zc_progress_start(struct zc_send *s)
{
	/* Netlink sends show the kernel's progress events instead. */
	if (s->quiet || !s->use_ioctl || !isatty(STDERR_FILENO))
		return;
	s->progress_on = !pthread_create(&s->progress, NULL, zc_progress, s);
}

static void zc_progress_end(struct zc_send *s)
{
	if (!s->progress_on)
		return;
	s->progress_stop = true;
	pthread_join(s->progress, NULL);
	s->progress_on = false;
	if (s->progress_shown)
		fprintf(stderr, "\r\033[K");
}

/* ---- the loop ---- */

static int zc_wait_writable(struct zc_send *s)
{
	struct pollfd pfd = { .fd = s->sockfd, .events = POLLOUT };
	int p = poll(&pfd, 1, (int)(s->timeout * 1000));

	if (p > 0 || (p < 0 && errno == EINTR))
		return 0;
	zc_err(&s->ctx->cli, "the socket stayed unwritable for %g s", s->timeout);
	return -1;
}

static int zc_send_all(struct zc_send *s)
{
	struct zc_ctx *ctx = s->ctx;
	const struct zc_piece *last;
	struct zc_nl_err e;
	struct zc_result r;
	uint64_t want;
	uint32_t flags;
	size_t n;
	int ret;

	while (s->cur_src < s->nsrcs) {
		if (zc_stop_signal) {
			zc_err(&ctx->cli, "interrupted after %" PRIu64 " bytes", s->sent);
			return -1;
		}
		n = zc_build(s, &want);
		last = &s->pieces[n - 1];
		/*
		 * Keep corking unless this send ends the stream; a source read
		 * to its end of file ends it if it is the last one.
		 */
		flags = s->more || last->src + 1 < s->nsrcs ||
			(!s->srcs[last->src].to_eof &&
			 last->offset + last->len < s->srcs[last->src].len) ?
			ZCOPY_SEND_MORE : 0;
		if (s->dontwait)
			flags |= ZCOPY_SEND_DONTWAIT;
		if (s->file_notify)
			flags |= ZCOPY_SEND_FILE_NOTIFY;
		if (s->nowait_io)
			flags |= ZCOPY_SEND_NOWAIT_IO;

		ret = s->use_ioctl ? zc_send_ioctl(s, n, flags, &r, &e) :
				     zc_send_netlink(s, n, flags, &r, &e);
		if (ret) {
			/* Nothing was sent and no completion follows. */
			switch (-ret) {
			case EAGAIN:
				if (zc_wait_writable(s))
					return -1;
				continue;
			case EINTR:
			case 512:	/* ERESTARTSYS, should it leak */
			case 513:	/* ERESTARTNOINTR */
				continue;
			case ENOBUFS:
				if (s->completions < s->sends) {
					if (zc_wait_completions(s, s->completions + 1))
						return -1;
					continue;
				}
				break;
			}
			if (ret == -512 || ret == -513)
				e.err = -EINTR;
			zc_nl_perror(ctx, NULL, &e);
			return -1;
		}

		s->sends++;
		s->sent += r.bytes_sent;
		if (r.stop_reason == ZCOPY_STOP_NONE) {
			if (r.bytes_sent != want)
				zc_warn(&ctx->cli, "the kernel reports %" PRIu64 " bytes sent of %" PRIu64 ", with no stop reason",
					r.bytes_sent, want);
			zc_advance_all(s, n);
			continue;
		}
		if (r.stop_seg >= n) {
			zc_err(&ctx->cli, "the kernel stopped at segment %u of a send of %zu",
			       r.stop_seg, n);
			return -1;
		}
		zc_debug(&ctx->cli, "short send: %" PRIu64 " bytes, stopped in segment %u at %" PRIu64 ": %s",
			 r.bytes_sent, r.stop_seg, r.stop_offset,
			 zc_stop_name(r.stop_reason));
		s->cur_src = s->pieces[r.stop_seg].src;
		s->cur_off = s->pieces[r.stop_seg].offset + r.stop_offset;
		switch (r.stop_reason) {
		case ZCOPY_STOP_EOF:
			if (!s->srcs[s->cur_src].to_eof) {
				zc_warn(&ctx->cli, "%s ended before the extent did: %" PRIu64 " bytes of it not sent (the file shrank?)",
					s->srcs[s->cur_src].name,
					s->srcs[s->cur_src].len - s->cur_off);
				s->short_file = true;
			}
			s->cur_src++;
			s->cur_off = 0;
			break;
		case ZCOPY_STOP_AGAIN:
			s->resumes++;
			if (zc_wait_writable(s))
				return -1;
			break;
		case ZCOPY_STOP_SIGNAL:
			s->resumes++;
			break;
		case ZCOPY_STOP_NOT_CACHED: {
			/* Readahead was started: give the disk a moment. */
			struct timespec ts = { 0, 2 * 1000 * 1000 };

			s->resumes++;
			s->not_cached++;
			nanosleep(&ts, NULL);
			break;
		}
		case ZCOPY_STOP_CANCELLED:
			zc_err(&ctx->cli, "cancelled after %" PRIu64 " bytes",
			       s->sent);
			return -1;
		case ZCOPY_STOP_ERROR:
		default:
			zc_err(&ctx->cli, "%s after %" PRIu64 " bytes (segment %u: %s)",
			       r.stop_reason == ZCOPY_STOP_ERROR ?
			       strerror((int)r.stop_errno) : "unknown stop reason",
			       s->sent, r.stop_seg,
			       s->srcs[s->cur_src].type == ZCOPY_SEG_POOL ?
			       "the header" : s->srcs[s->cur_src].name);
			return -1;
		}
	}
	return 0;
}

/* Labels in a column as wide as "zero-copy". */
static void zc_send_report(struct zc_send *s, const char *dest)
{
	uint64_t elapsed = s->t_done - s->t0;
	uint64_t file_bytes = s->bytes - s->pool_bytes;
	double bps = elapsed ? s->bytes / (elapsed / 1e9) : 0;
	bool copied = s->copied_bytes;
	char pct[16];

	zc_obj_open(NULL);
	zc_print_u64(ZC_ANY, "bytes", "sent       %" PRIu64 " bytes", s->bytes);
	zc_print_bytes(ZC_TEXT, NULL, " (%s)", s->bytes);
	zc_print_str(ZC_ANY, "dest", " to %s", dest);
	zc_print_u64(ZC_ANY, "sends", " in %" PRIu64, s->sends);
	zc_print_text(" transfer%s", s->sends == 1 ? "" : "s");
	zc_print_str(ZC_ANY, "method", " (%s)\n",
		     s->use_ioctl ? "ioctl" : "netlink");
	zc_print_u64(ZC_JSON, "cookie", NULL, s->cookie);
	zc_print_u64(ZC_JSON, "segments", NULL, s->nsrcs);
	zc_print_u64(s->pool_bytes ? ZC_ANY : ZC_JSON, "pool_bytes",
		     "  pool     %" PRIu64 " bytes (header, from a pool)\n",
		     s->pool_bytes);
	zc_print_u64(ZC_ANY, "file_bytes", "  files    %" PRIu64 " bytes",
		     file_bytes);
	zc_print_bytes(ZC_TEXT, NULL, " (%s)\n", file_bytes);
	zc_print_u64(ZC_ANY, "zc_bytes", "zero-copy  %" PRIu64 " bytes",
		     s->zc_bytes);
	zc_print_text(" (%s)\n", zc_fmt_pct(s->zc_bytes, s->bytes, pct,
					    sizeof(pct)));
	zc_print_u64(ZC_ANY, "copied_bytes", "copied     %" PRIu64 " bytes",
		     s->copied_bytes);
	if (copied)
		zc_print_text(" (%s)", zc_fmt_pct(s->copied_bytes, s->bytes,
						  pct, sizeof(pct)));
	zc_print_str(copied ? ZC_ANY : ZC_JSON, "reason", ", reason %s",
		     zc_reason_name(s->reason));
	if (copied)
		zc_print_text(": %s", zc_reason_help(s->reason));
	zc_print_nl();
	zc_print_u64(ZC_JSON, "compl_flags", NULL, s->compl_flags);
	if (s->nowait_io)
		zc_print_u64(ZC_ANY, "not_cached_stops",
			     "not cached %" PRIu64 " stops before pages not in the page cache\n",
			     s->not_cached);
	if (s->file_notify)
		zc_print_bool(ZC_ANY, "file_released",
			      "released   file pages before the completions: %s\n",
			      s->compl_flags & ZCOPY_COMPL_FILE_RELEASED);
	if (s->file_notify)
		zc_print_u64(ZC_ANY, "file_changed",
			     "changed    %" PRIu64 " transfers sent from a file that changed meanwhile\n",
			     s->changed);
	zc_print_u64(s->resumes ? ZC_ANY : ZC_JSON, "resumes",
		     "resumed    %" PRIu64 " short send", s->resumes);
	if (s->resumes)
		zc_print_text("%s resumed\n", s->resumes == 1 ? "" : "s");
	zc_print_s64(ZC_JSON, "error", NULL, s->error);
	if (s->error)
		zc_print_text("error      %s\n", strerror(-s->error));
	zc_print_secs(ZC_JSON, "send_ns", NULL, s->t_sent - s->t0);
	zc_print_secs(ZC_ANY, "elapsed_ns", "elapsed    %s", elapsed);
	zc_print_rate(ZC_ANY, "bytes_per_sec", ", %s\n", bps);
	zc_obj_close();
	zc_print_end();
}

int cmd_send(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_send s = {
		.ctx = ctx, .devfd = -1, .sockfd = -1, .timeout = 60,
		.total_known = true,
	};
	const char *header_text = NULL, *header_file = NULL;
	char *header = NULL, dest[160] = "";
	struct zc_hostport hp;
	struct libzcopy_pool pool = { 0 };
	bool have_cookie = false, have_fd = false;
	size_t header_len = 0, i;
	uint64_t v;
	int c, ret = EXIT_FAIL;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_HEADER_TEXT:
			header_text = optarg;
			break;
		case OPT_HEADER_FILE:
			header_file = optarg;
			break;
		case OPT_FD:
			if (zc_parse_u64(optarg, &v) || v > INT32_MAX)
				return zc_usage_error(&ctx->cli, "--fd '%s': expected a file descriptor",
						      optarg);
			s.sockfd = (int)v;
			have_fd = true;
			break;
		case OPT_IOCTL:
			s.use_ioctl = true;
			break;
		case OPT_COOKIE:
			if (zc_parse_u64(optarg, &s.cookie))
				return zc_usage_error(&ctx->cli, "--cookie '%s': expected a number",
						      optarg);
			have_cookie = true;
			break;
		case OPT_TIMEOUT:
			if (zc_parse_secs(optarg, &s.timeout) || !s.timeout)
				return zc_usage_error(&ctx->cli, "--timeout '%s': expected seconds",
						      optarg);
			break;
		case OPT_MORE:
			s.more = true;
			break;
		case OPT_SHUTDOWN:
			s.do_shutdown = true;
			break;
		case OPT_DONTWAIT:
			s.dontwait = true;
			break;
		case OPT_FILE_NOTIFY:
			s.file_notify = true;
			break;
		case OPT_NOWAIT_IO:
			s.nowait_io = true;
			break;
		case OPT_WILLNEED:
			s.seg_hints |= ZCOPY_SEG_WILLNEED;
			break;
		case OPT_DROP_BEHIND:
			s.seg_hints |= ZCOPY_SEG_DROP_BEHIND;
			s.file_notify = true;
			break;
		case OPT_QUIET:
			s.quiet = true;
			break;
		case ZC_OPT_EXIT:
			return ctx->cli.exit;
		}
	}

	if (header_text && header_file)
		return zc_usage_error(&ctx->cli, "--header-text and --header-file exclude each other");
	if (!have_fd) {
		if (optind >= argc)
			return zc_usage_error(&ctx->cli, "missing HOST:PORT (or --fd N)");
		if (zc_parse_hostport(ctx, argv[optind], false, &hp))
			return EXIT_USAGE;
		optind++;
	}
	if (optind >= argc && !header_text && !header_file)
		return zc_usage_error(&ctx->cli, "nothing to send: no FILE and no header");
	if (header_text && zc_unescape(header_text, &header, &header_len))
		return zc_usage_error(&ctx->cli, "--header-text: bad escape sequence in '%s'",
				      header_text);
	if (!have_cookie)
		s.cookie = (uint64_t)getpid() << 32 | (uint32_t)zc_now_ns();
	/* Files first: a bad extent is reported before anything happens. */
	for (; optind < argc; optind++) {
		ret = zc_parse_extent(&s, argv[optind]);
		if (ret)
			goto out;
	}
	ret = EXIT_FAIL;

	/* The device: the header's pool lives there, completions come there. */
	s.z = zc_dev_open(ctx);
	if (!s.z)
		goto out;
	s.devfd = libzcopy_fd(s.z);
	if (zc_dev_query(ctx, s.z, &s.q))
		goto out;
	if (!(s.q.features & ZCOPY_FEATURE_SEND)) {
		zc_err(&ctx->cli, "the loaded zcopy module cannot send (no ZCOPY_FEATURE_SEND)");
		goto out;
	}
	if (!s.q.max_segments || !s.q.max_send_bytes) {
		zc_err(&ctx->cli, "ZCOPY_IOC_QUERY reports no segments or bytes per send");
		goto out;
	}
	if (!s.use_ioctl && (zc_nl_connect(ctx) ||
			     zc_nl_require(ctx, ZCOPY_CMD_XFER_START)))
		goto out;

	if (header_file && zc_read_file(ctx, header_file, &header, &header_len,
					s.q.max_pool_bytes ?
					s.q.max_pool_bytes : (1u << 30)))
		goto out;
	if (header_len) {
		struct zc_src src = { .type = ZCOPY_SEG_POOL };

		if (zc_pool_create(ctx, s.z, header, header_len, &pool))
			goto out;
		src.id = pool.id;
		src.len = header_len;
		src.name = "header";
		if (zc_add_src(&s, &src))
			goto out;
		/* The header goes first. */
		memmove(s.srcs + 1, s.srcs, (s.nsrcs - 1) * sizeof(*s.srcs));
		s.srcs[0] = src;
		s.total += header_len;
	}
	ret = EXIT_FAIL;
	if (!s.nsrcs) {
		zc_err(&ctx->cli, "nothing to send: the header is empty");
		ret = EXIT_USAGE;
		goto out;
	}
	s.pieces = calloc(s.q.max_segments, sizeof(*s.pieces));
	s.segs = calloc(s.q.max_segments, sizeof(*s.segs));
	if (s.use_ioctl)
		s.results = calloc(s.q.max_segments, sizeof(*s.results));
	if (!s.pieces || !s.segs || (s.use_ioctl && !s.results)) {
		zc_err(&ctx->cli, "out of memory");
		goto out;
	}

	if (!have_fd) {
		s.sockfd = zc_tcp_connect(ctx, &hp);
		if (s.sockfd < 0)
			goto out;
	}
	if (zc_sock_peer_str(s.sockfd, true, dest, sizeof(dest)))
		snprintf(dest, sizeof(dest), "fd %d", s.sockfd);

	zc_catch_signals(false);
	s.t0 = zc_now_ns();
	zc_progress_start(&s);
	ret = zc_send_all(&s) ? EXIT_FAIL : EXIT_OK;
	s.t_sent = zc_now_ns();
	/* The peer sees EOF once everything is out. */
	if (!have_fd || s.do_shutdown)
		shutdown(s.sockfd, SHUT_WR);
	if (s.sends && zc_wait_completions(&s, s.sends))
		ret = EXIT_FAIL;
	s.t_done = zc_now_ns();
	zc_progress_end(&s);
	if (s.short_file)
		ret = EXIT_FAIL;
	if (s.sends && s.completions == s.sends)
		zc_send_report(&s, dest);
out:
	if (s.ev)
		libzcopy_nl_close(s.ev);
	if (s.z) {
		zc_pool_destroy(ctx, s.z, &pool);
		libzcopy_close(s.z);
	}
	if (!have_fd && s.sockfd >= 0)
		close(s.sockfd);
	for (i = 0; i < s.nsrcs; i++)
		if (s.srcs[i].type == ZCOPY_SEG_FILE)
			close((int)s.srcs[i].id);
	free(s.srcs);
	free(s.pieces);
	free(s.segs);
	free(s.results);
	free(header);
	return ret;
}
