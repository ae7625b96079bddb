// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_SEND: every rejection in its own test with its exact errno and
 * otherwise valid input (and nothing sent, no completion after it); the
 * documented validation order; completions (one per send, cookies, read()
 * record rules, poll, O_NONBLOCK, max_outstanding); EPIPE without SIGPIPE;
 * non-blocking partial sends; signals; closing the device with transfers
 * still in flight.
 */

#include <stddef.h>
#include <sys/time.h>
#include <sys/un.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#define POOL_LEN (64 * 1024)
#define FILE_LEN (64 * 1024)
#define SEG_LEN 1000

FIXTURE(send)
{
	int dev;
	struct zcopy_query q;
	struct zu_pool pool;
	unsigned char *file_data;
	int file;
	int snd, rcv;
	struct zcopy_seg segs[2];	/* a valid pool + file pair */
	struct zcopy_send s;		/* a valid send of segs */
	struct zt_nl *nl;		/* sends go by XFER_START, or NULL */
	struct zt_nl *mon;		/* with @nl: its events */
};

static void fixture_send_init(struct __test_metadata *_metadata,
			      FIXTURE_DATA(send) *self)
{
	uint64_t seed = 0x5e4d;

	self->file = self->snd = self->rcv = -1;
	self->file_data = NULL;
	self->pool.mem = NULL;
	self->pool.dev = -1;
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_pool_new(self->dev, POOL_LEN, seed, &self->pool));
	self->file_data = malloc(FILE_LEN);
	ASSERT_NE(NULL, self->file_data);
	zu_fill(self->file_data, FILE_LEN, seed + 1);
	self->file = zu_tmpfile("/tmp", self->file_data, FILE_LEN);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
	self->segs[0] = zu_seg_pool(self->pool.id, 0, SEG_LEN);
	self->segs[1] = zu_seg_file(self->file, 0, SEG_LEN);
	zu_send_init(&self->s, self->snd, self->segs, 2, NULL, 0xc0ffee, 0);
}

static void fixture_send_fini(FIXTURE_DATA(send) *self)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->file);
	zu_pool_free(&self->pool);
	free(self->file_data);
	zu_close(&self->dev);
}

FIXTURE_SETUP(send)
{
	fixture_send_init(_metadata, self);
}

FIXTURE_TEARDOWN(send)
{
	fixture_send_fini(self);
}

/*
 * The send in self->s as XFER_START, devfd the device; the kernel sends in
 * the background and the transfer's end (XFER_DONE) has the outputs the
 * ioctl writes. A transfer that sent nothing (SEND_FAILED) returns its
 * error as the ioctl would.
 */
static int nl_xfer_start(FIXTURE_DATA(send) *self)
{
	const struct zcopy_seg *segs = (const void *)(uintptr_t)self->s.segs;
	struct zcopy_send *s = &self->s;
	struct zu_xfer_end end;
	__u32 buf[1024];
	struct nlmsghdr *nlh;
	__u32 i;
	int r;

	nlh = zt_genl_msg(buf, self->nl->family, ZCOPY_CMD_XFER_START,
			  ZCOPY_GENL_VERSION);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_SOCKFD, s->sockfd);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_DEVFD, self->dev);
	zt_nla_put_u32(nlh, ZCOPY_A_XFER_FLAGS, s->flags);
	zt_nla_put_u64(nlh, ZCOPY_A_XFER_COOKIE, s->cookie);
	for (i = 0; i < s->nr_segs; i++)
		zt_xfer_put_seg(nlh, segs[i].type, segs[i].id, segs[i].offset,
				segs[i].len);
	r = zu_xfer_run(self->nl, self->mon, nlh, &end, 10000);
	if (r)
		return r;
	s->bytes_sent = end.bytes;
	s->stop_seg = end.stop_seg;
	s->stop_reason = end.stop_reason;
	s->stop_offset = end.stop_offset;
	s->stop_errno = (__s32)end.stop_errno;
	return 0;
}

/* The send in self->s by the fixture's front end. */
static int front_send(FIXTURE_DATA(send) *self)
{
	return self->nl ? nl_xfer_start(self) : zu_send_raw(self->dev, &self->s);
}

/* No data is waiting on @fd (an EOF is fine): peek after a short wait. */
static bool no_data_arrives(int fd, int ms)
{
	char c;

	if (zu_wait_fd(fd, POLLIN, ms))
		return true;
	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
}

/*
 * The send in self->s must fail with @err, send nothing and queue no
 * completion.
 */
static void expect_rejected(struct __test_metadata *_metadata,
			    FIXTURE_DATA(send) *self, int err)
{
	int r = front_send(self);

	EXPECT_EQ(-err, r) {
		TH_LOG("expected %s, got %s", strerror(err),
		       r ? strerror(-r) : "success");
		if (!r)
			zu_log_send(&self->s);
	}
	/* netlink rejections say why */
	if (self->nl && r) {
		EXPECT_NE(0, self->nl->extack[0]);
		TH_LOG("extack: %s", self->nl->extack);
	}
	if (self->rcv >= 0) {
		EXPECT_TRUE(no_data_arrives(self->rcv, 50))
			TH_LOG("the receiver got data from a rejected send");
	}
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->dev, POLLIN, 20))
		TH_LOG("a completion was queued for a rejected send");
}

/* ------------------------------------------------------------ limits */

TEST_F(send, query_limits)
{
	EXPECT_EQ(1024, self->q.max_segments);
	EXPECT_EQ(0x7ffff000ULL, self->q.max_send_bytes);
	EXPECT_EQ(4096, self->q.max_outstanding);
	EXPECT_EQ(sizeof(struct zcopy_completion), self->q.completion_size);
}

/* ------------------------------------------------- the struct itself */

TEST_F(send, size_too_small)
{
	self->s.size = 4;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, larger_struct_nonzero_tail)
{
	struct {
		struct zcopy_send s;
		__u64 future[2];
	} big;

	memset(&big, 0, sizeof(big));
	big.s = self->s;
	big.s.size = sizeof(big);
	big.future[1] = 1;
	EXPECT_EQ(-E2BIG, zu_send_raw(self->dev, &big.s));
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 50));
}

TEST_F(send, larger_struct_zero_tail)
{
	struct zcopy_completion c;
	struct {
		struct zcopy_send s;
		__u64 future[2];
	} big;

	memset(&big, 0, sizeof(big));
	big.s = self->s;
	big.s.size = sizeof(big);
	ASSERT_EQ(0, zu_send_raw(self->dev, &big.s));
	EXPECT_EQ(2 * SEG_LEN, big.s.bytes_sent);
	EXPECT_EQ(0, big.future[0]);
	EXPECT_EQ(0, big.future[1]);
	EXPECT_EQ(2 * SEG_LEN, zu_drain(self->rcv, 2 * SEG_LEN, 5000));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 5000));
	EXPECT_EQ(0, zu_check_compl(&c, &big.s));
}

