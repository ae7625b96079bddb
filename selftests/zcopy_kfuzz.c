// SPDX-License-Identifier: GPL-2.0
/*
 * Coverage-guided fuzzing of zcopy.ko (the sanitizer kernel of make
 * check-debug, where zcopy.ko alone is built with KCOV).
 *
 * An input is a byte string read as a program of operations: open and
 * close /dev/zcopy, QUERY, POOL_REGISTER and POOL_UNREGISTER over an
 * arena of pages (some unmapped later), SEND with random segment lists of
 * pool and file segments, read() and poll() of completions, fork() with a
 * child that sends and exits, XFER_START with random attributes and any
 * other command, socket state changes (shutdown, reset, small buffers)
 * and file truncation. Each execution starts from the same state: a fresh
 * device file, a memfd of known bytes, and sockets of every kind and state
 * (TCP connected, listening, unconnected, shut down, reset by the peer,
 * kTLS when the kernel has it; UDP; AF_UNIX). Blocking calls are cut by a
 * 50 ms timer signal, which also drives the EINTR paths.
 *
 * KCOV_TRACE_PC records, per execution, the PCs of zcopy.ko it passed
 * (module text from /sys/module/zcopy/sections/.text); an input that
 * reaches a PC or an edge (pair of PCs) not seen before joins the corpus,
 * which mutation draws from. The invariants: every failing call fails
 * with an errno of its documented set and never a kernel-internal one
 * (512-530), completions are consistent, and after each execution no
 * pool, pinned page or outstanding transfer is left (netlink STATS_GET).
 * An input that breaks one is written to a file and replays with -r.
 *
 *   zcopy_kfuzz [-d SECONDS] [-s SEED] [-c CORPUS_DIR] [-o CRASH_DIR]
 *               [-r FILE] [-x] [-v]
 *
 * Defaults: 150 s (ZCOPY_KFUZZ_SECS), a seed from the clock (printed),
 * failing inputs into the current directory (and printed in hex, as
 * "kfuzz-input fail-N HEX", since a VM's files do not outlive it). The
 * corpus starts from CORPUS_DIR (default ./kfuzz-corpus if it exists),
 * each input of which is run and checked first: an input that once failed
 * stays there as a regression test. With -c new inputs are written there
 * too; -x prints them as "kfuzz-input corpus-N HEX" (tools/fuzz collects
 * both kinds out of the VM's log). Without KCOV (the Debian kernels) it
 * skips.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <elf.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <linux/kcov.h>
#include <linux/tls.h>

#include "zcopy_dbg.h"

#define COVER_SIZE	(256 << 10)	/* PCs one execution may record */
#define IN_MAX	512
#define MAX_CORPUS	4096
#define ARENA_PAGES	64
#define FILE_BYTES	(48 << 10)
#define NR_SOCKS	9
#define PC_BITS		16
#define EDGE_BITS	18

enum op {
	OP_OPEN, OP_CLOSE, OP_QUERY, OP_REGISTER, OP_UNREGISTER, OP_SEND,
	OP_READ, OP_POLL, OP_FORK, OP_NL_XFER, OP_NL_CMD, OP_DRAIN,
	OP_MUNMAP, OP_SOCK, OP_TRUNCATE, NR_OPS
};

static const char *const op_name[NR_OPS] = {
	"open", "close", "QUERY", "POOL_REGISTER", "POOL_UNREGISTER", "SEND",
	"read", "poll", "fork", "XFER_START", "netlink", "drain", "munmap",
	"socket", "truncate",
};

/*
 * The errnos each operation may fail with (zcopy.h, zcopy.md); EBADF and
 * ENOTTY when the "device" is a closed descriptor or the memfd.
 */
static const int allowed[NR_OPS][20] = {
	[OP_OPEN] = { EMFILE, ENFILE },
	[OP_QUERY] = { EFAULT, EINVAL, E2BIG, EBADF, ENOTTY },
	[OP_REGISTER] = { EFAULT, EINVAL, E2BIG, EOVERFLOW, EOPNOTSUPP,
			  ENOBUFS, EMFILE, EBADF, ENOTTY },
	[OP_UNREGISTER] = { EFAULT, EINVAL, E2BIG, ENOENT, EBADF, ENOTTY },
	[OP_SEND] = { EFAULT, EINVAL, E2BIG, EBADF, ENOTSOCK, EOPNOTSUPP,
		      ENOTCONN, ENOENT, ERANGE, EISDIR, EOVERFLOW, ENOBUFS,
		      EAGAIN, EPIPE, ECONNRESET, EINTR, ENOTTY },
	[OP_READ] = { EINVAL, EFAULT, EAGAIN, EINTR, EBADF },
	[OP_NL_XFER] = { EINVAL, ERANGE, EOPNOTSUPP, E2BIG, EBADF, ENOTSOCK,
			 ENOTCONN, ENOENT, EISDIR, EOVERFLOW, ENOBUFS, EAGAIN,
			 EPIPE, ECONNRESET, EINTR },
	[OP_NL_CMD] = { EINVAL, ERANGE, EOPNOTSUPP },
};

