// SPDX-License-Identifier: GPL-2.0
/*
 * Adversarial inputs: a seeded, bounded random-argument fuzzer for every
 * entry point of zcopy.ko.
 *
 *   ioctls   QUERY, POOL_REGISTER, POOL_UNREGISTER, SEND, unknown numbers,
 *            and read() of completions
 *   netlink  INFO_GET, STATS_GET, STATS_RESET, POOL_GET (dump), XFER_START,
 *            unknown commands
 *
 * Arguments are random sizes (around the struct versions, up to and past
 * PAGE_SIZE), flags, reserved fields and trailing bytes, pointers to
 * unmapped, read-only, PROT_NONE and kernel addresses and to structs that
 * run into an unmapped page, huge counts and lengths, and descriptors of
 * every kind (TCP connected, listening, unconnected, shut down; MPTCP; UDP;
 * AF_UNIX; netlink; packet; pipe; eventfd; directory; /dev/null; memfd;
 * regular and write-only files; /dev/zcopy itself; closed and negative
 * numbers). Every call must succeed or fail with an errno of the
 * documented contract for that operation (zcopy.h, Documentation/
 * zcopy.md); afterwards, with every descriptor closed, no page may stay
 * pinned, no pool registered, no transfer outstanding, and the module
 * refcount must be back to where it was.
 *
 * ZCOPY_SEED sets the seed (printed), ZCOPY_FUZZ_ITERS the number of
 * inputs per test (default 150000 ioctl/read, 40000 netlink),
 * ZCOPY_FUZZ_SECS the time per test
 * (default 20 s): whichever ends first.
 */

#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <linux/if_ether.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

#define KADDR	0xffffffff81000000ULL
#define KADDR2	0xffff888000100000ULL

enum fz_op {
	OP_QUERY, OP_REGISTER, OP_UNREGISTER, OP_SEND, OP_UNKNOWN_IOCTL,
	OP_READ,
	OP_NL_INFO, OP_NL_STATS, OP_NL_RESET, OP_NL_POOLS, OP_NL_XFER,
	OP_NL_UNKNOWN,
	NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"QUERY", "POOL_REGISTER", "POOL_UNREGISTER", "SEND", "unknown ioctl",
	"read", "INFO_GET", "STATS_GET", "STATS_RESET", "POOL_GET dump",
	"XFER_START", "unknown command",
};


/* The errnos each operation may answer with (0 = success is separate). */
static const int allowed[NR_OPS][20] = {
	[OP_QUERY] = { EFAULT, EINVAL, E2BIG },
	[OP_REGISTER] = { EFAULT, EINVAL, E2BIG, EOVERFLOW, EOPNOTSUPP, ENOBUFS, EMFILE },
	[OP_UNREGISTER] = { EFAULT, EINVAL, E2BIG, ENOENT },
	[OP_SEND] = { EFAULT, EINVAL, E2BIG, EBADF, ENOTSOCK, EOPNOTSUPP, ENOTCONN, ENOENT, ERANGE, EISDIR, EOVERFLOW, ENOBUFS, EAGAIN, EPIPE, ECONNRESET, EINTR },
	[OP_UNKNOWN_IOCTL] = { ENOTTY },
	[OP_READ] = { EINVAL, EFAULT, EAGAIN },
	/* Strict policies: unknown/ill-sized attributes, reserved bytes. */
	[OP_NL_INFO] = { EINVAL, ERANGE, EOPNOTSUPP },
	[OP_NL_STATS] = { EINVAL, ERANGE, EOPNOTSUPP },
	[OP_NL_RESET] = { EINVAL, ERANGE, EOPNOTSUPP },
	[OP_NL_POOLS] = { EINVAL, ERANGE, EOPNOTSUPP },
	[OP_NL_XFER] = { EINVAL, ERANGE, EOPNOTSUPP, E2BIG, EBADF, ENOTSOCK, ENOTCONN, ENOENT, EISDIR, EOVERFLOW, ENOBUFS, EAGAIN, EPIPE, ECONNRESET, EINTR },
	[OP_NL_UNKNOWN] = { EOPNOTSUPP, EINVAL },
};

#define NR_ERRNO 134

static bool is_allowed(enum fz_op op, int err)
{
	int i;

	for (i = 0; i < 20 && allowed[op][i]; i++)
		if (allowed[op][i] == err)
			return true;
	return false;
}

struct fz_stats {
	unsigned long tried[NR_OPS], ok[NR_OPS], bad[NR_OPS];
	unsigned long err[NR_OPS][NR_ERRNO];
};

/* Descriptors of every kind, and addresses of every kind. */
#define MAX_FDS 48
#define MAX_IDS 80

FIXTURE(fuzz)
{
	int dev;
	struct zcopy_query q;
	int fds[MAX_FDS];
	int nr_fds;
	int tcp_snd, tcp_rcv, memfd, regfd;
	unsigned char *arena;	/* 16 pages, see FIXTURE_SETUP */
	size_t page;
	__u32 ids[MAX_IDS];
	int nr_ids;
	struct zu_leak_base base;
	uint64_t rng;
	struct fz_stats st;
	pthread_t drain;
	volatile bool stop;
	int drain_fd;
	int iters, secs;
	unsigned long compl_read;	/* completion records read */
	unsigned long compl_want;	/* successful sends queueing on dev */
	int xfer_devfd;			/* DEVFD of the last XFER_START */
	/*
	 * Kernel-run transfers started (netlink): each must end with one
	 * XFER_DONE (then a record on dev, if it named dev) or SEND_FAILED,
	 * which @mon_fd (joined to the events) hears.
	 */
	int mon_fd;
	__u32 *xfer_ids;
	bool *xfer_on_dev;
	int nr_xfers;
	uint16_t family;
	char printk[64];		/* /proc/sys/kernel/printk as found */
	/* Our ends of a pipe and a socket pair whose other ends are fuzzed */
	int canary_pipe, canary_sock;
};

/*
 * The arena: pages 0-1 read-write (ioctl structs), 2-7 read-write (data,
 * pools), 8 read-write just before 9, a hole (unmapped), 10-11 read-only,
 * 12 PROT_NONE, 13 read-write (segment arrays), 14-15 a shared memfd
 * mapping.
 */
