/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What zcopyctl and zcopy-bench share: commands declared in a table with
 * their options (help, usage and getopt_long tables are built from it),
 * messages, output helpers and parsing.
 *
 *   cli.c      the command table's help, option parsing, messages
 *   print.c    the print layer: each field once, for text and -j
 *   output.c   units for people
 *   util.c     number and escape parsing, time, the ready file, signals
 */
#ifndef ZCOPY_TOOLS_CLI_H
#define ZCOPY_TOOLS_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status, documented in zcopyctl(8) and zcopy-bench(8). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_MISMATCH = 3,
};

/*
 * One option of a command. @val is the short option character, or a
 * value >= 256 for long-only options; @arg names the argument (NULL: no
 * argument). Help text and getopt_long tables are built from these.
 */
struct zc_opt {
	const char *name;
	int val;
	const char *arg;
	const char *help;
};

struct zc_cli;

/*
 * One command. A program of a single command (zcopy-bench) leaves @name
 * NULL: its usage line and messages then carry the program name only.
 */
struct zc_cmd {
	const char *name;
	const char *args;		/* positional arguments, for help */
	const char *help;		/* one line */
	const char *desc;		/* paragraph for "help COMMAND" */
	const struct zc_opt *opts;	/* ends with { NULL } */
	int (*run)(struct zc_cli *cli, int argc, char **argv);
};

/* The running program and command; embedded in a program's context. */
struct zc_cli {
	const char *prog;		/* "zcopyctl": prefix of every message */
	const struct zc_cmd *cmd;	/* the running command */
	bool json;			/* -j, or -p */
	bool debug;
	/* option parsing (zc_getopt()), freed by zc_cli_run() */
	int exit;			/* the exit status for ZC_OPT_EXIT */
	char sopts[80];
	struct option *lopts;
};

#define ZC_OPT_EXIT	(-2)		/* help printed or usage error */

/*
 * Run @cmd with its argument vector (argv[0] is the command's name): the
 * one place that frees what option parsing allocated.
 */
int zc_cli_run(struct zc_cli *cli, const struct zc_cmd *cmd, int argc,
	       char **argv);

/*
 * The next option of the running command, as getopt_long(), with
 * -h/--help, -j/--json and -p/--pretty handled. ZC_OPT_EXIT: help was printed or the
 * usage was wrong; the command returns cli->exit.
 */
int zc_getopt(struct zc_cli *cli, int argc, char **argv);

void zc_cmd_help(const struct zc_cli *cli, FILE *f, const struct zc_cmd *c);

/* After zc_getopt(): 0, or EXIT_USAGE (said) if operands are left. */
int zc_no_operands(struct zc_cli *cli, int argc, char **argv);
/* --count N: 0, or EXIT_USAGE (said) unless N is a positive number. */
int zc_opt_count(struct zc_cli *cli, const char *arg, uint64_t *v);

int zc_usage_error(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_err(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_warn(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_debug(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- print.c: each field printed once, for text and for -j ---- */

/* Which output a call writes to: iproute2's PRINT_FP, PRINT_JSON, PRINT_ANY. */
enum zc_pk {
	ZC_TEXT = 1,
	ZC_JSON = 2,
	ZC_ANY = ZC_TEXT | ZC_JSON,
};

void zc_print_set_json(bool json, bool pretty);	/* -j, -p */
bool zc_print_is_json(void);

/* Containers exist in JSON only; @key NULL: an element of an array. */
void zc_obj_open(const char *key);
void zc_obj_close(void);
void zc_arr_open(const char *key);
void zc_arr_close(void);

/*
 * A field: member @key in JSON, @fmt (one conversion, for the value) in
 * text; a NULL @key is an array element, a NULL @fmt prints no text.
 */
void zc_print_u64(enum zc_pk k, const char *key, const char *fmt, uint64_t v);
void zc_print_s64(enum zc_pk k, const char *key, const char *fmt, int64_t v);
void zc_print_f64(enum zc_pk k, const char *key, const char *fmt, double v);
void zc_print_str(enum zc_pk k, const char *key, const char *fmt,
		  const char *s);		/* NULL: JSON null, no text */
void zc_print_bool(enum zc_pk k, const char *key, const char *fmt, bool v);
void zc_print_bytes(enum zc_pk k, const char *key, const char *fmt,
		    uint64_t v);		/* text: "%s" of 1.50 KiB */
void zc_print_secs(enum zc_pk k, const char *key, const char *fmt,
		   uint64_t ns);		/* text: "%s" of 1.5 ms */
void zc_print_rate(enum zc_pk k, const char *key, const char *fmt,
		   double bps);			/* text: "%s" of 112.5 MB/s */
void zc_print_null(enum zc_pk k, const char *key, const char *text);
void zc_print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zc_print_nl(void);			/* text only */
void zc_print_end(void);		/* the end of a document; flush */

/*
 * A table: one call per cell for both outputs. Text is aligned under the
 * headers when the table ends; JSON streams an array of objects (one per
 * row, a member per column with a key), or with ZC_TABLE_KV one object
 * with a member per row: column 0 its name, column 1 its value.
 */
struct zc_col {
	const char *head;		/* text header; NULL: not in text */
	const char *key;		/* JSON member; NULL: not in JSON */
	char align;			/* 'l' or 'r' */
};

enum {
	ZC_TABLE_HEADER = 1 << 0,	/* text: print the header line */
	ZC_TABLE_KV = 1 << 1,
};

struct zc_table;
struct zc_table *zc_table_new(const char *key, const struct zc_col *cols,
			      int ncols, unsigned int flags);
void zc_row_begin(struct zc_table *t);
void zc_cell_str(struct zc_table *t, const char *s);
void zc_cell_u64(struct zc_table *t, uint64_t v);
void zc_cell_bytes(struct zc_table *t, uint64_t v);
void zc_cell_bool(struct zc_table *t, bool v);
void zc_cell_u64_as(struct zc_table *t, uint64_t v, const char *text);
void zc_cell_f64(struct zc_table *t, double v, const char *fmt);
void zc_cell_null(struct zc_table *t, const char *text);
bool zc_cell_obj(struct zc_table *t);	/* JSON: opened, close it */
void zc_cell_text(struct zc_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));	/* text only */
void zc_row_end(struct zc_table *t);
void zc_table_end(struct zc_table *t);	/* prints text, closes JSON; frees */
void zc_table_discard(struct zc_table *t);	/* text: frees, prints nothing */

/* ---- output.c ---- */

const char *zc_fmt_bytes(uint64_t v, char *buf, size_t len);
const char *zc_fmt_rate(double bytes_per_sec, char *buf, size_t len);
const char *zc_fmt_secs(uint64_t ns, char *buf, size_t len);
const char *zc_fmt_pct(uint64_t part, uint64_t total, char *buf, size_t len);

/* ---- util.c ---- */

int zc_parse_u64(const char *s, uint64_t *v);	/* 0x.., K/M/G/T suffixes */
int zc_parse_secs(const char *s, double *secs);
int zc_unescape(const char *s, char **out, size_t *len);
uint64_t zc_now_ns(void);
int zc_write_ready_file(struct zc_cli *cli, const char *path,
			const char *content);
extern volatile sig_atomic_t zc_stop_signal;
void zc_catch_signals(bool restart);

#endif /* ZCOPY_TOOLS_CLI_H */
