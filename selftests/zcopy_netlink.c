// SPDX-License-Identifier: GPL-2.0
/*
 * The "zcopy" generic netlink family: it resolves, answers INFO_GET, and
 * rejects what it does not know with the right errno and an extack message.
 */

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

/* The most pools per open file these tests expect (ZCOPY_IOC_QUERY). */
#define ZT_MAX_POOLS 64

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

/* Run @fn as uid/gid 65534 in a child; returns what it returned. */
static int as_nobody(int (*fn)(void *arg), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(200);
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int count_msgs(struct nlmsghdr *h, void *arg)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

/*
 * In a fresh socket: a do request of command *arg, returning the errno
 * (positive) or 0; or for ZCOPY_CMD_POOL_GET the number of pools seen.
 */
static int nobody_request(void *arg)
{
	int cmd = *(int *)arg, n = 0;
	struct nlmsghdr *nlh;
	struct zt_nl nl;
	char buf[256];

	if (zt_nl_open(&nl, ZCOPY_GENL_NAME))
		return 201;
	nlh = zt_genl_msg(buf, nl.family, cmd, ZCOPY_GENL_VERSION);
	if (cmd == ZCOPY_CMD_POOL_GET)
		return zt_nl_dump(&nl, nlh, count_msgs, &n) ? 202 : n;
	return -zt_nl_transact(&nl, nlh);
}

/* Joining the events group, in a fresh socket: the errno or 0. */
static int nobody_join_events(void *arg)
{
	struct zt_nl nl;

	(void)arg;
	if (zt_nl_open(&nl, ZCOPY_GENL_NAME) || !nl.events_group)
		return 201;
	if (setsockopt(nl.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &nl.events_group, sizeof(nl.events_group)))
		return errno;
	return 0;
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

TEST_F(nl, stats_reset)
{
	__u64 v[ZCOPY_A_STATS_MAX + 1];
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_STATS_RESET,
			  ZCOPY_GENL_VERSION);
	ASSERT_EQ(0, zt_nl_transact(&self->nl, nlh));
	ASSERT_EQ(0, stats_get(_metadata, &self->nl, self->buf, v));
	EXPECT_EQ(0, v[ZCOPY_A_STATS_TRANSFERS]);
	EXPECT_EQ(0, v[ZCOPY_A_STATS_POOLS_REGISTERED]);
	EXPECT_EQ(v[ZCOPY_A_STATS_PINNED_PAGES],
		  v[ZCOPY_A_STATS_PINNED_PAGES_PEAK]);
}

TEST_F(nl, stats_reset_unprivileged)
{
	int cmd = ZCOPY_CMD_STATS_RESET;

	EXPECT_EQ(EPERM, as_nobody(nobody_request, &cmd));
}

TEST_F(nl, stats_get_unprivileged)
{
	int cmd = ZCOPY_CMD_STATS_GET;

	EXPECT_EQ(0, as_nobody(nobody_request, &cmd));
}

TEST_F(nl, events_unprivileged)
{
	ASSERT_NE(0, self->nl.events_group);
	EXPECT_EQ(EPERM, as_nobody(nobody_join_events, NULL));
}

/* A /dev/zcopy file with one 16-page pool, for the tests below. */
FIXTURE(xfer)
{
	struct zt_nl nl;
	char buf[2048];
	int dev, cli, srv, file;
	__u32 pool;
	unsigned char *mem;
	size_t len;
	__u64 features;		/* ZCOPY_IOC_QUERY's */
};

FIXTURE_SETUP(xfer)
{
	struct zcopy_pool_register r = { .size = sizeof(r) };
	struct zcopy_query q = { .size = sizeof(q) };
	char path[] = "/tmp/zcopy-nl-XXXXXX";
	size_t i;
	int ret;

	self->dev = self->cli = self->srv = self->file = -1;
	self->mem = NULL;
	ret = zt_nl_open(&self->nl, ZCOPY_GENL_NAME);
	if (ret == -ENOENT)
		SKIP(return, "zcopy.ko not loaded");
	ASSERT_EQ(0, ret);
	self->dev = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_QUERY, &q));
	self->features = q.features;
	if (!(q.features & ZCOPY_FEATURE_SEND))
		SKIP(return, "module without sends");

	self->len = 16 * sysconf(_SC_PAGESIZE);
	self->mem = mmap(NULL, self->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	for (i = 0; i < self->len; i++)
		self->mem[i] = i * 31 + 7;
	r.addr = (unsigned long)self->mem;
	r.len = self->len;
	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_POOL_REGISTER, &r));
	self->pool = r.pool_id;

	self->file = mkstemp(path);
	ASSERT_LE(0, self->file);
	unlink(path);
	ASSERT_EQ((ssize_t)self->len, write(self->file, self->mem + 1,
					    self->len));
	ASSERT_EQ(0, zu_tcp_pair(&self->cli, &self->srv));
}

FIXTURE_TEARDOWN(xfer)
{
	if (self->cli >= 0)
		close(self->cli);
	if (self->srv >= 0)
		close(self->srv);
	if (self->file >= 0)
		close(self->file);
	if (self->dev >= 0)
		close(self->dev);
	if (self->mem)
		munmap(self->mem, self->len);
	if (self->nl.fd >= 0)
		close(self->nl.fd);
}

static struct nlmsghdr *xfer_msg(FIXTURE_DATA(xfer) *self)
{
	return zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_XFER_START,
			   ZCOPY_GENL_VERSION);
}

static int recv_all(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, buf + got, len - got, 0);
		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

/* Read one completion from @dev, waiting up to 10 s. */
static int read_completion(int dev, struct zcopy_completion *c)
{
	struct pollfd p = { .fd = dev, .events = POLLIN };

	if (poll(&p, 1, 10000) != 1)
		return -1;
	return read(dev, c, sizeof(*c)) == sizeof(*c) ? 0 : -1;
}

#define EXPECT_REJECT(err)						\
	do {								\
		EXPECT_EQ(-(err), zt_nl_transact(&self->nl, nlh));	\
		EXPECT_NE(0, self->nl.extack[0]);			\
		TH_LOG("extack: %s", self->nl.extack);			\
	} while (0)

TEST_F(xfer, missing_sockfd)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	EXPECT_REJECT(EINVAL);
}

/* Policy ranges: the netlink core answers ERANGE. */
TEST_F(xfer, seg_bad_type)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, 3, self->file, 0, 10);
	EXPECT_REJECT(ERANGE);
}

TEST_F(xfer, seg_len_zero)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 0);
	EXPECT_REJECT(ERANGE);
}

TEST_F(xfer, seg_missing_len)
{
	struct nlmsghdr *nlh = xfer_msg(self);
	struct nlattr *nest;

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
	zt_nla_put_u32(nlh, ZCOPY_A_SEG_TYPE, ZCOPY_SEG_FILE);
	zt_nla_put_u32(nlh, ZCOPY_A_SEG_ID, self->file);
	zt_nla_nest_end(nlh, nest);
	EXPECT_REJECT(EINVAL);
}

/* XFER_START of 10 bytes of the file, the segment with @attr = @val too. */
static struct nlmsghdr *xfer_seg_with(FIXTURE_DATA(xfer) *self, int attr,
				      __u32 val)
{
	struct nlmsghdr *nlh = xfer_msg(self);
	struct nlattr *nest;

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
	zt_nla_put_u32(nlh, ZCOPY_A_SEG_TYPE, ZCOPY_SEG_FILE);
	zt_nla_put_u32(nlh, ZCOPY_A_SEG_ID, self->file);
	zt_nla_put_u64(nlh, ZCOPY_A_SEG_LEN, 10);
	zt_nla_put_u32(nlh, attr, val);
	zt_nla_nest_end(nlh, nest);
	return nlh;
}