enum { A_RW = 0, A_DATA = 2, A_EDGE = 8, A_HOLE = 9, A_RO = 10,
       A_NONE = 12, A_SEGS = 13, A_MEMFD = 14, A_PAGES = 16 };

static void *drain_fn(void *arg)
{
	FIXTURE_DATA(fuzz) *self = arg;
	static char buf[65536];
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!self->stop) {
		if (zu_wait_fd(self->drain_fd, POLLIN, 100))
			continue;
		if (recv(self->drain_fd, buf, sizeof(buf), MSG_DONTWAIT) == 0)
			break;
	}
	return NULL;
}

static int add_fd(FIXTURE_DATA(fuzz) *self, int fd)
{
	if (fd >= 0 && self->nr_fds < MAX_FDS)
		self->fds[self->nr_fds++] = fd;
	return fd;
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

FIXTURE_SETUP(fuzz)
{
	struct timeval tmo = { 2, 0 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int p[2], s, i;
	char buf[4096];

	self->dev = -1;
	self->nr_fds = 0;
	self->arena = NULL;
	self->stop = false;
	self->drain_fd = -1;
	self->printk[0] = 0;
	self->canary_pipe = self->canary_sock = -1;
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_leak_base(&self->base));
	/*
	 * Malformed netlink messages make the kernel log a (rate-limited)
	 * warning each: keep them in the log but off the serial console,
	 * which under emulation is slow enough to matter.
	 */
	i = zu_read_file("/proc/sys/kernel/printk", self->printk,
			 sizeof(self->printk) - 1);
	self->printk[i > 0 ? i : 0] = 0;
	if (i > 0)
		zu_write_file("/proc/sys/kernel/printk", "4");
	self->rng = zu_seed(_metadata->name);
	self->iters = env_int("ZCOPY_FUZZ_ITERS",
			      strstr(_metadata->name, "netlink") ? 40000 : 150000);
	self->secs = env_int("ZCOPY_FUZZ_SECS", 20);
	memset(&self->st, 0, sizeof(self->st));
	self->compl_read = self->compl_want = 0;
	self->mon_fd = -1;
	self->xfer_ids = NULL;
	self->xfer_on_dev = NULL;
	self->nr_xfers = 0;
	self->page = ZU_PAGE;

	/* Completions are read without blocking. */
	ASSERT_EQ(0, zu_set_nonblock(self->dev, true));
	add_fd(self, self->dev);

	ASSERT_EQ(0, zu_tcp_pair(&self->tcp_snd, &self->tcp_rcv));
	setsockopt(self->tcp_snd, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));
	add_fd(self, self->tcp_snd);
	/* Small fd numbers get picked at random: it must not block either. */
	setsockopt(self->tcp_rcv, SOL_SOCKET, SO_SNDTIMEO, &tmo, sizeof(tmo));
	self->drain_fd = self->tcp_rcv;
	ASSERT_EQ(0, pthread_create(&self->drain, NULL, drain_fn, self));

	/* A second connection, shut down for writing: EPIPE. */
	ASSERT_EQ(0, zu_tcp_pair(&p[0], &p[1]));
	shutdown(p[0], SHUT_WR);
	add_fd(self, p[0]);
	add_fd(self, p[1]);
	/* Listening, unconnected, IPv6 unconnected, UDP (bound, connected). */
	s = add_fd(self, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && !bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		listen(s, 1);
	add_fd(self, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	add_fd(self, socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
	add_fd(self, socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	/* MPTCP (262), where the kernel has it. */
	add_fd(self, socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 262));
	s = add_fd(self, socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	sa.sin_port = htons(9);
	if (s >= 0)
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
	add_fd(self, socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP));
	add_fd(self, socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
			    htons(ETH_P_ALL)));
	add_fd(self, socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			    NETLINK_GENERIC));
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p)) {
		add_fd(self, p[0]);
		add_fd(self, p[1]);
	}
	if (!socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, p)) {
		add_fd(self, p[0]);
		add_fd(self, p[1]);
	}
	if (!pipe2(p, O_CLOEXEC)) {
		add_fd(self, p[0]);
		add_fd(self, p[1]);
	}
	/*
	 * Canaries: once every fuzzed descriptor is closed, the other end
	 * sees the hang-up, unless the kernel kept a reference to the file.
	 */
	if (!pipe2(p, O_CLOEXEC)) {
		self->canary_pipe = p[0];
		add_fd(self, p[1]);
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p)) {
		self->canary_sock = p[0];
		add_fd(self, p[1]);
	}
	add_fd(self, eventfd(0, EFD_CLOEXEC));
	add_fd(self, open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	add_fd(self, open("/dev/null", O_RDWR | O_CLOEXEC));
	add_fd(self, open("/proc/self/status", O_RDONLY | O_CLOEXEC));
	add_fd(self, open("/tmp", O_PATH | O_CLOEXEC));
	self->memfd = add_fd(self, memfd_create("zcopy-fuzz", MFD_CLOEXEC));
	ASSERT_LE(0, self->memfd);
	zu_fill(buf, sizeof(buf), 1);
	for (i = 0; i < 16; i++)
		ASSERT_EQ((ssize_t)sizeof(buf), write(self->memfd, buf,
						      sizeof(buf)));
	self->regfd = add_fd(self, zu_tmpfile("/tmp", buf, sizeof(buf)));
	ASSERT_LE(0, self->regfd);
	s = add_fd(self, open("/tmp/zcopy-fuzz-wronly",
			      O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	unlink("/tmp/zcopy-fuzz-wronly");
	/* A second /dev/zcopy: its pools are not ours. */
	add_fd(self, zu_dev_open_raw(0));

	self->arena = mmap(NULL, A_PAGES * self->page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->arena);
	memset(self->arena, 0, A_PAGES * self->page);
	zu_fill(self->arena + A_DATA * self->page, 6 * self->page, 2);
	ASSERT_EQ(0, mprotect(self->arena + A_RO * self->page,
			      2 * self->page, PROT_READ));
	ASSERT_EQ(0, mprotect(self->arena + A_NONE * self->page, self->page,
			      PROT_NONE));
	ASSERT_EQ(0, munmap(self->arena + A_HOLE * self->page, self->page));
	/* Blocking sends on sockets nobody reads must not hang the run. */
	tmo.tv_sec = 0;
	tmo.tv_usec = 200000;
	for (i = 0; i < self->nr_fds; i++)
		if (self->fds[i] != self->tcp_snd)
			setsockopt(self->fds[i], SOL_SOCKET, SO_SNDTIMEO,
				   &tmo, sizeof(tmo));
	ASSERT_NE(MAP_FAILED, mmap(self->arena + A_MEMFD * self->page,
				   2 * self->page, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, self->memfd, 0));
	self->nr_ids = 0;
}

FIXTURE_TEARDOWN(fuzz)
{
	char level[16];
	int i;

	/* The first field, the console log level, is the one we changed. */
	if (self->printk[0] && sscanf(self->printk, "%15s", level) == 1)
		zu_write_file("/proc/sys/kernel/printk", level);
	if (self->drain_fd >= 0) {
		self->stop = true;
		pthread_join(self->drain, NULL);
	}
	for (i = 0; i < self->nr_fds; i++)
		close(self->fds[i]);
	if (self->arena)
		munmap(self->arena, A_PAGES * self->page);
	zu_close(&self->canary_pipe);
	zu_close(&self->canary_sock);
}

static uint64_t rnd(FIXTURE_DATA(fuzz) *self, uint64_t lo, uint64_t hi)
{
	return zu_rand_range(&self->rng, lo, hi);
}

static bool chance(FIXTURE_DATA(fuzz) *self, int pct)
{
	return (int)rnd(self, 0, 99) < pct;
}

/* A value of a field: interesting boundaries, small, or anything. */
static uint64_t rnd_u64(FIXTURE_DATA(fuzz) *self)
{
	static const uint64_t edges[] = {
		0, 1, 2, 3, 4095, 4096, 4097, 65535, 65536, 0x7ffff000,
		0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x40000000, 0x40000001, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0xfffffffffffff000ULL, ~0ULL,
	};

	switch (rnd(self, 0, 3)) {
	case 0:
		return edges[rnd(self, 0, sizeof(edges) / sizeof(edges[0]) - 1)];
	case 1:
		return rnd(self, 0, 16);
	case 2:
		return rnd(self, 0, 1 << 20);
	default:
		return zu_rand(&self->rng);
	}
}

/* A descriptor: one of ours, or a closed, huge or negative number. */
static int rnd_fd(FIXTURE_DATA(fuzz) *self)
{
	switch (rnd(self, 0, 9)) {
	case 0:
		return (int)rnd(self, 500, 1000);	/* not open */
	case 1:
		return -(int)rnd(self, 1, 3);
	case 2:
		return (int)rnd_u64(self);
	case 3:
	case 4:
		return self->tcp_snd;
	default:
		return self->fds[rnd(self, 0, self->nr_fds - 1)];
	}
}

/* A user pointer of some kind. */
static uint64_t rnd_ptr(FIXTURE_DATA(fuzz) *self, size_t len, bool *good)
{
	unsigned char *a = self->arena;
	size_t pg = self->page;

	*good = false;
	switch (rnd(self, 0, 11)) {
	case 0:
		return 0;
	case 1:
		return KADDR + rnd(self, 0, 1) * pg;
	case 2:
		return KADDR2;
	case 3:
		return (uintptr_t)(a + A_HOLE * pg);
	case 4:
		return (uintptr_t)(a + A_NONE * pg);
	case 5:
		return (uintptr_t)(a + A_RO * pg);
	case 6:
		/* Runs into the hole. */
		return (uintptr_t)(a + A_HOLE * pg - rnd(self, 1, len ? len : 1));
	case 7:
		/* Read-only, running into PROT_NONE. */
		return (uintptr_t)(a + A_NONE * pg - rnd(self, 1, len ? len : 1));
	case 8:
		return rnd_u64(self);
	default:
		*good = true;
		return (uintptr_t)a;
	}
}

static void count(struct __test_metadata *_metadata,
		  FIXTURE_DATA(fuzz) *self, enum fz_op op, int ret, int err,
		  const char *what)
{
	struct fz_stats *st = &self->st;

	st->tried[op]++;
	if (ret >= 0) {
		st->ok[op]++;
		return;
	}
	if (err > 0 && err < NR_ERRNO)
		st->err[op][err]++;
	if (!is_allowed(op, err)) {
		st->bad[op]++;
		if (st->bad[op] <= 5)
			TH_LOG("%s: undocumented errno %d (%s) for %s",
			       op_names[op], err, strerror(err), what);
	}
}

static void report(struct __test_metadata *_metadata,
		   FIXTURE_DATA(fuzz) *self, int first, int last,
		   uint64_t ms)
{
	struct fz_stats *st = &self->st;
	unsigned long total = 0, bad = 0;
	char line[512];
	int op, e;
	size_t n;

	for (op = first; op <= last; op++) {
		n = snprintf(line, sizeof(line), "%-16s %6lu inputs: ok %lu",
			     op_names[op], st->tried[op], st->ok[op]);
		for (e = 1; e < NR_ERRNO; e++)
			if (st->err[op][e] && n < sizeof(line) - 40)
				n += snprintf(line + n, sizeof(line) - n,
					      ", %s %lu", strerrorname_np(e),
					      st->err[op][e]);
		TH_LOG("%s", line);
		total += st->tried[op];
		bad += st->bad[op];
	}
	TH_LOG("fuzz: %lu inputs in %llu ms, %lu with an undocumented errno",
	       total, (unsigned long long)ms, bad);
	EXPECT_EQ(0, bad);
	for (op = first; op <= last; op++)
		EXPECT_LT(0, st->tried[op]) TH_LOG("%s never tried",
						   op_names[op]);
}

/* ------------------------------------------------------------ ioctls */

/*
 * Lay out an ioctl argument at a random place: a struct of @ksize bytes
 * at @arg (already filled), with a random claimed size and trailing
 * bytes. Returns the pointer to pass.
 */
static uint64_t place_arg(FIXTURE_DATA(fuzz) *self, const void *arg,
			  size_t ksize, size_t minsize)
{
	unsigned char *a = self->arena, *p, *end;
	size_t pg = self->page, usize, n;
	bool good, ro = false;
	uint32_t u32;

	switch (rnd(self, 0, 9)) {
	case 0:
		usize = rnd(self, 0, minsize);
		break;
	case 1:
		usize = ksize + 8 * rnd(self, 1, 8);
		break;
	case 2:
		usize = pg + rnd(self, 0, 1);
		break;
	case 3:
		usize = (uint32_t)zu_rand(&self->rng);
		break;
	case 4:
		usize = rnd(self, minsize, ksize);
		break;
	default:
		usize = ksize;
	}
	if (!chance(self, 85))
		return rnd_ptr(self, ksize, &good);

	switch (rnd(self, 0, 9)) {
	case 0:
		/* The claimed size runs into the hole. */
		n = usize > 8 && usize <= pg ? usize - rnd(self, 1, 4) : 8;
		p = a + A_HOLE * pg - n;
		end = a + A_HOLE * pg;
		break;
	case 1:
		/* Read-only: readable, but nothing can be written back. */
		p = a + A_RO * pg;
		end = a + A_NONE * pg;
		ro = true;
		break;
	default:
		p = a;
		end = a + 2 * pg;
	}
	if (ro)
		mprotect(p, end - p, PROT_READ | PROT_WRITE);
	n = usize < (size_t)(end - p) ? usize : (size_t)(end - p);
	memset(p, 0, n > ksize ? n : ksize < (size_t)(end - p) ? ksize :
	       (size_t)(end - p));
	memcpy(p, arg, ksize < (size_t)(end - p) ? ksize : (size_t)(end - p));
	if (usize > ksize && usize < (size_t)(end - p) && chance(self, 30))
		p[rnd(self, ksize, usize - 1)] = 0x5a;
	u32 = usize;
	memcpy(p, &u32, 4);
	if (ro)
		mprotect(p, end - p, PROT_READ);
	return (uintptr_t)p;
}

static void fz_query(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fuzz) *self)
{
	struct zcopy_query q = { .size = sizeof(q) };
	uint64_t p;
	int r;

	if (chance(self, 20))
		q.flags = rnd_u64(self);
	if (chance(self, 10))
		q.__reserved = rnd_u64(self);
	if (chance(self, 10))
		q.__reserved2 = rnd_u64(self);
	p = place_arg(self, &q, sizeof(q), offsetofend(struct zcopy_query,
							features));
	r = ioctl(self->dev, ZCOPY_IOC_QUERY, (unsigned long)p);
	count(_metadata, self, OP_QUERY, r, errno, "QUERY");
	if (!r && p == (uintptr_t)self->arena) {
		struct zcopy_query *out = (void *)self->arena;

		EXPECT_EQ(ZCOPY_ABI_VERSION, out->abi_version);
		if (out->size >= sizeof(*out))
			EXPECT_EQ(sizeof(struct zcopy_completion),
				  out->completion_size);
		EXPECT_EQ(0, zu_scan_kptr(out, sizeof(*out), "QUERY"));
	}
}

static void fz_register(struct __test_metadata *_metadata,
			FIXTURE_DATA(fuzz) *self)
{
	struct zcopy_pool_register r = { .size = sizeof(r) };
	size_t pg = self->page;
	uint64_t p;
	bool good;
	int ret;

	switch (rnd(self, 0, 6)) {
	case 0:
	case 1:
		r.addr = (uintptr_t)(self->arena + rnd(self, A_DATA, A_PAGES - 1) * pg);
		r.len = rnd(self, 1, 4) * pg - rnd(self, 0, 1) * rnd(self, 0, pg - 1);
		break;
	case 2:
		r.addr = (uintptr_t)(self->arena + A_DATA * pg +
				     rnd(self, 0, 3) * rnd(self, 0, pg));
		r.len = rnd_u64(self);
		break;
	case 3:
		r.addr = rnd_ptr(self, pg, &good);
		r.len = rnd(self, 0, 3) * pg + rnd(self, 0, 1);
		break;
	case 4:
		r.addr = rnd_u64(self) & ~(uint64_t)(pg - 1);
		r.len = rnd_u64(self);
		break;
	default:
		r.addr = (uintptr_t)(self->arena + rnd(self, A_DATA, A_PAGES - 1) * pg);
		r.len = rnd(self, 1, 2) * pg;
	}
	if (chance(self, 10))
		r.flags = rnd_u64(self);
	if (chance(self, 10))
		r.__reserved = rnd_u64(self);
	if (chance(self, 10))
		r.pool_id = rnd_u64(self);	/* an out field: ignored */
	p = place_arg(self, &r, sizeof(r),
		      offsetofend(struct zcopy_pool_register, __reserved));
	ret = ioctl(self->dev, ZCOPY_IOC_POOL_REGISTER, (unsigned long)p);
	count(_metadata, self, OP_REGISTER, ret, errno, "POOL_REGISTER");
	if (!ret) {
		struct zcopy_pool_register out;

		memcpy(&out, (void *)(uintptr_t)p, sizeof(out));
		/* A struct cut short before pool_id gets no id back. */
		if (out.size >= offsetofend(struct zcopy_pool_register, pool_id)) {
			EXPECT_NE(0, out.pool_id);
			if (self->nr_ids < MAX_IDS)
				self->ids[self->nr_ids++] = out.pool_id;
		}
	}
}

static __u32 rnd_pool_id(FIXTURE_DATA(fuzz) *self)
{
	if (self->nr_ids && chance(self, 70))
		return self->ids[rnd(self, 0, self->nr_ids - 1)];
	return rnd(self, 0, 1) ? rnd(self, 0, 200) : (__u32)rnd_u64(self);
}

static void fz_unregister(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fuzz) *self)
{
	struct zcopy_pool_unregister u = { .size = sizeof(u) };
	uint64_t p;
	int ret, i;

	u.pool_id = rnd_pool_id(self);
	if (chance(self, 10))
		u.flags = rnd_u64(self);
	if (chance(self, 10))
		u.__reserved = rnd_u64(self);
	p = place_arg(self, &u, sizeof(u),
		      offsetofend(struct zcopy_pool_unregister, __reserved));
	ret = ioctl(self->dev, ZCOPY_IOC_POOL_UNREGISTER, (unsigned long)p);
	count(_metadata, self, OP_UNREGISTER, ret, errno, "POOL_UNREGISTER");
	if (!ret) {
		for (i = 0; i < self->nr_ids; i++) {
			if (self->ids[i] == u.pool_id) {
				self->ids[i] = self->ids[--self->nr_ids];
				break;
			}
		}
	}
}

