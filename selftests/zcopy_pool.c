// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_POOL_REGISTER / _UNREGISTER: which memory can be registered
 * (anonymous, memfd, shmem, tmpfs, hugetlbfs, private file mappings),
 * every rejection in its own test with its exact errno, the per-file pool
 * limit, ids, RLIMIT_MEMLOCK accounting for an unprivileged caller, and
 * what munmap()/MADV_DONTNEED after registration do to a pool.
 */

#include <grp.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif

#define HUGE_SZ (2UL * 1024 * 1024)

FIXTURE(pool)
{
	int dev;
	struct zcopy_query q;
	void *map;
	size_t maplen;
};

FIXTURE_SETUP(pool)
{
	self->map = NULL;
	ZU_DEV_OPEN(self->dev, self->q, ZCOPY_FEATURE_POOLS);
	EXPECT_EQ(64, self->q.max_pools);
	EXPECT_EQ(1ULL << 30, self->q.max_pool_bytes);
}

FIXTURE_TEARDOWN(pool)
{
	if (self->map)
		munmap(self->map, self->maplen);
	if (self->dev >= 0)
		close(self->dev);
}

/* An anonymous read-write mapping of @len bytes, written unless @untouched. */
static void *pool_map(FIXTURE_DATA(pool) *self, size_t len, bool untouched)
{
	self->maplen = len;
	self->map = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (self->map == MAP_FAILED) {
		self->map = NULL;
		return NULL;
	}
	if (!untouched)
		memset(self->map, 0x5a, len);
	return self->map;
}

static int reg_raw(int dev, struct zcopy_pool_register *r)
{
	return ioctl(dev, ZCOPY_IOC_POOL_REGISTER, r) ? -errno : 0;
}

/* ------------------------------------------------------- happy paths */

TEST_F(pool, anon_register_unregister)
{
	void *p = pool_map(self, 16 * ZU_PAGE, false);
	__u32 id = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 16 * ZU_PAGE, &id));
	EXPECT_NE(0, id);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
}

/* Pool ids start at 1 in each open file and are never reused while held. */
TEST_F(pool, ids_start_at_one_and_are_unique)
{
	unsigned char *p = pool_map(self, 16 * ZU_PAGE, false);
	__u32 ids[16];
	int i, j;

	ASSERT_NE(NULL, p);
	for (i = 0; i < 16; i++) {
		ASSERT_EQ(0, zu_pool_reg(self->dev, p + i * ZU_PAGE, ZU_PAGE,
					 &ids[i]));
		EXPECT_NE(0, ids[i]);
		for (j = 0; j < i; j++) {
			EXPECT_NE(ids[j], ids[i]);
		}
	}
	EXPECT_EQ(1, ids[0]);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, zu_pool_unreg(self->dev, ids[i]));
	}
}

/* Each open file has its own id space. */
TEST_F(pool, ids_per_open_file)
{
	unsigned char *p = pool_map(self, 2 * ZU_PAGE, false);
	int dev2 = zu_dev_open_raw(0);
	__u32 a = 0, b = 0;

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, ZU_PAGE, &a));
	ASSERT_EQ(0, zu_pool_reg(dev2, p + ZU_PAGE, ZU_PAGE, &b));
	EXPECT_EQ(1, a);
	EXPECT_EQ(1, b);
	EXPECT_EQ(0, zu_pool_unreg(dev2, b));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, a));
	close(dev2);
}

/* Never-touched memory: pinning for write faults it in (no zero page). */
TEST_F(pool, anon_untouched)
{
	void *p = pool_map(self, 64 * ZU_PAGE, true);
	__u32 id = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 64 * ZU_PAGE, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
}

TEST_F(pool, anon_shared)
{
	size_t len = 8 * ZU_PAGE;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	__u32 id = 0;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 1, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
}

TEST_F(pool, memfd_shared)
{
	size_t len = 16 * ZU_PAGE;
	int mfd = memfd_create("zcopy-pool", MFD_CLOEXEC);
	void *p;
	__u32 id = 0;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	close(mfd);
}

