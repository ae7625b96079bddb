// SPDX-License-Identifier: GPL-2.0
/*
 * Data integrity of ZCOPY_IOC_SEND over loopback: seeded random mixes of
 * pool ranges (anonymous, memfd, shared memory) and file extents (tmpfs or
 * ext4 on a loop device, memfd) with odd offsets and lengths, from one byte
 * to max_segments segments per call; the receiver checks every byte. Also:
 * the last segment is pushed without ZCOPY_SEND_MORE (no cork stall) and
 * held with it; IPv6; pinning untouched memory (zero page / copy-on-write,
 * pitfall 6) and fork after registration.
 *
 * Set ZCOPY_SEED to replay a run; each test prints its seed.
 */

#include <stddef.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#define ANON_LEN (4 * ZU_MIB)
#define MEMFD_LEN (512 * 1024)
#define SHM_LEN (512 * 1024)
#define FILE_LEN (3 * ZU_MIB)
#define MFILE_LEN (512 * 1024)

enum { SRC_ANON, SRC_MEMFD, SRC_SHM, SRC_FILE, SRC_MFILE, NR_SRC };

struct src {
	bool pool;
	__u32 id;		/* pool id or fd */
	unsigned char *data;	/* what it holds */
	size_t len;
};

FIXTURE(data)
{
	int dev;
	struct zcopy_query q;
	struct zu_ext4 fs;
	struct src src[NR_SRC];
	unsigned char *anon, *memfd_map, *shm;
	unsigned char *file_data, *mfile_data;
	int memfd, file, mfile;
	int snd, rcv;
	__u64 cookie;
};

FIXTURE_VARIANT(data)
{
	bool ext4;
};

FIXTURE_VARIANT_ADD(data, tmpfs) { .ext4 = false };
FIXTURE_VARIANT_ADD(data, ext4) { .ext4 = true };

FIXTURE_SETUP(data)
{
	uint64_t seed = 0xda7a;
	char why[256];
	int r;

	self->memfd = self->file = self->mfile = self->snd = self->rcv = -1;
	self->anon = self->memfd_map = self->shm = NULL;
	self->file_data = self->mfile_data = NULL;
	memset(&self->fs, 0, sizeof(self->fs));
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);

	if (variant->ext4) {
		r = zu_ext4_mount(&self->fs, why, sizeof(why));
		if (r == KSFT_SKIP)
			SKIP(return, "ext4 on a loop device: %s", why);
		ASSERT_EQ(0, r);
	}

	/* Pools */
	self->anon = mmap(NULL, ANON_LEN, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->anon);
	zu_fill(self->anon, ANON_LEN, seed + SRC_ANON);
	self->memfd = memfd_create("zcopy-data", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, MEMFD_LEN));
	self->memfd_map = mmap(NULL, MEMFD_LEN, PROT_READ | PROT_WRITE,
			       MAP_SHARED, self->memfd, 0);
	ASSERT_NE(MAP_FAILED, self->memfd_map);
	zu_fill(self->memfd_map, MEMFD_LEN, seed + SRC_MEMFD);
	self->shm = mmap(NULL, SHM_LEN, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->shm);
	zu_fill(self->shm, SHM_LEN, seed + SRC_SHM);

	self->src[SRC_ANON] = (struct src){ true, 0, self->anon, ANON_LEN };
	self->src[SRC_MEMFD] = (struct src){ true, 0, self->memfd_map,
					     MEMFD_LEN };
	self->src[SRC_SHM] = (struct src){ true, 0, self->shm, SHM_LEN };
	ASSERT_EQ(0, zu_pool_reg(self->dev, self->anon, ANON_LEN,
				 &self->src[SRC_ANON].id));
	ASSERT_EQ(0, zu_pool_reg(self->dev, self->memfd_map, MEMFD_LEN,
				 &self->src[SRC_MEMFD].id));
	ASSERT_EQ(0, zu_pool_reg(self->dev, self->shm, SHM_LEN,
				 &self->src[SRC_SHM].id));

	/* Files */
	self->file_data = malloc(FILE_LEN);
	self->mfile_data = malloc(MFILE_LEN);
	ASSERT_NE(NULL, self->file_data);
	ASSERT_NE(NULL, self->mfile_data);
	zu_fill(self->file_data, FILE_LEN, seed + SRC_FILE);
	zu_fill(self->mfile_data, MFILE_LEN, seed + SRC_MFILE);
	if (variant->ext4)
		self->file = zu_disk_file(self->fs.dir, "data",
					  self->file_data, FILE_LEN);
	else
		self->file = zu_tmpfile("/tmp", self->file_data, FILE_LEN);
	ASSERT_LE(0, self->file);
	self->mfile = memfd_create("zcopy-data-file", MFD_CLOEXEC);
	ASSERT_LE(0, self->mfile);
	ASSERT_EQ(MFILE_LEN, pwrite(self->mfile, self->mfile_data, MFILE_LEN,
				    0));
	self->src[SRC_FILE] = (struct src){ false, self->file,
					    self->file_data, FILE_LEN };
	self->src[SRC_MFILE] = (struct src){ false, self->mfile,
					     self->mfile_data, MFILE_LEN };

	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
	self->cookie = 1;
}