static void rnd_seg(FIXTURE_DATA(fuzz) *self, struct zcopy_seg *s)
{
	memset(s, 0, sizeof(*s));
	switch (rnd(self, 0, 9)) {
	case 0:
		s->type = rnd_u64(self);
		break;
	case 1:
	case 2:
	case 3:
	case 4:
		s->type = ZCOPY_SEG_POOL;
		break;
	default:
		s->type = ZCOPY_SEG_FILE;
	}
	if (s->type == ZCOPY_SEG_POOL)
		s->id = rnd_pool_id(self);
	else if (chance(self, 60))
		s->id = chance(self, 50) ? self->memfd : self->regfd;
	else
		s->id = rnd_fd(self);
	if (chance(self, 70)) {
		s->offset = rnd(self, 0, 2 * self->page);
		s->len = rnd(self, 0, 3 * self->page);
	} else {
		s->offset = rnd_u64(self);
		s->len = rnd_u64(self);
	}
	if (chance(self, 5))
		s->flags = rnd_u64(self);
	if (chance(self, 5))
		s->__reserved = rnd_u64(self);
}

static void fz_send(struct __test_metadata *_metadata,
		    FIXTURE_DATA(fuzz) *self)
{
	unsigned char *a = self->arena;
	size_t pg = self->page;
	struct zcopy_seg *segs = (void *)(a + A_SEGS * pg);
	struct zcopy_send s = { .size = sizeof(s) };
	unsigned int n, i;
	uint64_t p;
	bool good;
	int ret;

	n = rnd(self, 1, 4);
	if (chance(self, 5))
		n = rnd(self, 0, 1) ? 0 : (uint32_t)rnd_u64(self);
	for (i = 0; i < n && i < pg / sizeof(*segs); i++)
		rnd_seg(self, &segs[i]);
	s.sockfd = chance(self, 60) ? self->tcp_snd : rnd_fd(self);
	s.nr_segs = n;
	s.segs = (uintptr_t)segs;
	if (chance(self, 15))
		s.segs = rnd_ptr(self, n * sizeof(*segs), &good);
	s.results = 0;
	if (chance(self, 50))
		s.results = (uintptr_t)(a + A_RW * pg + pg);
	else if (chance(self, 20))
		s.results = rnd_ptr(self, n * sizeof(struct zcopy_seg_result),
				    &good);
	s.flags = chance(self, 70) ? ZCOPY_SEND_DONTWAIT :
		  chance(self, 50) ? (uint32_t)rnd(self, 0, 3) :
		  (uint32_t)rnd_u64(self);
	s.cookie = rnd(self, 0, 1 << 30);
	if (chance(self, 5))
		s.__reserved = rnd_u64(self);
	if (chance(self, 5))
		s.bytes_sent = rnd_u64(self);	/* out field: ignored */
	/* The results array lives in page 1 of the arena: keep it there. */
	if (s.results == (uintptr_t)(a + A_RW * pg + pg) &&
	    n * sizeof(struct zcopy_seg_result) > pg)
		s.results = 0;
	p = place_arg(self, &s, sizeof(s),
		      offsetofend(struct zcopy_send, __reserved));
	ret = ioctl(self->dev, ZCOPY_IOC_SEND, (unsigned long)p);
	count(_metadata, self, OP_SEND, ret, errno, "SEND");
	if (!ret)
		self->compl_want++;
	if (!ret && p == (uintptr_t)a)
		EXPECT_EQ(0, zu_scan_kptr(a, sizeof(s), "SEND"));
}