TEST_F(pool, memfd_private)
{
	size_t len = 16 * ZU_PAGE;
	int mfd = memfd_create("zcopy-pool", MFD_CLOEXEC);
	void *p;
	__u32 id = 0;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, len));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	close(mfd);
}

/* MAP_SHARED of a regular file on tmpfs (shmem: no dirty tracking). */
TEST_F(pool, tmpfs_file_shared)
{
	size_t len = 16 * ZU_PAGE;
	struct statfs sfs;
	void *p;
	__u32 id = 0;
	int fd;

	ASSERT_EQ(0, statfs("/tmp", &sfs));
	if (sfs.f_type != TMPFS_MAGIC)
		SKIP(return, "/tmp is not tmpfs");
	fd = zu_tmpfile("/tmp", NULL, len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 7, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	close(fd);
}

/* A length that is not a page multiple pins the whole last page. */
TEST_F(pool, len_not_page_multiple)
{
	unsigned char *p = pool_map(self, 2 * ZU_PAGE, false);
	__u32 a = 0, b = 0, c = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 1, &a));
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 100, &b));
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, ZU_PAGE + 1, &c));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, a));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, b));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, c));
}

/* Registering the same memory twice gives two independent pools. */
TEST_F(pool, same_memory_twice)
{
	void *p = pool_map(self, 4 * ZU_PAGE, false);
	__u32 a = 0, b = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 4 * ZU_PAGE, &a));
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 4 * ZU_PAGE, &b));
	EXPECT_NE(a, b);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, a));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, b));
}

/* A caller with a newer, longer struct whose tail is zero. */
TEST_F(pool, larger_struct_zero_tail)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct {
		struct zcopy_pool_register r;
		__u64 future[2];
	} big = { .r.size = sizeof(big) };

	ASSERT_NE(NULL, p);
	big.r.addr = (uintptr_t)p;
	big.r.len = ZU_PAGE;
	ASSERT_EQ(0, reg_raw(self->dev, &big.r));
	EXPECT_NE(0, big.r.pool_id);
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0, big.future[1]);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, big.r.pool_id));
}

/* Closing the file with pools still registered releases them. */
TEST_F(pool, close_with_pools_registered)
{
	unsigned char *p = pool_map(self, 8 * ZU_PAGE, false);
	int dev2 = zu_dev_open_raw(0);
	__u32 id = 0;
	int i;

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, dev2);
	for (i = 0; i < 8; i++) {
		ASSERT_EQ(0, zu_pool_reg(dev2, p + i * ZU_PAGE, ZU_PAGE, &id));
	}
	EXPECT_EQ(0, close(dev2));
	/* The memory is still ours and writable; a new file starts over. */
	memset(p, 3, 8 * ZU_PAGE);
	dev2 = zu_dev_open_raw(0);
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, zu_pool_reg(dev2, p, ZU_PAGE, &id));
	EXPECT_EQ(1, id);
	EXPECT_EQ(0, close(dev2));
}

/* munmap() after registration: no oops, the pool can still be unregistered. */
TEST_F(pool, munmap_after_register)
{
	size_t len = 16 * ZU_PAGE;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__u32 id = 0;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 9, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	ASSERT_EQ(0, munmap(p, len));
	/* Fresh memory at (maybe) the same address does not disturb it. */
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 10, len);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
}

TEST_F(pool, madv_dontneed_after_register)
{
	unsigned char *p = pool_map(self, 16 * ZU_PAGE, false);
	__u32 id = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 16 * ZU_PAGE, &id));
	ASSERT_EQ(0, madvise(p, 16 * ZU_PAGE, MADV_DONTNEED));
	/* The mapping now reads as zeros and faults in new pages. */
	EXPECT_EQ(0, p[0]);
	memset(p, 11, 16 * ZU_PAGE);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
}

/*
 * A pool keeps the pages it pinned: after munmap() or MADV_DONTNEED it still
 * sends the old contents, not what the mapping holds later.
 */