TEST_F(send, arg_null)
{
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_SEND, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(send, flags_high_bit)
{
	self->s.flags = 1U << 31;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, reserved_nonzero)
{
	self->s.__reserved = 1;
	expect_rejected(_metadata, self, EINVAL);
}

/* max_segments + 1 segments, every one valid. */
TEST_F(send, nr_segs_over_max)
{
	__u32 n = self->q.max_segments + 1, i;
	struct zcopy_seg *segs = calloc(n, sizeof(*segs));

	ASSERT_NE(NULL, segs);
	for (i = 0; i < n; i++)
		segs[i] = zu_seg_pool(self->pool.id, i % POOL_LEN, 1);
	self->s.segs = (uintptr_t)segs;
	self->s.nr_segs = n;
	expect_rejected(_metadata, self, E2BIG);
	free(segs);
}

/* A count whose byte size overflows 32 bits: refused before any copy. */
TEST_F(send, nr_segs_huge)
{
	self->s.nr_segs = 0xffffffffU;
	expect_rejected(_metadata, self, E2BIG);
}

TEST_F(send, segs_null)
{
	self->s.segs = 0;
	expect_rejected(_metadata, self, EFAULT);
}

TEST_F(send, segs_unmapped)
{
	void *p = mmap(NULL, ZU_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, ZU_PAGE));
	self->s.segs = (uintptr_t)p;
	expect_rejected(_metadata, self, EFAULT);
}

/* The first segment is readable, the second lies in an unmapped page. */
TEST_F(send, segs_cross_into_unmapped)
{
	unsigned char *p = mmap(NULL, 2 * ZU_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct zcopy_seg *segs;

	ASSERT_NE(MAP_FAILED, p);
	segs = (struct zcopy_seg *)(p + ZU_PAGE) - 1;
	segs[0] = self->segs[0];
	ASSERT_EQ(0, munmap(p + ZU_PAGE, ZU_PAGE));
	self->s.segs = (uintptr_t)segs;
	expect_rejected(_metadata, self, EFAULT);
	munmap(p, ZU_PAGE);
}

TEST_F(send, results_read_only)
{
	struct zcopy_seg_result *res = mmap(NULL, ZU_PAGE, PROT_READ,
					    MAP_PRIVATE | MAP_ANONYMOUS,
					    -1, 0);

	ASSERT_NE(MAP_FAILED, res);
	self->s.results = (uintptr_t)res;
	expect_rejected(_metadata, self, EFAULT);
	munmap(res, ZU_PAGE);
}

TEST_F(send, results_unmapped)
{
	void *p = mmap(NULL, ZU_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p, ZU_PAGE));
	self->s.results = (uintptr_t)p;
	expect_rejected(_metadata, self, EFAULT);
}

/* Room for the first result only: the second lands on a read-only page. */
TEST_F(send, results_cross_into_read_only)
{
	unsigned char *p = mmap(NULL, 2 * ZU_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + ZU_PAGE, ZU_PAGE, PROT_READ));
	self->s.results = (uintptr_t)((struct zcopy_seg_result *)
				      (p + ZU_PAGE) - 1);
	expect_rejected(_metadata, self, EFAULT);
	munmap(p, 2 * ZU_PAGE);
}

/* ------------------------------------------------------------ sockfd */

TEST_F(send, sockfd_not_open)
{
	int fd = dup(self->snd);

	ASSERT_LE(0, fd);
	close(fd);
	self->s.sockfd = fd;
	expect_rejected(_metadata, self, EBADF);
}

TEST_F(send, sockfd_negative)
{
	self->s.sockfd = -1;
	expect_rejected(_metadata, self, EBADF);
}

TEST_F(send, sockfd_is_the_device)
{
	self->s.sockfd = self->dev;
	expect_rejected(_metadata, self, ENOTSOCK);
}

TEST_F(send, sockfd_udp)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
	self->s.sockfd = fd;
	expect_rejected(_metadata, self, EOPNOTSUPP);
	close(fd);
}

TEST_F(send, sockfd_unix_stream)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	self->s.sockfd = sv[0];
	expect_rejected(_metadata, self, EOPNOTSUPP);
	EXPECT_EQ(-1, recv(sv[1], self->file_data, 1, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
}

TEST_F(send, sockfd_tcp_unconnected)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	self->s.sockfd = fd;
	expect_rejected(_metadata, self, ENOTCONN);
	close(fd);
}

TEST_F(send, sockfd_tcp6_unconnected)
{
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 && errno == EAFNOSUPPORT)
		SKIP(return, "no IPv6");
	ASSERT_LE(0, fd);
	self->s.sockfd = fd;
	expect_rejected(_metadata, self, ENOTCONN);
	close(fd);
}

TEST_F(send, sockfd_tcp_listening)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, listen(fd, 1));
	self->s.sockfd = fd;
	expect_rejected(_metadata, self, ENOTCONN);
	close(fd);
}

/* ---------------------------------------------------------- segments */

TEST_F(send, seg_type_zero)
{
	self->segs[1].type = 0;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, seg_type_unknown)
{
	self->segs[1].type = ZCOPY_SEG_FILE + 1;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, seg_flags_unknown)
{
	self->segs[1].flags = ZCOPY_SEG_MASK + 1;
	expect_rejected(_metadata, self, EINVAL);
}

/* Page-cache hints are for file segments. */
TEST_F(send, seg_hint_on_pool)
{
	self->segs[0].flags = ZCOPY_SEG_WILLNEED;
	expect_rejected(_metadata, self, EINVAL);
}

/* Evicting pages the stack may still send from would be pointless. */
TEST_F(send, seg_drop_behind_without_file_notify)
{
	self->segs[1].flags = ZCOPY_SEG_DROP_BEHIND;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, seg_reserved_nonzero)
{
	self->segs[1].__reserved = 1;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, seg_pool_len_zero)
{
	self->segs[1] = zu_seg_pool(self->pool.id, 0, 0);
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, seg_file_len_zero)
{
	self->segs[1].len = 0;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, seg_pool_offset_len_wraps)
{
	self->segs[1] = zu_seg_pool(self->pool.id, ~0ULL - 10, 100);
	expect_rejected(_metadata, self, EOVERFLOW);
}

TEST_F(send, seg_file_offset_len_wraps)
{
	self->segs[1].offset = ~0ULL - 10;
	self->segs[1].len = 100;
	expect_rejected(_metadata, self, EOVERFLOW);
}

TEST_F(send, pool_unknown_id)
{
	self->segs[1] = zu_seg_pool(self->pool.id + 1000, 0, 10);
	expect_rejected(_metadata, self, ENOENT);
}

TEST_F(send, pool_id_zero)
{
	self->segs[1] = zu_seg_pool(0, 0, 10);
	expect_rejected(_metadata, self, ENOENT);
}

