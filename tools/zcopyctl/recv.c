// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: recv. Accept one TCP connection, read it to EOF, and compare
 * it with what was expected: the concatenation of --expect-text and
 * --expect-file arguments, in order, or a SHA-256. The other end of send,
 * for scripts and demos; it does not use zcopy itself.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "zcopyctl.h"

enum {
	OPT_EXPECT_FILE = 'e',
	OPT_EXPECT_TEXT = 'E',
	OPT_EXPECT_SHA = 's',
	OPT_OUTPUT = 'o',
	OPT_READY = 'r',
	OPT_TIMEOUT = 'T',
	OPT_FD = 'f',
	OPT_QUIET = 'q',
	OPT_SHA256 = 256,
};

const struct zc_opt zc_recv_opts[] = {
	{ "expect-file", OPT_EXPECT_FILE, "FILE",
	  "expect FILE's bytes (may repeat; with --expect-text, in order)" },
	{ "expect-text", OPT_EXPECT_TEXT, "STR",
	  "expect STR, with C escapes (may repeat)" },
	{ "expect-sha256", OPT_EXPECT_SHA, "HEX",
	  "expect data with this SHA-256" },
	{ "output", OPT_OUTPUT, "FILE", "write the data received to FILE" },
	{ "ready-file", OPT_READY, "FILE",
	  "once listening, write the port number to FILE" },
	{ "timeout", OPT_TIMEOUT, "SECS",
	  "fail if no connection, or no data, comes for SECS" },
	{ "fd", OPT_FD, "N",
	  "use the inherited socket N (listening: accept; else read it)" },
	{ "sha256", OPT_SHA256, NULL, "print the SHA-256 of the data" },
	{ "quiet", OPT_QUIET, NULL, "do not print the listening address" },
	{ NULL, 0, NULL, NULL },
};

#define ZC_RECV_BUF (256 * 1024)

struct zc_expect {
	bool is_text;
	const char *name;
	char *text;			/* is_text */
	size_t text_len;
	int fd;				/* a file */
};

struct zc_recv {
	struct zc_ctx *ctx;
	struct zc_expect *exp;
	size_t nexp, cur;		/* current expected source */
	uint64_t cur_off;		/* offset in exp[cur] (text) */
	uint64_t expected_total;
	char *ebuf;

	uint64_t bytes;
	bool mismatch;
	uint64_t mismatch_off;
	int exp_byte, got_byte;		/* -1: none (length mismatch) */
};

/* Next @len bytes of the expected stream; fewer at its end. */
static ssize_t zc_expect_read(struct zc_recv *r, char *buf, size_t len)
{
	size_t n = 0;

	while (n < len && r->cur < r->nexp) {
		struct zc_expect *e = &r->exp[r->cur];
		ssize_t k;

		if (e->is_text) {
			k = e->text_len - r->cur_off;
			if ((size_t)k > len - n)
				k = len - n;
			memcpy(buf + n, e->text + r->cur_off, k);
			r->cur_off += k;
		} else {
			k = read(e->fd, buf + n, len - n);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				zc_err(&r->ctx->cli, "--expect-file %s: %s", e->name,
				       strerror(errno));
				return -1;
			}
		}
		if (!k) {
			r->cur++;
			r->cur_off = 0;
			continue;
		}
		n += k;
	}
	return n;
}

/* Compare a chunk received at offset r->bytes with the expected stream. */
static int zc_compare(struct zc_recv *r, const char *data, size_t len)
{
	ssize_t n;
	size_t i;

	if (r->mismatch || !r->nexp)
		return 0;
	n = zc_expect_read(r, r->ebuf, len);
	if (n < 0)
		return -1;
	for (i = 0; i < (size_t)n; i++) {
		if (data[i] != r->ebuf[i]) {
			r->mismatch = true;
			r->mismatch_off = r->bytes + i;
			r->exp_byte = (unsigned char)r->ebuf[i];
			r->got_byte = (unsigned char)data[i];
			return 0;
		}
	}
	if ((size_t)n < len) {
		/* More data than expected. */
		r->mismatch = true;
		r->mismatch_off = r->bytes + n;
		r->exp_byte = -1;
		r->got_byte = (unsigned char)data[n];
	}
	return 0;
}