TEST_F(xfer, seg_unknown_attr)
{
	struct nlmsghdr *nlh = xfer_seg_with(self, ZCOPY_A_SEG_MAX + 1, 1);

	EXPECT_REJECT(EINVAL);
}

/* Segment flags beyond ZCOPY_SEG_MASK: the policy's mask refuses them. */
TEST_F(xfer, seg_flags_unknown)
{
	struct nlmsghdr *nlh = xfer_seg_with(self, ZCOPY_A_SEG_FLAGS,
					     ZCOPY_SEG_MASK + 1);

	EXPECT_REJECT(EINVAL);
}

/* The send path's own refusal, said at the segment. */
TEST_F(xfer, seg_drop_behind_without_file_notify)
{
	struct nlmsghdr *nlh = xfer_seg_with(self, ZCOPY_A_SEG_FLAGS,
					     ZCOPY_SEG_DROP_BEHIND);

	EXPECT_EQ(-EINVAL, zt_nl_transact(&self->nl, nlh));
	EXPECT_STREQ("drop-behind needs ZCOPY_SEND_FILE_NOTIFY",
		     self->nl.extack);
}

/* A u32 attribute sent as 8 bytes: strict validation wants exact sizes. */
TEST_F(xfer, oversized_u32)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u64(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	EXPECT_REJECT(EINVAL);
}

/* Reply-only attributes are not part of the request policy. */
TEST_F(xfer, reply_attr_in_request)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_nla_put_u64(nlh, ZCOPY_A_XFER_BYTES_SENT, 1);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	EXPECT_REJECT(EINVAL);
}

/*
 * The send path says what is wrong with which segment: the extack names
 * the fault and points at the segment's nest (NLMSGERR_ATTR_OFFS).
 */
TEST_F(xfer, bad_segment_is_pointed_at)
{
	struct nlmsghdr *nlh = xfer_msg(self);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int off;

	ASSERT_LE(0, dir);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	off = NLMSG_ALIGN(nlh->nlmsg_len);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, dir, 0, 10);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	EXPECT_EQ(-EISDIR, zt_nl_transact(&self->nl, nlh));
	EXPECT_STREQ("a file segment is a directory", self->nl.extack);
	EXPECT_EQ(off, self->nl.bad_off);
	close(dir);
}

TEST_F(xfer, devfd_not_zcopy)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_DEVFD, self->file);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	EXPECT_REJECT(EINVAL);
}

TEST_F(xfer, devfd_not_open)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_DEVFD, 1000000);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	EXPECT_REJECT(EBADF);
}

TEST_F(xfer, pool_without_devfd)
{
	struct nlmsghdr *nlh = xfer_msg(self);

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_POOL, self->pool, 0, 10);
	EXPECT_REJECT(ENOENT);
}

static int nobody_xfer(void *arg)
{
	FIXTURE_DATA(xfer) *self = arg;
	struct nlmsghdr *nlh;
	struct zt_nl nl;

	if (zt_nl_open(&nl, ZCOPY_GENL_NAME))
		return 201;
	self->nl = nl;
	nlh = xfer_msg(self);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 0, 10);
	return -zt_nl_transact(&nl, nlh);
}

TEST_F(xfer, unprivileged)
{
	EXPECT_EQ(EPERM, as_nobody(nobody_xfer, self));
}

/* ---- ROUTE_PROBE: the ioctl's answer, and its rejections ---- */

static struct nlmsghdr *probe_msg(FIXTURE_DATA(xfer) *self, int sockfd)
{
	struct nlmsghdr *nlh = zt_genl_msg(self->buf, self->nl.family,
					   ZCOPY_CMD_ROUTE_PROBE,
					   ZCOPY_GENL_VERSION);

	if (sockfd != -2)
		zt_nla_put_u32(nlh, ZCOPY_A_PROBE_SOCKFD, sockfd);
	return nlh;
}

static __u32 probe_u32(struct __test_metadata *_metadata, struct zt_nl *nl,
		       int type)
{
	struct nlattr *a = zt_nl_reply_attr(nl, type);

	EXPECT_NE(NULL, a) TH_LOG("reply attribute %d missing", type);
	return a ? zt_nla_u32(a) : ~0u;
}

TEST_F(xfer, route_probe_matches_ioctl)
{
	struct zcopy_probe p;
	struct nlattr *a;
	int r;

	r = zu_probe(self->dev, self->cli, &p);
	if (r == -ENOTTY)
		SKIP(return, "the module has no route-probe");
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, zt_nl_transact(&self->nl, probe_msg(self, self->cli)));
	EXPECT_EQ(p.pool_reason,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_POOL_REASON));
	EXPECT_EQ(p.pool_seg_reason,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_POOL_SEG_REASON));
	EXPECT_EQ(p.small_reason,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_SMALL_REASON));
	EXPECT_EQ(p.file_reason,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_FILE_REASON));
	EXPECT_EQ(p.copy_threshold,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_COPY_THRESHOLD));
	EXPECT_EQ(p.route_flags,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_ROUTE_FLAGS));
	EXPECT_EQ((__u32)p.ifindex,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_IFINDEX));
	EXPECT_EQ(p.mtu, probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_MTU));
	EXPECT_EQ(p.gso_max_size,
		  probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_GSO_MAX_SIZE));
	EXPECT_EQ(p.mss, probe_u32(_metadata, &self->nl, ZCOPY_A_PROBE_MSS));
	a = zt_nl_reply_attr(&self->nl, ZCOPY_A_PROBE_IFNAME);
	ASSERT_NE(NULL, a);
	EXPECT_STREQ(p.ifname, (char *)zt_nla_data(a));
	EXPECT_STREQ("lo", p.ifname);
}

TEST_F(xfer, route_probe_missing_sockfd)
{
	EXPECT_EQ(-EINVAL, zt_nl_transact(&self->nl, probe_msg(self, -2)));
	EXPECT_NE(0, self->nl.extack[0]);
}

TEST_F(xfer, route_probe_bad_fd)
{
	EXPECT_EQ(-EBADF, zt_nl_transact(&self->nl, probe_msg(self, 9999)));
	EXPECT_NE(0, self->nl.extack[0]);
	TH_LOG("extack: %s", self->nl.extack);
}

TEST_F(xfer, route_probe_not_a_socket)
{
	EXPECT_EQ(-ENOTSOCK,
		  zt_nl_transact(&self->nl, probe_msg(self, self->file)));
	EXPECT_NE(0, self->nl.extack[0]);
	TH_LOG("extack: %s", self->nl.extack);
}

TEST_F(xfer, route_probe_not_tcp)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOPNOTSUPP, zt_nl_transact(&self->nl, probe_msg(self, fd)));
	EXPECT_NE(0, self->nl.extack[0]);
	close(fd);
}

TEST_F(xfer, route_probe_not_connected)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ENOTCONN, zt_nl_transact(&self->nl, probe_msg(self, fd)));
	EXPECT_NE(0, self->nl.extack[0]);
	close(fd);
}