TEST_F(send, pool_of_another_file)
{
	int dev2 = zu_dev_open_raw(0);
	__u32 id = 0;
	int i;

	ASSERT_LE(0, dev2);
	/* Make sure the other file's id is not also an id here. */
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, zu_pool_reg(dev2, self->pool.mem, ZU_PAGE, &id));
	}
	ASSERT_NE(self->pool.id, id);
	self->segs[1] = zu_seg_pool(id, 0, 10);
	expect_rejected(_metadata, self, ENOENT);
	close(dev2);
}

TEST_F(send, pool_unregistered)
{
	__u32 id = 0;

	ASSERT_EQ(0, zu_pool_reg(self->dev, self->pool.mem, ZU_PAGE, &id));
	ASSERT_EQ(0, zu_pool_unreg(self->dev, id));
	self->segs[1] = zu_seg_pool(id, 0, 10);
	expect_rejected(_metadata, self, ENOENT);
}

TEST_F(send, pool_range_beyond_end)
{
	self->segs[1] = zu_seg_pool(self->pool.id, 0, POOL_LEN + 1);
	expect_rejected(_metadata, self, ERANGE);
}

TEST_F(send, pool_offset_at_end)
{
	self->segs[1] = zu_seg_pool(self->pool.id, POOL_LEN, 1);
	expect_rejected(_metadata, self, ERANGE);
}

TEST_F(send, pool_offset_far_beyond)
{
	self->segs[1] = zu_seg_pool(self->pool.id, 1ULL << 40, 1);
	expect_rejected(_metadata, self, ERANGE);
}

/* The pool is its registered length, not the whole pages it pinned. */
TEST_F(send, pool_range_beyond_unaligned_len)
{
	__u32 id = 0;

	ASSERT_EQ(0, zu_pool_reg(self->dev, self->pool.mem, 5000, &id));
	self->segs[1] = zu_seg_pool(id, 4000, 1001);
	expect_rejected(_metadata, self, ERANGE);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, id));
}

TEST_F(send, file_fd_negative)
{
	self->segs[1].id = (__u32)-1;
	expect_rejected(_metadata, self, EBADF);
}

TEST_F(send, file_write_only)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->segs[1].id = fd;
	expect_rejected(_metadata, self, EBADF);
	close(fd);
}

TEST_F(send, file_o_path)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->file);
	fd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->segs[1].id = fd;
	expect_rejected(_metadata, self, EBADF);
	close(fd);
}

TEST_F(send, file_directory)
{
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	self->segs[1].id = fd;
	expect_rejected(_metadata, self, EISDIR);
	close(fd);
}

TEST_F(send, file_pipe)
{
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	ASSERT_EQ(5, write(p[1], "hello", 5));
	self->segs[1] = zu_seg_file(p[0], 0, 5);
	expect_rejected(_metadata, self, EINVAL);
	close(p[0]);
	close(p[1]);
}

TEST_F(send, file_socket)
{
	self->segs[1] = zu_seg_file(self->rcv, 0, 5);
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, file_char_device)
{
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	self->segs[1] = zu_seg_file(fd, 0, 5);
	expect_rejected(_metadata, self, EINVAL);
	close(fd);
}

/* Lengths that each fit but add up to one byte over max_send_bytes. */
TEST_F(send, sum_over_max_send_bytes)
{
	__u64 max = self->q.max_send_bytes;

	self->segs[0] = zu_seg_file(self->file, 0, max / 2);
	self->segs[1] = zu_seg_file(self->file, 0, max - max / 2 + 1);
	expect_rejected(_metadata, self, E2BIG);
}

/*
 * Lengths whose sum wraps 64 bits to 0 (each offset + len fits even a
 * signed 64-bit file offset): still too many bytes.
 */
TEST_F(send, sum_wraps_u64)
{
	struct zcopy_seg segs[3] = {
		zu_seg_file(self->file, 0, 0x7fffffffffffffffULL),
		zu_seg_file(self->file, 0, 0x7fffffffffffffffULL),
		zu_seg_file(self->file, 0, 2),
	};

	self->s.segs = (uintptr_t)segs;
	self->s.nr_segs = 3;
	expect_rejected(_metadata, self, E2BIG);
}

/* Exactly max_send_bytes is allowed (it stops at EOF of the small file). */
TEST_F(send, sum_at_max_send_bytes)
{
	__u64 max = self->q.max_send_bytes;
	struct zcopy_completion c;
	struct zcopy_send *s = &self->s;

	self->segs[0] = zu_seg_file(self->file, 0, max - 1000);
	self->segs[1] = zu_seg_pool(self->pool.id, 0, 1000);
	ASSERT_EQ(0, zu_send_raw(self->dev, s)) zu_log_send(s);
	EXPECT_EQ(FILE_LEN, s->bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_EOF, s->stop_reason);
	EXPECT_EQ(0, s->stop_seg);
	EXPECT_EQ(FILE_LEN, s->stop_offset);
	EXPECT_EQ(FILE_LEN, zu_drain(self->rcv, FILE_LEN, 5000));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 5000));
	EXPECT_EQ(0, zu_check_compl(&c, s));
}

/* -------------------------------------------------- validation order */

TEST_F(send, order_flags_before_segs)
{
	self->s.flags = 1U << 30;
	self->s.segs = 0;
	expect_rejected(_metadata, self, EINVAL);
}

TEST_F(send, order_nr_segs_before_segs_pointer)
{
	self->s.nr_segs = self->q.max_segments + 1;
	self->s.segs = 0;
	expect_rejected(_metadata, self, E2BIG);
}

TEST_F(send, order_segs_pointer_before_sockfd)
{
	self->s.segs = 0;
	self->s.sockfd = -1;
	expect_rejected(_metadata, self, EFAULT);
}

TEST_F(send, order_results_pointer_before_sockfd)
{
	struct zcopy_seg_result *res = mmap(NULL, ZU_PAGE, PROT_READ,
					    MAP_PRIVATE | MAP_ANONYMOUS,
					    -1, 0);

	ASSERT_NE(MAP_FAILED, res);
	self->s.results = (uintptr_t)res;
	self->s.sockfd = -1;
	expect_rejected(_metadata, self, EFAULT);
	munmap(res, ZU_PAGE);
}

TEST_F(send, order_sockfd_before_segments)
{
	self->segs[1].type = 99;
	self->s.sockfd = -1;
	expect_rejected(_metadata, self, EBADF);
}

TEST_F(send, order_not_connected_before_pool_lookup)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	self->segs[1] = zu_seg_pool(9999, 0, 1);
	self->s.sockfd = fd;
	expect_rejected(_metadata, self, ENOTCONN);
	close(fd);
}

/* The total is checked after the segments themselves. */
TEST_F(send, order_segments_before_sum)
{
	struct zcopy_seg segs[3] = {
		zu_seg_file(self->file, 0, 0x40000000),
		zu_seg_file(self->file, 0, 0x40000000),
		zu_seg_pool(9999, 0, 1),
	};

	self->s.segs = (uintptr_t)segs;
	self->s.nr_segs = 3;
	expect_rejected(_metadata, self, ENOENT);
}

/* --------------------------------------------------- successful sends */

