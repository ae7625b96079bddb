// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench: what a pass cost the whole machine, all CPUs, so that work
 * counts wherever it ran: the receive softirq of a local route in the
 * sender's task or on the other CPU, the receiver, kworkers completing
 * transfers, NIC interrupts.
 *
 * Two readings around each pass:
 *
 *   busy_ns       per CPU, the time that CPU was not idle: the difference
 *                 of its clock ("now at") minus the difference of its
 *                 idle and iowait sleep time, both from the nohz idle
 *                 accounting (tick_sched) in /proc/timer_list, in
 *                 nanoseconds. A CPU's own section is read while this
 *                 process runs on that CPU (sched_setaffinity), so the
 *                 CPU is not idle at that moment and its idle time is
 *                 complete up to "now". Summed over all CPUs.
 *   stat_busy_ns  user + nice + system + irq + softirq of the "cpu" line of
 *                 /proc/stat. These kernels account them by sampling at
 *                 the tick (no IRQ_TIME_ACCOUNTING, no active vtime), in
 *                 units of 1/USER_HZ: a pass shorter than a few seconds
 *                 gets a few hundred samples, so this is the coarse
 *                 cross-check of busy_ns, not the figure reported.
 */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static int zb_ncpu;
static long zb_clk_tck;

static char *zb_slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	FILE *f = fopen(path, "re");

	if (!buf || !f) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		cap *= 2;
		{
			char *nb = realloc(buf, cap + 1);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* "now at" and CPU @cpu's idle + iowait sleep time, from /proc/timer_list. */
static int zb_timer_list(int cpu, uint64_t *now, uint64_t *idle)
{
	unsigned long long v;
	bool have_now = false, have_idle = false, have_iowait = false;
	int cur = -1;
	size_t len;
	char *buf = zb_slurp("/proc/timer_list", &len), *line, *save;

	if (!buf)
		return -1;
	*idle = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "now at %llu nsecs", &v) == 1) {
			*now = v;
			have_now = true;
		} else if (sscanf(line, "cpu: %d", &cur) == 1) {
			continue;
		} else if (cur == cpu &&
			   sscanf(line, " .idle_sleeptime : %llu nsecs", &v) == 1) {
			*idle += v;
			have_idle = true;
		} else if (cur == cpu &&
			   sscanf(line, " .iowait_sleeptime: %llu nsecs", &v) == 1) {
			*idle += v;
			have_iowait = true;
		}
	}
	free(buf);
	return have_now && have_idle && have_iowait ? 0 : -1;
}

static int zb_stat_busy(uint64_t *ticks)
{
	unsigned long long f[7];
	char line[512];
	FILE *s = fopen("/proc/stat", "re");
	int n;

	if (!s)
		return -1;
	n = fgets(line, sizeof(line), s) ?
	    sscanf(line, "cpu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1],
		   &f[2], &f[3], &f[4], &f[5], &f[6]) : 0;
	fclose(s);
	if (n != 7)
		return -1;
	/* user nice system [idle iowait] irq softirq */
	*ticks = f[0] + f[1] + f[2] + f[5] + f[6];
	return 0;
}

int zb_cost_setup(char *why, size_t wlen)
{
	struct zb_cost_snap s;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	zb_clk_tck = sysconf(_SC_CLK_TCK);
	zb_ncpu = n < 1 ? 1 : n > ZB_COST_CPUS ? ZB_COST_CPUS : (int)n;
	zb_cost_snap(&s);
	if (!s.ok) {
		snprintf(why, wlen, "/proc/timer_list has no idle time per CPU (or sched_setaffinity failed): %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

void zb_cost_snap(struct zb_cost_snap *s)
{
	cpu_set_t old, one;
	int c;

	memset(s, 0, sizeof(*s));
	s->ncpu = zb_ncpu;
	if (zb_stat_busy(&s->stat_busy) ||
	    sched_getaffinity(0, sizeof(old), &old))
		return;
	s->ok = true;
	for (c = 0; c < zb_ncpu; c++) {
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof(one), &one) ||
		    zb_timer_list(c, &s->now[c], &s->idle[c])) {
			s->ok = false;
			break;
		}
	}
	sched_setaffinity(0, sizeof(old), &old);
}

void zb_cost_diff(const struct zb_cost_snap *a, const struct zb_cost_snap *b,
		  struct zb_cost *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	if (zb_clk_tck > 0)
		c->stat_busy_ns = (b->stat_busy - a->stat_busy) *
				  (1000000000ull / (uint64_t)zb_clk_tck);
	c->busy_ok = a->ok && b->ok;
	for (i = 0; c->busy_ok && i < a->ncpu; i++) {
		uint64_t dt = b->now[i] - a->now[i];
		uint64_t di = b->idle[i] - a->idle[i];

		c->busy_ns += dt > di ? dt - di : 0;
	}
}
