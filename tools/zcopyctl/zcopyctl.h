/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopyctl: shared declarations.
 *
 *   zcopyctl.c  the command table, global options, help, dispatch
 *   netlink.c   the "zcopy" generic netlink family (libzcopy): resolve,
 *               error lines, --debug tracing, attribute descriptions
 *   dev.c       /dev/zcopy: open, query, pools (libzcopy, with messages)
 *   net.c       TCP addresses, connect, listen
 *   output.c    JSON writer, units, aligned tables
 *   util.c      number and escape parsing, time, signals
 *   info.c      info, stats, reset, pools
 *   monitor.c   monitor
 *   send.c      send
 *   recv.c      recv
 *   bench*.c    bench: every sending technique side by side (bench.h)
 */
#ifndef ZCOPYCTL_H
#define ZCOPYCTL_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <libzcopy.h>

/* The release of zcopy, module and tools: the top-level VERSION file. */
#ifndef ZCOPY_VERSION
#error "ZCOPY_VERSION is not defined: the Makefile passes it from VERSION"
#endif
#define ZCOPYCTL_VERSION ZCOPY_VERSION

/* Exit status, documented in zcopyctl(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_MISMATCH = 3,
};

struct nl_cb;
struct nl_msg;
struct nl_sock;
struct nlattr;
struct zc_cmd;

struct zc_ctx {
	const struct zc_cmd *cmd;	/* the running subcommand */
	struct libzcopy_nl *nl;		/* NULL until zc_nl_connect() */
	struct nl_sock *sk;		/* its socket */
	int family;			/* generic netlink family id */
	uint32_t events_grp;		/* id of "events", 0 if none */
	uint64_t ops;			/* 1 << cmd for each op the family has */
	bool json;
	bool debug;
};

/* ---- the command table (zcopyctl.c) ---- */

/*
 * One option of a subcommand. @val is the short option character, or a
 * value >= 256 for long-only options; @arg names the argument (NULL: no
 * argument). Help text and getopt_long tables are built from these.
 */
struct zc_opt {
	const char *name;
	int val;
	const char *arg;
	const char *help;
};

struct zc_cmd {
	const char *name;
	const char *args;		/* positional arguments, for help */
	const char *help;		/* one line */
	const char *desc;		/* paragraph for "help COMMAND" */
	const struct zc_opt *opts;	/* ends with { NULL } */
	int (*run)(struct zc_ctx *ctx, int argc, char **argv);
};

/* Per-command option parsing; -h/--help and -j/--json are implicit. */
struct zc_getopt {
	int exit;			/* for ZC_OPT_EXIT */
	char sopts[80];
	struct option *lopts;
};

#define ZC_OPT_EXIT	(-2)		/* help printed or usage error */

void zc_getopt_init(struct zc_ctx *ctx, struct zc_getopt *g);
int zc_getopt_next(struct zc_ctx *ctx, struct zc_getopt *g, int argc,
		   char **argv);
void zc_getopt_free(struct zc_getopt *g);
int zc_usage_error(struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_err(struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_warn(struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_debug(struct zc_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int cmd_info(struct zc_ctx *ctx, int argc, char **argv);
int cmd_stats(struct zc_ctx *ctx, int argc, char **argv);
int cmd_reset(struct zc_ctx *ctx, int argc, char **argv);
int cmd_pools(struct zc_ctx *ctx, int argc, char **argv);
int cmd_monitor(struct zc_ctx *ctx, int argc, char **argv);
int cmd_send(struct zc_ctx *ctx, int argc, char **argv);
int cmd_recv(struct zc_ctx *ctx, int argc, char **argv);
int cmd_bench(struct zc_ctx *ctx, int argc, char **argv);

extern const struct zc_opt zc_info_opts[], zc_stats_opts[], zc_reset_opts[],
	zc_pools_opts[], zc_monitor_opts[], zc_send_opts[], zc_recv_opts[],
	zc_bench_opts[];

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

extern const struct zc_attr_set zc_set_info, zc_set_stats, zc_set_pool,
	zc_set_seg, zc_set_xfer;

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
void zc_pool_json(const struct libzcopy_nl_obj *o);
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

/* ---- output.c ---- */

/* A minimal JSON writer: keeps track of commas itself. */
void zj_begin_obj(const char *key);
void zj_end_obj(void);
void zj_begin_arr(const char *key);
void zj_end_arr(void);
void zj_u64(const char *key, uint64_t v);
void zj_s64(const char *key, int64_t v);
void zj_str(const char *key, const char *s);
void zj_bool(const char *key, bool v);
void zj_null(const char *key);
void zj_end(void);			/* newline, flush, reset */

const char *zc_fmt_bytes(uint64_t v, char *buf, size_t len);
const char *zc_fmt_rate(double bytes_per_sec, char *buf, size_t len);
const char *zc_fmt_secs(uint64_t ns, char *buf, size_t len);
const char *zc_fmt_pct(uint64_t part, uint64_t total, char *buf, size_t len);

struct zc_table;
struct zc_table *zc_table_new(int ncols, const char *const *headers,
			      const char *align);
void zc_table_row(struct zc_table *t, ...);
void zc_table_print(struct zc_table *t, FILE *f, bool header);
void zc_table_free(struct zc_table *t);

const char *zc_reason_name(uint32_t reason);
const char *zc_reason_help(uint32_t reason);
const char *zc_stop_name(uint32_t stop);
void zc_flags_str(uint32_t flags, char *buf, size_t len);

/* ---- util.c ---- */

int zc_parse_u64(const char *s, uint64_t *v);	/* 0x.., K/M/G/T suffixes */
int zc_parse_secs(const char *s, double *secs);
int zc_unescape(const char *s, char **out, size_t *len);
uint64_t zc_now_ns(void);
int zc_write_ready_file(struct zc_ctx *ctx, const char *path,
			const char *content);
extern volatile sig_atomic_t zc_stop_signal;
void zc_catch_signals(bool restart);

#endif /* ZCOPYCTL_H */
