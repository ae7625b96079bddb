// SPDX-License-Identifier: GPL-2.0
/*
 * Load: several processes, each with several pools and two connections
 * (veth between two network namespaces, and lo), run random mixed
 * transfers (1 to 4 segments of pool ranges and file extents, 1 byte to
 * 256 KiB each) concurrently for a bounded time. Every connection has a
 * receiver thread that checks every byte against what the sender says it
 * sent; every transfer's completion is checked against its send. At the
 * end nothing may be pinned, registered or outstanding, and the module
 * refcount is back at its baseline.
 *
 * ZCOPY_LOAD_PROCS (default 3), ZCOPY_LOAD_SECS (default 30),
 * ZCOPY_LOAD_MAX (transfers per process, default 20000), ZCOPY_SEED.
 */

#include <stddef.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#define NR_POOLS 3
#define NR_CONNS 2
#define FILE_LEN (1024 * 1024)
#define MAX_SEGS 4
#define QCAP 4096

static const size_t pool_len[NR_POOLS] = { 64 * 1024, 256 * 1024,
					   1024 * 1024 };

struct chunk {
	const unsigned char *src;
	size_t len;
};

/* What one connection's receiver expects, in order. */
struct conn {
	int snd, rcv;
	const char *name;
	pthread_t th;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct chunk q[QCAP];
	unsigned int head, tail;	/* q[head..tail) pending */
	bool closed;
	/* receiver results */
	uint64_t got;
	uint64_t mismatches;
	int err;
};

struct load_result {
	uint64_t transfers, bytes, pool_bytes, file_bytes, mismatches;
	uint64_t short_sends, send_errors, compl_errors, completions;
	uint64_t rx_bytes;
	int stage;
	char msg[200];
};

static void q_push(struct conn *c, const unsigned char *src, size_t len)
{
	pthread_mutex_lock(&c->lock);
	while (c->tail - c->head == QCAP)
		pthread_cond_wait(&c->cond, &c->lock);
	c->q[c->tail % QCAP].src = src;
	c->q[c->tail % QCAP].len = len;
	c->tail++;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/*
 * Take back the last @excess bytes queued (a send that did not send all
 * it was asked to). The receiver never got them, so it cannot be past.
 */
static void q_trim(struct conn *c, uint64_t excess)
{
	struct chunk *ch;

	pthread_mutex_lock(&c->lock);
	while (excess && c->tail != c->head) {
		ch = &c->q[(c->tail - 1) % QCAP];
		if (ch->len > excess) {
			ch->len -= excess;
			break;
		}
		excess -= ch->len;
		c->tail--;
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Compare received bytes with the queue, waiting for the sender's word. */
static void *rx_fn(void *arg)
{
	struct conn *c = arg;
	static __thread unsigned char buf[65536];
	sigset_t all;
	ssize_t n, off;
	size_t k;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		if (zu_wait_fd(c->rcv, POLLIN, 30000)) {
			c->err = ETIMEDOUT;
			break;
		}
		n = recv(c->rcv, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			c->err = errno;
			break;
		}
		if (!n)
			break;
		off = 0;
		pthread_mutex_lock(&c->lock);
		while (off < n) {
			struct chunk *ch;

			while (c->head == c->tail && !c->closed)
				pthread_cond_wait(&c->cond, &c->lock);
			if (c->head == c->tail) {
				/* More bytes than were ever sent. */
				c->mismatches++;
				break;
			}
			ch = &c->q[c->head % QCAP];
			k = ch->len < (size_t)(n - off) ? ch->len :
			    (size_t)(n - off);
			if (memcmp(buf + off, ch->src, k))
				c->mismatches++;
			ch->src += k;
			ch->len -= k;
			off += k;
			if (!ch->len) {
				c->head++;
				pthread_cond_broadcast(&c->cond);
			}
		}
		pthread_mutex_unlock(&c->lock);
		c->got += n;
	}
	return NULL;
}

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);

	return v && *v ? atoi(v) : def;
}

static size_t rnd_len(uint64_t *rng)
{
	uint64_t r = zu_rand(rng) % 100;

	if (r < 50)
		return 1 + zu_rand(rng) % 4096;
	if (r < 80)
		return 4096 + zu_rand(rng) % (60 * 1024);
	return 64 * 1024 + zu_rand(rng) % (192 * 1024);
}

struct sent {
	__u64 bytes;
	__u32 stop_reason;
	__s32 stop_errno;
};

