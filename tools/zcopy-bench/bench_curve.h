/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zcopy-bench --curve: how the whole guest's cost per request grows with
 * segments per call, body size or concurrent connections (bench_curve.c).
 */
#ifndef ZCOPY_BENCH_CURVE_H
#define ZCOPY_BENCH_CURVE_H

#include <stdbool.h>
#include <stdint.h>

#define ZB_CURVE_MAX_POINTS	32

struct zb_env;
struct zc_cli;

struct zb_curve_opts {
	const char *name;		/* segs, size, conns; NULL: no curve */
	uint64_t points[ZB_CURVE_MAX_POINTS];
	size_t npoints;			/* 0: the curve's default points */
	uint64_t bytes;			/* 0: the curve's default */
	uint64_t unit;			/* segs: segment, conns: body; 0: 4K/16K */
	const char *techs;		/* NULL: the curve's default */
	const char *route;
	const char *json_out;
	unsigned int repeat;
	bool icount;
};

int zb_curve_check(struct zc_cli *ctx, const struct zb_curve_opts *o);
int zb_curve(struct zb_env *e, const struct zb_curve_opts *o);

#endif /* ZCOPY_BENCH_CURVE_H */
