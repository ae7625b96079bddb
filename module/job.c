// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-run transfers: netlink XFER_START.
 *
 * A generic netlink doit runs under the read side of genl's cb_lock, which
 * every family registration takes for writing: a doit that waited for a
 * slow peer would stall every genl family registration of the host and,
 * once one is waiting, every genl request. So XFER_START only prepares the
 * send (zcopy_send_prepare(): validation and references, in the
 * requester's process and file table) and hands it to a job. The job's
 * work runs the send with MSG_DONTWAIT; when the socket is full it waits
 * for room itself, where a cancel reaches it, and resumes where the socket
 * stopped it. It runs with the requester's credentials.
 *
 * A job is in zcopy_jobs from XFER_START until its transfer completes.
 * References (@ref): one for the table, dropped by the transfer's
 * completion hook (which runs once, after the work has finished the
 * send), one for the work while it runs, and one for each lookup.
 * Each job holds a module reference: rmmod is refused while one exists.
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/zcopy.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "job.h"
#include "notify.h"
#include "send.h"
#include "zcopy.h"

/* Look at a full socket again this often, even without a wakeup. */
#define ZCOPY_JOB_RECHECK	HZ
/* At most one progress event a job this often. */
#define ZCOPY_JOB_PROGRESS	(HZ / 4)

/**
 * struct zcopy_job - a transfer the kernel sends
 * @ref: see the top of this file
 * @id: its index in zcopy_jobs, never 0
 * @owner: the netlink port whose close cancels it, 0 for none
 * @net: the requester's network namespace (a reference is held)
 * @ctx: the context of its devfd, or a closed one of its own (a
 *	reference is held)
 * @cred: the requester's credentials (a reference is held)
 * @pid: the requester, as a tgid (a reference is held)
 * @sockfile: the socket's file, kept until the job is freed so that
 *	acknowledged bytes can be read while the stack holds the data
 * @snd_start: TCP's write_seq when the job started
 * @tls: the socket has kernel TLS: acknowledged bytes are not known
 * @cookie: the request's cookie
 * @flags: the request's send flags
 * @total: the bytes the request's segments ask for
 * @lock: protects @op, @state, @cancel, @sent and @progress_at
 * @op: the send, until the work finishes it
 * @state: enum zcopy_xfer_state, 0 until the job is started
 * @cancel: zcopy_job_cancel() was called
 * @sent: bytes handed to the socket so far
 * @progress_at: jiffies of the last progress event
 * @wq: the work waits here, besides on the socket, for a cancel
 * @work: sends
 */
struct zcopy_job {
	struct kref ref;
	u32 id;
	u32 owner;
	struct net *net;
	struct zcopy_ctx *ctx;
	const struct cred *cred;
	struct pid *pid;
	struct file *sockfile;
	u32 snd_start;
	bool tls;
	u64 cookie;
	u32 flags;
	u64 total;
	spinlock_t lock;	/* @op, @state, @cancel, @sent, @progress_at */
	struct zcopy_sendop *op;
	u32 state;
	bool cancel;
	u64 sent;
	unsigned long progress_at;
	wait_queue_head_t wq;
	struct work_struct work;
};

static DEFINE_XARRAY_ALLOC1(zcopy_jobs);
static u32 zcopy_job_next_id;
static atomic_t zcopy_nr_jobs = ATOMIC_INIT(0);
static struct workqueue_struct *zcopy_job_wq;

static void zcopy_job_free(struct kref *ref)
{
	struct zcopy_job *job = container_of(ref, struct zcopy_job, ref);

	if (job->sockfile)
		fput(job->sockfile);
	zcopy_ctx_put(job->ctx);
	put_cred(job->cred);
	put_pid(job->pid);
	put_net(job->net);
	kfree(job);
	atomic_dec(&zcopy_nr_jobs);
	/* Last: zcopy_job_uninit() waits for a work that ends here. */
	module_put(THIS_MODULE);
}

void zcopy_job_put(struct zcopy_job *job)
{
	kref_put(&job->ref, zcopy_job_free);
}

/* The transfer completed (or was dropped unsent): the job is over. */
static void zcopy_job_done(void *arg)
{
	struct zcopy_job *job = arg;

	xa_erase(&zcopy_jobs, job->id);
	zcopy_job_put(job);
}

/* Of the bytes sent, those the peer acknowledged, if that can be known. */
static bool zcopy_job_acked(struct zcopy_job *job, u64 sent, u64 *acked)
{
	struct sock *sk = sock_from_file(job->sockfile)->sk;
	s32 una;

	if (job->tls)
		return false;
	una = (s32)(READ_ONCE(tcp_sk(sk)->snd_una) - job->snd_start);
	*acked = una > 0 ? min_t(u64, una, sent) : 0;
	return true;
}

/**
 * zcopy_job_info - what XFER_GET and progress events show of a job
 * @job: a job the caller holds a reference to
 * @info: filled in; its pointers are the job's (valid while it is held)
 */
void zcopy_job_info(struct zcopy_job *job, struct zcopy_xfer_info *info)
{
	memset(info, 0, sizeof(*info));
	info->net = job->net;
	info->pid = job->pid;
	info->pid_ns = job->ctx->pid_ns;
	info->cookie = job->cookie;
	info->id = job->id;
	info->flags = job->flags;
	info->bytes_total = job->total;
	spin_lock(&job->lock);
	info->state = job->state;
	info->bytes_sent = job->sent;
	spin_unlock(&job->lock);
	info->acked_known = zcopy_job_acked(job, info->bytes_sent,
					    &info->bytes_acked);
}

static void zcopy_job_set_state(struct zcopy_job *job, u32 state)
{
	struct zcopy_xfer_info info;
	bool event = false;

	spin_lock(&job->lock);
	job->state = state;
	job->sent = zcopy_send_state(job->op)->bytes_sent;
	if (state == ZCOPY_XFER_STATE_WAITING &&
	    time_after_eq(jiffies, job->progress_at + ZCOPY_JOB_PROGRESS)) {
		job->progress_at = jiffies;
		event = true;
	}
	spin_unlock(&job->lock);
	if (event) {
		zcopy_job_info(job, &info);
		zcopy_notify_xfer_progress(&info);
	}
}

/* Room in the socket, or a reason to stop waiting for it. */
static bool zcopy_job_can_go_on(struct zcopy_job *job, struct sock *sk)
{
	return READ_ONCE(job->cancel) || READ_ONCE(sk->sk_err) ||
	       (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
	       __sk_stream_is_writeable(sk, 1);
}

/*
 * Wait for room in @sock, as a blocking send would, but where a cancel
 * wakes us too. A send that returned EAGAIN set SOCK_NOSPACE, so the
 * stack wakes the socket's waiters when room comes back. The wait is
 * interruptible (a kernel worker gets no signals) because that wakeup is.
 */
static void zcopy_job_wait(struct zcopy_job *job, struct socket *sock)
{
	DECLARE_WAITQUEUE(on_sock, current);
	DECLARE_WAITQUEUE(on_job, current);

	add_wait_queue(&sock->wq.wait, &on_sock);
	add_wait_queue(&job->wq, &on_job);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (zcopy_job_can_go_on(job, sock->sk))
			break;
		schedule_timeout(ZCOPY_JOB_RECHECK);
	}
	__set_current_state(TASK_RUNNING);
	remove_wait_queue(&job->wq, &on_job);
	remove_wait_queue(&sock->wq.wait, &on_sock);
}

static void zcopy_job_work(struct work_struct *work)
{
	struct zcopy_job *job = container_of(work, struct zcopy_job, work);
	struct zcopy_sendop *op = job->op;
	struct socket *sock = zcopy_send_sock(op);
	const struct cred *old = override_creds(job->cred);
	int err;

	for (;;) {
		err = zcopy_send_run(op);
		/* DONTWAIT: what the socket takes now, and no more. */
		if (err != -EAGAIN || (job->flags & ZCOPY_SEND_DONTWAIT))
			break;
		zcopy_job_set_state(job, ZCOPY_XFER_STATE_WAITING);
		zcopy_job_wait(job, sock);
		zcopy_job_set_state(job, ZCOPY_XFER_STATE_SENDING);
	}
	revert_creds(old);

	spin_lock(&job->lock);
	job->sent = zcopy_send_state(op)->bytes_sent;
	job->state = ZCOPY_XFER_STATE_RELEASING;
	job->op = NULL;
	spin_unlock(&job->lock);
	/* May run the completion, and with it zcopy_job_done(), right here. */
	zcopy_send_finish(op, err, NULL, NULL, NULL);
	zcopy_job_put(job);
}

/**
 * zcopy_job_start - XFER_START: prepare a send and run it in the background
 * @ctx: the requester's context (the caller's reference stays the
 *	caller's; the job takes its own)
 * @a: the request
 * @segs: @a->nr_segs segments in kernel memory
 * @owner: netlink port id whose close cancels the job, or 0
 * @extack: says why a request is refused
 * @bad_seg: the segment a refusal is about, or @a->nr_segs
 * @id: the job's id, on success
 *
 * Return: 0 once the job is queued, or the errno of zcopy_send_prepare(),
 * or -ENOBUFS with ZCOPY_MAX_JOBS jobs running.
 */
int zcopy_job_start(struct zcopy_ctx *ctx, const struct zcopy_send *a,
		    const struct zcopy_seg *segs, u32 owner,
		    struct netlink_ext_ack *extack, unsigned int *bad_seg,
		    u32 *id)
{
	struct zcopy_sendop *op;
	struct zcopy_job *job;
	struct socket *sock;
	int ret;

	*bad_seg = a->nr_segs;
	if (atomic_inc_return(&zcopy_nr_jobs) > ZCOPY_MAX_JOBS) {
		atomic_dec(&zcopy_nr_jobs);
		NL_SET_ERR_MSG(extack, "max_jobs kernel-run transfers are running");
		return -ENOBUFS;
	}
	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job) {
		atomic_dec(&zcopy_nr_jobs);
		return -ENOMEM;
	}
	/* We are in a doit of this module's family: it cannot be going. */
	__module_get(THIS_MODULE);
	kref_init(&job->ref);
	spin_lock_init(&job->lock);
	init_waitqueue_head(&job->wq);
	INIT_WORK(&job->work, zcopy_job_work);
	zcopy_ctx_get(ctx);
	job->ctx = ctx;
	job->net = get_net(ctx->net);
	job->cred = get_current_cred();
	job->pid = get_pid(task_tgid(current));
	job->owner = owner;
	job->cookie = a->cookie;
	job->flags = a->flags;

	/* In the table from here, but invisible until it has a state. */
	ret = xa_alloc_cyclic(&zcopy_jobs, &job->id, job, xa_limit_32b,
			      &zcopy_job_next_id, GFP_KERNEL);
	if (ret < 0)
		goto err_job;

	op = zcopy_send_prepare(ctx, a, segs, ZCOPY_PREPARE_NONBLOCK, extack,
				bad_seg);
	if (IS_ERR(op)) {
		ret = PTR_ERR(op);
		xa_erase(&zcopy_jobs, job->id);
		goto err_job;
	}
	sock = zcopy_send_sock(op);
	job->sockfile = get_file(sock->file);
	job->tls = zcopy_send_tls(op);
	job->snd_start = READ_ONCE(tcp_sk(sock->sk)->write_seq);
	job->total = zcopy_send_total(op);
	/* The table's reference goes with the completion hook. */
	zcopy_send_set_job(op, job->id, zcopy_job_done, job);
	kref_get(&job->ref);	/* the work's */

	spin_lock(&job->lock);
	job->op = op;
	/* The first wait for room gets an event at once. */
	job->progress_at = jiffies - ZCOPY_JOB_PROGRESS;
	/* Lookups see the job once all of the above is set. */
	smp_store_release(&job->state, ZCOPY_XFER_STATE_SENDING);
	spin_unlock(&job->lock);
	*id = job->id;
	queue_work(zcopy_job_wq, &job->work);
	return 0;

err_job:
	zcopy_job_put(job);
	return ret;
}

