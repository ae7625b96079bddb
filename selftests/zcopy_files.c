// SPDX-License-Identifier: GPL-2.0
/*
 * File extents of ZCOPY_IOC_SEND on the file systems and file types they
 * meet (pitfall 10 and 11): tmpfs with holes, ext4 on a loop device (cold
 * page cache), overlayfs, O_DIRECT descriptors, procfs and sysfs files,
 * extents past the end of the file (short send, ZCOPY_STOP_EOF), other
 * file types (each with its errno), and a file that is truncated, extended
 * and rewritten while it is being sent.
 */

#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <linux/userfaultfd.h>
#include <pthread.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#define POOL_LEN (64 * 1024)

FIXTURE(files)
{
	int dev;
	struct zcopy_query q;
	struct zu_pool pool;
	struct zu_ext4 fs;
	int snd, rcv;
	__u64 cookie;
};

FIXTURE_VARIANT(files)
{
	bool ext4;
};

/* Most tests run on tmpfs; the "disk" variant adds ext4 on a loop device. */
FIXTURE_VARIANT_ADD(files, tmpfs) { .ext4 = false };
FIXTURE_VARIANT_ADD(files, ext4) { .ext4 = true };

FIXTURE_SETUP(files)
{
	char why[256];
	int r;

	self->snd = self->rcv = -1;
	self->pool.mem = NULL;
	self->pool.dev = -1;
	memset(&self->fs, 0, sizeof(self->fs));
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	if (variant->ext4) {
		r = zu_ext4_mount(&self->fs, why, sizeof(why));
		if (r == KSFT_SKIP)
			SKIP(return, "ext4 on a loop device: %s", why);
		ASSERT_EQ(0, r);
	}
	ASSERT_EQ(0, zu_pool_new(self->dev, POOL_LEN, 0xf11e, &self->pool));
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
	self->cookie = 1;
}

FIXTURE_TEARDOWN(files)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_pool_free(&self->pool);
	zu_close(&self->dev);
	zu_ext4_umount(&self->fs);
}

static const char *fdir(FIXTURE_DATA(files) *self)
{
	return self->fs.mounted ? self->fs.dir : "/tmp";
}

/* A file with @len bytes of @data in the variant's file system. */
static int make_file(FIXTURE_DATA(files) *self, const char *name,
		     const void *data, size_t len)
{
	if (self->fs.mounted)
		return zu_disk_file(self->fs.dir, name, data, len);
	return zu_tmpfile("/tmp", data, len);
}

/*
 * Send @segs; the receiver must get exactly @expect (@len bytes, the
 * stream up to where the send stopped) and nothing more. @s and @res
 * (optional) get the outputs; the completion is read and checked.
 */
static void send_expect_flags(struct __test_metadata *_metadata,
			      FIXTURE_DATA(files) *self,
			      const struct zcopy_seg *segs, __u32 n,
			      const unsigned char *expect, size_t len,
			      struct zcopy_send *s,
			      struct zcopy_seg_result *res, __u32 flags)
{
	struct zcopy_completion c;
	struct zu_rx rx;

	if (res)
		memset(res, 0xff, n * sizeof(*res));
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, len, len));
	ASSERT_EQ(0, zu_send(self->dev, self->snd, segs, n, res,
			     self->cookie, flags, s));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, len));
	EXPECT_EQ(len, s->bytes_sent);
	EXPECT_EQ(0, zu_check_stop(segs, n, s, res));
	/* Nothing beyond what was reported. */
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 100));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(self->cookie, c.cookie);
	EXPECT_EQ(0, zu_check_compl(&c, s));
	self->cookie++;
}

static void send_expect(struct __test_metadata *_metadata,
			FIXTURE_DATA(files) *self,
			const struct zcopy_seg *segs, __u32 n,
			const unsigned char *expect, size_t len,
			struct zcopy_send *s, struct zcopy_seg_result *res)
{
	send_expect_flags(_metadata, self, segs, n, expect, len, s, res, 0);
}

/* ---------------------------------------------------------------- holes */

/*
 * A sparse file: data at both ends, a hole between (ftruncate to extend).
 * Holes read as zeros, whether an extent covers data and hole or only hole.
 */
TEST_F(files, holes_read_as_zeros)
{
	size_t size = 3 * ZU_MIB + 12345, head = 5000, tail = 7000;
	unsigned char *expect = calloc(1, size);
	struct zcopy_seg_result res[3];
	struct zcopy_send s;
	struct zcopy_seg segs[3];
	int fd;

	ASSERT_NE(NULL, expect);
	zu_fill(expect, head, zu_seed(_metadata->name));
	zu_fill(expect + size - tail, tail, 99);
	fd = make_file(self, "holes", NULL, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, size));
	ASSERT_EQ(head, pwrite(fd, expect, head, 0));
	ASSERT_EQ(tail, pwrite(fd, expect + size - tail, tail, size - tail));
	if (self->fs.mounted) {
		ASSERT_EQ(0, fsync(fd));
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}

	/* The whole file. */
	segs[0] = zu_seg_file(fd, 0, size);
	send_expect(_metadata, self, segs, 1, expect, size, &s, res);
	EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason);

	/* Only hole, then hole into data, then data into hole. */
	segs[0] = zu_seg_file(fd, ZU_MIB + 1, 100000);
	segs[1] = zu_seg_file(fd, size - tail - 3000, 3001);
	segs[2] = zu_seg_file(fd, head - 10, 20);
	{
		unsigned char *e2 = malloc(100000 + 3001 + 20);

		ASSERT_NE(NULL, e2);
		memcpy(e2, expect + ZU_MIB + 1, 100000);
		memcpy(e2 + 100000, expect + size - tail - 3000, 3001);
		memcpy(e2 + 103001, expect + head - 10, 20);
		send_expect(_metadata, self, segs, 3, e2, 103021, &s, res);
		free(e2);
	}
	close(fd);
	free(expect);
}

/* A file that is all hole. */
TEST_F(files, all_hole)
{
	size_t size = 200000;
	unsigned char *zeros = calloc(1, size);
	struct zcopy_seg seg;
	struct zcopy_send s;
	int fd = make_file(self, "allhole", NULL, 0);

	ASSERT_NE(NULL, zeros);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, size));
	seg = zu_seg_file(fd, 1, size - 1);
	send_expect(_metadata, self, &seg, 1, zeros, size - 1, &s, NULL);
	close(fd);
	free(zeros);
}