struct input {
	uint8_t b[IN_MAX];
	size_t n;
};

/* One execution's world, rebuilt identically before each input. */
struct world {
	int dev[2];
	int socks[NR_SOCKS], peers[NR_SOCKS];
	int file, dir;
	char *arena;
	__u32 pools[16];
	int nr_pools;
	const struct input *in;
	size_t pos;
	bool failed;
	char why[256];
};

static unsigned long *cover;
static int kcov_fd = -1;
static unsigned long text_lo, text_hi;
static unsigned long pc_seen[1 << PC_BITS];	/* the PCs themselves */
static uint8_t edge_seen[1 << EDGE_BITS];	/* a bit per edge hash */
static unsigned long nr_pcs, nr_edges;
static struct input *corpus;
static int nr_corpus;
static struct zd_nl nl;
static bool ktls_ok = true, verbose, export;
static long page;
static char pattern[FILE_BYTES];

static void on_alarm(int sig)
{
	(void)sig;
}

static uint8_t get8(struct world *w)
{
	return w->pos < w->in->n ? w->in->b[w->pos++] : 0;
}

static __u32 get32(struct world *w)
{
	return get8(w) | get8(w) << 8 | (__u32)get8(w) << 16 |
	       (__u32)get8(w) << 24;
}

/* A length or offset: mostly small and near page edges, now and then wild. */
static __u64 getlen(struct world *w)
{
	uint8_t k = get8(w);

	switch (k >> 6) {
	case 0:
		return k & 63;
	case 1:
		return (__u64)(k & 63) * page + (get8(w) & 3) - 1;
	case 2:
		return get32(w) & 0x3ffff;
	default:
		return (__u64)get32(w) << 32 | get32(w);
	}
}

static void fail(struct world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return;
	w->failed = true;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
}

static void check_errno(struct world *w, enum op op, long ret, int err)
{
	int i;

	if (ret >= 0)
		return;
	if (err >= 512 && err <= 530) {
		fail(w, "%s: kernel-internal errno %d", op_name[op], err);
		return;
	}
	for (i = 0; i < 20 && allowed[op][i]; i++)
		if (allowed[op][i] == err)
			return;
	fail(w, "%s: errno %d (%s) is not in its documented set", op_name[op],
	     err, strerror(err));
}

static int tcp_pair(int *a, int *b, bool listen_only)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*a = *b = -1;
	if (l < 0 || bind(l, (void *)&sin, sizeof(sin)) || listen(l, 4) ||
	    getsockname(l, (void *)&sin, &sl))
		goto err;
	if (listen_only) {
		*a = l;
		return 0;
	}
	*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*a < 0 || connect(*a, (void *)&sin, sizeof(sin)))
		goto err;
	*b = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	close(l);
	return *b < 0 ? -1 : 0;
err:
	if (l >= 0)
		close(l);
	if (*a >= 0)
		close(*a);
	*a = -1;
	return -1;
}

static void ktls_on(int fd)
{
	struct tls12_crypto_info_aes_gcm_128 ci = {
		.info.version = TLS_1_2_VERSION,
		.info.cipher_type = TLS_CIPHER_AES_GCM_128,
	};

	if (!ktls_ok)
		return;
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")) ||
	    setsockopt(fd, SOL_TLS, TLS_TX, &ci, sizeof(ci)))
		ktls_ok = false;
}