static void fz_unknown_ioctl(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fuzz) *self)
{
	unsigned int cmd, type;
	bool good;
	int r;

	switch (rnd(self, 0, 3)) {
	case 0:	/* our magic, another number */
		cmd = _IOC(_IOC_NONE, ZCOPY_IOC_MAGIC,
			   rnd(self, 0, 1) ? rnd(self, 0, ZCOPY_IOC_BASE - 1) :
			   rnd(self, ZCOPY_IOC_NR_LAST, 255), 0);
		break;
	case 1:	/* a known number with a direction or size encoded */
		cmd = _IOC(rnd(self, 1, 3), ZCOPY_IOC_MAGIC,
			   rnd(self, ZCOPY_IOC_BASE, ZCOPY_IOC_NR_LAST - 1),
			   rnd(self, 0, 0x3fff));
		break;
	case 2:
		cmd = _IOC(_IOC_NONE, ZCOPY_IOC_MAGIC,
			   rnd(self, ZCOPY_IOC_BASE, ZCOPY_IOC_NR_LAST - 1),
			   rnd(self, 1, 0x3fff));
		break;
	default:
		/* Anything but the types the VFS answers for every file. */
		do {
			cmd = (uint32_t)zu_rand(&self->rng);
			type = _IOC_TYPE(cmd);
		} while (type == 0 || type == 'T' || type == 'X' ||
			 type == 'f' || type == 0x94 || type == 0x15 ||
			 (type == ZCOPY_IOC_MAGIC && _IOC_DIR(cmd) == _IOC_NONE &&
			  !_IOC_SIZE(cmd) && _IOC_NR(cmd) >= ZCOPY_IOC_BASE &&
			  _IOC_NR(cmd) < ZCOPY_IOC_NR_LAST));
	}
	r = ioctl(self->dev, cmd, (unsigned long)rnd_ptr(self, 64, &good));
	count(_metadata, self, OP_UNKNOWN_IOCTL, r, errno, "unknown ioctl");
}