static void send_pool_expect(struct __test_metadata *_metadata,
			     FIXTURE_DATA(pool) *self, __u32 id,
			     const unsigned char *expect, size_t len)
{
	struct zcopy_seg seg = zu_seg_pool(id, 0, len);
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zu_rx rx;
	int snd, rcv;

	ASSERT_EQ(0, zu_tcp_pair(&snd, &rcv));
	ASSERT_EQ(0, zu_rx_start(&rx, rcv, expect, len, len));
	EXPECT_EQ(0, zu_send(self->dev, snd, &seg, 1, NULL, 42, 0, &s));
	zu_rx_join(&rx);
	EXPECT_EQ(len, s.bytes_sent);
	EXPECT_TRUE(zu_rx_ok(&rx, len));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	close(snd);
	close(rcv);
}

TEST_F(pool, munmap_after_register_sends_old_pages)
{
	size_t len = 8 * ZU_PAGE;
	unsigned char *expect = malloc(len);
	unsigned char *p;
	__u32 id = 0;

	if (!(self->q.features & ZCOPY_FEATURE_SEND))
		SKIP(return, "module lacks ZCOPY_FEATURE_SEND");
	ASSERT_NE(NULL, expect);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	zu_fill(p, len, zu_seed(_metadata->name));
	memcpy(expect, p, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	ASSERT_EQ(0, munmap(p, len));
	/* Reuse the address range with other bytes. */
	p = mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0xee, len);
	send_pool_expect(_metadata, self, id, expect, len);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, len);
	free(expect);
}

TEST_F(pool, madv_dontneed_after_register_sends_old_pages)
{
	size_t len = 8 * ZU_PAGE;
	unsigned char *expect = malloc(len);
	unsigned char *p = pool_map(self, len, true);
	__u32 id = 0;

	if (!(self->q.features & ZCOPY_FEATURE_SEND))
		SKIP(return, "module lacks ZCOPY_FEATURE_SEND");
	ASSERT_NE(NULL, expect);
	ASSERT_NE(NULL, p);
	zu_fill(p, len, zu_seed(_metadata->name));
	memcpy(expect, p, len);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, len, &id));
	ASSERT_EQ(0, madvise(p, len, MADV_DONTNEED));
	memset(p, 0xee, len);
	send_pool_expect(_metadata, self, id, expect, len);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	free(expect);
}

/* ------------------------------------------------------- rejections */

TEST_F(pool, unaligned_addr)
{
	unsigned char *p = pool_map(self, 2 * ZU_PAGE, false);

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, zu_pool_reg(self->dev, p + 1, ZU_PAGE, NULL));
}

TEST_F(pool, unaligned_addr_by_half_page)
{
	unsigned char *p = pool_map(self, 2 * ZU_PAGE, false);

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, zu_pool_reg(self->dev, p + ZU_PAGE / 2, ZU_PAGE,
				       NULL));
}

TEST_F(pool, len_zero)
{
	void *p = pool_map(self, ZU_PAGE, false);

	ASSERT_NE(NULL, p);
	EXPECT_EQ(-EINVAL, zu_pool_reg(self->dev, p, 0, NULL));
}

/* One page over max_pool_bytes, on memory that is really mapped. */
TEST_F(pool, len_over_max)
{
	size_t len = self->q.max_pool_bytes + ZU_PAGE;
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->map = p;
	self->maplen = len;
	EXPECT_EQ(-E2BIG, zu_pool_reg(self->dev, p, len, NULL));
}

