// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy-bench: count the bytes the CPU copies, independently of zcopy's
 * own counters, with kprobe and kretprobe events in tracefs.
 *
 * The natural probe points, _copy_to_iter/_copy_from_iter and
 * copy_page_{to,from}_iter, cannot be probed on Debian's 6.1 and 6.12
 * cloud kernels: lib/iov_iter.c has no ftrace locations there and trace
 * kprobes refuse such "notrace" functions. So the copies are counted one
 * level up, where each path's copy happens, with the same list on both
 * kernels (each probe is used if the kernel can probe it; the list used is
 * printed):
 *
 *   simple_copy_to_iter        kretprobe, $retval: recv()/read() of a
 *                              socket copying skb data to the user
 *                              (skb_copy_datagram_iter, linear part and
 *                              frags)
 *   csum_and_copy_to_iter      kretprobe: the same with checksumming
 *   filemap_read,              kprobe, the iov_iter's count, only for
 *   shmem_file_read_iter       user-backed iterators (ITER_UBUF/IOVEC):
 *                              read() from the page cache (ext4, tmpfs).
 *                              6.1 also reaches them from sendfile/splice
 *                              with an ITER_PIPE that takes page
 *                              references: those are not copies
 *   tcp_sendmsg_locked         kretprobe, (int)$retval > 0: bytes queued by
 *                              sendmsg/write, minus
 *   skb_zerocopy_iter_stream   (kretprobe, subtracted) those attached by
 *                              reference (MSG_ZEROCOPY, io_uring, zcopy
 *                              pools) and
 *   skb_splice_from_iter       (kretprobe, subtracted; 6.5+) those spliced
 *                              (MSG_SPLICE_PAGES: sendfile, splice, zcopy
 *                              file extents on 6.12)
 *   skb_copy_ubufs             kprobe, skb->data_len: pinned user pages
 *                              copied on local delivery or for a tap
 *   skb_copy_bits              kprobe, 4th argument: linearizing,
 *                              collapsing, taps
 *
 * Offsets (sk_buff.data_len, iov_iter.iter_type and .count) and the
 * ITER_* values come from the running kernel's BTF (libbpf); the probes,
 * their triggers and the histograms go through libtracefs, which finds
 * (and if need be mounts) tracefs.
 *
 * Each probe gets a hist trigger keyed by common_pid and common_flags that
 * sums the bytes in the kernel: nothing goes through the ring buffer. A
 * copy done in softirq context (common_flags has TRACE_FLAG_SOFTIRQ) is
 * counted apart, whichever task was current: over veth and lo the whole
 * receive path of the peer runs in softirq on the CPU, and usually in the
 * task, that transmitted (netif_rx -> NET_RX softirq at local_bh_enable),
 * so the sender's system time includes receiver-side protocol work, and
 * skb_copy_ubufs for the sender's pinned pages shows up in the sender's
 * task.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <tracefs.h>

#include "bench.h"

#define ZB_GROUP	"zcbench"

#define ZB_FLAGS_IRQ	(0x08 | 0x10 | 0x40)	/* hardirq, softirq, NMI */

enum zb_fetch {
	ZB_F_RET,			/* $retval, counted if > 0 */
	ZB_F_ARG,			/* a fixed fetch argument */
	ZB_F_SKB_DATA_LEN,		/* 1st argument's skb->data_len */
	ZB_F_ITER_COUNT,		/* 2nd argument's iov_iter count, user-backed */
};

struct zb_probe {
	const char *event;
	const char *sym;
	enum zb_fetch fetch;
	const char *arg;		/* ZB_F_ARG */
	int sign;			/* -1: subtracted */
	const char *rtype;		/* ZB_F_RET: s32 for an int function */
	struct tracefs_dynevent *ev;	/* created */
	bool on;
	char trigger[256];
};

static struct zb_probe zb_probes[] = {
	{ .event = "simple_copy", .sym = "simple_copy_to_iter", .fetch = ZB_F_RET, .sign = 1 },
	{ .event = "csum_to_iter", .sym = "csum_and_copy_to_iter", .fetch = ZB_F_RET, .sign = 1 },
	{ .event = "filemap_read", .sym = "filemap_read", .fetch = ZB_F_ITER_COUNT, .sign = 1 },
	{ .event = "shmem_read", .sym = "shmem_file_read_iter", .fetch = ZB_F_ITER_COUNT, .sign = 1 },
	{ .event = "tcp_sendmsg", .sym = "tcp_sendmsg_locked", .fetch = ZB_F_RET, .rtype = "s32", .sign = 1 },
	{ .event = "zc_iter", .sym = "skb_zerocopy_iter_stream", .fetch = ZB_F_RET, .rtype = "s32", .sign = -1 },
	{ .event = "splice_iter", .sym = "skb_splice_from_iter", .fetch = ZB_F_RET, .sign = -1 },
	{ .event = "copy_ubufs", .sym = "skb_copy_ubufs", .fetch = ZB_F_SKB_DATA_LEN, .sign = 1 },
	{ .event = "copy_bits", .sym = "skb_copy_bits", .fetch = ZB_F_ARG, .arg = "%cx:u32", .sign = 1 },
};

