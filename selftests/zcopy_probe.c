// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_PROBE: its argument checks, each rejection in its own test with
 * its exact errno, and what it says on loopback. That the probe agrees with
 * what ZCOPY_IOC_SEND then reports is tested on every route in
 * zcopy_topology.c (lo, veth, veth without SG, vmxnet3) and in
 * zcopy_ktls.c (kTLS).
 */

#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

/* One layout for 32- and 64-bit callers: this file is built as both. */
_Static_assert(sizeof(struct zcopy_probe) == 72, "zcopy_probe");

FIXTURE(probe)
{
	int dev;
	struct zcopy_query q;
	int snd, rcv;
	struct zcopy_probe p;
};

FIXTURE_SETUP(probe)
{
	self->snd = self->rcv = -1;
	ZU_DEV_OPEN(self->dev, self->q, ZCOPY_FEATURE_ROUTE_PROBE);
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
	memset(&self->p, 0, sizeof(self->p));
	self->p.size = sizeof(self->p);
	self->p.sockfd = self->snd;
}

FIXTURE_TEARDOWN(probe)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->dev);
}

/* The probe of @fd (closed after) fails with @err. */
#define EXPECT_PROBE_FAILS(fd, err) do {				\
	self->p.sockfd = (fd);						\
	EXPECT_EQ(-(err), probe_raw(self->dev, &self->p));		\
	close(fd);							\
} while (0)

static int probe_raw(int dev, struct zcopy_probe *p)
{
	return ioctl(dev, ZCOPY_IOC_PROBE, p) ? -errno : 0;
}

TEST_F(probe, loopback)
{
	struct zcopy_probe again;

	ASSERT_EQ(0, probe_raw(self->dev, &self->p));
	zu_log_probe(&self->p);
	EXPECT_EQ(self->q.copy_threshold, self->p.copy_threshold);
	EXPECT_TRUE(self->p.route_flags & ZCOPY_PROBE_DST);
	EXPECT_TRUE(self->p.route_flags & ZCOPY_PROBE_LOCAL);
	EXPECT_FALSE(self->p.route_flags & ZCOPY_PROBE_KTLS);
	EXPECT_EQ(0, self->p.route_flags & ~(__u32)((ZCOPY_PROBE_DEV_TSO << 1) - 1));
	EXPECT_EQ(if_nametoindex("lo"), (unsigned int)self->p.ifindex);
	EXPECT_STREQ("lo", self->p.ifname);
	EXPECT_LT(0, self->p.mtu);
	EXPECT_LT(0, self->p.mss);
	/* Loopback has SG: pool pages are copied by local delivery only. */
	EXPECT_TRUE(self->p.route_flags & ZCOPY_PROBE_DEV_SG);
	EXPECT_EQ(ZCOPY_REASON_LOCAL, self->p.pool_reason);
	EXPECT_EQ(ZCOPY_REASON_NONE, self->p.pool_seg_reason);
	EXPECT_EQ(ZCOPY_REASON_NONE, self->p.file_reason);
	if (self->p.copy_threshold > 1) {
		EXPECT_EQ(ZCOPY_REASON_SMALL, self->p.small_reason);
	}
	/* The receiving side of the connection has its own route: lo too. */
	ASSERT_EQ(0, zu_probe(self->dev, self->rcv, &again));
	EXPECT_EQ(self->p.pool_reason, again.pool_reason);
	EXPECT_STREQ("lo", again.ifname);
}

/* Out fields are outputs: whatever the caller left there is overwritten. */
TEST_F(probe, out_fields_ignored)
{
	struct zcopy_probe clean;

	ASSERT_EQ(0, zu_probe(self->dev, self->snd, &clean));
	memset((char *)&self->p + offsetof(struct zcopy_probe, pool_reason),
	       0xa5, sizeof(self->p) - offsetof(struct zcopy_probe, pool_reason));
	ASSERT_EQ(0, probe_raw(self->dev, &self->p));
	EXPECT_EQ(0, memcmp(&clean, &self->p, sizeof(clean)));
}

