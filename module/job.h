/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_JOB_H
#define _ZCOPY_JOB_H

#include <linux/init.h>
#include <linux/types.h>

struct net;
struct netlink_ext_ack;
struct zcopy_ctx;
struct zcopy_job;
struct zcopy_send;
struct zcopy_seg;
struct zcopy_xfer_info;

/* Kernel-run transfers at once, module-wide (each holds a worker). */
#define ZCOPY_MAX_JOBS		512

int zcopy_job_start(struct zcopy_ctx *ctx, const struct zcopy_send *a,
		    const struct zcopy_seg *segs, u32 owner,
		    struct netlink_ext_ack *extack, unsigned int *bad_seg,
		    u32 *id);
struct zcopy_job *zcopy_job_get(struct net *net, u32 id);
struct zcopy_job *zcopy_job_next(struct net *net, unsigned long *idx);
void zcopy_job_put(struct zcopy_job *job);
void zcopy_job_info(struct zcopy_job *job, struct zcopy_xfer_info *info);
int zcopy_job_cancel(struct zcopy_job *job);
void zcopy_job_cancel_ctx(struct zcopy_ctx *ctx);
void zcopy_job_cancel_owner(struct net *net, u32 portid);

int __init zcopy_job_init(void);
void zcopy_job_uninit(void);

#endif /* _ZCOPY_JOB_H */
