// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: TCP endpoints. HOST:PORT, [IPV6]:PORT, :PORT and PORT (to
 * listen on every address), resolved with getaddrinfo().
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "zcopyctl.h"

static bool zc_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * A TCP port: decimal digits, at most 65535; 0 (the kernel picks one) only
 * for a listener. Stored in hp->num, and in hp->port as plain decimal for
 * getaddrinfo(), which would take 65536 for 0 and 99999 for 34463, and
 * would look a name up in /etc/services.
 */
static int zc_parse_port(struct zc_ctx *ctx, const char *arg, const char *s,
			 bool listen, struct zc_hostport *hp)
{
	unsigned long n = 0;
	const char *p;

	if (!zc_all_digits(s))
		return zc_usage_error(&ctx->cli,
			"'%s': bad port '%s' (a number, %d to 65535)", arg, s,
			listen ? 0 : 1);
	for (p = s; *p; p++) {
		n = n * 10 + (*p - '0');
		if (n > 65535)
			return zc_usage_error(&ctx->cli,
				"'%s': port %s out of range (%d to 65535)", arg,
				s, listen ? 0 : 1);
	}
	if (!listen && !n)
		return zc_usage_error(&ctx->cli, "'%s': cannot connect to port 0", arg);
	hp->num = (uint16_t)n;
	snprintf(hp->port, sizeof(hp->port), "%lu", n);
	return 0;
}

/*
 * Split an endpoint. For recv (@listen) the host may be left out. Returns
 * 0, or EXIT_USAGE after printing why.
 */
int zc_parse_hostport(struct zc_ctx *ctx, const char *s, bool listen,
		      struct zc_hostport *hp)
{
	const char *colon;
	size_t hl;

	memset(hp, 0, sizeof(*hp));
	if (!strncmp(s, "unix:", 5) || s[0] == '/' || s[0] == '@')
		return zc_usage_error(&ctx->cli,
			"'%s': zcopy sends only to TCP sockets (the kernel refuses "
			"AF_UNIX with EOPNOTSUPP), so a unix socket cannot be an "
			"endpoint; use HOST:PORT or --fd N", s);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || !close[2])
			return zc_usage_error(&ctx->cli,
				"'%s': expected [IPV6-ADDRESS]:PORT", s);
		hl = close - s - 1;
		if (hl >= sizeof(hp->host))
			return zc_usage_error(&ctx->cli, "'%s': host too long", s);
		memcpy(hp->host, s + 1, hl);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			if (listen && zc_all_digits(s))
				return zc_parse_port(ctx, s, s, true, hp);
			return zc_usage_error(&ctx->cli,
				"'%s': expected %sHOST:PORT", s,
				listen ? "PORT or " : "");
		}
		if (strchr(s, ':') != colon)
			return zc_usage_error(&ctx->cli,
				"'%s': write IPv6 addresses as [ADDRESS]:PORT", s);
		hl = colon - s;
		if (hl >= sizeof(hp->host))
			return zc_usage_error(&ctx->cli, "'%s': host too long", s);
		memcpy(hp->host, s, hl);
	}
	if (!colon[1])
		return zc_usage_error(&ctx->cli, "'%s': missing port", s);
	if (!listen && !hp->host[0])
		return zc_usage_error(&ctx->cli, "'%s': missing host", s);
	return zc_parse_port(ctx, s, colon + 1, listen, hp);
}

void zc_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		/* A v4 client of a dual-stack listener: show it as v4. */
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
			snprintf(buf, len, "%s:%u", a + 7,
				 ntohs(in6->sin6_port));
		else
			snprintf(buf, len, "[%s]:%u", a,
				 ntohs(in6->sin6_port));
	} else if (sa->sa_family == AF_UNIX) {
		snprintf(buf, len, "unix:%s",
			 ((const struct sockaddr_un *)sa)->sun_path);
	} else {
		snprintf(buf, len, "family %u", sa->sa_family);
	}
}

int zc_sock_peer_str(int fd, bool peer, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int ret;

	memset(&ss, 0, sizeof(ss));
	ret = peer ? getpeername(fd, (struct sockaddr *)&ss, &sl) :
		     getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (ret) {
		snprintf(buf, len, "?");
		return -1;
	}
	zc_sockaddr_str((struct sockaddr *)&ss, buf, len);
	return 0;
}

static struct addrinfo *zc_resolve(struct zc_ctx *ctx,
				   const struct zc_hostport *hp, bool passive)
{
	struct addrinfo hints, *res = NULL;
	int ret;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	ret = getaddrinfo(hp->host[0] ? hp->host : NULL, hp->port, &hints,
			  &res);
	if (ret) {
		zc_err(&ctx->cli, "%s%s%s: %s", hp->host[0] ? hp->host : "",
		       hp->host[0] ? ":" : "port ", hp->port,
		       ret == EAI_SYSTEM ? strerror(errno) :
		       gai_strerror(ret));
		return NULL;
	}
	return res;
}

/*
 * Each address of @hp in turn until one connects or, @passive, is bound
 * and listening; -1 with the message of the last failure.
 */
static int zc_tcp_open(struct zc_ctx *ctx, const struct zc_hostport *hp,
		       bool passive)
{
	const char *what = passive ? "listen on" : "connect";
	struct addrinfo *res, *ai;
	int fd = -1, err = 0, one = 1;
	char addr[128];

	res = zc_resolve(ctx, hp, passive);
	if (!res)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		zc_sockaddr_str(ai->ai_addr, addr, sizeof(addr));
		if (passive)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				   sizeof(one));
		if (passive ? !bind(fd, ai->ai_addr, ai->ai_addrlen) &&
			      !listen(fd, 8) :
			      !connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			if (!passive)
				zc_debug(&ctx->cli, "connected to %s, fd %d",
					 addr, fd);
			break;
		}
		err = errno;
		zc_debug(&ctx->cli, "%s %s: %s", what, addr, strerror(err));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		return fd;
	if (passive)
		zc_err(&ctx->cli, "listen on %s%s%s: %s", hp->host,
		       hp->host[0] ? ":" : "port ", hp->port, strerror(err));
	else
		zc_err(&ctx->cli, "connect to %s:%s: %s", hp->host, hp->port,
		       strerror(err));
	return -1;
}

/* A connected TCP socket, trying each address in turn; -1 on failure. */
int zc_tcp_connect(struct zc_ctx *ctx, const struct zc_hostport *hp)
{
	return zc_tcp_open(ctx, hp, false);
}

/*
 * A listening socket. Without a host: [::] accepting IPv4 too, or 0.0.0.0
 * where IPv6 is off.
 */
int zc_tcp_listen(struct zc_ctx *ctx, const struct zc_hostport *hp)
{
	int fd, err, one = 1, zero = 0;

	if (!hp->host[0]) {
		struct sockaddr_in6 in6 = {
			.sin6_family = AF_INET6,
			.sin6_port = htons(hp->num),
			.sin6_addr = IN6ADDR_ANY_INIT,
		};

		fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 &&
		    (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
				sizeof(zero)) ||
		     setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) ||
		     bind(fd, (struct sockaddr *)&in6, sizeof(in6)) ||
		     listen(fd, 8))) {
			err = errno;
			close(fd);
			fd = -1;
			if (err != EAFNOSUPPORT && err != EADDRNOTAVAIL) {
				zc_err(&ctx->cli, "listen on port %s: %s",
				       hp->port, strerror(err));
				return -1;
			}
		}
		if (fd >= 0)
			return fd;
	}
	return zc_tcp_open(ctx, hp, true);
}
