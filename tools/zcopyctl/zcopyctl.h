/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopyctl: shared declarations.
 *
 *   zcopyctl.c  the command table, global options, dispatch
 *   netlink.c   the "zcopy" generic netlink family (libzcopy): resolve,
 *               error lines, --debug tracing, attribute descriptions
 *   dev.c       /dev/zcopy: open, query, pools (libzcopy, with messages)
 *   net.c       TCP addresses, connect, listen
 *   names.c     names and explanations of the uapi enums
 *   info.c      info, stats, reset, pools
 *   monitor.c   monitor
 *   send.c      send
 *   recv.c      recv
 *   probe.c     probe
 *   serve.c     serve: the HTTP/1.1 (and HTTPS, kTLS) file server
 *   http.c      its request parsing, ranges, dates, content types
 *
 * The command table's machinery (options, help, messages), output and
 * parsing helpers are shared with zcopy-bench: tools/common/cli.h.
 */
#ifndef ZCOPYCTL_H
#define ZCOPYCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <libzcopy.h>

#include "cli.h"

/* The release of zcopy, module and tools: the top-level VERSION file. */
#ifndef ZCOPY_VERSION
#error "ZCOPY_VERSION is not defined: the Makefile passes it from VERSION"
#endif
#define ZCOPYCTL_VERSION ZCOPY_VERSION

struct nl_cb;
struct nl_msg;
struct nl_sock;
struct nlattr;
struct zc_ctx {
	struct zc_cli cli;		/* first: handlers get &ctx->cli */
	struct libzcopy_nl *nl;		/* NULL until zc_nl_connect() */
	struct nl_sock *sk;		/* its socket */
	int family;			/* generic netlink family id */
	uint32_t events_grp;		/* id of "events", 0 if none */
	uint64_t ops;			/* 1 << cmd for each op the family has */
};

/* The context of a command handler, from what zc_cli_run() passes. */
static inline struct zc_ctx *zc_ctx_of(struct zc_cli *cli)
{
	return (struct zc_ctx *)((char *)cli - offsetof(struct zc_ctx, cli));
}

/* ---- the commands (their table: zcopyctl.c) ---- */

int cmd_info(struct zc_cli *cli, int argc, char **argv);
int cmd_stats(struct zc_cli *cli, int argc, char **argv);
int cmd_reset(struct zc_cli *cli, int argc, char **argv);
int cmd_pools(struct zc_cli *cli, int argc, char **argv);
int cmd_monitor(struct zc_cli *cli, int argc, char **argv);
int cmd_send(struct zc_cli *cli, int argc, char **argv);
int cmd_recv(struct zc_cli *cli, int argc, char **argv);
int cmd_probe(struct zc_cli *cli, int argc, char **argv);
int cmd_serve(struct zc_cli *cli, int argc, char **argv);

extern const struct zc_opt zc_info_opts[], zc_stats_opts[], zc_reset_opts[],
	zc_pools_opts[], zc_monitor_opts[], zc_send_opts[], zc_recv_opts[],
	zc_probe_opts[], zc_serve_opts[];

/* ---- netlink.c ---- */

enum zc_atype { ZC_T_U32, ZC_T_U64, ZC_T_S32, ZC_T_STR, ZC_T_FLAG, ZC_T_NEST };

struct zc_attr_set;

struct zc_attr_desc {
	const char *name;		/* snake_case, also the JSON key */
	enum zc_atype type;
	const struct zc_attr_set *nest;
};

struct zc_attr_set {
	const char *name;
	int max;
	const struct zc_attr_desc *attrs;	/* indexed by type */
};

/* nl-gen.c, generated from the spec by tools/nlgen */
extern const struct zc_attr_set zc_set_info, zc_set_stats, zc_set_pool,
	zc_set_seg, zc_set_xfer, zc_set_probe;

struct zc_cmd_desc {
	const char *name;		/* the spec's operation name */
	const struct zc_attr_set *set;	/* of its messages */
};

