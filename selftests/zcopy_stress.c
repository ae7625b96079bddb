// SPDX-License-Identifier: GPL-2.0
/*
 * Races on two CPUs: threads and processes against the same /dev/zcopy
 * file, pools and sockets, for a while.
 *
 * Rounds of a few seconds; in each, one open device file is shared by
 *   senders    one per TCP connection (on CPU 0 when there are two), SEND
 *              of 1-4 pool and file segments, resuming after short sends;
 *   receivers  one per connection (on CPU 1), verifying every byte; a
 *              receiver may stall now and then, or reset its connection
 *              (SO_LINGER 0), after which the sender opens a new one
 *              and goes on;
 *   a reader   poll() and read() of the completions;
 *   churn      registering new pools (over memory it unmaps at once: the
 *              pool keeps its pages) and unregistering old ones while
 *              sends use them;
 *   netlink    POOL_GET dumps and STATS_GET;
 *   fork       children that send over the shared file to their own
 *              connection and exit.
 * A round ends with the device closed before or after its sockets, with
 * completions still due or not. Every byte is the stream position mod 251
 * in pools and file alike, so the receiver checks each one. At the end no
 * pool, pinned page or transfer may be left, and the module's refcount is
 * back. On the sanitizer kernel, tools/vm/run fails the run on any
 * lockdep, KASAN or kmemleak report.
 *
 *   zcopy_stress [-d SECONDS] [-s SEED]
 *
 * Default: 100 s on a kernel with kmemleak (the sanitizer kernel), else
 * 8 s (ZCOPY_STRESS_SECS overrides): the stock kernels run the same code
 * paths, briefly.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "zcopy_dbg.h"

#define NR_CONNS	3
#define POOL_BYTES	(256 << 10)
#define FILE_BYTES	(512 << 10)
#define NR_SLOTS	8
#define PAT		251

struct round {
	int dev, file;
	volatile int stop;
	__u32 pools[NR_SLOTS];		/* 0: empty slot */
	pthread_mutex_t lock;
	uint64_t sends, compls, bytes, resets, stalls, forks, churns, dumps;
	int failed;
	char why[256];
};

struct conn {
	struct round *r;
	int id;
	uint64_t seed;
};

struct rx {
	int fd, mode;
	uint64_t got, seed;
	int bad;
};

static int ncpus;