static int zc_parse_sha(const char *hex, uint8_t out[32])
{
	int i;

	if (strlen(hex) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1 ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i]) ||
		    !strchr("0123456789abcdefABCDEF", hex[2 * i + 1]))
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int zc_add_expect(struct zc_recv *r, const struct zc_expect *e)
{
	struct zc_expect *n = realloc(r->exp, (r->nexp + 1) * sizeof(*n));

	if (!n) {
		zc_err(&r->ctx->cli, "out of memory");
		return -1;
	}
	r->exp = n;
	r->exp[r->nexp++] = *e;
	return 0;
}

/* Wait for @fd to be readable; 0, or -1 after a timeout or signal. */
static int zc_wait_in(struct zc_ctx *ctx, int fd, double timeout,
		      const char *what)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int p;

	for (;;) {
		p = poll(&pfd, 1, timeout ? (int)(timeout * 1000) : -1);
		if (p > 0)
			return 0;
		if (p < 0 && errno == EINTR && !zc_stop_signal)
			continue;
		if (p < 0 && errno == EINTR)
			zc_err(&ctx->cli, "interrupted while waiting for %s", what);
		else if (p < 0)
			zc_err(&ctx->cli, "poll: %s", strerror(errno));
		else
			zc_err(&ctx->cli, "timed out after %g s waiting for %s",
			       timeout, what);
		return -1;
	}
}

