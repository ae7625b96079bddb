// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/zcopy: the node, opening it, and the ioctl argument conventions
 * (extensible structs, flags, reserved fields, unknown numbers), each
 * rejection in its own test with its exact errno.
 */

#include <fcntl.h>
#include <string.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "zcopy_test.h"
#include "kselftest_harness.h"

#define MISC_MAJOR 10

/* One layout for 32- and 64-bit callers: this file is built as both. */
_Static_assert(sizeof(struct zcopy_query) == 64, "zcopy_query");
_Static_assert(sizeof(struct zcopy_pool_register) == 32, "pool_register");
_Static_assert(sizeof(struct zcopy_pool_unregister) == 16, "unregister");
_Static_assert(sizeof(struct zcopy_seg) == 32, "zcopy_seg");
_Static_assert(sizeof(struct zcopy_seg_result) == 24, "zcopy_seg_result");
_Static_assert(sizeof(struct zcopy_send) == 72, "zcopy_send");
_Static_assert(sizeof(struct zcopy_completion) == 56, "zcopy_completion");

TEST(device_node)
{
	struct stat st;

	if (stat(ZCOPY_DEV_PATH, &st) && errno == ENOENT)
		SKIP(return, ZCOPY_DEV_PATH " missing: zcopy.ko not loaded");
	ASSERT_EQ(0, stat(ZCOPY_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(MISC_MAJOR, major(st.st_rdev));
	/* Root only unless the administrator says otherwise. */
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

FIXTURE(dev)
{
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (self->fd < 0 && errno == ENOENT)
		SKIP(return, ZCOPY_DEV_PATH " missing: zcopy.ko not loaded");
	if (self->fd < 0 && errno == EACCES)
		SKIP(return, "no permission to open " ZCOPY_DEV_PATH);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, open_many)
{
	int fds[16], i;

	for (i = 0; i < 16; i++) {
		fds[i] = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, close(fds[i]));
}

TEST_F(dev, query)
{
	struct zcopy_query q = { .size = sizeof(q) };

	ASSERT_EQ(0, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(sizeof(q), q.size);
	EXPECT_EQ(ZCOPY_ABI_VERSION, q.abi_version);
	EXPECT_EQ(0, q.features & ~(__u64)ZCOPY_FEATURE_ALL);
}

TEST_F(dev, query_flags_rejected)
{
	struct zcopy_query q = { .size = sizeof(q), .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, query_reserved_rejected)
{
	struct zcopy_query q = { .size = sizeof(q), .__reserved = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, query_reserved2_rejected)
{
	struct zcopy_query q = { .size = sizeof(q), .__reserved2 = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
}

/* A caller built against the first header version (no limits). */
TEST_F(dev, query_first_version)
{
	struct zcopy_query q;

	memset(&q, 0xa5, sizeof(q));
	q.size = offsetof(struct zcopy_query, max_pools);
	q.flags = 0;
	q.__reserved = 0;
	ASSERT_EQ(0, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(ZCOPY_ABI_VERSION, q.abi_version);
	/* Nothing past what the caller knows is written. */
	EXPECT_EQ(0xa5a5a5a5, q.max_pools);
}

TEST_F(dev, query_limits)
{
	struct zcopy_query q = { .size = sizeof(q) };

	ASSERT_EQ(0, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_LT(0, q.max_pools);
	EXPECT_LT(0, q.max_segments);
	EXPECT_LT(0, q.max_pool_bytes);
	EXPECT_LT(0, q.max_send_bytes);
	EXPECT_LT(0, q.max_outstanding);
	EXPECT_EQ(sizeof(struct zcopy_completion), q.completion_size);
}

TEST_F(dev, query_size_too_small)
{
	struct zcopy_query q = {
		.size = offsetof(struct zcopy_query, features),
	};

	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(EINVAL, errno);
}

/* A caller built against a newer header: unknown tail must be zero. */
TEST_F(dev, query_larger_struct_zero_tail)
{
	struct {
		struct zcopy_query q;
		__u64 future[4];
	} big = { .q.size = sizeof(big) };

	ASSERT_EQ(0, ioctl(self->fd, ZCOPY_IOC_QUERY, &big));
	EXPECT_EQ(ZCOPY_ABI_VERSION, big.q.abi_version);
	/* The kernel writes back only what it knows. */
	EXPECT_EQ(0, big.future[0]);
}

TEST_F(dev, query_larger_struct_nonzero_tail)
{
	struct {
		struct zcopy_query q;
		__u64 future[4];
	} big = { .q.size = sizeof(big), .future[3] = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, query_size_over_page)
{
	long page = sysconf(_SC_PAGESIZE);
	struct zcopy_query *q;

	q = calloc(1, 2 * page);
	ASSERT_NE(NULL, q);
	q->size = page + 8;
	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, q));
	EXPECT_EQ(E2BIG, errno);
	free(q);
}

TEST_F(dev, query_unmapped_pointer)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	p = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, page));
	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, p));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, query_kernel_pointer)
{
	void *p = (void *)0xffffffff81000000UL;

	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, p));
	EXPECT_EQ(EFAULT, errno);
}

/* Read-only memory: the query reads fine but cannot write the answer. */
TEST_F(dev, query_readonly_struct)
{
	long page = sysconf(_SC_PAGESIZE);
	struct zcopy_query *q;

	q = mmap(NULL, page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, q);
	q->size = sizeof(*q);
	ASSERT_EQ(0, mprotect(q, page, PROT_READ));
	EXPECT_EQ(-1, ioctl(self->fd, ZCOPY_IOC_QUERY, q));
	EXPECT_EQ(EFAULT, errno);
	munmap(q, page);
}

TEST_F(dev, unknown_ioctl_number)
{
	struct zcopy_query q = { .size = sizeof(q) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_LAST),
			    &q));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(ZCOPY_IOC_MAGIC,
					  ZCOPY_IOC_BASE - 1), &q));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, wrong_ioctl_magic)
{
	struct zcopy_query q = { .size = sizeof(q) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO('y', ZCOPY_IOC_NR_QUERY), &q));
	EXPECT_EQ(ENOTTY, errno);
}

/* The size lives in the struct; encoding one in the number is refused. */
TEST_F(dev, ioctl_with_encoded_size)
{
	struct zcopy_query q = { .size = sizeof(q) };

	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(ZCOPY_IOC_MAGIC,
					    ZCOPY_IOC_NR_QUERY,
					    struct zcopy_query), &q));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_HARNESS_MAIN
