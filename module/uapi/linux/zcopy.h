/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zcopy: send registered user buffers and page-cache file extents to a
 * socket without a CPU copy, and report whether that really happened.
 *
 * Two interfaces:
 *
 * 1. The character device /dev/zcopy. Every object (pool, transfer,
 *    completion) belongs to the open file that created it and dies with it.
 *    Each ioctl takes a pointer to a struct whose first field, @size, is the
 *    size of the struct as the caller knows it. The kernel accepts any size
 *    from the first version of the struct up to PAGE_SIZE: a shorter struct
 *    is zero-extended, a longer one must have only zero bytes past what the
 *    kernel knows (else E2BIG). Unknown flag bits and non-zero reserved
 *    fields are rejected with EINVAL.
 *
 *    ZCOPY_IOC_QUERY            struct zcopy_query           features, limits
 *    ZCOPY_IOC_POOL_REGISTER    struct zcopy_pool_register   pin a buffer
 *    ZCOPY_IOC_POOL_UNREGISTER  struct zcopy_pool_unregister release it
 *    ZCOPY_IOC_SEND             struct zcopy_send            send segments
 *    read()                     struct zcopy_completion[]    completions
 *    poll()                     EPOLLIN while a completion is queued
 *
 *    errno contract, common to every ioctl:
 *      ENOTTY      unknown ioctl number
 *      EFAULT      the argument pointer (or one inside it) is not readable
 *                  or writable user memory
 *      EINVAL      @size below the first version, unknown flag bit,
 *                  non-zero reserved field, a value out of its range
 *      E2BIG       @size larger than the kernel's struct with non-zero
 *                  trailing bytes, or @size above PAGE_SIZE; too many
 *                  segments
 *      EOVERFLOW   offset + length overflows
 *      EOPNOTSUPP  a known field holds a value this kernel cannot honour
 *    and per ioctl, documented at each struct.
 *
 * 2. The generic netlink family "zcopy" (ZCOPY_GENL_NAME), described in
 *    Documentation/netlink/specs/zcopy.yaml:
 *
 *    ZCOPY_CMD_INFO_GET (do)
 *      reply: ZCOPY_A_INFO_VERSION     string, module version
 *             ZCOPY_A_INFO_ABI         u32, ZCOPY_ABI_VERSION
 *             ZCOPY_A_INFO_FEATURES    u64, ZCOPY_FEATURE_* mask
 *             ZCOPY_A_INFO_COPY_THRESHOLD u32, bytes
 *
 *    ZCOPY_CMD_STATS_GET (do; any user)
 *      reply: ZCOPY_A_STATS_*          u64 each, module-wide counters
 *
 *    ZCOPY_CMD_STATS_RESET (do; CAP_NET_ADMIN)
 *      zero the event counters; the peak restarts from what is pinned now
 *
 *    ZCOPY_CMD_POOL_GET (dump; any user sees their own pools, CAP_NET_ADMIN
 *    sees every pool of the network namespace)
 *      reply, one per pool: ZCOPY_A_POOL_*
 *
 *    ZCOPY_CMD_XFER_START (do; CAP_NET_ADMIN)
 *      request: ZCOPY_A_XFER_SOCKFD     u32, required: the caller's socket
 *               ZCOPY_A_XFER_DEVFD      u32: the caller's /dev/zcopy fd,
 *                                       needed for pool segments; its
 *                                       file also gets the completion
 *               ZCOPY_A_XFER_FLAGS      u32, enum zcopy_send_flags
 *               ZCOPY_A_XFER_COOKIE     u64
 *               ZCOPY_A_XFER_SEG        nested, repeated, in order:
 *                 ZCOPY_A_SEG_TYPE      u32, enum zcopy_seg_type, required
 *                 ZCOPY_A_SEG_ID        u32, pool id or the caller's fd
 *                 ZCOPY_A_SEG_OFFSET    u64
 *                 ZCOPY_A_SEG_LEN       u64, required, at least 1
 *      reply: ZCOPY_A_XFER_BYTES_SENT, _STOP_SEG, _STOP_REASON,
 *             _STOP_OFFSET, _STOP_ERRNO
 *      errors: those of ZCOPY_IOC_SEND, except that a signal before the
 *      first byte is ECANCELED (a request cannot be restarted, and EINTR
 *      from a doit would leave the request without an ACK)
 *
 *    Multicast group "events" (ZCOPY_MCGRP_EVENTS; CAP_NET_ADMIN), in the
 *    network namespace of the process that opened the /dev/zcopy file (or
 *    sent ZCOPY_CMD_XFER_START):
 *      ZCOPY_CMD_XFER_DONE     a transfer completed: ZCOPY_A_XFER_COOKIE,
 *                              _PID, _BYTES, _POOL_BYTES, _ZC_BYTES,
 *                              _COPIED_BYTES, _COMPL_FLAGS, _REASON, _ERROR
 *      ZCOPY_CMD_SEND_FAILED   a send failed: ZCOPY_A_XFER_COOKIE, _PID,
 *                              _ERROR
 *      ZCOPY_CMD_POOL_NEW      a pool was registered: ZCOPY_A_POOL_*
 *      ZCOPY_CMD_POOL_DEL      a pool's pages were unpinned: ZCOPY_A_POOL_*
 */