/* Any user may probe their own socket. */
static int nobody_probe(void *arg)
{
	FIXTURE_DATA(xfer) *self = arg;
	struct zt_nl nl;

	if (zt_nl_open(&nl, ZCOPY_GENL_NAME))
		return 201;
	self->nl = nl;
	return -zt_nl_transact(&nl, probe_msg(self, self->cli));
}

TEST_F(xfer, route_probe_unprivileged)
{
	EXPECT_EQ(0, as_nobody(nobody_probe, self));
}

/* Without devfd the completion is only an event: none is queued. */
TEST_F(xfer, send_file_without_devfd)
{
	struct nlmsghdr *nlh = xfer_msg(self);
	struct zcopy_completion c;
	unsigned char got[1000];

	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, 7, sizeof(got));
	ASSERT_EQ(0, zt_nl_transact(&self->nl, nlh));
	ASSERT_EQ(0, recv_all(self->srv, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, self->mem + 8, sizeof(got)));
	EXPECT_EQ(-1, read_completion(self->dev, &c));
}

static int wait_event(int fd, int cmd, char *buf, size_t len)
{
	return zu_event_wait(fd, cmd, buf, len, 10000);
}

TEST_F(xfer, events)
{
	struct zcopy_pool_register r = { .size = sizeof(r) };
	struct zcopy_pool_unregister u = { .size = sizeof(u) };
	/* Longer than copy_threshold's default: sent by reference. */
	struct zcopy_seg seg = {
		.type = ZCOPY_SEG_POOL, .id = self->pool, .len = 4096,
	};
	struct zcopy_send s = {
		.size = sizeof(s), .sockfd = self->cli, .nr_segs = 1,
		.segs = (unsigned long)&seg, .cookie = 77,
	};
	char ev[4096];
	unsigned char got[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)ev;
	struct zt_nl mon;

	ASSERT_EQ(0, zt_nl_open(&mon, ZCOPY_GENL_NAME));
	ASSERT_NE(0, mon.events_group);
	ASSERT_EQ(0, setsockopt(mon.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&mon.events_group, sizeof(mon.events_group)));

	r.addr = (unsigned long)self->mem;
	r.len = 4096;
	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_POOL_REGISTER, &r));
	ASSERT_EQ(0, wait_event(mon.fd, ZCOPY_CMD_POOL_NEW, ev, sizeof(ev)));
	EXPECT_EQ(r.pool_id, zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_ID)));
	EXPECT_EQ(4096, zt_nla_u64(zt_genl_attr(h, ZCOPY_A_POOL_LEN)));
	EXPECT_EQ(getpid(), zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_PID)));

	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_SEND, &s));
	ASSERT_EQ(0, recv_all(self->srv, got, sizeof(got)));
	ASSERT_EQ(0, wait_event(mon.fd, ZCOPY_CMD_XFER_DONE, ev, sizeof(ev)));
	EXPECT_EQ(77, zt_nla_u64(zt_genl_attr(h, ZCOPY_A_XFER_COOKIE)));
	EXPECT_EQ(4096, zt_nla_u64(zt_genl_attr(h, ZCOPY_A_XFER_BYTES)));
	EXPECT_EQ(4096, zt_nla_u64(zt_genl_attr(h, ZCOPY_A_XFER_POOL_BYTES)));
	/* Over lo the receiver copies pool pages. */
	EXPECT_EQ(ZCOPY_REASON_LOCAL,
		  zt_nla_u32(zt_genl_attr(h, ZCOPY_A_XFER_REASON)));

	seg.id = 999999;
	s.cookie = 78;
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_SEND, &s));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, wait_event(mon.fd, ZCOPY_CMD_SEND_FAILED, ev,
				sizeof(ev)));
	EXPECT_EQ(78, zt_nla_u64(zt_genl_attr(h, ZCOPY_A_XFER_COOKIE)));
	EXPECT_EQ(-ENOENT,
		  (int)zt_nla_u32(zt_genl_attr(h, ZCOPY_A_XFER_ERROR)));

	u.pool_id = r.pool_id;
	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_POOL_UNREGISTER, &u));
	ASSERT_EQ(0, wait_event(mon.fd, ZCOPY_CMD_POOL_DEL, ev, sizeof(ev)));
	EXPECT_EQ(r.pool_id, zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_ID)));
	close(mon.fd);
}

struct pool_seen {
	__u32 id;
	pid_t pid;
	int found;
	__u64 len, pages;
	int registered;
};

static int find_pool(struct nlmsghdr *h, void *arg)
{
	struct pool_seen *p = arg;

	if (zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_ID)) != p->id ||
	    zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_PID)) != (__u32)p->pid)
		return 0;
	p->found++;
	p->len = zt_nla_u64(zt_genl_attr(h, ZCOPY_A_POOL_LEN));
	p->pages = zt_nla_u64(zt_genl_attr(h, ZCOPY_A_POOL_PAGES));
	p->registered = !!zt_genl_attr(h, ZCOPY_A_POOL_REGISTERED);
	return 0;
}

TEST_F(xfer, pool_dump)
{
	struct zcopy_pool_unregister u = {
		.size = sizeof(u), .pool_id = self->pool,
	};
	struct pool_seen p = { .id = self->pool, .pid = getpid() };
	int cmd = ZCOPY_CMD_POOL_GET;
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	ASSERT_EQ(0, zt_nl_dump(&self->nl, nlh, find_pool, &p));
	EXPECT_EQ(1, p.found);
	EXPECT_EQ(self->len, p.len);
	EXPECT_EQ(16, p.pages);
	EXPECT_EQ(1, p.registered);

	/* Another user sees none of root's pools. */
	EXPECT_EQ(0, as_nobody(nobody_request, &cmd));

	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_POOL_UNREGISTER, &u));
	p.found = 0;
	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	ASSERT_EQ(0, zt_nl_dump(&self->nl, nlh, find_pool, &p));
	EXPECT_EQ(0, p.found);
}

/*
 * Open files whose pools pool_dump_many adds: 6 x max_pools pools, about
 * 50 KiB of dump, more than one dump message holds (netlink allocates
 * them up to 32 KiB).
 */
#define DUMP_DEVS	6

/* Pools of this process, told apart by their length in pages. */
struct pools_seen {
	pid_t pid;
	long page;
	int count[DUMP_DEVS + 1][ZT_MAX_POOLS + 1];	/* [pages - 1][id] */
	int other;
};

static int count_pools(struct nlmsghdr *h, void *arg)
{
	struct pools_seen *p = arg;
	__u32 id = zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_ID));
	__u64 len = zt_nla_u64(zt_genl_attr(h, ZCOPY_A_POOL_LEN));
	__u64 pages = len / p->page;

	if (zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_PID)) != (__u32)p->pid)
		return 0;
	if (pages >= 1 && pages <= DUMP_DEVS + 1 && id <= ZT_MAX_POOLS &&
	    len % p->page == 0)
		p->count[pages - 1][id]++;
	else
		p->other++;
	return 0;
}

/*
 * A dump longer than one message buffer: every pool of seven open files
 * (max_pools on six of them) comes exactly once, across the parts.
 */