FIXTURE_TEARDOWN(data)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->file);
	zu_close(&self->mfile);
	zu_close(&self->dev);	/* releases the pools */
	if (self->anon)
		munmap(self->anon, ANON_LEN);
	if (self->memfd_map)
		munmap(self->memfd_map, MEMFD_LEN);
	if (self->shm)
		munmap(self->shm, SHM_LEN);
	zu_close(&self->memfd);
	free(self->file_data);
	free(self->mfile_data);
	zu_ext4_umount(&self->fs);
}

/*
 * Send @segs (built from the sources) in one call and check everything:
 * the receiver's bytes, the outputs, the per-segment results and the
 * completion.
 */
static void send_and_check(struct __test_metadata *_metadata,
			   FIXTURE_DATA(data) *self,
			   const struct zcopy_seg *segs, __u32 n)
{
	struct zcopy_seg_result *res = calloc(n, sizeof(*res));
	struct zcopy_completion c;
	unsigned char *expect;
	size_t total = 0, pool_bytes = 0, off = 0;
	struct zcopy_send s;
	struct zu_rx rx;
	uint64_t t0;
	__u32 i, k;

	ASSERT_NE(NULL, res);
	for (i = 0; i < n; i++)
		total += segs[i].len;
	expect = malloc(total ? total : 1);
	ASSERT_NE(NULL, expect);
	for (i = 0; i < n; i++) {
		for (k = 0; k < NR_SRC; k++)
			if (self->src[k].pool == (segs[i].type == ZCOPY_SEG_POOL) &&
			    self->src[k].id == segs[i].id)
				break;
		ASSERT_GT(NR_SRC, k);
		memcpy(expect + off, self->src[k].data + segs[i].offset,
		       segs[i].len);
		off += segs[i].len;
		if (self->src[k].pool)
			pool_bytes += segs[i].len;
	}

	memset(res, 0xff, n * sizeof(*res));
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, total, total));
	t0 = zu_now_ns();
	EXPECT_EQ(0, zu_send(self->dev, self->snd, segs, n, res, self->cookie,
			     0, &s));
	zu_rx_join(&rx);
	TH_LOG("%u segments, %zu bytes (%zu from pools) in %llu ms", n, total,
	       pool_bytes, (unsigned long long)zu_ms_since(t0));
	EXPECT_TRUE(zu_rx_ok(&rx, total));
	EXPECT_EQ(total, s.bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason) zu_log_send(&s);
	EXPECT_EQ(n, s.stop_seg);
	EXPECT_EQ(0, s.stop_offset);
	EXPECT_EQ(0, s.stop_errno);
	EXPECT_EQ(0, zu_check_stop(segs, n, &s, res));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 30000));
	EXPECT_EQ(self->cookie, c.cookie);
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_EQ(pool_bytes, c.pool_bytes);
	EXPECT_EQ(0, c.flags & ZCOPY_COMPL_SHORT);
	self->cookie++;
	free(expect);
	free(res);
}

static struct zcopy_seg seg_of(FIXTURE_DATA(data) *self, int k, size_t off,
			       size_t len)
{
	return self->src[k].pool ? zu_seg_pool(self->src[k].id, off, len) :
				   zu_seg_file(self->src[k].id, off, len);
}

