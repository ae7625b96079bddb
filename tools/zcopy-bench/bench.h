/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy-bench: shared declarations.
 *
 *   bench.c        options, workloads, the run of one technique, reports
 *   bench_send.c   the sending techniques
 *   bench_recv.c   the verifying receiver (a child in another netns)
 *   bench_trace.c  CPU copies counted with kprobes/kretprobes in tracefs
 *   bench_cost.c   the whole guest's CPU time around a pass (all CPUs)
 *   bench_around.c those counters, or that cost, around another command
 *                  (--copies-around, --cost-around)
 *   bench_curve.c  cost per request against one variable (--curve)
 */
#ifndef ZCOPY_BENCH_H
#define ZCOPY_BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <libzcopy.h>

#include "cli.h"

#ifdef ZC_HAVE_LIBURING
#include <liburing.h>
#endif

/* One request: a header from memory, then a body (file or memory). */
struct zb_unit {
	uint32_t hdr_len;
	uint64_t body_off, body_len;
	uint64_t hash;			/* of header + body */
};

/* A workload: @nunits units cycled over @requests requests. */
struct zb_work {
	const char *name;		/* bulk, small, pool */
	struct zb_unit *units;
	size_t nunits;
	uint64_t requests;
	uint64_t pool_size;		/* pool sweep: the body size */
	uint64_t bytes;			/* payload bytes in all */
};

/* The streaming check the receiver computes per unit. */
struct zb_hash {
	uint64_t h, n;
	uint8_t tail[8];
	unsigned int ntail;
};

void zb_hash_init(struct zb_hash *h);
void zb_hash_update(struct zb_hash *h, const void *p, size_t len);
uint64_t zb_hash_final(struct zb_hash *h);

/* What the receiver reports back through its pipe. */
struct zb_rx_result {
	int ok;				/* 1: every unit matched, length right */
	uint64_t bytes, units, bad_units, first_bad;
	uint64_t rx_ns;			/* first byte to EOF */
	uint64_t utime_ns, stime_ns;
	uint64_t mapped, copied;	/* --receiver zerocopy: mapped, read() */
	char err[160];
};

struct zb_recv {
	pid_t pid;
	int result_fd;
	int port;
};

struct zb_env;

int zb_recv_start(struct zb_env *e, const struct zb_work *w,
		  struct zb_recv *r);
int zb_recv_finish(struct zb_env *e, struct zb_recv *r,
		   struct zb_rx_result *res);

/* Counts collected during one run of one technique. */
struct zb_counts {
	uint64_t syscalls;
	uint64_t compl, compl_zc, compl_copied;
	bool compl_known;		/* the technique reports them */
	bool compl_usage_known;		/* zc vs copied is known */
};

/* Copies seen by the probes, in bytes. */
struct zb_copies {
	bool valid;
	uint64_t sender, receiver;	/* in their process context */
	uint64_t sirq_sender, sirq_receiver, sirq_other; /* softirq, by current */
	uint64_t other;			/* other tasks, process context */
	int64_t by_probe[16];		/* per probe, all contexts; - subtracted */
	uint64_t missed;		/* kretprobe misses */
};

enum zb_tech_id {
	ZB_RW, ZB_MMAP, ZB_SENDFILE, ZB_SPLICE, ZB_SENDFILE_MORE,
	ZB_MSG_ZC, ZB_URING_ZC, ZB_ZC_FILE, ZB_ZC_POOL, ZB_ZC_HDR_FILE,
	ZB_WRITE,			/* write() from memory (pool sweep) */
	ZB_VMSPLICE,			/* vmsplice(SPLICE_F_GIFT) + splice */
	ZB_NTECH,
};

struct zb_tech {
	const char *name;
	const char *desc;
	bool file_body;			/* body from the page cache */
	int (*setup)(struct zb_env *e, char *why, size_t wlen);
	int (*send)(struct zb_env *e, int fd, const struct zb_work *w,
		    uint64_t requests, struct zb_counts *c);
};

extern const struct zb_tech zb_techs[ZB_NTECH];

struct zb_env {
	struct zc_cli *ctx;
	/* the payload: a file in the page cache and the same bytes in memory */
	int file_fd;
	uint64_t file_len;
	char *file_path;
	bool file_created;
	uint8_t *mem;			/* page aligned copy of the file */
	size_t mem_map;
	uint8_t *hdr;			/* one page: the header */
	size_t hdr_max;
	size_t chunk;
	/* zcopy */
	struct libzcopy *z;		/* NULL if /dev/zcopy did not open */
	int devfd;
	struct zcopy_query q;
	uint32_t pool_hdr, pool_mem;
	char zc_why[160];
	bool zc_ok;
	/* io_uring */
	bool uring_ok, uring_init;
	bool uring_report;		/* IORING_SEND_ZC_REPORT_USAGE works */
	char uring_why[160];
#ifdef ZC_HAVE_LIBURING
	struct io_uring ring;
#endif
	/* network */
	int snd_netns, rcv_netns;	/* fds, -1: stay */
	char addr[64];
	int family;
	double timeout;
	bool rx_verify;			/* the receiver hashes what it reads */
	bool rx_zerocopy;		/* --receiver zerocopy */
	/* tracing */
	bool probes;
	char probe_why[200];
	char probe_list[400];
	int nprobes;
};

/* bench_send.c */
int zb_sendall(int fd, const void *buf, size_t len, int flags,
	       struct zb_counts *c);
/* MSG_ZEROCOPY notifications up to @want; zcopy completions down to @max */
int zb_msgzc_reap(int fd, struct zb_counts *c, uint64_t *done,
		  uint64_t want, bool block);
int zb_zc_reap(struct zb_env *e, uint64_t *outstanding, uint64_t max,
	       struct zb_counts *c);

/* bench_cost.c: what a pass cost the whole guest */
#define ZB_COST_CPUS	64

struct zb_cost {
	uint64_t busy_ns;		/* all CPUs, not idle (tick_sched) */
	uint64_t stat_busy_ns;		/* /proc/stat user+nice+system+irq+softirq */
	bool busy_ok;			/* busy_ns is known */
};

struct zb_cost_snap {
	uint64_t now[ZB_COST_CPUS], idle[ZB_COST_CPUS];
	uint64_t stat_busy;		/* clock ticks */
	int ncpu;
	bool ok;
};

int zb_cost_setup(char *why, size_t wlen);
void zb_cost_snap(struct zb_cost_snap *s);
void zb_cost_diff(const struct zb_cost_snap *a, const struct zb_cost_snap *b,
		  struct zb_cost *c);

/* bench_trace.c */
int zb_trace_setup(struct zb_env *e);
void zb_trace_teardown(struct zb_env *e);
int zb_trace_start(struct zb_env *e);
int zb_trace_stop(struct zb_env *e, pid_t sender, pid_t receiver,
		  struct zb_copies *out);
int zb_trace_stop_servers(const pid_t *servers, size_t n,
			  struct zb_copies *out);
const char *zb_trace_probe_name(int i);

/* bench_around.c */
int zb_copies_around(struct zb_env *e, const pid_t *servers, size_t nservers,
		     char **cmd, const char *json_out);
int zb_cost_around(struct zb_env *e, const pid_t *servers, size_t nservers,
		   char **cmd, const char *json_out);

/* MSG_ZEROCOPY's constants, for C libraries older than the kernel's. */
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000
#endif

#define ZB_SYS(c, call) ((c)->syscalls++, (call))

#endif /* ZCOPY_BENCH_H */
