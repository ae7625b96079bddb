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
 *    ZCOPY_IOC_PROBE            struct zcopy_probe           what a send
 *                                                            would copy
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
 *    Documentation/netlink/specs/zcopy.yaml; its enums are generated from
 *    the spec into <linux/zcopy_nl.h>, which this header includes:
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
 *    ZCOPY_CMD_XFER_START (do; CAP_NET_ADMIN): a send the kernel runs
 *      request: ZCOPY_A_XFER_SOCKFD     u32, required: the caller's socket
 *               ZCOPY_A_XFER_DEVFD      u32: the caller's /dev/zcopy fd,
 *                                       needed for pool segments; its
 *                                       file also gets the completion,
 *                                       and closing it cancels the
 *                                       transfer
 *               ZCOPY_A_XFER_FLAGS      u32, enum zcopy_send_flags
 *               ZCOPY_A_XFER_COOKIE     u64
 *               ZCOPY_A_XFER_CANCEL_ON_CLOSE flag: cancel it when the
 *                                       requesting socket is closed
 *               ZCOPY_A_XFER_SEG        nested, repeated, in order:
 *                 ZCOPY_A_SEG_TYPE      u32, enum zcopy_seg_type, required
 *                 ZCOPY_A_SEG_ID        u32, pool id or the caller's fd
 *                 ZCOPY_A_SEG_OFFSET    u64
 *                 ZCOPY_A_SEG_LEN       u64, required, at least 1
 *                 ZCOPY_A_SEG_FLAGS     u32, enum zcopy_seg_flags
 *      reply: ZCOPY_A_XFER_ID           u32, the transfer, never 0
 *      Returns once the request is resolved; the kernel sends, resuming
 *      after a full socket, and XFER_DONE or SEND_FAILED tells the end.
 *      errors: those of ZCOPY_IOC_SEND that refuse a request before it
 *      sends; ENOBUFS with 512 transfers running
 *
 *    ZCOPY_CMD_XFER_GET (do with ZCOPY_A_XFER_ID, or dump; CAP_NET_ADMIN)
 *      reply, per transfer of the caller's network namespace until its
 *      completion: ZCOPY_A_XFER_ID, _COOKIE, _PID, _STATE (enum
 *      zcopy_xfer_state), _FLAGS, _BYTES_TOTAL, _BYTES_SENT, _BYTES_ACKED
 *      (absent where unknown: kTLS); ENOENT for an unknown id
 *
 *    ZCOPY_CMD_XFER_CANCEL (do; CAP_NET_ADMIN)
 *      request: ZCOPY_A_XFER_ID; the transfer ends with ZCOPY_STOP_CANCELLED
 *      and -ECANCELED. ENOENT: no such transfer; EALREADY: every byte is
 *      with the stack (ZCOPY_XFER_STATE_RELEASING)
 *
 *    ZCOPY_CMD_ROUTE_PROBE (do; any user)
 *      request: ZCOPY_A_PROBE_SOCKFD    u32, required: the caller's socket
 *      reply: ZCOPY_A_PROBE_*           the out fields of struct
 *                                       zcopy_probe, one attribute each
 *      errors: those of ZCOPY_IOC_PROBE
 *
 *    Multicast group "events" (ZCOPY_MCGRP_EVENTS; CAP_NET_ADMIN), in the
 *    network namespace of the process that opened the /dev/zcopy file (or
 *    sent ZCOPY_CMD_XFER_START):
 *      ZCOPY_CMD_XFER_DONE     a transfer completed: ZCOPY_A_XFER_COOKIE,
 *                              _PID, _BYTES, _POOL_BYTES, _ZC_BYTES,
 *                              _COPIED_BYTES, _COMPL_FLAGS, _REASON, _ERROR,
 *                              _STOP_SEG, _STOP_REASON, _STOP_OFFSET,
 *                              _STOP_ERRNO, and _ID if the kernel ran it
 *      ZCOPY_CMD_SEND_FAILED   a send failed: ZCOPY_A_XFER_COOKIE, _PID,
 *                              _ERROR, _ID if the kernel ran it
 *      ZCOPY_CMD_XFER_PROGRESS a kernel-run transfer waits for room:
 *                              the attributes of XFER_GET
 *      ZCOPY_CMD_POOL_NEW      a pool was registered: ZCOPY_A_POOL_*
 *      ZCOPY_CMD_POOL_DEL      a pool's pages were unpinned: ZCOPY_A_POOL_*
 */
#ifndef _UAPI_LINUX_ZCOPY_H
#define _UAPI_LINUX_ZCOPY_H

#include <linux/ioctl.h>
#include <linux/types.h>
/*
 * The netlink family's enums, and those the ioctls share with it (enum
 * zcopy_feature, zcopy_seg_type, zcopy_send_flags, zcopy_stop,
 * zcopy_reason, zcopy_completion_flags): generated from the spec.
 */
#include <linux/zcopy_nl.h>

#define ZCOPY_DEVICE_NAME	"zcopy"
#define ZCOPY_ABI_VERSION	1