extern const struct zc_cmd_desc zc_cmds_desc[ZCOPY_CMD_MAX + 1];

/* The kernel's answer to a failed request. */
struct zc_nl_err {
	int err;			/* negative errno, 0 */
	char msg[256];			/* extack message */
	char attr[96];			/* attribute it points at */
	int miss_type;			/* missing attribute, or 0 */
	bool local;			/* libnl failed, not the kernel */
	bool hint;			/* msg is zcopyctl's reading, not extack */
};

const char *zc_cmd_name(unsigned int cmd);
int zc_nl_connect(struct zc_ctx *ctx);
int zc_nl_require(struct zc_ctx *ctx, unsigned int cmd);
void zc_nl_err_from(struct zc_nl_err *e, const struct libzcopy_nl_err *le);
void zc_nl_perror(struct zc_ctx *ctx, const char *what,
		  const struct zc_nl_err *e);
const struct zc_attr_set *zc_cmd_set(unsigned int cmd);
struct nl_cb *zc_nl_trace_cb(struct zc_ctx *ctx);

/* ---- dev.c ---- */

struct libzcopy *zc_dev_open(struct zc_ctx *ctx);
int zc_dev_query(struct zc_ctx *ctx, struct libzcopy *z, struct zcopy_query *q);
int zc_pool_create(struct zc_ctx *ctx, struct libzcopy *z, const void *data,
		   size_t len, struct libzcopy_pool *p);
void zc_pool_destroy(struct zc_ctx *ctx, struct libzcopy *z,
		     struct libzcopy_pool *p);

/* ---- net.c ---- */

struct zc_hostport {
	char host[256];			/* "" for any address */
	char port[8];			/* hp->num in decimal */
	uint16_t num;
};

int zc_parse_hostport(struct zc_ctx *ctx, const char *s, bool listen,
		      struct zc_hostport *hp);
int zc_tcp_connect(struct zc_ctx *ctx, const struct zc_hostport *hp);
int zc_tcp_listen(struct zc_ctx *ctx, const struct zc_hostport *hp);
void zc_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len);
int zc_sock_peer_str(int fd, bool peer, char *buf, size_t len);

/* ---- names.c ---- */

const char *zc_reason_name(uint32_t reason);
const char *zc_reason_help(uint32_t reason);
const char *zc_stop_name(uint32_t stop);
void zc_flags_str(uint32_t flags, char *buf, size_t len);

/* ---- http.c ---- */

/* The longest request head (request line and fields) serve reads. */
#define ZC_HTTP_MAX_HEAD	8192

/* One request head, parsed (zc_http_parse()). */
struct zc_http_req {
	char method[16];
	bool get, head;			/* the method is GET, HEAD */
	int minor;			/* HTTP/1.minor */
	bool dir_slash;			/* the target ended with '/' */
	bool have_host, conn_close, conn_keep;
	bool keep_alive;		/* the connection stays open after */
	bool has_body;			/* Content-Length > 0, Transfer-Encoding */
	char range[128];		/* the Range field, "" without */
	size_t range_len;
	bool range_bad;			/* two Range fields, or too long */
	bool have_ims;			/* a valid If-Modified-Since */
	time_t ims;
	/* last: zc_http_parse() clears what is above it, not its 4 KiB */
	char path[4096];		/* decoded, relative to the root */
};

const char *zc_http_find(const char *p, size_t n, const char *pat, size_t pl);
int zc_http_parse(const char *buf, size_t len, struct zc_http_req *r);
int zc_http_range(const struct zc_http_req *r, uint64_t size, uint64_t *off,
		  uint64_t *len);
/* "Sun, 06 Nov 1994 08:49:37 GMT" and its NUL */
#define ZC_HTTP_DATE_LEN	30
void zc_http_date(time_t t, char *buf, size_t len);
int zc_http_date_parse(const char *s, time_t *t);
const char *zc_http_type(const char *path);
const char *zc_http_status_text(int status);

#endif /* ZCOPYCTL_H */