TEST_F(pool, len_over_max_by_one_byte)
{
	size_t len = self->q.max_pool_bytes + 1;
	size_t maplen = self->q.max_pool_bytes + ZU_PAGE;
	void *p;

	p = mmap(NULL, maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	self->map = p;
	self->maplen = maplen;
	EXPECT_EQ(-E2BIG, zu_pool_reg(self->dev, p, len, NULL));
}

TEST_F(pool, addr_plus_len_wraps)
{
	struct zcopy_pool_register r = {
		.size = sizeof(r),
		.addr = ~0ULL & ~(__u64)(ZU_PAGE - 1),
		.len = 2 * ZU_PAGE,
	};

	EXPECT_EQ(-EOVERFLOW, reg_raw(self->dev, &r));
}

TEST_F(pool, kernel_address)
{
	struct zcopy_pool_register r = {
		.size = sizeof(r),
		.addr = 0xffff888000000000ULL,
		.len = ZU_PAGE,
	};

	EXPECT_EQ(-EFAULT, reg_raw(self->dev, &r));
}

TEST_F(pool, unmapped)
{
	void *p = pool_map(self, 4 * ZU_PAGE, false);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p, 4 * ZU_PAGE));
	self->map = NULL;
	EXPECT_EQ(-EFAULT, zu_pool_reg(self->dev, p, 4 * ZU_PAGE, NULL));
}

/* The first pages pin, a later one is a hole: all or nothing. */
TEST_F(pool, partially_unmapped)
{
	unsigned char *p = pool_map(self, 8 * ZU_PAGE, false);
	__u32 id = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p + 6 * ZU_PAGE, ZU_PAGE));
	EXPECT_EQ(-EFAULT, zu_pool_reg(self->dev, p, 8 * ZU_PAGE, NULL));
	/* Nothing half-registered: the mapped part still registers. */
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, 6 * ZU_PAGE, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
}

TEST_F(pool, prot_read)
{
	size_t len = 4 * ZU_PAGE;
	void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	self->map = p;
	self->maplen = len;
	EXPECT_EQ(-EFAULT, zu_pool_reg(self->dev, p, len, NULL));
}

/* Read-only after being written: still cannot be pinned for write. */
TEST_F(pool, prot_read_after_write)
{
	void *p = pool_map(self, 4 * ZU_PAGE, false);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, mprotect(p, 4 * ZU_PAGE, PROT_READ));
	EXPECT_EQ(-EFAULT, zu_pool_reg(self->dev, p, 4 * ZU_PAGE, NULL));
}

TEST_F(pool, prot_none)
{
	size_t len = 4 * ZU_PAGE;
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	self->map = p;
	self->maplen = len;
	EXPECT_EQ(-EFAULT, zu_pool_reg(self->dev, p, len, NULL));
}

TEST_F(pool, flags_nonzero)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_register r = { .size = sizeof(r), .flags = 1 };

	ASSERT_NE(NULL, p);
	r.addr = (uintptr_t)p;
	r.len = ZU_PAGE;
	EXPECT_EQ(-EINVAL, reg_raw(self->dev, &r));
}

TEST_F(pool, flags_high_bit)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_register r = { .size = sizeof(r), .flags = 1U << 31 };

	ASSERT_NE(NULL, p);
	r.addr = (uintptr_t)p;
	r.len = ZU_PAGE;
	EXPECT_EQ(-EINVAL, reg_raw(self->dev, &r));
}

TEST_F(pool, reserved_nonzero)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_register r = { .size = sizeof(r), .__reserved = 1 };

	ASSERT_NE(NULL, p);
	r.addr = (uintptr_t)p;
	r.len = ZU_PAGE;
	EXPECT_EQ(-EINVAL, reg_raw(self->dev, &r));
}

TEST_F(pool, size_too_small)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_register r = { .size = 8 };

	ASSERT_NE(NULL, p);
	r.addr = (uintptr_t)p;
	r.len = ZU_PAGE;
	EXPECT_EQ(-EINVAL, reg_raw(self->dev, &r));
}

TEST_F(pool, larger_struct_nonzero_tail)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct {
		struct zcopy_pool_register r;
		__u64 future[2];
	} big = { .r.size = sizeof(big), .future[1] = 1 };

	ASSERT_NE(NULL, p);
	big.r.addr = (uintptr_t)p;
	big.r.len = ZU_PAGE;
	EXPECT_EQ(-E2BIG, reg_raw(self->dev, &big.r));
}

TEST_F(pool, arg_unmapped)
{
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_POOL_REGISTER, NULL));
	EXPECT_EQ(EFAULT, errno);
}