/* A random segment of at most @maxlen bytes from a random source. */
static struct zcopy_seg rand_seg(FIXTURE_DATA(data) *self, uint64_t *st,
				 size_t maxlen)
{
	int k = zu_rand_range(st, 0, NR_SRC - 1);
	size_t slen = self->src[k].len, off, len, lmax;
	unsigned int kind = zu_rand_range(st, 0, 9);

	/* Lengths: tiny, about a page, or large; all odd-sized at will. */
	if (kind < 4)
		lmax = 17;
	else if (kind < 7)
		lmax = 3 * ZU_PAGE;
	else
		lmax = 300 * 1024;
	if (lmax > maxlen)
		lmax = maxlen;
	len = zu_rand_range(st, 1, lmax);
	if (len > slen)
		len = slen;
	/* Sometimes right at the start or the end, or across a page. */
	switch (zu_rand_range(st, 0, 5)) {
	case 0:
		off = 0;
		break;
	case 1:
		off = slen - len;
		break;
	case 2:
		/* Straddle a page boundary by a random amount. */
		off = zu_rand_range(st, 1, slen / ZU_PAGE - 1) * ZU_PAGE;
		lmax = len > 1 ? zu_rand_range(st, 1, len - 1) : 0;
		off = off > lmax ? off - lmax : 0;
		if (off + len > slen)
			off = slen - len;
		break;
	default:
		off = zu_rand_range(st, 0, slen - len);
	}
	return seg_of(self, k, off, len);
}

TEST_F(data, one_byte_from_a_pool)
{
	struct zcopy_seg seg = seg_of(self, SRC_ANON, 12345, 1);

	send_and_check(_metadata, self, &seg, 1);
}

TEST_F(data, one_byte_from_a_file)
{
	struct zcopy_seg seg = seg_of(self, SRC_FILE, FILE_LEN - 1, 1);

	send_and_check(_metadata, self, &seg, 1);
}

/* Every source, from its first to its last byte. */
TEST_F_TIMEOUT(data, whole_sources, 120)
{
	struct zcopy_seg segs[NR_SRC];
	int k;

	for (k = 0; k < NR_SRC; k++)
		segs[k] = seg_of(self, k, 0, self->src[k].len);
	send_and_check(_metadata, self, segs, NR_SRC);
}

/* Page-boundary cases: last byte of a page plus first of the next, etc. */
TEST_F(data, page_boundaries)
{
	size_t P = ZU_PAGE;
	struct zcopy_seg segs[] = {
		seg_of(self, SRC_ANON, P - 1, 2),
		seg_of(self, SRC_FILE, P - 1, 2),
		seg_of(self, SRC_MEMFD, 2 * P - 1, P + 2),
		seg_of(self, SRC_FILE, 3 * P + 1, 5 * P - 3),
		seg_of(self, SRC_SHM, 0, P),
		seg_of(self, SRC_MFILE, P, P),
		seg_of(self, SRC_ANON, 7, 3 * P),
		seg_of(self, SRC_MFILE, MFILE_LEN - P - 1, P + 1),
	};

	send_and_check(_metadata, self, segs, ARRAY_SIZE(segs));
}

/* The same bytes many times in one call, pool and file alternating. */
TEST_F(data, same_range_repeated)
{
	struct zcopy_seg segs[64];
	int i;

	for (i = 0; i < 64; i++)
		segs[i] = seg_of(self, i & 1 ? SRC_FILE : SRC_ANON, 4000, 333);
	send_and_check(_metadata, self, segs, 64);
}

/* Seeded random mixes of up to 64 segments per call. */
TEST_F_TIMEOUT(data, random_mixes, 200)
{
	uint64_t st = zu_seed(_metadata->name);
	struct zcopy_seg segs[64];
	size_t total, cap = 2 * ZU_MIB;
	__u32 n, i;
	int round;

	for (round = 0; round < 5; round++) {
		n = zu_rand_range(&st, 1, 64);
		total = 0;
		for (i = 0; i < n && total < cap; i++) {
			segs[i] = rand_seg(self, &st, cap - total);
			total += segs[i].len;
		}
		TH_LOG("round %d", round);
		send_and_check(_metadata, self, segs, i);
	}
}

/* max_segments segments in one call. */
TEST_F_TIMEOUT(data, max_segments_per_call, 200)
{
	uint64_t st = zu_seed(_metadata->name);
	__u32 n = self->q.max_segments, i;
	struct zcopy_seg *segs = calloc(n, sizeof(*segs));

	ASSERT_NE(NULL, segs);
	for (i = 0; i < n; i++)
		segs[i] = rand_seg(self, &st, 2048);
	send_and_check(_metadata, self, segs, n);
	free(segs);
}

