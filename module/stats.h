/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_STATS_H
#define _ZCOPY_STATS_H

#include <linux/init.h>
#include <linux/types.h>

/*
 * Global counters. Event counters are per-CPU and only ever grow (until a
 * reset); gauges (what is pinned or outstanding now, and peaks) are
 * atomics. Counters are bumped in process context only: sends, pool
 * registration and the completion work.
 */
enum zcopy_stat {
	ZCOPY_STAT_TRANSFERS,		/* sends that returned success */
	ZCOPY_STAT_FAILED_SENDS,	/* sends that returned an error */
	ZCOPY_STAT_BYTES_POOL,		/* bytes sent from pool segments */
	ZCOPY_STAT_BYTES_FILE,		/* bytes sent from file extents */
	ZCOPY_STAT_BYTES_ZC,		/* bytes that went without a CPU copy */
	ZCOPY_STAT_BYTES_COPIED,	/* bytes the CPU copied */
	ZCOPY_STAT_COMPLETIONS,		/* transfers completed */
	ZCOPY_STAT_COMPLETIONS_COPIED,	/* of which with a copy */
	ZCOPY_STAT_POOLS_REGISTERED,
	ZCOPY_STAT_POOLS_RELEASED,	/* pages unpinned */
	__ZCOPY_STAT_MAX
};

struct zcopy_stats_snapshot {
	u64 counters[__ZCOPY_STAT_MAX];
	u64 pinned_pages;
	u64 pinned_pages_peak;
	u64 pools;
	u64 outstanding;		/* transfers not yet completed */
};

void zcopy_stat_add(enum zcopy_stat stat, u64 val);
void zcopy_stats_pinned(long delta);
void zcopy_stats_pools(long delta);
void zcopy_stats_outstanding(long delta);
void zcopy_stats_read(struct zcopy_stats_snapshot *snap);
void zcopy_stats_reset(void);

int __init zcopy_stats_init(void);
void zcopy_stats_uninit(void);

#endif /* _ZCOPY_STATS_H */