/* The id is an output: the kernel writes it back, so it must be writable. */
TEST_F(pool, arg_read_only)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_register *r;

	ASSERT_NE(NULL, p);
	r = mmap(NULL, ZU_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	r->size = sizeof(*r);
	r->addr = (uintptr_t)p;
	r->len = ZU_PAGE;
	ASSERT_EQ(0, mprotect(r, ZU_PAGE, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_POOL_REGISTER, r));
	EXPECT_EQ(EFAULT, errno);
	munmap(r, ZU_PAGE);
}

/* max_pools per open file, then EMFILE; freeing one makes room again. */
TEST_F(pool, max_pools)
{
	unsigned int max = self->q.max_pools, i;
	unsigned char *p = pool_map(self, (max + 1) * ZU_PAGE, false);
	__u32 *ids = calloc(max + 1, sizeof(*ids));
	int dev2;

	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, ids);
	ASSERT_LT(0, max);
	for (i = 0; i < max; i++) {
		ASSERT_EQ(0, zu_pool_reg(self->dev, p + i * ZU_PAGE, ZU_PAGE,
					 &ids[i])) TH_LOG("pool %u", i);
	}
	EXPECT_EQ(-EMFILE, zu_pool_reg(self->dev, p + max * ZU_PAGE, ZU_PAGE,
				       NULL));
	/* The limit is per open file. */
	dev2 = zu_dev_open_raw(0);
	ASSERT_LE(0, dev2);
	EXPECT_EQ(0, zu_pool_reg(dev2, p + max * ZU_PAGE, ZU_PAGE, NULL));
	close(dev2);

	ASSERT_EQ(0, zu_pool_unreg(self->dev, ids[max / 2]));
	EXPECT_EQ(0, zu_pool_reg(self->dev, p + max * ZU_PAGE, ZU_PAGE,
				 &ids[max / 2]));
	EXPECT_EQ(-EMFILE, zu_pool_reg(self->dev, p, ZU_PAGE, NULL));
	for (i = 0; i < max; i++) {
		EXPECT_EQ(0, zu_pool_unreg(self->dev, ids[i]));
	}
	free(ids);
}

TEST_F(pool, unregister_unknown_id)
{
	EXPECT_EQ(-ENOENT, zu_pool_unreg(self->dev, 12345));
}

TEST_F(pool, unregister_id_zero)
{
	EXPECT_EQ(-ENOENT, zu_pool_unreg(self->dev, 0));
}

TEST_F(pool, unregister_twice)
{
	void *p = pool_map(self, ZU_PAGE, false);
	__u32 id = 0;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, ZU_PAGE, &id));
	ASSERT_EQ(0, zu_pool_unreg(self->dev, id));
	EXPECT_EQ(-ENOENT, zu_pool_unreg(self->dev, id));
}

/* Another open file's pool is invisible here, and stays registered there. */
TEST_F(pool, unregister_other_files_id)
{
	void *p = pool_map(self, ZU_PAGE, false);
	int dev2 = zu_dev_open_raw(0);
	__u32 id = 0;

	ASSERT_NE(NULL, p);
	ASSERT_LE(0, dev2);
	ASSERT_EQ(0, zu_pool_reg(dev2, p, ZU_PAGE, &id));
	EXPECT_EQ(-ENOENT, zu_pool_unreg(self->dev, id));
	EXPECT_EQ(0, zu_pool_unreg(dev2, id));
	close(dev2);
}

TEST_F(pool, unregister_flags_nonzero)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_unregister u = { .size = sizeof(u), .flags = 1 };

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, ZU_PAGE, &u.pool_id));
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_POOL_UNREGISTER, &u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, u.pool_id));
}

TEST_F(pool, unregister_reserved_nonzero)
{
	void *p = pool_map(self, ZU_PAGE, false);
	struct zcopy_pool_unregister u = { .size = sizeof(u), .__reserved = 1 };

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, ZU_PAGE, &u.pool_id));
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_POOL_UNREGISTER, &u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, u.pool_id));
}

