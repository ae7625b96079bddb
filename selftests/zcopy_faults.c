// SPDX-License-Identifier: GPL-2.0
/*
 * Faults: what happens to transfers, pins and module references when the
 * sender dies, the peer goes away, the file or the buffer changes under a
 * send, or allocations fail. After each: pinned pages, pools and
 * outstanding transfers back to where they were, the module refcount back
 * to its baseline.
 *
 *   lost.kill      over veth with netem dropping everything, a child sends
 *                  pool and file bytes and is SIGKILLed; rmmod is refused
 *                  while the transfer is outstanding; once the loss is
 *                  lifted, the orphaned socket delivers every byte and
 *                  everything is released
 *   lost.close     the same with the sender closing /dev/zcopy and its
 *                  socket instead of dying (unload.refused_while_completion_
 *                  outstanding in zcopy_topology covers the device alone)
 *   peer.reset     the receiver resets the connection (SO_LINGER 0) in the
 *                  middle of a blocking send: the send reports
 *                  ECONNRESET/EPIPE as a short send, no SIGPIPE, one
 *                  completion, the next send fails with EPIPE/ECONNRESET
 *   peer.close     the receiver closes (with unread data) mid-send
 *   churn.tmpfs, churn.ext4
 *                  the file is truncated, extended and rewritten in a loop
 *                  while extents of it are sent: each send's bytes_sent is
 *                  exactly what the receiver got
 *   inflight.munmap, inflight.madv_dontneed
 *                  the pool's buffer is unmapped / MADV_DONTNEED'd while its
 *                  pages are queued behind netem delay: the receiver gets
 *                  the old bytes, the completion arrives
 *   inject.*       allocation failures (failslab, fail_page_alloc through
 *                  /proc/thread-self/fail-nth) at every allocation of open,
 *                  POOL_REGISTER, SEND, and the netlink operations: each
 *                  fails cleanly or succeeds; needs CONFIG_FAULT_INJECTION
 *                  (the sanitizer kernel), SKIP elsewhere
 */

#include <stddef.h>
#include <sys/resource.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

/* --------------------------------------------- transfers left in flight */

FIXTURE(lost)
{
	int ns_a, ns_b, snd, rcv;
	struct zu_leak_base base;
	const char *ko;
	bool netem;
};

FIXTURE_VARIANT(lost)
{
	bool kill;
};

FIXTURE_VARIANT_ADD(lost, kill) { .kill = true };
FIXTURE_VARIANT_ADD(lost, close) { .kill = false };

FIXTURE_SETUP(lost)
{
	struct zcopy_query q;
	char why[256];
	int dev, r;

	self->ns_a = self->ns_b = self->snd = self->rcv = -1;
	self->netem = false;
	ZU_DEV_OPEN(dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	close(dev);
	self->ko = getenv("ZCOPY_KO");
	ASSERT_EQ(0, zu_leak_base(&self->base));
	r = zu_veth_new(&self->ns_a, &self->ns_b, "zf0", "zf1", "10.79.0",
			why, sizeof(why));
	if (r == KSFT_SKIP)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	{
		struct zu_tcp_opts o = {
			.addr = "10.79.0.2", .srv_ns = self->ns_b,
			.cli_ns = self->ns_a,
		};

		ASSERT_EQ(0, zu_tcp_pair_opts(&o, &self->snd, &self->rcv));
	}
	zu_sh("modprobe sch_netem 2>/dev/null");
	if (zu_sh_in(self->ns_a, "tc qdisc add dev zf0 root netem loss 100%%"))
		SKIP(return, "netem not available");
	self->netem = true;
}

FIXTURE_TEARDOWN(lost)
{
	if (self->netem)
		zu_sh_in(self->ns_a, "tc qdisc del dev zf0 root 2>/dev/null");
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->ns_a);
	zu_close(&self->ns_b);
	/* If a test unloaded the module by mistake, bring it back. */
	if (self->ko && access("/sys/module/zcopy", F_OK))
		zu_sh("insmod %s", self->ko);
}

#define LOST_LEN (16 * 1024)

/*
 * Register a pool, send [pool | file] without waiting, and say how many
 * bytes went into the socket. In the child of lost.kill, or in the test.
 */
static int lost_send(int snd, const unsigned char *pool_data,
		     const unsigned char *file_data, int *devp,
		     __u64 *bytes)
{
	struct zcopy_seg segs[2];
	struct zcopy_send s;
	struct zu_pool pool;
	int dev, fd, r;

	dev = zu_dev_open_raw(0);
	if (dev < 0)
		return -errno;
	r = zu_pool_new(dev, LOST_LEN, 0, &pool);
	if (r)
		return r;
	memcpy(pool.mem, pool_data, LOST_LEN);
	fd = zu_tmpfile("/tmp", file_data, LOST_LEN);
	if (fd < 0)
		return fd;
	segs[0] = zu_seg_pool(pool.id, 0, LOST_LEN);
	segs[1] = zu_seg_file(fd, 0, LOST_LEN);
	r = zu_send(dev, snd, segs, 2, NULL, 1, ZCOPY_SEND_DONTWAIT, &s);
	close(fd);
	if (r)
		return r;
	*bytes = s.bytes_sent;
	*devp = dev;
	return 0;
}

