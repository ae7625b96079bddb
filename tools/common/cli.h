/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What zcopyctl and zcopy-bench share: commands declared in a table with
 * their options (help, usage and getopt_long tables are built from it),
 * messages, output helpers and parsing.
 *
 *   cli.c      the command table's help, option parsing, messages
 *   output.c   JSON writer, units, aligned tables
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

int zc_usage_error(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_err(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_warn(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zc_debug(struct zc_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- output.c ---- */

/* A minimal JSON writer: keeps track of commas itself. */
void zj_set_pretty(bool on);		/* -p: indented, as jq . prints it */
void zj_begin_obj(const char *key);
void zj_end_obj(void);
void zj_begin_arr(const char *key);
void zj_end_arr(void);
void zj_u64(const char *key, uint64_t v);
void zj_s64(const char *key, int64_t v);
void zj_f64(const char *key, double v);
void zj_str(const char *key, const char *s);
void zj_bool(const char *key, bool v);
void zj_null(const char *key);
void zj_end(void);			/* newline, flush, reset */

const char *zc_fmt_bytes(uint64_t v, char *buf, size_t len);
const char *zc_fmt_rate(double bytes_per_sec, char *buf, size_t len);
const char *zc_fmt_secs(uint64_t ns, char *buf, size_t len);
const char *zc_fmt_pct(uint64_t part, uint64_t total, char *buf, size_t len);

struct zc_table;
struct zc_table *zc_table_new(int ncols, const char *const *headers,
			      const char *align);
void zc_table_row(struct zc_table *t, ...);
void zc_table_print(struct zc_table *t, FILE *f, bool header);
void zc_table_free(struct zc_table *t);

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
