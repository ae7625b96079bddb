/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/zcopy.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_ZCOPY_NL_H
#define _UAPI_LINUX_ZCOPY_NL_H

#define ZCOPY_GENL_NAME		"zcopy"
#define ZCOPY_GENL_VERSION	1

/**
 * enum zcopy_feature - Capabilities reported by ZCOPY_IOC_QUERY and by
 *   ZCOPY_A_INFO_FEATURES. A bit is set only when the running module
 *   implements the feature; userspace must test bits, not versions.
 *   ZCOPY_FEATURE_MASK (ZCOPY_FEATURE_ALL) has every bit this header knows.
 * @ZCOPY_FEATURE_POOLS: ZCOPY_IOC_POOL_REGISTER / _UNREGISTER
 * @ZCOPY_FEATURE_SEND: ZCOPY_IOC_SEND with ZCOPY_SEG_POOL and ZCOPY_SEG_FILE
 *   segments, completions through read()
 * @ZCOPY_FEATURE_KTLS: ZCOPY_IOC_SEND on sockets with the kernel TLS ULP
 * @ZCOPY_FEATURE_FILE_NOTIFY: ZCOPY_SEND_FILE_NOTIFY: completions that wait
 *   for the stack to release the page-cache pages of file extents
 * @ZCOPY_FEATURE_NOWAIT_IO: ZCOPY_SEND_NOWAIT_IO: file extents not in the page
 *   cache stop the send (ZCOPY_STOP_NOT_CACHED) instead of waiting for the
 *   disk
 * @ZCOPY_FEATURE_CACHE_HINTS: per-segment page-cache hints: ZCOPY_SEG_WILLNEED
 *   and ZCOPY_SEG_DROP_BEHIND
 * @ZCOPY_FEATURE_ROUTE_PROBE: ZCOPY_IOC_PROBE and ZCOPY_CMD_ROUTE_PROBE: what
 *   a send on a socket's current route would copy, and why
 * @ZCOPY_FEATURE_FILE_CHANGED: ZCOPY_COMPL_FILE_CHANGED: a file-notify
 *   completion says when a sent file range may have changed before the stack
 *   released it
 * @ZCOPY_FEATURE_ASYNC_XFER: xfer-start returns at once with a transfer id and
 *   the kernel sends in the background; xfer-get, xfer-cancel, xfer-progress
 */
enum zcopy_feature {
	ZCOPY_FEATURE_POOLS = 1,
	ZCOPY_FEATURE_SEND = 2,
	ZCOPY_FEATURE_KTLS = 4,
	ZCOPY_FEATURE_FILE_NOTIFY = 8,
	ZCOPY_FEATURE_NOWAIT_IO = 16,
	ZCOPY_FEATURE_CACHE_HINTS = 32,
	ZCOPY_FEATURE_ROUTE_PROBE = 64,
	ZCOPY_FEATURE_FILE_CHANGED = 128,
	ZCOPY_FEATURE_ASYNC_XFER = 256,

	/* private: */
	ZCOPY_FEATURE_MASK = 511,
};

/**
 * enum zcopy_seg_type - What a segment of ZCOPY_IOC_SEND sends.
 * @ZCOPY_SEG_POOL: bytes [offset, offset + len) of pool @id
 * @ZCOPY_SEG_FILE: bytes [offset, offset + len) of the regular file open for
 *   reading on descriptor @id
 */
enum zcopy_seg_type {
	ZCOPY_SEG_POOL = 1,
	ZCOPY_SEG_FILE,
};