/* Cold page cache (ext4: dropped after writing) and odd extents. */
TEST_F_TIMEOUT(files, odd_extents, 90)
{
	size_t size = 2 * ZU_MIB + 777;
	unsigned char *data = malloc(size), *expect = malloc(size);
	uint64_t st = zu_seed(_metadata->name);
	struct zcopy_seg segs[32];
	struct zcopy_send s;
	size_t off = 0, len, pos;
	int fd, i;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, expect);
	zu_fill(data, size, st);
	fd = make_file(self, "odd", data, size);
	ASSERT_LE(0, fd);
	for (i = 0; i < 32; i++) {
		len = zu_rand_range(&st, 1, 100000);
		pos = zu_rand_range(&st, 0, size - len);
		segs[i] = zu_seg_file(fd, pos, len);
		memcpy(expect + off, data + pos, len);
		off += len;
		if (off > size - 100000)
			break;
	}
	send_expect(_metadata, self, segs, i < 32 ? i + 1 : 32, expect, off,
		    &s, NULL);
	close(fd);
	free(data);
	free(expect);
}

/* ------------------------------------------------------ nowait-io */

/* A file of @size bytes from the test's seed, also left in @data. */
static int seeded_file(struct __test_metadata *_metadata,
		       FIXTURE_DATA(files) *self, const char *name,
		       unsigned char *data, size_t size)
{
	zu_fill(data, size, zu_seed(_metadata->name));
	return make_file(self, name, data, size);
}


/* Pages of the first @len bytes of @fd that are in the page cache. */
static size_t resident_pages(int fd, size_t len)
{
	size_t pg = sysconf(_SC_PAGESIZE), n = (len + pg - 1) / pg, i, r = 0;
	unsigned char *vec = malloc(n);
	void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

	if (vec && p != MAP_FAILED && !mincore(p, len, vec))
		for (i = 0; i < n; i++)
			r += vec[i] & 1;
	if (p != MAP_FAILED)
		munmap(p, len);
	free(vec);
	return r;
}

/*
 * ZCOPY_SEND_NOWAIT_IO on a file whose pages were dropped: on ext4 the
 * first send stops at once (ZCOPY_STOP_NOT_CACHED, nothing sent) having
 * started readahead; sends resumed where each stopped get the whole file
 * across, right. Once cached, the file never stops a send. tmpfs has no
 * disk to wait for and never stops.
 */
TEST_F_TIMEOUT(files, nowait_io, 120)
{
	size_t size = 4 * ZU_MIB, pages = size / sysconf(_SC_PAGESIZE);
	unsigned char *data = malloc(size);
	struct zcopy_seg_result res;
	struct zcopy_completion c;
	struct zcopy_seg seg;
	struct zcopy_send s;
	uint64_t t0, first_ms = 0;
	__u32 first_stop = ZCOPY_STOP_NONE;
	__u64 first_bytes = 0;
	size_t off = 0;
	int fd, stops = 0, sends = 0;
	struct zu_rx rx;

	ASSERT_NE(NULL, data);
	if (!(self->q.features & ZCOPY_FEATURE_NOWAIT_IO))
		SKIP(return, "module without nowait-io");
	fd = seeded_file(_metadata, self, "nowait", data, size);
	ASSERT_LE(0, fd);
	if (self->fs.mounted)
		EXPECT_EQ(0, resident_pages(fd, size));

	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, data, size, size));
	while (off < size) {
		seg = zu_seg_file(fd, off, size - off);
		t0 = zu_now_ns();
		ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, &res,
				     self->cookie, ZCOPY_SEND_NOWAIT_IO, &s));
		if (!sends++) {
			first_ms = zu_ms_since(t0);
			first_stop = s.stop_reason;
			first_bytes = s.bytes_sent;
		}
		ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
		EXPECT_EQ(self->cookie, c.cookie);
		EXPECT_EQ(0, zu_check_compl(&c, &s));
		self->cookie++;
		EXPECT_EQ(s.bytes_sent, res.sent);
		off += s.bytes_sent;
		if (s.stop_reason == ZCOPY_STOP_NOT_CACHED) {
			EXPECT_EQ(0, s.stop_seg);
			EXPECT_EQ(s.bytes_sent, s.stop_offset);
			ASSERT_GT(20000, ++stops) TH_LOG("the file never came in");
			zu_sleep_ms(5);
		} else {
			ASSERT_EQ(ZCOPY_STOP_NONE, s.stop_reason)
				TH_LOG("stop %s", zu_stop_name(s.stop_reason));
		}
	}
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, size));
	TH_LOG("%s: %d sends, %d stopped not cached; the first took %llu ms, sent %llu bytes, stop %s",
	       self->fs.mounted ? "ext4" : "tmpfs", sends, stops,
	       (unsigned long long)first_ms, (unsigned long long)first_bytes,
	       zu_stop_name(first_stop));
	if (self->fs.mounted) {
		EXPECT_EQ(ZCOPY_STOP_NOT_CACHED, first_stop);
		EXPECT_EQ(0, first_bytes);
	} else {
		EXPECT_EQ(0, stops);
	}

	/* Cached now: one send, no stop. */
	EXPECT_EQ(pages, resident_pages(fd, size));
	seg = zu_seg_file(fd, 0, size);
	send_expect_flags(_metadata, self, &seg, 1, data, size, &s, NULL,
			  ZCOPY_SEND_NOWAIT_IO);
	EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason);
	close(fd);
	free(data);
}

/* ---------------------------------------------------- cache-hints */

#define HINT_SIZE	(64 * ZU_MIB)

/* The file cached: read all of it once. */
static void read_all(int fd, size_t size)
{
	static char buf[1 << 16];
	size_t off;

	for (off = 0; off < size; off += sizeof(buf))
		if (pread(fd, buf, sizeof(buf), off) <= 0)
			break;
}

/*
 * ZCOPY_SEG_DROP_BEHIND: once the completion of a send of a cached 64 MiB
 * file is read, at most a few of its pages are still cached; the same
 * send without the hint leaves it cached. tmpfs keeps its pages (they
 * are the only copy).
 */