static void world_init(struct world *w)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int i, p[2];

	memset(w, 0, sizeof(*w));
	for (i = 0; i < NR_SOCKS; i++)
		w->socks[i] = w->peers[i] = -1;
	w->dev[0] = zd_dev_open();
	w->dev[1] = -1;
	tcp_pair(&w->socks[0], &w->peers[0], false);	/* connected */
	tcp_pair(&w->socks[1], &w->peers[1], false);	/* second one */
	tcp_pair(&w->socks[2], &w->peers[2], true);	/* listening */
	w->socks[3] = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!tcp_pair(&w->socks[4], &w->peers[4], false))	/* shut down */
		shutdown(w->socks[4], SHUT_WR);
	if (!tcp_pair(&w->socks[5], &w->peers[5], false)) {	/* reset */
		setsockopt(w->peers[5], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(w->peers[5]);
		w->peers[5] = -1;
	}
	if (!tcp_pair(&w->socks[6], &w->peers[6], false))	/* kTLS */
		ktls_on(w->socks[6]);
	w->socks[7] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p)) {
		w->socks[8] = p[0];
		w->peers[8] = p[1];
	}
	w->file = memfd_create("kfuzz", MFD_CLOEXEC);
	if (w->file >= 0 && write(w->file, pattern, FILE_BYTES) != FILE_BYTES)
		w->file = -1;
	w->dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	w->arena = mmap(NULL, ARENA_PAGES * page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->arena != MAP_FAILED)
		memcpy(w->arena, pattern, ARENA_PAGES * page < FILE_BYTES ?
		       ARENA_PAGES * page : FILE_BYTES);
}

static void drain(int fd)
{
	static char sink[65536];

	if (fd >= 0)
		while (recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
			;
}

static void world_fini(struct world *w)
{
	int i;

	for (i = 0; i < 2; i++)
		if (w->dev[i] >= 0)
			close(w->dev[i]);
	for (i = 0; i < NR_SOCKS; i++) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		/* Reset, not FIN: no TIME_WAIT, no port shortage. */
		drain(w->peers[i]);
		if (w->socks[i] >= 0) {
			setsockopt(w->socks[i], SOL_SOCKET, SO_LINGER, &lg,
				   sizeof(lg));
			close(w->socks[i]);
		}
		if (w->peers[i] >= 0)
			close(w->peers[i]);
	}
	if (w->file >= 0)
		close(w->file);
	if (w->dir >= 0)
		close(w->dir);
	if (w->arena != MAP_FAILED)
		munmap(w->arena, ARENA_PAGES * page);
}

/* A descriptor for a socket or file argument: mostly a meaningful one. */
static int pick_fd(struct world *w)
{
	uint8_t k = get8(w);

	if (k < 200)
		return w->socks[k % NR_SOCKS];
	switch (k % 8) {
	case 0: return w->file;
	case 1: return w->dir;
	case 2: return w->dev[0];
	case 3: return -1;
	case 4: return 1000;
	default: return w->peers[k % NR_SOCKS];
	}
}

static int pick_dev(struct world *w)
{
	uint8_t k = get8(w);

	return k == 255 ? w->file : w->dev[k & 1];
}

static __u32 pick_pool(struct world *w)
{
	uint8_t k = get8(w);

	if (w->nr_pools && k < 230)
		return w->pools[k % w->nr_pools];
	return k;
}

static void fill_segs(struct world *w, struct zcopy_seg *s, unsigned int n)
{
	unsigned int i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		uint8_t k = get8(w);

		s[i].type = k < 120 ? ZCOPY_SEG_POOL :
			    k < 240 ? ZCOPY_SEG_FILE : k;
		if (s[i].type == ZCOPY_SEG_POOL)
			s[i].id = pick_pool(w);
		else
			s[i].id = k & 1 ? (__u32)w->file : (__u32)pick_fd(w);
		s[i].offset = getlen(w);
		s[i].len = getlen(w);
		if (k == 119)
			s[i].flags = 1;
		if (k == 118)
			s[i].__reserved = 1;
	}
}

static void do_read(struct world *w)
{
	struct zcopy_completion c[4];
	uint8_t k = get8(w);
	size_t len = (k & 3) + 1;
	int fd = pick_dev(w);
	ssize_t r, i;

	len *= sizeof(c[0]);
	if (k & 4)
		len -= 1 + (k >> 4);
	r = read(fd, c, len);
	if (fd == w->file)	/* the memfd's own bytes */
		return;
	check_errno(w, OP_READ, r, errno);
	for (i = 0; r > 0 && i < r / (ssize_t)sizeof(c[0]); i++) {
		if (c[i].zc_bytes + c[i].copied_bytes != c[i].bytes ||
		    c[i].pool_bytes > c[i].bytes)
			fail(w, "completion: bytes %llu != zc %llu + copied %llu",
			     (unsigned long long)c[i].bytes,
			     (unsigned long long)c[i].zc_bytes,
			     (unsigned long long)c[i].copied_bytes);
		if (c[i].error <= -512 && c[i].error >= -530)
			fail(w, "completion: kernel-internal error %d",
			     c[i].error);
	}
}