/**
 * enum zcopy_seg_flags - Flags of struct zcopy_seg and ZCOPY_A_SEG_FLAGS:
 *   page-cache hints for file segments (pool segments take none).
 *   ZCOPY_SEG_MASK has every flag this header knows.
 * @ZCOPY_SEG_WILLNEED: start reading the extent into the page cache when the
 *   send starts (as POSIX_FADV_WILLNEED), so that its I/O overlaps with
 *   sending the segments before it
 * @ZCOPY_SEG_DROP_BEHIND: once the stack has released the extent's pages,
 *   evict its clean pages from the page cache (FreeBSD's SF_NOCACHE); needs
 *   ZCOPY_SEND_FILE_NOTIFY. Filesystems without a backing store (tmpfs) keep
 *   their pages
 */
enum zcopy_seg_flags {
	ZCOPY_SEG_WILLNEED = 1,
	ZCOPY_SEG_DROP_BEHIND = 2,

	/* private: */
	ZCOPY_SEG_MASK = 3,
};

/**
 * enum zcopy_send_flags - Flags of ZCOPY_IOC_SEND and ZCOPY_A_XFER_FLAGS.
 *   ZCOPY_SEND_MASK (ZCOPY_SEND_ALL) has every flag this header knows.
 * @ZCOPY_SEND_MORE: more data follows: keep MSG_MORE on the last segment too
 *   (by default only the last segment is sent without it)
 * @ZCOPY_SEND_DONTWAIT: do not block, as with an O_NONBLOCK socket
 * @ZCOPY_SEND_FILE_NOTIFY: the completion also waits until the stack holds no
 *   page-cache page of the file extents (over TCP: the data was acknowledged
 *   and its skbs freed), and says so with ZCOPY_COMPL_FILE_RELEASED; after it,
 *   the file may be rewritten without changing what the peer receives. File
 *   pages then travel like pool pages, with the transfer's notification
 * @ZCOPY_SEND_NOWAIT_IO: never wait for the disk: a file extent whose next
 *   pages are not in the page cache (or not yet read) stops the send there
 *   with ZCOPY_STOP_NOT_CACHED, after readahead was started for them; send
 *   something else and retry later. Filesystems without a read path of their
 *   own (tmpfs, overlayfs, procfs) never stop
 */
enum zcopy_send_flags {
	ZCOPY_SEND_MORE = 1,
	ZCOPY_SEND_DONTWAIT = 2,
	ZCOPY_SEND_FILE_NOTIFY = 4,
	ZCOPY_SEND_NOWAIT_IO = 8,

	/* private: */
	ZCOPY_SEND_MASK = 15,
};

/**
 * enum zcopy_stop - Why ZCOPY_IOC_SEND stopped before the last byte.
 * @ZCOPY_STOP_NONE: it did not: every segment was sent
 * @ZCOPY_STOP_EOF: a file extent reached the end of its file
 * @ZCOPY_STOP_AGAIN: the socket would block (non-blocking send)
 * @ZCOPY_STOP_SIGNAL: a signal interrupted the send
 * @ZCOPY_STOP_ERROR: the socket or file failed; see stop_errno
 * @ZCOPY_STOP_NOT_CACHED: (ZCOPY_SEND_NOWAIT_IO) the next bytes of a file
 *   extent are not in the page cache; readahead was started for them
 * @ZCOPY_STOP_CANCELLED: (kernel-run transfers) xfer-cancel, or its owner went
 *   away
 */
enum zcopy_stop {
	ZCOPY_STOP_NONE,
	ZCOPY_STOP_EOF,
	ZCOPY_STOP_AGAIN,
	ZCOPY_STOP_SIGNAL,
	ZCOPY_STOP_ERROR,
	ZCOPY_STOP_NOT_CACHED,
	ZCOPY_STOP_CANCELLED,
};

/**
 * enum zcopy_xfer_state - Where a kernel-run transfer (xfer-start) is.
 * @ZCOPY_XFER_STATE_SENDING: handing segments to the socket
 * @ZCOPY_XFER_STATE_WAITING: the socket is full; waiting for the peer to make
 *   room
 * @ZCOPY_XFER_STATE_RELEASING: every byte is with the stack; waiting for it to
 *   release the pages (the completion follows)
 */