#define ZB_NPROBES (sizeof(zb_probes) / sizeof(zb_probes[0]))

static const char zb_hist[] =
	"hist:keys=common_pid,common_flags:vals=hitcount,bytes:size=2048";

const char *zb_trace_probe_name(int i)
{
	return i < (int)ZB_NPROBES && zb_probes[i].on ? zb_probes[i].sym : NULL;
}

static char *zb_read_all(const char *path, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* ---- BTF (libbpf): the offset of a member, the value of an enumerator ---- */

/* Bit offset of @name in struct/union @id, through anonymous members. */
static long zb_btf_member(const struct btf *btf, __u32 id, const char *name,
			  int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	unsigned int i;

	if (!t || !btf_is_composite(t) || depth > 8)
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++) {
		long off = btf_member_bit_offset(t, i), sub;

		if (m[i].name_off) {
			if (!strcmp(btf__name_by_offset(btf, m[i].name_off), name))
				return off;
			continue;
		}
		sub = zb_btf_member(btf, m[i].type, name, depth + 1);
		if (sub >= 0)
			return off + sub;
	}
	return -1;
}

/* Byte offset of member @mname of struct @sname, or -1. */
static long zb_btf_offset(const struct btf *btf, const char *sname,
			  const char *mname)
{
	int id = btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT);
	long off;

	if (id < 0)
		return -1;
	off = zb_btf_member(btf, id, mname, 0);
	return off < 0 ? -1 : off / 8;
}

/* Value of enumerator @vname, or -1. */
static long zb_btf_enum(const struct btf *btf, const char *vname)
{
	__u32 id, n = btf__type_cnt(btf);
	unsigned int k;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *en;

		if (!btf_is_enum(t))
			continue;
		en = btf_enum(t);
		for (k = 0; k < btf_vlen(t); k++)
			if (!strcmp(btf__name_by_offset(btf, en[k].name_off), vname))
				return en[k].val;
	}
	return -1;
}

/* ---- the probes ---- */

static bool zb_kallsyms_has(const char *kallsyms, const char *sym)
{
	size_t l = strlen(sym);
	const char *p = kallsyms;

	while ((p = strstr(p, sym))) {
		/* "ADDR T sym\n" (no module suffix: a core kernel symbol) */
		if (p > kallsyms + 2 && p[-1] == ' ' &&
		    (p[-2] == 'T' || p[-2] == 't') && p[l] == '\n')
			return true;
		p += l;
	}
	return false;
}

/* Add, or with @on false remove, the histogram of @p. */
static int zb_trigger(struct zb_probe *p, bool on)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "%s%s", on ? "" : "!", p->trigger);
	return tracefs_event_file_append(NULL, ZB_GROUP, p->event, "trigger",
					 cmd) < 0 ? -errno : 0;
}

/* Remove our event named like @p, ours or an interrupted run's. */
static void zb_probe_remove(struct zb_probe *p)
{
	struct tracefs_dynevent *ev = p->ev;

	if (!ev)
		ev = tracefs_dynevent_get(p->fetch == ZB_F_RET ?
					  TRACEFS_DYNEVENT_KRETPROBE :
					  TRACEFS_DYNEVENT_KPROBE,
					  ZB_GROUP, p->event);
	if (!ev)
		return;
	tracefs_dynevent_destroy(ev, true);	/* and its triggers */
	tracefs_dynevent_free(ev);
	p->ev = NULL;
}

void zb_trace_teardown(struct zb_env *e)
{
	size_t i;

	for (i = 0; i < ZB_NPROBES; i++) {
		if (!zb_probes[i].on)
			continue;
		zb_probe_remove(&zb_probes[i]);
		zb_probes[i].on = false;
	}
	e->nprobes = 0;
}