#ifndef _UAPI_LINUX_ZCOPY_H
#define _UAPI_LINUX_ZCOPY_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ZCOPY_DEVICE_NAME	"zcopy"
#define ZCOPY_ABI_VERSION	1

#define ZCOPY_IOC_MAGIC		'Z'
#define ZCOPY_IOC_BASE		0x40

enum {
	ZCOPY_IOC_NR_QUERY = ZCOPY_IOC_BASE,
	ZCOPY_IOC_NR_POOL_REGISTER,
	ZCOPY_IOC_NR_POOL_UNREGISTER,
	ZCOPY_IOC_NR_SEND,
	ZCOPY_IOC_NR_LAST,
};

/**
 * enum zcopy_feature - capabilities reported by ZCOPY_IOC_QUERY and by
 * ZCOPY_A_INFO_FEATURES. A bit is set only when the running module
 * implements the feature; userspace must test bits, not versions.
 * @ZCOPY_FEATURE_POOLS: ZCOPY_IOC_POOL_REGISTER / _UNREGISTER
 * @ZCOPY_FEATURE_SEND: ZCOPY_IOC_SEND with ZCOPY_SEG_POOL and
 *	ZCOPY_SEG_FILE segments, completions through read()
 * @ZCOPY_FEATURE_KTLS: ZCOPY_IOC_SEND on sockets with the kernel TLS ULP
 * @ZCOPY_FEATURE_ALL: every bit this header knows
 */
enum zcopy_feature {
	ZCOPY_FEATURE_POOLS = 1 << 0,
	ZCOPY_FEATURE_SEND = 1 << 1,
	ZCOPY_FEATURE_KTLS = 1 << 2,
	ZCOPY_FEATURE_ALL = ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND |
			    ZCOPY_FEATURE_KTLS,
};

/**
 * struct zcopy_query - ZCOPY_IOC_QUERY: what this module supports
 * @size: sizeof(struct zcopy_query) as known to the caller; at least
 *	up to @features
 * @flags: must be 0
 * @abi_version: out, ZCOPY_ABI_VERSION of the running module
 * @__reserved: must be 0
 * @features: out, mask of enum zcopy_feature bits the module implements
 * @max_pools: out, pools one open file may hold at once
 * @max_segments: out, segments one ZCOPY_IOC_SEND may carry
 * @max_pool_bytes: out, largest pool
 * @max_send_bytes: out, largest sum of segment lengths in one send
 * @max_outstanding: out, transfers one open file may have sent whose
 *	completion has not been read yet
 * @completion_size: out, sizeof(struct zcopy_completion)
 * @copy_threshold: out, pool segments shorter than this many bytes are
 *	copied (ZCOPY_REASON_SMALL); the module parameter copy_threshold
 * @__reserved2: must be 0
 */