/* ------------------------------------------------------ RLIMIT_MEMLOCK */

struct memlock_result {
	int stage;		/* how far the child got */
	int n_ok;		/* pools registered before the refusal */
	int first_err;		/* errno of the refusal */
	int n_again;		/* after unregistering all */
	int n_after_close;	/* on a second file, after closing the first */
	int big_err;		/* a single pool over the limit */
	int retries;		/* ENOBUFS retries while uncharging caught up */
	char msg[256];
};

#define ML_LIMIT_PAGES 64
#define ML_POOL_PAGES 4
#define ML_MAX_POOLS 40

/* Register pool i, retrying for up to 5 s while ENOBUFS (deferred uncharge). */
static int ml_reg_retry(int dev, unsigned char *buf, int i, __u32 *id,
			int *retries)
{
	uint64_t t0 = zu_now_ns();
	int r;

	for (;;) {
		r = zu_pool_reg(dev, buf + (size_t)i * ML_POOL_PAGES * ZU_PAGE,
				ML_POOL_PAGES * ZU_PAGE, id);
		if (r != -ENOBUFS || zu_ms_since(t0) > 5000)
			return r;
		(*retries)++;
		zu_sleep_ms(50);
	}
}

static void memlock_child(int dev_a, int dev_b, struct memlock_result *res)
{
	struct rlimit rl = {
		ML_LIMIT_PAGES * ZU_PAGE, ML_LIMIT_PAGES * ZU_PAGE
	};
	size_t buflen = (size_t)ML_MAX_POOLS * ML_POOL_PAGES * ZU_PAGE;
	__u32 ids[ML_MAX_POOLS];
	unsigned char *buf;
	int i, r;

	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534)) {
		snprintf(res->msg, sizeof(res->msg), "drop privileges: %s",
			 strerror(errno));
		return;
	}
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		snprintf(res->msg, sizeof(res->msg), "setrlimit: %s",
			 strerror(errno));
		return;
	}
	buf = mmap(NULL, 2 * buflen, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		snprintf(res->msg, sizeof(res->msg), "mmap: %s",
			 strerror(errno));
		return;
	}
	memset(buf, 1, 2 * buflen);
	res->stage = 1;

	/* Until the limit refuses. */
	for (i = 0; i < ML_MAX_POOLS; i++) {
		r = zu_pool_reg(dev_a, buf + (size_t)i * ML_POOL_PAGES * ZU_PAGE,
				ML_POOL_PAGES * ZU_PAGE, &ids[i]);
		if (r) {
			res->first_err = -r;
			break;
		}
	}
	res->n_ok = i;
	if (!res->first_err) {
		snprintf(res->msg, sizeof(res->msg),
			 "%d pools of %d pages registered under a %d page limit",
			 i, ML_POOL_PAGES, ML_LIMIT_PAGES);
		return;
	}
	res->stage = 2;

	/* Unregistering gives the charge back. */
	for (i = 0; i < res->n_ok; i++)
		zu_pool_unreg(dev_a, ids[i]);
	for (i = 0; i < res->n_ok; i++) {
		if (ml_reg_retry(dev_a, buf, i, &ids[i], &res->retries))
			break;
	}
	res->n_again = i;
	res->stage = 3;

	/* Closing the file gives it back too (no unregister). */
	close(dev_a);
	for (i = 0; i < res->n_ok; i++) {
		if (ml_reg_retry(dev_b, buf, i, &ids[i], &res->retries))
			break;
	}
	res->n_after_close = i;
	while (i-- > 0)
		zu_pool_unreg(dev_b, ids[i]);
	res->stage = 4;

	/* One pool larger than the whole limit. */
	r = zu_pool_reg(dev_b, buf, (size_t)2 * ML_LIMIT_PAGES * ZU_PAGE, &ids[0]);
	res->big_err = -r;
	if (!r)
		zu_pool_unreg(dev_b, ids[0]);
	close(dev_b);
	res->stage = 5;
}