static void load_child(int idx, int ns_a, int ns_b, uint64_t seed,
		       int secs, int max, struct load_result *res)
{
	struct zu_tcp_opts veth = {
		.addr = "10.81.0.2", .srv_ns = ns_b, .cli_ns = ns_a,
	};
	struct zu_tcp_opts lo = { .srv_ns = -1, .cli_ns = -1 };
	struct zu_pool pools[NR_POOLS];
	struct conn *conns;
	struct sent *sent;
	unsigned char *file;
	struct zcopy_completion cq[32];
	struct zcopy_seg segs[MAX_SEGS];
	const unsigned char *src[MAX_SEGS];
	struct zcopy_send s;
	uint64_t rng = seed, t0;
	int dev, fd, i, r, n, k;
	ssize_t got;

	conns = calloc(NR_CONNS, sizeof(*conns));
	sent = calloc(max, sizeof(*sent));
	file = malloc(FILE_LEN);
	if (!conns || !sent || !file) {
		snprintf(res->msg, sizeof(res->msg), "out of memory");
		return;
	}
	dev = zu_dev_open_raw(O_NONBLOCK);
	if (dev < 0) {
		snprintf(res->msg, sizeof(res->msg), "open: %s", strerror(errno));
		return;
	}
	for (i = 0; i < NR_POOLS; i++) {
		r = zu_pool_new(dev, pool_len[i], seed + 100 + i, &pools[i]);
		if (r) {
			snprintf(res->msg, sizeof(res->msg), "pool: %s",
				 strerror(-r));
			return;
		}
	}
	zu_fill(file, FILE_LEN, seed + 200);
	fd = zu_tmpfile("/tmp", file, FILE_LEN);
	if (fd < 0) {
		snprintf(res->msg, sizeof(res->msg), "tmpfile: %s",
			 strerror(-fd));
		return;
	}
	for (i = 0; i < NR_CONNS; i++) {
		struct conn *c = &conns[i];

		pthread_mutex_init(&c->lock, NULL);
		pthread_cond_init(&c->cond, NULL);
		c->name = i ? "lo" : "veth";
		r = zu_tcp_pair_opts(i ? &lo : &veth, &c->snd, &c->rcv);
		if (r) {
			snprintf(res->msg, sizeof(res->msg), "connect %s: %s",
				 c->name, strerror(-r));
			return;
		}
		pthread_create(&c->th, NULL, rx_fn, c);
	}
	res->stage = 1;

	t0 = zu_now_ns();
	for (k = 0; k < max && zu_ms_since(t0) < (uint64_t)secs * 1000; k++) {
		struct conn *c = &conns[zu_rand(&rng) % NR_CONNS];
		__u64 left, want;

		n = 1 + zu_rand(&rng) % MAX_SEGS;
		for (i = 0; i < n; i++) {
			size_t len = rnd_len(&rng), off, plen;

			if (zu_rand(&rng) % 2) {
				int p = zu_rand(&rng) % NR_POOLS;

				plen = pool_len[p];
				if (len > plen)
					len = plen;
				off = zu_rand(&rng) % (plen - len + 1);
				segs[i] = zu_seg_pool(pools[p].id, off, len);
				src[i] = pools[p].mem + off;
			} else {
				off = zu_rand(&rng) % (FILE_LEN - len + 1);
				segs[i] = zu_seg_file(fd, off, len);
				src[i] = file + off;
			}
		}
		/*
		 * Queue the expectation first: the receiver sees bytes of a
		 * send before it returns, and must not wait for the sender.
		 */
		want = 0;
		for (i = 0; i < n; i++) {
			q_push(c, src[i], segs[i].len);
			want += segs[i].len;
		}
		r = zu_send(dev, c->snd, segs, n, NULL, k, 0, &s);
		if (r) {
			q_trim(c, want);
			if (res->send_errors++ < 3)
				zu_log("child %d: send %d on %s: %s", idx, k,
				       c->name, strerror(-r));
			sent[k].bytes = ~0ULL;
			continue;
		}
		if (s.bytes_sent < want)
			q_trim(c, want - s.bytes_sent);
		sent[k].bytes = s.bytes_sent;
		sent[k].stop_reason = s.stop_reason;
		sent[k].stop_errno = s.stop_errno;
		if (s.stop_reason != ZCOPY_STOP_NONE)
			res->short_sends++;
		left = s.bytes_sent;
		for (i = 0; i < n && left; i++) {
			size_t l = segs[i].len < left ? segs[i].len : left;

			left -= l;
			if (segs[i].type == ZCOPY_SEG_POOL)
				res->pool_bytes += l;
			else
				res->file_bytes += l;
		}
		res->transfers++;
		res->bytes += s.bytes_sent;
		/* Completions, as they come. */
		while ((got = read(dev, cq, sizeof(cq))) > 0) {
			for (i = 0; i < got / (int)sizeof(cq[0]); i++) {
				struct zcopy_completion *cc = &cq[i];

				res->completions++;
				if (cc->cookie >= (__u64)max ||
				    cc->bytes != sent[cc->cookie].bytes ||
				    cc->zc_bytes + cc->copied_bytes != cc->bytes)
					res->compl_errors++;
			}
		}
	}
	res->stage = 2;

	/* The rest of the completions. */
	t0 = zu_now_ns();
	while (res->completions < res->transfers && zu_ms_since(t0) < 30000) {
		got = read(dev, cq, sizeof(cq));
		if (got <= 0) {
			zu_sleep_ms(10);
			continue;
		}
		for (i = 0; i < got / (int)sizeof(cq[0]); i++) {
			struct zcopy_completion *cc = &cq[i];

			res->completions++;
			if (cc->cookie >= (__u64)max ||
			    cc->bytes != sent[cc->cookie].bytes)
				res->compl_errors++;
		}
	}
	for (i = 0; i < NR_CONNS; i++) {
		struct conn *c = &conns[i];

		close(c->snd);
		pthread_join(c->th, NULL);
		pthread_mutex_lock(&c->lock);
		c->closed = true;
		if (c->head != c->tail) {
			zu_log("child %d: %s: %u chunks never arrived (receiver error %d)",
			       idx, c->name, c->tail - c->head, c->err);
			c->mismatches++;
		}
		pthread_mutex_unlock(&c->lock);
		if (c->err) {
			zu_log("child %d: %s receiver: %s", idx, c->name,
			       strerror(c->err));
			c->mismatches++;
		}
		res->mismatches += c->mismatches;
		res->rx_bytes += c->got;
		close(c->rcv);
	}
	for (i = 0; i < NR_POOLS; i++)
		zu_pool_free(&pools[i]);
	close(fd);
	close(dev);
	res->stage = 3;
}