static void fz_read(struct __test_metadata *_metadata,
		    FIXTURE_DATA(fuzz) *self)
{
	const size_t rec = sizeof(struct zcopy_completion);
	static const size_t sizes[] = { 0, 1, 8, 55, 56, 57, 111, 112, 113,
					560, 4096 };
	unsigned char *a = self->arena;
	size_t len;
	uint64_t p;
	ssize_t n;
	bool good;
	size_t i;

	if (chance(self, 80))
		len = sizes[rnd(self, 0, sizeof(sizes) / sizeof(sizes[0]) - 1)];
	else
		len = rnd_u64(self);
	p = rnd_ptr(self, len, &good);
	if (good)
		p = (uintptr_t)(a + A_DATA * self->page);
	if (good && len > 6 * self->page)
		len = 6 * self->page;
	n = read(self->dev, (void *)(uintptr_t)p, len);
	count(_metadata, self, OP_READ, n, errno, "read");
	if (n > 0) {
		self->compl_read += n / rec;
		EXPECT_EQ(0, n % rec);
		EXPECT_GE(len, (size_t)n);
		for (i = 0; good && i + rec <= (size_t)n; i += rec) {
			struct zcopy_completion *c = (void *)(uintptr_t)(p + i);

			if (!(c->flags & ZCOPY_COMPL_FILE_CHANGED))
				EXPECT_EQ(0, c->changed_seg);
			EXPECT_EQ(c->bytes, c->zc_bytes + c->copied_bytes);
		}
		if (good)
			EXPECT_EQ(0, zu_scan_kptr((void *)(uintptr_t)p, n,
						  "completion"));
	}
}