static void do_send(struct world *w, int dev)
{
	struct zcopy_seg segs[8];
	struct zcopy_seg_result res[8];
	struct zcopy_send s = { .size = sizeof(s) };
	uint8_t k = get8(w);
	unsigned int n = (k & 7) + 1;
	long r;

	s.sockfd = pick_fd(w);
	fill_segs(w, segs, n);
	s.nr_segs = n;
	s.segs = (uintptr_t)segs;
	s.results = k & 8 ? (uintptr_t)res : 0;
	s.flags = k & 0x30 ? ZCOPY_SEND_DONTWAIT : 0;
	if (k & 0x40)
		s.flags |= ZCOPY_SEND_MORE;
	if (k == 0xff)
		s.flags = get32(w);
	if (k == 0xfe)
		s.nr_segs = get32(w);
	if (k == 0xfd)
		s.size = get8(w);
	s.cookie = w->pos;
	r = ioctl(dev, ZCOPY_IOC_SEND, &s);
	check_errno(w, OP_SEND, r, errno);
	if (!r && (s.bytes_sent > FILE_BYTES * 8ULL || s.stop_seg > n ||
		   s.stop_reason > ZCOPY_STOP_NOT_CACHED))
		fail(w, "SEND: inconsistent result: sent %llu stop %u/%u",
		     (unsigned long long)s.bytes_sent, s.stop_seg, s.stop_reason);
}

static void do_nl_xfer(struct world *w)
{
	char req[2048];
	struct nlmsghdr *n = zd_genl_msg(&nl, req, nl.family,
					 ZCOPY_CMD_XFER_START, 0);
	uint8_t k = get8(w), nsegs = get8(w) % 6, i;
	__u32 v;
	int r;
	__u64 c = w->pos;

	if (k & 1) {
		v = pick_fd(w);
		zd_nla_put(n, ZCOPY_A_XFER_SOCKFD, &v, 4);
	}
	if (k & 2) {
		v = pick_dev(w);
		zd_nla_put(n, ZCOPY_A_XFER_DEVFD, &v, 4);
	}
	if (k & 4) {
		v = k & 8 ? get32(w) : ZCOPY_SEND_DONTWAIT;
		zd_nla_put(n, ZCOPY_A_XFER_FLAGS, &v, 4);
	}
	if (k & 16)
		zd_nla_put(n, ZCOPY_A_XFER_COOKIE, &c, k & 32 ? 4 : 8);
	for (i = 0; i < nsegs; i++) {
		struct zcopy_seg s;
		struct nlattr *nest = zd_nla_put(n, ZCOPY_A_XFER_SEG | NLA_F_NESTED,
						 NULL, 0);
		uint8_t m = get8(w);
		__u64 off, len;

		fill_segs(w, &s, 1);
		off = s.offset;
		len = s.len;
		if (!(m & 1))
			zd_nla_put(n, ZCOPY_A_SEG_TYPE, &s.type, 4);
		if (!(m & 2))
			zd_nla_put(n, ZCOPY_A_SEG_ID, &s.id, 4);
		if (!(m & 4))
			zd_nla_put(n, ZCOPY_A_SEG_OFFSET, &off, 8);
		if (!(m & 8))
			zd_nla_put(n, ZCOPY_A_SEG_LEN, &len, m & 16 ? 4 : 8);
		if (m == 0xff)
			zd_nla_put(n, ZCOPY_A_SEG_MAX + 1, &len, 8);
		nest->nla_len = (char *)n + n->nlmsg_len - (char *)nest;
	}
	if (k == 0xff)
		zd_nla_put(n, ZCOPY_A_XFER_MAX + 1, &c, 8);
	r = zd_nl_transact(&nl, n, NULL, NULL);
	check_errno(w, OP_NL_XFER, r, -r);
}

static void do_nl_cmd(struct world *w)
{
	char req[512];
	uint8_t k = get8(w), cmd = get8(w) % (ZCOPY_CMD_MAX + 3);
	struct nlmsghdr *n = zd_genl_msg(&nl, req, nl.family, cmd,
					 k & 1 ? NLM_F_DUMP : 0);
	int r, na = (k >> 1) & 3;

	/* A reset now and then, but not so often it hides the counters. */
	if (cmd == ZCOPY_CMD_STATS_RESET && k < 250)
		cmd = ZCOPY_CMD_STATS_GET;
	((struct genlmsghdr *)NLMSG_DATA(n))->cmd = cmd;
	while (na--) {
		__u64 v = getlen(w);

		zd_nla_put(n, get8(w) % 24, &v, get8(w) % 9);
	}
	if (k == 0xfe)
		((struct genlmsghdr *)NLMSG_DATA(n))->reserved = 1;
	r = zd_nl_transact(&nl, n, NULL, NULL);
	check_errno(w, OP_NL_CMD, r, -r);
}