TEST_F_TIMEOUT(pool, memlock_limit_unprivileged, 60)
{
	struct memlock_result *res;
	int dev_a, dev_b, status;
	pid_t pid;

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res, 0, sizeof(*res));
	/* Opened as root; only the child keeps them. */
	dev_a = zu_dev_open_raw(0);
	dev_b = zu_dev_open_raw(0);
	ASSERT_LE(0, dev_a);
	ASSERT_LE(0, dev_b);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		memlock_child(dev_a, dev_b, res);
		_exit(0);
	}
	close(dev_a);
	close(dev_b);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	if (res->msg[0])
		TH_LOG("child: %s", res->msg);
	TH_LOG("limit %d pages, pools of %d pages: %d registered, then %s; again %d, after close %d, single pool over limit: %s, retries %d",
	       ML_LIMIT_PAGES, ML_POOL_PAGES, res->n_ok,
	       strerror(res->first_err), res->n_again, res->n_after_close,
	       strerror(res->big_err), res->retries);
	ASSERT_LE(2, res->stage);
	EXPECT_EQ(ENOBUFS, res->first_err);
	/* Each pool costs at least its pages and at most two more. */
	EXPECT_GE(ML_LIMIT_PAGES / ML_POOL_PAGES, res->n_ok);
	EXPECT_LT(ML_LIMIT_PAGES, (res->n_ok + 1) * (ML_POOL_PAGES + 2));
	ASSERT_EQ(5, res->stage);
	EXPECT_EQ(res->n_ok, res->n_again);
	EXPECT_EQ(res->n_ok, res->n_after_close);
	EXPECT_EQ(ENOBUFS, res->big_err);
	munmap(res, sizeof(*res));
}

/* --------------------------------------------------------- hugetlbfs */

FIXTURE(huge)
{
	int dev;
	struct zcopy_query q;
	long old_nr;
	bool changed;
};

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n = zu_read_file(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

#define NR_HUGE "/proc/sys/vm/nr_hugepages"
#define FREE_HUGE "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"

FIXTURE_SETUP(huge)
{
	char v[32];

	self->changed = false;
	ZU_DEV_OPEN(self->dev, self->q, ZCOPY_FEATURE_POOLS);
	self->old_nr = read_long(NR_HUGE);
	if (self->old_nr < 0)
		SKIP(return, "%s not readable", NR_HUGE);
	if (read_long(FREE_HUGE) < 2) {
		snprintf(v, sizeof(v), "%ld", self->old_nr + 2);
		if (zu_write_file(NR_HUGE, v))
			SKIP(return, "cannot write %s", NR_HUGE);
		self->changed = true;
	}
	if (read_long(FREE_HUGE) < 2)
		SKIP(return, "could not reserve 2 huge pages of 2 MiB");
}

FIXTURE_TEARDOWN(huge)
{
	char v[32];

	if (self->dev >= 0)
		close(self->dev);
	if (self->changed) {
		snprintf(v, sizeof(v), "%ld", self->old_nr);
		zu_write_file(NR_HUGE, v);
	}
}

TEST_F(huge, anon_hugetlb)
{
	unsigned char *p = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
				-1, 0);
	__u32 id = 0, id2 = 0;

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x33, HUGE_SZ);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, HUGE_SZ, &id));
	/* Part of a huge page. */
	ASSERT_EQ(0, zu_pool_reg(self->dev, p + 16 * ZU_PAGE, 3 * ZU_PAGE,
				 &id2));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id2));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, HUGE_SZ);
}

TEST_F(huge, memfd_hugetlb)
{
	int mfd = memfd_create("zcopy-huge", MFD_CLOEXEC | MFD_HUGETLB);
	unsigned char *p;
	__u32 id = 0;

	if (mfd < 0)
		SKIP(return, "memfd_create(MFD_HUGETLB): %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(mfd, HUGE_SZ));
	p = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 0x44, HUGE_SZ);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, HUGE_SZ, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	munmap(p, HUGE_SZ);
	close(mfd);
}