TEST_F_TIMEOUT(lost, sender_gone_with_completion_outstanding, 150)
{
	unsigned char *expect = malloc(2 * LOST_LEN);
	__u64 v[ZCOPY_A_STATS_MAX + 1];
	__u64 bytes = 0;
	struct zu_rx rx;
	int dev = -1, p[2], status;
	long refs;
	pid_t pid = -1;

	ASSERT_NE(NULL, expect);
	zu_fill(expect, 2 * LOST_LEN, zu_seed(_metadata->name));
	if (variant->kill) {
		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			int r = lost_send(self->snd, expect, expect + LOST_LEN,
					  &dev, &bytes);

			if (r)
				bytes = 0;
			if (write(p[1], &bytes, sizeof(bytes)) != sizeof(bytes))
				_exit(1);
			pause();
			_exit(0);
		}
		close(p[1]);
		ASSERT_EQ((ssize_t)sizeof(bytes), read(p[0], &bytes, sizeof(bytes)));
		close(p[0]);
	} else {
		ASSERT_EQ(0, lost_send(self->snd, expect, expect + LOST_LEN,
				       &dev, &bytes));
	}
	/* Only the sender (child or us) keeps the socket. */
	TH_LOG("%llu bytes queued behind 100%% loss",
	       (unsigned long long)bytes);
	ASSERT_LT(0, bytes);
	ASSERT_EQ(0, zu_stats(v));
	EXPECT_LT(self->base.outstanding, v[ZCOPY_A_STATS_OUTSTANDING]);
	EXPECT_LT(self->base.pinned, v[ZCOPY_A_STATS_PINNED_PAGES]);

	if (variant->kill) {
		zu_close(&self->snd);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status));
	} else {
		close(dev);
		zu_close(&self->snd);
	}
	/* No file, no socket fd: the transfer alone holds the module. */
	zu_sleep_ms(200);
	refs = zu_module_refcnt();
	TH_LOG("refcnt with the sender gone: %ld (baseline %ld)", refs,
	       self->base.refcnt);
	EXPECT_LT(self->base.refcnt, refs);
	ASSERT_EQ(0, zu_stats(v));
	EXPECT_LT(self->base.outstanding, v[ZCOPY_A_STATS_OUTSTANDING]);
	if (self->ko) {
		EXPECT_NE(0, zu_sh("rmmod zcopy 2>/dev/null"))
			TH_LOG("zcopy unloaded with a transfer in flight");
		ASSERT_EQ(0, access("/sys/module/zcopy", F_OK));
	}

	/* Traffic resumes: the orphaned socket delivers, then FIN. */
	ASSERT_EQ(0, zu_sh_in(self->ns_a, "tc qdisc del dev zf0 root"));
	self->netem = false;
	ASSERT_EQ(0, zu_rx_start_idle(&rx, self->rcv, expect, bytes, 0,
				      30000));
	zu_rx_join(&rx);
	EXPECT_EQ(bytes, rx.got);
	EXPECT_TRUE(rx.eof);
	EXPECT_EQ(SIZE_MAX, rx.mismatch_at) zu_rx_log(&rx);
	EXPECT_EQ(0, zu_leak_check(&self->base, 60000));
	free(expect);
}

/* --------------------------------------------------- the peer goes away */

FIXTURE(peer)
{
	int dev, snd, rcv, fd;
	struct zu_pool pool;
	struct zu_leak_base base;
	unsigned char *data;
};

FIXTURE_VARIANT(peer)
{
	bool reset;
};

FIXTURE_VARIANT_ADD(peer, reset) { .reset = true };
FIXTURE_VARIANT_ADD(peer, close) { .reset = false };

#define PEER_FILE (4 * ZU_MIB)
#define PEER_POOL (64 * 1024)

FIXTURE_SETUP(peer)
{
	struct zu_tcp_opts o = {
		.srv_ns = -1, .cli_ns = -1, .sndbuf = 65536, .rcvbuf = 65536,
	};
	struct zcopy_query q;

	self->dev = self->snd = self->rcv = self->fd = -1;
	self->data = NULL;
	memset(&self->pool, 0, sizeof(self->pool));
	ASSERT_EQ(0, zu_leak_base(&self->base));
	ZU_DEV_OPEN(self->dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_pool_new(self->dev, PEER_POOL, 5, &self->pool));
	self->data = malloc(PEER_FILE);
	ASSERT_NE(NULL, self->data);
	zu_fill(self->data, PEER_FILE, 6);
	self->fd = zu_tmpfile("/tmp", self->data, PEER_FILE);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, zu_tcp_pair_opts(&o, &self->snd, &self->rcv));
}

FIXTURE_TEARDOWN(peer)
{
	zu_pool_free(&self->pool);
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->fd);
	zu_close(&self->dev);
	free(self->data);
}

struct peer_arg {
	int fd;
	bool reset;
	size_t got;
};