TEST_F(xfer, pool_dump_many)
{
	struct zcopy_query q = { .size = sizeof(q) };
	struct pools_seen *p = calloc(1, sizeof(*p));
	int dev[DUMP_DEVS], d, pages, i, n = 0;
	struct nlmsghdr *nlh;
	unsigned char *mem;
	size_t len;

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_QUERY, &q));
	ASSERT_GE(ZT_MAX_POOLS, q.max_pools);
	p->pid = getpid();
	p->page = sysconf(_SC_PAGESIZE);
	len = (size_t)q.max_pools * (DUMP_DEVS * (DUMP_DEVS + 1) / 2) *
	      p->page;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	memset(mem, 1, len);
	/* Open file d + 1 has pools of d + 1 pages (the fixture's: 16). */
	for (d = 0; d < DUMP_DEVS; d++) {
		dev[d] = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, dev[d]);
		pages = d + 1;
		for (i = 0; i < (int)q.max_pools; i++) {
			struct zcopy_pool_register r = {
				.size = sizeof(r),
				.addr = (unsigned long)mem + n * p->page,
				.len = pages * p->page,
			};

			ASSERT_EQ(0, ioctl(dev[d], ZCOPY_IOC_POOL_REGISTER, &r));
			n += pages;
		}
	}
	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	ASSERT_EQ(0, zt_nl_dump(&self->nl, nlh, count_pools, p));
	for (d = 0; d < DUMP_DEVS; d++) {
		for (i = 1; i <= (int)q.max_pools; i++)
			EXPECT_EQ(1, p->count[d][i])
				TH_LOG("pool %d of %d pages seen %d times", i,
				       d + 1, p->count[d][i]);
	}
	/* The fixture's pool, of 16 pages, is the only other one. */
	EXPECT_EQ(1, p->other);
	for (d = 0; d < DUMP_DEVS; d++)
		close(dev[d]);
	munmap(mem, len);
	free(p);
}

/*
 * max_segments is the most one XFER_START takes: that many go out, in
 * order, and one more is refused (E2BIG, as by the ioctl) before anything
 * is sent.
 */
TEST_F(xfer, max_segments)
{
	struct zcopy_query q = { .size = sizeof(q) };
	unsigned char got[2048];
	struct nlmsghdr *nlh;
	size_t bufsz;
	void *buf;
	__u32 i;

	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_QUERY, &q));
	ASSERT_GE(sizeof(got), q.max_segments);
	ASSERT_GE(self->len, q.max_segments + 1);
	bufsz = 256 + (q.max_segments + 1) * 64;
	buf = calloc(1, bufsz);
	ASSERT_NE(NULL, buf);

	/* One byte per segment, from the file: bytes 0 .. max_segments - 1. */
	nlh = zt_genl_msg(buf, self->nl.family, ZCOPY_CMD_XFER_START,
			  ZCOPY_GENL_VERSION);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	for (i = 0; i < q.max_segments; i++)
		zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, i, 1);
	ASSERT_GE(bufsz, nlh->nlmsg_len);
	ASSERT_EQ(0, zt_nl_transact(&self->nl, nlh))
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, recv_all(self->srv, got, q.max_segments));
	EXPECT_EQ(0, memcmp(got, self->mem + 1, q.max_segments));

	nlh = zt_genl_msg(buf, self->nl.family, ZCOPY_CMD_XFER_START,
			  ZCOPY_GENL_VERSION);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	for (i = 0; i <= q.max_segments; i++)
		zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, self->file, i, 1);
	ASSERT_GE(bufsz, nlh->nlmsg_len);
	EXPECT_EQ(-E2BIG, zt_nl_transact(&self->nl, nlh));
	EXPECT_STREQ("more segments than max_segments", self->nl.extack);
	/* Nothing of it was sent. */
	EXPECT_EQ(-1, recv(self->srv, got, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	free(buf);
}

/* ------------------------------------------ kernel-run transfers */

/* XFER_START of one file extent: its id, or a negative errno. */
static long start_file(FIXTURE_DATA(xfer) *self, struct zt_nl *nl, int sock,
		       int file, __u64 off, __u64 len, __u32 flags,
		       __u64 cookie, bool cancel_on_close)
{
	struct nlmsghdr *nlh;
	int r;

	nlh = zt_genl_msg(self->buf, nl->family, ZCOPY_CMD_XFER_START,
			  ZCOPY_GENL_VERSION);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, sock);
	if (flags)
		zt_nla_put_u32(nlh, ZCOPY_A_XFER_FLAGS, flags);
	zt_nla_put_u64(nlh, ZCOPY_A_XFER_COOKIE, cookie);
	if (cancel_on_close)
		zt_nla_put(nlh, ZCOPY_A_XFER_CANCEL_ON_CLOSE, NULL, 0);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_FILE, file, off, len);
	r = zt_nl_transact(nl, nlh);
	if (r)
		return r;
	return zt_nla_u32(zt_nl_reply_attr(nl, ZCOPY_A_XFER_ID));
}

/* A request naming transfer @id (XFER_GET do, XFER_CANCEL). */
static int xfer_id_req(FIXTURE_DATA(xfer) *self, int cmd, __u32 id)
{
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, cmd, ZCOPY_GENL_VERSION);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_ID, id);
	return zt_nl_transact(&self->nl, nlh);
}

static __u64 reply_u64(FIXTURE_DATA(xfer) *self, int type, __u64 absent)
{
	struct nlattr *a = zt_nl_reply_attr(&self->nl, type);

	return a ? zt_nla_u64(a) : absent;
}

static __u32 reply_u32(FIXTURE_DATA(xfer) *self, int type)
{
	struct nlattr *a = zt_nl_reply_attr(&self->nl, type);

	return a ? zt_nla_u32(a) : 0;
}

/* A file of @len bytes of pattern @seed, and the pattern in *@data. */
static int big_file(size_t len, uint64_t seed, unsigned char **data)
{
	*data = malloc(len);
	if (!*data)
		return -1;
	zu_fill(*data, len, seed);
	return zu_tmpfile("/tmp", *data, len);
}

static void open_mon(struct __test_metadata *_metadata, struct zt_nl *mon)
{
	ASSERT_EQ(0, zt_nl_open(mon, ZCOPY_GENL_NAME));
	ASSERT_EQ(0, zu_events_join(mon));
}

/*
 * The reply comes at once, with an id, while the socket is full; the
 * transfer waits for room (XFER_GET, a progress event), the kernel
 * resumes it as the peer reads, and XFER_DONE has every byte, which the
 * peer gets right after what filled the socket.
 */
