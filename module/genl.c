// SPDX-License-Identifier: GPL-2.0
/*
 * The "zcopy" generic netlink family: a front end, like the device.
 * The doit and dumpit handlers validate, resolve descriptors and call
 * into the core; the family is also the core's notifier (notify.h) and
 * turns what it says into events.
 *
 * The policies and the operations table (genl-nl.c, genl-nl.h) are
 * generated from Documentation/netlink/specs/zcopy.yaml by ynl-gen-c
 * ("make nlgen"); this file holds the handlers they name, the family and
 * the events. One source for 6.1 and 6.12: split ops, which 6.1 reads as
 * classic ops (compat.h); every operation gets strict validation
 * (resv_start_op = 0), and one without a policy rejects every attribute
 * (zcopy_nl_no_attrs()).
 *
 * The multicast group stays here: the 6.12 generator cannot say that it
 * needs CAP_NET_ADMIN.
 *
 * Permissions: reading counters and one's own pools is open to every
 * user; resetting counters, starting transfers and listening to events
 * need CAP_NET_ADMIN. Pools, transfers and events belong to the network
 * namespace of the process that opened /dev/zcopy (or sent XFER_START);
 * the counters are module-wide.
 */

#include <linux/file.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/pid_namespace.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <linux/zcopy.h>

#include "compat.h"
#include "dev.h"
#include "genl.h"
#include "genl-nl.h"
#include "job.h"
#include "notify.h"
#include "pool.h"
#include "send.h"
#include "stats.h"
#include "version.h"
#include "xfer.h"
#include "zcopy.h"

static struct genl_family zcopy_genl_family;

static const struct genl_multicast_group zcopy_mcgrps[] = {
	[ZCOPY_NLGRP_EVENTS] = {
		.name = ZCOPY_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

/*
 * INFO_GET, STATS_GET, STATS_RESET and POOL_GET take no attributes. The
 * spec gives them no request policy; 6.1's classic ops then reject every
 * attribute, but split ops (6.12) leave the request unparsed. So the
 * handlers reject attributes themselves, the same on both kernels.
 */
static int zcopy_nl_no_attrs(const struct nlmsghdr *nlh,
			     struct netlink_ext_ack *extack)
{
	if (nlmsg_attrlen(nlh, GENL_HDRLEN) <= 0)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, nlmsg_attrdata(nlh, GENL_HDRLEN),
			    "this operation takes no attributes");
	return -EINVAL;
}

/*
 * Answer a request that takes no attributes with one message of @cmd,
 * filled in by @fill.
 */
static int zcopy_nl_reply(struct genl_info *info, u8 cmd,
			  int (*fill)(struct sk_buff *msg))
{
	struct sk_buff *msg;
	void *hdr;

	if (zcopy_nl_no_attrs(info->nlhdr, info->extack))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &zcopy_genl_family, 0, cmd);
	if (!hdr || fill(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int zcopy_nl_put_info(struct sk_buff *msg)
{
	if (nla_put_string(msg, ZCOPY_A_INFO_VERSION, ZCOPY_VERSION) ||
	    nla_put_u32(msg, ZCOPY_A_INFO_ABI, ZCOPY_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_INFO_FEATURES, zcopy_features(),
			      ZCOPY_A_INFO_PAD) ||
	    nla_put_u32(msg, ZCOPY_A_INFO_COPY_THRESHOLD,
			zcopy_copy_threshold()))
		return -EMSGSIZE;
	return 0;
}

int zcopy_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return zcopy_nl_reply(info, ZCOPY_CMD_INFO_GET, zcopy_nl_put_info);
}

/* The internal counters, in the order of their netlink attributes. */
static const u16 zcopy_stat_attr[__ZCOPY_STAT_MAX] = {
	[ZCOPY_STAT_TRANSFERS] = ZCOPY_A_STATS_TRANSFERS,
	[ZCOPY_STAT_FAILED_SENDS] = ZCOPY_A_STATS_FAILED_SENDS,
	[ZCOPY_STAT_BYTES_POOL] = ZCOPY_A_STATS_BYTES_POOL,
	[ZCOPY_STAT_BYTES_FILE] = ZCOPY_A_STATS_BYTES_FILE,
	[ZCOPY_STAT_BYTES_ZC] = ZCOPY_A_STATS_BYTES_ZC,
	[ZCOPY_STAT_BYTES_COPIED] = ZCOPY_A_STATS_BYTES_COPIED,
	[ZCOPY_STAT_COMPLETIONS] = ZCOPY_A_STATS_COMPLETIONS,
	[ZCOPY_STAT_COMPLETIONS_COPIED] = ZCOPY_A_STATS_COMPLETIONS_COPIED,
	[ZCOPY_STAT_POOLS_REGISTERED] = ZCOPY_A_STATS_POOLS_REGISTERED,
	[ZCOPY_STAT_POOLS_RELEASED] = ZCOPY_A_STATS_POOLS_RELEASED,
};

static int zcopy_nl_put_stats(struct sk_buff *msg)
{
	struct zcopy_stats_snapshot snap;
	int i;

	zcopy_stats_read(&snap);
	for (i = 0; i < __ZCOPY_STAT_MAX; i++) {
		if (nla_put_u64_64bit(msg, zcopy_stat_attr[i],
				      snap.counters[i], ZCOPY_A_STATS_PAD))
			return -EMSGSIZE;
	}
	if (nla_put_u64_64bit(msg, ZCOPY_A_STATS_PINNED_PAGES,
			      snap.pinned_pages, ZCOPY_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_STATS_PINNED_PAGES_PEAK,
			      snap.pinned_pages_peak, ZCOPY_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_STATS_POOLS, snap.pools,
			      ZCOPY_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_STATS_OUTSTANDING,
			      snap.outstanding, ZCOPY_A_STATS_PAD))
		return -EMSGSIZE;
	return 0;
}

int zcopy_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return zcopy_nl_reply(info, ZCOPY_CMD_STATS_GET, zcopy_nl_put_stats);
}

int zcopy_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (zcopy_nl_no_attrs(info->nlhdr, info->extack))
		return -EINVAL;
	zcopy_stats_reset();
	return 0;
}