struct zcopy_query {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 __reserved;
	__aligned_u64 features;
	__u32 max_pools;
	__u32 max_segments;
	__aligned_u64 max_pool_bytes;
	__aligned_u64 max_send_bytes;
	__u32 max_outstanding;
	__u32 completion_size;
	__u32 copy_threshold;
	__u32 __reserved2;
};

/**
 * struct zcopy_pool_register - ZCOPY_IOC_POOL_REGISTER: pin a user buffer
 * @size: sizeof(struct zcopy_pool_register)
 * @flags: must be 0
 * @addr: start of the buffer, page aligned
 * @len: length in bytes, 1 to max_pool_bytes; whole pages are pinned
 * @pool_id: out, the pool's id, unique within the open file, never 0
 * @__reserved: must be 0
 *
 * The pages are pinned for long-term DMA (FOLL_WRITE | FOLL_LONGTERM) and
 * charged to the caller's RLIMIT_MEMLOCK, in the same per-user counter as
 * MSG_ZEROCOPY and io_uring. Anonymous, memfd/shmem and hugetlbfs memory
 * work. Once registered, the pool keeps the pages it pinned: munmap() or
 * MADV_DONTNEED afterwards leaves the pool sending the old pages.
 *
 * Errors: EINVAL @addr not page aligned or @len 0; E2BIG @len above
 * max_pool_bytes; EOVERFLOW @addr + @len wraps; EFAULT a page of the range
 * is not mapped; EOPNOTSUPP the range has memory that cannot be pinned
 * long-term (a shared mapping of a file on a filesystem that tracks dirty
 * pages, e.g. ext4, or device memory); ENOBUFS over RLIMIT_MEMLOCK;
 * EMFILE max_pools reached.
 */
struct zcopy_pool_register {
	__u32 size;
	__u32 flags;
	__aligned_u64 addr;
	__aligned_u64 len;
	__u32 pool_id;
	__u32 __reserved;
};

/**
 * struct zcopy_pool_unregister - ZCOPY_IOC_POOL_UNREGISTER
 * @size: sizeof(struct zcopy_pool_unregister)
 * @flags: must be 0
 * @pool_id: a pool of this open file
 * @__reserved: must be 0
 *
 * The id is gone at once; the pages stay pinned (and charged) until every
 * transfer that uses them has completed. Errors: ENOENT no such pool in
 * this open file.
 */
struct zcopy_pool_unregister {
	__u32 size;
	__u32 flags;
	__u32 pool_id;
	__u32 __reserved;
};

/**
 * enum zcopy_seg_type - what a segment of ZCOPY_IOC_SEND sends
 * @ZCOPY_SEG_POOL: bytes [offset, offset + len) of pool @id
 * @ZCOPY_SEG_FILE: bytes [offset, offset + len) of the regular file open
 *	for reading on descriptor @id
 */
enum zcopy_seg_type {
	ZCOPY_SEG_POOL = 1,
	ZCOPY_SEG_FILE = 2,
};

/**
 * struct zcopy_seg - one segment of ZCOPY_IOC_SEND
 * @type: enum zcopy_seg_type
 * @flags: must be 0
 * @id: pool id (ZCOPY_SEG_POOL) or file descriptor (ZCOPY_SEG_FILE)
 * @__reserved: must be 0
 * @offset: byte offset into the pool or file
 * @len: bytes to send, at least 1
 */
struct zcopy_seg {
	__u32 type;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
	__aligned_u64 offset;
	__aligned_u64 len;
};

/**
 * enum zcopy_reason - why bytes were copied by the CPU
 * @ZCOPY_REASON_NONE: they were not
 * @ZCOPY_REASON_NO_SG: the route's device has no scatter-gather, so TCP
 *	copies into its own buffers
 * @ZCOPY_REASON_LOCAL: the route ends in this host (loopback, veth): the
 *	receive path copies pool pages before queueing them
 * @ZCOPY_REASON_STACK: the stack copied pool pages for another reason
 *	(a packet tap, a device that needs linear data, ...)
 * @ZCOPY_REASON_KTLS: the socket has the kernel TLS ULP; the CPU encrypts
 *	into new buffers
 * @ZCOPY_REASON_FILE_COPY: the file's read path produced copies rather
 *	than page-cache pages (O_DIRECT, DAX, procfs, ...)
 * @ZCOPY_REASON_SMALL: a pool segment shorter than copy_threshold, sent by
 *	copy because that is cheaper than a zero-copy round trip
 */
