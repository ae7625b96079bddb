/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/zcopy.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_ZCOPY_GEN_H
#define _LINUX_ZCOPY_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/zcopy_nl.h>

/* Common nested types */
extern const struct nla_policy zcopy_xfer_seg_nl_policy[ZCOPY_A_SEG_FLAGS + 1];

/* Ops table for zcopy */
extern const struct genl_split_ops zcopy_nl_ops[9];

int zcopy_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info);
int zcopy_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int zcopy_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info);
int zcopy_nl_pool_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int zcopy_nl_xfer_start_doit(struct sk_buff *skb, struct genl_info *info);
int zcopy_nl_route_probe_doit(struct sk_buff *skb, struct genl_info *info);
int zcopy_nl_xfer_get_doit(struct sk_buff *skb, struct genl_info *info);
int zcopy_nl_xfer_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int zcopy_nl_xfer_cancel_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	ZCOPY_NLGRP_EVENTS,
};

#endif /* _LINUX_ZCOPY_GEN_H */
