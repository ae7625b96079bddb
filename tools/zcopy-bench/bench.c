// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench: the same payload over TCP through every sending
 * technique, side by side in one run, each verified by the receiver.
 *
 * Per technique and workload it measures, in the sender process:
 * throughput (first byte sent to the receiver's EOF), CPU seconds per GiB
 * (getrusage, user and system, all threads), system calls per request
 * (counted at each call site), context switches per request (ru_nvcsw,
 * ru_nivcsw), completions (zero-copy vs copied, as each API reports
 * them), and, in a second pass with kprobes in tracefs (bench_trace.c),
 * the bytes the CPU copied per payload byte in the sender, the receiver
 * and softirq context. The timing pass runs without probes, so the probes'
 * own cost does not bias the CPU numbers of the techniques that copy.
 *
 * Workloads:
 *   bulk   one request: a header + the whole file
 *   small  --requests requests: a --header-size header + a 4-64 KiB body
 *   pool   bodies from memory of each --pool-sizes size, no header, per
 *          --copy-threshold value (zcopy's module parameter, set in sysfs
 *          for the run and restored after)
 *
 * --curve runs none of them: bench_curve.c's curves of the whole guest's
 * cost per request against segments per call, body size or connections.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "bench_curve.h"

enum {
	OPT_RCV_NETNS = 'R',
	OPT_SND_NETNS = 'S',
	OPT_ADDR = 'a',
	OPT_ROUTE = 'r',
	OPT_WORKLOADS = 'w',
	OPT_TECHS = 't',
	OPT_FILE = 'f',
	OPT_FILE_SIZE = 's',
	OPT_REQUESTS = 'n',
	OPT_HEADER = 'H',
	OPT_CHUNK = 'c',
	OPT_TIMEOUT = 'T',
	OPT_POOL_SIZES = 256,
	OPT_POOL_BYTES,
	OPT_THRESHOLDS,
	OPT_NO_PROBES,
	OPT_PROBE_BYTES,
	OPT_LIST,
	OPT_JSON_OUT,
	OPT_REPEAT,
	OPT_CLOCK,
	OPT_AGAIN,
	OPT_TOLERANCE,
	OPT_NO_CHECK,
	OPT_VERIFY_TIMED,
	OPT_AROUND,
	OPT_SERVER_PID,
	OPT_COST_AROUND,
	OPT_RECEIVER,
	OPT_CURVE,
	OPT_CURVE_POINTS,
	OPT_CURVE_BYTES,
	OPT_CURVE_UNIT,
};

static const struct zc_opt zb_optlist[] = {
	{ "receiver-netns", OPT_RCV_NETNS, "NS",
	  "run the receiver in network namespace NS (a name in /run/netns or a path)" },
	{ "sender-netns", OPT_SND_NETNS, "NS",
	  "run the sender in network namespace NS" },
	{ "addr", OPT_ADDR, "ADDR",
	  "the receiver's address, IPv4 or IPv6 (default 127.0.0.1)" },
	{ "route", OPT_ROUTE, "NAME",
	  "label of the route in the output (default: lo for loopback, else tcp)" },
	{ "workloads", OPT_WORKLOADS, "LIST",
	  "comma-separated: bulk, small, pool (default: all three)" },
	{ "techniques", OPT_TECHS, "LIST",
	  "comma-separated technique names (default: all; --list shows them)" },
	{ "file", OPT_FILE, "FILE",
	  "the payload file (default: a temporary file of --file-size random bytes in $TMPDIR or /tmp)" },
	{ "file-size", OPT_FILE_SIZE, "BYTES",
	  "size of the generated payload file, K/M/G suffixes (default 64M)" },
	{ "requests", OPT_REQUESTS, "N",
	  "requests of the small-object workload (default 1000)" },
	{ "header-size", OPT_HEADER, "BYTES",
	  "header bytes per request, bulk and small (default 300, at most 4096)" },
	{ "chunk", OPT_CHUNK, "BYTES",
	  "read()/write()/sendmsg()/SEND_ZC size (default 256K)" },
	{ "pool-sizes", OPT_POOL_SIZES, "LIST",
	  "body sizes of the pool workload (default 512,1K,2K,...,1M)" },
	{ "pool-bytes", OPT_POOL_BYTES, "BYTES",
	  "payload per pool size (default 8M; 16 to 4096 requests)" },
	{ "copy-threshold", OPT_THRESHOLDS, "LIST",
	  "zcopy copy_threshold values to run zcopy-pool with in the pool workload (default: the current value)" },
	{ "no-probes", OPT_NO_PROBES, NULL,
	  "do not count CPU copies with kprobes" },
	{ "probe-bytes", OPT_PROBE_BYTES, "BYTES",
	  "payload of the probed pass per technique (default 16M)" },
	{ "timeout", OPT_TIMEOUT, "SECS",
	  "give up on a technique after SECS without progress (default 120)" },
	{ "repeat", OPT_REPEAT, "N",
	  "timed passes per technique; each figure is the median, with its spread (default 3, at most 9)" },
	{ "clock", OPT_CLOCK, "MODE",
	  "wall: times are seconds (hardware); icount: the machine runs under instruction counting (qemu -icount shift=0), a nanosecond is an instruction, costs are printed as instructions (default wall)" },
	{ "again", OPT_AGAIN, "LIST",
	  "techniques run once more at the end of the bulk and small workloads, as alike pairs for the self-check" },
	{ "tolerance", OPT_TOLERANCE, "PCT",
	  "alike pairs whose whole-machine cost (the sender's, if that is unknown) differs by more than PCT percent fail the run (default 3)" },
	{ "no-check", OPT_NO_CHECK, NULL,
	  "print the alike pairs but do not fail the run on them" },
	{ "verify-timed", OPT_VERIFY_TIMED, NULL,
	  "the receiver checks the payload in the timed passes too (default: in one extra pass, or the probed one)" },
	{ "json-out", OPT_JSON_OUT, "FILE",
	  "also write the JSON report to FILE (the table stays on stdout)" },
	{ "list", OPT_LIST, NULL, "list the techniques and exit" },
	{ "copies-around", OPT_AROUND, NULL,
	  "no bench: count the CPU copies while the command after -- runs, split between the --server-pid tasks and the rest" },
	{ "server-pid", OPT_SERVER_PID, "PID",
	  "with --copies-around: a server process (its threads and children count as it; repeatable, at most 16); with --cost-around: a process whose CPU time over the command is reported" },
	{ "cost-around", OPT_COST_AROUND, NULL,
	  "no bench: every CPU's non-idle time (the all column's instrument) while the command after -- runs, and the command's own CPU time" },
	{ "receiver", OPT_RECEIVER, "MODE",
	  "copy: the receiver read()s (default); zerocopy: it maps the received pages with TCP_ZEROCOPY_RECEIVE and read()s what cannot be mapped" },
	{ "curve", OPT_CURVE, "NAME",
	  "no workloads: the whole guest's cost per request against segs (segments per call), size (body bytes) or conns (concurrent connections); see zcopy-bench(8)" },
	{ "curve-points", OPT_CURVE_POINTS, "LIST",
	  "with --curve: the points (default segs 1,2,4,...,1024; size 512,1K,...,64M; conns 1,4,16,64,256)" },
	{ "curve-bytes", OPT_CURVE_BYTES, "BYTES",
	  "with --curve: payload per point (segs default 8M, 4 to 4096 calls; size 8M, 1 to 4096 bodies) or in all, shared by the connections (conns, default 16M)" },
	{ "curve-unit", OPT_CURVE_UNIT, "BYTES",
	  "with --curve: bytes per segment (segs, default 4K) or per request (conns, default 16K)" },
	{ NULL, 0, NULL, NULL },
};

#define ZB_MAX_SIZES	32
#define ZB_MAX_THR	8
#define ZB_MAX_REPEAT	9

struct zb_opts {
	const char *rcv_ns, *snd_ns, *file, *route, *json_out;
	uint64_t file_size, requests, hdr, chunk, pool_bytes, probe_bytes;
	uint64_t sizes[ZB_MAX_SIZES];
	size_t nsizes;
	uint64_t thr[ZB_MAX_THR];
	size_t nthr;
	bool w_bulk, w_small, w_pool;
	bool tech[ZB_NTECH];
	bool probes;
	unsigned int repeat;
	bool icount, check, verify_timed;
	bool again[ZB_NTECH];
	double tolerance;		/* relative */
};

struct zb_result {
	const char *workload;
	const struct zb_tech *tech;
	uint64_t pool_size;
	int64_t threshold;		/* -1: not relevant */
	const char *status;		/* ok, skipped, failed */
	char why[200];
	uint64_t requests, bytes, ns, utime_ns, stime_ns, nvcsw, nivcsw;
	uint64_t rx_utime_ns, rx_stime_ns;
	uint64_t rx_mapped, rx_copied;	/* --receiver zerocopy */
	struct zb_counts c;
	struct zb_copies cp;
	uint64_t probe_bytes;		/* payload of the probed pass */
	unsigned int repeats;		/* timed passes; this is the median */
	bool again;			/* a second run of the same (self-check) */
	struct zb_cost cost;		/* this pass */
	/* each timed pass: sender CPU, whole machine, elapsed */
	uint64_t p_snd[ZB_MAX_REPEAT], p_guest[ZB_MAX_REPEAT];
	uint64_t p_stat[ZB_MAX_REPEAT], p_ns[ZB_MAX_REPEAT];
	bool guest_ok;
};

static struct zb_result *zb_results;
static size_t zb_nresults;

/* ---- parsing ---- */

/* A comma-separated list of up to @max numbers, each in [@lo, @hi]. */
static int zb_parse_list(struct zc_cli *ctx, const char *opt, const char *s,
			 uint64_t lo, uint64_t hi, uint64_t *v, size_t max,
			 size_t *n)
{
	char *dup = strdup(s), *tok, *save;

	*n = 0;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == max || zc_parse_u64(tok, &v[*n]) || v[*n] < lo ||
		    v[*n] > hi) {
			zc_usage_error(ctx, "--%s: bad value '%s'%s (%" PRIu64 " to %" PRIu64 ")",
				       opt, tok, *n == max ? ", too many" : "",
				       lo, hi);
			free(dup);
			return EXIT_USAGE;
		}
		(*n)++;
	}
	free(dup);
	return *n ? 0 : zc_usage_error(ctx, "--%s: empty list", opt);
}