TEST_F_TIMEOUT(xfer, async_returns_at_once_and_resumes, 90)
{
	const size_t len = 1 << 20;
	struct zu_xfer_end end;
	unsigned char *data, *got;
	char ev[4096];
	struct zt_nl mon;
	size_t junk;
	uint64_t t0;
	int file;
	long id;

	file = big_file(len, 0xa5f, &data);
	ASSERT_LE(0, file);
	got = malloc(len);
	ASSERT_NE(NULL, got);
	open_mon(_metadata, &mon);
	junk = zu_fill_socket(self->cli);

	t0 = zu_now_ns();
	id = start_file(self, &self->nl, self->cli, file, 0, len, 0, 5150,
			false);
	ASSERT_LT(0, id) TH_LOG("XFER_START: %ld (%s)", id, self->nl.extack);
	EXPECT_GT(1000, zu_ms_since(t0)) TH_LOG("XFER_START took %llu ms",
						(unsigned long long)zu_ms_since(t0));

	/* Its first wait for room says so. */
	ASSERT_EQ(0, zu_event_wait(mon.fd, ZCOPY_CMD_XFER_PROGRESS, ev,
				   sizeof(ev), 5000));
	EXPECT_EQ(id, zt_nla_u32(zt_genl_attr((void *)ev, ZCOPY_A_XFER_ID)));
	EXPECT_EQ(ZCOPY_XFER_STATE_WAITING,
		  zt_nla_u32(zt_genl_attr((void *)ev, ZCOPY_A_XFER_STATE)));
	ASSERT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_GET, id));
	EXPECT_EQ(id, reply_u32(self, ZCOPY_A_XFER_ID));
	EXPECT_EQ(5150, reply_u64(self, ZCOPY_A_XFER_COOKIE, 0));
	EXPECT_EQ(getpid(), (pid_t)reply_u32(self, ZCOPY_A_XFER_PID));
	EXPECT_EQ(ZCOPY_XFER_STATE_WAITING, reply_u32(self, ZCOPY_A_XFER_STATE));
	EXPECT_EQ(len, reply_u64(self, ZCOPY_A_XFER_BYTES_TOTAL, 0));
	EXPECT_GT(len, reply_u64(self, ZCOPY_A_XFER_BYTES_SENT, len));
	/* Nothing of it can be acknowledged: the peer reads nothing. */
	EXPECT_EQ(0, reply_u64(self, ZCOPY_A_XFER_BYTES_ACKED, 1));

	ASSERT_EQ(junk, zu_drain(self->srv, junk, 15000));
	ASSERT_EQ(0, recv_all(self->srv, got, len));
	EXPECT_EQ(0, memcmp(got, data, len));
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 10000));
	EXPECT_TRUE(end.done);
	EXPECT_EQ(len, end.bytes);
	EXPECT_EQ(ZCOPY_STOP_NONE, end.stop_reason);
	EXPECT_EQ(1, end.stop_seg);
	EXPECT_EQ(0, end.error);
	/* Gone once complete. */
	EXPECT_EQ(-ENOENT, xfer_id_req(self, ZCOPY_CMD_XFER_GET, id));
	close(mon.fd);
	close(file);
	free(got);
	free(data);
}

/*
 * Cancelled before its first byte: SEND_FAILED with ECANCELED. While it
 * exists it holds a module reference (rmmod is refused), and gives it
 * back at its end.
 */
TEST_F_TIMEOUT(xfer, async_cancel_before_first_byte, 60)
{
	struct zu_xfer_end end;
	struct zt_nl mon;
	long id, refs;
	int i;

	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	refs = zu_module_refcnt();
	id = start_file(self, &self->nl, self->cli, self->file, 0, self->len,
			0, 1, false);
	ASSERT_LT(0, id) TH_LOG("XFER_START: %ld (%s)", id, self->nl.extack);
	if (refs >= 0)
		EXPECT_LT(refs, zu_module_refcnt());
	ASSERT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id))
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 5000));
	EXPECT_FALSE(end.done);
	EXPECT_EQ(-ECANCELED, end.error);
	EXPECT_EQ(-ENOENT, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id));
	EXPECT_EQ(-ENOENT, xfer_id_req(self, ZCOPY_CMD_XFER_GET, id));
	for (i = 0; i < 50 && zu_module_refcnt() != refs; i++)
		usleep(100 * 1000);
	EXPECT_EQ(refs, zu_module_refcnt());
	close(mon.fd);
}

/*
 * Cancelled in the middle: XFER_DONE with what went out (which the peer
 * gets in full), stop reason cancelled, ECANCELED.
 */
TEST_F_TIMEOUT(xfer, async_cancel_midway, 90)
{
	const size_t len = 4 << 20;
	struct zu_xfer_end end;
	unsigned char *data, *got;
	struct zt_nl mon;
	size_t junk;
	int file;
	long id;

	file = big_file(len, 0xc4c, &data);
	ASSERT_LE(0, file);
	open_mon(_metadata, &mon);
	junk = zu_fill_socket(self->cli);
	id = start_file(self, &self->nl, self->cli, file, 0, len, 0, 2, false);
	ASSERT_LT(0, id) TH_LOG("XFER_START: %ld (%s)", id, self->nl.extack);
	/* Room for a part of it. */
	ASSERT_EQ(junk, zu_drain(self->srv, junk, 15000));
	usleep(300 * 1000);
	ASSERT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id))
		TH_LOG("extack: %s", self->nl.extack);
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 10000));
	ASSERT_TRUE(end.done);
	EXPECT_LT(0, end.bytes);
	EXPECT_GT(len, end.bytes);
	EXPECT_EQ(ZCOPY_STOP_CANCELLED, end.stop_reason);
	EXPECT_EQ(-ECANCELED, end.error);
	EXPECT_EQ(ZCOPY_COMPL_SHORT, end.compl_flags & ZCOPY_COMPL_SHORT);
	got = malloc(end.bytes);
	ASSERT_NE(NULL, got);
	ASSERT_EQ(0, recv_all(self->srv, got, end.bytes));
	EXPECT_EQ(0, memcmp(got, data, end.bytes));
	close(mon.fd);
	close(file);
	free(got);
	free(data);
}

/* ZCOPY_SEND_DONTWAIT: what the socket takes now, and no waiting. */
TEST_F_TIMEOUT(xfer, async_dontwait_stops, 60)
{
	struct zu_xfer_end end;
	struct zt_nl mon;
	long id;

	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	id = start_file(self, &self->nl, self->cli, self->file, 0, self->len,
			ZCOPY_SEND_DONTWAIT, 3, false);
	ASSERT_LT(0, id) TH_LOG("XFER_START: %ld (%s)", id, self->nl.extack);
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 5000));
	EXPECT_FALSE(end.done);
	EXPECT_EQ(-EAGAIN, end.error);
	close(mon.fd);
}

static int count_xfer(struct nlmsghdr *h, void *arg)
{
	__u64 *cookies = arg;
	struct nlattr *a = zt_genl_attr(h, ZCOPY_A_XFER_COOKIE);

	if (a && zt_nla_u64(a) == cookies[0])
		cookies[1]++;
	if (a && zt_nla_u64(a) == cookies[2])
		cookies[3]++;
	return 0;
}

/* The dump lists every running transfer once; cancelling both ends them. */
TEST_F_TIMEOUT(xfer, async_dump, 60)
{
	__u64 seen[4] = { 0xd0, 0, 0xd1, 0 };
	struct zu_xfer_end end;
	struct nlmsghdr *nlh;
	struct zt_nl mon;
	long id[2];
	int i;

	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	for (i = 0; i < 2; i++) {
		id[i] = start_file(self, &self->nl, self->cli, self->file, 0,
				   self->len, 0, seen[2 * i], false);
		ASSERT_LT(0, id[i]) TH_LOG("XFER_START: %s", self->nl.extack);
	}
	EXPECT_NE(id[0], id[1]);
	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_XFER_GET,
			  ZCOPY_GENL_VERSION);
	nlh->nlmsg_flags |= NLM_F_DUMP;
	ASSERT_EQ(0, zt_nl_dump(&self->nl, nlh, count_xfer, seen));
	EXPECT_EQ(1, seen[1]);
	EXPECT_EQ(1, seen[3]);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id[i]));
		ASSERT_EQ(0, zu_xfer_wait(&mon, id[i], &end, 5000));
		EXPECT_EQ(-ECANCELED, end.error);
	}
	close(mon.fd);
}

/*
 * A file-notify transfer of the fixture's file with every byte queued and
 * none acknowledged: the peer's window is shut by *@junk bytes it has not
 * read. *@id is the transfer's id once it is releasing, else not positive.
 */