TEST_F_TIMEOUT(files, drop_behind, 240)
{
	size_t pages = HINT_SIZE / sysconf(_SC_PAGESIZE), left[2];
	unsigned char *data = malloc(HINT_SIZE);
	struct zcopy_seg seg;
	struct zcopy_send s;
	int fd, i;

	ASSERT_NE(NULL, data);
	if (!(self->q.features & ZCOPY_FEATURE_CACHE_HINTS))
		SKIP(return, "module without cache-hints");
	fd = seeded_file(_metadata, self, "dropbehind", data, HINT_SIZE);
	ASSERT_LE(0, fd);
	/* First without the hint (the control), then with it. */
	for (i = 0; i < 2; i++) {
		read_all(fd, HINT_SIZE);
		EXPECT_EQ(pages, resident_pages(fd, HINT_SIZE));
		seg = zu_seg_file(fd, 0, HINT_SIZE);
		seg.flags = i ? ZCOPY_SEG_DROP_BEHIND : 0;
		send_expect_flags(_metadata, self, &seg, 1, data, HINT_SIZE,
				  &s, NULL, ZCOPY_SEND_FILE_NOTIFY);
		left[i] = resident_pages(fd, HINT_SIZE);
	}
	TH_LOG("%s: %zu of %zu pages cached after a send, %zu after a drop-behind send",
	       self->fs.mounted ? "ext4" : "tmpfs", left[0], pages, left[1]);
	EXPECT_EQ(pages, left[0]);
	if (self->fs.mounted) {
		EXPECT_GE(16, left[1]);
	} else {
		EXPECT_EQ(pages, left[1]);
	}
	close(fd);
	free(data);
}

/*
 * ZCOPY_SEG_WILLNEED starts reading an extent when the send starts: the
 * send stops at the end of a first file before it reaches a second,
 * dropped one, whose first pages come in all the same. Without the hint
 * none do.
 */
TEST_F_TIMEOUT(files, willneed, 120)
{
	size_t size = 2 * ZU_MIB, pages = size / sysconf(_SC_PAGESIZE);
	size_t got[2] = { 0, 0 };
	unsigned char *data = malloc(size), head[100];
	struct zcopy_seg segs[2];
	struct zcopy_send s;
	int fd, hfd, i, t, same;

	ASSERT_NE(NULL, data);
	if (!(self->q.features & ZCOPY_FEATURE_CACHE_HINTS))
		SKIP(return, "module without cache-hints");
	if (!self->fs.mounted)
		SKIP(return, "tmpfs has no disk to read ahead from");
	zu_fill(head, sizeof(head), 7);
	hfd = make_file(self, "head", head, sizeof(head));
	ASSERT_LE(0, hfd);
	fd = seeded_file(_metadata, self, "willneed", data, size);
	ASSERT_LE(0, fd);
	for (i = 0; i < 2; i++) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		ASSERT_EQ(0, resident_pages(fd, size));
		/* The head extent runs past its EOF: the send ends there. */
		segs[0] = zu_seg_file(hfd, 0, 1000);
		segs[1] = zu_seg_file(fd, 0, size);
		segs[1].flags = i ? ZCOPY_SEG_WILLNEED : 0;
		send_expect_flags(_metadata, self, segs, 2, head, sizeof(head),
				  &s, NULL, 0);
		EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
		EXPECT_EQ(0, s.stop_seg);
		/* Readahead is not waited for: until it settles, 20 s at most. */
		for (t = 0, same = 0; t < 200 && same < 10; t++) {
			size_t now;

			zu_sleep_ms(100);
			now = resident_pages(fd, size);
			same = now == got[i] ? same + 1 : 0;
			got[i] = now;
		}
	}
	TH_LOG("pages of the unsent extent cached: %zu without the hint, %zu with it (of %zu)",
	       got[0], got[1], pages);
	/*
	 * The kernel reads ahead at most the device's readahead size of a
	 * hint (max of io_pages and ra_pages: 320 pages over the test's loop
	 * device), from the extent's start.
	 */
	EXPECT_EQ(0, got[0]);
	EXPECT_LE(pages / 8, got[1]);
	close(fd);
	close(hfd);
	free(data);
}

/* ------------------------------------------------------------------ EOF */

#define EOF_SIZE 10000

static int eof_file(FIXTURE_DATA(files) *self, unsigned char *data)
{
	zu_fill(data, EOF_SIZE, 0xe0f);
	return make_file(self, "eof", data, EOF_SIZE);
}

/*
 * [pool 100][file 9000..14000][pool 100]: the file extent ends at EOF after
 * 1000 bytes; the send stops there (ZCOPY_STOP_EOF, segment 1, offset 1000)
 * and the receiver gets exactly 1100 bytes.
 */
TEST_F(files, extent_past_eof_is_short)
{
	unsigned char data[EOF_SIZE], expect[1100];
	struct zcopy_seg_result res[3];
	struct zcopy_send s;
	struct zcopy_seg segs[3];
	int fd = eof_file(self, data);

	ASSERT_LE(0, fd);
	segs[0] = zu_seg_pool(self->pool.id, 0, 100);
	segs[1] = zu_seg_file(fd, 9000, 5000);
	segs[2] = zu_seg_pool(self->pool.id, 100, 100);
	memcpy(expect, self->pool.mem, 100);
	memcpy(expect + 100, data + 9000, 1000);
	send_expect(_metadata, self, segs, 3, expect, 1100, &s, res);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	EXPECT_EQ(1, s.stop_seg);
	EXPECT_EQ(1000, s.stop_offset);
	EXPECT_EQ(0, s.stop_errno);
	EXPECT_EQ(100, res[0].sent);
	EXPECT_EQ(1000, res[1].sent);
	EXPECT_EQ(0, res[2].sent);
	close(fd);
}

/* An extent that starts exactly at EOF: stop there with 0 of it sent. */
TEST_F(files, extent_starting_at_eof)
{
	unsigned char data[EOF_SIZE];
	struct zcopy_send s;
	struct zcopy_seg segs[3];
	int fd = eof_file(self, data);

	ASSERT_LE(0, fd);
	segs[0] = zu_seg_pool(self->pool.id, 0, 100);
	segs[1] = zu_seg_file(fd, EOF_SIZE, 10);
	segs[2] = zu_seg_pool(self->pool.id, 100, 100);
	send_expect(_metadata, self, segs, 3, self->pool.mem, 100, &s, NULL);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	EXPECT_EQ(1, s.stop_seg);
	EXPECT_EQ(0, s.stop_offset);
	close(fd);
}