/* Back-to-back sends without waiting: the stream is their concatenation. */
TEST_F_TIMEOUT(data, back_to_back_sends, 120)
{
	uint64_t st = zu_seed(_metadata->name);
	enum { CALLS = 16, SEGS = 8 };
	struct zcopy_seg segs[CALLS][SEGS];
	struct zcopy_completion c;
	struct zcopy_send s;
	unsigned char *expect;
	size_t total = 0, off = 0;
	struct zu_rx rx;
	int i, j, k;

	for (i = 0; i < CALLS; i++)
		for (j = 0; j < SEGS; j++) {
			segs[i][j] = rand_seg(self, &st, 64 * 1024);
			total += segs[i][j].len;
		}
	expect = malloc(total);
	ASSERT_NE(NULL, expect);
	for (i = 0; i < CALLS; i++)
		for (j = 0; j < SEGS; j++) {
			for (k = 0; k < NR_SRC; k++)
				if (self->src[k].pool ==
				    (segs[i][j].type == ZCOPY_SEG_POOL) &&
				    self->src[k].id == segs[i][j].id)
					break;
			memcpy(expect + off,
			       self->src[k].data + segs[i][j].offset,
			       segs[i][j].len);
			off += segs[i][j].len;
		}
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, total, total));
	for (i = 0; i < CALLS; i++) {
		EXPECT_EQ(0, zu_send(self->dev, self->snd, segs[i], SEGS, NULL,
				     1000 + i,
				     (i & 1) && i != CALLS - 1 ?
				     ZCOPY_SEND_MORE : 0, &s));
		EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason);
	}
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, total));
	for (i = 0; i < CALLS; i++) {
		EXPECT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	}
	free(expect);
}

/* --------------------------------------------------------------- IPv6 */

TEST(ipv6_loopback)
{
	struct zu_tcp_opts o = { .addr = "::1", .srv_ns = -1, .cli_ns = -1 };
	struct zcopy_query q;
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zcopy_seg segs[2];
	struct zu_pool pool;
	unsigned char *expect;
	int dev, snd, rcv, file, r;
	struct zu_rx rx;

	ZU_DEV_OPEN(dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	r = zu_tcp_pair_opts(&o, &snd, &rcv);
	if (r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT)
		SKIP(return, "no IPv6 loopback: %s", strerror(-r));
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, zu_pool_new(dev, 100000, zu_seed("ipv6"), &pool));
	file = zu_tmpfile("/tmp", pool.mem, 100000);
	ASSERT_LE(0, file);
	expect = malloc(2 * 99999);
	ASSERT_NE(NULL, expect);
	memcpy(expect, pool.mem + 1, 99999);
	memcpy(expect + 99999, pool.mem, 99999);
	segs[0] = zu_seg_pool(pool.id, 1, 99999);
	segs[1] = zu_seg_file(file, 0, 99999);
	ASSERT_EQ(0, zu_rx_start(&rx, rcv, expect, 2 * 99999, 2 * 99999));
	EXPECT_EQ(0, zu_send(dev, snd, segs, 2, NULL, 6, 0, &s));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, 2 * 99999));
	ASSERT_EQ(0, zu_read_compl(dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	free(expect);
	close(file);
	close(snd);
	close(rcv);
	zu_pool_free(&pool);
	close(dev);
}

/* ---------------------------------------------- corking and latency */

FIXTURE(cork)
{
	int dev;
	struct zcopy_query q;
	struct zu_pool pool;
	int file;
	int snd, rcv;
};

FIXTURE_SETUP(cork)
{
	struct zu_tcp_opts o = { .srv_ns = -1, .cli_ns = -1, .nodelay = true };

	self->file = self->snd = self->rcv = -1;
	self->pool.mem = NULL;
	self->pool.dev = -1;
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_pool_new(self->dev, 64 * 1024, 0xc0c, &self->pool));
	self->file = zu_tmpfile("/tmp", self->pool.mem, 64 * 1024);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, zu_tcp_pair_opts(&o, &self->snd, &self->rcv));
}

FIXTURE_TEARDOWN(cork)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->file);
	zu_pool_free(&self->pool);
	zu_close(&self->dev);
}

