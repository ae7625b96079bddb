// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl and zcopy-bench: the print layer. Each field is printed by one
 * call that serves both outputs, as iproute2's print_*(PRINT_ANY, ...):
 *
 *	zc_print_u64(ZC_ANY, "bytes", "received  %" PRIu64 " bytes", n);
 *
 * writes "bytes":n under -j and the formatted text otherwise. ZC_TEXT and
 * ZC_JSON limit a call to one output (decoration, members text has no
 * room for). Text is never written in JSON mode, nor JSON in text mode.
 *
 * JSON is compact, one document per line as iproute2's -j; -p indents it
 * as jq . does. Tables (zc_table_*) are the same idea for rows: a column
 * has a header and a member name, a cell is given once; text is aligned
 * when the table ends, JSON is streamed as rows arrive.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- the JSON writer ---- */

#define ZJ_DEPTH 16

static struct {
	int depth;
	bool need_comma[ZJ_DEPTH];
} zj;

static bool zp_json;		/* -j */
static bool zj_pretty;		/* -p: one member per line */

/* -j, or -p (pretty stays on once asked for, whatever the order) */
void zc_print_set_json(bool json, bool pretty)
{
	zp_json = json;
	zj_pretty |= pretty;
}

bool zc_print_is_json(void)
{
	return zp_json;
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

/* The comma, the indent and "key": of the next member or element. */
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

static void zj_open(const char *key, char c)
{
	zj_key(key);
	putchar(c);
	if (zj.depth < ZJ_DEPTH - 1)
		zj.need_comma[++zj.depth] = false;
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

/* ---- fields ---- */

static bool zp_text(enum zc_pk k)
{
	return !zp_json && (k & ZC_TEXT);
}

static bool zp_jsn(enum zc_pk k)
{
	return zp_json && (k & ZC_JSON);
}

/* @fmt has exactly one conversion, for the value the caller passes. */
static void zp_vtext(enum zc_pk k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void zp_vtext(enum zc_pk k, const char *fmt, ...)
{
	va_list ap;

	if (!zp_text(k) || !fmt)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/*
 * The text call of a field passes the caller's format on: each has one
 * conversion for the value (checked by the callers' tests, not by gcc).
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void zc_obj_open(const char *key)
{
	if (zp_json)
		zj_open(key, '{');
}

void zc_obj_close(void)
{
	if (zp_json)
		zj_close('}');
}

void zc_arr_open(const char *key)
{
	if (zp_json)
		zj_open(key, '[');
}

void zc_arr_close(void)
{
	if (zp_json)
		zj_close(']');
}

void zc_print_u64(enum zc_pk k, const char *key, const char *fmt, uint64_t v)
{
	if (zp_jsn(k)) {
		zj_key(key);
		printf("%" PRIu64, v);
	}
	zp_vtext(k, fmt, v);
}

void zc_print_s64(enum zc_pk k, const char *key, const char *fmt, int64_t v)
{
	if (zp_jsn(k)) {
		zj_key(key);
		printf("%" PRId64, v);
	}
	zp_vtext(k, fmt, v);
}

/* %.6g in JSON: enough for ratios and rates. */
void zc_print_f64(enum zc_pk k, const char *key, const char *fmt, double v)
{
	if (zp_jsn(k)) {
		zj_key(key);
		printf("%.6g", v);
	}
	zp_vtext(k, fmt, v);
}

/* @s NULL: null in JSON, nothing in text. */
void zc_print_str(enum zc_pk k, const char *key, const char *fmt,
		  const char *s)
{
	if (zp_jsn(k)) {
		zj_key(key);
		if (s)
			zj_string(s);
		else
			fputs("null", stdout);
	}
	if (s)
		zp_vtext(k, fmt, s);
}

void zc_print_bool(enum zc_pk k, const char *key, const char *fmt, bool v)
{
	if (zp_jsn(k)) {
		zj_key(key);
		fputs(v ? "true" : "false", stdout);
	}
	zp_vtext(k, fmt, v ? "yes" : "no");
}

/* A whole number in JSON; in text, @fmt gets @text, the number for people. */
static void zp_num_as(enum zc_pk k, const char *key, const char *fmt,
		      uint64_t v, const char *text)
{
	if (zp_jsn(k)) {
		zj_key(key);
		printf("%" PRIu64, v);
	}
	zp_vtext(k, fmt, text);
}

/* Bytes; in text "1.50 KiB" ("%s"). */
void zc_print_bytes(enum zc_pk k, const char *key, const char *fmt,
		    uint64_t v)
{
	char b[24];

	zp_num_as(k, key, fmt, v, zc_fmt_bytes(v, b, sizeof(b)));
}

/* Nanoseconds; in text "1.5 ms" ("%s"). */
void zc_print_secs(enum zc_pk k, const char *key, const char *fmt,
		   uint64_t ns)
{
	char b[24];

	zp_num_as(k, key, fmt, ns, zc_fmt_secs(ns, b, sizeof(b)));
}

/* Whole bytes per second in JSON; in text "112.5 MB/s" ("%s"). */
void zc_print_rate(enum zc_pk k, const char *key, const char *fmt,
		   double bps)
{
	char b[24];

	zp_num_as(k, key, fmt, (uint64_t)bps, zc_fmt_rate(bps, b, sizeof(b)));
}

/* null in JSON; @text as it is in text. */
void zc_print_null(enum zc_pk k, const char *key, const char *text)
{
	if (zp_jsn(k)) {
		zj_key(key);
		fputs("null", stdout);
	}
	zp_vtext(k, "%s", text);
}

void zc_print_text(const char *fmt, ...)
{
	va_list ap;

	if (zp_json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void zc_print_nl(void)
{
	if (!zp_json)
		putchar('\n');
}

/* The end of one document: JSON gets its newline; both are flushed. */
void zc_print_end(void)
{
	if (zp_json) {
		putchar('\n');
		memset(&zj, 0, sizeof(zj));
	}
	fflush(stdout);
}

/* ---- tables ---- */

struct zc_table {
	const struct zc_col *cols;
	int ncols;
	unsigned int flags;
	int col;			/* the next cell's column */
	char **cells;			/* text: rows of ncols strings */
	size_t nrows, cap;
};

static void *zp_alloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("zcopy");
		exit(EXIT_FAIL);
	}
	return p;
}

static char *zp_strdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(zp_alloc(NULL, n), s, n);
}

struct zc_table *zc_table_new(const char *key, const struct zc_col *cols,
			      int ncols, unsigned int flags)
{
	struct zc_table *t = zp_alloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
	t->flags = flags;
	if (zp_json)
		zj_open(key, flags & ZC_TABLE_KV ? '{' : '[');
	return t;
}

void zc_row_begin(struct zc_table *t)
{
	int i;

	t->col = 0;
	if (zp_json) {
		if (!(t->flags & ZC_TABLE_KV))
			zj_open(NULL, '{');
		return;
	}
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = zp_alloc(t->cells,
				    t->cap * t->ncols * sizeof(*t->cells));
	}
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = NULL;
	t->nrows++;
}

void zc_row_end(struct zc_table *t)
{
	if (zp_json && !(t->flags & ZC_TABLE_KV))
		zj_close('}');
}

/*
 * The next cell; @text is what text mode shows (NULL: empty). Returns
 * true when JSON mode is to write the cell's value, after zj_key() was
 * given its member name: the column's key, or in a KV table (one object,
 * a member per row) the row's first cell, its name, and the second, its
 * value. Other cells have nothing to write in JSON.
 */
static bool zp_cell(struct zc_table *t, const char *text)
{
	int col = t->col++;
	const struct zc_col *c;

	if (col >= t->ncols) {
		fprintf(stderr, "zcopy: table row with too many cells\n");
		exit(EXIT_FAIL);
	}
	c = &t->cols[col];
	if (!zp_json) {
		if (c->head && text)
			t->cells[(t->nrows - 1) * t->ncols + col] =
				zp_strdup(text);
		return false;
	}
	if (t->flags & ZC_TABLE_KV) {
		if (col == 0 && text)
			zj_key(text);
		return col == 1;
	}
	if (!c->key)
		return false;
	zj_key(c->key);
	return true;
}

void zc_cell_str(struct zc_table *t, const char *s)
{
	if (!zp_cell(t, s))
		return;
	if (s)
		zj_string(s);
	else
		fputs("null", stdout);
}

void zc_cell_u64(struct zc_table *t, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	if (zp_cell(t, b))
		printf("%" PRIu64, v);
}

/* A number in JSON, units for people in text. */
void zc_cell_bytes(struct zc_table *t, uint64_t v)
{
	char b[24];

	if (zp_cell(t, zc_fmt_bytes(v, b, sizeof(b))))
		printf("%" PRIu64, v);
}

void zc_cell_bool(struct zc_table *t, bool v)
{
	if (zp_cell(t, v ? "yes" : "no"))
		fputs(v ? "true" : "false", stdout);
}

/* A number in JSON, shown as @text (NULL: empty) in text. */
void zc_cell_u64_as(struct zc_table *t, uint64_t v, const char *text)
{
	if (zp_cell(t, text))
		printf("%" PRIu64, v);
}

/* %.6g in JSON; in text @fmt (NULL: empty). */
void zc_cell_f64(struct zc_table *t, double v, const char *fmt)
{
	char b[48] = "";

	if (!zp_json && fmt)
		snprintf(b, sizeof(b), fmt, v);
	if (zp_cell(t, b))
		printf("%.6g", v);
}

/* null in JSON, @text (NULL: empty) in text. */
void zc_cell_null(struct zc_table *t, const char *text)
{
	if (zp_cell(t, text))
		fputs("null", stdout);
}

/*
 * A cell holding an object, JSON only: true when it was opened, to be
 * filled with ZC_JSON fields and closed with zc_obj_close().
 */
bool zc_cell_obj(struct zc_table *t)
{
	if (!zp_cell(t, NULL))
		return false;
	putchar('{');
	if (zj.depth < ZJ_DEPTH - 1)
		zj.need_comma[++zj.depth] = false;
	return true;
}

/* A text-only cell (a unit, a change): JSON has the value already. */
void zc_cell_text(struct zc_table *t, const char *fmt, ...)
{
	char b[256];
	va_list ap;

	if (zp_json) {
		t->col++;
		return;
	}
	b[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(b, sizeof(b), fmt, ap);
		va_end(ap);
	}
	zp_cell(t, b);
}

/* A text table collected for nothing (a dump to be done again). */
void zc_table_discard(struct zc_table *t)
{
	size_t r;

	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t);
}

/* The end of the table: text is printed, aligned; JSON is closed. */
void zc_table_end(struct zc_table *t)
{
	bool header = t->flags & ZC_TABLE_HEADER;
	size_t *w, r;
	int i;

	if (zp_json) {
		zj_close(t->flags & ZC_TABLE_KV ? '}' : ']');
		goto out;
	}
	w = zp_alloc(NULL, t->ncols * sizeof(*w));
	for (i = 0; i < t->ncols; i++) {
		w[i] = 0;
		if (!t->cols[i].head)
			continue;
		if (header)
			w[i] = strlen(t->cols[i].head);
		for (r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + i];
			size_t l = s ? strlen(s) : 0;

			if (l > w[i])
				w[i] = l;
		}
	}
	for (r = header ? 0 : 1; r <= t->nrows; r++) {
		char line[2048];
		size_t n = 0;
		bool first = true;

		for (i = 0; i < t->ncols; i++) {
			const char *s;

			if (!t->cols[i].head)
				continue;
			s = r ? t->cells[(r - 1) * t->ncols + i] :
				t->cols[i].head;
			if (n >= sizeof(line))
				break;
			n += snprintf(line + n, sizeof(line) - n,
				      t->cols[i].align == 'r' ? "%s%*s" :
				      "%s%-*s", first ? "" : "  ", (int)w[i],
				      s ? s : "");
			first = false;
		}
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		/* No trailing blanks from empty or padded last columns. */
		while (n && line[n - 1] == ' ')
			n--;
		printf("%.*s\n", (int)n, line);
	}
	free(w);
out:
	zc_table_discard(t);
}