enum zcopy_reason {
	ZCOPY_REASON_NONE,
	ZCOPY_REASON_NO_SG,
	ZCOPY_REASON_LOCAL,
	ZCOPY_REASON_STACK,
	ZCOPY_REASON_KTLS,
	ZCOPY_REASON_FILE_COPY,
	ZCOPY_REASON_SMALL,
};

/**
 * struct zcopy_seg_result - per-segment outcome of ZCOPY_IOC_SEND
 * @sent: bytes of this segment sent
 * @copied: of those, bytes the CPU copies, as known when the send returns
 *	(for pool segments the stack may still copy later, which the
 *	completion reports). Not a snapshot: on a route without
 *	scatter-gather the copy is made at transmit time, from the same pages
 * @reason: enum zcopy_reason, when @copied is not 0
 * @__reserved: written as 0
 */
struct zcopy_seg_result {
	__aligned_u64 sent;
	__aligned_u64 copied;
	__u32 reason;
	__u32 __reserved;
};

/**
 * enum zcopy_send_flags - flags of ZCOPY_IOC_SEND
 * @ZCOPY_SEND_MORE: more data follows: keep MSG_MORE on the last segment
 *	too (by default only the last segment is sent without it)
 * @ZCOPY_SEND_DONTWAIT: do not block, as with an O_NONBLOCK socket
 * @ZCOPY_SEND_ALL: every flag this header knows
 */
enum zcopy_send_flags {
	ZCOPY_SEND_MORE = 1 << 0,
	ZCOPY_SEND_DONTWAIT = 1 << 1,
	ZCOPY_SEND_ALL = ZCOPY_SEND_MORE | ZCOPY_SEND_DONTWAIT,
};

/**
 * enum zcopy_stop - why ZCOPY_IOC_SEND stopped before the last byte
 * @ZCOPY_STOP_NONE: it did not: every segment was sent
 * @ZCOPY_STOP_EOF: a file extent reached the end of its file
 * @ZCOPY_STOP_AGAIN: the socket would block (non-blocking send)
 * @ZCOPY_STOP_SIGNAL: a signal interrupted the send
 * @ZCOPY_STOP_ERROR: the socket or file failed; see @stop_errno
 */
enum zcopy_stop {
	ZCOPY_STOP_NONE,
	ZCOPY_STOP_EOF,
	ZCOPY_STOP_AGAIN,
	ZCOPY_STOP_SIGNAL,
	ZCOPY_STOP_ERROR,
};

/**
 * struct zcopy_send - ZCOPY_IOC_SEND: send segments to a TCP socket
 * @size: sizeof(struct zcopy_send)
 * @flags: enum zcopy_send_flags
 * @sockfd: a connected TCP socket (IPv4 or IPv6)
 * @nr_segs: number of segments, 1 to max_segments
 * @segs: pointer to struct zcopy_seg[@nr_segs]
 * @results: pointer to struct zcopy_seg_result[@nr_segs], or 0
 * @cookie: any value; the transfer's completion carries it
 * @bytes_sent: out, bytes sent, all segments together
 * @stop_seg: out, index of the first segment not sent in full, @nr_segs
 *	if all were
 * @stop_reason: out, enum zcopy_stop
 * @stop_offset: out, bytes of segment @stop_seg that were sent
 * @stop_errno: out, the positive errno behind ZCOPY_STOP_ERROR, else 0
 * @__reserved: must be 0
 *
 * The segments are validated before anything is sent, then sent in order
 * as one corked stream; the receiver sees their concatenation. A send that
 * stops early still succeeds if it sent anything or met EOF: it returns 0
 * and says where it stopped, so the caller can resume. Every send that
 * returns 0 produces exactly one struct zcopy_completion, read() from the
 * device, once the stack holds no page of the transfer's pool segments.
 *
 * Errors (nothing was sent, no completion follows): EBADF @sockfd or a
 * file descriptor is not open, or a file is not open for reading;
 * ENOTSOCK @sockfd is not a socket; EOPNOTSUPP not a TCP socket; ENOTCONN
 * not connected; ENOENT no such pool; EISDIR a directory; EINVAL another
 * file type, a segment of length 0, bad type, flags or reserved bits;
 * EOVERFLOW offset + len wraps; ERANGE a pool range beyond the pool; E2BIG
 * too many segments or bytes; ENOBUFS max_outstanding transfers not yet
 * read; EAGAIN the socket would block before the first byte; EPIPE the
 * connection is closed (no SIGPIPE); EINTR a signal before the first
 * byte (with SA_RESTART the call restarts instead).
 */