/*
 * A pid as seen from @ns: 0, and no attribute, where the process is not
 * visible there (or has exited).
 */
static int zcopy_nl_put_pid(struct sk_buff *msg, int attr, struct pid *pid,
			    struct pid_namespace *ns)
{
	pid_t nr = pid_nr_ns(pid, ns);

	return nr ? nla_put_u32(msg, attr, nr) : 0;
}

/*
 * The pool's owner as seen from @pid_ns and @user_ns: the reader's for a
 * dump, the pool's file's for an event.
 */
static int zcopy_nl_put_pool(struct sk_buff *msg,
			     const struct zcopy_pool_info *pool,
			     struct pid_namespace *pid_ns,
			     struct user_namespace *user_ns)
{
	if (nla_put_u32(msg, ZCOPY_A_POOL_ID, pool->id) ||
	    zcopy_nl_put_pid(msg, ZCOPY_A_POOL_PID, pool->pid, pid_ns) ||
	    nla_put_u32(msg, ZCOPY_A_POOL_UID,
			from_kuid_munged(user_ns, pool->uid)) ||
	    nla_put_string(msg, ZCOPY_A_POOL_COMM, pool->comm) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_POOL_LEN, pool->len,
			      ZCOPY_A_POOL_PAD) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_POOL_PAGES, pool->pages,
			      ZCOPY_A_POOL_PAD) ||
	    nla_put_u32(msg, ZCOPY_A_POOL_INFLIGHT, pool->inflight) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_POOL_SENDS, pool->sends,
			      ZCOPY_A_POOL_PAD) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_POOL_BYTES_SENT, pool->bytes_sent,
			      ZCOPY_A_POOL_PAD))
		return -EMSGSIZE;
	if (pool->registered && nla_put_flag(msg, ZCOPY_A_POOL_REGISTERED))
		return -EMSGSIZE;
	return 0;
}

struct zcopy_nl_pool_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct net *net;
	struct pid_namespace *pid_ns;
	struct user_namespace *user_ns;
	kuid_t uid;
	bool admin;
	unsigned int *gen;
};