/*
 * The first extent is wholly past EOF: nothing is sent, but meeting EOF is
 * a result, not an error: 0, bytes_sent 0, and one completion.
 */
TEST_F(files, first_extent_past_eof_sends_nothing)
{
	unsigned char data[EOF_SIZE];
	struct zcopy_seg_result res[2];
	struct zcopy_completion c;
	struct zcopy_seg segs[2];
	struct zcopy_send s;
	int fd = eof_file(self, data);

	ASSERT_LE(0, fd);
	segs[0] = zu_seg_file(fd, EOF_SIZE + 5, 10);
	segs[1] = zu_seg_pool(self->pool.id, 0, 100);
	ASSERT_EQ(0, zu_send(self->dev, self->snd, segs, 2, res, 77, 0, &s));
	EXPECT_EQ(0, s.bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	EXPECT_EQ(0, s.stop_seg);
	EXPECT_EQ(0, s.stop_offset);
	EXPECT_EQ(0, zu_check_stop(segs, 2, &s, res));
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 100));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_EQ(0, c.bytes);
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_SHORT);
	close(fd);
}

TEST_F(files, empty_file)
{
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zcopy_seg seg;
	int fd = make_file(self, "empty", NULL, 0);

	ASSERT_LE(0, fd);
	seg = zu_seg_file(fd, 0, 10);
	ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, 78, 0, &s));
	EXPECT_EQ(0, s.bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	EXPECT_EQ(0, s.stop_seg);
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	close(fd);
}

/* Far past EOF (but no wrap): EOF, not an error. */
TEST_F(files, extent_far_past_eof)
{
	unsigned char data[EOF_SIZE];
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zcopy_seg seg;
	int fd = eof_file(self, data);

	ASSERT_LE(0, fd);
	seg = zu_seg_file(fd, 1ULL << 40, 10);
	ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, 79, 0, &s));
	EXPECT_EQ(0, s.bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	close(fd);
}

/* Resuming after EOF once the file has grown sends the rest. */
TEST_F(files, resume_after_file_grows)
{
	unsigned char data[2 * EOF_SIZE];
	struct zcopy_seg seg, rest[1];
	struct zcopy_send s;
	int fd = eof_file(self, data);

	ASSERT_LE(0, fd);
	seg = zu_seg_file(fd, 0, 2 * EOF_SIZE);
	send_expect(_metadata, self, &seg, 1, data, EOF_SIZE, &s, NULL);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	zu_fill(data + EOF_SIZE, EOF_SIZE, 5);
	ASSERT_EQ(EOF_SIZE, pwrite(fd, data + EOF_SIZE, EOF_SIZE, EOF_SIZE));
	ASSERT_EQ(1, zu_segs_resume(&seg, 1, s.stop_seg, s.stop_offset, rest));
	send_expect(_metadata, self, rest, 1, data + EOF_SIZE, EOF_SIZE, &s,
		    NULL);
	EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason);
	close(fd);
}

/* ------------------------------------------------------------- O_DIRECT */

/*
 * An O_DIRECT descriptor: its read path reads into fresh pages, so the bytes
 * are right and, on 6.12 (copy_splice_read), reported as FILE_COPY. 6.1 may
 * do direct I/O into new pages as well; only consistency is asserted there.
 */
TEST_F(files, o_direct_fd)
{
	size_t size = 1 * ZU_MIB;
	unsigned char *data = malloc(size), *expect = malloc(size);
	struct zcopy_seg_result res[3];
	struct zcopy_seg segs[3];
	struct zcopy_send s;
	char path[PATH_MAX + 32];
	int fd, dfd, i;
	size_t off = 0;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, expect);
	zu_fill(data, size, zu_seed(_metadata->name));
	fd = make_file(self, "direct", data, size);
	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (dfd < 0 && errno == EINVAL)
		SKIP(close(fd); return, "%s does not support O_DIRECT here",
		     self->fs.mounted ? "ext4" : "tmpfs");
	ASSERT_LE(0, dfd);
	/* Block-aligned extents, which direct I/O requires. */
	segs[0] = zu_seg_file(dfd, 0, 64 * 1024);
	segs[1] = zu_seg_file(dfd, 256 * 1024, 128 * 1024);
	segs[2] = zu_seg_file(dfd, size - 4096, 4096);
	for (i = 0; i < 3; i++) {
		memcpy(expect + off, data + segs[i].offset, segs[i].len);
		off += segs[i].len;
	}
	send_expect(_metadata, self, segs, 3, expect, off, &s, res);
	EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason);
	for (i = 0; i < 3; i++) {
		TH_LOG("segment %d: sent %llu copied %llu reason %s", i,
		       (unsigned long long)res[i].sent,
		       (unsigned long long)res[i].copied,
		       zu_reason_name(res[i].reason));
		if (zu_kernel_at_least(6, 5)) {
			EXPECT_EQ(res[i].sent, res[i].copied);
			EXPECT_EQ(ZCOPY_REASON_FILE_COPY, res[i].reason);
		}
	}
	close(dfd);
	close(fd);
	free(data);
	free(expect);
}

/* -------------------------------------------------------- procfs, sysfs */

/*
 * A pseudo file read through its splice_read: either the right bytes
 * (reported copied, FILE_COPY), or EINVAL with nothing sent. Nothing else.
 */