/* The probe sends nothing and starts no transfer: no completion follows. */
TEST_F(probe, sends_nothing)
{
	struct zcopy_completion c;

	ASSERT_EQ(0, probe_raw(self->dev, &self->p));
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 200));
	EXPECT_EQ(-ETIMEDOUT, zu_read_compl(self->dev, &c, 200));
}

/* An older caller's struct, cut inside the first version: EINVAL. */
TEST_F(probe, size_too_small)
{
	self->p.size = offsetof(struct zcopy_probe, ifname) + 8;
	EXPECT_EQ(-EINVAL, probe_raw(self->dev, &self->p));
}

/* A newer caller's struct with non-zero bytes past what we know: E2BIG. */
TEST_F(probe, size_larger_nonzero_tail)
{
	struct {
		struct zcopy_probe p;
		__u64 more;
	} big;

	memset(&big, 0, sizeof(big));
	big.p = self->p;
	big.p.size = sizeof(big);
	big.more = 1;
	EXPECT_EQ(-E2BIG, probe_raw(self->dev, &big.p));
	big.more = 0;
	EXPECT_EQ(0, probe_raw(self->dev, &big.p));
	EXPECT_STREQ("lo", big.p.ifname);
	EXPECT_EQ(0, big.more);
}

TEST_F(probe, flags_nonzero)
{
	self->p.flags = 1;
	EXPECT_EQ(-EINVAL, probe_raw(self->dev, &self->p));
}

TEST_F(probe, reserved_nonzero)
{
	self->p.__reserved = 1;
	EXPECT_EQ(-EINVAL, probe_raw(self->dev, &self->p));
}

TEST_F(probe, bad_fd)
{
	self->p.sockfd = -1;
	EXPECT_EQ(-EBADF, probe_raw(self->dev, &self->p));
}

TEST_F(probe, closed_fd)
{
	int fd = dup(self->snd);

	ASSERT_LE(0, fd);
	close(fd);
	self->p.sockfd = fd;
	EXPECT_EQ(-EBADF, probe_raw(self->dev, &self->p));
}

TEST_F(probe, not_a_socket)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_PROBE_FAILS(fd, ENOTSOCK);
}

/* A connected UDP socket: not TCP. */
TEST_F(probe, udp_socket)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(9),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
	EXPECT_PROBE_FAILS(fd, EOPNOTSUPP);
}

/* A connected AF_UNIX stream socket: not TCP. */
TEST_F(probe, unix_stream_socket)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	self->p.sockfd = sv[0];
	EXPECT_EQ(-EOPNOTSUPP, probe_raw(self->dev, &self->p));
	close(sv[0]);
	close(sv[1]);
}

TEST_F(probe, tcp_never_connected)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	EXPECT_PROBE_FAILS(fd, ENOTCONN);
}

TEST_F(probe, tcp_listening)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(fd, 1));
	EXPECT_PROBE_FAILS(fd, ENOTCONN);
}

/* The device's own fd is a file, not a socket. */
TEST_F(probe, device_fd)
{
	self->p.sockfd = self->dev;
	EXPECT_EQ(-ENOTSOCK, probe_raw(self->dev, &self->p));
}

/* Unreadable argument: EFAULT, as every ioctl. */
TEST_F(probe, bad_pointer)
{
	EXPECT_EQ(-1, ioctl(self->dev, ZCOPY_IOC_PROBE, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

/* ZCOPY_IOC_QUERY names the feature. */
TEST_F(probe, feature_bit)
{
	EXPECT_TRUE(self->q.features & ZCOPY_FEATURE_ROUTE_PROBE);
	EXPECT_EQ(1 << 6, ZCOPY_FEATURE_ROUTE_PROBE);
}

TEST_HARNESS_MAIN