/* Read a little, then go away. */
static void *peer_fn(void *p)
{
	struct peer_arg *a = p;
	struct linger lg = { 1, 0 };

	a->got = zu_drain(a->fd, 128 * 1024, 5000);
	if (a->reset)
		setsockopt(a->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(a->fd);
	return NULL;
}

TEST_F_TIMEOUT(peer, goes_away_mid_send, 60)
{
	struct peer_arg a = { .fd = self->rcv, .reset = variant->reset };
	struct zcopy_seg segs[3];
	struct zcopy_send s, s2;
	struct zcopy_completion c;
	pthread_t th;
	int r;

	/* SIGPIPE would kill the test: the module must never raise it. */
	signal(SIGPIPE, SIG_DFL);
	segs[0] = zu_seg_pool(self->pool.id, 0, PEER_POOL);
	segs[1] = zu_seg_file(self->fd, 0, PEER_FILE);
	segs[2] = zu_seg_pool(self->pool.id, 0, PEER_POOL);
	ASSERT_EQ(0, pthread_create(&th, NULL, peer_fn, &a));
	r = zu_send(self->dev, self->snd, segs, 3, NULL, 11, 0, &s);
	pthread_join(th, NULL);
	self->rcv = -1;
	zu_log_send(&s);
	TH_LOG("peer read %zu bytes, then %s", a.got,
	       variant->reset ? "reset" : "closed");
	ASSERT_EQ(0, r) TH_LOG("send: %s", strerror(-r));
	/* It sent at least what the peer read, and stopped on the error. */
	EXPECT_LE(a.got, s.bytes_sent);
	EXPECT_GT(2 * PEER_POOL + PEER_FILE, s.bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_ERROR, s.stop_reason);
	EXPECT_TRUE(s.stop_errno == ECONNRESET || s.stop_errno == EPIPE)
		TH_LOG("stop_errno %d (%s)", s.stop_errno,
		       strerror(s.stop_errno));
	EXPECT_EQ(0, zu_check_stop(segs, 3, &s, NULL));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_EQ(11, c.cookie);

	/* The connection is gone: the next send fails, nothing follows. */
	r = zu_send(self->dev, self->snd, segs, 1, NULL, 12, 0, &s2);
	EXPECT_TRUE(r == -EPIPE || r == -ECONNRESET)
		TH_LOG("second send: %d (%s)", r, strerror(-r));
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c, 300));

	zu_pool_free(&self->pool);
	zu_close(&self->snd);
	zu_close(&self->dev);
	EXPECT_EQ(0, zu_leak_check(&self->base, 30000));
}

/* ------------------------------------------ the file changes under sends */

FIXTURE(churn)
{
	int dev, snd, rcv, fd;
	struct zu_pool pool;
	struct zu_ext4 ext4;
	struct zu_leak_base base;
};

FIXTURE_VARIANT(churn)
{
	bool ext4;
};

FIXTURE_VARIANT_ADD(churn, tmpfs) { .ext4 = false };
FIXTURE_VARIANT_ADD(churn, ext4) { .ext4 = true };

#define CHURN_MAX (512 * 1024)

FIXTURE_SETUP(churn)
{
	struct zcopy_query q;
	unsigned char *buf;
	char why[256];
	int r;

	self->dev = self->snd = self->rcv = self->fd = -1;
	memset(&self->pool, 0, sizeof(self->pool));
	memset(&self->ext4, 0, sizeof(self->ext4));
	ASSERT_EQ(0, zu_leak_base(&self->base));
	ZU_DEV_OPEN(self->dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	buf = malloc(CHURN_MAX);
	ASSERT_NE(NULL, buf);
	zu_fill(buf, CHURN_MAX, 9);
	if (variant->ext4) {
		r = zu_ext4_mount(&self->ext4, why, sizeof(why));
		if (r == KSFT_SKIP)
			SKIP(free(buf); return, "%s", why);
		ASSERT_EQ(0, r);
		self->fd = zu_disk_file(self->ext4.dir, "churn", buf,
					CHURN_MAX);
	} else {
		self->fd = zu_tmpfile("/tmp", buf, CHURN_MAX);
	}
	free(buf);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, zu_pool_new(self->dev, 64 * 1024, 10, &self->pool));
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
}

FIXTURE_TEARDOWN(churn)
{
	zu_pool_free(&self->pool);
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->fd);
	zu_close(&self->dev);
	if (self->ext4.mounted)
		zu_ext4_umount(&self->ext4);
}

struct churn_arg {
	int fd;
	volatile bool stop;
	uint64_t seed;
	unsigned long ops;
};

/* Truncate, extend, punch and rewrite the file as fast as possible. */
static void *mutator_fn(void *p)
{
	struct churn_arg *a = p;
	static unsigned char buf[65536];
	uint64_t st = a->seed;
	off_t off;
	size_t len;

	while (!a->stop) {
		switch (zu_rand(&st) % 4) {
		case 0:
			if (ftruncate(a->fd, zu_rand(&st) % CHURN_MAX))
				break;
			break;
		case 1:
			if (ftruncate(a->fd, CHURN_MAX))
				break;
			break;
		case 2:
			off = zu_rand(&st) % CHURN_MAX;
			len = 1 + zu_rand(&st) % sizeof(buf);
			memset(buf, (int)(zu_rand(&st) & 0xff), len);
			if (pwrite(a->fd, buf, len, off) < 0)
				break;
			break;
		default:
			off = zu_rand(&st) % CHURN_MAX & ~4095L;
			fallocate(a->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				  off, 4096 * (1 + zu_rand(&st) % 8));
		}
		a->ops++;
	}
	return NULL;
}

