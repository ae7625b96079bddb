// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/zcopy.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "genl-nl.h"

#include <uapi/linux/zcopy_nl.h>

/* Common nested types */
const struct nla_policy zcopy_xfer_seg_nl_policy[ZCOPY_A_SEG_FLAGS + 1] = {
	[ZCOPY_A_SEG_TYPE] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[ZCOPY_A_SEG_ID] = { .type = NLA_U32, },
	[ZCOPY_A_SEG_OFFSET] = { .type = NLA_U64, },
	[ZCOPY_A_SEG_LEN] = NLA_POLICY_MIN(NLA_U64, 1),
	[ZCOPY_A_SEG_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
};

/* ZCOPY_CMD_XFER_START - do */
static const struct nla_policy zcopy_xfer_start_nl_policy[ZCOPY_A_XFER_CANCEL_ON_CLOSE + 1] = {
	[ZCOPY_A_XFER_SOCKFD] = { .type = NLA_U32, },
	[ZCOPY_A_XFER_DEVFD] = { .type = NLA_U32, },
	[ZCOPY_A_XFER_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0xf),
	[ZCOPY_A_XFER_COOKIE] = { .type = NLA_U64, },
	[ZCOPY_A_XFER_SEG] = NLA_POLICY_NESTED(zcopy_xfer_seg_nl_policy),
	[ZCOPY_A_XFER_CANCEL_ON_CLOSE] = { .type = NLA_FLAG, },
};

/* ZCOPY_CMD_ROUTE_PROBE - do */
static const struct nla_policy zcopy_route_probe_nl_policy[ZCOPY_A_PROBE_SOCKFD + 1] = {
	[ZCOPY_A_PROBE_SOCKFD] = { .type = NLA_U32, },
};

/* ZCOPY_CMD_XFER_GET - do */
static const struct nla_policy zcopy_xfer_get_nl_policy[ZCOPY_A_XFER_ID + 1] = {
	[ZCOPY_A_XFER_ID] = { .type = NLA_U32, },
};

/* ZCOPY_CMD_XFER_CANCEL - do */
static const struct nla_policy zcopy_xfer_cancel_nl_policy[ZCOPY_A_XFER_ID + 1] = {
	[ZCOPY_A_XFER_ID] = { .type = NLA_U32, },
};

/* Ops table for zcopy */
const struct genl_split_ops zcopy_nl_ops[9] = {
	{
		.cmd	= ZCOPY_CMD_INFO_GET,
		.doit	= zcopy_nl_info_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ZCOPY_CMD_STATS_GET,
		.doit	= zcopy_nl_stats_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ZCOPY_CMD_STATS_RESET,
		.doit	= zcopy_nl_stats_reset_doit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ZCOPY_CMD_POOL_GET,
		.dumpit	= zcopy_nl_pool_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= ZCOPY_CMD_XFER_START,
		.doit		= zcopy_nl_xfer_start_doit,
		.policy		= zcopy_xfer_start_nl_policy,
		.maxattr	= ZCOPY_A_XFER_CANCEL_ON_CLOSE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ZCOPY_CMD_ROUTE_PROBE,
		.doit		= zcopy_nl_route_probe_doit,
		.policy		= zcopy_route_probe_nl_policy,
		.maxattr	= ZCOPY_A_PROBE_SOCKFD,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ZCOPY_CMD_XFER_GET,
		.doit		= zcopy_nl_xfer_get_doit,
		.policy		= zcopy_xfer_get_nl_policy,
		.maxattr	= ZCOPY_A_XFER_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ZCOPY_CMD_XFER_GET,
		.dumpit	= zcopy_nl_xfer_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= ZCOPY_CMD_XFER_CANCEL,
		.doit		= zcopy_nl_xfer_cancel_doit,
		.policy		= zcopy_xfer_cancel_nl_policy,
		.maxattr	= ZCOPY_A_XFER_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group zcopy_nl_mcgrps[] = {
	[ZCOPY_NLGRP_EVENTS] = { "events", },
};