enum zcopy_xfer_state {
	ZCOPY_XFER_STATE_SENDING = 1,
	ZCOPY_XFER_STATE_WAITING,
	ZCOPY_XFER_STATE_RELEASING,
};

/**
 * enum zcopy_reason - Why bytes were copied by the CPU.
 * @ZCOPY_REASON_NONE: they were not
 * @ZCOPY_REASON_NO_SG: the route's device has no scatter-gather, so TCP copies
 *   into its own buffers
 * @ZCOPY_REASON_LOCAL: the route ends in this host (loopback, veth): the
 *   receive path copies pool pages before queueing them
 * @ZCOPY_REASON_STACK: the stack copied pool pages for another reason (a
 *   packet tap, a device that needs linear data, ...)
 * @ZCOPY_REASON_KTLS: the socket has the kernel TLS ULP; the CPU encrypts into
 *   new buffers
 * @ZCOPY_REASON_FILE_COPY: the file's read path produced copies rather than
 *   page-cache pages (O_DIRECT, DAX, procfs, ...)
 * @ZCOPY_REASON_SMALL: a pool segment shorter than copy_threshold, sent by
 *   copy because that is cheaper than a zero-copy round trip
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
 * enum zcopy_probe_flags - What ZCOPY_IOC_PROBE found on the socket and its
 *   route (route_flags of struct zcopy_probe).
 * @ZCOPY_PROBE_DST: the socket has a cached route; the device fields describe
 *   its device (else the route is not known yet and they are zero)
 * @ZCOPY_PROBE_KTLS: the socket has the kernel TLS ULP with a transmit key
 * @ZCOPY_PROBE_LOCAL: the route ends in this host (loopback, veth)
 * @ZCOPY_PROBE_ROUTE_SG: the socket's route capabilities have scatter-gather
 *   (what TCP builds its skbs for)
 * @ZCOPY_PROBE_DEV_SG: the route's device has scatter-gather enabled
 * @ZCOPY_PROBE_ROUTE_GSO: the socket's route capabilities allow GSO
 * @ZCOPY_PROBE_DEV_TSO: the route's device has TCP segmentation offload
 *   enabled
 */
enum zcopy_probe_flags {
	ZCOPY_PROBE_DST = 1,
	ZCOPY_PROBE_KTLS = 2,
	ZCOPY_PROBE_LOCAL = 4,
	ZCOPY_PROBE_ROUTE_SG = 8,
	ZCOPY_PROBE_DEV_SG = 16,
	ZCOPY_PROBE_ROUTE_GSO = 32,
	ZCOPY_PROBE_DEV_TSO = 64,
};

/**
 * enum zcopy_completion_flags - Flags of struct zcopy_completion and
 *   ZCOPY_A_XFER_COMPL_FLAGS.
 * @ZCOPY_COMPL_COPIED: some bytes of the transfer were copied by the CPU
 * @ZCOPY_COMPL_POOL_COPIED: the stack copied the pool segments (all pool bytes
 *   of the transfer count as copied)
 * @ZCOPY_COMPL_SHORT: the send stopped early (see stop_reason of the send)
 * @ZCOPY_COMPL_FILE_RELEASED: (ZCOPY_SEND_FILE_NOTIFY) the stack held no
 *   page-cache page of the transfer's file extents when this completion was
 *   queued
 * @ZCOPY_COMPL_FILE_COPIED: (ZCOPY_SEND_FILE_NOTIFY) file bytes the send
 *   handed over by reference were copied by the stack instead (local delivery
 *   copies referenced pages, see reason); they count as copied
 * @ZCOPY_COMPL_FILE_CHANGED: (ZCOPY_SEND_FILE_NOTIFY) the data of a file the
 *   transfer sent from may have changed between the start of the send and the
 *   moment the stack released the file's pages: the file was written,
 *   truncated, hole-punched or collapsed meanwhile (detected per file, through
 *   its modification time and size), so the peer may have received data the
 *   file no longer holds, or a mix. changed_seg (changed-seg) is the first
 *   segment of such a file
 */
