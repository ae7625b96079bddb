/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the zcopy data-path selftests (zcopy_pool, zcopy_send,
 * zcopy_data, zcopy_files, zcopy_ktls, zcopy_topology): opening the device
 * with a feature check, pool and send wrappers, connected TCP pairs, a
 * receiver thread that checks every byte, completion reading with a
 * timeout, seeded pseudo-random data, temporary files, an ext4 file system
 * on a loop device, and network namespaces.
 *
 * Helpers return 0 or a negative errno and print what went wrong as a TAP
 * comment; the tests do the asserting. Include after zcopy_test.h's users
 * and before kselftest_harness.h (the SKIP/ASSERT macros used by the
 * ZU_*() macros below are expanded in the tests).
 */
#ifndef ZCOPY_UTIL_H
#define ZCOPY_UTIL_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "zcopy_test.h"

#ifndef KSFT_SKIP
#define KSFT_SKIP 4
#endif

#define ZU_PAGE ((size_t)sysconf(_SC_PAGESIZE))
#define ZU_MIB (1024UL * 1024UL)

/* Log a TAP comment (usable where _metadata is not in scope). */
#define zu_log(fmt, ...) fprintf(stderr, "# " fmt "\n", ##__VA_ARGS__)

/* ---------------------------------------------------------------- time */

uint64_t zu_now_ns(void);

uint64_t zu_ms_since(uint64_t start_ns);

void zu_sleep_ms(unsigned int ms);

/* The running kernel is at least @maj.@min. */
bool zu_kernel_at_least(int maj, int min);

/* ------------------------------------------------- seeded random data */

/*
 * The seed of a test: ZCOPY_SEED from the environment if set, else a
 * fixed value derived from @name, so every run is the same unless asked
 * otherwise. Printed so a failure can be reproduced.
 */
uint64_t zu_seed(const char *name);

/* splitmix64 */
uint64_t zu_rand(uint64_t *state);

/* Uniform in [lo, hi]. */
uint64_t zu_rand_range(uint64_t *state, uint64_t lo, uint64_t hi);

void zu_fill(void *buf, size_t len, uint64_t seed);

/* ------------------------------------------------------------- device */

/*
 * Open /dev/zcopy and query it; @need is a mask of ZCOPY_FEATURE_* bits
 * the test requires. Returns 0 with *@fd open, KSFT_SKIP with a reason in
 * @why (not root, module not loaded, feature missing), or -errno for a
 * real failure (also explained in @why).
 */
int zu_dev_open(int *fd, struct zcopy_query *q, __u64 need,
			      char *why, size_t whylen);

/* In a FIXTURE_SETUP or test: open the device or SKIP/fail. */
#define ZU_DEV_OPEN(_fd, _q, _need) do {				\
	char __why[256];						\
	int __r = zu_dev_open(&(_fd), &(_q), (_need), __why,		\
			      sizeof(__why));				\
	if (__r == KSFT_SKIP)						\
		SKIP(return, "%s", __why);				\
	ASSERT_EQ(0, __r) TH_LOG("%s", __why);				\
} while (0)

/* Open one more fd of the device (no checks beyond open). */
int zu_dev_open_raw(int flags);

/* /sys/module/zcopy/refcnt, or -1 when the module is not loaded. */
long zu_module_refcnt(void);

/* Wait up to @ms for the module's refcount to be <= @want. */
long zu_wait_refcnt(long want, unsigned int ms);

/* -------------------------------------------------------------- pools */

int zu_pool_reg(int dev, const void *addr, __u64 len, __u32 *id);

int zu_pool_unreg(int dev, __u32 id);

/* An anonymous buffer filled with seeded data, registered as a pool. */
struct zu_pool {
	unsigned char *mem;
	size_t len;	/* registered length */
	size_t maplen;	/* mapped length (page multiple) */
	__u32 id;
	int dev;
};

int zu_pool_new(int dev, size_t len, uint64_t seed,
			      struct zu_pool *p);

/* Unregister (if still registered) and unmap. Returns the unregister result. */
int zu_pool_free(struct zu_pool *p);

/* ---------------------------------------------------------------- send */

struct zcopy_seg zu_seg_pool(__u32 id, __u64 off, __u64 len);