static void do_fork(struct world *w)
{
	struct zcopy_seg s = { .type = ZCOPY_SEG_FILE, .len = 4096 };
	int dev = pick_dev(w), sock = pick_fd(w), st;
	pid_t pid;

	s.id = w->file;
	pid = fork();
	if (pid == 0) {
		struct zcopy_send snd = { .size = sizeof(snd), .sockfd = sock,
					  .nr_segs = 1, .segs = (uintptr_t)&s,
					  .flags = ZCOPY_SEND_DONTWAIT };
		struct zcopy_completion c;
		struct pollfd pfd = { .fd = dev, .events = POLLIN };

		if (!ioctl(dev, ZCOPY_IOC_SEND, &snd) && poll(&pfd, 1, 100) > 0 &&
		    read(dev, &c, sizeof(c)) < 0)
			_exit(1);
		_exit(0);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

static void run_op(struct world *w)
{
	struct itimerval it = { .it_value.tv_usec = 50000 };
	enum op op = get8(w) % NR_OPS;
	struct zcopy_pool_register reg = { .size = sizeof(reg) };
	struct zcopy_pool_unregister unreg = { .size = sizeof(unreg) };
	struct zcopy_query q = { .size = sizeof(q) };
	struct pollfd pfd;
	uint8_t k;
	long r;
	int i, fd;

	setitimer(ITIMER_REAL, &it, NULL);
	switch (op) {
	case OP_OPEN:
		i = get8(w) & 1;
		if (w->dev[i] < 0) {
			w->dev[i] = zd_dev_open();
			check_errno(w, op, w->dev[i], errno);
		}
		break;
	case OP_CLOSE:
		i = get8(w) & 1;
		if (w->dev[i] >= 0)
			close(w->dev[i]);
		w->dev[i] = -1;
		break;
	case OP_QUERY:
		k = get8(w);
		q.size = k < 128 ? sizeof(q) : k;
		q.flags = k == 1;
		r = ioctl(pick_dev(w), ZCOPY_IOC_QUERY, &q);
		check_errno(w, op, r, errno);
		break;
	case OP_REGISTER:
		k = get8(w);
		reg.addr = (uintptr_t)w->arena + (k % ARENA_PAGES) * page;
		reg.len = getlen(w);
		if (get8(w) == 0)
			reg.addr += 8;
		if (k == 0xff)
			reg.flags = 1;
		r = ioctl(pick_dev(w), ZCOPY_IOC_POOL_REGISTER, &reg);
		check_errno(w, op, r, errno);
		if (!r && w->nr_pools < 16)
			w->pools[w->nr_pools++] = reg.pool_id;
		break;
	case OP_UNREGISTER:
		unreg.pool_id = pick_pool(w);
		r = ioctl(pick_dev(w), ZCOPY_IOC_POOL_UNREGISTER, &unreg);
		check_errno(w, op, r, errno);
		break;
	case OP_SEND:
		do_send(w, pick_dev(w));
		break;
	case OP_READ:
		do_read(w);
		break;
	case OP_POLL:
		pfd.fd = pick_dev(w);
		pfd.events = POLLIN | POLLOUT;
		poll(&pfd, 1, get8(w) & 1 ? 10 : 0);
		break;
	case OP_FORK:
		do_fork(w);
		break;
	case OP_NL_XFER:
		do_nl_xfer(w);
		break;
	case OP_NL_CMD:
		do_nl_cmd(w);
		break;
	case OP_DRAIN:
		drain(w->peers[get8(w) % NR_SOCKS]);
		break;
	case OP_MUNMAP:
		k = get8(w);
		i = k % ARENA_PAGES;	/* never past the arena */
		munmap(w->arena + i * page,
		       (ARENA_PAGES - i < (k >> 4) + 1 ? ARENA_PAGES - i : (k >> 4) + 1) * page);
		break;
	case OP_SOCK:
		k = get8(w);
		i = k % NR_SOCKS;
		fd = w->socks[i];
		switch ((k >> 4) % 4) {
		case 0:
			shutdown(fd, SHUT_WR);
			break;
		case 1:
			r = 4096;
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &r, sizeof(int));
			break;
		case 2:
			fcntl(fd, F_SETFL, O_NONBLOCK);
			break;
		default:
			if (w->peers[i] >= 0) {
				struct linger lg = { 1, 0 };

				setsockopt(w->peers[i], SOL_SOCKET, SO_LINGER,
					   &lg, sizeof(lg));
				close(w->peers[i]);
				w->peers[i] = -1;
			}
		}
		break;
	case OP_TRUNCATE:
		if (ftruncate(w->file, getlen(w) & 0xffff))
			break;
		break;
	default:
		break;
	}
	it.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
}

static unsigned long hash(unsigned long x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

/* Run one input; true if it reached a PC or edge not seen before. */
static bool execute(const struct input *in, struct world *w)
{
	unsigned long i, n, prev = 0;
	bool fresh = false;
	struct zd_stats st;

	world_init(w);
	w->in = in;
	__atomic_store_n(&cover[0], 0, __ATOMIC_RELAXED);
	while (w->pos < in->n && !w->failed)
		run_op(w);
	n = __atomic_load_n(&cover[0], __ATOMIC_RELAXED);
	world_fini(w);
	if (n >= COVER_SIZE)
		n = COVER_SIZE - 1;
	for (i = 0; i < n; i++) {
		unsigned long pc = cover[i + 1], h;

		if (pc < text_lo || pc >= text_hi)
			continue;
		for (h = hash(pc) & ((1 << PC_BITS) - 1); pc_seen[h] && pc_seen[h] != pc;
		     h = (h + 1) & ((1 << PC_BITS) - 1))
			;
		if (!pc_seen[h] && nr_pcs < (1 << PC_BITS) - 1) {
			pc_seen[h] = pc;
			nr_pcs++;
			fresh = true;
		}
		h = hash(pc ^ (prev << 1)) & ((1 << EDGE_BITS) - 1);
		if (!edge_seen[h]) {
			edge_seen[h] = 1;
			nr_edges++;
			fresh = true;
		}
		prev = pc;
	}
	if (!w->failed && zd_wait_idle(&nl, &st, 3000))
		fail(w, "left behind after the input: %llu pools, %llu pinned pages, %llu outstanding",
		     (unsigned long long)st.v[ZCOPY_A_STATS_POOLS],
		     (unsigned long long)st.v[ZCOPY_A_STATS_PINNED_PAGES],
		     (unsigned long long)st.v[ZCOPY_A_STATS_OUTSTANDING]);
	return fresh;
}

static void mutate(struct input *in, uint64_t *rs)
{
	int rounds = 1 + zd_rand(rs) % 4;

	while (rounds--) {
		uint64_t r = zd_rand(rs);
		size_t at = in->n ? r % in->n : 0;

		switch ((r >> 32) % 6) {
		case 0:	/* flip a bit */
			if (in->n)
				in->b[at] ^= 1 << ((r >> 40) & 7);
			break;
		case 1:	/* a random byte */
			if (in->n)
				in->b[at] = r >> 40;
			break;
		case 2:	/* insert a few random bytes (a new operation) */
		case 3: {
			size_t k = 1 + (r >> 40) % 8;

			if (in->n + k > IN_MAX)
				break;
			memmove(in->b + at + k, in->b + at, in->n - at);
			for (size_t j = 0; j < k; j++)
				in->b[at + j] = zd_rand(rs);
			in->n += k;
			break;
		}
		case 4:	/* delete a few */
			if (in->n > 8) {
				size_t k = 1 + (r >> 40) % 8;

				if (at + k > in->n)
					k = in->n - at;
				memmove(in->b + at, in->b + at + k, in->n - at - k);
				in->n -= k;
			}
			break;
		default: /* splice in the tail of another corpus entry */
			if (nr_corpus) {
				const struct input *o = &corpus[(r >> 40) % nr_corpus];
				size_t from = o->n ? zd_rand(rs) % o->n : 0;
				size_t k = o->n - from;

				if (at + k > IN_MAX)
					k = IN_MAX - at;
				memcpy(in->b + at, o->b + from, k);
				if (at + k > in->n)
					in->n = at + k;
			}
		}
	}
}

static int save(const char *dir, const char *what, unsigned long nr,
		const struct input *in, char *path, size_t plen)
{
	int fd;

	snprintf(path, plen, "%s/%s-%06lu.bin", dir, what, nr);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, in->b, in->n) != (ssize_t)in->n) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static void print_hex(const char *what, unsigned long nr,
		      const struct input *in)
{
	size_t i;

	printf("# kfuzz-input %s-%06lu ", what, nr);
	for (i = 0; i < in->n; i++)
		printf("%02x", in->b[i]);
	printf("\n");
}

static int load(const char *path, struct input *in)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, in->b, IN_MAX);
	close(fd);
	if (r < 0)
		return -1;
	in->n = r;
	return 0;
}