/* A huge page pool sends its bytes, including across the huge page. */
TEST_F(huge, hugetlb_pool_sends_right_data)
{
	unsigned char *p = mmap(NULL, HUGE_SZ, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
				-1, 0);
	struct zcopy_seg segs[2];
	unsigned char *expect;
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zu_rx rx;
	size_t a = 4097, alen = 70001, b = HUGE_SZ - 5000, blen = 5000;
	int snd, rcv;
	__u32 id = 0;

	if (!(self->q.features & ZCOPY_FEATURE_SEND))
		SKIP(return, "module lacks ZCOPY_FEATURE_SEND");
	ASSERT_NE(MAP_FAILED, p);
	zu_fill(p, HUGE_SZ, zu_seed(_metadata->name));
	expect = malloc(alen + blen);
	ASSERT_NE(NULL, expect);
	memcpy(expect, p + a, alen);
	memcpy(expect + alen, p + b, blen);
	ASSERT_EQ(0, zu_pool_reg(self->dev, p, HUGE_SZ, &id));
	segs[0] = zu_seg_pool(id, a, alen);
	segs[1] = zu_seg_pool(id, b, blen);
	ASSERT_EQ(0, zu_tcp_pair(&snd, &rcv));
	ASSERT_EQ(0, zu_rx_start(&rx, rcv, expect, alen + blen, alen + blen));
	EXPECT_EQ(0, zu_send(self->dev, snd, segs, 2, NULL, 7, 0, &s));
	zu_rx_join(&rx);
	EXPECT_EQ(alen + blen, s.bytes_sent);
	EXPECT_TRUE(zu_rx_ok(&rx, alen + blen));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
	close(snd);
	close(rcv);
	free(expect);
	munmap(p, HUGE_SZ);
}

/* ------------------------------------------------- ext4 on a loop device */

FIXTURE(ext4)
{
	int dev;
	struct zcopy_query q;
	struct zu_ext4 fs;
	int fd;
	void *map;
	size_t len;
};

FIXTURE_SETUP(ext4)
{
	char why[256];
	int r;

	self->fd = -1;
	self->map = NULL;
	self->len = 16 * ZU_PAGE;
	memset(&self->fs, 0, sizeof(self->fs));
	ZU_DEV_OPEN(self->dev, self->q, ZCOPY_FEATURE_POOLS);
	r = zu_ext4_mount(&self->fs, why, sizeof(why));
	if (r == KSFT_SKIP)
		SKIP(return, "ext4 on a loop device: %s", why);
	ASSERT_EQ(0, r);
	self->fd = zu_disk_file(self->fs.dir, "pool", NULL, 0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, self->len));
}

FIXTURE_TEARDOWN(ext4)
{
	if (self->map)
		munmap(self->map, self->len);
	if (self->fd >= 0)
		close(self->fd);
	zu_ext4_umount(&self->fs);
	if (self->dev >= 0)
		close(self->dev);
}

/* ext4 tracks dirty pages of shared mappings: no long-term pin. */
TEST_F(ext4, map_shared_refused)
{
	self->map = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	memset(self->map, 1, self->len);
	EXPECT_EQ(-EOPNOTSUPP, zu_pool_reg(self->dev, self->map, self->len,
					   NULL));
}

/* Shared ext4 pages in the middle of an otherwise anonymous range. */
TEST_F(ext4, map_shared_in_the_middle_refused)
{
	size_t len = 3 * self->len;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	memset(p, 2, len);
	ASSERT_NE(MAP_FAILED, mmap(p + self->len, self->len,
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_FIXED, self->fd, 0));
	EXPECT_EQ(-EOPNOTSUPP, zu_pool_reg(self->dev, p, len, NULL));
	munmap(p, len);
}

/* A private mapping of the same file is anonymous memory once written. */
TEST_F(ext4, map_private_works)
{
	__u32 id = 0;

	self->map = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	ASSERT_EQ(0, zu_pool_reg(self->dev, self->map, self->len, &id));
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
}

TEST_HARNESS_MAIN
