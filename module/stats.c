// SPDX-License-Identifier: GPL-2.0
/*
 * Global counters: per-CPU event counters, atomic gauges.
 */

#include <linux/atomic.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/u64_stats_sync.h>

#include "stats.h"

struct zcopy_pcpu_stats {
	struct u64_stats_sync syncp;
	u64_stats_t v[__ZCOPY_STAT_MAX];
};

static struct zcopy_pcpu_stats __percpu *zcopy_pcpu;
static atomic_long_t zcopy_pinned_pages;
static atomic_long_t zcopy_pinned_peak;
static atomic_long_t zcopy_pools_now;
static atomic_long_t zcopy_outstanding;

/*
 * A reset records the counters as a baseline that reads subtract: the
 * per-CPU counters are only ever written by their own CPU.
 */
static DEFINE_SPINLOCK(zcopy_baseline_lock);
static u64 zcopy_baseline[__ZCOPY_STAT_MAX];

void zcopy_stat_add(enum zcopy_stat stat, u64 val)
{
	struct zcopy_pcpu_stats *s = get_cpu_ptr(zcopy_pcpu);

	u64_stats_update_begin(&s->syncp);
	u64_stats_add(&s->v[stat], val);
	u64_stats_update_end(&s->syncp);
	put_cpu_ptr(zcopy_pcpu);
}

void zcopy_stats_pinned(long delta)
{
	long now = atomic_long_add_return(delta, &zcopy_pinned_pages);
	long peak = atomic_long_read(&zcopy_pinned_peak);

	while (now > peak &&
	       !atomic_long_try_cmpxchg(&zcopy_pinned_peak, &peak, now))
		;
}

void zcopy_stats_pools(long delta)
{
	atomic_long_add(delta, &zcopy_pools_now);
}

void zcopy_stats_outstanding(long delta)
{
	atomic_long_add(delta, &zcopy_outstanding);
}

static void zcopy_stats_sum(u64 *sum)
{
	unsigned int start;
	int cpu, i;

	memset(sum, 0, sizeof(u64) * __ZCOPY_STAT_MAX);
	for_each_possible_cpu(cpu) {
		const struct zcopy_pcpu_stats *s = per_cpu_ptr(zcopy_pcpu, cpu);
		u64 v[__ZCOPY_STAT_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			for (i = 0; i < __ZCOPY_STAT_MAX; i++)
				v[i] = u64_stats_read(&s->v[i]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < __ZCOPY_STAT_MAX; i++)
			sum[i] += v[i];
	}
}

void zcopy_stats_read(struct zcopy_stats_snapshot *snap)
{
	int i;

	memset(snap, 0, sizeof(*snap));
	zcopy_stats_sum(snap->counters);
	spin_lock(&zcopy_baseline_lock);
	for (i = 0; i < __ZCOPY_STAT_MAX; i++)
		snap->counters[i] -= zcopy_baseline[i];
	spin_unlock(&zcopy_baseline_lock);
	snap->pinned_pages = atomic_long_read(&zcopy_pinned_pages);
	snap->pinned_pages_peak = atomic_long_read(&zcopy_pinned_peak);
	snap->pools = atomic_long_read(&zcopy_pools_now);
	snap->outstanding = atomic_long_read(&zcopy_outstanding);
}

/* Zero the event counters and restart the peak from the current value. */
void zcopy_stats_reset(void)
{
	u64 sum[__ZCOPY_STAT_MAX];

	zcopy_stats_sum(sum);
	spin_lock(&zcopy_baseline_lock);
	memcpy(zcopy_baseline, sum, sizeof(sum));
	spin_unlock(&zcopy_baseline_lock);
	atomic_long_set(&zcopy_pinned_peak,
			atomic_long_read(&zcopy_pinned_pages));
}

int __init zcopy_stats_init(void)
{
	int cpu;

	zcopy_pcpu = alloc_percpu(struct zcopy_pcpu_stats);
	if (!zcopy_pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(zcopy_pcpu, cpu)->syncp);
	return 0;
}

void zcopy_stats_uninit(void)
{
	free_percpu(zcopy_pcpu);
}