static int zcopy_nl_pool_dump_one(const struct zcopy_pool_info *pool,
				  void *arg)
{
	struct zcopy_nl_pool_dump *d = arg;
	struct netlink_callback *cb = d->cb;
	void *hdr;

	if (!net_eq(pool->net, d->net) ||
	    (!d->admin && !uid_eq(pool->uid, d->uid)))
		return 0;

	hdr = genlmsg_put(d->skb, NETLINK_CB(cb->skb).portid,
			  cb->nlh->nlmsg_seq, &zcopy_genl_family, NLM_F_MULTI,
			  ZCOPY_CMD_POOL_GET);
	if (!hdr)
		return -EMSGSIZE;
	cb->seq = *d->gen;
	genl_dump_check_consistent(cb, hdr);
	if (zcopy_nl_put_pool(d->skb, pool, d->pid_ns, d->user_ns)) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

/*
 * Unprivileged callers see the pools of their own uid. Owners show as
 * seen from the reader: a dump runs in the process that reads it.
 */
int zcopy_nl_pool_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned int gen;
	struct zcopy_nl_pool_dump d = {
		.skb = skb,
		.cb = cb,
		.net = sock_net(skb->sk),
		.pid_ns = task_active_pid_ns(current),
		.user_ns = sk_user_ns(NETLINK_CB(cb->skb).sk),
		.uid = sock_i_uid(NETLINK_CB(cb->skb).sk),
		.admin = netlink_capable(cb->skb, CAP_NET_ADMIN),
		.gen = &gen,
	};
	unsigned long pos = cb->args[0];
	int ret;

	/* The same request each time: the first call has failed already. */
	if (zcopy_nl_no_attrs(cb->nlh, cb->extack))
		return -EINVAL;
	ret = zcopy_pools_walk(&pos, &gen, zcopy_nl_pool_dump_one, &d);
	cb->args[0] = pos;
	if (ret == -EMSGSIZE && skb->len)
		return skb->len;
	return ret ?: skb->len;
}

/* The @n-th ZCOPY_A_XFER_SEG of the request. */
static struct nlattr *zcopy_nl_nth_seg(struct genl_info *info, unsigned int n)
{
	struct nlattr *nla;
	int rem;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(nla) == ZCOPY_A_XFER_SEG && !n--)
			return nla;
	}
	return NULL;
}

static int zcopy_nl_parse_segs(struct genl_info *info, struct zcopy_seg *segs)
{
	struct nlattr *tb[ZCOPY_A_SEG_MAX + 1], *nla;
	int rem, i = 0, ret;

	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(nla) != ZCOPY_A_XFER_SEG)
			continue;
		ret = nla_parse_nested(tb, ZCOPY_A_SEG_MAX, nla,
				       zcopy_xfer_seg_nl_policy, info->extack);
		if (ret)
			return ret;
		if (NL_REQ_ATTR_CHECK(info->extack, nla, tb,
				      ZCOPY_A_SEG_TYPE) ||
		    NL_REQ_ATTR_CHECK(info->extack, nla, tb,
				      ZCOPY_A_SEG_LEN)) {
			NL_SET_ERR_MSG(info->extack,
				       "a segment needs a type and a length");
			return -EINVAL;
		}
		segs[i].type = nla_get_u32(tb[ZCOPY_A_SEG_TYPE]);
		if (tb[ZCOPY_A_SEG_ID])
			segs[i].id = nla_get_u32(tb[ZCOPY_A_SEG_ID]);
		if (tb[ZCOPY_A_SEG_OFFSET])
			segs[i].offset = nla_get_u64(tb[ZCOPY_A_SEG_OFFSET]);
		segs[i].len = nla_get_u64(tb[ZCOPY_A_SEG_LEN]);
		if (tb[ZCOPY_A_SEG_FLAGS])
			segs[i].flags = nla_get_u32(tb[ZCOPY_A_SEG_FLAGS]);
		i++;
	}
	return 0;
}

/*
 * ZCOPY_IOC_PROBE's answer as a reply. Runs in the caller's process, so
 * the socket resolves in the caller's file table; nothing is sent.
 */