FIXTURE(load)
{
	int unused;
};

FIXTURE_SETUP(load)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(load)
{
}

TEST_F_TIMEOUT(load, concurrent_mixed_transfers, 180)
{
	int procs = env_int("ZCOPY_LOAD_PROCS", 3);
	int secs = env_int("ZCOPY_LOAD_SECS", 30);
	int max = env_int("ZCOPY_LOAD_MAX", 20000);
	struct load_result *res, tot = { 0 };
	struct zu_leak_base base;
	struct zcopy_query q;
	uint64_t seed, t0;
	int ns_a, ns_b, dev, i, status, r, leaks;
	char why[256];
	pid_t pids[16];

	if (procs < 1 || procs > 16)
		procs = 3;
	ZU_DEV_OPEN(dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	close(dev);
	ASSERT_EQ(0, zu_leak_base(&base));
	r = zu_veth_new(&ns_a, &ns_b, "zl0", "zl1", "10.81.0", why,
			sizeof(why));
	if (r == KSFT_SKIP)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, r) TH_LOG("%s", why);
	seed = zu_seed(_metadata->name);
	res = mmap(NULL, procs * sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res, 0, procs * sizeof(*res));

	t0 = zu_now_ns();
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			load_child(i, ns_a, ns_b, seed + 1000 * i, secs, max,
				   &res[i]);
			_exit(0);
		}
	}
	for (i = 0; i < procs; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("child %d: status 0x%x", i, status);
		if (res[i].msg[0])
			TH_LOG("child %d: %s", i, res[i].msg);
		EXPECT_EQ(3, res[i].stage) TH_LOG("child %d stopped at stage %d",
						  i, res[i].stage);
		TH_LOG("child %d: %llu transfers, %llu bytes (%llu pool, %llu file), %llu received, %llu mismatches, %llu completions (%llu wrong), %llu short, %llu failed sends",
		       i, (unsigned long long)res[i].transfers,
		       (unsigned long long)res[i].bytes,
		       (unsigned long long)res[i].pool_bytes,
		       (unsigned long long)res[i].file_bytes,
		       (unsigned long long)res[i].rx_bytes,
		       (unsigned long long)res[i].mismatches,
		       (unsigned long long)res[i].completions,
		       (unsigned long long)res[i].compl_errors,
		       (unsigned long long)res[i].short_sends,
		       (unsigned long long)res[i].send_errors);
		tot.transfers += res[i].transfers;
		tot.bytes += res[i].bytes;
		tot.rx_bytes += res[i].rx_bytes;
		tot.mismatches += res[i].mismatches;
		tot.completions += res[i].completions;
		tot.compl_errors += res[i].compl_errors;
		tot.send_errors += res[i].send_errors;
		tot.short_sends += res[i].short_sends;
	}
	zu_close(&ns_a);
	zu_close(&ns_b);
	leaks = zu_leak_check(&base, 60000);
	TH_LOG("load: %d processes x %d pools x %d connections (veth, lo), %llu ms: %llu transfers, %llu bytes sent, %llu received, %llu mismatches, %llu completions (%llu wrong), %llu short, %llu failed sends, %d leaks",
	       procs, NR_POOLS, NR_CONNS, (unsigned long long)zu_ms_since(t0),
	       (unsigned long long)tot.transfers,
	       (unsigned long long)tot.bytes,
	       (unsigned long long)tot.rx_bytes,
	       (unsigned long long)tot.mismatches,
	       (unsigned long long)tot.completions,
	       (unsigned long long)tot.compl_errors,
	       (unsigned long long)tot.short_sends,
	       (unsigned long long)tot.send_errors, leaks);
	EXPECT_EQ(0, tot.mismatches);
	EXPECT_EQ(tot.bytes, tot.rx_bytes);
	EXPECT_EQ(tot.transfers, tot.completions);
	EXPECT_EQ(0, tot.compl_errors);
	EXPECT_EQ(0, tot.send_errors);
	EXPECT_EQ(0, tot.short_sends);
	EXPECT_EQ(0, leaks);
	EXPECT_LT(100 * procs, tot.transfers)
		TH_LOG("too few transfers to call it load");
	munmap(res, procs * sizeof(*res));
}

TEST_HARNESS_MAIN