/* Receive exactly @len bytes within @ms; returns what arrived. */
static size_t recv_within(int fd, size_t len, int ms)
{
	unsigned char buf[4096];
	uint64_t t0 = zu_now_ns();
	size_t got = 0;
	ssize_t n;
	int left;

	while (got < len) {
		left = ms - (int)zu_ms_since(t0);
		if (left <= 0 || zu_wait_fd(fd, POLLIN, left))
			break;
		n = recv(fd, buf, len - got < sizeof(buf) ? len - got :
			 sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		got += n;
	}
	return got;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Small sends without ZCOPY_SEND_MORE must leave at once: a last segment
 * left with MSG_MORE waits for the 200 ms+ probe timer (or forever), which
 * the median of ten round trips would show.
 */
static void small_sends_prompt(struct __test_metadata *_metadata,
			       FIXTURE_DATA(cork) *self,
			       const struct zcopy_seg *segs, __u32 n)
{
	enum { ROUNDS = 10 };
	uint64_t ms[ROUNDS];
	struct zcopy_completion c;
	struct zcopy_send s;
	size_t len = 0;
	uint64_t t0;
	__u32 i;
	int r;

	for (i = 0; i < n; i++)
		len += segs[i].len;
	for (r = 0; r < ROUNDS; r++) {
		t0 = zu_now_ns();
		ASSERT_EQ(0, zu_send(self->dev, self->snd, segs, n, NULL, r, 0,
				     &s));
		ASSERT_EQ(len, recv_within(self->rcv, len, 2000))
			TH_LOG("round %d: a %zu byte send did not arrive within 2 s",
			       r, len);
		ms[r] = zu_ms_since(t0);
		EXPECT_GT(1000, ms[r]) TH_LOG("round %d took %llu ms", r,
					     (unsigned long long)ms[r]);
		ASSERT_EQ(0, zu_read_compl(self->dev, &c, 5000));
	}
	qsort(ms, ROUNDS, sizeof(ms[0]), cmp_u64);
	TH_LOG("%zu byte sends: median %llu ms, max %llu ms", len,
	       (unsigned long long)ms[ROUNDS / 2],
	       (unsigned long long)ms[ROUNDS - 1]);
	EXPECT_GT(150, ms[ROUNDS / 2]);
}

TEST_F(cork, single_pool_segment_is_pushed)
{
	struct zcopy_seg seg = zu_seg_pool(self->pool.id, 0, 10);

	small_sends_prompt(_metadata, self, &seg, 1);
}

TEST_F(cork, single_file_segment_is_pushed)
{
	struct zcopy_seg seg = zu_seg_file(self->file, 100, 10);

	small_sends_prompt(_metadata, self, &seg, 1);
}

TEST_F(cork, last_of_several_segments_is_pushed)
{
	struct zcopy_seg segs[] = {
		zu_seg_pool(self->pool.id, 0, 100),
		zu_seg_file(self->file, 0, 50),
		zu_seg_pool(self->pool.id, 1000, 7),
		zu_seg_file(self->file, 5000, 3),
	};

	small_sends_prompt(_metadata, self, segs, ARRAY_SIZE(segs));
}

/*
 * With ZCOPY_SEND_MORE the last segment keeps MSG_MORE: a small send stays
 * corked (TCP's probe timer cannot fire within 100 ms) until a send
 * without the flag pushes both.
 */
TEST_F(cork, send_more_holds_until_next_send)
{
	struct zcopy_seg a = zu_seg_pool(self->pool.id, 0, 100);
	struct zcopy_seg b = zu_seg_file(self->file, 0, 50);
	struct zcopy_completion c[2];
	struct zcopy_send s;
	uint64_t t0;

	ASSERT_EQ(0, zu_send(self->dev, self->snd, &a, 1, NULL, 1,
			     ZCOPY_SEND_MORE, &s));
	EXPECT_EQ(100, s.bytes_sent);
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 100))
		TH_LOG("ZCOPY_SEND_MORE data was pushed at once");
	t0 = zu_now_ns();
	ASSERT_EQ(0, zu_send(self->dev, self->snd, &b, 1, NULL, 2, 0, &s));
	EXPECT_EQ(150, recv_within(self->rcv, 150, 2000));
	EXPECT_GT(1000, zu_ms_since(t0));
	EXPECT_EQ(2, zu_read_compls(self->dev, c, 2, 5000));
}

/* ------------------------------------------ pinning untouched memory */

FIXTURE(pin)
{
	int dev;
	struct zcopy_query q;
	int snd, rcv;
};

FIXTURE_SETUP(pin)
{
	self->snd = self->rcv = -1;
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
}