int zcopy_nl_route_probe_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct zcopy_probe p = { .size = sizeof(p) };
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ZCOPY_A_PROBE_SOCKFD)) {
		NL_SET_ERR_MSG(info->extack, "sockfd is required");
		return -EINVAL;
	}
	p.sockfd = nla_get_u32(info->attrs[ZCOPY_A_PROBE_SOCKFD]);
	ret = zcopy_probe(&p, info->extack);
	if (ret) {
		NL_SET_BAD_ATTR(info->extack,
				info->attrs[ZCOPY_A_PROBE_SOCKFD]);
		return ret;
	}

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &zcopy_genl_family, 0,
				ZCOPY_CMD_ROUTE_PROBE);
	if (!hdr ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_POOL_REASON, p.pool_reason) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_POOL_SEG_REASON, p.pool_seg_reason) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_SMALL_REASON, p.small_reason) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_FILE_REASON, p.file_reason) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_COPY_THRESHOLD, p.copy_threshold) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_ROUTE_FLAGS, p.route_flags) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_IFINDEX, p.ifindex) ||
	    nla_put_string(msg, ZCOPY_A_PROBE_IFNAME, p.ifname) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_MTU, p.mtu) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_GSO_MAX_SIZE, p.gso_max_size) ||
	    nla_put_u32(msg, ZCOPY_A_PROBE_MSS, p.mss)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Runs in the requester's process (genl doit), so the descriptors resolve
 * in its file table; the kernel sends in the background (job.c) and the
 * reply is the transfer's id. Without a devfd the transfer has a context
 * of its own, already closed: no pools, and its completion is only an
 * event.
 */
int zcopy_nl_xfer_start_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct zcopy_send a = { .size = sizeof(a) };
	struct nlattr **attrs = info->attrs;
	struct file *devfile = NULL;
	struct zcopy_ctx *ctx;
	struct zcopy_seg *segs;
	struct sk_buff *msg;
	unsigned int i, bad_seg;
	struct nlattr *nla;
	u32 owner = 0, id;
	int rem, ret;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, ZCOPY_A_XFER_SOCKFD)) {
		NL_SET_ERR_MSG(info->extack, "sockfd is required");
		return -EINVAL;
	}
	a.sockfd = nla_get_u32(attrs[ZCOPY_A_XFER_SOCKFD]);
	if (attrs[ZCOPY_A_XFER_FLAGS])
		a.flags = nla_get_u32(attrs[ZCOPY_A_XFER_FLAGS]);
	if (attrs[ZCOPY_A_XFER_COOKIE])
		a.cookie = nla_get_u64(attrs[ZCOPY_A_XFER_COOKIE]);
	if (attrs[ZCOPY_A_XFER_CANCEL_ON_CLOSE])
		owner = info->snd_portid;
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem)
		a.nr_segs += nla_type(nla) == ZCOPY_A_XFER_SEG;

	ret = zcopy_send_check(&a);
	if (ret) {
		if (a.nr_segs)
			NL_SET_ERR_MSG(info->extack,
				       "more segments than max_segments");
		else
			NL_SET_ERR_MSG(info->extack,
				       "at least one segment is required");
		return ret;
	}
	/* A kernel socket (port 0) cannot be the owner: nothing would close. */
	if (attrs[ZCOPY_A_XFER_CANCEL_ON_CLOSE] && !owner) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    attrs[ZCOPY_A_XFER_CANCEL_ON_CLOSE],
				    "cancel-on-close needs a userspace socket");
		return -EINVAL;
	}

	segs = kvcalloc(a.nr_segs, sizeof(*segs), GFP_KERNEL);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	ret = -ENOMEM;
	if (!segs || !msg)
		goto out_free;
	ret = zcopy_nl_parse_segs(info, segs);
	if (ret)
		goto out_free;

	if (attrs[ZCOPY_A_XFER_DEVFD]) {
		devfile = fget(nla_get_u32(attrs[ZCOPY_A_XFER_DEVFD]));
		ctx = devfile ? zcopy_dev_ctx(devfile) : NULL;
		if (!ctx) {
			ret = devfile ? -EINVAL : -EBADF;
			NL_SET_ERR_MSG_ATTR(info->extack,
					    attrs[ZCOPY_A_XFER_DEVFD],
					    "devfd is not an open /dev/zcopy");
			if (devfile)
				fput(devfile);
			goto out_free;
		}
	} else {
		for (i = 0; i < a.nr_segs; i++) {
			if (segs[i].type == ZCOPY_SEG_POOL) {
				NL_SET_ERR_MSG(info->extack,
					       "pool segments need a devfd");
				ret = -ENOENT;
				goto out_free;
			}
		}
		ctx = zcopy_ctx_alloc(genl_info_net(info));
		ret = -ENOMEM;
		if (!ctx)
			goto out_free;
		zcopy_ctx_close(ctx);
	}

	ret = zcopy_job_start(ctx, &a, segs, owner, info->extack, &bad_seg,
			      &id);
	if (ret) {
		if (bad_seg < a.nr_segs)
			NL_SET_BAD_ATTR(info->extack,
					zcopy_nl_nth_seg(info, bad_seg));
		goto out_ctx;
	}

	/*
	 * The transfer runs: if the reply cannot be built, the requester
	 * still learns of it from its events; say nothing else.
	 */
	hdr = genlmsg_put_reply(msg, info, &zcopy_genl_family, 0,
				ZCOPY_CMD_XFER_START);
	if (!hdr || nla_put_u32(msg, ZCOPY_A_XFER_ID, id)) {
		ret = -EMSGSIZE;
		goto out_ctx;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
	msg = NULL;

out_ctx:
	if (devfile)
		fput(devfile);
	else
		zcopy_ctx_put(ctx);
out_free:
	nlmsg_free(msg);
	kvfree(segs);
	return ret;
}