static void start_releasing(struct __test_metadata *_metadata,
			    FIXTURE_DATA(xfer) *self, __u64 cookie, long *id,
			    size_t *junk)
{
	int big = 4 << 20;
	int i;

	*id = 0;
	*junk = zu_fill_socket(self->cli);
	/* Room on our side; the peer still reads nothing. */
	ASSERT_EQ(0, setsockopt(self->cli, SOL_SOCKET, SO_SNDBUFFORCE, &big,
				sizeof(big)));
	*id = start_file(self, &self->nl, self->cli, self->file, 0, self->len,
			 ZCOPY_SEND_FILE_NOTIFY, cookie, false);
	ASSERT_LT(0, *id) TH_LOG("XFER_START: %ld (%s)", *id, self->nl.extack);
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_GET, *id));
		if (reply_u32(self, ZCOPY_A_XFER_STATE) ==
		    ZCOPY_XFER_STATE_RELEASING)
			return;
		usleep(100 * 1000);
	}
	*id = 0;
	ASSERT_EQ(ZCOPY_XFER_STATE_RELEASING,
		  reply_u32(self, ZCOPY_A_XFER_STATE));
}

/*
 * Every byte queued but nothing acknowledged (the peer's window is shut):
 * a file-notify transfer is "releasing", can no longer be cancelled
 * (EALREADY), and completes once the peer reads.
 */
TEST_F_TIMEOUT(xfer, async_releasing_cannot_be_cancelled, 60)
{
	struct zu_xfer_end end;
	unsigned char *got;
	struct zt_nl mon;
	size_t junk;
	long id;

	open_mon(_metadata, &mon);
	start_releasing(_metadata, self, 4, &id, &junk);
	ASSERT_LT(0, id);
	EXPECT_EQ(self->len, reply_u64(self, ZCOPY_A_XFER_BYTES_SENT, 0));
	EXPECT_GT(self->len, reply_u64(self, ZCOPY_A_XFER_BYTES_ACKED,
				       self->len));
	EXPECT_EQ(-EALREADY, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id));
	EXPECT_NE(0, self->nl.extack[0]);
	/* Not complete while the peer does not read. */
	EXPECT_EQ(-ETIMEDOUT, zu_xfer_wait(&mon, id, &end, 500));
	got = malloc(self->len);
	ASSERT_NE(NULL, got);
	ASSERT_EQ(junk, zu_drain(self->srv, junk, 15000));
	ASSERT_EQ(0, recv_all(self->srv, got, self->len));
	EXPECT_EQ(0, memcmp(got, self->mem + 1, self->len));
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 10000));
	EXPECT_TRUE(end.done);
	EXPECT_EQ(ZCOPY_COMPL_FILE_RELEASED,
		  end.compl_flags & ZCOPY_COMPL_FILE_RELEASED);
	/* Nobody wrote the file: no file-changed, no changed-seg. */
	EXPECT_FALSE(end.compl_flags & ZCOPY_COMPL_FILE_CHANGED);
	EXPECT_FALSE(end.has_changed_seg);
	free(got);
	close(mon.fd);
}

/*
 * file-changed on a kernel-run transfer: the file is rewritten while the
 * stack still holds its pages (releasing, the peer not reading); XFER_DONE
 * says so, with changed-seg 0.
 */
TEST_F_TIMEOUT(xfer, async_file_changed, 60)
{
	struct zu_xfer_end end;
	struct zt_nl mon;
	size_t junk;
	long id;

	if (!(self->features & ZCOPY_FEATURE_FILE_CHANGED))
		SKIP(return, "module without file-changed");
	open_mon(_metadata, &mon);
	start_releasing(_metadata, self, 6, &id, &junk);
	ASSERT_LT(0, id);
	ASSERT_EQ(1, pwrite(self->file, "X", 1, self->len / 2));
	ASSERT_EQ(junk, zu_drain(self->srv, junk, 15000));
	ASSERT_EQ(self->len, zu_drain(self->srv, self->len, 15000));
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 10000));
	EXPECT_TRUE(end.done);
	EXPECT_TRUE(end.compl_flags & ZCOPY_COMPL_FILE_RELEASED);
	EXPECT_TRUE(end.compl_flags & ZCOPY_COMPL_FILE_CHANGED);
	EXPECT_TRUE(end.has_changed_seg);
	EXPECT_EQ(0, end.changed_seg);
	close(mon.fd);
}

/*
 * cancel-on-close: closing the requesting socket cancels the transfer;
 * without it the transfer outlives the socket.
 */
TEST_F_TIMEOUT(xfer, async_cancel_on_close, 60)
{
	struct zu_xfer_end end;
	struct zt_nl mon, req;
	long id, kept;

	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	ASSERT_EQ(0, zt_nl_open(&req, ZCOPY_GENL_NAME));
	id = start_file(self, &req, self->cli, self->file, 0, self->len, 0, 5,
			true);
	ASSERT_LT(0, id) TH_LOG("XFER_START: %ld (%s)", id, req.extack);
	kept = start_file(self, &self->nl, self->cli, self->file, 0,
			  self->len, 0, 6, false);
	ASSERT_LT(0, kept);
	close(req.fd);
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 5000));
	EXPECT_EQ(-ECANCELED, end.error);
	EXPECT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_GET, kept));
	EXPECT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, kept));
	ASSERT_EQ(0, zu_xfer_wait(&mon, kept, &end, 5000));
	close(mon.fd);
}

/* Closing the /dev/zcopy file a transfer sends pools from cancels it. */
TEST_F_TIMEOUT(xfer, async_devfd_close_cancels, 60)
{
	struct zcopy_pool_register r = { .size = sizeof(r) };
	__u64 before[ZCOPY_A_STATS_MAX + 1], after[ZCOPY_A_STATS_MAX + 1];
	struct zu_xfer_end end;
	struct nlmsghdr *nlh;
	struct zt_nl mon;
	int dev, ret;

	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	ASSERT_EQ(0, zu_stats(before));
	dev = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	r.addr = (unsigned long)self->mem;
	r.len = self->len;
	ASSERT_EQ(0, ioctl(dev, ZCOPY_IOC_POOL_REGISTER, &r));
	nlh = xfer_msg(self);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, self->cli);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_DEVFD, dev);
	zt_xfer_put_seg(nlh, ZCOPY_SEG_POOL, r.pool_id, 0, self->len);
	ASSERT_EQ(0, zt_nl_transact(&self->nl, nlh))
		TH_LOG("extack: %s", self->nl.extack);
	close(dev);
	ret = zu_xfer_wait(&mon, reply_u32(self, ZCOPY_A_XFER_ID), &end, 5000);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-ECANCELED, end.error);
	/* Its pool went with it. */
	ASSERT_EQ(0, zu_stats(after));
	EXPECT_EQ(before[ZCOPY_A_STATS_POOLS], after[ZCOPY_A_STATS_POOLS]);
	EXPECT_EQ(before[ZCOPY_A_STATS_PINNED_PAGES],
		  after[ZCOPY_A_STATS_PINNED_PAGES]);
	close(mon.fd);
}

TEST_F(xfer, async_get_missing_id)
{
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_XFER_GET,
			  ZCOPY_GENL_VERSION);
	EXPECT_REJECT(EINVAL);
	EXPECT_STREQ("id is required", self->nl.extack);
}

TEST_F(xfer, async_cancel_missing_id)
{
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_XFER_CANCEL,
			  ZCOPY_GENL_VERSION);
	EXPECT_REJECT(EINVAL);
	EXPECT_STREQ("id is required", self->nl.extack);
}