struct count_arg {
	int fd;
	volatile size_t got;
	volatile bool eof;
};

static void *counter_fn(void *p)
{
	struct count_arg *a = p;
	static unsigned char buf[65536];
	ssize_t n;

	for (;;) {
		n = recv(a->fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		__atomic_add_fetch(&a->got, n, __ATOMIC_SEQ_CST);
	}
	a->eof = true;
	return NULL;
}

TEST_F_TIMEOUT(churn, truncate_extend_rewrite_while_sending, 90)
{
	uint64_t rng = zu_seed(_metadata->name), t0 = zu_now_ns(), total = 0;
	struct churn_arg m = { .fd = self->fd, .seed = rng ^ 1 };
	struct count_arg cnt = { .fd = self->rcv };
	int secs = env_int("ZCOPY_FAULT_SECS", 5);
	unsigned long sends = 0, bad = 0, compl = 0, eofs = 0;
	struct zcopy_seg_result res[3];
	struct zcopy_completion c;
	struct zcopy_seg segs[3];
	struct zcopy_send s;
	pthread_t tm, tc;
	uint64_t w;
	__u32 n;
	int r;

	ASSERT_EQ(0, pthread_create(&tm, NULL, mutator_fn, &m));
	ASSERT_EQ(0, pthread_create(&tc, NULL, counter_fn, &cnt));
	ASSERT_EQ(0, zu_set_nonblock(self->dev, true));
	while (zu_ms_since(t0) < (uint64_t)secs * 1000) {
		n = 1 + zu_rand(&rng) % 3;
		segs[0] = zu_seg_file(self->fd, zu_rand(&rng) % CHURN_MAX,
				      1 + zu_rand(&rng) % (256 * 1024));
		segs[1] = zu_seg_pool(self->pool.id, zu_rand(&rng) % 4096,
				      1 + zu_rand(&rng) % 4096);
		segs[2] = zu_seg_file(self->fd, zu_rand(&rng) % CHURN_MAX,
				      1 + zu_rand(&rng) % 65536);
		r = zu_send(self->dev, self->snd, segs, n, res, sends, 0, &s);
		if (r) {
			TH_LOG("send %lu failed: %s", sends, strerror(-r));
			bad++;
			break;
		}
		sends++;
		eofs += s.stop_reason == ZCOPY_STOP_EOF;
		if (zu_check_stop(segs, n, &s, res))
			bad++;
		total += s.bytes_sent;
		/* The receiver gets exactly what was reported, no more. */
		w = zu_now_ns();
		while (__atomic_load_n(&cnt.got, __ATOMIC_SEQ_CST) < total &&
		       zu_ms_since(w) < 10000)
			zu_sleep_ms(1);
		if (__atomic_load_n(&cnt.got, __ATOMIC_SEQ_CST) != total) {
			if (bad++ < 5)
				TH_LOG("send %lu: reported %llu in all, receiver got %zu",
				       sends, (unsigned long long)total,
				       cnt.got);
		}
		while (read(self->dev, &c, sizeof(c)) == sizeof(c))
			compl++;
	}
	m.stop = true;
	pthread_join(tm, NULL);
	while (compl < sends && !zu_read_compl(self->dev, &c, 10000))
		compl++;
	zu_close(&self->snd);
	pthread_join(tc, NULL);
	TH_LOG("%lu sends (%lu stopped at EOF), %llu bytes, %lu file mutations, %lu completions, %lu mismatches",
	       sends, eofs, (unsigned long long)total, m.ops, compl, bad);
	EXPECT_EQ(total, cnt.got);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(sends, compl);
	EXPECT_LT(10, sends);
	zu_pool_free(&self->pool);
	zu_close(&self->dev);
	EXPECT_EQ(0, zu_leak_check(&self->base, 30000));
}

/* ---------------------------------- the buffer goes away while in flight */

FIXTURE(inflight)
{
	int ns_a, ns_b, snd, rcv, dev;
	struct zu_leak_base base;
};

FIXTURE_VARIANT(inflight)
{
	bool munmap;
};

FIXTURE_VARIANT_ADD(inflight, munmap) { .munmap = true };
FIXTURE_VARIANT_ADD(inflight, madv_dontneed) { .munmap = false };

FIXTURE_SETUP(inflight)
{
	struct zu_tcp_opts o = {
		.addr = "10.80.0.2", .srv_ns = -1, .cli_ns = -1,
	};
	struct zcopy_query q;
	char why[256];
	int r;

	self->ns_a = self->ns_b = self->snd = self->rcv = self->dev = -1;
	ASSERT_EQ(0, zu_leak_base(&self->base));
	ZU_DEV_OPEN(self->dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	r = zu_veth_new(&self->ns_a, &self->ns_b, "zi0", "zi1", "10.80.0",
			why, sizeof(why));
	if (r == KSFT_SKIP)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	o.srv_ns = self->ns_b;
	o.cli_ns = self->ns_a;
	ASSERT_EQ(0, zu_tcp_pair_opts(&o, &self->snd, &self->rcv));
	zu_sh("modprobe sch_netem 2>/dev/null");
	if (zu_sh_in(self->ns_a, "tc qdisc add dev zi0 root netem delay 300ms"))
		SKIP(return, "netem not available");
}

FIXTURE_TEARDOWN(inflight)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->dev);
	zu_close(&self->ns_a);
	zu_close(&self->ns_b);
}