/* results may be 0; the struct's outputs are still written. */
TEST_F(send, results_null)
{
	struct zcopy_completion c;

	ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	EXPECT_EQ(2 * SEG_LEN, self->s.bytes_sent);
	EXPECT_EQ(0, zu_check_stop(self->segs, 2, &self->s, NULL));
	EXPECT_EQ(2 * SEG_LEN, zu_drain(self->rcv, 2 * SEG_LEN, 5000));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 5000));
	EXPECT_EQ(0, zu_check_compl(&c, &self->s));
}

/* Both flags are known: MORE and DONTWAIT together are accepted. */
TEST_F(send, flags_all_known_accepted)
{
	struct zcopy_completion c[2];

	self->s.flags = ZCOPY_SEND_ALL;
	ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	EXPECT_EQ(2 * SEG_LEN, self->s.bytes_sent);
	/* Without MORE on a later send the corked bytes are pushed. */
	self->s.flags = 0;
	ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	EXPECT_EQ(4 * SEG_LEN, zu_drain(self->rcv, 4 * SEG_LEN, 5000));
	EXPECT_EQ(2, zu_read_compls(self->dev, c, 2, 5000));
}

/* N sends give exactly N completions carrying the N cookies, each once. */
TEST_F_TIMEOUT(send, completions_match_cookies, 120)
{
	enum { N = 64 };
	struct zcopy_completion c[N + 1];
	__u64 cookies[N];
	bool seen[N] = { 0 };
	uint64_t st = zu_seed(_metadata->name);
	size_t total = 0;
	int i, j, got;

	for (i = 0; i < N; i++) {
		struct zcopy_seg seg = zu_seg_pool(self->pool.id, i * 100,
						   100 + i);
		struct zcopy_send s;

		cookies[i] = zu_rand(&st);
		if (i % 3 == 0)
			seg = zu_seg_file(self->file, i * 50, 100 + i);
		ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL,
				     cookies[i], 0, &s)) TH_LOG("send %d", i);
		ASSERT_EQ(100 + i, s.bytes_sent);
		total += 100 + i;
	}
	EXPECT_EQ(total, zu_drain(self->rcv, total, 10000));
	got = zu_read_compls(self->dev, c, N, 30000);
	ASSERT_EQ(N, got);
	for (i = 0; i < N; i++) {
		for (j = 0; j < N; j++)
			if (c[i].cookie == cookies[j])
				break;
		ASSERT_GT(N, j) TH_LOG("unknown cookie 0x%llx",
				       (unsigned long long)c[i].cookie);
		EXPECT_FALSE(seen[j]) TH_LOG("cookie %d twice", j);
		seen[j] = true;
		EXPECT_EQ(100 + j, c[i].bytes);
		EXPECT_EQ(j % 3 == 0 ? 0 : 100 + j, c[i].pool_bytes);
	}
	/* And nothing more. */
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c[N], 300));
}

/* A read buffer smaller than one record is refused and consumes nothing. */
TEST_F(send, read_smaller_than_record)
{
	struct zcopy_completion c;
	char small[sizeof(c)];

	ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	ASSERT_EQ(0, zu_wait_fd(self->dev, POLLIN, 10000));
	EXPECT_EQ(-1, read(self->dev, small, sizeof(c) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->dev, small, 1));
	EXPECT_EQ(EINVAL, errno);
	/* Still there. */
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 1000));
	EXPECT_EQ(self->s.cookie, c.cookie);
	zu_drain(self->rcv, 2 * SEG_LEN, 5000);
}

TEST_F(send, read_small_buffer_with_nothing_queued)
{
	char small[8];

	ASSERT_EQ(0, zu_set_nonblock(self->dev, true));
	EXPECT_EQ(-1, read(self->dev, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(send, read_nonblock_nothing_queued)
{
	struct zcopy_completion c;

	ASSERT_EQ(0, zu_set_nonblock(self->dev, true));
	EXPECT_EQ(-1, read(self->dev, &c, sizeof(c)));
	EXPECT_EQ(EAGAIN, errno);
}

/* Whole records only: with room for 2.5 records a read returns 1 or 2. */
TEST_F(send, read_returns_whole_records)
{
	const size_t rec = sizeof(struct zcopy_completion);
	struct zcopy_completion c[3];
	char buf[3 * sizeof(struct zcopy_completion)];
	__u64 sum = 0;
	size_t got = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 3; i++) {
		self->s.cookie = 100 + i;
		ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	}
	zu_drain(self->rcv, 6 * SEG_LEN, 5000);
	ASSERT_EQ(0, zu_set_nonblock(self->dev, true));
	for (i = 0; i < 200 && got < 3; i++) {
		n = read(self->dev, buf, 2 * rec + rec / 2);
		if (n < 0) {
			ASSERT_EQ(EAGAIN, errno);
			zu_sleep_ms(50);
			continue;
		}
		ASSERT_EQ(0, n % rec) TH_LOG("read returned %zd", n);
		ASSERT_GE(2 * rec, (size_t)n);
		ASSERT_LT(0, n);
		ASSERT_GE(3, got + n / rec);
		memcpy(&c[got], buf, n);
		got += n / rec;
	}
	ASSERT_EQ(3, got);
	for (i = 0; i < 3; i++)
		sum += c[i].cookie;
	EXPECT_EQ(100 + 101 + 102, sum);
	EXPECT_NE(c[0].cookie, c[1].cookie);
	EXPECT_NE(c[1].cookie, c[2].cookie);
	EXPECT_NE(c[0].cookie, c[2].cookie);
}

/* A big read buffer returns every queued record at once. */
TEST_F(send, read_many_at_once)
{
	struct zcopy_completion c[8];
	size_t total = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	}
	zu_drain(self->rcv, 8 * SEG_LEN, 5000);
	for (i = 0; i < 100 && total < 4 * sizeof(c[0]); i++) {
		ASSERT_EQ(0, zu_wait_fd(self->dev, POLLIN, 5000));
		n = read(self->dev, (char *)c + total, sizeof(c) - total);
		ASSERT_LT(0, n);
		EXPECT_EQ(0, n % sizeof(c[0]));
		total += n;
	}
	EXPECT_EQ(4 * sizeof(c[0]), total);
}

struct delayed_send {
	FIXTURE_DATA(send) *self;
	int ret;
};

static void *delayed_send_fn(void *arg)
{
	struct delayed_send *d = arg;

	zu_sleep_ms(300);
	d->ret = zu_send_raw(d->self->dev, &d->self->s);
	return NULL;
}

/* A blocking read sleeps until a completion is queued. */
TEST_F(send, read_blocks_until_completion)
{
	struct delayed_send d = { .self = self };
	struct zcopy_completion c;
	struct zu_rx rx;
	pthread_t th;
	uint64_t t0;
	ssize_t n;

	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, NULL, 0, 2 * SEG_LEN));
	t0 = zu_now_ns();
	ASSERT_EQ(0, pthread_create(&th, NULL, delayed_send_fn, &d));
	alarm(20);	/* don't hang the suite if read never returns */
	n = read(self->dev, &c, sizeof(c));
	alarm(0);
	pthread_join(th, NULL);
	zu_rx_join(&rx);
	EXPECT_EQ(0, d.ret);
	ASSERT_EQ(sizeof(c), n);
	EXPECT_LE(250, zu_ms_since(t0));
	EXPECT_EQ(self->s.cookie, c.cookie);
}