struct zcopy_seg zu_seg_file(int fd, __u64 off, __u64 len);

void zu_send_init(struct zcopy_send *s, int sock,
				const struct zcopy_seg *segs, __u32 n,
				struct zcopy_seg_result *res, __u64 cookie,
				__u32 flags);

/* ZCOPY_IOC_SEND with a prepared struct: 0 or -errno. */
int zu_send_raw(int dev, struct zcopy_send *s);

/* Build and issue ZCOPY_IOC_SEND; @out (optional) gets the struct back. */
int zu_send(int dev, int sock, const struct zcopy_seg *segs,
			  __u32 n, struct zcopy_seg_result *res, __u64 cookie,
			  __u32 flags, struct zcopy_send *out);

const char *zu_reason_name(__u32 r);

const char *zu_stop_name(__u32 r);

void zu_log_send(const struct zcopy_send *s);

void zu_log_compl(const struct zcopy_completion *c);

/* ZCOPY_IOC_PROBE on @sock: 0 with *@p filled in, or -errno. */
int zu_probe(int dev, int sock, struct zcopy_probe *p);

void zu_log_probe(const struct zcopy_probe *p);

/*
 * Check that @s's stop_seg/stop_offset and the per-segment @res (optional)
 * agree with its bytes_sent over @segs: every segment before stop_seg sent
 * in full, stop_offset bytes of stop_seg, nothing after. Returns the number
 * of violations (each logged).
 */
int zu_check_stop(const struct zcopy_seg *segs, __u32 n,
				const struct zcopy_send *s,
				const struct zcopy_seg_result *res);

/*
 * The segments still to send after a send that stopped at
 * (@stop_seg, @stop_offset): copied to @out, the first one shortened.
 * Returns how many.
 */
__u32 zu_segs_resume(const struct zcopy_seg *segs, __u32 n,
				   __u32 stop_seg, __u64 stop_offset,
				   struct zcopy_seg *out);

/* -------------------------------------------------------- completions */

/*
 * Read one completion, waiting up to @timeout_ms (poll, then read).
 * Returns 0, -ETIMEDOUT, or -errno of poll/read; -EPROTO for a read that
 * did not return exactly one record.
 */
int zu_read_compl(int dev, struct zcopy_completion *c,
				int timeout_ms);

/* Read @n completions into @c within @timeout_ms overall: count read or -errno. */
int zu_read_compls(int dev, struct zcopy_completion *c, int n,
				 int timeout_ms);

/*
 * Check the invariants every completion must satisfy against the send that
 * produced it. Returns the number of violations (each logged).
 */
int zu_check_compl(const struct zcopy_completion *c,
				 const struct zcopy_send *s);

/* ----------------------------------------------------------------- TCP */

struct zu_tcp_opts {
	const char *addr;	/* server address; default 127.0.0.1 */
	int srv_ns;		/* netns fd for the server side, -1: current */
	int cli_ns;		/* netns fd for the client side, -1: current */
	int sndbuf;		/* SO_SNDBUF of the sender, 0: default */
	int rcvbuf;		/* SO_RCVBUF of the receiver, 0: default */
	bool nodelay;		/* TCP_NODELAY on the sender */
	int timeout_ms;		/* connect/accept; default 20000 */
};

int zu_setns_fd(int nsfd);

int zu_wait_fd(int fd, short ev, int timeout_ms);

/*
 * The sanitizer kernel of make check-debug (it has fault injection, which
 * stock Debian kernels lack): long loops run fewer rounds there, the full
 * count running on the stock kernels of make check.
 */
bool zu_sanitizer_kernel(void);

/*
 * A connected TCP pair: *@snd is the connecting side (the one the tests
 * send from), *@rcv the accepted side. Both blocking, CLOEXEC.
 */
int zu_tcp_pair_opts(const struct zu_tcp_opts *o, int *snd,
				   int *rcv);

/* A connected TCP pair over 127.0.0.1. */
int zu_tcp_pair(int *snd, int *rcv);

void zu_close(int *fd);

int zu_set_nonblock(int fd, bool on);

/* Bytes queued for reading on a socket, without consuming them. */
int zu_sock_pending(int fd);

ssize_t zu_read_file(const char *path, void *buf, size_t max);