TEST_F_TIMEOUT(inflight, buffer_dropped_while_queued, 90)
{
	size_t len = 256 * 1024;
	unsigned char *expect = malloc(2 * len);
	__u64 v[ZCOPY_A_STATS_MAX + 1];
	struct zcopy_completion c;
	struct zcopy_seg seg;
	struct zcopy_send s;
	struct zu_pool pool;
	struct zu_rx rx;

	ASSERT_NE(NULL, expect);
	ASSERT_EQ(0, zu_pool_new(self->dev, len, zu_seed(_metadata->name),
				 &pool));
	memcpy(expect, pool.mem, len);
	memcpy(expect + len, pool.mem, len);
	seg = zu_seg_pool(pool.id, 0, len);
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, 2 * len, 2 * len));
	ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, 21, 0, &s));
	ASSERT_EQ(len, s.bytes_sent);
	/* The pages are behind 300 ms of delay now: drop the mapping. */
	if (variant->munmap) {
		ASSERT_EQ(0, munmap(pool.mem, pool.maplen));
		pool.mem = NULL;
	} else {
		ASSERT_EQ(0, madvise(pool.mem, pool.maplen, MADV_DONTNEED));
		EXPECT_EQ(0, pool.mem[0]);	/* zero-filled again */
	}
	ASSERT_EQ(0, zu_stats(v));
	EXPECT_LT(self->base.outstanding, v[ZCOPY_A_STATS_OUTSTANDING]);
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	/* Once more after the completion: still the pinned, old pages. */
	ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, 22, 0, &s));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, 2 * len));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, pool.id));
	pool.dev = -1;
	zu_pool_free(&pool);
	zu_close(&self->snd);
	zu_close(&self->dev);
	EXPECT_EQ(0, zu_leak_check(&self->base, 30000));
	free(expect);
}

/* -------------------------------------------------- allocation failures */

#define FAILSLAB "/sys/kernel/debug/failslab"
#define FAILPAGE "/sys/kernel/debug/fail_page_alloc"

struct fi_knob {
	const char *path;
	const char *value;
	char saved[64];
};

static struct fi_knob fi_knobs[] = {
	{ .path = FAILSLAB "/ignore-gfp-wait", .value = "N" },
	{ .path = FAILSLAB "/verbose", .value = "0" },
	/*
	 * The random path stays off (probability 0) but for the tests that
	 * fail a second allocation after the N-th (fail_second()): they
	 * turn it on for this thread alone (task-filter, make-it-fail).
	 */
	{ .path = FAILSLAB "/probability", .value = "0" },
	{ .path = FAILSLAB "/task-filter", .value = "Y" },
	{ .path = FAILSLAB "/times", .value = "0" },
	{ .path = FAILSLAB "/interval", .value = "1" },
	{ .path = FAILSLAB "/space", .value = "0" },
	{ .path = FAILPAGE "/ignore-gfp-wait", .value = "N" },
	{ .path = FAILPAGE "/ignore-gfp-highmem", .value = "N" },
	{ .path = FAILPAGE "/min-order", .value = "0" },
	{ .path = FAILPAGE "/verbose", .value = "0" },
};

#define NR_KNOBS (sizeof(fi_knobs) / sizeof(fi_knobs[0]))

FIXTURE(inject)
{
	int dev, snd, rcv, file, nth;
	struct zu_pool pool;
	unsigned char *buf;
	struct zu_leak_base base;
	bool knobs_set;
	pthread_t drain;
	bool draining;
	struct zt_nl *nl;
};

static void *inject_drain(void *p)
{
	int fd = *(int *)p;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	zu_drain(fd, 0, 3000);
	return NULL;
}