int zb_trace_setup(struct zb_env *e)
{
	long off_dlen = -1, off_type = -1, off_count = -1, ubuf = -1, iovec = -1;
	char *ks, *kp, fmt[200];
	struct btf *btf;
	size_t i, pl = 0;

	e->probes = false;
	kp = tracefs_get_tracing_file("kprobe_events");
	if (!kp || access(kp, W_OK)) {
		snprintf(e->probe_why, sizeof(e->probe_why),
			 "%s: %s (tracefs, run as root)",
			 kp ? kp : "kprobe_events",
			 kp ? strerror(errno) : "tracefs not mounted");
		tracefs_put_tracing_file(kp);
		return -1;
	}
	tracefs_put_tracing_file(kp);
	ks = zb_read_all("/proc/kallsyms", NULL);
	if (!ks) {
		snprintf(e->probe_why, sizeof(e->probe_why),
			 "/proc/kallsyms: %s", strerror(errno));
		return -1;
	}
	btf = btf__load_vmlinux_btf();
	if (btf) {
		off_dlen = zb_btf_offset(btf, "sk_buff", "data_len");
		off_type = zb_btf_offset(btf, "iov_iter", "iter_type");
		off_count = zb_btf_offset(btf, "iov_iter", "count");
		ubuf = zb_btf_enum(btf, "ITER_UBUF");
		iovec = zb_btf_enum(btf, "ITER_IOVEC");
		btf__free(btf);
	}
	/* Leftovers of an interrupted run. */
	for (i = 0; i < ZB_NPROBES; i++)
		zb_probe_remove(&zb_probes[i]);
	e->probe_list[0] = '\0';
	for (i = 0; i < ZB_NPROBES; i++) {
		struct zb_probe *p = &zb_probes[i];

		if (!zb_kallsyms_has(ks, p->sym))
			continue;
		snprintf(p->trigger, sizeof(p->trigger), "%s", zb_hist);
		switch (p->fetch) {
		case ZB_F_RET:
			snprintf(fmt, sizeof(fmt), "bytes=$retval:%s",
				 p->rtype ? p->rtype : "s64");
			snprintf(p->trigger, sizeof(p->trigger),
				 "%s if bytes > 0", zb_hist);
			break;
		case ZB_F_ARG:
			snprintf(fmt, sizeof(fmt), "bytes=%s", p->arg);
			break;
		case ZB_F_SKB_DATA_LEN:
			if (off_dlen < 0)
				goto no_btf;
			snprintf(fmt, sizeof(fmt), "bytes=+%ld(%%di):u32",
				 off_dlen);
			break;
		case ZB_F_ITER_COUNT:
			if (off_type < 0 || off_count < 0 || iovec < 0)
				goto no_btf;
			snprintf(fmt, sizeof(fmt),
				 "bytes=+%ld(%%si):u64 type=+%ld(%%si):u8",
				 off_count, off_type);
			if (ubuf >= 0)
				snprintf(p->trigger, sizeof(p->trigger),
					 "%s if type == %ld || type == %ld",
					 zb_hist, iovec, ubuf);
			else
				snprintf(p->trigger, sizeof(p->trigger),
					 "%s if type == %ld", zb_hist, iovec);
			break;
		}
		p->ev = p->fetch == ZB_F_RET ?
			/*
			 * The kernel's default maxactive; libtracefs 1.6
			 * writes a given one as "r<N>" before the group,
			 * which the kernel refuses. Misses are counted.
			 */
			tracefs_kretprobe_alloc(ZB_GROUP, p->event, p->sym, fmt,
						0) :
			tracefs_kprobe_alloc(ZB_GROUP, p->event, p->sym, fmt);
		if (!p->ev || tracefs_dynevent_create(p->ev)) {
			char *why = tracefs_error_last(NULL);

			zc_warn(e->ctx, "cannot probe %s: %s", p->sym,
				why ? why : strerror(errno));
			free(why);
			if (p->ev)
				tracefs_dynevent_free(p->ev);
			p->ev = NULL;
			continue;
		}
		p->on = true;
		e->nprobes++;
		pl += snprintf(e->probe_list + pl, sizeof(e->probe_list) - pl,
			       "%s%s%s", pl ? " " : "", p->sign < 0 ? "-" : "",
			       p->sym);
		if (pl >= sizeof(e->probe_list))
			pl = sizeof(e->probe_list) - 1;
		continue;
no_btf:
		zc_warn(e->ctx, "no BTF offsets in /sys/kernel/btf/vmlinux: %s not probed",
			p->sym);
	}
	free(ks);
	if (!e->nprobes) {
		snprintf(e->probe_why, sizeof(e->probe_why),
			 "no copy routine could be probed");
		return -1;
	}
	e->probes = true;
	return 0;
}

/* Sum of the misses of our probes in kprobe_profile. */
static uint64_t zb_trace_missed(void)
{
	char *buf = tracefs_instance_file_read(NULL, "kprobe_profile", NULL);
	char *line;
	uint64_t missed = 0;

	if (!buf)
		return 0;
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char name[128];
		unsigned long long hits, miss;

		if (sscanf(line, "%127s %llu %llu", name, &hits, &miss) == 3 &&
		    !strncmp(name, ZB_GROUP "/", strlen(ZB_GROUP) + 1))
			missed += miss;
	}
	free(buf);
	return missed;
}