static const char *zb_opt_name(int val)
{
	const struct zc_opt *o;

	for (o = zb_optlist; o->name; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

static int zb_tech_by_name(const char *name)
{
	int i;

	for (i = 0; i < ZB_NTECH; i++)
		if (!strcasecmp(name, zb_techs[i].name))
			return i;
	return -1;
}

static int zb_netns_open(struct zc_cli *ctx, const char *ns)
{
	char path[300];
	int fd;

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		zc_err(ctx, "network namespace %s: %s", path, strerror(errno));
	return fd;
}

/* ---- the payload ---- */

static int zb_make_file(struct zb_env *e, uint64_t size)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	uint64_t x = 0x2545f4914f6cdd1dull ^ (uint64_t)getpid();
	uint64_t *buf = malloc(1 << 20), done = 0;
	int fd;

	if (!buf) {
		zc_err(e->ctx, "out of memory");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/zcopy-bench.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		zc_err(e->ctx, "%s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	while (done < size) {
		size_t n = size - done < (1 << 20) ? size - done : (1 << 20);
		size_t i;

		for (i = 0; i < (n + 7) / 8; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		if (write(fd, buf, n) != (ssize_t)n) {
			zc_err(e->ctx, "writing %s: %s", path,
			       errno ? strerror(errno) : "short write");
			close(fd);
			unlink(path);
			free(buf);
			return -1;
		}
		done += n;
	}
	free(buf);
	e->file_fd = fd;
	e->file_path = strdup(path);
	e->file_created = true;
	return 0;
}

/* The file, its copy in memory, the header; pools and io_uring later. */
static int zb_payload(struct zb_env *e, const struct zb_opts *o)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct stat st;
	uint64_t done = 0;
	size_t i;

	if (o->file) {
		e->file_fd = open(o->file, O_RDONLY | O_CLOEXEC);
		if (e->file_fd < 0) {
			zc_err(e->ctx, "%s: %s", o->file, strerror(errno));
			return -1;
		}
		e->file_path = strdup(o->file);
	} else if (zb_make_file(e, o->file_size)) {
		return -1;
	}
	if (fstat(e->file_fd, &st) || !S_ISREG(st.st_mode) || !st.st_size) {
		zc_err(e->ctx, "%s: not a non-empty regular file", e->file_path);
		return -1;
	}
	e->file_len = (uint64_t)st.st_size;
	e->mem_map = (e->file_len + pg - 1) / pg * pg;
	e->mem = mmap(NULL, e->mem_map, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	e->hdr_max = (size_t)pg;
	e->hdr = mmap(NULL, e->hdr_max, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->mem == MAP_FAILED || e->hdr == MAP_FAILED) {
		zc_err(e->ctx, "mmap of %" PRIu64 " bytes: %s", e->mem_map,
		       strerror(errno));
		e->mem = NULL;
		e->hdr = NULL;
		return -1;
	}
	/* Reading it also brings the file into the page cache. */
	while (done < e->file_len) {
		ssize_t n = pread(e->file_fd, e->mem + done, e->file_len - done,
				  (off_t)done);

		if (n <= 0) {
			zc_err(e->ctx, "reading %s: %s", e->file_path,
			       n ? strerror(errno) : "unexpected end of file");
			return -1;
		}
		done += n;
	}
	/* An HTTP-like header, padded to whatever length a unit asks. */
	i = (size_t)snprintf((char *)e->hdr, e->hdr_max,
			     "HTTP/1.1 200 OK\r\nServer: zcopy-bench\r\nX-Pad: ");
	for (; i < e->hdr_max; i++)
		e->hdr[i] = (uint8_t)('a' + i % 26);
	return 0;
}

static void zb_zcopy_open(struct zb_env *e)
{
	int ret;

	e->zc_ok = false;
	ret = libzcopy_open(&e->z, LIBZCOPY_NONBLOCK);
	if (ret) {
		e->z = NULL;
		snprintf(e->zc_why, sizeof(e->zc_why), "/dev/zcopy: %s%s",
			 strerror(-ret), ret == -ENOENT ?
			 " (is zcopy.ko loaded?)" : "");
		return;
	}
	e->devfd = libzcopy_fd(e->z);
	ret = libzcopy_query(e->z, &e->q);
	if (ret) {
		snprintf(e->zc_why, sizeof(e->zc_why), "ZCOPY_IOC_QUERY: %s",
			 strerror(-ret));
		return;
	}
	ret = libzcopy_pool_register(e->z, e->hdr, e->hdr_max, &e->pool_hdr);
	if (ret) {
		snprintf(e->zc_why, sizeof(e->zc_why),
			 "registering the header pool: %s", strerror(-ret));
		return;
	}
	ret = libzcopy_pool_register(e->z, e->mem, e->mem_map, &e->pool_mem);
	if (ret) {
		snprintf(e->zc_why, sizeof(e->zc_why),
			 "registering the %" PRIu64 "-byte payload pool: %s",
			 (uint64_t)e->mem_map, strerror(-ret));
		return;
	}
	e->zc_ok = true;
}

/* ---- workloads ---- */

static uint64_t zb_unit_hash(const struct zb_env *e, const struct zb_unit *u)
{
	struct zb_hash h;

	zb_hash_init(&h);
	zb_hash_update(&h, e->hdr, u->hdr_len);
	zb_hash_update(&h, e->mem + u->body_off, u->body_len);
	return zb_hash_final(&h);
}

static void zb_work_finish(const struct zb_env *e, struct zb_work *w)
{
	uint64_t i, cycle = 0;
	size_t k;

	for (k = 0; k < w->nunits; k++) {
		w->units[k].hash = zb_unit_hash(e, &w->units[k]);
		cycle += w->units[k].hdr_len + w->units[k].body_len;
	}
	w->bytes = (w->requests / w->nunits) * cycle;
	for (i = 0; i < w->requests % w->nunits; i++)
		w->bytes += w->units[i].hdr_len + w->units[i].body_len;
}

/* The same workload cut to about @max payload bytes, for the probed pass. */
static void zb_work_scale(const struct zb_env *e, const struct zb_work *w,
			  uint64_t max, struct zb_work *s, struct zb_unit *u1)
{
	*s = *w;
	if (w->requests == 1 && w->nunits == 1) {
		*u1 = w->units[0];
		if (u1->body_len > max)
			u1->body_len = max;
		s->units = u1;
		zb_work_finish(e, s);
		return;
	}
	if (w->bytes > max) {
		uint64_t per = w->bytes / w->requests;

		s->requests = max / (per ? per : 1);
		if (s->requests < w->nunits)
			s->requests = w->nunits < w->requests ? w->nunits :
				      w->requests;
		s->bytes = 0;
		zb_work_finish(e, s);
	}
}

/* ---- one run ---- */

static uint64_t zb_tv_ns(const struct timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000ull + tv->tv_usec * 1000ull;
}

static int zb_connect(struct zb_env *e, int port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd = socket(e->family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (e->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, e->addr, &s6->sin6_addr);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, e->addr, &s4->sin_addr);
		sl = sizeof(*s4);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * One connection: the receiver, the technique's sends, the verdict. With
 * @probe, the copy counters run around it and nothing else is kept.
 */
enum zb_pass_mode {
	ZB_TIMED,			/* measured; hashed with --verify-timed */
	ZB_PROBED,			/* copies counted, payload checked */
	ZB_VERIFY,			/* payload checked, nothing kept */
};

static int zb_pass(struct zb_env *e, const struct zb_tech *t,
		   const struct zb_work *w, enum zb_pass_mode mode,
		   bool verify_timed, struct zb_result *r)
{
	bool probe = mode == ZB_PROBED;
	struct zb_cost_snap cs0, cs1;
	struct zb_cost cost;
	struct rusage ru0, ru1;
	struct zb_rx_result rx;
	struct zb_counts c = { 0 };
	struct zb_recv rcv;
	uint64_t t0, t1;
	int fd, ret;

	if (zb_recv_start(e, w, &rcv))
		return -1;
	fd = rcv.port ? zb_connect(e, rcv.port) : -1;
	if (fd < 0) {
		int err = errno;

		zb_recv_finish(e, &rcv, &rx);
		snprintf(r->why, sizeof(r->why), "%s",
			 rx.err[0] ? rx.err : strerror(err));
		return -1;
	}
	{
		struct timeval tv = { .tv_sec = (long)e->timeout };

		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (probe && zb_trace_start(e)) {
		close(fd);
		zb_recv_finish(e, &rcv, &rx);
		snprintf(r->why, sizeof(r->why), "could not start the probes");
		return -1;
	}
	e->rx_verify = mode != ZB_TIMED || verify_timed;
	zb_cost_snap(&cs0);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = zc_now_ns();
	ret = t->send(e, fd, w, w->requests, &c);
	if (ret)
		snprintf(r->why, sizeof(r->why), "%s failed: %s", t->name,
			 strerror(errno));
	shutdown(fd, SHUT_WR);
	getrusage(RUSAGE_SELF, &ru1);
	if (ret)
		close(fd);
	zb_recv_finish(e, &rcv, &rx);
	t1 = zc_now_ns();
	zb_cost_snap(&cs1);
	zb_cost_diff(&cs0, &cs1, &cost);
	if (probe)
		zb_trace_stop(e, getpid(), rcv.pid, &r->cp);
	if (!ret)
		close(fd);
	if (ret)
		return -1;
	if (!rx.ok) {
		snprintf(r->why, sizeof(r->why), "%s", rx.err);
		return -1;
	}
	if (probe) {
		r->probe_bytes = w->bytes;
		return 0;
	}
	if (mode == ZB_VERIFY)
		return 0;
	r->requests = w->requests;
	r->bytes = w->bytes;
	r->ns = t1 - t0;
	r->utime_ns = zb_tv_ns(&ru1.ru_utime) - zb_tv_ns(&ru0.ru_utime);
	r->stime_ns = zb_tv_ns(&ru1.ru_stime) - zb_tv_ns(&ru0.ru_stime);
	r->nvcsw = ru1.ru_nvcsw - ru0.ru_nvcsw;
	r->nivcsw = ru1.ru_nivcsw - ru0.ru_nivcsw;
	r->rx_utime_ns = rx.utime_ns;
	r->rx_stime_ns = rx.stime_ns;
	r->rx_mapped = rx.mapped;
	r->rx_copied = rx.copied;
	r->c = c;
	r->cost = cost;
	r->guest_ok = cost.busy_ok;
	return 0;
}

static struct zb_result *zb_new_result(void)
{
	struct zb_result *n = realloc(zb_results,
				      (zb_nresults + 1) * sizeof(*n));

	if (!n) {
		perror("zcopy-bench");
		exit(EXIT_FAIL);
	}
	zb_results = n;
	memset(&n[zb_nresults], 0, sizeof(n[0]));
	return &n[zb_nresults++];
}

static void zb_progress(struct zb_env *e, const struct zb_result *r)
{
	if (e->ctx->json)
		return;
	fprintf(stderr, "zcopy-bench: %-6s %-15s", r->workload,
		r->tech->name);
	if (r->pool_size)
		fprintf(stderr, " %7" PRIu64 " B", r->pool_size);
	if (r->threshold >= 0)
		fprintf(stderr, " thr %" PRId64, r->threshold);
	fprintf(stderr, " %s%s%s\n", r->status, r->why[0] ? ": " : "", r->why);
}

static uint64_t zb_pass_key(const struct zb_result *r)
{
	return r->guest_ok ? r->cost.busy_ns : r->utime_ns + r->stime_ns;
}

static void zb_run(struct zb_env *e, const struct zb_opts *o, int tid,
		   const struct zb_work *w, int64_t threshold, bool again)
{
	const struct zb_tech *t = &zb_techs[tid];
	struct zb_result *r = zb_new_result();

	r->workload = w->name;
	r->tech = t;
	r->pool_size = w->pool_size;
	r->threshold = threshold;
	r->again = again;
	if (t->setup && t->setup(e, r->why, sizeof(r->why))) {
		r->status = "skipped";
		zb_progress(e, r);
		return;
	}
	{
		/*
		 * The timed pass @repeat times. Each figure is the median of
		 * its own values (zb_med()); the other columns come from the
		 * pass of median whole-machine cost.
		 */
		struct zb_result runs[ZB_MAX_REPEAT];
		uint64_t snd[ZB_MAX_REPEAT], guest[ZB_MAX_REPEAT];
		uint64_t stat[ZB_MAX_REPEAT], ns[ZB_MAX_REPEAT];
		bool guest_ok = true;
		unsigned int n, a, b;

		for (n = 0; n < o->repeat; n++) {
			runs[n] = *r;
			if (zb_pass(e, t, w, ZB_TIMED, o->verify_timed, &runs[n])) {
				snprintf(r->why, sizeof(r->why), "%s", runs[n].why);
				r->status = "failed";
				zb_progress(e, r);
				return;
			}
			snd[n] = runs[n].utime_ns + runs[n].stime_ns;
			guest[n] = runs[n].cost.busy_ns;
			stat[n] = runs[n].cost.stat_busy_ns;
			ns[n] = runs[n].ns;
			guest_ok = guest_ok && runs[n].guest_ok;
		}
		for (a = 1; a < n; a++)
			for (b = a; b > 0 && zb_pass_key(&runs[b]) <
					     zb_pass_key(&runs[b - 1]); b--) {
				struct zb_result tmp = runs[b];

				runs[b] = runs[b - 1];
				runs[b - 1] = tmp;
			}
		*r = runs[n / 2];
		r->repeats = n;
		r->guest_ok = guest_ok;
		memcpy(r->p_snd, snd, sizeof(snd));
		memcpy(r->p_guest, guest, sizeof(guest));
		memcpy(r->p_stat, stat, sizeof(stat));
		memcpy(r->p_ns, ns, sizeof(ns));
	}
	r->status = "ok";
	if (e->probes) {
		struct zb_work s;
		struct zb_unit u1;

		zb_work_scale(e, w, o->probe_bytes, &s, &u1);
		if (zb_pass(e, t, &s, ZB_PROBED, true, r)) {
			r->status = "failed";
			if (!r->why[0])
				snprintf(r->why, sizeof(r->why), "probed pass failed");
		}
	} else if (!o->verify_timed) {
		struct zb_result v = *r;

		/* The payload checked once, outside the timed passes. */
		if (zb_pass(e, t, w, ZB_VERIFY, true, &v)) {
			r->status = "failed";
			snprintf(r->why, sizeof(r->why), "verified pass: %.180s",
				 v.why[0] ? v.why : "failed");
		}
	}
	zb_progress(e, r);
}

static int zb_set_threshold(struct zc_cli *ctx, uint64_t v)
{
	char buf[32];
	int fd = open("/sys/module/zcopy/parameters/copy_threshold",
		      O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		zc_err(ctx, "/sys/module/zcopy/parameters/copy_threshold: %s",
		       strerror(errno));
		return -1;
	}
	snprintf(buf, sizeof(buf), "%" PRIu64 "\n", v);
	n = write(fd, buf, strlen(buf));
	close(fd);
	if (n < 0) {
		zc_err(ctx, "setting copy_threshold to %" PRIu64 ": %s", v,
		       strerror(errno));
		return -1;
	}
	return 0;
}

static int64_t zb_get_threshold(struct zb_env *e)
{
	struct zcopy_query q;

	if (!e->z || libzcopy_query(e->z, &q))
		return -1;
	return q.copy_threshold;
}

/* ---- output ---- */

static double zb_per_gib(uint64_t ns, uint64_t bytes)
{
	return bytes ? (ns / 1e9) / (bytes / 1073741824.0) : 0;
}

static double zb_ratio(uint64_t part, uint64_t whole)
{
	return whole ? (double)part / whole : 0;
}

/*
 * The results: a table for people, the "results" array of the JSON
 * document (bench-plot, performance.md), from the same cells. Columns
 * without a header are JSON only, those without a key text only.
 */
static struct zc_col zb_cols[] = {
	{ "workload", "workload", 'l' },
	{ "size", "pool_size", 'r' },
	{ "thr", "copy_threshold", 'r' },
	{ "technique", "technique", 'l' },
	{ NULL, "route", 'l' },
	{ NULL, "reason", 'l' },
	{ NULL, "repeats", 'r' },
	{ NULL, "requests", 'r' },
	{ NULL, "bytes", 'r' },
	{ NULL, "seconds", 'r' },
	{ "MiB/s", "throughput_mib_s", 'r' },
	{ "req/s", "requests_per_s", 'r' },
	{ NULL, "cpu_s_per_gib", 'r' },
	{ NULL, "cpu_spread", 'r' },
	{ NULL, "cpu_min_s_per_gib", 'r' },
	{ NULL, "cpu_max_s_per_gib", 'r' },
	{ "snd ns/B", NULL, 'r' },		/* zb_cols_clock() */
	{ "rng", NULL, 'r' },
	{ NULL, "all_cpu_s_per_gib", 'r' },
	{ NULL, "all_cpu_spread", 'r' },
	{ NULL, "all_cpu_min_s_per_gib", 'r' },
	{ NULL, "all_cpu_max_s_per_gib", 'r' },
	{ "all ns/B", NULL, 'r' },
	{ "rng", NULL, 'r' },
	{ NULL, "all_cpu_ns_per_req", 'r' },
	{ "all us/req", NULL, 'r' },
	{ NULL, "cpu_ns_per_req", 'r' },
	{ NULL, "all_cpu_stat_s_per_gib", 'r' },
	{ NULL, "user_s_per_gib", 'r' },
	{ NULL, "sys_s_per_gib", 'r' },
	{ NULL, "receiver_cpu_s_per_gib", 'r' },
	{ NULL, "syscalls", 'r' },
	{ "syscalls/req", "syscalls_per_req", 'r' },
	{ "csw/req", NULL, 'r' },
	{ NULL, "vol_ctxsw_per_req", 'r' },
	{ NULL, "invol_ctxsw_per_req", 'r' },
	{ NULL, "completions", 'r' },
	{ NULL, "completions_zc", 'r' },
	{ NULL, "completions_copied", 'r' },
	{ "compl zc/copied", NULL, 'r' },
	{ NULL, "probe_payload_bytes", 'r' },
	{ "snd cp/B", "copies_per_byte_sender", 'r' },
	{ "rcv cp/B", "copies_per_byte_receiver", 'r' },
	{ NULL, "receiver_mapped_fraction", 'r' },	/* zb_cols_clock() */
	{ "sirq cp/B", "copies_per_byte_softirq", 'r' },
	{ NULL, "copies_per_byte_softirq_in_sender", 'r' },
	{ NULL, "copies_per_byte_other", 'r' },
	{ NULL, "probe_misses", 'r' },
	{ NULL, "copied_bytes_by_probe", 'l' },
	{ "status", "status", 'l' },
};

#define ZB_NCOLS ((int)(sizeof(zb_cols) / sizeof(zb_cols[0])))

/*
 * The cost columns' headers: per byte in ns, or in instructions (icount).
 * The receiver's mapped share has a text column with --receiver zerocopy.
 */
static void zb_cols_clock(bool icount, bool rx_zerocopy)
{
	int i;

	for (i = 0; i < ZB_NCOLS; i++) {
		const char *h = zb_cols[i].head;

		if (zb_cols[i].key &&
		    !strcmp(zb_cols[i].key, "receiver_mapped_fraction"))
			zb_cols[i].head = rx_zerocopy ? "rcv map" : NULL;
		if (!h)
			continue;
		if (!strcmp(h, "snd ns/B") || !strcmp(h, "snd ins/B"))
			zb_cols[i].head = icount ? "snd ins/B" : "snd ns/B";
		else if (!strcmp(h, "all ns/B") || !strcmp(h, "all ins/B"))
			zb_cols[i].head = icount ? "all ins/B" : "all ns/B";
		else if (!strcmp(h, "all us/req") || !strcmp(h, "all kins/req"))
			zb_cols[i].head = icount ? "all kins/req" : "all us/req";
	}
}

static int zb_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median, minimum and maximum of @n values. */
static double zb_med(const uint64_t *v, unsigned int n, uint64_t *min,
		     uint64_t *max)
{
	uint64_t s[ZB_MAX_REPEAT];

	if (!n) {
		*min = *max = 0;
		return 0;
	}
	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), zb_cmp_u64);
	*min = s[0];
	*max = s[n - 1];
	return n % 2 ? (double)s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
}

/* A cost figure: median, range relative to it, min, max; per GiB. */
static void zb_cell_cost(struct zc_table *t, bool ok, const uint64_t *v,
			 unsigned int n, uint64_t bytes, bool have)
{
	uint64_t min, max;
	double med = zb_med(v, n, &min, &max);
	double gib = bytes / 1073741824.0;

	if (!have || !bytes) {
		zc_cell_null(t, NULL);
		zc_cell_null(t, NULL);
		zc_cell_null(t, NULL);
		zc_cell_null(t, NULL);
		zc_cell_text(t, ok ? "-" : NULL);
		zc_cell_text(t, ok ? "-" : NULL);
		return;
	}
	/* s/GiB in JSON; ns (instructions) per byte in the text */
	zc_cell_f64(t, med / 1e9 / gib, NULL);
	zc_cell_f64(t, med > 0 ? (max - min) / med : 0, NULL);
	zc_cell_f64(t, min / 1e9 / gib, NULL);
	zc_cell_f64(t, max / 1e9 / gib, NULL);
	zc_cell_text(t, ok ? "%.3f" : NULL, med / bytes);
	zc_cell_text(t, ok ? "%.1f%%" : NULL,
		     med > 0 ? 100.0 * (max - min) / med : 0);
}

/* A copies-per-byte cell: null without probes, "-" in an ok row. */
static void zb_cell_cp(struct zc_table *t, bool ok, bool have, double v)
{
	if (have)
		zc_cell_f64(t, v, ok ? "%.2f" : NULL);
	else
		zc_cell_null(t, ok ? "-" : NULL);
}

static void zb_result_row(struct zc_table *t, const struct zb_result *r,
			  const char *route, bool rx_zerocopy)
{
	const struct zb_copies *cp = &r->cp;
	bool ok = !strcmp(r->status, "ok");
	bool have_cp = cp->valid && r->probe_bytes;
	uint64_t pb = r->probe_bytes, lo, hi;
	double s = zb_med(r->p_ns, r->repeats, &lo, &hi) / 1e9;
	double snd = zb_med(r->p_snd, r->repeats, &lo, &hi);
	double all = zb_med(r->p_guest, r->repeats, &lo, &hi);
	double stat = zb_med(r->p_stat, r->repeats, &lo, &hi);
	char b[48];
	int k;

	zc_row_begin(t);
	zc_cell_str(t, r->workload);
	zc_cell_u64_as(t, r->pool_size, r->pool_size ?
		       zc_fmt_bytes(r->pool_size, b, sizeof(b)) : NULL);
	if (r->threshold >= 0) {
		snprintf(b, sizeof(b), "%" PRId64, r->threshold);
		zc_cell_u64_as(t, (uint64_t)r->threshold, b);
	} else {
		zc_cell_null(t, NULL);
	}
	if (r->again) {
		snprintf(b, sizeof(b), "%s (again)", r->tech->name);
		zc_cell_str(t, b);
	} else {
		zc_cell_str(t, r->tech->name);
	}
	zc_cell_str(t, route);
	zc_cell_str(t, r->why);
	zc_cell_u64(t, r->repeats);
	zc_cell_u64(t, r->requests);
	zc_cell_u64(t, r->bytes);
	zc_cell_f64(t, s, NULL);
	zc_cell_f64(t, ok && s > 0 ? r->bytes / 1048576.0 / s : 0,
		    ok ? "%.1f" : NULL);
	zc_cell_f64(t, ok && s > 0 ? r->requests / s : 0, ok ? "%.0f" : NULL);
	zb_cell_cost(t, ok, r->p_snd, r->repeats, r->bytes, true);
	zb_cell_cost(t, ok, r->p_guest, r->repeats, r->bytes, r->guest_ok);
	if (r->guest_ok && r->requests)
		zc_cell_f64(t, all / r->requests, NULL);
	else
		zc_cell_null(t, NULL);
	if (ok && r->guest_ok && r->requests)
		zc_cell_text(t, "%.1f", all / r->requests / 1e3);
	else
		zc_cell_text(t, ok ? "-" : NULL);
	zc_cell_f64(t, r->requests ? snd / r->requests : 0, NULL);
	zc_cell_f64(t, zb_per_gib((uint64_t)stat, r->bytes), NULL);
	zc_cell_f64(t, zb_per_gib(r->utime_ns, r->bytes), NULL);
	zc_cell_f64(t, zb_per_gib(r->stime_ns, r->bytes), NULL);
	zc_cell_f64(t, zb_per_gib(r->rx_utime_ns + r->rx_stime_ns, r->bytes),
		    NULL);
	zc_cell_u64(t, r->c.syscalls);
	zc_cell_f64(t, zb_ratio(r->c.syscalls, r->requests),
		    ok ? "%.1f" : NULL);
	zc_cell_text(t, ok ? "%.2f" : NULL,
		     zb_ratio(r->nvcsw + r->nivcsw, r->requests));
	zc_cell_f64(t, zb_ratio(r->nvcsw, r->requests), NULL);
	zc_cell_f64(t, zb_ratio(r->nivcsw, r->requests), NULL);
	if (r->c.compl_known)
		zc_cell_u64(t, r->c.compl);
	else
		zc_cell_null(t, NULL);
	if (r->c.compl_known && r->c.compl_usage_known) {
		zc_cell_u64(t, r->c.compl_zc);
		zc_cell_u64(t, r->c.compl_copied);
	} else {
		zc_cell_null(t, NULL);
		zc_cell_null(t, NULL);
	}
	if (!ok)
		zc_cell_text(t, NULL);
	else if (r->c.compl_known && r->c.compl_usage_known)
		zc_cell_text(t, "%" PRIu64 "/%" PRIu64, r->c.compl_zc,
			     r->c.compl_copied);
	else if (r->c.compl_known)
		zc_cell_text(t, "%" PRIu64 "/?", r->c.compl);
	else
		zc_cell_text(t, "-");
	if (have_cp)
		zc_cell_u64(t, pb);
	else
		zc_cell_null(t, NULL);
	zb_cell_cp(t, ok, have_cp, zb_ratio(cp->sender, pb));
	zb_cell_cp(t, ok, have_cp, zb_ratio(cp->receiver, pb));
	if (rx_zerocopy && r->rx_mapped + r->rx_copied)
		zc_cell_f64(t, zb_ratio(r->rx_mapped, r->rx_mapped + r->rx_copied),
			    ok ? "%.3f" : NULL);
	else
		zc_cell_null(t, rx_zerocopy && ok ? "-" : NULL);
	zb_cell_cp(t, ok, have_cp, zb_ratio(cp->sirq_sender +
		   cp->sirq_receiver + cp->sirq_other, pb));
	zb_cell_cp(t, false, have_cp, zb_ratio(cp->sirq_sender, pb));
	zb_cell_cp(t, false, have_cp, zb_ratio(cp->other, pb));
	if (have_cp)
		zc_cell_u64(t, cp->missed);
	else
		zc_cell_null(t, NULL);
	if (have_cp && zc_cell_obj(t)) {
		for (k = 0; k < 16; k++) {
			const char *n = zb_trace_probe_name(k);

			if (n)
				zc_print_s64(ZC_JSON, n, NULL, cp->by_probe[k]);
		}
		zc_obj_close();
	} else if (!have_cp) {
		zc_cell_null(t, NULL);
	}
	zc_cell_str(t, r->status);
	zc_row_end(t);
}

/*
 * The self-check: pairs of results that send exactly alike must cost
 * alike. zcopy-pool at two copy_threshold values on the same side of the
 * body size (both zero copy, or both copied), and a technique run again
 * (--again) against its first run. Returns the pairs outside the
 * tolerance; prints them all (JSON "self_check").
 */
static const struct zc_col zb_check_cols[] = {
	{ "workload", "workload", 'l' },
	{ "size", "pool_size", 'r' },
	{ "technique", "technique", 'l' },
	{ "first", "first", 'l' },
	{ "second", "second", 'l' },
	{ "snd ratio", "sender_ratio", 'r' },
	{ "all ratio", "all_ratio", 'r' },
	{ "verdict", "verdict", 'l' },
};

static double zb_cost_med(const struct zb_result *r, bool all)
{
	uint64_t lo, hi;
	double m = zb_med(all ? r->p_guest : r->p_snd, r->repeats, &lo, &hi);

	return m > 1 ? m : 1;
}

static bool zb_within(double ratio, double tol)
{
	return ratio >= 1 - tol && ratio <= 1 + tol;
}

static bool zb_alike(const struct zb_result *a, const struct zb_result *b)
{
	if (a == b || strcmp(a->status, "ok") || strcmp(b->status, "ok") ||
	    strcmp(a->workload, b->workload) || a->tech != b->tech ||
	    a->pool_size != b->pool_size || !a->repeats || !b->repeats)
		return false;
	if (b->again)
		return !a->again && a->threshold == b->threshold;
	/* copy_threshold: a segment shorter than it is copied */
	return !a->again && a->tech == &zb_techs[ZB_ZC_POOL] &&
	       a->threshold >= 0 && b->threshold > a->threshold &&
	       ((uint64_t)a->threshold > a->pool_size) ==
	       ((uint64_t)b->threshold > b->pool_size);
}

static void zb_pair_label(char *b, size_t len, const struct zb_result *r)
{
	if (r->again)
		snprintf(b, len, "again");
	else if (r->threshold >= 0)
		snprintf(b, len, "thr %" PRId64, r->threshold);
	else
		snprintf(b, len, "first");
}

static unsigned int zb_self_check(const struct zb_opts *o)
{
	unsigned int bad = 0, pairs = 0;
	struct zc_table *t;
	size_t i, j;

	zc_obj_open("self_check");
	zc_print_f64(ZC_JSON, "tolerance", NULL, o->tolerance);
	zc_print_text("\nSelf-check: alike pairs must cost all CPUs alike within %.1f%% (snd ratio: for information)%s:\n",
		      100 * o->tolerance, o->check ? "" : " (--no-check: reported only)");
	t = zc_table_new("pairs", zb_check_cols,
			 (int)(sizeof(zb_check_cols) / sizeof(zb_check_cols[0])),
			 ZC_TABLE_HEADER);
	for (j = 0; j < zb_nresults; j++) {
		const struct zb_result *b = &zb_results[j];

		for (i = 0; i < j; i++) {
			const struct zb_result *a = &zb_results[i];
			double rs, ra;
			bool ok;
			char la[32], lb[32], sz[32];

			if (!zb_alike(a, b))
				continue;
			rs = zb_cost_med(b, false) / zb_cost_med(a, false);
			ra = a->guest_ok && b->guest_ok ?
			     zb_cost_med(b, true) / zb_cost_med(a, true) : 1;
			/*
			 * All CPUs when known: the sender's share moves with
			 * where the receive softirq ran, the sum does not.
			 */
			ok = a->guest_ok && b->guest_ok ?
			     zb_within(ra, o->tolerance) :
			     zb_within(rs, o->tolerance);
			zb_pair_label(la, sizeof(la), a);
			zb_pair_label(lb, sizeof(lb), b);
			zc_row_begin(t);
			zc_cell_str(t, a->workload);
			zc_cell_u64_as(t, a->pool_size, a->pool_size ?
				       zc_fmt_bytes(a->pool_size, sz, sizeof(sz)) : NULL);
			zc_cell_str(t, a->tech->name);
			zc_cell_str(t, la);
			zc_cell_str(t, lb);
			zc_cell_f64(t, rs, "%.3f");
			zc_cell_f64(t, ra, a->guest_ok && b->guest_ok ? "%.3f" : "-");
			zc_cell_str(t, ok ? "ok" : "DIFFER");
			zc_row_end(t);
			pairs++;
			bad += !ok;
			break;		/* one pair per later result */
		}
	}
	zc_table_end(t);
	zc_print_u64(ZC_ANY, "pairs", "%" PRIu64 " alike pairs", pairs);
	zc_print_u64(ZC_ANY, "differ", ", %" PRIu64 " differ\n", bad);
	zc_obj_close();
	return o->check ? bad : 0;
}

static unsigned int zb_report(struct zb_env *e, const char *route,
			      const struct zb_opts *o)
{
	struct zc_table *t;
	struct utsname un;
	unsigned int bad;
	size_t i;

	uname(&un);
	zc_obj_open(NULL);
	zc_print_str(ZC_ANY, "kernel", "zcopy-bench on %s", un.release);
	zc_print_str(ZC_ANY, "route", ", route %s", route);
	zc_print_u64(ZC_ANY, "file_bytes", ": file %" PRIu64 " bytes",
		     e->file_len);
	zc_print_u64(ZC_ANY, "header_bytes", ", header %" PRIu64 " bytes",
		     o->hdr);
	zc_print_u64(ZC_ANY, "chunk_bytes", ", chunk %" PRIu64 " bytes\n",
		     e->chunk);
	zc_print_str(ZC_ANY, "clock", "Clock: %s", o->icount ? "icount" : "wall");
	zc_print_text(o->icount ?
		      " (instruction counting: 1 ns = 1 guest instruction, so a time is an instruction count).\n" :
		      " (times are seconds; under plain TCG emulation they mean little).\n");
	zc_print_u64(ZC_ANY, "repeats", "Each figure: the median of %" PRIu64 " timed passes; rng = (max - min) / median.\n",
		     o->repeat);
	zc_print_bool(ZC_JSON, "probes", NULL, e->probes);
	zc_print_bool(ZC_JSON, "verify_timed", NULL, o->verify_timed);
	zc_print_str(ZC_JSON, "receiver", NULL,
		     e->rx_zerocopy ? "zerocopy" : "copy");
	if (e->rx_zerocopy)
		zc_print_text("Receiver: TCP_ZEROCOPY_RECEIVE maps whole received pages, read() takes the rest;\n"
			      "rcv map = the share of the payload it mapped (timed pass of median cost).\n");
	zc_print_text("snd = the sender's CPU (getrusage, all threads); all = every CPU's non-idle time around the pass\n"
		      "(nohz idle accounting, /proc/timer_list), receiver and softirqs included, %s;\n"
		      "per payload byte, and per request.\n",
		      o->verify_timed ? "the receiver's payload hash included" :
		      "the receiver checks the length only in timed passes, the payload in one more");
	zc_print_str(ZC_ANY, "probe_list",
		     "cp/B = bytes the CPU copied per payload byte (kprobes: %s).\n",
		     e->probes ? e->probe_list : e->probe_why);
	zc_print_text("sirq = copies in softirq context, whichever task was current (over veth/lo the receive path\n"
		      "runs in the sender's softirq). thr = zcopy copy_threshold.\n\n");
	zb_cols_clock(o->icount, e->rx_zerocopy);
	t = zc_table_new("results", zb_cols, ZB_NCOLS, ZC_TABLE_HEADER);
	for (i = 0; i < zb_nresults; i++)
		zb_result_row(t, &zb_results[i], route, e->rx_zerocopy);
	zc_table_end(t);
	for (i = 0; i < zb_nresults; i++)
		if (zb_results[i].cp.missed)
			zc_print_text("\nwarning: the probes missed %" PRIu64 " events in %s/%s: copies are undercounted\n",
				      zb_results[i].cp.missed,
				      zb_results[i].workload,
				      zb_results[i].tech->name);
	for (i = 0; i < zb_nresults; i++)
		if (strcmp(zb_results[i].status, "ok"))
			zc_print_text("%s %s: %s: %s\n", zb_results[i].workload,
				      zb_results[i].tech->name,
				      zb_results[i].status, zb_results[i].why);
	bad = zb_self_check(o);
	zc_obj_close();
	zc_print_end();
	return bad;
}

/* ---- the command ---- */

static const int zb_bulk_techs[] = {
	ZB_RW, ZB_MMAP, ZB_SENDFILE, ZB_SPLICE, ZB_SENDFILE_MORE, ZB_MSG_ZC,
	ZB_URING_ZC, ZB_ZC_FILE, ZB_ZC_POOL, ZB_ZC_HDR_FILE, ZB_VMSPLICE, -1,
};

/* The bulk or small workload: each technique, then the --again ones. */
static void zb_workload(struct zb_env *e, const struct zb_opts *o,
			const struct zb_work *w, bool tech_given)
{
	size_t k;

	for (k = 0; zb_bulk_techs[k] >= 0; k++)
		if (!tech_given || o->tech[zb_bulk_techs[k]])
			zb_run(e, o, zb_bulk_techs[k], w, -1, false);
	for (k = 0; zb_bulk_techs[k] >= 0; k++)
		if (o->again[zb_bulk_techs[k]] &&
		    (!tech_given || o->tech[zb_bulk_techs[k]]))
			zb_run(e, o, zb_bulk_techs[k], w, -1, true);
}
static const int zb_pool_techs[] = {
	ZB_WRITE, ZB_MSG_ZC, ZB_URING_ZC, ZB_ZC_POOL, ZB_VMSPLICE, -1,
};

static void zb_list(void)
{
	int i;

	for (i = 0; i < ZB_NTECH; i++)
		printf("%-15s %-6s %s\n", zb_techs[i].name,
		       zb_techs[i].file_body ? "file" : "memory",
		       zb_techs[i].desc);
}

static int zb_bench(struct zc_cli *ctx, int argc, char **argv)
{
	static const uint64_t small_sizes[] = { 4096, 8192, 16384, 32768, 65536 };
	struct zb_opts o = {
		.file_size = 64 << 20, .requests = 1000, .hdr = 300,
		.chunk = 256 << 10, .pool_bytes = 8 << 20,
		.probe_bytes = 16 << 20, .w_bulk = true, .w_small = true,
		.w_pool = true, .probes = true, .repeat = 3,
		.check = true, .tolerance = 0.03,
	};
	struct zb_env e = {
		.ctx = ctx, .file_fd = -1, .devfd = -1, .snd_netns = -1,
		.rcv_netns = -1, .timeout = 120,
	};
	const char *techs = NULL, *workloads = NULL, *addr = "127.0.0.1";
	bool tech_given = false, around = false, cost_around = false;
	struct zb_curve_opts curve = { 0 };
	pid_t servers[16];
	size_t nservers = 0;
	int64_t thr_saved = -1;
	unsigned int bad = 0;
	char route[64];
	int c, ret = EXIT_FAIL;
	size_t i, k;

	for (i = 0; i < 12; i++)
		o.sizes[i] = 512ull << i;
	o.nsizes = 12;
	while ((c = zc_getopt(ctx, argc, argv)) != -1) {
		uint64_t v, vmax;

		switch (c) {
		case OPT_RCV_NETNS:
			o.rcv_ns = optarg;
			break;
		case OPT_SND_NETNS:
			o.snd_ns = optarg;
			break;
		case OPT_ADDR:
			addr = optarg;
			break;
		case OPT_ROUTE:
			o.route = optarg;
			break;
		case OPT_WORKLOADS:
			workloads = optarg;
			break;
		case OPT_TECHS:
			techs = optarg;
			break;
		case OPT_FILE:
			o.file = optarg;
			break;
		case OPT_FILE_SIZE:
		case OPT_REQUESTS:
		case OPT_HEADER:
		case OPT_CHUNK:
		case OPT_POOL_BYTES:
		case OPT_PROBE_BYTES:
			vmax = c == OPT_HEADER ? 4096 :
			       c == OPT_CHUNK ? 1u << 30 : UINT64_MAX;
			if (zc_parse_u64(optarg, &v) || !v || v > vmax)
				return zc_usage_error(ctx, "--%s '%s': expected 1 to %" PRIu64,
						      zb_opt_name(c), optarg, vmax);
			if (c == OPT_FILE_SIZE)
				o.file_size = v;
			else if (c == OPT_REQUESTS)
				o.requests = v;
			else if (c == OPT_HEADER)
				o.hdr = v;
			else if (c == OPT_CHUNK)
				o.chunk = v;
			else if (c == OPT_POOL_BYTES)
				o.pool_bytes = v;
			else
				o.probe_bytes = v;
			break;
		case OPT_POOL_SIZES:
			if (zb_parse_list(ctx, "pool-sizes", optarg, 1, 1u << 30,
					  o.sizes, ZB_MAX_SIZES, &o.nsizes))
				return EXIT_USAGE;
			break;
		case OPT_THRESHOLDS:
			/* The module parameter is an unsigned int. */
			if (zb_parse_list(ctx, "copy-threshold", optarg, 0,
					  UINT32_MAX, o.thr, ZB_MAX_THR,
					  &o.nthr))
				return EXIT_USAGE;
			break;
		case OPT_NO_PROBES:
			o.probes = false;
			break;
		case OPT_TIMEOUT:
			if (zc_parse_secs(optarg, &e.timeout) || e.timeout < 1)
				return zc_usage_error(ctx, "--timeout '%s': expected seconds (at least 1)",
						      optarg);
			break;
		case OPT_REPEAT:
			if (zc_parse_u64(optarg, &v) || !v || v > ZB_MAX_REPEAT)
				return zc_usage_error(ctx, "--repeat '%s': expected 1 to %d",
						      optarg, ZB_MAX_REPEAT);
			o.repeat = (unsigned int)v;
			break;
		case OPT_JSON_OUT:
			o.json_out = optarg;
			break;
		case OPT_CLOCK:
			if (strcmp(optarg, "wall") && strcmp(optarg, "icount"))
				return zc_usage_error(ctx, "--clock '%s': expected wall or icount",
						      optarg);
			o.icount = !strcmp(optarg, "icount");
			break;
		case OPT_AGAIN: {
			char *dup = strdup(optarg), *tok, *save;

			for (tok = strtok_r(dup, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				int id = zb_tech_by_name(tok);

				if (id < 0) {
					zc_usage_error(ctx, "--again: unknown technique '%s' (--list shows them)",
						       tok);
					free(dup);
					return EXIT_USAGE;
				}
				o.again[id] = true;
			}
			free(dup);
			break;
		}
		case OPT_TOLERANCE: {
			char *end;
			double pct = strtod(optarg, &end);

			if (end == optarg || *end || !(pct > 0) || pct > 100)
				return zc_usage_error(ctx, "--tolerance '%s': expected a percentage above 0, at most 100",
						      optarg);
			o.tolerance = pct / 100;
			break;
		}
		case OPT_NO_CHECK:
			o.check = false;
			break;
		case OPT_VERIFY_TIMED:
			o.verify_timed = true;
			break;
		case OPT_LIST:
			zb_list();
			return EXIT_OK;
		case OPT_AROUND:
			around = true;
			break;
		case OPT_COST_AROUND:
			cost_around = true;
			break;
		case OPT_RECEIVER:
			if (strcmp(optarg, "copy") && strcmp(optarg, "zerocopy"))
				return zc_usage_error(ctx, "--receiver '%s': expected copy or zerocopy",
						      optarg);
			e.rx_zerocopy = !strcmp(optarg, "zerocopy");
			break;
		case OPT_SERVER_PID:
			if (zc_parse_u64(optarg, &v) || !v || v > INT32_MAX ||
			    nservers == 16)
				return zc_usage_error(ctx, "--server-pid '%s': expected a PID (at most 16)",
						      optarg);
			servers[nservers++] = (pid_t)v;
			break;
		case OPT_CURVE:
			curve.name = optarg;
			break;
		case OPT_CURVE_POINTS:
			if (zb_parse_list(ctx, "curve-points", optarg, 1, 1u << 30,
					  curve.points, ZB_CURVE_MAX_POINTS,
					  &curve.npoints))
				return EXIT_USAGE;
			break;
		case OPT_CURVE_BYTES:
		case OPT_CURVE_UNIT:
			if (zc_parse_u64(optarg, &v) || !v || v > 1u << 30)
				return zc_usage_error(ctx, "--%s '%s': expected 1 to 1G",
						      zb_opt_name(c), optarg);
			if (c == OPT_CURVE_BYTES)
				curve.bytes = v;
			else
				curve.unit = v;
			break;
		case ZC_OPT_EXIT:
			return ctx->exit;
		}
	}
	if (around && cost_around)
		return zc_usage_error(ctx, "--copies-around and --cost-around: one at a time");
	if (cost_around) {
		if (optind >= argc)
			return zc_usage_error(ctx, "--cost-around needs a command after --");
		return zb_cost_around(&e, servers, nservers, argv + optind,
				      o.json_out);
	}
	if (around) {
		if (optind >= argc || !nservers)
			return zc_usage_error(ctx, "--copies-around needs --server-pid and a command after --");
		return zb_copies_around(&e, servers, nservers, argv + optind,
					o.json_out);
	}
	if (optind < argc)
		return zc_usage_error(ctx, "unexpected argument '%s'",
				      argv[optind]);
	if (curve.name) {
		curve.techs = techs;
		if (zb_curve_check(ctx, &curve))
			return EXIT_USAGE;
	}
	if (workloads) {
		char *dup = strdup(workloads), *tok, *save;

		o.w_bulk = o.w_small = o.w_pool = false;
		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "bulk"))
				o.w_bulk = true;
			else if (!strcmp(tok, "small"))
				o.w_small = true;
			else if (!strcmp(tok, "pool"))
				o.w_pool = true;
			else {
				zc_usage_error(ctx, "--workloads: unknown workload '%s' (bulk, small, pool)",
					       tok);
				free(dup);
				return EXIT_USAGE;
			}
		}
		free(dup);
	}
	if (techs && !curve.name) {
		char *dup = strdup(techs), *tok, *save;

		tech_given = true;
		for (tok = strtok_r(dup, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			int id = zb_tech_by_name(tok);

			if (id < 0) {
				zc_usage_error(ctx, "--techniques: unknown technique '%s' (--list shows them)",
					       tok);
				free(dup);
				return EXIT_USAGE;
			}
			o.tech[id] = true;
		}
		free(dup);
	}
	snprintf(e.addr, sizeof(e.addr), "%s", addr);
	{
		struct in6_addr a6;
		struct in_addr a4;

		if (inet_pton(AF_INET, addr, &a4) == 1)
			e.family = AF_INET;
		else if (inet_pton(AF_INET6, addr, &a6) == 1)
			e.family = AF_INET6;
		else
			return zc_usage_error(ctx, "--addr '%s': expected an IPv4 or IPv6 address",
					      addr);
		snprintf(route, sizeof(route), "%s", o.route ? o.route :
			 (!strncmp(addr, "127.", 4) || !strcmp(addr, "::1")) ?
			 "lo" : "tcp");
	}
	e.chunk = o.chunk;

	signal(SIGPIPE, SIG_IGN);
	if (o.rcv_ns) {
		e.rcv_netns = zb_netns_open(ctx, o.rcv_ns);
		if (e.rcv_netns < 0)
			goto out;
	}
	if (o.snd_ns) {
		e.snd_netns = zb_netns_open(ctx, o.snd_ns);
		if (e.snd_netns < 0)
			goto out;
		if (setns(e.snd_netns, CLONE_NEWNET)) {
			zc_err(ctx, "setns %s: %s", o.snd_ns, strerror(errno));
			goto out;
		}
	}
	if (zb_payload(&e, &o))
		goto out;
	if (o.w_small && !curve.name && e.file_len < 8 * 65536 + 65536) {
		zc_err(ctx, "the small-object workload needs a file of at least 576 KiB");
		goto out;
	}
	zb_zcopy_open(&e);
	thr_saved = zb_get_threshold(&e);
	{
		char why[200];

		if (zb_cost_setup(why, sizeof(why)))
			zc_warn(ctx, "the cost of all CPUs will not be measured: %s",
				why);
	}
	if (curve.name) {
		curve.techs = techs;
		curve.route = route;
		curve.json_out = o.json_out;
		curve.repeat = o.repeat;
		curve.icount = o.icount;
		ret = zb_curve(&e, &curve);
		goto out;
	}
	if (o.probes && zb_trace_setup(&e))
		zc_warn(ctx, "copies will not be counted: %s", e.probe_why);
	if (!o.probes)
		snprintf(e.probe_why, sizeof(e.probe_why), "off (--no-probes)");

	if (o.w_bulk) {
		struct zb_unit u = { .hdr_len = (uint32_t)o.hdr,
				     .body_len = e.file_len };
		struct zb_work w = { .name = "bulk", .units = &u, .nunits = 1,
				     .requests = 1 };

		zb_work_finish(&e, &w);
		zb_workload(&e, &o, &w, tech_given);
	}
	if (o.w_small) {
		struct zb_unit u[40];
		struct zb_work w = { .name = "small", .units = u, .nunits = 40,
				     .requests = o.requests };

		for (k = 0; k < 40; k++) {
			u[k].hdr_len = (uint32_t)o.hdr;
			u[k].body_len = small_sizes[k % 5];
			u[k].body_off = (k % 8) * 65536;
		}
		zb_work_finish(&e, &w);
		zb_workload(&e, &o, &w, tech_given);
	}
	if (o.w_pool) {
		if (!o.nthr && thr_saved >= 0) {
			o.thr[0] = (uint64_t)thr_saved;
			o.nthr = 1;
		}
		for (i = 0; i < o.nsizes; i++) {
			struct zb_unit u = { .body_len = o.sizes[i] };
			struct zb_work w = { .name = "pool", .units = &u,
					     .nunits = 1,
					     .pool_size = o.sizes[i] };
			uint64_t n = o.pool_bytes / o.sizes[i];

			if (o.sizes[i] > e.file_len) {
				zc_warn(ctx, "pool size %" PRIu64 " is larger than the file: skipped",
					o.sizes[i]);
				continue;
			}
			w.requests = n < 16 ? 16 : n > 4096 ? 4096 : n;
			zb_work_finish(&e, &w);
			for (k = 0; zb_pool_techs[k] >= 0; k++) {
				int id = zb_pool_techs[k];
				size_t j;

				if (tech_given && !o.tech[id])
					continue;
				if (id != ZB_ZC_POOL || !e.zc_ok) {
					zb_run(&e, &o, id, &w, -1, false);
					continue;
				}
				for (j = 0; j < o.nthr; j++) {
					if (zb_set_threshold(ctx, o.thr[j]))
						break;
					zb_run(&e, &o, id, &w, (int64_t)o.thr[j],
					       false);
				}
			}
		}
		if (thr_saved >= 0 && o.nthr)
			zb_set_threshold(ctx, (uint64_t)thr_saved);
	}

	bad = zb_report(&e, route, &o);
	if (o.json_out) {
		/* The same report again, as JSON, into the file. */
		fflush(stdout);
		if (!freopen(o.json_out, "w", stdout)) {
			zc_err(ctx, "--json-out %s: %s", o.json_out,
			       strerror(errno));
			goto out;
		}
		zc_print_set_json(true, false);
		(void)zb_report(&e, route, &o);
	}
	ret = EXIT_OK;
	for (i = 0; i < zb_nresults; i++)
		if (!strcmp(zb_results[i].status, "failed"))
			ret = EXIT_FAIL;
	if (bad) {
		zc_err(ctx, "self-check: %u alike pairs differ by more than %.1f%%: the figures are noisier than the tolerance",
		       bad, 100 * o.tolerance);
		ret = EXIT_FAIL;
	}
out:
	if (e.probes)
		zb_trace_teardown(&e);
#ifdef ZC_HAVE_LIBURING
	if (e.uring_ok)
		io_uring_queue_exit(&e.ring);
#endif
	libzcopy_close(e.z);
	if (e.file_created) {
		unlink(e.file_path);
	}
	if (e.file_fd >= 0)
		close(e.file_fd);
	free(e.file_path);
	if (e.rcv_netns >= 0)
		close(e.rcv_netns);
	if (e.snd_netns >= 0)
		close(e.snd_netns);
	free(zb_results);
	return ret;
}

static const struct zc_cmd zb_cmd = {
	.name = NULL,			/* the program's only command */
	.args = "",
	.help = "compare sending techniques: throughput, CPU, syscalls, copies",
	.desc =
"Sends the same payload over TCP to a receiver (a child process, in\n"
"--receiver-netns if given) through each technique side by side:\n"
"read+write, mmap+write, sendfile, splice, hdr+sendfile (MSG_MORE),\n"
"MSG_ZEROCOPY, io_uring-zc (SEND_ZC, registered buffers), zcopy-file,\n"
"zcopy-pool, zcopy-hdr+file, and write (pool workload). The receiver\n"
"checks every request against a hash of the payload. Reports per\n"
"technique throughput, the sender's CPU seconds per GiB, system calls and\n"
"context switches per request, completions (zero-copy/copied) and, with\n"
"kprobes in tracefs, the bytes the CPU copied per payload byte in the\n"
"sender, the receiver and softirq context (a separate pass, so the\n"
"probes do not slow the timed one). Workloads: bulk (one file),\n"
"small (header + 4-64 KiB body, many requests), pool (memory bodies of\n"
"--pool-sizes, zcopy-pool once per --copy-threshold). Needs root for\n"
"tracefs, /dev/zcopy and setns; a technique that cannot run is\n"
"skipped with the reason. Absolute times under emulation mean little:\n"
"compare ratios within one run. Exit status: 0 every technique that ran\n"
"passed, 1 one failed, 2 usage error.",
	.opts = zb_optlist,
	.run = zb_bench,
};

int main(int argc, char **argv)
{
	struct zc_cli cli = { .prog = "zcopy-bench" };

	return zc_cli_run(&cli, &zb_cmd, argc, argv);
}