FIXTURE_SETUP(inject)
{
	struct zcopy_query q;
	size_t i;
	ssize_t n;

	self->dev = self->snd = self->rcv = self->file = self->nth = -1;
	self->knobs_set = self->draining = false;
	self->buf = NULL;
	self->nl = NULL;
	memset(&self->pool, 0, sizeof(self->pool));
	ZU_DEV_OPEN(self->dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	if (access("/proc/thread-self/fail-nth", W_OK))
		SKIP(return, "no /proc/thread-self/fail-nth: kernel without CONFIG_FAULT_INJECTION (stock Debian kernels lack it; use the sanitizer kernel)");
	if (access(FAILSLAB, F_OK) || access(FAILPAGE, F_OK))
		SKIP(return, "no %s or %s: kernel without CONFIG_FAILSLAB/CONFIG_FAIL_PAGE_ALLOC or debugfs not mounted",
		     FAILSLAB, FAILPAGE);
	for (i = 0; i < NR_KNOBS; i++) {
		const char *path = fi_knobs[i].path;

		n = zu_read_file(path, fi_knobs[i].saved,
				 sizeof(fi_knobs[i].saved) - 1);
		ASSERT_LT(0, n) TH_LOG("%s", path);
		fi_knobs[i].saved[n] = 0;
	}
	for (i = 0; i < NR_KNOBS; i++) {
		const char *path = fi_knobs[i].path;

		ASSERT_EQ(0, zu_write_file(path, fi_knobs[i].value))
			TH_LOG("%s", path);
	}
	self->knobs_set = true;
	self->nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	ASSERT_EQ(0, zu_set_nonblock(self->dev, true));
	self->buf = mmap(NULL, 16 * ZU_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, 0x42, 16 * ZU_PAGE);
	ASSERT_EQ(0, zu_pool_new(self->dev, 8 * ZU_PAGE, 3, &self->pool));
	self->file = zu_tmpfile("/tmp", self->buf, 8 * ZU_PAGE);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
	ASSERT_EQ(0, pthread_create(&self->drain, NULL, inject_drain,
				    &self->rcv));
	self->draining = true;
	self->nl = malloc(sizeof(*self->nl));
	ASSERT_NE(NULL, self->nl);
	ASSERT_EQ(0, zt_nl_open(self->nl, ZCOPY_GENL_NAME));
	ASSERT_EQ(0, zu_leak_base(&self->base));
}

FIXTURE_TEARDOWN(inject)
{
	size_t i;

	if (self->nth >= 0) {
		zu_write_file("/proc/thread-self/fail-nth", "0");
		close(self->nth);
	}
	if (self->knobs_set)
		for (i = 0; i < NR_KNOBS; i++)
			zu_write_file(fi_knobs[i].path, fi_knobs[i].saved);
	zu_pool_free(&self->pool);
	zu_close(&self->snd);
	if (self->draining)
		pthread_join(self->drain, NULL);
	zu_close(&self->rcv);
	zu_close(&self->file);
	zu_close(&self->dev);
	if (self->nl) {
		close(self->nl->fd);
		free(self->nl);
	}
	if (self->buf)
		munmap(self->buf, 16 * ZU_PAGE);
}

enum inj_op { INJ_OPEN, INJ_REGISTER, INJ_SEND, INJ_NL_STATS, INJ_NL_POOLS,
	      INJ_NL_XFER };

/* Arm the N-th fault of this thread; -errno on failure. */
static int fail_nth_arm(int fd, int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", n);

	return pwrite(fd, b, len, 0) == len ? 0 : -errno;
}

/* Disarm; true if the armed fault was injected (the counter ran out). */
static bool fail_nth_fired(int fd)
{
	char b[16] = "";
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);

	if (pwrite(fd, "0", 1, 0) != 1)
		zu_log("disarming fail-nth: %s", strerror(errno));
	return n > 0 && atoi(b) == 0;
}

/*
 * One operation with the @nth allocation failing. Returns 0 or the
 * operation's -errno; *@fired tells whether a fault was injected. Every
 * argument is built before arming, so that only the operation itself
 * counts.
 */
static int inject_one(FIXTURE_DATA(inject) *self, enum inj_op op, int nth,
		      bool *fired)
{
	struct zcopy_pool_register r = {
		.size = sizeof(r), .addr = (uintptr_t)self->buf,
		.len = 4 * ZU_PAGE,
	};
	struct zcopy_seg segs[2] = {
		zu_seg_pool(self->pool.id, 0, 2 * ZU_PAGE),
		zu_seg_file(self->file, 0, 2 * ZU_PAGE),
	};
	struct zcopy_completion c;
	struct zcopy_send s;
	char msg[512];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	__u32 v;
	__u64 v64;
	int ret, fd = -1;

	zu_send_init(&s, self->snd, segs, 2, NULL, nth, ZCOPY_SEND_DONTWAIT);
	switch (op) {
	case INJ_NL_STATS:
		nlh = zt_genl_msg(msg, self->nl->family, ZCOPY_CMD_STATS_GET,
				  ZCOPY_GENL_VERSION);
		break;
	case INJ_NL_POOLS:
		nlh = zt_genl_msg(msg, self->nl->family, ZCOPY_CMD_POOL_GET,
				  ZCOPY_GENL_VERSION);
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		break;
	default:
		nlh = zt_genl_msg(msg, self->nl->family, ZCOPY_CMD_XFER_START,
				  ZCOPY_GENL_VERSION);
		v = self->snd;
		zt_nla_put(nlh, ZCOPY_A_XFER_SOCKFD, &v, 4);
		v = self->dev;
		zt_nla_put(nlh, ZCOPY_A_XFER_DEVFD, &v, 4);
		v = ZCOPY_SEND_DONTWAIT;
		zt_nla_put(nlh, ZCOPY_A_XFER_FLAGS, &v, 4);
		nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
		v = ZCOPY_SEG_POOL;
		zt_nla_put(nlh, ZCOPY_A_SEG_TYPE, &v, 4);
		v = self->pool.id;
		zt_nla_put(nlh, ZCOPY_A_SEG_ID, &v, 4);
		v64 = 3 * ZU_PAGE;
		zt_nla_put(nlh, ZCOPY_A_SEG_LEN, &v64, 8);
		zt_nla_nest_end(nlh, nest);
		nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
		v = ZCOPY_SEG_FILE;
		zt_nla_put(nlh, ZCOPY_A_SEG_TYPE, &v, 4);
		v = self->file;
		zt_nla_put(nlh, ZCOPY_A_SEG_ID, &v, 4);
		zt_nla_put(nlh, ZCOPY_A_SEG_LEN, &v64, 8);
		zt_nla_nest_end(nlh, nest);
	}

	if (fail_nth_arm(self->nth, nth))
		return -EIO;
	switch (op) {
	case INJ_OPEN:
		fd = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
		ret = fd < 0 ? -errno : 0;
		break;
	case INJ_REGISTER:
		ret = ioctl(self->dev, ZCOPY_IOC_POOL_REGISTER, &r) ? -errno : 0;
		break;
	case INJ_SEND:
		ret = ioctl(self->dev, ZCOPY_IOC_SEND, &s) ? -errno : 0;
		break;
	default:
		ret = zt_nl_raw(self->nl, nlh, 5000, NULL, NULL);
	}
	*fired = fail_nth_fired(self->nth);

	/* Undo what succeeded. */
	if (!ret && op == INJ_OPEN)
		close(fd);
	if (!ret && op == INJ_REGISTER)
		zu_pool_unreg(self->dev, r.pool_id);
	if (!ret && (op == INJ_SEND || op == INJ_NL_XFER))
		zu_read_compl(self->dev, &c, 10000);
	return ret;
}