/*
 * Queue zeros into @fd without blocking until it takes nothing more: its
 * send buffer is locked at 64 KiB (no autotuning), and ACKs of what was
 * queued free room for a while (delayed ACKs, a slow kernel), so it is full
 * once two rounds 200 ms apart added nothing. Returns the bytes queued.
 */
size_t zu_fill_socket(int fd);

/* Log a TCP socket's queues and state (for diagnosing a stalled stream). */
void zu_tcp_log(int fd, const char *name);

/* Log the non-zero TcpExt counters of /proc/net/netstat (diagnostics). */
void zu_log_tcpext(void);

/* -------------------------------------------------------------- receiver */

/*
 * A receiver thread: reads from @fd until @want bytes arrived (or EOF when
 * @want is 0), comparing each byte with @expect (when not NULL, at most
 * @expect_len bytes of it). It gives up after @idle_ms without data
 * (default 15 s). All signals are blocked in the thread, so signal tests
 * interrupt the sender, not the receiver.
 */
struct zu_rx {
	/* in */
	int fd;
	const unsigned char *expect;
	size_t expect_len;
	size_t want;
	int idle_ms;
	/* out */
	size_t got;
	size_t mismatch_at;	/* SIZE_MAX: none */
	unsigned char mismatch_got, mismatch_want;
	int err;		/* errno: read failed; ETIMEDOUT: idle */
	bool eof;
	bool overrun;		/* more bytes than expect_len */
	uint64_t first_ns, last_ns;
	/* private */
	pthread_t th;
	bool running;
};

void zu_rx_chunk(struct zu_rx *rx, const unsigned char *buf,
			       size_t n);

void *zu_rx_fn(void *arg);

/* Reset @rx's results and start the thread; give up after @idle_ms idle. */
int zu_rx_start_idle(struct zu_rx *rx, int fd,
				   const void *expect, size_t expect_len,
				   size_t want, int idle_ms);

int zu_rx_start(struct zu_rx *rx, int fd, const void *expect,
			      size_t expect_len, size_t want);

void zu_rx_join(struct zu_rx *rx);

/* Log what the receiver saw. */
void zu_rx_log(const struct zu_rx *rx);

/* True when the receiver got exactly @len bytes equal to the expectation. */
bool zu_rx_ok(const struct zu_rx *rx, size_t len);

/*
 * Read and discard from @fd until @len bytes (no more: what follows stays
 * queued; 0: until EOF) or @idle_ms without data; returns the bytes read.
 */
size_t zu_drain(int fd, size_t len, int idle_ms);

/* --------------------------------------------------------------- files */

/*
 * A file in @dir holding @len bytes of @data (or a sparse file of @len
 * when @data is NULL), already unlinked. Returns an O_RDWR fd or -errno.
 */
int zu_tmpfile(const char *dir, const void *data, size_t len);

/* Read a whole small file (procfs, sysfs) into @buf: length or -errno. */

int zu_write_file(const char *path, const char *s);