/* Whether lookups see @job: started, and of @net. */
static bool zcopy_job_visible(struct zcopy_job *job, struct net *net)
{
	/* Pairs with the release in zcopy_job_start(). */
	return net_eq(job->net, net) && smp_load_acquire(&job->state);
}

/**
 * zcopy_job_get - the job @id of @net
 * @net: the caller's network namespace
 * @id: the job's id
 *
 * Return: the job with a reference (zcopy_job_put()), or NULL.
 */
struct zcopy_job *zcopy_job_get(struct net *net, u32 id)
{
	struct zcopy_job *job;

	xa_lock(&zcopy_jobs);
	job = xa_load(&zcopy_jobs, id);
	if (job && zcopy_job_visible(job, net))
		kref_get(&job->ref);
	else
		job = NULL;
	xa_unlock(&zcopy_jobs);
	return job;
}

/**
 * zcopy_job_next - iterate over the jobs of @net
 * @net: the caller's network namespace
 * @idx: where to start; set to the index of the job returned
 *
 * Return: the first job of @net at or after *@idx with a reference, or
 * NULL after the last one.
 */
struct zcopy_job *zcopy_job_next(struct net *net, unsigned long *idx)
{
	struct zcopy_job *job;

	xa_lock(&zcopy_jobs);
	xa_for_each_start(&zcopy_jobs, *idx, job, *idx) {
		if (zcopy_job_visible(job, net)) {
			kref_get(&job->ref);
			break;
		}
	}
	xa_unlock(&zcopy_jobs);
	return job;
}