static void pseudo_file(struct __test_metadata *_metadata,
			FIXTURE_DATA(files) *self, const char *path)
{
	unsigned char want[4096];
	struct zcopy_seg_result res[1];
	struct zcopy_completion c;
	struct zcopy_seg seg;
	struct zcopy_send s;
	struct zu_rx rx;
	ssize_t len = zu_read_file(path, want, sizeof(want));
	int fd, r;

	if (len < 0)
		SKIP(return, "%s: %s", path, strerror(-len));
	ASSERT_LT(0, len);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	seg = zu_seg_file(fd, 0, len);
	memset(res, 0xff, sizeof(res));
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, want, len, len));
	r = zu_send(self->dev, self->snd, &seg, 1, res, 5, 0, &s);
	if (r) {
		EXPECT_EQ(-EINVAL, r) TH_LOG("%s: %s", path, strerror(-r));
		shutdown(self->snd, SHUT_WR);
		zu_rx_join(&rx);
		EXPECT_EQ(0, rx.got);
		EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->dev, POLLIN, 100));
		TH_LOG("%s: refused with %s", path, strerror(-r));
	} else {
		zu_rx_join(&rx);
		zu_log_send(&s);
		EXPECT_TRUE(zu_rx_ok(&rx, len));
		EXPECT_EQ(len, s.bytes_sent);
		EXPECT_EQ(ZCOPY_STOP_NONE, s.stop_reason);
		EXPECT_EQ(res[0].sent, res[0].copied);
		EXPECT_EQ(ZCOPY_REASON_FILE_COPY, res[0].reason);
		ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
		EXPECT_EQ(0, zu_check_compl(&c, &s));
		TH_LOG("%s: %zd bytes, copied %llu (%s)", path, len,
		       (unsigned long long)res[0].copied,
		       zu_reason_name(res[0].reason));
	}
	close(fd);
}

TEST_F(files, procfs_file)
{
	pseudo_file(_metadata, self, "/proc/version");
}

TEST_F(files, sysfs_file)
{
	pseudo_file(_metadata, self, "/sys/class/net/lo/address");
}

/* ------------------------------------------------------------- overlayfs */

TEST_F(files, overlayfs_file)
{
	char base[PATH_MAX + 16], lower[PATH_MAX + 32], upper[PATH_MAX + 32];
	char work[PATH_MAX + 32], merged[PATH_MAX + 32], path[PATH_MAX + 48];
	char opts[4 * PATH_MAX + 256];
	size_t size = 300000;
	unsigned char *data = malloc(size);
	struct zcopy_seg segs[2];
	unsigned char *expect = malloc(size);
	struct zcopy_send s;
	int fd, lfd;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, expect);
	/* Layers on the variant's file system. */
	snprintf(base, sizeof(base), "%s/ovl.XXXXXX", fdir(self));
	ASSERT_NE(NULL, mkdtemp(base));
	snprintf(lower, sizeof(lower), "%s/l", base);
	snprintf(upper, sizeof(upper), "%s/u", base);
	snprintf(work, sizeof(work), "%s/w", base);
	snprintf(merged, sizeof(merged), "%s/m", base);
	ASSERT_EQ(0, mkdir(lower, 0700));
	ASSERT_EQ(0, mkdir(upper, 0700));
	ASSERT_EQ(0, mkdir(work, 0700));
	ASSERT_EQ(0, mkdir(merged, 0700));
	zu_fill(data, size, zu_seed(_metadata->name));
	snprintf(path, sizeof(path), "%s/f", lower);
	lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(size, pwrite(lfd, data, size, 0));
	close(lfd);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
		 lower, upper, work);
	if (mount("overlay", merged, "overlay", 0, opts)) {
		zu_sh("modprobe overlay 2>/dev/null");
		if (mount("overlay", merged, "overlay", 0, opts)) {
			int e = errno;

			zu_sh("rm -rf %s", base);
			SKIP(return, "mount overlay: %s", strerror(e));
		}
	}
	snprintf(path, sizeof(path), "%s/f", merged);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	segs[0] = zu_seg_file(fd, 1, 100000);
	segs[1] = zu_seg_file(fd, size - 50001, 50001);
	memcpy(expect, data + 1, 100000);
	memcpy(expect + 100000, data + size - 50001, 50001);
	send_expect(_metadata, self, segs, 2, expect, 150001, &s, NULL);
	close(fd);
	EXPECT_EQ(0, umount2(merged, 0));
	zu_sh("rm -rf %s", base);
	free(data);
	free(expect);
}

/* ------------------------------------------------------ other file types */

/* The file segment's descriptor @fd must be refused with @err, nothing sent. */
static void refuse_fd(struct __test_metadata *_metadata,
		      FIXTURE_DATA(files) *self, int fd, int err)
{
	struct zcopy_seg segs[2] = {
		zu_seg_pool(self->pool.id, 0, 100),
		zu_seg_file(fd, 0, 10),
	};
	struct zcopy_send s;

	EXPECT_EQ(-err, zu_send(self->dev, self->snd, segs, 2, NULL, 1, 0, &s));
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 50));
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->dev, POLLIN, 0));
}

TEST_F(files, eventfd_refused)
{
	int fd = eventfd(1, EFD_CLOEXEC);

	ASSERT_LE(0, fd);
	refuse_fd(_metadata, self, fd, EINVAL);
	close(fd);
}

TEST_F(files, dev_null_refused)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	refuse_fd(_metadata, self, fd, EINVAL);
	close(fd);
}

TEST_F(files, fifo_refused)
{
	char path[] = "/tmp/zcopy-fifo.XXXXXX";
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	close(fd);
	unlink(path);
	ASSERT_EQ(0, mkfifo(path, 0600));
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "fifo", 4));
	refuse_fd(_metadata, self, fd, EINVAL);
	close(fd);
	unlink(path);
}

/* A block device: the ext4 variant's loop device, else an unbound one. */
TEST_F(files, block_device_refused)
{
	char dev[64];
	int ctl, nr, fd;

	if (self->fs.mounted) {
		snprintf(dev, sizeof(dev), "%s", self->fs.dev);
	} else {
		if (access("/dev/loop-control", F_OK))
			zu_sh("modprobe loop 2>/dev/null");
		ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
		if (ctl < 0)
			SKIP(return, "no loop devices: %s", strerror(errno));
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		close(ctl);
		ASSERT_LE(0, nr);
		snprintf(dev, sizeof(dev), "/dev/loop%d", nr);
	}
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", dev, strerror(errno));
	refuse_fd(_metadata, self, fd, EINVAL);
	close(fd);
}

TEST_F(files, procfs_directory_refused)
{
	int fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	refuse_fd(_metadata, self, fd, EISDIR);
	close(fd);
}

TEST_F(files, fs_directory_refused)
{
	int fd = open(fdir(self), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	refuse_fd(_metadata, self, fd, EISDIR);
	close(fd);
}

TEST_F(files, write_only_refused)
{
	int fd = make_file(self, "wronly", "data", 4);
	char path[64];
	int wfd;

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	wfd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, wfd);
	refuse_fd(_metadata, self, wfd, EBADF);
	close(wfd);
	close(fd);
}