FIXTURE_TEARDOWN(pin)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->dev);
}

/* Send pool @id [0, @len) and check the receiver got @expect. */
static void pin_send_expect(struct __test_metadata *_metadata,
			    FIXTURE_DATA(pin) *self, __u32 id,
			    const unsigned char *expect, size_t len)
{
	struct zcopy_seg seg = zu_seg_pool(id, 0, len);
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zu_rx rx;

	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, len, len));
	EXPECT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, id, 0, &s));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, len));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
}

/*
 * Register memory nobody touched (a read-only pin would get the shared zero
 * page), send it (zeros), write a pattern, send again: the pattern.
 */
static void untouched_then_written(struct __test_metadata *_metadata,
				   FIXTURE_DATA(pin) *self, unsigned char *p,
				   size_t len)
{
	unsigned char *expect = calloc(1, len);
	__u32 id = 0;

	ASSERT_NE(NULL, expect);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	pin_send_expect(_metadata, self, id, expect, len);
	zu_fill(expect, len, zu_seed(_metadata->name));
	memcpy(p, expect, len);
	pin_send_expect(_metadata, self, id, expect, len);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	free(expect);
}

TEST_F(pin, untouched_anon_then_written)
{
	size_t len = 64 * ZU_PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	untouched_then_written(_metadata, self, p, len);
	munmap(p, len);
}

/* Read (zero page mapped), never written, then registered. */
TEST_F(pin, read_faulted_anon_then_written)
{
	size_t len = 16 * ZU_PAGE, i;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile unsigned char sum = 0;

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < len; i += ZU_PAGE)
		sum += p[i];
	EXPECT_EQ(0, sum);
	untouched_then_written(_metadata, self, p, len);
	munmap(p, len);
}

/* A private file mapping: pinning for write breaks copy-on-write first. */
TEST_F(pin, untouched_private_file_mapping_then_written)
{
	size_t len = 16 * ZU_PAGE;
	unsigned char *file_bytes = malloc(len), *p, *expect;
	int fd;
	__u32 id = 0;

	ASSERT_NE(NULL, file_bytes);
	zu_fill(file_bytes, len, 77);
	fd = zu_tmpfile("/tmp", file_bytes, len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	/* Before any write: the file's bytes. */
	pin_send_expect(_metadata, self, id, file_bytes, len);
	expect = malloc(len);
	ASSERT_NE(NULL, expect);
	zu_fill(expect, len, zu_seed(_metadata->name));
	memcpy(p, expect, len);
	pin_send_expect(_metadata, self, id, expect, len);
	/* And the file itself did not change. */
	ASSERT_EQ(len, pread(fd, expect, len, 0));
	EXPECT_EQ(0, memcmp(expect, file_bytes, len));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	close(fd);
	free(expect);
	free(file_bytes);
}

TEST_F(pin, untouched_memfd_then_written)
{
	size_t len = 16 * ZU_PAGE;
	int mfd = memfd_create("zcopy-pin", MFD_CLOEXEC);
	unsigned char *p;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	untouched_then_written(_metadata, self, p, len);
	munmap(p, len);
	close(mfd);
}

/*
 * fork() after registration: the parent keeps the pinned pages (the child
 * gets copies), so what the parent writes afterwards is what is sent.
 */
TEST_F(pin, fork_after_register_parent_writes_are_sent)
{
	size_t len = 16 * ZU_PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *expect = malloc(len);
	int status;
	__u32 id = 0;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(NULL, expect);
	memset(p, 1, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		memset(p, 2, len);	/* the child's copy */
		zu_sleep_ms(200);
		_exit(0);
	}
	zu_fill(expect, len, zu_seed(_metadata->name));
	memcpy(p, expect, len);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	pin_send_expect(_metadata, self, id, expect, len);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	free(expect);
}

/* Writes between sends show up in the next send (no stale snapshot). */
TEST_F(pin, rewritten_between_sends)
{
	size_t len = 8 * ZU_PAGE;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *expect = malloc(len);
	__u32 id = 0;
	int i;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_NE(NULL, expect);
	memset(p, 0, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	for (i = 0; i < 4; i++) {
		zu_fill(expect, len, zu_seed(_metadata->name) + i);
		memcpy(p, expect, len);
		pin_send_expect(_metadata, self, id, expect, len);
	}
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	free(expect);
}

TEST_HARNESS_MAIN
