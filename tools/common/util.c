// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl and zcopy-bench: parsing numbers and C escapes, clocks, the ready file, signals.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* "4096", "0x1000", "4K", "1M", "2G", "1T" (powers of 1024). */
int zc_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno)
		return -errno;
	if (end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return -EINVAL;
	}
	if (shift) {
		end++;
		/* Accept "K", "KiB" and "KB" alike: all are 1024. */
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
		if (n > (~0ULL >> shift))
			return -ERANGE;
		n <<= shift;
	}
	*v = n;
	return 0;
}

int zc_parse_secs(const char *s, double *secs)
{
	char *end;
	double d;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || d < 0 || d != d || d > 1e9)
		return -EINVAL;
	*secs = d;
	return 0;
}

static int zc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * C escapes: \a \b \e \f \n \r \t \v \\ \" \' \? \xHH \NNN (octal, up to
 * three digits; \0 is a NUL byte). Returns -EINVAL on a dangling or
 * unknown escape. The result may contain NUL bytes: use *len.
 */
int zc_unescape(const char *s, char **out, size_t *len)
{
	char *buf = malloc(strlen(s) + 1), *o = buf;
	int d, n;

	if (!buf)
		return -ENOMEM;
	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'a': *o++ = '\a'; s++; break;
		case 'b': *o++ = '\b'; s++; break;
		case 'e': *o++ = 0x1b; s++; break;
		case 'f': *o++ = '\f'; s++; break;
		case 'n': *o++ = '\n'; s++; break;
		case 'r': *o++ = '\r'; s++; break;
		case 't': *o++ = '\t'; s++; break;
		case 'v': *o++ = '\v'; s++; break;
		case '\\': case '"': case '\'': case '?':
			*o++ = *s++;
			break;
		case 'x':
			s++;
			d = zc_hexval(*s);
			if (d < 0)
				goto bad;
			n = d;
			s++;
			d = zc_hexval(*s);
			if (d >= 0) {
				n = n * 16 + d;
				s++;
			}
			*o++ = (char)n;
			break;
		default:
			if (*s < '0' || *s > '7')
				goto bad;
			n = 0;
			for (d = 0; d < 3 && *s >= '0' && *s <= '7'; d++)
				n = n * 8 + (*s++ - '0');
			if (n > 0xff)
				goto bad;
			*o++ = (char)n;
			break;
		}
	}
	*out = buf;
	*len = o - buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

uint64_t zc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/*
 * Write @content to @path atomically (a temporary file renamed over it),
 * so that a script polling for the file never reads it half written.
 */
int zc_write_ready_file(struct zc_cli *ctx, const char *path,
			const char *content)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	int fd, ok;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ok = fd >= 0 && write(fd, content, strlen(content)) ==
		(ssize_t)strlen(content);
	if (fd >= 0 && close(fd))
		ok = 0;
	if (ok && rename(tmp, path))
		ok = 0;
	if (!ok) {
		zc_err(ctx, "--ready-file %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : -1;
}

volatile sig_atomic_t zc_stop_signal;

static void zc_on_signal(int sig)
{
	zc_stop_signal = sig;
}

/*
 * SIGINT and SIGTERM set zc_stop_signal. Without @restart they interrupt
 * blocking calls (EINTR, or a send that stops with ZCOPY_STOP_SIGNAL).
 */
void zc_catch_signals(bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = zc_on_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