/**
 * zcopy_job_cancel - stop sending
 * @job: a job the caller holds a reference to
 *
 * The work stops at the next batch it would hand to the socket, or
 * wakes up if it waits for room.
 *
 * Return: 0, or -EALREADY once every byte is with the stack.
 */
int zcopy_job_cancel(struct zcopy_job *job)
{
	int ret = 0;

	spin_lock(&job->lock);
	if (job->op) {
		job->cancel = true;
		zcopy_send_cancel(job->op);
	} else {
		ret = -EALREADY;
	}
	spin_unlock(&job->lock);
	if (!ret)
		wake_up(&job->wq);
	return ret;
}

/* Cancel every job @match() picks; they end on their own. */
static void zcopy_job_cancel_all(bool (*match)(struct zcopy_job *job,
					       const void *arg),
				 const void *arg)
{
	unsigned long idx = 0;
	struct zcopy_job *job;

	for (;;) {
		xa_lock(&zcopy_jobs);
		xa_for_each_start(&zcopy_jobs, idx, job, idx) {
			/* Pairs with the release in zcopy_job_start(). */
			if (smp_load_acquire(&job->state) && match(job, arg)) {
				kref_get(&job->ref);
				break;
			}
		}
		xa_unlock(&zcopy_jobs);
		if (!job)
			return;
		zcopy_job_cancel(job);
		zcopy_job_put(job);
		idx++;
	}
}