/* Every bit of enum zcopy_feature, every flag of enum zcopy_send_flags. */
#define ZCOPY_FEATURE_ALL	ZCOPY_FEATURE_MASK
#define ZCOPY_SEND_ALL		ZCOPY_SEND_MASK

#define ZCOPY_IOC_MAGIC		'Z'
#define ZCOPY_IOC_BASE		0x40

enum {
	ZCOPY_IOC_NR_QUERY = ZCOPY_IOC_BASE,
	ZCOPY_IOC_NR_POOL_REGISTER,
	ZCOPY_IOC_NR_POOL_UNREGISTER,
	ZCOPY_IOC_NR_SEND,
	ZCOPY_IOC_NR_PROBE,
	ZCOPY_IOC_NR_LAST,
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
 * struct zcopy_seg - one segment of ZCOPY_IOC_SEND
 * @type: enum zcopy_seg_type
 * @flags: enum zcopy_seg_flags, page-cache hints of a file segment; 0
 *	for a pool segment
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
 * file type, a segment of length 0, bad type, unknown flags or reserved
 * bits, a page-cache hint on a pool segment, ZCOPY_SEG_DROP_BEHIND without
 * ZCOPY_SEND_FILE_NOTIFY;
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
 * @changed_seg: with ZCOPY_COMPL_FILE_CHANGED in @flags, the index of the
 *	first segment whose file may have changed while it was sent; else 0
 *
 * When it is read, the pool buffers of the transfer may be reused. Pages
 * of file extents are page-cache pages: the stack may still reference
 * them (as with sendfile), so the file should not change until the peer
 * has acknowledged the data - unless the send had ZCOPY_SEND_FILE_NOTIFY:
 * then the record waits for the stack to release those pages too,
 * @flags has ZCOPY_COMPL_FILE_RELEASED, and ZCOPY_COMPL_FILE_CHANGED says
 * whether a file sent from may have changed meanwhile.
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
	__u32 changed_seg;
};

/**
 * struct zcopy_probe - ZCOPY_IOC_PROBE: what a send would copy, and why
 * @size: sizeof(struct zcopy_probe)
 * @flags: must be 0
 * @sockfd: a connected TCP socket (IPv4 or IPv6)
 * @__reserved: must be 0
 * @pool_reason: out, enum zcopy_reason: what the completion of a send of a
 *	pool range of at least @copy_threshold bytes would say; NONE: zero
 *	copy (the stack may still copy later, which the completion reports
 *	as ZCOPY_REASON_STACK: a packet tap, a retransmission, a driver)
 * @pool_seg_reason: out, what the segment result of that range would say
 *	when the send returns: LOCAL shows in the completion only, NO_SG and
 *	KTLS in both
 * @small_reason: out, segment result and completion of a pool range
 *	shorter than @copy_threshold (ZCOPY_REASON_SMALL on a plain socket;
 *	with @copy_threshold 0 or 1 no range is, and this is @pool_reason's
 *	segment result)
 * @file_reason: out, segment result and completion of a file extent whose
 *	read path gives page-cache pages (one that gives copies, O_DIRECT or
 *	procfs, is ZCOPY_REASON_FILE_COPY on a route where this is NONE)
 * @copy_threshold: out, the module parameter copy_threshold, as used above
 * @route_flags: out, enum zcopy_probe_flags
 * @ifindex: out, the device of the socket's cached route, 0 without one
 * @mtu: out, the route's path MTU, 0 without a route
 * @gso_max_size: out, the largest GSO packet the stack builds for the
 *	socket, 0 without a route
 * @mss: out, TCP's current MSS for the socket
 * @ifname: out, the name of @ifindex's device, NUL-terminated ("" without
 *	a route)
 *
 * Answers from what ZCOPY_IOC_SEND decides before it sends (the same code
 * decides both), for the socket's route at the time of the call: a send
 * made later on a route that changed (a new route, ethtool -K, a kTLS key
 * installed) decides again. Nothing is sent and nothing is allocated.
 *
 * Errors: EBADF @sockfd is not open; ENOTSOCK @sockfd is not a socket;
 * EOPNOTSUPP not a TCP socket; ENOTCONN not connected (never connected,
 * or listening); EINVAL @flags or @__reserved not 0.
 */
struct zcopy_probe {
	__u32 size;
	__u32 flags;
	__s32 sockfd;
	__u32 __reserved;
	__u32 pool_reason;
	__u32 pool_seg_reason;
	__u32 small_reason;
	__u32 file_reason;
	__u32 copy_threshold;
	__u32 route_flags;
	__s32 ifindex;
	__u32 mtu;
	__u32 gso_max_size;
	__u32 mss;
	char ifname[16];
};

#define ZCOPY_IOC_QUERY		_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_QUERY)
#define ZCOPY_IOC_POOL_REGISTER	_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_POOL_REGISTER)
#define ZCOPY_IOC_POOL_UNREGISTER \
	_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_POOL_UNREGISTER)
#define ZCOPY_IOC_SEND		_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_SEND)
#define ZCOPY_IOC_PROBE		_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_PROBE)

#endif /* _UAPI_LINUX_ZCOPY_H */