static uint64_t zb_missed_base;

int zb_trace_start(struct zb_env *e)
{
	size_t i;
	int err;

	zb_missed_base = zb_trace_missed();
	for (i = 0; i < ZB_NPROBES; i++) {
		if (!zb_probes[i].on)
			continue;
		err = zb_trigger(&zb_probes[i], true);
		if (err) {
			zc_err(e->ctx, "%s/%s trigger: %s: %s", ZB_GROUP,
			       zb_probes[i].event, zb_probes[i].trigger,
			       strerror(-err));
			return -1;
		}
	}
	return 0;
}

static pid_t zb_tgid(pid_t pid)
{
	char path[64], *buf, *p;
	pid_t tgid = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	buf = zb_read_all(path, NULL);
	if (!buf)
		return 0;
	p = strstr(buf, "\nTgid:");
	if (p)
		tgid = (pid_t)strtol(p + 6, NULL, 10);
	free(buf);
	return tgid;
}

/* Which side a task's copy goes to: 0 the sender, 1 the receiver, 2 other. */
typedef int (*zb_classify_fn)(pid_t pid, void *arg);

static int zb_trace_collect(zb_classify_fn classify, void *arg,
			    struct zb_copies *out)
{
	char *buf, *line, *save;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ZB_NPROBES; i++) {
		if (!zb_probes[i].on)
			continue;
		buf = tracefs_event_file_read(NULL, ZB_GROUP,
					      zb_probes[i].event, "hist", NULL);
		for (line = buf ? strtok_r(buf, "\n", &save) : NULL; line;
		     line = strtok_r(NULL, "\n", &save)) {
			char *pp = strstr(line, "common_pid:");
			char *pf = strstr(line, "common_flags:");
			char *pb = strstr(line, " bytes:");
			unsigned long long bytes;
			int sign = zb_probes[i].sign;
			unsigned long flags;
			pid_t pid;
			bool irq;
			int side;

			if (!pp || !pf || !pb)
				continue;
			pid = (pid_t)strtol(pp + 11, NULL, 10);
			flags = strtoul(pf + 13, NULL, 0);
			bytes = strtoull(pb + 7, NULL, 10) * sign;
			irq = flags & ZB_FLAGS_IRQ;
			side = classify(pid, arg);
			out->by_probe[i] += bytes;
			if (irq && side == 0)
				out->sirq_sender += bytes;
			else if (irq && side == 1)
				out->sirq_receiver += bytes;
			else if (irq)
				out->sirq_other += bytes;
			else if (side == 0)
				out->sender += bytes;
			else if (side == 1)
				out->receiver += bytes;
			else
				out->other += bytes;
		}
		free(buf);
		zb_trigger(&zb_probes[i], false);
	}
	out->missed = zb_trace_missed() - zb_missed_base;
	out->valid = true;
	return 0;
}

struct zb_pair {
	pid_t sender, receiver;
};

static int zb_classify_pair(pid_t pid, void *arg)
{
	const struct zb_pair *p = arg;
	pid_t tg = pid == p->sender || pid == p->receiver ? pid : zb_tgid(pid);

	return tg == p->sender ? 0 : tg == p->receiver ? 1 : 2;
}

int zb_trace_stop(struct zb_env *e, pid_t sender, pid_t receiver,
		  struct zb_copies *out)
{
	struct zb_pair p = { sender, receiver };

	(void)e;
	return zb_trace_collect(zb_classify_pair, &p, out);
}

/* A task's thread group and parent, from /proc/PID/stat; -1 if gone. */
static int zb_tgid_ppid(pid_t pid, pid_t *tgid, pid_t *ppid)
{
	char path[64], *buf, *p;

	*tgid = zb_tgid(pid);
	if (!*tgid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", *tgid);
	buf = zb_read_all(path, NULL);
	if (!buf)
		return -1;
	/* "pid (comm) state ppid ...": comm may hold spaces and parens */
	p = strrchr(buf, ')');
	*ppid = p ? (pid_t)strtol(p + 3, NULL, 10) : 0;
	free(buf);
	return 0;
}

struct zb_pids {
	const pid_t *pids;
	size_t n;
};

static int zb_classify_servers(pid_t pid, void *arg)
{
	const struct zb_pids *s = arg;
	pid_t tg, pp;
	size_t i;

	if (zb_tgid_ppid(pid, &tg, &pp))
		return 2;
	for (i = 0; i < s->n; i++)
		if (tg == s->pids[i] || pp == s->pids[i])
			return 0;
	return 2;
}

int zb_trace_stop_servers(const pid_t *servers, size_t n,
			  struct zb_copies *out)
{
	struct zb_pids s = { servers, n };

	return zb_trace_collect(zb_classify_servers, &s, out);
}