/* A kernel-run transfer, for XFER_GET and progress events. */
static int zcopy_nl_put_job(struct sk_buff *msg,
			    const struct zcopy_xfer_info *job,
			    struct pid_namespace *pid_ns)
{
	if (nla_put_u32(msg, ZCOPY_A_XFER_ID, job->id) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_XFER_COOKIE, job->cookie,
			      ZCOPY_A_XFER_PAD) ||
	    zcopy_nl_put_pid(msg, ZCOPY_A_XFER_PID, job->pid, pid_ns) ||
	    nla_put_u32(msg, ZCOPY_A_XFER_STATE, job->state) ||
	    nla_put_u32(msg, ZCOPY_A_XFER_FLAGS, job->flags) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_XFER_BYTES_TOTAL, job->bytes_total,
			      ZCOPY_A_XFER_PAD) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_XFER_BYTES_SENT, job->bytes_sent,
			      ZCOPY_A_XFER_PAD))
		return -EMSGSIZE;
	if (job->acked_known &&
	    nla_put_u64_64bit(msg, ZCOPY_A_XFER_BYTES_ACKED, job->bytes_acked,
			      ZCOPY_A_XFER_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The transfer of the request's ZCOPY_A_XFER_ID, with a reference. */
static struct zcopy_job *zcopy_nl_job(struct genl_info *info)
{
	struct zcopy_job *job;

	if (GENL_REQ_ATTR_CHECK(info, ZCOPY_A_XFER_ID)) {
		NL_SET_ERR_MSG(info->extack, "id is required");
		return ERR_PTR(-EINVAL);
	}
	job = zcopy_job_get(genl_info_net(info),
			    nla_get_u32(info->attrs[ZCOPY_A_XFER_ID]));
	if (!job) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ZCOPY_A_XFER_ID],
				    "no such transfer in this network namespace");
		return ERR_PTR(-ENOENT);
	}
	return job;
}

int zcopy_nl_xfer_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct zcopy_xfer_info ji;
	struct zcopy_job *job;
	struct sk_buff *msg;
	void *hdr;
	int ret;

	job = zcopy_nl_job(info);
	if (IS_ERR(job))
		return PTR_ERR(job);
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &zcopy_genl_family, 0,
				ZCOPY_CMD_XFER_GET);
	zcopy_job_info(job, &ji);
	if (!hdr || zcopy_nl_put_job(msg, &ji, task_active_pid_ns(current))) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	zcopy_job_put(job);
	return ret;
}