static unsigned long read_hex(const char *path)
{
	char b[64] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(b, sizeof(b), f))
		b[0] = 0;
	fclose(f);
	return strtoul(b, NULL, 0);
}

/*
 * The call sites of __sanitizer_cov_trace_pc in zcopy.ko: the PCs there
 * are to reach (its relocations against that symbol, in code sections).
 */
static long count_sites(const char *ko)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;
	long sites = -1, i, j, sym = -1;
	char *m;

	if (fd < 0 || fstat(fd, &sb))
		return -1;
	m = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	eh = (Elf64_Ehdr *)m;
	sh = (Elf64_Shdr *)(m + eh->e_shoff);
	for (i = 0; i < eh->e_shnum && sym < 0; i++) {
		Elf64_Sym *s = (Elf64_Sym *)(m + sh[i].sh_offset);
		const char *str = m + sh[sh[i].sh_link].sh_offset;

		if (sh[i].sh_type != SHT_SYMTAB)
			continue;
		for (j = 0; j < (long)(sh[i].sh_size / sizeof(*s)); j++)
			if (!strcmp(str + s[j].st_name, "__sanitizer_cov_trace_pc"))
				sym = j;
	}
	for (i = 0; sym >= 0 && i < eh->e_shnum; i++) {
		Elf64_Rela *r = (Elf64_Rela *)(m + sh[i].sh_offset);

		if (sh[i].sh_type != SHT_RELA ||
		    !(sh[sh[i].sh_info].sh_flags & SHF_EXECINSTR))
			continue;
		if (sites < 0)
			sites = 0;
		for (j = 0; j < (long)(sh[i].sh_size / sizeof(*r)); j++)
			sites += ELF64_R_SYM(r[j].r_info) == (unsigned long)sym;
	}
	munmap(m, sb.st_size);
	return sites;
}

