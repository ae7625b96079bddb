// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl and zcopy-bench: output. A minimal JSON writer (compact, one
 * document per line as iproute2's -j), human units, aligned tables.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- JSON ---- */

#define ZJ_DEPTH 16

static struct {
	int depth;
	bool need_comma[ZJ_DEPTH];
} zj;

/* -p: one member per line, two spaces per level (the layout of jq .). */
static bool zj_pretty;

void zj_set_pretty(bool on)
{
	zj_pretty = on;
}

static void zj_indent(int depth)
{
	putchar('\n');
	printf("%*s", 2 * depth, "");
}

static void zj_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static void zj_key(const char *key)
{
	if (zj.need_comma[zj.depth])
		putchar(',');
	zj.need_comma[zj.depth] = true;
	if (zj_pretty && zj.depth)
		zj_indent(zj.depth);
	if (key) {
		zj_string(key);
		fputs(zj_pretty ? ": " : ":", stdout);
	}
}

/* Close a container; pretty, a non-empty one on a line of its own. */
static void zj_close(char c)
{
	if (zj_pretty && zj.need_comma[zj.depth] && zj.depth)
		zj_indent(zj.depth - 1);
	putchar(c);
	if (zj.depth)
		zj.depth--;
}

void zj_begin_obj(const char *key)
{
	zj_key(key);
	putchar('{');
	if (zj.depth < ZJ_DEPTH - 1)
		zj.need_comma[++zj.depth] = false;
}

void zj_end_obj(void)
{
	zj_close('}');
}

void zj_begin_arr(const char *key)
{
	zj_key(key);
	putchar('[');
	if (zj.depth < ZJ_DEPTH - 1)
		zj.need_comma[++zj.depth] = false;
}

void zj_end_arr(void)
{
	zj_close(']');
}

void zj_u64(const char *key, uint64_t v)
{
	zj_key(key);
	printf("%" PRIu64, v);
}

void zj_s64(const char *key, int64_t v)
{
	zj_key(key);
	printf("%" PRId64, v);
}

/* %.6g: enough for ratios and rates, and what zcopy-bench always wrote */
void zj_f64(const char *key, double v)
{
	zj_key(key);
	printf("%.6g", v);
}

void zj_str(const char *key, const char *s)
{
	zj_key(key);
	zj_string(s);
}

void zj_bool(const char *key, bool v)
{
	zj_key(key);
	fputs(v ? "true" : "false", stdout);
}

void zj_null(const char *key)
{
	zj_key(key);
	fputs("null", stdout);
}

void zj_end(void)
{
	putchar('\n');
	fflush(stdout);
	memset(&zj, 0, sizeof(zj));
}

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

/* ---- tables ---- */

struct zc_table {
	int ncols;
	const char *const *headers;
	const char *align;		/* 'l' or 'r' per column */
	char **cells;
	size_t nrows, cap;
};

struct zc_table *zc_table_new(int ncols, const char *const *headers,
			      const char *align)
{
	struct zc_table *t = calloc(1, sizeof(*t));

	if (!t) {
		perror("zcopyctl");
		exit(EXIT_FAIL);
	}
	t->ncols = ncols;
	t->headers = headers;
	t->align = align;
	return t;
}

/* Append a row of t->ncols strings (copied). */
void zc_table_row(struct zc_table *t, ...)
{
	va_list ap;
	int i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = realloc(t->cells,
				   t->cap * t->ncols * sizeof(*t->cells));
		if (!t->cells) {
			perror("zcopyctl");
			exit(EXIT_FAIL);
		}
	}
	va_start(ap, t);
	for (i = 0; i < t->ncols; i++) {
		const char *s = va_arg(ap, const char *);

		t->cells[t->nrows * t->ncols + i] = strdup(s ? s : "");
	}
	va_end(ap);
	t->nrows++;
}

void zc_table_print(struct zc_table *t, FILE *f, bool header)
{
	size_t w[32] = { 0 }, r;
	int i;

	for (i = 0; i < t->ncols && i < 32; i++) {
		if (header && t->headers)
			w[i] = strlen(t->headers[i]);
		for (r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cells[r * t->ncols + i]);

			if (l > w[i])
				w[i] = l;
		}
	}
	for (r = header ? 0 : 1; r <= t->nrows; r++) {
		char line[1024];
		size_t n = 0;

		for (i = 0; i < t->ncols && i < 32; i++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + i] :
				t->headers[i];

			if (n >= sizeof(line))
				break;
			n += snprintf(line + n, sizeof(line) - n,
				      t->align[i] == 'r' ? "%s%*s" : "%s%-*s",
				      i ? "  " : "", (int)w[i], s);
		}
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		/* No trailing blanks from empty or padded last columns. */
		while (n && line[n - 1] == ' ')
			n--;
		fprintf(f, "%.*s\n", (int)n, line);
	}
}

void zc_table_free(struct zc_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}