TEST_F(xfer, async_get_unknown_id)
{
	EXPECT_EQ(-ENOENT, xfer_id_req(self, ZCOPY_CMD_XFER_GET, 0x7fffffff));
	EXPECT_STREQ("no such transfer in this network namespace",
		     self->nl.extack);
}

TEST_F(xfer, async_cancel_unknown_id)
{
	EXPECT_EQ(-ENOENT, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, 0));
	EXPECT_STREQ("no such transfer in this network namespace",
		     self->nl.extack);
}

TEST_F(xfer, async_dump_takes_no_attrs)
{
	struct nlmsghdr *nlh;

	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_XFER_GET,
			  ZCOPY_GENL_VERSION);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_ID, 1);
	/* The error comes in NLMSG_DONE, which zt_nl_raw() returns. */
	EXPECT_EQ(-EINVAL, zt_nl_raw(&self->nl, nlh, 5000, NULL, NULL));
}

TEST_F(xfer, async_get_unprivileged)
{
	int cmd = ZCOPY_CMD_XFER_GET;

	EXPECT_EQ(EPERM, as_nobody(nobody_request, &cmd));
}

TEST_F(xfer, async_cancel_unprivileged)
{
	int cmd = ZCOPY_CMD_XFER_CANCEL;

	EXPECT_EQ(EPERM, as_nobody(nobody_request, &cmd));
}

/* Another network namespace neither sees nor cancels the transfer. */
TEST_F_TIMEOUT(xfer, async_other_netns, 60)
{
	struct zu_xfer_end end;
	struct zt_nl mon;
	int status;
	pid_t pid;
	long id;

	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	id = start_file(self, &self->nl, self->cli, self->file, 0, self->len,
			0, 7, false);
	ASSERT_LT(0, id);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct zt_nl nl;
		char buf[256];
		struct nlmsghdr *nlh;
		int n = 0;

		if (unshare(CLONE_NEWNET) || zt_nl_open(&nl, ZCOPY_GENL_NAME))
			_exit(100);
		nlh = zt_genl_msg(buf, nl.family, ZCOPY_CMD_XFER_CANCEL,
				  ZCOPY_GENL_VERSION);
		zt_nla_put_u32(nlh, ZCOPY_A_XFER_ID, id);
		if (zt_nl_transact(&nl, nlh) != -ENOENT)
			_exit(101);
		nlh = zt_genl_msg(buf, nl.family, ZCOPY_CMD_XFER_GET,
				  ZCOPY_GENL_VERSION);
		nlh->nlmsg_flags |= NLM_F_DUMP;
		if (zt_nl_dump(&nl, nlh, count_msgs, &n) || n)
			_exit(102);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_GET, id));
	EXPECT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id));
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 5000));
	close(mon.fd);
}

/*
 * The reason for running transfers in the kernel: a transfer stalled on a
 * peer that does not read blocks no generic netlink user. While one
 * waits, a child loads a module that registers a genl family (team) and
 * this process resolves families (CTRL_CMD_GETFAMILY); each is done in
 * under a second.
 */
TEST_F_TIMEOUT(xfer, async_stall_blocks_no_genl, 90)
{
	uint64_t t0, worst = 0, load_ms, alone_ms;
	struct zu_xfer_end end;
	struct zt_nl mon, ctl;
	int status, i;
	pid_t pid;
	long id;

	zu_sh("rmmod team 2>/dev/null");
	/* What loading it costs here without a stalled transfer. */
	t0 = zu_now_ns();
	if (zu_sh("modprobe team 2>/dev/null"))
		SKIP(return, "the team module is not available to load");
	alone_ms = zu_ms_since(t0);
	ASSERT_EQ(0, zu_sh("rmmod team"));
	open_mon(_metadata, &mon);
	zu_fill_socket(self->cli);
	id = start_file(self, &self->nl, self->cli, self->file, 0, self->len,
			0, 8, false);
	ASSERT_LT(0, id);
	usleep(200 * 1000);
	ASSERT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_GET, id));
	ASSERT_EQ(ZCOPY_XFER_STATE_WAITING, reply_u32(self, ZCOPY_A_XFER_STATE));

	t0 = zu_now_ns();
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(zu_sh("modprobe team") ? 1 : 0);
	for (i = 0; i < 20; i++) {
		uint64_t t = zu_now_ns();

		ASSERT_EQ(0, zt_nl_open(&ctl, "nlctrl"));
		close(ctl.fd);
		if (zu_ms_since(t) > worst)
			worst = zu_ms_since(t);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	load_ms = zu_ms_since(t0);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	TH_LOG("modprobe team and 20 GETFAMILY: %llu ms (modprobe alone %llu ms); slowest GETFAMILY %llu ms",
	       (unsigned long long)load_ms, (unsigned long long)alone_ms,
	       (unsigned long long)worst);
	EXPECT_GT(1000, worst);
	EXPECT_GT(alone_ms + 1000, load_ms);
	/* Its family is there: the registration was not held up. */
	EXPECT_EQ(0, zt_nl_open(&ctl, "team"));
	close(ctl.fd);
	/* And the transfer still waits. */
	EXPECT_EQ(0, xfer_id_req(self, ZCOPY_CMD_XFER_CANCEL, id));
	ASSERT_EQ(0, zu_xfer_wait(&mon, id, &end, 5000));
	zu_sh("rmmod team 2>/dev/null");
	close(mon.fd);
}

struct pidns_seen {
	__u32 pool_id;
	__s32 own_pid;		/* the pool's PID in the owner's dump */
	__s32 event_pid;	/* ... in its POOL_NEW event */
	__s32 other_pid;	/* a PID shown for another owner, or 0 */
	__s32 nr_absent;	/* pools shown without a PID */
	__s32 fail;		/* line that failed in the child, or 0 */
};

struct pidns_find {
	__u32 id;
	pid_t want;		/* match this PID; 0: any */
	__s32 pid;		/* -1: the attribute was absent */
	int found;
};

static int pidns_find_pool(struct nlmsghdr *h, void *arg)
{
	struct pidns_find *f = arg;
	struct nlattr *a = zt_genl_attr(h, ZCOPY_A_POOL_PID);

	if (zt_nla_u32(zt_genl_attr(h, ZCOPY_A_POOL_ID)) != f->id)
		return 0;
	if (f->want && (!a || zt_nla_u32(a) != (__u32)f->want))
		return 0;
	f->found++;
	f->pid = a ? (__s32)zt_nla_u32(a) : -1;
	return 0;
}

/* Pools other than pid 1's: other_pid counts those shown with a PID. */
static int pidns_others(struct nlmsghdr *h, void *arg)
{
	struct pidns_seen *r = arg;
	struct nlattr *a = zt_genl_attr(h, ZCOPY_A_POOL_PID);

	if (a && zt_nla_u32(a) == 1)
		return 0;
	if (a)
		r->other_pid = zt_nla_u32(a);
	else
		r->nr_absent++;
	return 0;
}

/*
 * pid 1 of a new pid namespace: registers a pool, sees itself as pid 1 in
 * its POOL_NEW event and in a dump, and sees every other pool (the
 * parent's among them, whose owner is outside its namespace) without a
 * PID. Reports through @out,
 * then waits for @wait to close so that the pool stays while the parent
 * looks.
 */