static int kcov_open(char *why, size_t len)
{
	kcov_fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	if (kcov_fd < 0) {
		snprintf(why, len, "no /sys/kernel/debug/kcov (%s): the kernel has no KCOV",
			 strerror(errno));
		return -1;
	}
	if (ioctl(kcov_fd, KCOV_INIT_TRACE, COVER_SIZE)) {
		snprintf(why, len, "KCOV_INIT_TRACE: %s", strerror(errno));
		return -1;
	}
	cover = mmap(NULL, COVER_SIZE * sizeof(unsigned long),
		     PROT_READ | PROT_WRITE, MAP_SHARED, kcov_fd, 0);
	if (cover == MAP_FAILED || ioctl(kcov_fd, KCOV_ENABLE, KCOV_TRACE_PC)) {
		snprintf(why, len, "KCOV_ENABLE: %s", strerror(errno));
		return -1;
	}
	text_lo = read_hex("/sys/module/zcopy/sections/.text");
	text_hi = text_lo + read_hex("/sys/module/zcopy/coresize");
	if (!text_lo) {
		snprintf(why, len, "zcopy.ko is not loaded (or no module sections)");
		return -1;
	}
	return 0;
}

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s [-d SECONDS] [-s SEED] [-c CORPUS_DIR] [-o CRASH_DIR] [-r FILE] [-v]\n",
		me);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "crashes", required_argument, NULL, 'o' },
		{ "replay", required_argument, NULL, 'r' },
		{ "export", no_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' },
		{ }
	};
	const char *env = getenv("ZCOPY_KFUZZ_SECS"), *ko = getenv("ZCOPY_KO");
	const char *corpus_dir = NULL, *crash_dir = ".", *replay = NULL;
	bool keep = false;
	unsigned long secs = env ? strtoul(env, NULL, 10) : 150, execs = 0;
	uint64_t seed = (uint64_t)time(NULL) ^ getpid(), rs, start, end;
	unsigned long failures = 0;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct input cur;
	struct world w;
	char why[256], path[4096];
	long sites, refs;
	int c, i;

	while ((c = getopt_long(argc, argv, "d:s:c:o:r:xv", opts, NULL)) != -1) {
		switch (c) {
		case 'd': secs = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'c': corpus_dir = optarg; keep = true; break;
		case 'o': crash_dir = optarg; break;
		case 'r': replay = optarg; break;
		case 'x': export = true; break;
		case 'v': verbose = true; break;
		default: usage(argv[0]);
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	if (geteuid()) {
		printf("ok 1 kfuzz # SKIP needs root\n");
		return ZD_SKIP;
	}
	if (kcov_open(why, sizeof(why))) {
		printf("ok 1 kfuzz # SKIP %s\n", why);
		return ZD_SKIP;
	}
	if (zd_nl_open(&nl)) {
		printf("not ok 1 kfuzz # the zcopy netlink family is missing\n");
		return 1;
	}
	page = sysconf(_SC_PAGESIZE);
	for (i = 0; i < FILE_BYTES; i++)
		pattern[i] = i % 251;
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	refs = zd_module_refcnt();
	corpus = calloc(MAX_CORPUS, sizeof(*corpus));
	if (!corpus)
		return 1;

	if (replay) {
		if (load(replay, &cur)) {
			printf("not ok 1 kfuzz replay %s: %s\n", replay, strerror(errno));
			return 1;
		}
		execute(&cur, &w);
		printf("%s 1 kfuzz replay %s%s%s\n", w.failed ? "not ok" : "ok",
		       replay, w.failed ? ": " : "", w.failed ? w.why : "");
		return w.failed;
	}

	printf("# seed %llu (replay the run with -s %llu), %lu s\n",
	       (unsigned long long)seed, (unsigned long long)seed, secs);
	rs = seed;
	if (!corpus_dir && !access("kfuzz-corpus", F_OK))
		corpus_dir = "kfuzz-corpus";
	if (corpus_dir) {
		DIR *d = opendir(corpus_dir);
		struct dirent *de;

		if (!d && !mkdir(corpus_dir, 0755))
			d = opendir(corpus_dir);
		while (d && (de = readdir(d)) && nr_corpus < MAX_CORPUS) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", corpus_dir, de->d_name);
			if (load(path, &corpus[nr_corpus]))
				continue;
			execute(&corpus[nr_corpus], &w);
			if (w.failed) {
				printf("# FAIL %s: %s\n", path, w.why);
				failures++;
			}
			nr_corpus++;
		}
		if (d)
			closedir(d);
		printf("# %d corpus inputs loaded from %s\n", nr_corpus, corpus_dir);
	}
	start = zd_now_ms();
	end = start + secs * 1000;
	while (zd_now_ms() < end) {
		if (nr_corpus && zd_rand(&rs) % 8) {
			cur = corpus[zd_rand(&rs) % nr_corpus];
			mutate(&cur, &rs);
		} else {
			cur.n = 8 + zd_rand(&rs) % 64;
			for (size_t j = 0; j < cur.n; j++)
				cur.b[j] = zd_rand(&rs);
		}
		execs++;
		if (execute(&cur, &w) && !w.failed && nr_corpus < MAX_CORPUS) {
			corpus[nr_corpus++] = cur;
			if (keep)
				save(corpus_dir, "input", execs, &cur, path,
				     sizeof(path));
			if (export)
				print_hex("corpus", execs, &cur);
			if (verbose)
				printf("# exec %lu: new coverage, %lu PCs %lu edges\n",
				       execs, nr_pcs, nr_edges);
		}
		if (w.failed) {
			failures++;
			if (save(crash_dir, "kfuzz-fail", execs, &cur, path,
				 sizeof(path)))
				snprintf(path, sizeof(path), "(not saved: %s)",
					 strerror(errno));
			printf("# FAIL exec %lu: %s\n#   input %s: replay with zcopy_kfuzz -r %s\n",
			       execs, w.why, path, path);
			print_hex("fail", execs, &cur);
			if (failures >= 5)
				break;
		}
		if (execs % 500 == 0)
			printf("# %lu execs, corpus %d, %lu PCs, %lu edges\n",
			       execs, nr_corpus, nr_pcs, nr_edges);
	}
	sites = count_sites(ko ? ko : "/dev/null");
	printf("# %lu execs in %.0f s (%.1f/s), corpus %d, %lu PCs reached",
	       execs, (zd_now_ms() - start) / 1000.0,
	       execs * 1000.0 / (zd_now_ms() - start + 1), nr_corpus, nr_pcs);
	if (sites > 0)
		printf(" of %ld call sites in zcopy.ko (%.1f%%)", sites,
		       100.0 * nr_pcs / sites);
	printf(", %lu edges\n", nr_edges);
	if (zd_module_refcnt() != refs) {
		printf("# module refcount %ld, was %ld\n", zd_module_refcnt(), refs);
		failures++;
	}
	printf("%s 1 kfuzz\n", failures ? "not ok" : "ok");
	return failures ? 1 : 0;
}