struct zcopy_send {
	__u32 size;
	__u32 flags;
	__s32 sockfd;
	__u32 nr_segs;
	__aligned_u64 segs;
	__aligned_u64 results;
	__aligned_u64 cookie;
	__aligned_u64 bytes_sent;
	__u32 stop_seg;
	__u32 stop_reason;
	__aligned_u64 stop_offset;
	__s32 stop_errno;
	__u32 __reserved;
};

/**
 * enum zcopy_completion_flags - flags of struct zcopy_completion
 * @ZCOPY_COMPL_COPIED: some bytes of the transfer were copied by the CPU
 * @ZCOPY_COMPL_POOL_COPIED: the stack copied the pool segments (all pool
 *	bytes of the transfer count as copied)
 * @ZCOPY_COMPL_SHORT: the send stopped early (see stop_reason of the send)
 */
enum zcopy_completion_flags {
	ZCOPY_COMPL_COPIED = 1 << 0,
	ZCOPY_COMPL_POOL_COPIED = 1 << 1,
	ZCOPY_COMPL_SHORT = 1 << 2,
};

/**
 * struct zcopy_completion - one finished transfer, read() from the device
 * @cookie: the cookie of its ZCOPY_IOC_SEND
 * @bytes: bytes sent
 * @pool_bytes: of which from pool segments
 * @zc_bytes: bytes that went to the socket without a CPU copy
 * @copied_bytes: bytes the CPU copied (@zc_bytes + @copied_bytes ==
 *	@bytes)
 * @flags: enum zcopy_completion_flags
 * @reason: enum zcopy_reason, the first reason for a copy, if any
 * @error: 0, or the negative errno that stopped the send early (-EINTR
 *	for a signal; the kernel's internal restart codes never appear)
 * @__reserved: written as 0
 *
 * When it is read, the pool buffers of the transfer may be reused. Pages
 * of file extents are page-cache pages: the stack may still reference
 * them (as with sendfile), so the file should not change until the peer
 * has acknowledged the data.
 */
struct zcopy_completion {
	__aligned_u64 cookie;
	__aligned_u64 bytes;
	__aligned_u64 pool_bytes;
	__aligned_u64 zc_bytes;
	__aligned_u64 copied_bytes;
	__u32 flags;
	__u32 reason;
	__s32 error;
	__u32 __reserved;
};

#define ZCOPY_IOC_QUERY		_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_QUERY)
#define ZCOPY_IOC_POOL_REGISTER	_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_POOL_REGISTER)
#define ZCOPY_IOC_POOL_UNREGISTER \
	_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_POOL_UNREGISTER)
#define ZCOPY_IOC_SEND		_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_SEND)

/* Generic netlink */
#define ZCOPY_GENL_NAME		"zcopy"
#define ZCOPY_GENL_VERSION	1
#define ZCOPY_MCGRP_EVENTS	"events"