/* A registered pool of this process in a POOL_GET reply. */
static void count_own_pool(const struct nlmsghdr *h, size_t len, void *arg)
{
	struct nlattr *pid;

	(void)len;
	if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE)
		return;
	pid = zt_genl_attr((struct nlmsghdr *)h, ZCOPY_A_POOL_PID);
	if (pid && zt_nla_u32(pid) == (uint32_t)getpid() &&
	    zt_genl_attr((struct nlmsghdr *)h, ZCOPY_A_POOL_REGISTERED))
		(*(int *)arg)++;
}

/*
 * The end of a run: every successful send produced exactly one
 * completion, the registered pools are exactly those the fuzzer was told
 * about, and once everything is closed nothing is left.
 */
/*
 * Every kernel-run transfer started ends once: XFER_DONE (its record then
 * comes on dev if it named dev: one more completion to read) or
 * SEND_FAILED. Wait for all of them, up to 20 s.
 */
static void settle_xfers(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fuzz) *self)
{
	static char ev[1 << 16];
	uint64_t t0 = zu_now_ns();
	int ended = 0, twice = 0, i;
	bool *done = calloc(self->nr_xfers + 1, 1);
	struct nlmsghdr *h;
	ssize_t n;

	ASSERT_NE(NULL, done);
	while (ended < self->nr_xfers && zu_ms_since(t0) < 20000) {
		if (zu_wait_fd(self->mon_fd, POLLIN, 200))
			continue;
		n = recv(self->mon_fd, ev, sizeof(ev), MSG_DONTWAIT);
		if (n < 0) {
			EXPECT_EQ(EAGAIN, errno) TH_LOG("events: %s", strerror(errno));
			if (errno != EAGAIN)
				break;
			continue;
		}
		for (h = (struct nlmsghdr *)ev; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *gh = NLMSG_DATA(h);
			struct nlattr *a;

			if (h->nlmsg_type != self->family ||
			    (gh->cmd != ZCOPY_CMD_XFER_DONE &&
			     gh->cmd != ZCOPY_CMD_SEND_FAILED))
				continue;
			a = zt_genl_attr(h, ZCOPY_A_XFER_ID);
			if (!a)
				continue;
			for (i = 0; i < self->nr_xfers; i++)
				if (self->xfer_ids[i] == zt_nla_u32(a))
					break;
			if (i == self->nr_xfers)
				continue;
			if (done[i]) {
				twice++;
				continue;
			}
			done[i] = true;
			ended++;
			if (gh->cmd == ZCOPY_CMD_XFER_DONE && self->xfer_on_dev[i])
				self->compl_want++;
		}
	}
	TH_LOG("kernel-run transfers: %d started, %d ended, %d ended twice",
	       self->nr_xfers, ended, twice);
	EXPECT_EQ(self->nr_xfers, ended);
	EXPECT_EQ(0, twice);
	free(done);
}

static void finish(struct __test_metadata *_metadata,
		   FIXTURE_DATA(fuzz) *self)
{
	struct zcopy_completion c[16];
	char buf[256];
	struct zt_nl *nl = malloc(sizeof(*nl));
	struct nlmsghdr *nlh;
	uint64_t t0;
	int i, own = 0;
	ssize_t n;

	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, zt_nl_open(nl, ZCOPY_GENL_NAME));
	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	EXPECT_EQ(0, zt_nl_raw(nl, nlh, 5000, count_own_pool, &own));
	close(nl->fd);
	free(nl);
	TH_LOG("pools registered: %d by the module's account, %d by the fuzzer's",
	       own, self->nr_ids);
	EXPECT_EQ(self->nr_ids, own);

	/* Closing the sockets releases whatever the stack still holds. */
	self->stop = true;
	pthread_join(self->drain, NULL);
	self->drain_fd = -1;
	for (i = 0; i < self->nr_fds; i++)
		if (self->fds[i] != self->dev)
			close(self->fds[i]);
	self->nr_fds = 0;
	if (self->mon_fd >= 0) {
		settle_xfers(_metadata, self);
		close(self->mon_fd);
		self->mon_fd = -1;
	}
	t0 = zu_now_ns();
	while (self->compl_read < self->compl_want && zu_ms_since(t0) < 20000) {
		n = read(self->dev, c, sizeof(c));
		if (n > 0)
			self->compl_read += n / sizeof(c[0]);
		else
			zu_sleep_ms(20);
	}
	zu_sleep_ms(200);
	while ((n = read(self->dev, c, sizeof(c))) > 0)
		self->compl_read += n / sizeof(c[0]);
	TH_LOG("completions: %lu successful sends, %lu records read",
	       self->compl_want, self->compl_read);
	EXPECT_EQ(self->compl_want, self->compl_read);
	/* No file reference may survive its last close. */
	EXPECT_EQ(0, zu_wait_fd(self->canary_pipe, POLLHUP, 5000))
		TH_LOG("the pipe's write end is still referenced: a leaked file reference");
	EXPECT_EQ(0, zu_wait_fd(self->canary_sock, POLLHUP | POLLRDHUP, 5000))
		TH_LOG("the socket is still referenced: a leaked file reference");
	close(self->dev);
	EXPECT_EQ(0, zu_leak_check(&self->base, 30000));
}

