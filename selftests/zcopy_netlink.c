// SPDX-License-Identifier: GPL-2.0
/*
 * The "zcopy" generic netlink family: it resolves, answers INFO_GET, and
 * rejects what it does not know with the right errno and an extack message.
 */

#include <stdlib.h>

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

TEST_HARNESS_MAIN