/**
 * enum zcopy_cmd - generic netlink commands of the "zcopy" family
 * @ZCOPY_CMD_UNSPEC: unused
 * @ZCOPY_CMD_INFO_GET: module version, ABI version and features
 * @ZCOPY_CMD_STATS_GET: module-wide counters (enum zcopy_a_stats)
 * @ZCOPY_CMD_STATS_RESET: zero the event counters, restart the peak
 * @ZCOPY_CMD_POOL_GET: list pools (enum zcopy_a_pool)
 * @ZCOPY_CMD_XFER_START: send segments, like ZCOPY_IOC_SEND
 * @ZCOPY_CMD_XFER_DONE: event, a transfer completed
 * @ZCOPY_CMD_SEND_FAILED: event, a send returned an error
 * @ZCOPY_CMD_POOL_NEW: event, a pool was registered
 * @ZCOPY_CMD_POOL_DEL: event, a pool's pages were released
 */
enum zcopy_cmd {
	ZCOPY_CMD_UNSPEC,
	ZCOPY_CMD_INFO_GET,
	ZCOPY_CMD_STATS_GET,
	ZCOPY_CMD_STATS_RESET,
	ZCOPY_CMD_POOL_GET,
	ZCOPY_CMD_XFER_START,
	ZCOPY_CMD_XFER_DONE,
	ZCOPY_CMD_SEND_FAILED,
	ZCOPY_CMD_POOL_NEW,
	ZCOPY_CMD_POOL_DEL,

	__ZCOPY_CMD_MAX,
	ZCOPY_CMD_MAX = __ZCOPY_CMD_MAX - 1
};

/**
 * enum zcopy_a_info - attributes of ZCOPY_CMD_INFO_GET replies
 * @ZCOPY_A_INFO_UNSPEC: unused
 * @ZCOPY_A_INFO_PAD: padding for 64-bit attributes
 * @ZCOPY_A_INFO_VERSION: NUL-terminated module version string
 * @ZCOPY_A_INFO_ABI: u32, ZCOPY_ABI_VERSION
 * @ZCOPY_A_INFO_FEATURES: u64, enum zcopy_feature mask
 * @ZCOPY_A_INFO_COPY_THRESHOLD: u32, see struct zcopy_query
 */
enum zcopy_a_info {
	ZCOPY_A_INFO_UNSPEC,
	ZCOPY_A_INFO_PAD,
	ZCOPY_A_INFO_VERSION,
	ZCOPY_A_INFO_ABI,
	ZCOPY_A_INFO_FEATURES,
	ZCOPY_A_INFO_COPY_THRESHOLD,

	__ZCOPY_A_INFO_MAX,
	ZCOPY_A_INFO_MAX = __ZCOPY_A_INFO_MAX - 1
};

/**
 * enum zcopy_a_stats - attributes of ZCOPY_CMD_STATS_GET replies, all u64
 * @ZCOPY_A_STATS_UNSPEC: unused
 * @ZCOPY_A_STATS_PAD: padding for 64-bit attributes
 * @ZCOPY_A_STATS_TRANSFERS: sends that succeeded
 * @ZCOPY_A_STATS_FAILED_SENDS: sends that returned an error
 * @ZCOPY_A_STATS_BYTES_POOL: bytes sent from pool segments
 * @ZCOPY_A_STATS_BYTES_FILE: bytes sent from file extents
 * @ZCOPY_A_STATS_BYTES_ZC: bytes of completed transfers that went without
 *	a CPU copy
 * @ZCOPY_A_STATS_BYTES_COPIED: bytes of completed transfers the CPU copied
 * @ZCOPY_A_STATS_COMPLETIONS: transfers completed
 * @ZCOPY_A_STATS_COMPLETIONS_COPIED: of which with copied bytes
 * @ZCOPY_A_STATS_POOLS_REGISTERED: pools registered
 * @ZCOPY_A_STATS_POOLS_RELEASED: pools whose pages were unpinned
 * @ZCOPY_A_STATS_PINNED_PAGES: pages pinned now
 * @ZCOPY_A_STATS_PINNED_PAGES_PEAK: most pages pinned at once
 * @ZCOPY_A_STATS_POOLS: pools pinned now (registered, or unregistered with
 *	transfers in flight)
 * @ZCOPY_A_STATS_OUTSTANDING: transfers sent and not yet completed
 */