TEST_F_TIMEOUT(fuzz, ioctls, 120)
{
	uint64_t t0 = zu_now_ns();
	int i, op;

	for (i = 0; i < self->iters; i++) {
		if (zu_ms_since(t0) > (uint64_t)self->secs * 1000)
			break;
		op = rnd(self, 0, 99);
		if (op < 8)
			fz_query(_metadata, self);
		else if (op < 30)
			fz_register(_metadata, self);
		else if (op < 40)
			fz_unregister(_metadata, self);
		else if (op < 75)
			fz_send(_metadata, self);
		else if (op < 82)
			fz_unknown_ioctl(_metadata, self);
		else
			fz_read(_metadata, self);
	}
	report(_metadata, self, OP_QUERY, OP_READ, zu_ms_since(t0));
	finish(_metadata, self);
}

/* ----------------------------------------------------------- netlink */

struct nl_scan {
	int hits;
	int msgs;
	__u32 last_id;		/* ZCOPY_A_XFER_ID of the last XFER_START reply */
};

static void nl_scan_fn(const struct nlmsghdr *h, size_t len, void *arg)
{
	struct nl_scan *sc = arg;

	sc->msgs++;
	/* An error message quotes our request: only scan replies. */
	if (h->nlmsg_type != NLMSG_ERROR) {
		struct genlmsghdr *gh = NLMSG_DATA(h);

		sc->hits += zu_scan_kptr(h, len, "netlink reply");
		if (gh->cmd == ZCOPY_CMD_XFER_START) {
			struct nlattr *a = zt_genl_attr((struct nlmsghdr *)h,
							ZCOPY_A_XFER_ID);

			sc->last_id = a ? zt_nla_u32(a) : 0;
		}
	}
}

static void rnd_attr(FIXTURE_DATA(fuzz) *self, struct nlmsghdr *nlh,
		     int maxtype)
{
	unsigned char data[64];
	uint16_t len, type;
	uint32_t v32;
	uint64_t v64;

	type = rnd(self, 0, maxtype);
	if (chance(self, 10))
		type |= NLA_F_NESTED;
	if (chance(self, 5))
		type = (uint16_t)zu_rand(&self->rng);
	switch (rnd(self, 0, 4)) {
	case 0:
		v32 = chance(self, 50) ? (uint32_t)rnd_fd(self) :
		      (uint32_t)rnd_u64(self);
		memcpy(data, &v32, 4);
		len = 4;
		break;
	case 1:
		v64 = rnd_u64(self);
		memcpy(data, &v64, 8);
		len = 8;
		break;
	default:
		len = rnd(self, 0, sizeof(data));
		zu_fill(data, len, zu_rand(&self->rng));
	}
	zt_nla_put(nlh, type, data, len);
}

static void put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	zt_nla_put(nlh, type, &v, 4);
}

static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	zt_nla_put(nlh, type, &v, 8);
}

/* An XFER_START that is mostly right, with random mistakes. */
static void build_xfer(FIXTURE_DATA(fuzz) *self, struct nlmsghdr *nlh)
{
	struct zcopy_seg seg;
	struct nlattr *nest;
	int i, n;

	if (chance(self, 95))
		put_u32(nlh, ZCOPY_A_XFER_SOCKFD,
			chance(self, 60) ? self->tcp_snd : rnd_fd(self));
	self->xfer_devfd = -1;
	if (chance(self, 60)) {
		self->xfer_devfd = chance(self, 85) ? self->dev : rnd_fd(self);
		put_u32(nlh, ZCOPY_A_XFER_DEVFD, self->xfer_devfd);
	}
	if (chance(self, 50))
		put_u32(nlh, ZCOPY_A_XFER_FLAGS,
			chance(self, 80) ? ZCOPY_SEND_DONTWAIT :
			(uint32_t)rnd_u64(self));
	if (chance(self, 50))
		put_u64(nlh, ZCOPY_A_XFER_COOKIE, rnd_u64(self));
	n = chance(self, 5) ? 0 : (int)rnd(self, 1, 4);
	for (i = 0; i < n; i++) {
		rnd_seg(self, &seg);
		if (chance(self, 5)) {
			/* Not flagged as nested, or not nested at all. */
			zt_nla_put(nlh, ZCOPY_A_XFER_SEG, &seg, sizeof(seg));
			continue;
		}
		nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
		if (chance(self, 95))
			put_u32(nlh, ZCOPY_A_SEG_TYPE, seg.type);
		if (chance(self, 90))
			put_u32(nlh, ZCOPY_A_SEG_ID, seg.id);
		if (chance(self, 70))
			put_u64(nlh, ZCOPY_A_SEG_OFFSET, seg.offset);
		if (chance(self, 95))
			put_u64(nlh, ZCOPY_A_SEG_LEN, seg.len);
		if (chance(self, 10))
			rnd_attr(self, nlh, ZCOPY_A_SEG_MAX + 2);
		zt_nla_nest_end(nlh, nest);
	}
	if (chance(self, 10))
		rnd_attr(self, nlh, ZCOPY_A_XFER_MAX + 2);
}