enum zcopy_completion_flags {
	ZCOPY_COMPL_COPIED = 1,
	ZCOPY_COMPL_POOL_COPIED = 2,
	ZCOPY_COMPL_SHORT = 4,
	ZCOPY_COMPL_FILE_RELEASED = 8,
	ZCOPY_COMPL_FILE_COPIED = 16,
	ZCOPY_COMPL_FILE_CHANGED = 32,
};

enum zcopy_a_info {
	ZCOPY_A_INFO_UNSPEC,
	ZCOPY_A_INFO_PAD,
	ZCOPY_A_INFO_VERSION,
	ZCOPY_A_INFO_ABI,
	ZCOPY_A_INFO_FEATURES,
	ZCOPY_A_INFO_COPY_THRESHOLD,

	__ZCOPY_A_INFO_MAX,
	ZCOPY_A_INFO_MAX = (__ZCOPY_A_INFO_MAX - 1)
};

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
	ZCOPY_A_STATS_MAX = (__ZCOPY_A_STATS_MAX - 1)
};

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
	ZCOPY_A_POOL_MAX = (__ZCOPY_A_POOL_MAX - 1)
};

enum zcopy_a_seg {
	ZCOPY_A_SEG_UNSPEC,
	ZCOPY_A_SEG_PAD,
	ZCOPY_A_SEG_TYPE,
	ZCOPY_A_SEG_ID,
	ZCOPY_A_SEG_OFFSET,
	ZCOPY_A_SEG_LEN,
	ZCOPY_A_SEG_FLAGS,

	__ZCOPY_A_SEG_MAX,
	ZCOPY_A_SEG_MAX = (__ZCOPY_A_SEG_MAX - 1)
};

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
	ZCOPY_A_XFER_ID,
	ZCOPY_A_XFER_STATE,
	ZCOPY_A_XFER_BYTES_TOTAL,
	ZCOPY_A_XFER_BYTES_ACKED,
	ZCOPY_A_XFER_CANCEL_ON_CLOSE,
	ZCOPY_A_XFER_CHANGED_SEG,

	__ZCOPY_A_XFER_MAX,
	ZCOPY_A_XFER_MAX = (__ZCOPY_A_XFER_MAX - 1)
};

enum zcopy_a_probe {
	ZCOPY_A_PROBE_UNSPEC,
	ZCOPY_A_PROBE_PAD,
	ZCOPY_A_PROBE_SOCKFD,
	ZCOPY_A_PROBE_POOL_REASON,
	ZCOPY_A_PROBE_POOL_SEG_REASON,
	ZCOPY_A_PROBE_SMALL_REASON,
	ZCOPY_A_PROBE_FILE_REASON,
	ZCOPY_A_PROBE_COPY_THRESHOLD,
	ZCOPY_A_PROBE_ROUTE_FLAGS,
	ZCOPY_A_PROBE_IFINDEX,
	ZCOPY_A_PROBE_IFNAME,
	ZCOPY_A_PROBE_MTU,
	ZCOPY_A_PROBE_GSO_MAX_SIZE,
	ZCOPY_A_PROBE_MSS,

	__ZCOPY_A_PROBE_MAX,
	ZCOPY_A_PROBE_MAX = (__ZCOPY_A_PROBE_MAX - 1)
};

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
	ZCOPY_CMD_ROUTE_PROBE,
	ZCOPY_CMD_XFER_GET,
	ZCOPY_CMD_XFER_CANCEL,
	ZCOPY_CMD_XFER_PROGRESS,

	__ZCOPY_CMD_MAX,
	ZCOPY_CMD_MAX = (__ZCOPY_CMD_MAX - 1)
};

#define ZCOPY_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_ZCOPY_NL_H */