TEST_F(send, poll_reports_queued_completion)
{
	struct pollfd p = { .fd = self->dev, .events = POLLIN };
	struct zcopy_completion c;

	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, zu_send_raw(self->dev, &self->s));
	zu_drain(self->rcv, 2 * SEG_LEN, 5000);
	ASSERT_EQ(1, poll(&p, 1, 10000));
	EXPECT_TRUE(p.revents & POLLIN);
	ASSERT_EQ(sizeof(c), read(self->dev, &c, sizeof(c)));
	p.revents = 0;
	EXPECT_EQ(0, poll(&p, 1, 0));
}

/* Pool-only and file-only transfers count their pool bytes. */
TEST_F(send, completion_pool_bytes)
{
	struct zcopy_seg pool = zu_seg_pool(self->pool.id, 10, 3000);
	struct zcopy_seg file = zu_seg_file(self->file, 10, 2000);
	struct zcopy_completion c;
	struct zcopy_send s;

	ASSERT_EQ(0, zu_send(self->dev, self->snd, &pool, 1, NULL, 1, 0, &s));
	EXPECT_EQ(3000, zu_drain(self->rcv, 3000, 5000));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_EQ(3000, c.pool_bytes);

	ASSERT_EQ(0, zu_send(self->dev, self->snd, &file, 1, NULL, 2, 0, &s));
	EXPECT_EQ(2000, zu_drain(self->rcv, 2000, 5000));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_EQ(0, c.pool_bytes);
}

/*
 * max_outstanding sends whose completions are not read: the next one is
 * refused with ENOBUFS and sends nothing; reading one makes room.
 */
TEST_F_TIMEOUT(send, max_outstanding, 240)
{
	__u32 max = self->q.max_outstanding, i;
	unsigned char *expect = malloc(max + 1);
	struct zcopy_completion c;
	struct zcopy_seg seg;
	struct zcopy_send s;
	struct zu_rx rx;
	uint64_t t0 = zu_now_ns();

	ASSERT_NE(NULL, expect);
	ASSERT_LT(0, max);
	for (i = 0; i <= max; i++)
		expect[i] = self->pool.mem[i % POOL_LEN];
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, max + 1, max + 1));
	for (i = 0; i < max; i++) {
		seg = zu_seg_pool(self->pool.id, i % POOL_LEN, 1);
		ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, i, 0,
				     &s)) TH_LOG("send %u of %u", i, max);
	}
	TH_LOG("%u sends in %llu ms", max,
	       (unsigned long long)zu_ms_since(t0));
	seg = zu_seg_pool(self->pool.id, max % POOL_LEN, 1);
	EXPECT_EQ(-ENOBUFS, zu_send(self->dev, self->snd, &seg, 1, NULL, max,
				    0, &s));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, max, 0, &s));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, max + 1));
	for (i = 0; i < max; i++) {
		ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000))
			TH_LOG("completion %u of %u", i, max);
	}
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c, 200));
	free(expect);
}

/* ------------------------------------------------------- broken pipes */

/* Our side shut down for writing: EPIPE, and no SIGPIPE kills us. */
TEST_F(send, epipe_after_shutdown_no_sigpipe)
{
	signal(SIGPIPE, SIG_DFL);
	ASSERT_EQ(0, shutdown(self->snd, SHUT_WR));
	expect_rejected(_metadata, self, EPIPE);
}

/* The peer closed: sends may succeed until its RST, then EPIPE, no SIGPIPE. */
TEST_F(send, epipe_after_peer_close_no_sigpipe)
{
	struct zcopy_completion c;
	struct zcopy_send s;
	int i, r = 0, ok = 0;

	signal(SIGPIPE, SIG_DFL);
	zu_close(&self->rcv);
	/* Wait for the FIN. */
	ASSERT_EQ(0, zu_wait_fd(self->snd, POLLRDHUP, 5000));
	for (i = 0; i < 100; i++) {
		r = zu_send(self->dev, self->snd, self->segs, 2, NULL, i, 0, &s);
		if (r)
			break;
		ok++;
		EXPECT_EQ(0, zu_check_stop(self->segs, 2, &s, NULL));
		zu_sleep_ms(20);
	}
	EXPECT_EQ(-EPIPE, r) TH_LOG("after %d successful sends: %s", ok,
				    strerror(-r));
	r = zu_send(self->dev, self->snd, self->segs, 2, NULL, 999, 0, &s);
	EXPECT_EQ(-EPIPE, r);
	TH_LOG("%d sends succeeded before EPIPE", ok);
	for (i = 0; i < ok; i++) {
		EXPECT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	}
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c, 200));
}

/* --------------------------------------------- non-blocking and signals */

/*
 * The send contract both front ends share, once per front end: the ioctl,
 * and XFER_START (with devfd) of the "zcopy" genl family. Each test sets
 * up the send fixture's valid pool + file send and changes one thing.
 */
FIXTURE(contract)
{
	FIXTURE_DATA(send) b;
	struct zt_nl nl, mon;
};

FIXTURE_VARIANT(contract)
{
	bool netlink;
};

FIXTURE_VARIANT_ADD(contract, ioctl)
{
	.netlink = false,
};

FIXTURE_VARIANT_ADD(contract, netlink)
{
	.netlink = true,
};

FIXTURE_SETUP(contract)
{
	int r;

	self->nl.fd = self->mon.fd = -1;
	fixture_send_init(_metadata, &self->b);
	if (_metadata->exit_code || !variant->netlink)
		return;
	r = zt_nl_open(&self->nl, ZCOPY_GENL_NAME);
	if (r == -ENOENT)
		SKIP(return, "family %s not registered", ZCOPY_GENL_NAME);
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, zt_nl_open(&self->mon, ZCOPY_GENL_NAME));
	ASSERT_EQ(0, zu_events_join(&self->mon));
	self->b.nl = &self->nl;
	self->b.mon = &self->mon;
}

FIXTURE_TEARDOWN(contract)
{
	fixture_send_fini(&self->b);
	if (self->nl.fd >= 0)
		close(self->nl.fd);
	if (self->mon.fd >= 0)
		close(self->mon.fd);
}

TEST_F(contract, flags_unknown_bit)
{
	self->b.s.flags = ZCOPY_SEND_ALL + 1;
	expect_rejected(_metadata, &self->b, EINVAL);
}

TEST_F(contract, nr_segs_zero)
{
	self->b.s.nr_segs = 0;
	expect_rejected(_metadata, &self->b, EINVAL);
}

TEST_F(contract, sockfd_regular_file)
{
	self->b.s.sockfd = self->b.file;
	expect_rejected(_metadata, &self->b, ENOTSOCK);
}