int zcopy_nl_xfer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long idx = cb->args[0];
	struct zcopy_xfer_info ji;
	struct zcopy_job *job;
	int ret = 0;
	void *hdr;

	ret = zcopy_nl_no_attrs(cb->nlh, cb->extack);
	if (ret)
		return ret;
	while ((job = zcopy_job_next(net, &idx))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &zcopy_genl_family,
				  NLM_F_MULTI, ZCOPY_CMD_XFER_GET);
		zcopy_job_info(job, &ji);
		if (!hdr ||
		    zcopy_nl_put_job(skb, &ji, task_active_pid_ns(current))) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			zcopy_job_put(job);
			ret = skb->len ? skb->len : -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		zcopy_job_put(job);
		idx++;
	}
	cb->args[0] = idx;
	return ret ? ret : skb->len;
}

int zcopy_nl_xfer_cancel_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct zcopy_job *job;
	int ret;

	job = zcopy_nl_job(info);
	if (IS_ERR(job))
		return PTR_ERR(job);
	ret = zcopy_job_cancel(job);
	if (ret == -EALREADY)
		NL_SET_ERR_MSG(info->extack,
			       "every byte is with the stack: the transfer completes on its own");
	zcopy_job_put(job);
	return ret;
}

/* Events: built and multicast only when somebody listens. */
static struct sk_buff *zcopy_nl_event_new(struct net *net, u8 cmd,
					  void **hdr)
{
	struct sk_buff *msg;

	if (!genl_has_listeners(&zcopy_genl_family, net, ZCOPY_NLGRP_EVENTS))
		return NULL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &zcopy_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void zcopy_nl_event_send(struct net *net, struct sk_buff *msg,
				void *hdr, int err)
{
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&zcopy_genl_family, net, msg, 0,
				ZCOPY_NLGRP_EVENTS, GFP_KERNEL);
}

/*
 * An event goes to every listener of the network namespace in one
 * message, so it cannot show a pid as each listener sees it: it shows it
 * as seen from the pid namespace of the process that opened the file,
 * and a uid as the network namespace's user namespace maps it.
 */
static void zcopy_nl_pool_event(const struct zcopy_pool_info *pool, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = zcopy_nl_event_new(pool->net, cmd, &hdr);
	if (msg)
		zcopy_nl_event_send(pool->net, msg, hdr,
				    zcopy_nl_put_pool(msg, pool, pool->pid_ns,
						      pool->net->user_ns));
}

static void zcopy_nl_pool_new(const struct zcopy_pool_info *pool)
{
	zcopy_nl_pool_event(pool, ZCOPY_CMD_POOL_NEW);
}

static void zcopy_nl_pool_del(const struct zcopy_pool_info *pool)
{
	zcopy_nl_pool_event(pool, ZCOPY_CMD_POOL_DEL);
}

/* An event about a transfer, with its cookie and sender; *@err if full. */
static struct sk_buff *zcopy_nl_xfer_event(const struct zcopy_xfer_info *xfer,
					   u8 cmd, void **hdr, int *err)
{
	struct sk_buff *msg = zcopy_nl_event_new(xfer->net, cmd, hdr);

	if (msg)
		*err = nla_put_u64_64bit(msg, ZCOPY_A_XFER_COOKIE,
					 xfer->cookie, ZCOPY_A_XFER_PAD) ||
		       zcopy_nl_put_pid(msg, ZCOPY_A_XFER_PID, xfer->pid,
					xfer->pid_ns) ||
		       (xfer->id &&
			nla_put_u32(msg, ZCOPY_A_XFER_ID, xfer->id));
	return msg;
}

