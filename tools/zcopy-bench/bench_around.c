// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench --copies-around: the copy counters of bench_trace.c around
 * any command, for servers the bench does not drive itself (zcopyctl
 * serve, nginx, under a load generator such as wrk).
 *
 *   zcopy-bench --copies-around --server-pid PID [--server-pid PID...]
 *               [--json-out FILE] -- COMMAND [ARGS...]
 *
 * The probes are armed, COMMAND runs to its end, and the bytes each probe
 * saw are split between the servers (the tasks of a --server-pid thread
 * group or of its children: nginx's workers are children of its master)
 * and everything else (the load generator, whose threads have exited by
 * then, and other tasks), in process and in softirq context (by the task
 * current at the time). Exit status: COMMAND's, or 1 when the probes could
 * not run.
 *
 * zcopy-bench --cost-around: the same instrument as the bench's "all"
 * column (bench_cost.c) around any command, for a peer the bench does not
 * drive, such as the kernel's msg_zerocopy selftest.
 *
 *   zcopy-bench --cost-around [--server-pid PID...] [--json-out FILE]
 *               -- COMMAND [ARGS...]
 *
 * Reports every CPU's non-idle time from just before COMMAND starts to
 * just after it is reaped, COMMAND's own CPU time (wait4: it and the
 * children it waited for), and each --server-pid's CPU time over the same
 * window (the scheduler's runtime of its threads,
 * /proc/PID/task/TID/schedstat). Exit status: COMMAND's, or 1 when the cost cannot be read.
 */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* Run @cmd to its end: its wait status and its (and its children's) usage. */
static int zb_around_run(struct zb_env *e, char **cmd, int *status,
			 struct rusage *ru)
{
	pid_t child;

	fflush(NULL);
	child = fork();
	if (child < 0) {
		zc_err(e->ctx, "fork: %s", strerror(errno));
		return -1;
	}
	if (!child) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "zcopy-bench: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	memset(ru, 0, sizeof(*ru));
	*status = 0;
	while (wait4(child, status, 0, ru) < 0 && errno == EINTR)
		;
	return 0;
}

/* The report's @pass: 0 the text on stdout, 1 the same as JSON (--json-out). */
static int zb_around_pass(struct zb_env *e, int pass, const char *json_out)
{
	if (!pass)
		return 0;
	fflush(stdout);
	if (!freopen(json_out, "w", stdout)) {
		zc_err(e->ctx, "--json-out %s: %s", json_out, strerror(errno));
		return -1;
	}
	zc_print_set_json(true, false);
	return 0;
}

int zb_copies_around(struct zb_env *e, const pid_t *servers, size_t nservers,
		     char **cmd, const char *json_out)
{
	struct zb_copies cp;
	int status = 0, rc, pass, k;
	struct rusage ru;

	if (zb_trace_setup(e)) {
		zc_err(e->ctx, "copies cannot be counted: %s", e->probe_why);
		return EXIT_FAIL;
	}
	if (zb_trace_start(e)) {
		zb_trace_teardown(e);
		return EXIT_FAIL;
	}
	if (zb_around_run(e, cmd, &status, &ru)) {
		zb_trace_teardown(e);
		return EXIT_FAIL;
	}
	zb_trace_stop_servers(servers, nservers, &cp);
	zb_trace_teardown(e);
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	/* The text on stdout, then with --json-out the same as JSON. */
	for (pass = 0; pass < (json_out ? 2 : 1); pass++) {
		if (zb_around_pass(e, pass, json_out))
			return EXIT_FAIL;
		zc_obj_open(NULL);
		zc_print_str(ZC_ANY, "probe_list", "copies (kprobes: %s):\n",
			     e->probe_list);
		zc_print_s64(ZC_ANY, "command_status", "  command exit %" PRId64 "\n",
			     rc);
		zc_print_u64(ZC_ANY, "server", "  server %" PRIu64 " B",
			     cp.sender);
		zc_print_u64(ZC_ANY, "server_softirq", " + %" PRIu64 " B in softirq\n",
			     cp.sirq_sender);
		zc_print_u64(ZC_ANY, "other", "  other  %" PRIu64 " B",
			     cp.other);
		zc_print_u64(ZC_ANY, "other_softirq", " + %" PRIu64 " B in softirq\n",
			     cp.sirq_other + cp.sirq_receiver);
		zc_print_u64(ZC_ANY, "probe_misses", "  kretprobe misses %" PRIu64 "\n",
			     cp.missed);
		zc_obj_open("copied_bytes_by_probe");
		for (k = 0; k < 16; k++) {
			const char *n = zb_trace_probe_name(k);

			if (n)
				zc_print_s64(ZC_JSON, n, NULL, cp.by_probe[k]);
		}
		zc_obj_close();
		zc_obj_close();
		zc_print_end();
	}
	return rc;
}

/*
 * A task group's CPU time in nanoseconds: the sum of its threads'
 * sum_exec_runtime (the first field of /proc/PID/task/TID/schedstat), the
 * scheduler's exact runtime. -1 if the process is gone or unreadable.
 */
static int64_t zb_task_runtime(pid_t pid)
{
	char path[64];
	struct dirent *d;
	int64_t sum = 0;
	bool any = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		unsigned long long ns;
		char p2[384];
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(p2, sizeof(p2), "%s/%s/schedstat", path, d->d_name);
		f = fopen(p2, "re");
		if (!f)
			continue;
		if (fscanf(f, "%llu", &ns) == 1) {
			sum += (int64_t)ns;
			any = true;
		}
		fclose(f);
	}
	closedir(dir);
	return any ? sum : -1;
}

