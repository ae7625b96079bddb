/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the core tells the world: a pool registered or released, a
 * transfer completed, a send failed, as plain records. The core does not
 * know who listens: the generic netlink front end installs itself as the
 * one notifier at module init, before any file can be opened, and removes
 * itself at exit, once nothing can happen any more.
 */
#ifndef _ZCOPY_NOTIFY_H
#define _ZCOPY_NOTIFY_H

#include <linux/sched.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct net;
struct pid;
struct pid_namespace;
struct zcopy_completion;

/**
 * struct zcopy_pool_info - a pool, as dumps and events show it
 * @net: the network namespace of its file
 * @id: id within its file
 * @pid: process (tgid) that registered it
 * @pid_ns: the pid namespace events show @pid in
 * @uid: its user
 * @comm: its command name
 * @len: length in bytes as registered
 * @pages: pages pinned
 * @inflight: transfers holding it
 * @sends: transfers that sent from it
 * @bytes_sent: bytes sent from it
 * @registered: still in its file's registry
 */
struct zcopy_pool_info {
	struct net *net;
	u32 id;
	struct pid *pid;
	struct pid_namespace *pid_ns;
	kuid_t uid;
	char comm[TASK_COMM_LEN];
	u64 len;
	u64 pages;
	u32 inflight;
	u64 sends;
	u64 bytes_sent;
	bool registered;
};

/**
 * struct zcopy_stop_info - how far a send got (struct zcopy_send's out
 *	fields)
 * @bytes_sent: bytes handed to the socket
 * @offset: bytes sent of segment @seg
 * @seg: the segment it stopped in, nr_segs if none
 * @reason: enum zcopy_stop
 * @err: the errno of ZCOPY_STOP_ERROR (positive), else 0
 */
struct zcopy_stop_info {
	u64 bytes_sent;
	u64 offset;
	u32 seg;
	u32 reason;
	s32 err;
};

/**
 * struct zcopy_xfer_info - a completed transfer, or a failed send
 * @net: the network namespace of its context
 * @pid: process (tgid) that sent
 * @pid_ns: the pid namespace events show @pid in
 * @cookie: the send's cookie
 * @id: the kernel-run transfer's id, 0 for a send of the caller's own
 * @rec: the completion record (NULL for a failed send)
 * @stop: where the send stopped (NULL for a failed send)
 * @error: why the send failed (0 for a completion)
 * @state: (a kernel-run transfer in progress) enum zcopy_xfer_state
 * @flags: (in progress) its send flags
 * @bytes_total: (in progress) the bytes its segments ask for
 * @bytes_sent: (in progress) bytes handed to the socket so far
 * @bytes_acked: (in progress) of them, acknowledged by the peer
 * @acked_known: (in progress) @bytes_acked is known (not on kTLS)
 */
struct zcopy_xfer_info {
	struct net *net;
	struct pid *pid;
	struct pid_namespace *pid_ns;
	u64 cookie;
	u32 id;
	const struct zcopy_completion *rec;
	const struct zcopy_stop_info *stop;
	int error;
	u32 state;
	u32 flags;
	u64 bytes_total;
	u64 bytes_sent;
	u64 bytes_acked;
	bool acked_known;
};

/**
 * struct zcopy_notifier - who hears what the core says
 * @pool_new: a pool was registered
 * @pool_del: a pool's pages were unpinned
 * @xfer_done: a transfer completed
 * @send_failed: a send returned an error
 * @xfer_progress: a kernel-run transfer waits for room in its socket
 *
 * Each is called in process context and may sleep.
 */
struct zcopy_notifier {
	void (*pool_new)(const struct zcopy_pool_info *pool);
	void (*pool_del)(const struct zcopy_pool_info *pool);
	void (*xfer_done)(const struct zcopy_xfer_info *xfer);
	void (*send_failed)(const struct zcopy_xfer_info *xfer);
	void (*xfer_progress)(const struct zcopy_xfer_info *xfer);
};

void zcopy_notifier_set(const struct zcopy_notifier *n);

void zcopy_notify_pool_new(const struct zcopy_pool_info *pool);
void zcopy_notify_pool_del(const struct zcopy_pool_info *pool);
void zcopy_notify_xfer_done(const struct zcopy_xfer_info *xfer);
void zcopy_notify_send_failed(const struct zcopy_xfer_info *xfer);
void zcopy_notify_xfer_progress(const struct zcopy_xfer_info *xfer);

#endif /* _ZCOPY_NOTIFY_H */