TEST_F_TIMEOUT(fuzz, netlink, 120)
{
	static const int cmds[] = {
		ZCOPY_CMD_INFO_GET, ZCOPY_CMD_STATS_GET, ZCOPY_CMD_STATS_RESET,
		ZCOPY_CMD_POOL_GET, ZCOPY_CMD_XFER_START,
	};
	struct zcopy_completion c[16];
	uint64_t t0 = zu_now_ns();
	unsigned char *pool;
	struct nl_scan sc = { 0 };
	struct genlmsghdr *gh;
	struct nlmsghdr *nlh;
	struct zt_nl *nl;
	char *buf;
	int i, j, cmd, op, ret, nattr;
	ssize_t n;

	nl = malloc(sizeof(*nl));
	buf = calloc(1, 8192);
	ASSERT_NE(NULL, nl);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, zt_nl_open(nl, ZCOPY_GENL_NAME));
	{
		struct zt_nl *mon = malloc(sizeof(*mon));
		int big = 16 << 20;

		ASSERT_NE(NULL, mon);
		ASSERT_EQ(0, zt_nl_open(mon, ZCOPY_GENL_NAME));
		ASSERT_EQ(0, zu_events_join(mon));
		setsockopt(mon->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big,
			   sizeof(big));
		self->mon_fd = mon->fd;
		self->family = mon->family;
		free(mon);
	}
	self->xfer_ids = calloc(self->iters + 1, sizeof(*self->xfer_ids));
	self->xfer_on_dev = calloc(self->iters + 1, sizeof(*self->xfer_on_dev));
	ASSERT_NE(NULL, self->xfer_ids);
	ASSERT_NE(NULL, self->xfer_on_dev);
	/* Some pools for pool segments. */
	pool = self->arena + A_DATA * self->page;
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, zu_pool_reg(self->dev, pool + i * self->page,
					 self->page + i, &self->ids[i]));
		self->nr_ids++;
	}

	for (i = 0; i < self->iters; i++) {
		if (zu_ms_since(t0) > (uint64_t)self->secs * 1000)
			break;
		if (chance(self, 4)) {
			cmd = chance(self, 50) ? 0 : (int)rnd(self, ZCOPY_CMD_XFER_DONE, 255);
			op = OP_NL_UNKNOWN;
		} else {
			cmd = cmds[rnd(self, 0, 4)];
			if (chance(self, 50))
				cmd = ZCOPY_CMD_XFER_START;
			op = OP_NL_INFO + (cmd - ZCOPY_CMD_INFO_GET);
		}
		memset(buf, 0, 8192);
		nlh = zt_genl_msg(buf, nl->family, cmd,
				  chance(self, 90) ? ZCOPY_GENL_VERSION :
				  (uint8_t)rnd(self, 0, 255));
		gh = NLMSG_DATA(nlh);
		if (chance(self, 5))
			gh->reserved = rnd(self, 1, 0xffff);
		if (cmd == ZCOPY_CMD_POOL_GET && chance(self, 85))
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		else if (chance(self, 5))
			nlh->nlmsg_flags |= NLM_F_DUMP;
		self->xfer_devfd = -1;
		if (cmd == ZCOPY_CMD_XFER_START && chance(self, 90)) {
			build_xfer(self, nlh);
		} else {
			nattr = chance(self, 60) ? 0 : (int)rnd(self, 1, 4);
			for (j = 0; j < nattr; j++)
				rnd_attr(self, nlh, 24);
		}
		sc.last_id = 0;
		ret = zt_nl_raw(nl, nlh, 5000, nl_scan_fn, &sc);
		if (ret == -ETIMEDOUT) {
			TH_LOG("%s: no answer within 5 s", op_names[op]);
			self->st.bad[op]++;
		}
		count(_metadata, self, op, ret, -ret, "netlink");
		if (!ret && op == OP_NL_XFER) {
			EXPECT_NE(0, sc.last_id);
			self->xfer_ids[self->nr_xfers] = sc.last_id;
			self->xfer_on_dev[self->nr_xfers++] =
				self->xfer_devfd == self->dev;
		}
		/* Read what completed, now and then. */
		while (chance(self, 30) &&
		       (n = read(self->dev, c, sizeof(c))) > 0)
			self->compl_read += n / sizeof(c[0]);
	}
	report(_metadata, self, OP_NL_INFO, OP_NL_UNKNOWN, zu_ms_since(t0));
	TH_LOG("%d reply messages scanned for kernel addresses", sc.msgs);
	EXPECT_EQ(0, sc.hits);
	close(nl->fd);
	free(nl);
	free(buf);
	finish(_metadata, self);
	free(self->xfer_ids);
	free(self->xfer_on_dev);
}

/*
 * An argument struct that is readable but not writable gets EFAULT, and
 * then nothing may have happened: no pool registered (pinned, counted,
 * holding a max_pools slot), no byte sent, no completion queued.
 */
TEST(efault_arg_has_no_effect)
{
	__u64 before[ZCOPY_A_STATS_MAX + 1], after[ZCOPY_A_STATS_MAX + 1];
	struct zcopy_completion c;
	struct zcopy_query q;
	struct zcopy_seg *seg;
	unsigned char *ro, *data;
	int dev, snd, rcv;
	size_t pg = ZU_PAGE;
	__u32 id = 0;

	ZU_DEV_OPEN(dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_set_nonblock(dev, true));
	ASSERT_EQ(0, zu_tcp_pair(&snd, &rcv));
	data = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, data);
	ASSERT_NE(MAP_FAILED, ro);
	memset(data, 0x33, 2 * pg);
	ASSERT_EQ(0, zu_pool_reg(dev, data + pg, pg, &id));

	ASSERT_EQ(0, zu_stats(before));
	{
		struct zcopy_pool_register *r = (void *)ro;

		r->size = sizeof(*r);
		r->addr = (uintptr_t)data;
		r->len = pg;
	}
	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
	EXPECT_EQ(-1, ioctl(dev, ZCOPY_IOC_POOL_REGISTER, ro));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, zu_stats(after));
	EXPECT_EQ(before[ZCOPY_A_STATS_POOLS], after[ZCOPY_A_STATS_POOLS])
		TH_LOG("POOL_REGISTER said EFAULT but registered a pool");
	EXPECT_EQ(before[ZCOPY_A_STATS_PINNED_PAGES],
		  after[ZCOPY_A_STATS_PINNED_PAGES]);

	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ | PROT_WRITE));
	seg = (void *)(ro + 512);
	*seg = zu_seg_pool(id, 0, 100);
	zu_send_init((void *)ro, snd, seg, 1, NULL, 7, 0);
	ASSERT_EQ(0, mprotect(ro, pg, PROT_READ));
	EXPECT_EQ(-1, ioctl(dev, ZCOPY_IOC_SEND, ro));
	EXPECT_EQ(EFAULT, errno);
	zu_sleep_ms(300);
	EXPECT_EQ(0, zu_sock_pending(rcv))
		TH_LOG("SEND said EFAULT but sent bytes");
	EXPECT_EQ(-1, read(dev, &c, sizeof(c)));
	EXPECT_EQ(EAGAIN, errno) TH_LOG("SEND said EFAULT but a completion followed");
	ASSERT_EQ(0, zu_stats(after));
	EXPECT_EQ(before[ZCOPY_A_STATS_TRANSFERS],
		  after[ZCOPY_A_STATS_TRANSFERS]);
	close(snd);
	close(rcv);
	close(dev);
	munmap(ro, pg);
	munmap(data, 2 * pg);
}

TEST_HARNESS_MAIN