int cmd_recv(struct zc_cli *cli, int argc, char **argv)
{
	struct zc_ctx *ctx = zc_ctx_of(cli);
	struct zc_recv r = { .ctx = ctx, .exp_byte = -1, .got_byte = -1 };
	const char *output = NULL, *ready = NULL, *want_sha_hex = NULL;
	char peer[160] = "?", local[160], portbuf[32], *buf = NULL;
	uint8_t want_sha[32], sha[32];
	bool have_fd = false, quiet = false, print_sha = false;
	int lfd = -1, cfd = -1, ofd = -1, c, ret = EXIT_FAIL;
	struct sha256_ctx sctx;
	struct zc_hostport hp;
	struct zc_expect e;
	double timeout = 0;
	uint64_t t0, t1, v;
	size_t i;

	while ((c = zc_getopt(&ctx->cli, argc, argv)) != -1) {
		switch (c) {
		case OPT_EXPECT_FILE:
			memset(&e, 0, sizeof(e));
			e.name = optarg;
			e.fd = open(optarg, O_RDONLY | O_CLOEXEC);
			if (e.fd < 0) {
				zc_err(&ctx->cli, "--expect-file %s: %s", optarg,
				       strerror(errno));
				goto out;
			}
			if (zc_add_expect(&r, &e)) {
				close(e.fd);
				goto out;
			}
			break;
		case OPT_EXPECT_TEXT:
			memset(&e, 0, sizeof(e));
			e.is_text = true;
			e.name = optarg;
			e.fd = -1;
			if (zc_unescape(optarg, &e.text, &e.text_len)) {
				ret = zc_usage_error(&ctx->cli, "--expect-text: bad escape sequence in '%s'",
						     optarg);
				goto out;
			}
			if (zc_add_expect(&r, &e)) {
				free(e.text);
				goto out;
			}
			break;
		case OPT_EXPECT_SHA:
			want_sha_hex = optarg;
			if (zc_parse_sha(optarg, want_sha)) {
				ret = zc_usage_error(&ctx->cli, "--expect-sha256 '%s': expected 64 hex digits",
						     optarg);
				goto out;
			}
			break;
		case OPT_OUTPUT:
			output = optarg;
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case OPT_TIMEOUT:
			if (zc_parse_secs(optarg, &timeout) || !timeout) {
				ret = zc_usage_error(&ctx->cli, "--timeout '%s': expected seconds",
						     optarg);
				goto out;
			}
			break;
		case OPT_FD:
			if (zc_parse_u64(optarg, &v) || v > INT32_MAX) {
				ret = zc_usage_error(&ctx->cli, "--fd '%s': expected a file descriptor",
						     optarg);
				goto out;
			}
			lfd = (int)v;
			have_fd = true;
			break;
		case OPT_SHA256:
			print_sha = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case ZC_OPT_EXIT:
			ret = ctx->cli.exit;
			goto out;
		}
	}

	if (want_sha_hex && r.nexp) {
		ret = zc_usage_error(&ctx->cli, "--expect-sha256 excludes --expect-file and --expect-text");
		goto out;
	}
	if (have_fd && optind < argc) {
		ret = zc_usage_error(&ctx->cli, "--fd and an address exclude each other");
		goto out;
	}
	if (!have_fd && optind >= argc) {
		ret = zc_usage_error(&ctx->cli, "missing [HOST:]PORT (or --fd N)");
		goto out;
	}
	if (optind + (have_fd ? 0 : 1) < argc) {
		ret = zc_usage_error(&ctx->cli, "unexpected argument '%s'",
				     argv[optind + (have_fd ? 0 : 1)]);
		goto out;
	}
	if (!have_fd && zc_parse_hostport(ctx, argv[optind], true, &hp)) {
		ret = EXIT_USAGE;
		goto out;
	}
	buf = malloc(ZC_RECV_BUF);
	r.ebuf = malloc(ZC_RECV_BUF);
	if (!buf || !r.ebuf) {
		zc_err(&ctx->cli, "out of memory");
		goto out;
	}
	if (output) {
		ofd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0644);
		if (ofd < 0) {
			zc_err(&ctx->cli, "--output %s: %s", output, strerror(errno));
			goto out;
		}
	}

	zc_catch_signals(false);
	if (!have_fd) {
		lfd = zc_tcp_listen(ctx, &hp);
		if (lfd < 0)
			goto out;
	}
	/* A listening socket: accept one connection; else read it as is. */
	{
		int acc = 0;
		socklen_t sl = sizeof(acc);

		if (getsockopt(lfd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &sl))
			acc = 0;
		if (acc) {
			const char *port;

			zc_sock_peer_str(lfd, false, local, sizeof(local));
			port = strrchr(local, ':');
			snprintf(portbuf, sizeof(portbuf), "%s\n",
				 port ? port + 1 : "?");
			if (!quiet && (!have_fd && (!strcmp(hp.port, "0") ||
						    isatty(STDERR_FILENO))))
				fprintf(stderr, "zcopyctl: recv: listening on %s\n",
					local);
			if (ready && zc_write_ready_file(&ctx->cli, ready, portbuf))
				goto out;
			if (zc_wait_in(ctx, lfd, timeout, "a connection"))
				goto out;
			cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (cfd < 0) {
				zc_err(&ctx->cli, "accept: %s", strerror(errno));
				goto out;
			}
		} else {
			if (ready && zc_write_ready_file(&ctx->cli, ready, "0\n"))
				goto out;
			cfd = lfd;
			lfd = -1;
		}
	}
	if (zc_sock_peer_str(cfd, true, peer, sizeof(peer)))
		snprintf(peer, sizeof(peer), "fd %d", cfd);
	zc_debug(&ctx->cli, "connection from %s", peer);

	if (want_sha_hex || print_sha)
		sha256_init(&sctx);
	t0 = zc_now_ns();
	for (;;) {
		ssize_t n;

		if (timeout && zc_wait_in(ctx, cfd, timeout, "data"))
			goto out;
		n = read(cfd, buf, ZC_RECV_BUF);
		if (n < 0 && errno == EINTR) {
			if (zc_stop_signal) {
				zc_err(&ctx->cli, "interrupted after %" PRIu64 " bytes",
				       r.bytes);
				goto out;
			}
			continue;
		}
		if (n < 0) {
			zc_err(&ctx->cli, "read after %" PRIu64 " bytes: %s", r.bytes,
			       strerror(errno));
			goto out;
		}
		if (!n)
			break;
		if (zc_compare(&r, buf, n))
			goto out;
		if (want_sha_hex || print_sha)
			sha256_update(&sctx, n, (const uint8_t *)buf);
		if (ofd >= 0) {
			ssize_t w, done = 0;

			while (done < n) {
				w = write(ofd, buf + done, n - done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0) {
					zc_err(&ctx->cli, "--output %s: %s", output,
					       strerror(errno));
					goto out;
				}
				done += w;
			}
		}
		r.bytes += n;
	}
	t1 = zc_now_ns();

	/* The stream ended: anything still expected is a mismatch. */
	if (r.nexp && !r.mismatch) {
		ssize_t n = zc_expect_read(&r, r.ebuf, 1);

		if (n < 0)
			goto out;
		if (n) {
			r.mismatch = true;
			r.mismatch_off = r.bytes;
			r.exp_byte = (unsigned char)r.ebuf[0];
			r.got_byte = -1;
		}
	}
	/* How much was expected, for the report. */
	if (r.nexp) {
		r.expected_total = 0;
		for (i = 0; i < r.nexp; i++) {
			if (r.exp[i].is_text) {
				r.expected_total += r.exp[i].text_len;
			} else {
				off_t end = lseek(r.exp[i].fd, 0, SEEK_END);

				r.expected_total += end > 0 ? (uint64_t)end : 0;
			}
		}
	}
	if (want_sha_hex || print_sha) {
		sha256_digest(&sctx, SHA256_DIGEST_SIZE, sha);
		if (want_sha_hex && memcmp(sha, want_sha, 32)) {
			r.mismatch = true;
			r.mismatch_off = 0;
		}
	}

	{
		uint64_t ns = t1 - t0;
		double bps = ns ? r.bytes / (ns / 1e9) : 0;
		const char *verdict = r.mismatch ? "mismatch" :
			(r.nexp || want_sha_hex) ? "match" : "unverified";
		char shahex[65] = "";

		for (i = 0; i < 32 && (want_sha_hex || print_sha); i++)
			snprintf(shahex + 2 * i, 3, "%02x", sha[i]);
		zc_obj_open(NULL);
		zc_print_u64(ZC_ANY, "bytes", "received  %" PRIu64 " bytes",
			     r.bytes);
		zc_print_bytes(ZC_TEXT, NULL, " (%s)", r.bytes);
		zc_print_str(ZC_ANY, "peer", " from %s\n", peer);
		zc_print_secs(ZC_ANY, "elapsed_ns", "elapsed   %s", ns);
		zc_print_rate(ZC_ANY, "bytes_per_sec", ", %s\n", bps);
		if (shahex[0])
			zc_print_str(ZC_ANY, "sha256", "sha256    %s\n", shahex);
		else
			zc_print_null(ZC_JSON, "sha256", NULL);
		zc_print_str(ZC_JSON, "verdict", NULL, verdict);
		if (r.nexp)
			zc_print_u64(ZC_JSON, "expected_bytes", NULL,
				     r.expected_total);
		else
			zc_print_null(ZC_JSON, "expected_bytes", NULL);
		if (r.mismatch && !want_sha_hex)
			zc_print_u64(ZC_JSON, "mismatch_offset", NULL,
				     r.mismatch_off);
		else
			zc_print_null(ZC_JSON, "mismatch_offset", NULL);
		/* The verdict in words: what differs, where. */
		if (!r.mismatch && (r.nexp || want_sha_hex))
			zc_print_text("verdict   match%s\n",
				      want_sha_hex ? " (sha256)" : "");
		else if (!r.mismatch)
			zc_print_text("verdict   unverified (no --expect-*)\n");
		else if (want_sha_hex)
			zc_print_text("verdict   MISMATCH: sha256 differs from %s\n",
				      want_sha_hex);
		else if (r.got_byte < 0)
			zc_print_text("verdict   MISMATCH at byte %" PRIu64 ": the stream ended, %" PRIu64 " bytes were expected\n",
				      r.mismatch_off, r.expected_total);
		else if (r.exp_byte < 0)
			zc_print_text("verdict   MISMATCH at byte %" PRIu64 ": more bytes than the %" PRIu64 " expected\n",
				      r.mismatch_off, r.expected_total);
		else
			zc_print_text("verdict   MISMATCH at byte %" PRIu64 ": expected 0x%02x, got 0x%02x\n",
				      r.mismatch_off, r.exp_byte, r.got_byte);
		zc_obj_close();
		zc_print_end();
	}
	if (r.mismatch) {
		if (want_sha_hex)
			zc_err(&ctx->cli, "the data's sha256 differs from the expected");
		else
			zc_err(&ctx->cli, "the data differs from the expected at byte %" PRIu64,
			       r.mismatch_off);
		ret = EXIT_MISMATCH;
	} else {
		ret = EXIT_OK;
	}
out:
	if (cfd >= 0)
		close(cfd);
	if (lfd >= 0 && !have_fd)
		close(lfd);
	if (ofd >= 0 && close(ofd) && ret == EXIT_OK) {
		zc_err(&ctx->cli, "--output %s: %s", output, strerror(errno));
		ret = EXIT_FAIL;
	}
	for (i = 0; i < r.nexp; i++) {
		if (r.exp[i].is_text)
			free(r.exp[i].text);
		else
			close(r.exp[i].fd);
	}
	free(r.exp);
	free(r.ebuf);
	free(buf);
	return ret;
}
