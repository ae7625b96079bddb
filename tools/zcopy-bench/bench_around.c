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
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int zb_copies_around(struct zb_env *e, const pid_t *servers, size_t nservers,
		     char **cmd, const char *json_out)
{
	struct zb_copies cp;
	int status = 0, rc, pass, k;
	pid_t child;

	if (zb_trace_setup(e)) {
		zc_err(e->ctx, "copies cannot be counted: %s", e->probe_why);
		return EXIT_FAIL;
	}
	if (zb_trace_start(e)) {
		zb_trace_teardown(e);
		return EXIT_FAIL;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		zc_err(e->ctx, "fork: %s", strerror(errno));
		zb_trace_teardown(e);
		return EXIT_FAIL;
	}
	if (!child) {
		execvp(cmd[0], cmd);
		fprintf(stderr, "zcopy-bench: %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	zb_trace_stop_servers(servers, nservers, &cp);
	zb_trace_teardown(e);
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	/* The text on stdout, then with --json-out the same as JSON. */
	for (pass = 0; pass < (json_out ? 2 : 1); pass++) {
		if (pass) {
			fflush(stdout);
			if (!freopen(json_out, "w", stdout)) {
				zc_err(e->ctx, "--json-out %s: %s", json_out,
				       strerror(errno));
				return EXIT_FAIL;
			}
			zc_print_set_json(true, false);
		}
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