/* ------------------------------------------------- a file changing under us */

struct mutator {
	int fd;
	size_t max;
	volatile bool stop;
	unsigned long ops;
	uint64_t seed;
};

static void *mutate_fn(void *arg)
{
	struct mutator *m = arg;
	unsigned char buf[8192];
	uint64_t st = m->seed;
	size_t off, len;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!m->stop) {
		switch (zu_rand_range(&st, 0, 3)) {
		case 0:	/* truncate somewhere, maybe to nothing */
			if (ftruncate(m->fd, zu_rand_range(&st, 0, m->max)))
				break;
			break;
		case 1:	/* extend with a hole */
			if (ftruncate(m->fd, m->max + zu_rand_range(&st, 0, 65536)))
				break;
			break;
		default: /* rewrite a range */
			len = zu_rand_range(&st, 1, sizeof(buf));
			off = zu_rand_range(&st, 0, m->max);
			memset(buf, (int)zu_rand(&st), len);
			if (pwrite(m->fd, buf, len, off) < 0)
				break;
		}
		m->ops++;
		if (!(m->ops & 15))
			sched_yield();
	}
	return NULL;
}

/*
 * Truncate, extend and rewrite the file in a loop while sending extents of
 * it: no crash, every send returns 0 (short at EOF at worst), and the
 * receiver gets exactly the bytes the sends reported.
 */
TEST_F_TIMEOUT(files, file_changing_while_sent, 120)
{
	size_t max = 256 * 1024;
	unsigned char *data = malloc(max);
	struct mutator m = { .max = max };
	struct zcopy_completion c;
	struct zcopy_seg segs[3];
	struct zcopy_send s;
	struct zu_rx rx;
	pthread_t th;
	size_t reported = 0;
	int i, sends = 0, eofs = 0, errs = 0, r;
	uint64_t t0 = zu_now_ns();

	ASSERT_NE(NULL, data);
	m.seed = zu_seed(_metadata->name);
	zu_fill(data, max, m.seed);
	m.fd = make_file(self, "churn", data, max);
	ASSERT_LE(0, m.fd);
	/* Count only: the content is undefined while the file changes. */
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, NULL, 0, 0));
	ASSERT_EQ(0, pthread_create(&th, NULL, mutate_fn, &m));
	for (i = 0; i < 60 && zu_ms_since(t0) < 15000; i++) {
		segs[0] = zu_seg_file(m.fd, 0, max);
		segs[1] = zu_seg_pool(self->pool.id, 0, 10);
		segs[2] = zu_seg_file(m.fd, max / 3, max / 2);
		r = zu_send(self->dev, self->snd, segs, 3, NULL, i, 0, &s);
		ASSERT_EQ(0, r) TH_LOG("send %d: %s", i, strerror(-r));
		EXPECT_EQ(0, zu_check_stop(segs, 3, &s, NULL));
		/*
		 * A read cut short by a concurrent truncate may end as EOF or,
		 * when the file grew back meanwhile, as a file error (EIO);
		 * either way with the progress reported.
		 */
		EXPECT_TRUE(s.stop_reason == ZCOPY_STOP_NONE ||
			    s.stop_reason == ZCOPY_STOP_EOF ||
			    (s.stop_reason == ZCOPY_STOP_ERROR &&
			     s.stop_errno == EIO)) {
			zu_log_send(&s);
		}
		eofs += s.stop_reason == ZCOPY_STOP_EOF;
		errs += s.stop_reason == ZCOPY_STOP_ERROR;
		reported += s.bytes_sent;
		sends++;
	}
	m.stop = true;
	pthread_join(th, NULL);
	ASSERT_EQ(0, shutdown(self->snd, SHUT_WR));
	zu_rx_join(&rx);
	TH_LOG("%d sends (%d short at EOF, %d stopped with EIO), %lu file changes, %zu bytes reported, %zu received",
	       sends, eofs, errs, m.ops, reported, rx.got);
	EXPECT_TRUE(rx.eof);
	EXPECT_EQ(0, rx.err);
	EXPECT_EQ(reported, rx.got);
	for (i = 0; i < sends; i++) {
		EXPECT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	}
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c, 200));
	close(m.fd);
	free(data);
}

/* --------------------------------------------------------- file-changed */

/*
 * ZCOPY_COMPL_FILE_CHANGED: a file-notify send whose file changes while
 * the stack holds its pages says so, with the index of the first segment
 * of that file. The send is [pool range, head file, target extent]; the
 * peer does not read, so most of the extent waits in the sender's queue
 * (the socket's buffer is forced large enough to take it all), and the
 * change happens then. Detection is per file: a change anywhere in the
 * target flags it; metadata changes and reads never do.
 */
#define CHG_FILE	(2 * ZU_MIB)	/* the target file */
#define CHG_EXTENT	ZU_MIB		/* sent: its first half */
#define CHG_HEAD	1000

enum chg {
	CHG_NONE,
	CHG_PWRITE,		/* pwrite() inside the extent */
	CHG_PWRITE_OUTSIDE,	/* pwrite() into the half not sent */
	CHG_BOTH,		/* the head file and the target */
	CHG_TRUNCATE,
	CHG_PUNCH,		/* fallocate(PUNCH_HOLE | KEEP_SIZE) */
	CHG_COLLAPSE,		/* fallocate(COLLAPSE_RANGE) */
	CHG_MMAP,		/* a store through a new MAP_SHARED mapping */
	CHG_CHMOD,		/* metadata: not a change of the data */
	CHG_READ,		/* pread(), atime: not a change either */
};

/* Apply @how to @fd (and @head); 0, or KSFT_SKIP if the fs cannot. */
static int chg_apply(int fd, int head, enum chg how)
{
	char b[4096];
	void *p;

	memset(b, 'X', sizeof(b));
	switch (how) {
	case CHG_NONE:
		return 0;
	case CHG_BOTH:
		if (pwrite(head, b, 10, 0) != 10)
			return -errno;
		/* fall through */
	case CHG_PWRITE:
		return pwrite(fd, b, 100, 4096) == 100 ? 0 : -errno;
	case CHG_PWRITE_OUTSIDE:
		return pwrite(fd, b, 100, CHG_FILE - 4096) == 100 ? 0 : -errno;
	case CHG_TRUNCATE:
		return ftruncate(fd, 8192) ? -errno : 0;
	case CHG_PUNCH:
		if (!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       0, 65536))
			return 0;
		return errno == EOPNOTSUPP ? KSFT_SKIP : -errno;
	case CHG_COLLAPSE:
		if (!fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 65536))
			return 0;
		return errno == EOPNOTSUPP ? KSFT_SKIP : -errno;
	case CHG_MMAP:
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return -errno;
		((volatile char *)p)[100] = 'X';
		return munmap(p, 4096) ? -errno : 0;
	case CHG_CHMOD:
		return fchmod(fd, 0600) ? -errno : 0;
	case CHG_READ:
		return pread(fd, b, sizeof(b), 0) == sizeof(b) ? 0 : -errno;
	}
	return -EINVAL;
}