static void rfail(struct round *r, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&r->lock);
	if (!r->failed) {
		r->failed = 1;
		va_start(ap, fmt);
		vsnprintf(r->why, sizeof(r->why), fmt, ap);
		va_end(ap);
	}
	r->stop = 1;
	pthread_mutex_unlock(&r->lock);
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (ncpus < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void fill(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = i % PAT;
}

/*
 * Receive and verify; mode 1 stalls now and then, 2 resets after a while.
 * Closes the socket when done, so that a sender never waits on a peer
 * that has gone.
 */
static void *rx_fn(void *arg)
{
	struct rx *x = arg;
	static __thread char buf[65536];
	uint64_t reset_at = 100000 + zd_rand(&x->seed) % 2000000;

	pin(1);
	for (;;) {
		ssize_t n = recv(x->fd, buf, sizeof(buf), 0), i;

		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			if ((unsigned char)buf[i] != (x->got + i) % PAT) {
				x->bad = 1;
				printf("# byte %llu is %u, not %u\n",
				       (unsigned long long)(x->got + i),
				       (unsigned char)buf[i],
				       (unsigned)((x->got + i) % PAT));
				goto out;
			}
		x->got += n;
		if (x->mode == 1 && zd_rand(&x->seed) % 64 == 0)
			usleep(50000 + zd_rand(&x->seed) % 200000);
		if (x->mode == 2 && x->got > reset_at) {
			struct linger lg = { 1, 0 };

			setsockopt(x->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			break;
		}
	}
out:
	close(x->fd);
	return NULL;
}

static int tcp_pair(int *a, int *b)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = -1;

	*a = *b = -1;
	if (l < 0)
		return -1;
	if (!bind(l, (void *)&sin, sizeof(sin)) && !listen(l, 1) &&
	    !getsockname(l, (void *)&sin, &sl)) {
		*a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (*a >= 0 && !connect(*a, (void *)&sin, sizeof(sin))) {
			*b = accept4(l, NULL, NULL, SOCK_CLOEXEC);
			rc = *b < 0 ? -1 : 0;
		}
	}
	close(l);
	if (rc && *a >= 0)
		close(*a);
	return rc;
}

/*
 * Segments whose bytes continue the stream at @pos: a segment starting at
 * offset o of a pool or the file holds o % 251, so o must be pos mod 251.
 */
static unsigned int make_segs(struct round *r, uint64_t *rs, uint64_t pos,
			      struct zcopy_seg *s)
{
	unsigned int n = 1 + zd_rand(rs) % 4, i;

	memset(s, 0, n * sizeof(*s));
	for (i = 0; i < n; i++) {
		__u32 pool = r->pools[zd_rand(rs) % NR_SLOTS];
		uint64_t lim = pool && zd_rand(rs) % 3 ? POOL_BYTES : FILE_BYTES;
		uint64_t len = 1 + zd_rand(rs) % (zd_rand(rs) % 4 ? 9000 : 65536);
		uint64_t off = pos % PAT + PAT * (zd_rand(rs) % ((lim - len) / PAT - 1));

		s[i].type = lim == POOL_BYTES ? ZCOPY_SEG_POOL : ZCOPY_SEG_FILE;
		s[i].id = lim == POOL_BYTES ? pool : (__u32)r->file;
		s[i].offset = off;
		s[i].len = len;
		pos += len;
	}
	return n;
}

/* Send over one connection after another until the round ends. */
static void *tx_fn(void *arg)
{
	struct conn *c = arg;
	struct round *r = c->r;
	uint64_t rs = c->seed;

	pin(0);
	while (!r->stop) {
		struct rx x = { .seed = zd_rand(&rs), .mode = zd_rand(&rs) % 3 };
		uint64_t pos = 0;
		pthread_t t;
		int snd, err = 0;

		if (tcp_pair(&snd, &x.fd)) {
			rfail(r, "connection: %s", strerror(errno));
			break;
		}
		pthread_create(&t, NULL, rx_fn, &x);
		while (!r->stop && !err) {
			struct zcopy_seg segs[4];
			struct zcopy_send s = { .size = sizeof(s), .sockfd = snd };

			s.nr_segs = make_segs(r, &rs, pos, segs);
			s.segs = (uintptr_t)segs;
			s.cookie = c->id;
			if (ioctl(r->dev, ZCOPY_IOC_SEND, &s)) {
				err = errno;
				if (err == ENOENT || err == ENOBUFS || err == EINTR) {
					if (err == ENOBUFS)
						usleep(1000);
					err = 0;
					continue;
				}
				break;
			}
			__atomic_add_fetch(&r->sends, 1, __ATOMIC_RELAXED);
			__atomic_add_fetch(&r->bytes, s.bytes_sent, __ATOMIC_RELAXED);
			pos += s.bytes_sent;
			if (s.stop_reason == ZCOPY_STOP_ERROR)
				err = s.stop_errno;
			else if (s.stop_reason == ZCOPY_STOP_EOF)
				rfail(r, "EOF inside the file at %llu",
				      (unsigned long long)pos);
		}
		/* Only a peer that reset may end a connection early. */
		if (err && !(x.mode == 2 && (err == EPIPE || err == ECONNRESET ||
					     err == ENOTCONN)))
			rfail(r, "SEND: %s", strerror(err));
		shutdown(snd, SHUT_WR);
		pthread_join(t, NULL);
		if (x.bad)
			rfail(r, "connection %d: wrong byte received", c->id);
		else if (x.mode != 2 && !err && x.got != pos)
			rfail(r, "connection %d: received %llu of %llu bytes",
			      c->id, (unsigned long long)x.got,
			      (unsigned long long)pos);
		if (x.mode == 2)
			__atomic_add_fetch(&r->resets, 1, __ATOMIC_RELAXED);
		if (x.mode == 1)
			__atomic_add_fetch(&r->stalls, 1, __ATOMIC_RELAXED);
		close(snd);
	}
	return NULL;
}

static void *reader_fn(void *arg)
{
	struct round *r = arg;
	struct zcopy_completion c[8];

	pin(1);
	while (!r->stop) {
		struct pollfd p = { .fd = r->dev, .events = POLLIN };
		ssize_t n, i;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(r->dev, c, sizeof(c));
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			rfail(r, "read: %s", strerror(errno));
			break;
		}
		for (i = 0; n > 0 && i < n / (ssize_t)sizeof(c[0]); i++) {
			if (c[i].zc_bytes + c[i].copied_bytes != c[i].bytes)
				rfail(r, "completion: %llu != %llu + %llu",
				      (unsigned long long)c[i].bytes,
				      (unsigned long long)c[i].zc_bytes,
				      (unsigned long long)c[i].copied_bytes);
			if (c[i].cookie < NR_CONNS)	/* not a child's */
				__atomic_add_fetch(&r->compls, 1, __ATOMIC_RELAXED);
		}
	}
	return NULL;
}