static void inject_all(struct __test_metadata *_metadata,
		       FIXTURE_DATA(inject) *self, enum inj_op op,
		       const char *name)
{
	int nth, ret, failed = 0, leaks = 0, bad = 0;
	bool fired = true;

	for (nth = 1; fired && nth <= 400; nth++) {
		ret = inject_one(self, op, nth, &fired);
		if (ret)
			failed++;
		/* Allocation failures may only ever look like these. */
		if (ret && ret != -ENOMEM && ret != -ENOBUFS && ret != -EAGAIN) {
			if (bad++ < 5)
				TH_LOG("%s with allocation %d failing: %s",
				       name, nth, strerror(-ret));
		}
		if (zu_leak_check(&self->base, 10000)) {
			if (leaks++ < 5)
				TH_LOG("%s with allocation %d failing leaked",
				       name, nth);
		}
	}
	TH_LOG("%s: %d allocation points failed in turn (%d calls failed cleanly, the rest recovered), %d leaks, %d unexpected errors",
	       name, nth - 2, failed, leaks, bad);
	EXPECT_FALSE(fired) TH_LOG("%s still injecting after 400 points", name);
	EXPECT_EQ(0, leaks);
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, nth - 2) TH_LOG("%s: no allocation was ever failed", name);
}

/* Whether a POOL_NEW or POOL_DEL event arrives on @mon within @ms. */
static bool pool_event_seen(struct zt_nl *mon, int ms)
{
	struct pollfd p = { .fd = mon->fd, .events = POLLIN };
	struct nlmsghdr *h;
	char buf[4096];
	ssize_t n;

	while (poll(&p, 1, ms) == 1) {
		n = recv(mon->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return false;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *gh = NLMSG_DATA(h);

			if (gh->cmd == ZCOPY_CMD_POOL_NEW ||
			    gh->cmd == ZCOPY_CMD_POOL_DEL)
				return true;
		}
	}
	return false;
}

/*
 * Descriptors opened in advance, so that arming and disarming allocate
 * nothing: failslab's times and probability, this thread's make-it-fail.
 */
struct fail_second {
	int times, prob, mif;
};

static int fail_second_open(struct fail_second *f)
{
	f->times = open(FAILSLAB "/times", O_WRONLY | O_CLOEXEC);
	f->prob = open(FAILSLAB "/probability", O_WRONLY | O_CLOEXEC);
	f->mif = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
	return f->times < 0 || f->prob < 0 || f->mif < 0 ? -errno : 0;
}

static void fail_second_close(struct fail_second *f)
{
	close(f->times);
	close(f->prob);
	close(f->mif);
}

/* write(), not pwrite(): debugfs attributes are not seekable. */
static int kwrite(int fd, const char *v)
{
	return write(fd, v, strlen(v)) == (ssize_t)strlen(v) ? 0 : -errno;
}

/*
 * fail-nth fails one allocation, and code that retries (the xarray
 * retries a node allocation that failed without sleeping, sleeping) gets
 * past it. Here the slab allocation after the N-th fails too: while
 * fail-nth counts down it answers alone; once it fired, the random path
 * (probability 100, this thread only, times 2: the N-th used one) fails
 * the next one.
 */
static int fail_second_arm(struct fail_second *f, int nth_fd, int nth)
{
	int ret = kwrite(f->times, "2");

	if (!ret)
		ret = kwrite(f->prob, "100");
	if (!ret)
		ret = fail_nth_arm(nth_fd, nth);
	if (!ret)
		ret = kwrite(f->mif, "1");
	return ret;
}