static void file_changed_case(struct __test_metadata *_metadata,
			      FIXTURE_DATA(files) *self, enum chg how,
			      bool flagged, int seg)
{
	unsigned char *data = malloc(CHG_FILE), head[CHG_HEAD];
	size_t total = 10 + CHG_HEAD + CHG_EXTENT;
	unsigned char *expect = malloc(total);
	int fd, hfd, snd = -1, rcv = -1, sndbuf = 8 * ZU_MIB, r;
	struct zcopy_completion c;
	struct zcopy_seg segs[3];
	struct zcopy_send s;
	struct zu_rx rx;

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, expect);
	if (!(self->q.features & ZCOPY_FEATURE_FILE_CHANGED))
		SKIP(return, "module without file-changed");
	zu_fill(head, sizeof(head), 3);
	hfd = make_file(self, "chghead", head, sizeof(head));
	ASSERT_LE(0, hfd);
	fd = seeded_file(_metadata, self, "chg", data, CHG_FILE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, zu_tcp_pair(&snd, &rcv));
	ASSERT_EQ(0, setsockopt(snd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
				sizeof(sndbuf)));
	segs[0] = zu_seg_pool(self->pool.id, 0, 10);
	segs[1] = zu_seg_file(hfd, 0, CHG_HEAD);
	segs[2] = zu_seg_file(fd, 0, CHG_EXTENT);
	ASSERT_EQ(0, zu_send(self->dev, snd, segs, 3, NULL, self->cookie,
			     ZCOPY_SEND_FILE_NOTIFY, &s));
	ASSERT_EQ(total, s.bytes_sent);
	ASSERT_EQ(-ETIMEDOUT, zu_wait_fd(self->dev, POLLIN, 300))
		TH_LOG("the completion came while the peer held back");

	r = chg_apply(fd, hfd, how);
	if (r == KSFT_SKIP) {
		zu_close(&snd);
		zu_close(&rcv);
		SKIP(return, "%s: this change is not supported here",
		     self->fs.mounted ? "ext4" : "tmpfs");
	}
	ASSERT_EQ(0, r) TH_LOG("change %d: %s", how, strerror(-r));

	/* Unchanged, the peer gets exactly the data; else just its length. */
	memcpy(expect, self->pool.mem, 10);
	memcpy(expect + 10, head, CHG_HEAD);
	memcpy(expect + 10 + CHG_HEAD, data, CHG_EXTENT);
	ASSERT_EQ(0, zu_rx_start(&rx, rcv, flagged ? NULL : expect,
				 flagged ? 0 : total, total));
	zu_rx_join(&rx);
	EXPECT_EQ(total, rx.got);
	if (!flagged)
		EXPECT_TRUE(zu_rx_ok(&rx, total));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_FILE_RELEASED);
	EXPECT_EQ(flagged, !!(c.flags & ZCOPY_COMPL_FILE_CHANGED)) {
		zu_log_compl(&c);
	}
	if (flagged) {
		EXPECT_EQ(seg, c.changed_seg);
	} else {
		EXPECT_EQ(0, c.changed_seg);
	}
	zu_close(&snd);
	zu_close(&rcv);
	close(fd);
	close(hfd);
	free(expect);
	free(data);
	self->cookie++;
}

TEST_F(files, file_changed_not_for_an_unchanged_file)
{
	file_changed_case(_metadata, self, CHG_NONE, false, 0);
}

TEST_F(files, file_changed_pwrite)
{
	file_changed_case(_metadata, self, CHG_PWRITE, true, 2);
}

/* Per file: the part of the file that was not sent counts too. */
TEST_F(files, file_changed_pwrite_outside_the_extent)
{
	file_changed_case(_metadata, self, CHG_PWRITE_OUTSIDE, true, 2);
}

/* changed_seg is the first changed segment. */
TEST_F(files, file_changed_first_segment)
{
	file_changed_case(_metadata, self, CHG_BOTH, true, 1);
}

TEST_F(files, file_changed_truncate)
{
	file_changed_case(_metadata, self, CHG_TRUNCATE, true, 2);
}

TEST_F(files, file_changed_punch_hole)
{
	file_changed_case(_metadata, self, CHG_PUNCH, true, 2);
}

/* ext4 only: tmpfs has no collapse range. */
TEST_F(files, file_changed_collapse_range)
{
	file_changed_case(_metadata, self, CHG_COLLAPSE, true, 2);
}

/*
 * A store through a new shared mapping: its write fault updates the mtime
 * (ext4 in ->page_mkwrite, tmpfs in the fault path, which does it for
 * mappings without that hook).
 */
TEST_F(files, file_changed_mmap_store)
{
	file_changed_case(_metadata, self, CHG_MMAP, true, 2);
}

TEST_F(files, file_changed_not_for_chmod)
{
	file_changed_case(_metadata, self, CHG_CHMOD, false, 0);
}

TEST_F(files, file_changed_not_for_a_read)
{
	file_changed_case(_metadata, self, CHG_READ, false, 0);
}

#define HELD_FILES	32
#define HELD_LEN	4096

struct held_writer {
	int fd;
	void *buf;	/* a missing page of the userfaultfd region */
	pthread_t thread;
	ssize_t ret;
};

static void *held_write_fn(void *arg)
{
	struct held_writer *h = arg;

	h->ret = pwrite(h->fd, h->buf, HELD_LEN, 0);
	return NULL;
}