static __u32 new_pool(struct round *r)
{
	struct zcopy_pool_register reg = { .size = sizeof(reg),
					   .len = POOL_BYTES };
	char *m = mmap(NULL, POOL_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return 0;
	fill(m, POOL_BYTES);
	reg.addr = (uintptr_t)m;
	if (ioctl(r->dev, ZCOPY_IOC_POOL_REGISTER, &reg))
		reg.pool_id = 0;
	munmap(m, POOL_BYTES);	/* the pool keeps its pages */
	return reg.pool_id;
}

static void *churn_fn(void *arg)
{
	struct round *r = arg;
	uint64_t rs = r->dev * 7919ULL;

	while (!r->stop) {
		int slot = zd_rand(&rs) % NR_SLOTS;
		struct zcopy_pool_unregister u = { .size = sizeof(u) };

		u.pool_id = r->pools[slot];
		r->pools[slot] = new_pool(r);
		if (u.pool_id && ioctl(r->dev, ZCOPY_IOC_POOL_UNREGISTER, &u))
			rfail(r, "POOL_UNREGISTER: %s", strerror(errno));
		__atomic_add_fetch(&r->churns, 1, __ATOMIC_RELAXED);
		usleep(zd_rand(&rs) % 20000);
	}
	return NULL;
}

static void *netlink_fn(void *arg)
{
	struct round *r = arg;
	struct zd_nl nl;
	struct zd_stats st;
	char req[64];
	int e;

	if (zd_nl_open(&nl)) {
		rfail(r, "netlink: no zcopy family");
		return NULL;
	}
	while (!r->stop) {
		e = zd_nl_transact(&nl, zd_genl_msg(&nl, req, nl.family,
						    ZCOPY_CMD_POOL_GET, NLM_F_DUMP),
				   NULL, NULL);
		if (!e)
			e = zd_stats(&nl, &st);
		if (e) {
			rfail(r, "netlink: %s", strerror(-e));
			break;
		}
		__atomic_add_fetch(&r->dumps, 1, __ATOMIC_RELAXED);
		usleep(5000);
	}
	close(nl.fd);
	return NULL;
}

/* A child sends over the shared file to its own connection. */
static void *fork_fn(void *arg)
{
	struct round *r = arg;
	uint64_t rs = r->dev * 104729ULL;

	while (!r->stop) {
		int snd, rcv, st;
		pid_t pid;

		if (tcp_pair(&snd, &rcv))
			break;
		pid = fork();
		if (pid == 0) {
			struct rx x = { .fd = rcv };
			uint64_t pos = 0;
			pthread_t t;
			int i;

			pthread_create(&t, NULL, rx_fn, &x);
			for (i = 0; i < 8; i++) {
				struct zcopy_seg segs[4];
				struct zcopy_send s = { .size = sizeof(s),
							.sockfd = snd };

				s.nr_segs = make_segs(r, &rs, pos, segs);
				s.segs = (uintptr_t)segs;
				s.cookie = 1000;
				if (ioctl(r->dev, ZCOPY_IOC_SEND, &s))
					continue;
				pos += s.bytes_sent;
			}
			shutdown(snd, SHUT_WR);
			pthread_join(t, NULL);
			_exit(x.bad || x.got != pos ? 1 : 0);
		}
		close(snd);
		close(rcv);
		if (pid < 0)
			break;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rfail(r, "fork: the child's bytes arrived wrong");
		__atomic_add_fetch(&r->forks, 1, __ATOMIC_RELAXED);
		usleep(zd_rand(&rs) % 100000);
	}
	return NULL;
}

static int run_round(uint64_t seed, unsigned int ms, struct round *tot)
{
	struct round r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct conn c[NR_CONNS];
	pthread_t tx[NR_CONNS], th[4];
	void *(*fns[4])(void *) = { reader_fn, churn_fn, netlink_fn, fork_fn };
	char *f = malloc(FILE_BYTES);
	int i;

	r.dev = zd_dev_open();
	r.file = memfd_create("stress", MFD_CLOEXEC);
	if (r.dev < 0 || r.file < 0 || !f) {
		fprintf(stderr, "# setup: %s\n", strerror(errno));
		return -1;
	}
	fill(f, FILE_BYTES);
	if (write(r.file, f, FILE_BYTES) != FILE_BYTES)
		return -1;
	free(f);
	for (i = 0; i < NR_SLOTS / 2; i++)
		r.pools[i] = new_pool(&r);
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, fns[i], &r);
	for (i = 0; i < NR_CONNS; i++) {
		c[i] = (struct conn){ .r = &r, .id = i, .seed = seed + i };
		pthread_create(&tx[i], NULL, tx_fn, &c[i]);
	}
	usleep(ms * 1000);
	r.stop = 1;
	for (i = 0; i < NR_CONNS; i++)
		pthread_join(tx[i], NULL);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/* Half the rounds read what is still due; the others close now. */
	if (seed & 1) {
		uint64_t end = zd_now_ms() + 5000;
		struct zcopy_completion cc[8];
		struct pollfd p = { .fd = r.dev, .events = POLLIN };

		while (r.compls < r.sends && zd_now_ms() < end) {
			ssize_t n = 0, j;

			if (poll(&p, 1, 100) > 0)
				n = read(r.dev, cc, sizeof(cc));

			for (j = 0; n > 0 && j < n / (ssize_t)sizeof(cc[0]); j++)
				r.compls += cc[j].cookie < NR_CONNS;
		}
		if (r.compls < r.sends)
			rfail(&r, "%llu completions for %llu sends",
			      (unsigned long long)r.compls,
			      (unsigned long long)r.sends);
	}
	close(r.dev);
	close(r.file);
	tot->sends += r.sends;
	tot->compls += r.compls;
	tot->bytes += r.bytes;
	tot->resets += r.resets;
	tot->stalls += r.stalls;
	tot->forks += r.forks;
	tot->churns += r.churns;
	tot->dumps += r.dumps;
	if (r.failed) {
		printf("# round seed %llu: %s\n", (unsigned long long)seed, r.why);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "seed", required_argument, NULL, 's' },
		{ }
	};
	const char *env = getenv("ZCOPY_STRESS_SECS");
	unsigned long secs = access("/sys/kernel/debug/kmemleak", F_OK) ? 8 : 100;
	uint64_t seed = time(NULL), rs, end, start;
	struct round tot = { 0 };
	struct zd_stats st;
	struct zd_nl nl;
	int c, rounds = 0, failed = 0;
	long refs;

	if (env)
		secs = strtoul(env, NULL, 10);
	while ((c = getopt_long(argc, argv, "d:s:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': secs = strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-d SECONDS] [-s SEED]\n", argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..1\n");
	if (access("/dev/" ZCOPY_DEVICE_NAME, R_OK | W_OK) || zd_nl_open(&nl)) {
		printf("ok 1 stress # SKIP zcopy.ko is not loaded (or not root)\n");
		return ZD_SKIP;
	}
	signal(SIGPIPE, SIG_IGN);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	refs = zd_module_refcnt();
	printf("# seed %llu, %lu s, %d CPUs\n", (unsigned long long)seed, secs, ncpus);
	rs = seed;
	start = zd_now_ms();
	end = start + secs * 1000;
	while (zd_now_ms() < end && !failed) {
		failed = run_round(zd_rand(&rs), 1000 + zd_rand(&rs) % 3000, &tot) < 0;
		rounds++;
	}
	printf("# %d rounds in %.0f s: %llu sends, %llu MB verified, %llu completions read, %llu resets, %llu stalling peers, %llu forks, %llu pool churns, %llu netlink dumps\n",
	       rounds, (zd_now_ms() - start) / 1000.0,
	       (unsigned long long)tot.sends, (unsigned long long)(tot.bytes >> 20),
	       (unsigned long long)tot.compls, (unsigned long long)tot.resets,
	       (unsigned long long)tot.stalls, (unsigned long long)tot.forks,
	       (unsigned long long)tot.churns, (unsigned long long)tot.dumps);
	if (zd_wait_idle(&nl, &st, 10000)) {
		printf("# left behind: %llu pools, %llu pinned pages, %llu outstanding\n",
		       (unsigned long long)st.v[ZCOPY_A_STATS_POOLS],
		       (unsigned long long)st.v[ZCOPY_A_STATS_PINNED_PAGES],
		       (unsigned long long)st.v[ZCOPY_A_STATS_OUTSTANDING]);
		failed = 1;
	}
	if (zd_module_refcnt() != refs) {
		printf("# module refcount %ld, was %ld\n", zd_module_refcnt(), refs);
		failed = 1;
	}
	printf("%s 1 stress\n", failed ? "not ok" : "ok");
	return failed;
}