static void fail_second_disarm(struct fail_second *f)
{
	if (kwrite(f->times, "0") || kwrite(f->mif, "0") ||
	    kwrite(f->prob, "0"))
		zu_log("disarming the second failure: %s", strerror(errno));
}

/*
 * The first pool of a new file, with each of its allocations failing in
 * turn, alone and together with the next one (the id's xarray node, whose
 * allocation is retried, among them): a registration that fails
 * leaves no trace, no POOL_NEW or POOL_DEL event and no change of the
 * pools_registered and pools_released counters; one that succeeds moves
 * each by one and says so in its events, unless the failing allocation
 * was that of the event itself.
 */
TEST_F_TIMEOUT(inject, pool_register_leaves_no_trace, 180)
{
	struct zcopy_pool_register r = {
		.size = sizeof(r), .addr = (uintptr_t)self->buf,
		.len = 4 * ZU_PAGE,
	};
	__u64 before[ZCOPY_A_STATS_MAX + 1], after[ZCOPY_A_STATS_MAX + 1];
	int nth, ret, traces = 0, failed = 0, second;
	struct fail_second f2;
	bool fired = true;
	struct zt_nl mon;

	ASSERT_EQ(0, zt_nl_open(&mon, ZCOPY_GENL_NAME));
	ASSERT_EQ(0, zu_events_join(&mon));
	ASSERT_EQ(0, fail_second_open(&f2));
	/* Each point alone, then with the allocation after it failing too. */
	for (nth = 1, second = 0; fired && nth <= 400;
	     nth += second, second = !second) {
		int dev = zu_dev_open_raw(0);
		__s64 reg, rel;
		bool ev;

		ASSERT_LE(0, dev);
		ASSERT_EQ(0, zu_stats(before));
		if (second) {
			ASSERT_EQ(0, fail_second_arm(&f2, self->nth, nth));
		} else {
			ASSERT_EQ(0, fail_nth_arm(self->nth, nth));
		}
		ret = ioctl(dev, ZCOPY_IOC_POOL_REGISTER, &r) ? -errno : 0;
		if (second)
			fail_second_disarm(&f2);
		fired = fail_nth_fired(self->nth);
		ev = pool_event_seen(&mon, ret ? 300 : 10000);
		if (!ret) {
			EXPECT_EQ(0, zu_pool_unreg(dev, r.pool_id));
			EXPECT_TRUE(pool_event_seen(&mon, 10000));
		}
		close(dev);
		ASSERT_EQ(0, zu_stats(after));
		reg = after[ZCOPY_A_STATS_POOLS_REGISTERED] -
		      before[ZCOPY_A_STATS_POOLS_REGISTERED];
		rel = after[ZCOPY_A_STATS_POOLS_RELEASED] -
		      before[ZCOPY_A_STATS_POOLS_RELEASED];
		if (ret) {
			failed++;
			EXPECT_TRUE(ret == -ENOMEM || ret == -ENOBUFS ||
				    ret == -EAGAIN)
				TH_LOG("allocation %d failing: %s", nth,
				       strerror(-ret));
		}
		/*
		 * A registration that succeeds may have lost its POOL_NEW to
		 * the failing allocation (events are best effort); one that
		 * fails must leave nothing at all.
		 */
		if ((ret && (ev || reg || rel)) ||
		    (!ret && ((!ev && !fired) || reg != 1 || rel != 1))) {
			if (traces++ < 5)
				TH_LOG("allocation %d%s failing: %s, event %s, registered %+lld, released %+lld",
				       nth, second ? " and the next" : "",
				       ret ? strerror(-ret) : "registered",
				       ev ? "seen" : "none", (long long)reg,
				       (long long)rel);
		}
		EXPECT_EQ(0, zu_leak_check(&self->base, 10000));
	}
	fail_second_close(&f2);
	close(mon.fd);
	TH_LOG("%d allocation points failed in turn, alone and with the next, %d registrations failed, %d left a trace",
	       nth - 1, failed, traces);
	EXPECT_FALSE(fired);
	EXPECT_LT(0, failed);
	EXPECT_EQ(0, traces);
}

TEST_F_TIMEOUT(inject, open, 120)
{
	inject_all(_metadata, self, INJ_OPEN, "open");
}

TEST_F_TIMEOUT(inject, pool_register, 120)
{
	inject_all(_metadata, self, INJ_REGISTER, "POOL_REGISTER");
}

TEST_F_TIMEOUT(inject, send, 120)
{
	inject_all(_metadata, self, INJ_SEND, "SEND");
}

TEST_F_TIMEOUT(inject, netlink_stats_get, 120)
{
	inject_all(_metadata, self, INJ_NL_STATS, "STATS_GET");
}

TEST_F_TIMEOUT(inject, netlink_pool_dump, 120)
{
	inject_all(_metadata, self, INJ_NL_POOLS, "POOL_GET");
}

TEST_F_TIMEOUT(inject, netlink_xfer_start, 120)
{
	inject_all(_metadata, self, INJ_NL_XFER, "XFER_START");
}

TEST_HARNESS_MAIN
