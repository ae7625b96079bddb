/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_NETLINK_H
#define _ZCOPY_NETLINK_H

#include <linux/init.h>
#include <linux/types.h>

struct net;
struct zcopy_ctx;
struct zcopy_pool;
struct zcopy_xfer;

void zcopy_nl_pool_event(struct zcopy_pool *pool, u8 cmd);
void zcopy_nl_xfer_event(struct net *net, struct zcopy_xfer *x);
void zcopy_nl_send_failed_event(struct zcopy_ctx *ctx, u64 cookie, int err);

int __init zcopy_nl_init(void);
void zcopy_nl_uninit(void);

#endif /* _ZCOPY_NETLINK_H */
