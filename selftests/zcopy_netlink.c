// SPDX-License-Identifier: GPL-2.0
/*
 * The "zcopy" generic netlink family: it resolves, answers INFO_GET, and
 * rejects what it does not know with the right errno and an extack message.
 */

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "zcopy_test.h"
#include "kselftest_harness.h"

FIXTURE(nl)
{
	struct zt_nl nl;
	char buf[1024];
};

FIXTURE_SETUP(nl)
{
	int ret = zt_nl_open(&self->nl, ZCOPY_GENL_NAME);

	if (ret == -ENOENT)
		SKIP(return, "family %s not registered: zcopy.ko not loaded",
		     ZCOPY_GENL_NAME);
	ASSERT_EQ(0, ret);
}

FIXTURE_TEARDOWN(nl)
{
	if (self->nl.fd >= 0)
		close(self->nl.fd);
}

TEST_F(nl, family_resolves)
{
	/* Dynamic family ids start above the fixed ones. */
	EXPECT_LT(GENL_ID_PMCRAID, self->nl.family);
}

TEST_F(nl, info_get)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	__u64 feat;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_INFO_GET,
			  ZCOPY_GENL_VERSION);
	ASSERT_EQ(0, zt_nl_transact(&self->nl, nlh));

	a = zt_nl_reply_attr(&self->nl, ZCOPY_A_INFO_ABI);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(ZCOPY_ABI_VERSION, *(__u32 *)zt_nla_data(a));

	a = zt_nl_reply_attr(&self->nl, ZCOPY_A_INFO_VERSION);
	ASSERT_NE(NULL, a);
	EXPECT_LT(1, a->nla_len - NLA_HDRLEN);
	EXPECT_EQ(0, ((char *)zt_nla_data(a))[a->nla_len - NLA_HDRLEN - 1]);

	a = zt_nl_reply_attr(&self->nl, ZCOPY_A_INFO_FEATURES);
	ASSERT_NE(NULL, a);
	memcpy(&feat, zt_nla_data(a), sizeof(feat));
	EXPECT_EQ(0, feat & ~(__u64)ZCOPY_FEATURE_ALL);
}

/* INFO_GET takes no attributes: strict validation rejects any. */
TEST_F(nl, info_get_unknown_attr)
{
	struct nlmsghdr *nlh;
	__u32 v = 1;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_INFO_GET,
			  ZCOPY_GENL_VERSION);
	zt_nla_put(nlh, ZCOPY_A_INFO_ABI, &v, sizeof(v));
	EXPECT_EQ(-EINVAL, zt_nl_transact(&self->nl, nlh));
	EXPECT_NE(0, self->nl.extack[0]);
	TH_LOG("extack: %s", self->nl.extack);
}

TEST_F(nl, unknown_command)
{
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_MAX + 1,
			  ZCOPY_GENL_VERSION);
	EXPECT_EQ(-EOPNOTSUPP, zt_nl_transact(&self->nl, nlh));
}

/* Reserved genl header bytes must be zero (resv_start_op = 0). */
TEST_F(nl, reserved_header_rejected)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *gh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_INFO_GET,
			  ZCOPY_GENL_VERSION);
	gh = NLMSG_DATA(nlh);
	gh->reserved = 1;
	EXPECT_EQ(-EINVAL, zt_nl_transact(&self->nl, nlh));
}

static int stats_get(struct __test_metadata *_metadata, struct zt_nl *nl,
		     char *buf, __u64 *v)
{
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int i, ret;

	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_STATS_GET,
			  ZCOPY_GENL_VERSION);
	ret = zt_nl_transact(nl, nlh);
	if (ret)
		return ret;
	for (i = ZCOPY_A_STATS_TRANSFERS; i <= ZCOPY_A_STATS_MAX; i++) {
		a = zt_nl_reply_attr(nl, i);
		EXPECT_NE(NULL, a) TH_LOG("stats attribute %d missing", i);
		if (!a)
			return -ENOENT;
		EXPECT_EQ(sizeof(__u64), a->nla_len - NLA_HDRLEN);
		memcpy(&v[i], zt_nla_data(a), sizeof(__u64));
	}
	return 0;
}

/* The pinned-page gauge follows a pool's registration and release. */
TEST_F(nl, stats_track_pools)
{
	__u64 before[ZCOPY_A_STATS_MAX + 1], during[ZCOPY_A_STATS_MAX + 1];
	__u64 after[ZCOPY_A_STATS_MAX + 1];
	long page = sysconf(_SC_PAGESIZE);
	size_t len = 16 * page;
	struct zcopy_pool_register r = { .size = sizeof(r) };
	struct zcopy_query q = { .size = sizeof(q) };
	void *buf;
	int fd;

	fd = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, ZCOPY_IOC_QUERY, &q));
	if (!(q.features & ZCOPY_FEATURE_POOLS))
		SKIP(close(fd); return, "module without pools");
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	r.addr = (unsigned long)buf;
	r.len = len;

	ASSERT_EQ(0, stats_get(_metadata, &self->nl, self->buf, before));
	ASSERT_EQ(0, ioctl(fd, ZCOPY_IOC_POOL_REGISTER, &r));
	ASSERT_EQ(0, stats_get(_metadata, &self->nl, self->buf, during));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, stats_get(_metadata, &self->nl, self->buf, after));

	/* Other tests run before or after, never alongside this one. */
	EXPECT_EQ(before[ZCOPY_A_STATS_PINNED_PAGES] + 16,
		  during[ZCOPY_A_STATS_PINNED_PAGES]);
	EXPECT_EQ(before[ZCOPY_A_STATS_POOLS] + 1,
		  during[ZCOPY_A_STATS_POOLS]);
	EXPECT_LE(during[ZCOPY_A_STATS_PINNED_PAGES],
		  during[ZCOPY_A_STATS_PINNED_PAGES_PEAK]);
	EXPECT_EQ(before[ZCOPY_A_STATS_POOLS_REGISTERED] + 1,
		  during[ZCOPY_A_STATS_POOLS_REGISTERED]);
	/* Closing the file releases its pools. */
	EXPECT_EQ(before[ZCOPY_A_STATS_PINNED_PAGES],
		  after[ZCOPY_A_STATS_PINNED_PAGES]);
	EXPECT_EQ(before[ZCOPY_A_STATS_POOLS], after[ZCOPY_A_STATS_POOLS]);
	EXPECT_EQ(before[ZCOPY_A_STATS_POOLS_RELEASED] + 1,
		  after[ZCOPY_A_STATS_POOLS_RELEASED]);
	munmap(buf, len);
}

TEST_HARNESS_MAIN