enum zcopy_a_stats {
	ZCOPY_A_STATS_UNSPEC,
	ZCOPY_A_STATS_PAD,
	ZCOPY_A_STATS_TRANSFERS,
	ZCOPY_A_STATS_FAILED_SENDS,
	ZCOPY_A_STATS_BYTES_POOL,
	ZCOPY_A_STATS_BYTES_FILE,
	ZCOPY_A_STATS_BYTES_ZC,
	ZCOPY_A_STATS_BYTES_COPIED,
	ZCOPY_A_STATS_COMPLETIONS,
	ZCOPY_A_STATS_COMPLETIONS_COPIED,
	ZCOPY_A_STATS_POOLS_REGISTERED,
	ZCOPY_A_STATS_POOLS_RELEASED,
	ZCOPY_A_STATS_PINNED_PAGES,
	ZCOPY_A_STATS_PINNED_PAGES_PEAK,
	ZCOPY_A_STATS_POOLS,
	ZCOPY_A_STATS_OUTSTANDING,

	__ZCOPY_A_STATS_MAX,
	ZCOPY_A_STATS_MAX = __ZCOPY_A_STATS_MAX - 1
};

/**
 * enum zcopy_a_pool - attributes of pools (ZCOPY_CMD_POOL_GET replies,
 *	ZCOPY_CMD_POOL_NEW and ZCOPY_CMD_POOL_DEL events)
 * @ZCOPY_A_POOL_UNSPEC: unused
 * @ZCOPY_A_POOL_PAD: padding for 64-bit attributes
 * @ZCOPY_A_POOL_ID: u32, the pool's id in its /dev/zcopy file
 * @ZCOPY_A_POOL_PID: u32, process (tgid) that registered it, as seen
 *	from the reader's pid namespace (in events: from the pid namespace
 *	of the process that opened the pool's file); absent where that
 *	process is not visible
 * @ZCOPY_A_POOL_UID: u32, its user id, as seen from the reader's user
 *	namespace (in events: the network namespace's); the overflow uid
 *	where it has no mapping
 * @ZCOPY_A_POOL_COMM: string, its command name
 * @ZCOPY_A_POOL_LEN: u64, bytes registered
 * @ZCOPY_A_POOL_PAGES: u64, pages pinned
 * @ZCOPY_A_POOL_INFLIGHT: u32, transfers using it not yet completed
 * @ZCOPY_A_POOL_SENDS: u64, transfers that sent from it
 * @ZCOPY_A_POOL_BYTES_SENT: u64, bytes sent from it
 * @ZCOPY_A_POOL_REGISTERED: flag, still registered (else only held by
 *	transfers in flight)
 */
enum zcopy_a_pool {
	ZCOPY_A_POOL_UNSPEC,
	ZCOPY_A_POOL_PAD,
	ZCOPY_A_POOL_ID,
	ZCOPY_A_POOL_PID,
	ZCOPY_A_POOL_UID,
	ZCOPY_A_POOL_COMM,
	ZCOPY_A_POOL_LEN,
	ZCOPY_A_POOL_PAGES,
	ZCOPY_A_POOL_INFLIGHT,
	ZCOPY_A_POOL_SENDS,
	ZCOPY_A_POOL_BYTES_SENT,
	ZCOPY_A_POOL_REGISTERED,

	__ZCOPY_A_POOL_MAX,
	ZCOPY_A_POOL_MAX = __ZCOPY_A_POOL_MAX - 1
};

/**
 * enum zcopy_a_seg - a segment of ZCOPY_CMD_XFER_START (struct zcopy_seg)
 * @ZCOPY_A_SEG_UNSPEC: unused
 * @ZCOPY_A_SEG_PAD: padding for 64-bit attributes
 * @ZCOPY_A_SEG_TYPE: u32, enum zcopy_seg_type
 * @ZCOPY_A_SEG_ID: u32, pool id or file descriptor
 * @ZCOPY_A_SEG_OFFSET: u64, default 0
 * @ZCOPY_A_SEG_LEN: u64, at least 1
 */