static uint64_t zb_tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + tv->tv_usec * 1000ull;
}

int zb_cost_around(struct zb_env *e, const pid_t *servers, size_t nservers,
		   char **cmd, const char *json_out)
{
	int64_t srv0[16], srv1[16];
	struct zb_cost_snap s0, s1;
	struct zb_cost cost;
	struct rusage ru;
	uint64_t t0, t1;
	int status = 0, rc, pass;
	char why[200];
	size_t i;

	if (zb_cost_setup(why, sizeof(why))) {
		zc_err(e->ctx, "the cost of all CPUs cannot be measured: %s", why);
		return EXIT_FAIL;
	}
	fflush(NULL);
	for (i = 0; i < nservers; i++)
		srv0[i] = zb_task_runtime(servers[i]);
	zb_cost_snap(&s0);
	t0 = zc_now_ns();
	if (zb_around_run(e, cmd, &status, &ru))
		return EXIT_FAIL;
	t1 = zc_now_ns();
	zb_cost_snap(&s1);
	for (i = 0; i < nservers; i++)
		srv1[i] = zb_task_runtime(servers[i]);
	zb_cost_diff(&s0, &s1, &cost);
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	for (pass = 0; pass < (json_out ? 2 : 1); pass++) {
		if (zb_around_pass(e, pass, json_out))
			return EXIT_FAIL;
		zc_obj_open(NULL);
		zc_print_text("cost around the command (ns; instructions under qemu -icount shift=0):\n");
		zc_print_s64(ZC_ANY, "command_status", "  command exit %" PRId64 "\n",
			     rc);
		zc_print_u64(ZC_ANY, "elapsed_ns", "  elapsed        %" PRIu64 "\n",
			     t1 - t0);
		if (cost.busy_ok)
			zc_print_u64(ZC_ANY, "all_cpu_ns", "  all CPUs busy  %" PRIu64 "\n",
				     cost.busy_ns);
		else
			zc_print_null(ZC_ANY, "all_cpu_ns", "  all CPUs busy  unknown\n");
		zc_print_u64(ZC_ANY, "all_cpu_stat_ns", "  all CPUs /proc/stat %" PRIu64 "\n",
			     cost.stat_busy_ns);
		zc_print_u64(ZC_ANY, "command_cpu_ns", "  command CPU    %" PRIu64,
			     zb_tv_ns(&ru.ru_utime) + zb_tv_ns(&ru.ru_stime));
		zc_print_u64(ZC_ANY, "command_user_ns", " (user %" PRIu64,
			     zb_tv_ns(&ru.ru_utime));
		zc_print_u64(ZC_ANY, "command_sys_ns", ", system %" PRIu64 ")\n",
			     zb_tv_ns(&ru.ru_stime));
		zc_arr_open("servers");
		for (i = 0; i < nservers; i++) {
			zc_obj_open(NULL);
			zc_print_s64(ZC_ANY, "pid", "  server %" PRId64, servers[i]);
			if (srv0[i] >= 0 && srv1[i] >= srv0[i])
				zc_print_s64(ZC_ANY, "cpu_ns", " CPU %" PRId64 "\n",
					     srv1[i] - srv0[i]);
			else
				zc_print_null(ZC_ANY, "cpu_ns", " CPU unknown (exited?)\n");
			zc_obj_close();
		}
		zc_arr_close();
		zc_obj_close();
		zc_print_end();
	}
	return rc;
}