/*
 * A send of many files whose inode locks writers hold waits for a clean
 * snapshot ZCOPY_WATCH_WAIT_MS (50 ms) in all, not per file: each of 32
 * writers is stopped inside write(), holding its file's inode lock, on a
 * userfaultfd page it copies from; the send of the 32 files returns in
 * well under 32 x 50 ms, and its completion says the files may have
 * changed (no clean snapshot, so not known unchanged) from segment 0.
 */
TEST_F_TIMEOUT(files, file_changed_locked_files_wait_once, 120)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t region = HELD_FILES * page, total = HELD_FILES * HELD_LEN;
	unsigned char *data = malloc(total);
	struct held_writer h[HELD_FILES];
	struct uffdio_register reg = { 0 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_zeropage zp = { 0 };
	struct zcopy_seg segs[HELD_FILES];
	struct zcopy_completion c;
	struct zcopy_send s;
	struct uffd_msg msg;
	struct zu_rx rx;
	int uffd, i, faults = 0;
	uint64_t t0, ms;
	char *mem;

	ASSERT_NE(NULL, data);
	if (!(self->q.features & ZCOPY_FEATURE_FILE_CHANGED))
		SKIP(return, "module without file-changed");
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd < 0)
		SKIP(return, "userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	mem = mmap(NULL, region, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	reg.range.start = (unsigned long)mem;
	reg.range.len = region;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	for (i = 0; i < HELD_FILES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "held%d", i);
		zu_fill(data + i * HELD_LEN, HELD_LEN, 100 + i);
		h[i].fd = make_file(self, name, data + i * HELD_LEN, HELD_LEN);
		ASSERT_LE(0, h[i].fd);
		h[i].buf = mem + i * page;
		segs[i] = zu_seg_file(h[i].fd, 0, HELD_LEN);
		ASSERT_EQ(0, pthread_create(&h[i].thread, NULL, held_write_fn,
					    &h[i]));
	}
	/* A fault read is a writer stopped with its inode lock held. */
	while (faults < HELD_FILES) {
		ASSERT_EQ(0, zu_wait_fd(uffd, POLLIN, 20000))
			TH_LOG("%d of %d writers faulted", faults, HELD_FILES);
		ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
		ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);
		faults++;
	}

	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, data, total, total));
	t0 = zu_now_ns();
	ASSERT_EQ(0, zu_send(self->dev, self->snd, segs, HELD_FILES, NULL,
			     self->cookie, ZCOPY_SEND_FILE_NOTIFY, &s));
	ms = zu_ms_since(t0);
	ASSERT_EQ(total, s.bytes_sent);
	zu_rx_join(&rx);
	/* The writers have not copied a byte yet: the peer got the files. */
	EXPECT_TRUE(zu_rx_ok(&rx, total));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_FILE_CHANGED) {
		zu_log_compl(&c);
	}
	EXPECT_EQ(0, c.changed_seg);
	TH_LOG("%d files, each inode lock held by a writer: send took %llu ms",
	       HELD_FILES, (unsigned long long)ms);
	/* One 50 ms wait, not 32 (1.6 s); room for a slow kernel. */
	EXPECT_GT(HELD_FILES * 50 / 2, ms);

	zp.range.start = (unsigned long)mem;
	zp.range.len = region;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zp));
	for (i = 0; i < HELD_FILES; i++) {
		pthread_join(h[i].thread, NULL);
		EXPECT_EQ(HELD_LEN, h[i].ret);
		close(h[i].fd);
	}
	munmap(mem, region);
	close(uffd);
	free(data);
	self->cookie++;
}

#define NOFP_ROUNDS	10000
#define NOFP_LEN	4096

/*
 * No false positives: 10,000 file-notify transfers of files that do not
 * change while they are sent never say FILE_CHANGED - not even when the
 * file was rewritten just before the send (the same clock tick: the
 * send waits for the next one) or is rewritten the moment the completion
 * has been read. The peer gets every round as it was sent.
 */
TEST_F_TIMEOUT(files, file_changed_no_false_positives, 600)
{
	unsigned char *data = malloc(NOFP_LEN);
	unsigned char *want = malloc(NOFP_LEN);
	struct zcopy_completion c;
	struct zcopy_seg seg;
	struct zcopy_send s;
	struct zu_rx rx;
	int fd, k, flagged = 0, rewrites = 0;
	/* The full count on the stock kernels; a tenth under the sanitizers. */
	int rounds = zu_sanitizer_kernel() ? NOFP_ROUNDS / 10 : NOFP_ROUNDS;
	uint64_t t0 = zu_now_ns();

	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, want);
	if (!(self->q.features & ZCOPY_FEATURE_FILE_CHANGED))
		SKIP(return, "module without file-changed");
	zu_fill(data, NOFP_LEN, 1);
	fd = make_file(self, "nofp", data, NOFP_LEN);
	ASSERT_LE(0, fd);
	seg = zu_seg_file(fd, 0, NOFP_LEN);
	for (k = 0; k < rounds; k++) {
		/* Every 100th round, rewritten just before the send. */
		if (k % 100 == 50) {
			zu_fill(data, NOFP_LEN, k);
			ASSERT_EQ(NOFP_LEN, pwrite(fd, data, NOFP_LEN, 0));
			rewrites++;
		}
		memcpy(want, data, NOFP_LEN);
		ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, want, NOFP_LEN,
					 NOFP_LEN));
		ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, k,
				     ZCOPY_SEND_FILE_NOTIFY, &s));
		ASSERT_EQ(NOFP_LEN, s.bytes_sent);
		zu_rx_join(&rx);
		ASSERT_TRUE(zu_rx_ok(&rx, NOFP_LEN)) TH_LOG("round %d", k);
		ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
		ASSERT_EQ(0, zu_check_compl(&c, &s));
		flagged += !!(c.flags & ZCOPY_COMPL_FILE_CHANGED);
		/* And every 100th, rewritten right after the completion. */
		if (k % 100 == 99) {
			zu_fill(data, NOFP_LEN, k);
			ASSERT_EQ(NOFP_LEN, pwrite(fd, data, NOFP_LEN, 0));
			rewrites++;
		}
	}
	TH_LOG("%s: %d transfers, %d rewrites between them, %d flagged, %llu ms",
	       self->fs.mounted ? "ext4" : "tmpfs", rounds, rewrites,
	       flagged, (unsigned long long)zu_ms_since(t0));
	EXPECT_EQ(0, flagged);
	close(fd);
	free(want);
	free(data);
}

TEST_HARNESS_MAIN