static bool zcopy_job_of_ctx(struct zcopy_job *job, const void *ctx)
{
	return job->ctx == ctx;
}

/**
 * zcopy_job_cancel_ctx - a /dev/zcopy file is closing
 * @ctx: its context
 *
 * Its pools are going away: the jobs that send from them (every job that
 * named the file as its devfd) stop.
 */
void zcopy_job_cancel_ctx(struct zcopy_ctx *ctx)
{
	zcopy_job_cancel_all(zcopy_job_of_ctx, ctx);
}

struct zcopy_job_owner {
	struct net *net;
	u32 portid;
};

static bool zcopy_job_of_owner(struct zcopy_job *job, const void *arg)
{
	const struct zcopy_job_owner *o = arg;

	return job->owner == o->portid && net_eq(job->net, o->net);
}

/**
 * zcopy_job_cancel_owner - a netlink socket was released
 * @net: its network namespace
 * @portid: its port id
 *
 * Jobs started with cancel-on-close from it stop.
 */
void zcopy_job_cancel_owner(struct net *net, u32 portid)
{
	struct zcopy_job_owner o = { .net = net, .portid = portid };

	if (portid)
		zcopy_job_cancel_all(zcopy_job_of_owner, &o);
}

int __init zcopy_job_init(void)
{
	zcopy_job_wq = alloc_workqueue("zcopy_job", WQ_UNBOUND,
				       ZCOPY_MAX_JOBS);
	return zcopy_job_wq ? 0 : -ENOMEM;
}

/* Only called once no job holds a module reference. */
void zcopy_job_uninit(void)
{
	destroy_workqueue(zcopy_job_wq);
}