TEST_F(contract, file_fd_not_open)
{
	int fd = dup(self->b.file);

	ASSERT_LE(0, fd);
	close(fd);
	self->b.segs[1].id = fd;
	expect_rejected(_metadata, &self->b, EBADF);
}

/*
 * Pool range then file extent: the receiver sees their concatenation, the
 * outputs say all was sent, one completion counts it. (XFER_START has no
 * per-segment results.)
 */
TEST_F(contract, pool_and_file)
{
	FIXTURE_DATA(send) *b = &self->b;
	struct zcopy_seg_result res[2], *r = variant->netlink ? NULL : res;
	struct zcopy_seg segs[2] = {
		zu_seg_pool(b->pool.id, 123, 4567),
		zu_seg_file(b->file, 77, 8901),
	};
	unsigned char expect[4567 + 8901];
	struct zcopy_completion c;
	struct zu_rx rx;

	memcpy(expect, b->pool.mem + 123, 4567);
	memcpy(expect + 4567, b->file_data + 77, 8901);
	memset(res, 0xff, sizeof(res));
	zu_send_init(&b->s, b->snd, segs, 2, r, 0x1234, 0);
	ASSERT_EQ(0, zu_rx_start(&rx, b->rcv, expect, sizeof(expect),
				 sizeof(expect)));
	EXPECT_EQ(0, front_send(b));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, sizeof(expect)));
	EXPECT_EQ(sizeof(expect), b->s.bytes_sent);
	EXPECT_EQ(2, b->s.stop_seg);
	EXPECT_EQ(ZCOPY_STOP_NONE, b->s.stop_reason);
	EXPECT_EQ(0, b->s.stop_offset);
	EXPECT_EQ(0, b->s.stop_errno);
	EXPECT_EQ(0, zu_check_stop(segs, 2, &b->s, r));
	ASSERT_EQ(0, zu_read_compl(b->dev, &c, 10000));
	EXPECT_EQ(0, zu_check_compl(&c, &b->s));
	EXPECT_EQ(0x1234, c.cookie);
	EXPECT_EQ(4567, c.pool_bytes);
	EXPECT_EQ(0, c.flags & ZCOPY_COMPL_SHORT);
	EXPECT_EQ(0, c.error);
}

FIXTURE(stall)
{
	int dev;
	struct zcopy_query q;
	struct zu_pool pool;
	unsigned char *file_data;
	int file;
	int snd, rcv;
	struct zcopy_seg segs[4];
	unsigned char *expect;
	size_t total;
};

#define STALL_SEG (512 * 1024)

/* Small socket buffers and a receiver that does not read (yet). */
FIXTURE_SETUP(stall)
{
	struct zu_tcp_opts o = {
		.srv_ns = -1, .cli_ns = -1,
		.sndbuf = 32 * 1024, .rcvbuf = 32 * 1024,
	};
	uint64_t seed = zu_seed("stall");
	int i;

	self->file = self->snd = self->rcv = -1;
	self->file_data = self->expect = NULL;
	self->pool.mem = NULL;
	self->pool.dev = -1;
	ZU_DEV_OPEN(self->dev, self->q,
		    ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zu_pool_new(self->dev, 2 * STALL_SEG, seed, &self->pool));
	self->file_data = malloc(2 * STALL_SEG);
	ASSERT_NE(NULL, self->file_data);
	zu_fill(self->file_data, 2 * STALL_SEG, seed + 1);
	self->file = zu_tmpfile("/tmp", self->file_data, 2 * STALL_SEG);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, zu_tcp_pair_opts(&o, &self->snd, &self->rcv));
	self->segs[0] = zu_seg_pool(self->pool.id, 0, STALL_SEG);
	self->segs[1] = zu_seg_file(self->file, 0, STALL_SEG);
	self->segs[2] = zu_seg_pool(self->pool.id, STALL_SEG, STALL_SEG);
	self->segs[3] = zu_seg_file(self->file, STALL_SEG, STALL_SEG);
	self->total = 4 * STALL_SEG;
	self->expect = malloc(self->total);
	ASSERT_NE(NULL, self->expect);
	for (i = 0; i < 4; i++)
		memcpy(self->expect + i * STALL_SEG,
		       (i & 1 ? self->file_data : self->pool.mem) +
		       (i / 2) * STALL_SEG, STALL_SEG);
}

FIXTURE_TEARDOWN(stall)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->file);
	zu_pool_free(&self->pool);
	free(self->file_data);
	free(self->expect);
	zu_close(&self->dev);
}

static volatile sig_atomic_t watchdog_fired;

static void on_watchdog(int sig)
{
	(void)sig;
	watchdog_fired = 1;
}

/*
 * Send the rest of the stream (from byte @done) blocking, with a receiver
 * checking the whole stream; then read @ncompl completions. The receiver
 * must get exactly the stream: what was reported sent before, then the rest.
 * A send blocked for 10 s while the receiver reads is a stall: a watchdog
 * signal ends it and the socket state is logged.
 */
static void finish_stream(struct __test_metadata *_metadata,
			  FIXTURE_DATA(stall) *self, size_t done,
			  __u32 stop_seg, __u64 stop_offset, int ncompl)
{
	struct sigaction sa = { .sa_handler = on_watchdog }, old;
	struct itimerval it = { .it_value = { 10, 0 } }, off = { 0 };
	struct zcopy_seg rest[4];
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zu_rx rx;
	__u32 n;
	int i, r;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, &old));
	watchdog_fired = 0;
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, self->expect, self->total,
				 self->total));
	while (done < self->total) {
		n = zu_segs_resume(self->segs, 4, stop_seg, stop_offset, rest);
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		r = zu_send(self->dev, self->snd, rest, n, NULL, 0xf00 + done, 0,
			    &s);
		setitimer(ITIMER_REAL, &off, NULL);
		if (watchdog_fired) {
			TH_LOG("a blocking send stalled for 10 s at stream byte %zu (returned %d%s); the receiver has %zu of %zu",
			       done, r, r ? "" : ", see below", rx.got,
			       self->total);
			if (!r)
				zu_log_send(&s);
			zu_tcp_log(self->snd, "sender");
			zu_tcp_log(self->rcv, "receiver");
			zu_log_tcpext();
			zu_rx_log(&rx);
			ASSERT_FALSE(watchdog_fired);
		}
		ASSERT_EQ(0, r);
		ASSERT_LT(0, s.bytes_sent);
		EXPECT_EQ(0, zu_check_stop(rest, n, &s, NULL));
		done += s.bytes_sent;
		/* Map the stop point back onto the full list. */
		stop_seg = 4 - n + s.stop_seg;
		stop_offset = s.stop_offset +
			      (s.stop_seg == 0 ? (self->segs[stop_seg].len -
						   rest[0].len) : 0);
		ncompl++;
	}
	sigaction(SIGALRM, &old, NULL);
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, self->total));
	for (i = 0; i < ncompl; i++) {
		EXPECT_EQ(0, zu_read_compl(self->dev, &c, 20000))
			TH_LOG("completion %d of %d", i, ncompl);
	}
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c, 200));
}