static void zcopy_nl_xfer_done(const struct zcopy_xfer_info *xfer)
{
	const struct zcopy_completion *rec = xfer->rec;
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = zcopy_nl_xfer_event(xfer, ZCOPY_CMD_XFER_DONE, &hdr, &err);
	if (!msg)
		return;
	err = err ||
	      nla_put_u64_64bit(msg, ZCOPY_A_XFER_BYTES, rec->bytes,
				ZCOPY_A_XFER_PAD) ||
	      nla_put_u64_64bit(msg, ZCOPY_A_XFER_POOL_BYTES, rec->pool_bytes,
				ZCOPY_A_XFER_PAD) ||
	      nla_put_u64_64bit(msg, ZCOPY_A_XFER_ZC_BYTES, rec->zc_bytes,
				ZCOPY_A_XFER_PAD) ||
	      nla_put_u64_64bit(msg, ZCOPY_A_XFER_COPIED_BYTES,
				rec->copied_bytes, ZCOPY_A_XFER_PAD) ||
	      nla_put_u32(msg, ZCOPY_A_XFER_COMPL_FLAGS, rec->flags) ||
	      nla_put_u32(msg, ZCOPY_A_XFER_REASON, rec->reason) ||
	      nla_put_s32(msg, ZCOPY_A_XFER_ERROR, rec->error) ||
	      nla_put_u32(msg, ZCOPY_A_XFER_STOP_SEG, xfer->stop->seg) ||
	      nla_put_u32(msg, ZCOPY_A_XFER_STOP_REASON, xfer->stop->reason) ||
	      nla_put_u64_64bit(msg, ZCOPY_A_XFER_STOP_OFFSET,
				xfer->stop->offset, ZCOPY_A_XFER_PAD) ||
	      nla_put_u32(msg, ZCOPY_A_XFER_STOP_ERRNO, xfer->stop->err) ||
	      ((rec->flags & ZCOPY_COMPL_FILE_CHANGED) &&
	       nla_put_u32(msg, ZCOPY_A_XFER_CHANGED_SEG, rec->changed_seg));
	zcopy_nl_event_send(xfer->net, msg, hdr, err);
}

static void zcopy_nl_send_failed(const struct zcopy_xfer_info *xfer)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = zcopy_nl_xfer_event(xfer, ZCOPY_CMD_SEND_FAILED, &hdr, &err);
	if (!msg)
		return;
	err = err || nla_put_s32(msg, ZCOPY_A_XFER_ERROR, xfer->error);
	zcopy_nl_event_send(xfer->net, msg, hdr, err);
}

static void zcopy_nl_xfer_progress(const struct zcopy_xfer_info *xfer)
{
	struct sk_buff *msg;
	void *hdr;

	msg = zcopy_nl_event_new(xfer->net, ZCOPY_CMD_XFER_PROGRESS, &hdr);
	if (msg)
		zcopy_nl_event_send(xfer->net, msg, hdr,
				    zcopy_nl_put_job(msg, xfer, xfer->pid_ns));
}

static const struct zcopy_notifier zcopy_nl_notifier = {
	.pool_new = zcopy_nl_pool_new,
	.pool_del = zcopy_nl_pool_del,
	.xfer_done = zcopy_nl_xfer_done,
	.send_failed = zcopy_nl_send_failed,
	.xfer_progress = zcopy_nl_xfer_progress,
};

/* A generic netlink socket went away: its cancel-on-close transfers stop. */
static int zcopy_nl_sock_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC)
		zcopy_job_cancel_owner(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block zcopy_nl_sock_nb = {
	.notifier_call = zcopy_nl_sock_event,
};

ZCOPY_GENL_OPS_STORAGE;

static struct genl_family zcopy_genl_family __ro_after_init = {
	.name = ZCOPY_GENL_NAME,
	.version = ZCOPY_GENL_VERSION,
	.netnsok = true,
	/*
	 * No handler needs the global genl_mutex (XFER_START returns before
	 * the data is sent): they lock what they touch themselves.
	 */
	.parallel_ops = true,
	.module = THIS_MODULE,
	ZCOPY_GENL_OPS,
	.mcgrps = zcopy_mcgrps,
	.n_mcgrps = ARRAY_SIZE(zcopy_mcgrps),
	.resv_start_op = 0,
};

/* Before the device: registering a pool sends an event. */
int __init zcopy_nl_init(void)
{
	int ret;

	zcopy_genl_ops_setup(&zcopy_genl_family);
	ret = genl_register_family(&zcopy_genl_family);
	if (ret)
		return ret;
	ret = netlink_register_notifier(&zcopy_nl_sock_nb);
	if (ret) {
		genl_unregister_family(&zcopy_genl_family);
		return ret;
	}
	zcopy_notifier_set(&zcopy_nl_notifier);
	return 0;
}

/* After the device, and once no transfer is left (each pins the module). */
void zcopy_nl_uninit(void)
{
	zcopy_notifier_set(NULL);
	netlink_unregister_notifier(&zcopy_nl_sock_nb);
	genl_unregister_family(&zcopy_genl_family);
}