/* Run a shell command (printf format); returns its exit status or -1. */
int zu_sh(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* ---------------------------------------------------- ext4 on a loop */

/* The sparse image: room for cache-hints' 64 MiB file and some more. */
#define ZU_EXT4_IMAGE_BYTES	(96 * ZU_MIB)

struct zu_ext4 {
	char img[PATH_MAX];
	char dir[PATH_MAX];
	char dev[64];
	bool mounted;
};

/*
 * A fresh 16 MiB ext4 file system on a loop device over a file in /tmp,
 * mounted on a new directory. The loop device detaches itself on unmount.
 * Returns 0, or KSFT_SKIP with the reason in @why when loop devices or
 * ext4 are not available.
 */
int zu_ext4_mount(struct zu_ext4 *m, char *why, size_t whylen);

void zu_ext4_umount(struct zu_ext4 *m);

/*
 * Create @name under @dir with @len bytes of @data, fsync it and drop it
 * from the page cache so a later read goes to the device. Returns an
 * O_RDWR fd or -errno.
 */
int zu_disk_file(const char *dir, const char *name,
			       const void *data, size_t len);

/* ------------------------------------------------------ network namespaces */

/* A new network namespace (lo down) as an fd; the caller stays where it is. */
int zu_netns_new(void);

/* A path naming netns fd @ns that other programs (ip) can open. */
const char *zu_netns_path(int ns, char *buf, size_t len);

/* Run a shell command inside netns @ns (-1: here). Exit status or -1. */
int zu_sh_in(int ns, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------- counters, leaks, netlink */

/*
 * Subscribe @mon (opened with zt_nl_open()) to the events group. Returns 0
 * or -errno.
 */
int zu_events_join(struct zt_nl *mon);

/*
 * Read events from @fd until one with command @cmd, up to @timeout_ms;
 * the event is left at the start of @buf. Returns 0, or -1 when none came.
 */
int zu_event_wait(int fd, int cmd, char *buf, size_t len,
				int timeout_ms);

/**
 * struct zu_xfer_end - how a kernel-run transfer ended
 * @id: its id, from the XFER_START reply
 * @done: the event was XFER_DONE (else SEND_FAILED)
 * @error: ZCOPY_A_XFER_ERROR of either event
 * @bytes: XFER_DONE's bytes
 * @zc_bytes: its zero-copy bytes
 * @compl_flags: its completion flags
 * @has_changed_seg, @changed_seg: XFER_DONE's changed-seg, when present
 * @stop_seg, @stop_reason, @stop_offset, @stop_errno: where it stopped
 */
struct zu_xfer_end {
	__u32 id;
	bool done;
	__s32 error;
	__u64 bytes, zc_bytes;
	__u32 compl_flags;
	bool has_changed_seg;
	__u32 changed_seg;
	__u32 stop_seg, stop_reason, stop_errno;
	__u64 stop_offset;
};

/*
 * Wait on @mon (joined to the events) for the end of transfer @id:
 * XFER_DONE or SEND_FAILED, up to @timeout_ms. Other events are skipped.
 * Returns 0 with @end filled in, or -ETIMEDOUT.
 */
int zu_xfer_wait(struct zt_nl *mon, __u32 id, struct zu_xfer_end *end,
		 int timeout_ms);

/*
 * XFER_START @nlh on @nl, then zu_xfer_wait() on @mon. Returns the
 * request's errno when it is refused, SEND_FAILED's error when nothing
 * was sent, else 0 (XFER_DONE) with @end filled in.
 */
int zu_xfer_run(struct zt_nl *nl, struct zt_nl *mon, struct nlmsghdr *nlh,
		struct zu_xfer_end *end, int timeout_ms);

/*
 * The module-wide counters from netlink STATS_GET into
 * v[ZCOPY_A_STATS_MAX + 1]. Returns 0 or -errno.
 */
int zu_stats(__u64 *v);

/* What must come back once a test has closed everything. */
struct zu_leak_base {
	long refcnt;
	__u64 pinned, pools, outstanding;
};

int zu_leak_base(struct zu_leak_base *b);

/*
 * Wait up to @ms for pinned pages, pools and outstanding transfers to
 * return to @b and the module refcount to @b's (or below). Returns how
 * many of the four did not, each logged.
 */
int zu_leak_check(const struct zu_leak_base *b,
				unsigned int ms);

/*
 * Whether a 64-bit value looks like an x86-64 kernel address: the direct
 * map, vmalloc and vmemmap ranges (0xffff8000_00000000 up to
 * 0xffffefff_ffffffff), or kernel text and modules (0xffffffff_8xxxxxxx
 * and up). Values whose upper or lower half is a small negative number
 * (an s32 errno next to another field) do not count.
 */
bool zu_looks_like_kptr(uint64_t v);

/*
 * Scan @len bytes at every 4-byte aligned offset for a kernel-looking
 * 64-bit value; log each hit with @what. Returns the number of hits.
 */
int zu_scan_kptr(const void *buf, size_t len, const char *what);

/*
 * Two new network namespaces joined by a veth pair: @if_a (@net.1/24) in
 * *@ns_a, @if_b (@net.2/24) in *@ns_b, both up with carrier. @net is the
 * first three octets, e.g. "10.79.0". Returns 0, KSFT_SKIP (no netns or
 * veth) or -EIO, with the reason in @why.
 */
int zu_veth_new(int *ns_a, int *ns_b, const char *if_a,
			      const char *if_b, const char *net, char *why,
			      size_t whylen);

#endif /* ZCOPY_UTIL_H */