/*
 * Non-blocking: the first send stops short with ZCOPY_STOP_AGAIN; once the
 * socket buffer is full a send returns EAGAIN and queues no completion.
 */
static void nonblocking_partial(struct __test_metadata *_metadata,
				FIXTURE_DATA(stall) *self, __u32 flags)
{
	struct zcopy_seg_result res[4];
	struct zcopy_seg rest[4];
	struct zcopy_send s;
	__u32 stop_seg, n;
	__u64 stop_offset;
	size_t done = 0;
	int r, i, ncompl = 0;

	memset(res, 0xff, sizeof(res));
	ASSERT_EQ(0, zu_send(self->dev, self->snd, self->segs, 4, res, 1,
			     flags, &s));
	zu_log_send(&s);
	EXPECT_EQ(ZCOPY_STOP_AGAIN, s.stop_reason);
	EXPECT_EQ(0, s.stop_errno);
	ASSERT_LT(0, s.bytes_sent);
	ASSERT_GT(self->total, s.bytes_sent);
	EXPECT_EQ(0, zu_check_stop(self->segs, 4, &s, res));
	done = s.bytes_sent;
	stop_seg = s.stop_seg;
	stop_offset = s.stop_offset;
	ncompl++;

	/*
	 * ACKs of data already sent may free a little room; keep resuming
	 * until the buffer is full and the send is refused outright.
	 */
	for (i = 0; i < 20; i++) {
		zu_sleep_ms(50);
		n = zu_segs_resume(self->segs, 4, stop_seg, stop_offset, rest);
		r = zu_send(self->dev, self->snd, rest, n, NULL, 2 + i, flags,
			    &s);
		if (r)
			break;
		TH_LOG("resume %d sent %llu more", i,
		       (unsigned long long)s.bytes_sent);
		EXPECT_EQ(ZCOPY_STOP_AGAIN, s.stop_reason);
		ASSERT_LT(0, s.bytes_sent);
		EXPECT_EQ(0, zu_check_stop(rest, n, &s, NULL));
		done += s.bytes_sent;
		stop_seg = 4 - n + s.stop_seg;
		stop_offset = s.stop_offset + (s.stop_seg == 0 ?
			self->segs[stop_seg].len - rest[0].len : 0);
		ncompl++;
	}
	EXPECT_EQ(-EAGAIN, r);
	EXPECT_GT(3, i) TH_LOG("%d resumed sends still made progress", i);
	/* The refused send queued no completion: finish_stream counts them. */
	ASSERT_EQ(0, zu_set_nonblock(self->snd, false));
	finish_stream(_metadata, self, done, stop_seg, stop_offset, ncompl);
}

TEST_F_TIMEOUT(stall, nonblocking_socket_partial_then_eagain, 120)
{
	ASSERT_EQ(0, zu_set_nonblock(self->snd, true));
	nonblocking_partial(_metadata, self, 0);
}

TEST_F_TIMEOUT(stall, dontwait_partial_then_eagain, 120)
{
	nonblocking_partial(_metadata, self, ZCOPY_SEND_DONTWAIT);
}

/* DONTWAIT on a blocking socket whose buffer is already full: EAGAIN. */
TEST_F_TIMEOUT(stall, dontwait_full_buffer_eagain, 120)
{
	struct zcopy_send s;
	size_t done = 0;
	__u32 stop_seg = 0;
	__u64 stop_offset = 0;
	struct zcopy_seg rest[4];
	int i, r = 0, ncompl = 0;
	__u32 n;

	for (i = 0; i < 40; i++) {
		n = zu_segs_resume(self->segs, 4, stop_seg, stop_offset, rest);
		r = zu_send(self->dev, self->snd, rest, n, NULL, i,
			    ZCOPY_SEND_DONTWAIT, &s);
		if (r)
			break;
		done += s.bytes_sent;
		stop_seg = 4 - n + s.stop_seg;
		stop_offset = s.stop_offset + (s.stop_seg == 0 ?
			self->segs[stop_seg].len - rest[0].len : 0);
		ncompl++;
		zu_sleep_ms(20);
	}
	/* Refused outright; finish_stream checks it queued no completion. */
	EXPECT_EQ(-EAGAIN, r);
	finish_stream(_metadata, self, done, stop_seg, stop_offset, ncompl);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/*
 * A blocking send to a peer that does not read, interrupted by a signal
 * whose handler does not ask for restarts: 0 with ZCOPY_STOP_SIGNAL and the
 * progress, or EINTR when nothing was sent. What the receiver gets in the
 * end is exactly what the sends reported.
 */
TEST_F_TIMEOUT(stall, signal_interrupts_blocking_send, 120)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { 0, 300000 } };
	struct zcopy_seg rest[4];
	struct zcopy_send s;
	int i, r, ncompl = 0, eintr = 0;
	__u32 stop_seg = 0, n;
	__u64 stop_offset = 0;
	size_t done = 0;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	for (i = 0; i < 3; i++) {
		n = zu_segs_resume(self->segs, 4, stop_seg, stop_offset, rest);
		alarms = 0;
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		r = zu_send(self->dev, self->snd, rest, n, NULL, 10 + i, 0, &s);
		EXPECT_EQ(1, alarms);
		if (r) {
			EXPECT_EQ(-EINTR, r);
			EXPECT_NE(0, i) TH_LOG("the first send sent nothing");
			eintr++;
			continue;
		}
		zu_log_send(&s);
		EXPECT_EQ(ZCOPY_STOP_SIGNAL, s.stop_reason);
		EXPECT_EQ(0, s.stop_errno);
		EXPECT_LT(0, s.bytes_sent);
		EXPECT_GT(self->total - done, s.bytes_sent);
		EXPECT_EQ(0, zu_check_stop(rest, n, &s, NULL));
		done += s.bytes_sent;
		stop_seg = 4 - n + s.stop_seg;
		stop_offset = s.stop_offset + (s.stop_seg == 0 ?
			self->segs[stop_seg].len - rest[0].len : 0);
		ncompl++;
	}
	TH_LOG("%d interrupted with progress, %d with EINTR", ncompl, eintr);
	signal(SIGALRM, SIG_DFL);
	finish_stream(_metadata, self, done, stop_seg, stop_offset, ncompl);
}

#define EDGE_SEGS 64

/*
 * Many small alternating pool and file segments into an 8 KiB send
 * buffer that the peer does not drain, interrupted by a signal: on a local
 * route each zero-copy pool segment starts an skb of its own, so the
 * socket runs out of memory where a segment begins, and TCP returns the
 * kernel's restart code there, not a short count. The send returns 0 with
 * ZCOPY_STOP_SIGNAL; its completion record and its XFER_DONE event must
 * say EINTR (-512, ERESTARTSYS, never reaches userspace).
 */
