// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl and zcopy-bench: units for people (the print layer, print.c,
 * uses them for text).
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- units for people ---- */

/* 512 B, 1.5 KiB, 4.00 MiB, 1.25 GiB */
const char *zc_fmt_bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", v);
		return buf;
	}
	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	snprintf(buf, len, d < 10 ? "%.2f %s" : d < 100 ? "%.1f %s" :
		 "%.0f %s", d, unit[i]);
	return buf;
}

/* Decimal, as network people count: 940 kB/s, 112.5 MB/s, 1.18 GB/s */
const char *zc_fmt_rate(double bps, char *buf, size_t len)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.2f GB/s", bps / 1e9);
	else if (bps >= 1e6)
		snprintf(buf, len, "%.1f MB/s", bps / 1e6);
	else if (bps >= 1e3)
		snprintf(buf, len, "%.1f kB/s", bps / 1e3);
	else
		snprintf(buf, len, "%.0f B/s", bps);
	return buf;
}

/* 0%, <0.1%, 42.5%, >99.9%, 100%: never rounds a part to all or none. */
const char *zc_fmt_pct(uint64_t part, uint64_t total, char *buf, size_t len)
{
	double p = total ? 100.0 * part / total : 0;

	if (!part || !total)
		snprintf(buf, len, "0%%");
	else if (part >= total)
		snprintf(buf, len, "100%%");
	else if (p < 0.1)
		snprintf(buf, len, "<0.1%%");
	else if (p > 99.9)
		snprintf(buf, len, ">99.9%%");
	else
		snprintf(buf, len, "%.1f%%", p);
	return buf;
}

const char *zc_fmt_secs(uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000000)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3f s", ns / 1e9);
	return buf;
}
