/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_SEND_H
#define _ZCOPY_SEND_H

#include <linux/compiler_types.h>

struct netlink_ext_ack;
struct zcopy_ctx;
struct zcopy_probe;
struct zcopy_seg;
struct zcopy_send;

unsigned int zcopy_copy_threshold(void);
int zcopy_send_check(const struct zcopy_send *a);
int zcopy_user_errno(int err);
int zcopy_send(struct zcopy_ctx *ctx, struct zcopy_send *a,
	       const struct zcopy_seg *segs, void __user *ures,
	       struct netlink_ext_ack *extack, unsigned int *bad_seg);
int zcopy_send_user(struct zcopy_ctx *ctx, struct zcopy_send *a);
int zcopy_probe(struct zcopy_probe *p, struct netlink_ext_ack *extack);

#endif /* _ZCOPY_SEND_H */