enum zcopy_a_seg {
	ZCOPY_A_SEG_UNSPEC,
	ZCOPY_A_SEG_PAD,
	ZCOPY_A_SEG_TYPE,
	ZCOPY_A_SEG_ID,
	ZCOPY_A_SEG_OFFSET,
	ZCOPY_A_SEG_LEN,

	__ZCOPY_A_SEG_MAX,
	ZCOPY_A_SEG_MAX = __ZCOPY_A_SEG_MAX - 1
};

/**
 * enum zcopy_a_xfer - attributes of transfers: ZCOPY_CMD_XFER_START
 *	requests and replies, ZCOPY_CMD_XFER_DONE and ZCOPY_CMD_SEND_FAILED
 *	events
 * @ZCOPY_A_XFER_UNSPEC: unused
 * @ZCOPY_A_XFER_PAD: padding for 64-bit attributes
 * @ZCOPY_A_XFER_SOCKFD: u32, the caller's TCP socket
 * @ZCOPY_A_XFER_DEVFD: u32, the caller's /dev/zcopy file descriptor
 * @ZCOPY_A_XFER_FLAGS: u32, enum zcopy_send_flags
 * @ZCOPY_A_XFER_COOKIE: u64
 * @ZCOPY_A_XFER_SEG: nested enum zcopy_a_seg, once per segment, in order
 * @ZCOPY_A_XFER_BYTES_SENT: u64, struct zcopy_send's bytes_sent
 * @ZCOPY_A_XFER_STOP_SEG: u32, struct zcopy_send's stop_seg
 * @ZCOPY_A_XFER_STOP_REASON: u32, enum zcopy_stop
 * @ZCOPY_A_XFER_STOP_OFFSET: u64, struct zcopy_send's stop_offset
 * @ZCOPY_A_XFER_STOP_ERRNO: u32, struct zcopy_send's stop_errno
 * @ZCOPY_A_XFER_PID: u32, process (tgid) that sent, as seen from the pid
 *	namespace of the process that opened the /dev/zcopy file (or sent
 *	XFER_START); absent where it is not visible there
 * @ZCOPY_A_XFER_BYTES: u64, struct zcopy_completion's bytes
 * @ZCOPY_A_XFER_POOL_BYTES: u64, struct zcopy_completion's pool_bytes
 * @ZCOPY_A_XFER_ZC_BYTES: u64, struct zcopy_completion's zc_bytes
 * @ZCOPY_A_XFER_COPIED_BYTES: u64, struct zcopy_completion's copied_bytes
 * @ZCOPY_A_XFER_COMPL_FLAGS: u32, enum zcopy_completion_flags
 * @ZCOPY_A_XFER_REASON: u32, enum zcopy_reason
 * @ZCOPY_A_XFER_ERROR: s32, negative errno, or 0
 */
enum zcopy_a_xfer {
	ZCOPY_A_XFER_UNSPEC,
	ZCOPY_A_XFER_PAD,
	ZCOPY_A_XFER_SOCKFD,
	ZCOPY_A_XFER_DEVFD,
	ZCOPY_A_XFER_FLAGS,
	ZCOPY_A_XFER_COOKIE,
	ZCOPY_A_XFER_SEG,
	ZCOPY_A_XFER_BYTES_SENT,
	ZCOPY_A_XFER_STOP_SEG,
	ZCOPY_A_XFER_STOP_REASON,
	ZCOPY_A_XFER_STOP_OFFSET,
	ZCOPY_A_XFER_STOP_ERRNO,
	ZCOPY_A_XFER_PID,
	ZCOPY_A_XFER_BYTES,
	ZCOPY_A_XFER_POOL_BYTES,
	ZCOPY_A_XFER_ZC_BYTES,
	ZCOPY_A_XFER_COPIED_BYTES,
	ZCOPY_A_XFER_COMPL_FLAGS,
	ZCOPY_A_XFER_REASON,
	ZCOPY_A_XFER_ERROR,

	__ZCOPY_A_XFER_MAX,
	ZCOPY_A_XFER_MAX = __ZCOPY_A_XFER_MAX - 1
};

#endif /* _UAPI_LINUX_ZCOPY_H */