static int pidns_child(int out, int wait)
{
	struct pidns_seen r = { .fail = 0 };
	struct zcopy_pool_register reg = { .size = sizeof(reg) };
	struct pidns_find f = { 0 };
	struct nlmsghdr *nlh;
	struct zt_nl nl, mon;
	char ev[4096], buf[256];
	struct nlmsghdr *h = (struct nlmsghdr *)ev;
	void *mem;
	char c;
	int zfd;

#define PIDNS_CHECK(cond) do { if (!(cond) && !r.fail) r.fail = __LINE__; } while (0)
	PIDNS_CHECK(getpid() == 1);
	PIDNS_CHECK(!zt_nl_open(&nl, ZCOPY_GENL_NAME));
	PIDNS_CHECK(!zt_nl_open(&mon, ZCOPY_GENL_NAME));
	PIDNS_CHECK(!zu_events_join(&mon));
	zfd = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	PIDNS_CHECK(zfd >= 0);
	mem = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	PIDNS_CHECK(mem != MAP_FAILED);
	reg.addr = (unsigned long)mem;
	reg.len = 4096;
	PIDNS_CHECK(!ioctl(zfd, ZCOPY_IOC_POOL_REGISTER, &reg));
	r.pool_id = reg.pool_id;
	r.event_pid = -2;
	if (!zu_event_wait(mon.fd, ZCOPY_CMD_POOL_NEW, ev, sizeof(ev), 10000)) {
		struct nlattr *a = zt_genl_attr(h, ZCOPY_A_POOL_PID);

		r.event_pid = a ? (__s32)zt_nla_u32(a) : -1;
	}
	f.id = reg.pool_id;
	f.want = 1;
	nlh = zt_genl_msg(buf, nl.family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	PIDNS_CHECK(!zt_nl_dump(&nl, nlh, pidns_find_pool, &f));
	r.own_pid = f.found == 1 ? f.pid : -2;
	/*
	 * Every other pool (the parent's among them) has its owner outside
	 * this namespace: no PID.
	 */
	nlh = zt_genl_msg(buf, nl.family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	PIDNS_CHECK(!zt_nl_dump(&nl, nlh, pidns_others, &r));
#undef PIDNS_CHECK
	if (write(out, &r, sizeof(r)) != sizeof(r))
		return 1;
	/* Until the parent closes its end. */
	if (read(wait, &c, 1) < 0)
		return 1;
	return 0;
}

/*
 * Pids are shown as seen from the reader's pid namespace: the owner of a
 * pool that is pid 1 in its own namespace dumps itself as 1 and gets
 * POOL_NEW with 1, the parent (in the initial namespace) dumps it with
 * the pid fork() returned, and from inside, the parent's pool has no PID.
 */
TEST_F_TIMEOUT(xfer, pool_pid_as_seen_by_reader, 60)
{
	int res[2], hold[2], pidp[2], status;
	struct pidns_seen r = { .fail = -1 };
	struct pidns_find f = { 0 };
	struct nlmsghdr *nlh;
	pid_t mid, inner = 0;

	ASSERT_EQ(0, pipe(res));
	ASSERT_EQ(0, pipe(hold));
	ASSERT_EQ(0, pipe(pidp));
	mid = fork();
	ASSERT_LE(0, mid);
	if (!mid) {
		pid_t p;

		if (unshare(CLONE_NEWPID))
			_exit(10);
		p = fork();
		if (p < 0)
			_exit(11);
		if (!p) {
			close(hold[1]);
			_exit(pidns_child(res[1], hold[0]));
		}
		/* fork() returned the pid as seen from here: the initial ns. */
		if (write(pidp[1], &p, sizeof(p)) != sizeof(p))
			_exit(12);
		close(hold[0]);
		close(hold[1]);
		_exit(waitpid(p, &status, 0) == p && WIFEXITED(status) ?
		      WEXITSTATUS(status) : 13);
	}
	close(res[1]);
	close(hold[0]);
	close(pidp[1]);
	if (read(pidp[0], &inner, sizeof(inner)) != sizeof(inner))
		inner = 0;
	if (read(res[0], &r, sizeof(r)) != sizeof(r))
		r.fail = -1;
	ASSERT_LT(0, inner);
	EXPECT_EQ(0, r.fail) TH_LOG("the child's check at line %d failed",
				    r.fail);
	EXPECT_EQ(1, r.own_pid);
	EXPECT_EQ(1, r.event_pid);
	EXPECT_EQ(0, r.other_pid) TH_LOG("a pid outside the reader's namespace was shown: %d",
					 r.other_pid);
	/* At least the fixture's pool, registered by this process. */
	EXPECT_LE(1, r.nr_absent);

	/* From the initial namespace the same pool is the pid fork() gave. */
	f.id = r.pool_id;
	f.want = inner;
	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	EXPECT_EQ(0, zt_nl_dump(&self->nl, nlh, pidns_find_pool, &f));
	EXPECT_EQ(1, f.found) TH_LOG("no pool %u with PID %d", r.pool_id,
				     inner);
	close(hold[1]);
	ASSERT_EQ(mid, waitpid(mid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(res[0]);
	close(pidp[0]);
}

static int write_param(const char *name, unsigned int v)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/zcopy/parameters/%s", name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%u\n", v) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* Pool segments under copy_threshold are copied, and say so. */
TEST_F(xfer, copy_threshold)
{
	struct zcopy_seg segs[2] = {
		{ .type = ZCOPY_SEG_POOL, .id = self->pool, .len = 100 },
		{ .type = ZCOPY_SEG_POOL, .id = self->pool, .offset = 100,
		  .len = 8192 },
	};
	struct zcopy_seg_result res[2];
	struct zcopy_send s = {
		.size = sizeof(s), .sockfd = self->cli, .nr_segs = 2,
		.segs = (unsigned long)segs, .results = (unsigned long)res,
	};
	struct zcopy_query q = { .size = sizeof(q) };
	struct zcopy_completion c;
	struct nlmsghdr *nlh;
	unsigned char got[8292];
	unsigned int saved;

	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_QUERY, &q));
	saved = q.copy_threshold;
	ASSERT_EQ(0, write_param("copy_threshold", 4096));
	ASSERT_EQ(0, ioctl(self->dev, ZCOPY_IOC_QUERY, &q));
	EXPECT_EQ(4096, q.copy_threshold);
	nlh = zt_genl_msg(self->buf, self->nl.family, ZCOPY_CMD_INFO_GET,
			  ZCOPY_GENL_VERSION);
	ASSERT_EQ(0, zt_nl_transact(&self->nl, nlh));
	EXPECT_EQ(4096, zt_nla_u32(zt_nl_reply_attr(&self->nl,
					ZCOPY_A_INFO_COPY_THRESHOLD)));

	EXPECT_EQ(0, ioctl(self->dev, ZCOPY_IOC_SEND, &s));
	EXPECT_EQ(0, write_param("copy_threshold", saved));
	EXPECT_EQ(sizeof(got), s.bytes_sent);
	EXPECT_EQ(100, res[0].copied);
	EXPECT_EQ(ZCOPY_REASON_SMALL, res[0].reason);
	/* The long one went by reference (the stack copies it on lo). */
	EXPECT_EQ(0, res[1].copied);
	ASSERT_EQ(0, recv_all(self->srv, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, self->mem, sizeof(got)));
	ASSERT_EQ(0, read_completion(self->dev, &c));
	EXPECT_EQ(ZCOPY_REASON_SMALL, c.reason);
	EXPECT_EQ(sizeof(got), c.copied_bytes);
}

TEST_HARNESS_MAIN
