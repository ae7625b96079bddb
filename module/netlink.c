// SPDX-License-Identifier: GPL-2.0
/*
 * The "zcopy" generic netlink family.
 *
 * One source for 6.1 and 6.12: classic struct genl_ops with per-op
 * policies, resv_start_op = 0 so every operation gets strict validation
 * (an operation without a policy rejects every attribute), no split ops,
 * no user header.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <linux/zcopy.h>

#include "dev.h"
#include "netlink.h"
#include "stats.h"
#include "version.h"

static struct genl_family zcopy_genl_family;

static int zcopy_nl_info_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &zcopy_genl_family, 0,
				ZCOPY_CMD_INFO_GET);
	if (!hdr)
		goto err_msg;

	if (nla_put_string(msg, ZCOPY_A_INFO_VERSION, ZCOPY_VERSION) ||
	    nla_put_u32(msg, ZCOPY_A_INFO_ABI, ZCOPY_ABI_VERSION) ||
	    nla_put_u64_64bit(msg, ZCOPY_A_INFO_FEATURES, zcopy_features(),
			      ZCOPY_A_INFO_PAD))
		goto err_msg;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_msg:
	nlmsg_free(msg);
	return -EMSGSIZE;
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

static int zcopy_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &zcopy_genl_family, 0,
				ZCOPY_CMD_STATS_GET);
	if (!hdr || zcopy_nl_put_stats(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops zcopy_genl_ops[] = {
	{
		.cmd = ZCOPY_CMD_INFO_GET,
		.doit = zcopy_nl_info_get_doit,
	},
	{
		.cmd = ZCOPY_CMD_STATS_GET,
		.doit = zcopy_nl_stats_get_doit,
	},
};

static struct genl_family zcopy_genl_family __ro_after_init = {
	.name = ZCOPY_GENL_NAME,
	.version = ZCOPY_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = zcopy_genl_ops,
	.n_ops = ARRAY_SIZE(zcopy_genl_ops),
	.resv_start_op = 0,
};

int __init zcopy_nl_init(void)
{
	return genl_register_family(&zcopy_genl_family);
}

void zcopy_nl_uninit(void)
{
	genl_unregister_family(&zcopy_genl_family);
}