FIXTURE(edge) {};
FIXTURE_SETUP(edge) {}
FIXTURE_TEARDOWN(edge) {}

TEST_F_TIMEOUT(edge, signal_at_segment_boundary, 120)
{
	struct zu_tcp_opts o = {
		.srv_ns = -1, .cli_ns = -1, .sndbuf = 8192,
	};
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { 0, 300000 } };
	struct zcopy_seg segs[EDGE_SEGS];
	struct zcopy_query q;
	struct zu_pool pool;
	unsigned char *data, *expect;
	size_t off = 0, poff = 0, foff = 0, total;
	int dev, file, snd, rcv, round, i, edges = 0;
	struct zt_nl mon;
	char ev[4096];
	struct nlmsghdr *h = (struct nlmsghdr *)ev;

	ZU_DEV_OPEN(dev, q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, zt_nl_open(&mon, ZCOPY_GENL_NAME));
	ASSERT_EQ(0, zu_events_join(&mon));
	ASSERT_EQ(0, zu_pool_new(dev, EDGE_SEGS * 4096, 21, &pool));
	data = malloc(EDGE_SEGS * 4096);
	expect = malloc(2 * EDGE_SEGS * 4096);
	ASSERT_NE(NULL, data);
	ASSERT_NE(NULL, expect);
	zu_fill(data, EDGE_SEGS * 4096, 22);
	file = zu_tmpfile("/tmp", data, EDGE_SEGS * 4096);
	ASSERT_LE(0, file);
	/* 2, 3 and 4 KiB in turn, pool and file alternating. */
	for (i = 0; i < EDGE_SEGS; i++) {
		size_t len = 2048 + (i % 3) * 1024;

		if (i & 1) {
			segs[i] = zu_seg_file(file, foff, len);
			memcpy(expect + off, data + foff, len);
			foff += len;
		} else {
			segs[i] = zu_seg_pool(pool.id, poff, len);
			memcpy(expect + off, (unsigned char *)pool.mem + poff,
			       len);
			poff += len;
		}
		off += len;
	}
	total = off;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));

	for (round = 0; round < 3; round++) {
		struct zcopy_completion c;
		struct zcopy_send s;
		struct zu_rx rx;
		int r;

		ASSERT_EQ(0, zu_tcp_pair_opts(&o, &snd, &rcv));
		alarms = 0;
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		r = zu_send(dev, snd, segs, EDGE_SEGS, NULL, 0xed0 + round, 0,
			    &s);
		EXPECT_EQ(1, alarms);
		ASSERT_EQ(0, r) TH_LOG("the first bytes fit: %s", strerror(-r));
		zu_log_send(&s);
		ASSERT_EQ(ZCOPY_STOP_SIGNAL, s.stop_reason);
		ASSERT_GT(total, s.bytes_sent);
		EXPECT_EQ(0, zu_check_stop(segs, EDGE_SEGS, &s, NULL));
		edges += s.stop_offset == 0;

		/* Once the peer reads, the stack lets go of the pool pages. */
		ASSERT_EQ(0, zu_rx_start(&rx, rcv, expect, s.bytes_sent,
					 s.bytes_sent));
		zu_rx_join(&rx);
		EXPECT_TRUE(zu_rx_ok(&rx, s.bytes_sent));
		ASSERT_EQ(0, zu_read_compl(dev, &c, 20000));
		zu_log_compl(&c);
		EXPECT_EQ(-EINTR, c.error);
		EXPECT_EQ(0, zu_check_compl(&c, &s));
		ASSERT_EQ(0, zu_event_wait(mon.fd, ZCOPY_CMD_XFER_DONE, ev,
					   sizeof(ev), 10000));
		EXPECT_EQ(0xed0 + round,
			  zt_nla_u64(zt_genl_attr(h, ZCOPY_A_XFER_COOKIE)));
		EXPECT_EQ(-EINTR,
			  (int)zt_nla_u32(zt_genl_attr(h, ZCOPY_A_XFER_ERROR)));
		zu_close(&snd);
		zu_close(&rcv);
	}
	signal(SIGALRM, SIG_DFL);
	TH_LOG("%d of 3 sends stopped at a segment boundary", edges);
	zu_pool_free(&pool);
	close(file);
	close(mon.fd);
	close(dev);
	free(data);
	free(expect);
	if (!edges)
		SKIP(return, "no send stopped at a segment boundary: the case was not reached");
}

/*
 * Unregistering and unmapping a pool in flight: the pages stay pinned, the
 * transfer still sends the bytes they held, and new memory mapped at the
 * same address does not leak into it.
 */
TEST_F_TIMEOUT(stall, unregister_and_unmap_during_transfer, 120)
{
	struct zcopy_seg seg = self->segs[0];
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zu_rx rx;
	void *p;

	ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, NULL, 5,
			     ZCOPY_SEND_DONTWAIT, &s));
	ASSERT_LT(0, s.bytes_sent);
	EXPECT_EQ(0, zu_pool_unreg(self->dev, self->pool.id));
	self->pool.id = 0;
	ASSERT_EQ(0, munmap(self->pool.mem, self->pool.maplen));
	p = mmap(self->pool.mem, self->pool.maplen, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(self->pool.mem, p);
	memset(p, 0xee, self->pool.maplen);
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, self->expect, s.bytes_sent,
				 s.bytes_sent));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, s.bytes_sent));
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
}

/*
 * Closing the device while its transfers are still queued in a socket is
 * safe: the module stays pinned until the stack lets go of the pages, the
 * peer gets every byte, and the reference count comes back down.
 */
TEST_F_TIMEOUT(stall, close_device_with_transfers_in_flight, 120)
{
	struct zcopy_send s;
	struct zu_rx rx;
	long before, during, after;

	zu_close(&self->dev);	/* the fixture's file; pool pages stay mapped */
	self->pool.dev = -1;
	before = zu_module_refcnt();
	ASSERT_LE(0, before);
	self->dev = zu_dev_open_raw(0);
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, zu_pool_reg(self->dev, self->pool.mem, 2 * STALL_SEG,
				 &self->pool.id));
	self->segs[0].id = self->segs[2].id = self->pool.id;
	ASSERT_EQ(0, zu_send(self->dev, self->snd, self->segs, 4, NULL, 6,
			     ZCOPY_SEND_DONTWAIT, &s));
	ASSERT_LT(0, s.bytes_sent);
	EXPECT_EQ(ZCOPY_STOP_AGAIN, s.stop_reason);
	zu_close(&self->dev);
	self->pool.id = 0;
	during = zu_module_refcnt();
	EXPECT_LT(before, during) TH_LOG("nothing pins the module while pool pages are queued");

	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, self->expect, s.bytes_sent,
				 s.bytes_sent));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, s.bytes_sent));
	after = zu_wait_refcnt(before, 20000);
	TH_LOG("refcnt before %ld, in flight %ld, after draining %ld", before,
	       during, after);
	EXPECT_EQ(before, after);
}

TEST_HARNESS_MAIN
