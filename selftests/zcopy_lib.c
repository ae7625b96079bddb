// SPDX-License-Identifier: GPL-2.0
/*
 * libzcopy against the module: what the library promises its users
 * (short sends resumed, long lists cut, completions reaped in batches,
 * the netlink side) holds on the running kernel. The other tests call the
 * ABI by hand on purpose, so that a library bug cannot hide a module one;
 * this one is where the library itself is tested.
 */

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libzcopy.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#define LIB_LEN		(1024 * 1024)

FIXTURE(lib) {
	struct libzcopy *z;
	struct zcopy_query q;
	struct libzcopy_pool pool;
	unsigned char *data;	/* pool bytes, then file bytes */
	int file;
	int snd, rcv;
};

FIXTURE_SETUP(lib)
{
	int fd, r;

	self->z = NULL;
	self->data = NULL;
	self->file = self->snd = self->rcv = -1;
	memset(&self->pool, 0, sizeof(self->pool));
	ZU_DEV_OPEN(fd, self->q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, libzcopy_open_fd(&self->z, fd));
	self->data = malloc(2 * LIB_LEN);
	ASSERT_NE(NULL, self->data);
	zu_fill(self->data, 2 * LIB_LEN, zu_seed(_metadata->name));
	r = libzcopy_pool_alloc(self->z, &self->pool, LIB_LEN, self->data);
	ASSERT_EQ(0, r) TH_LOG("libzcopy_pool_alloc: %s", strerror(-r));
	self->file = zu_tmpfile("/tmp", self->data + LIB_LEN, LIB_LEN);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));
}

FIXTURE_TEARDOWN(lib)
{
	if (self->z && self->pool.addr)
		EXPECT_EQ(0, libzcopy_pool_free(self->z, &self->pool));
	zu_close(&self->file);
	zu_close(&self->snd);
	zu_close(&self->rcv);
	if (self->z)
		libzcopy_close(self->z);
	free(self->data);
}

/*
 * Reap @want completions; each must carry @cookie, and no error but
 * @short_err (a send that stopped early, e.g. -EAGAIN, says why in its
 * completion).
 */
static int lib_reap(struct __test_metadata *_metadata, struct libzcopy *z,
		    unsigned int want, uint64_t cookie, int short_err)
{
	struct zcopy_completion c[16];
	unsigned int got = 0;
	int n, i;

	while (got < want) {
		n = libzcopy_reap(z, c, 16, 5000);
		if (n <= 0) {
			TH_LOG("libzcopy_reap: %d after %u of %u", n, got, want);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (c[i].cookie != cookie ||
			    (c[i].error && c[i].error != short_err)) {
				TH_LOG("completion %u: cookie %llu error %d",
				       got + i, (unsigned long long)c[i].cookie,
				       c[i].error);
				return -1;
			}
		}
		got += n;
	}
	/* Exactly @want: nothing more is queued. */
	return libzcopy_reap(z, c, 1, 0) == 0 ? 0 : -1;
}

/*
 * A non-blocking socket with a small send buffer: libzcopy_send_all()
 * returns with ZCOPY_STOP_AGAIN, the caller waits for POLLOUT and calls
 * again with the same state, and the peer gets every byte once, in order.
 */
TEST_F(lib, send_all_resumes_on_a_full_socket)
{
	struct libzcopy_send_state st = { 0 };
	struct zcopy_seg segs[2];
	struct zu_rx rx;
	unsigned int again = 0;
	int sndbuf = 16384, r;

	ASSERT_EQ(0, setsockopt(self->snd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, zu_set_nonblock(self->snd, true));
	libzcopy_seg_pool(&segs[0], self->pool.id, 0, LIB_LEN);
	libzcopy_seg_file(&segs[1], self->file, 0, LIB_LEN);
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, self->data, 2 * LIB_LEN,
				 2 * LIB_LEN));
	while (!libzcopy_send_done(&st, 2)) {
		r = libzcopy_send_all(self->z, self->snd, segs, 2, 0, 7, &st);
		ASSERT_LE(0, r) TH_LOG("libzcopy_send_all: %s", strerror(-r));
		if (libzcopy_send_done(&st, 2))
			break;
		ASSERT_EQ(ZCOPY_STOP_AGAIN, st.stop_reason)
			TH_LOG("stopped: %s", libzcopy_stop_name(st.stop_reason));
		again++;
		ASSERT_EQ(0, zu_wait_fd(self->snd, POLLOUT, 5000));
	}
	zu_rx_join(&rx);
	zu_rx_log(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, 2 * LIB_LEN));
	EXPECT_EQ(2 * LIB_LEN, st.bytes_sent);
	/* 2 MiB cannot fit a 16 KiB buffer in one go. */
	EXPECT_LT(0, again);
	EXPECT_EQ(0, st.eof_segs);
	EXPECT_EQ(0, lib_reap(_metadata, self->z, st.transfers, 7,
			       -EAGAIN));
}

/*
 * More segments than one send takes (max_segments from the query): the
 * library cuts the list, each part is its own transfer, and the bytes
 * arrive as if it had been one.
 */
TEST_F(lib, long_list_is_cut_into_sends)
{
	struct libzcopy_send_state st = { 0 };
	unsigned int n = self->q.max_segments + 3, i;
	uint64_t chunk = LIB_LEN / n & ~63ULL;
	struct zcopy_seg *segs;
	unsigned char *expect;
	struct zu_rx rx;
	int r;

	ASSERT_LT(0, self->q.max_segments);
	ASSERT_LT(0, chunk);
	segs = calloc(n, sizeof(*segs));
	expect = malloc(n * chunk);
	ASSERT_NE(NULL, segs);
	ASSERT_NE(NULL, expect);
	/* Alternate pool and file, so the cut lands between kinds too. */
	for (i = 0; i < n; i++) {
		if (i % 2)
			libzcopy_seg_file(&segs[i], self->file, i * chunk, chunk);
		else
			libzcopy_seg_pool(&segs[i], self->pool.id, i * chunk,
					  chunk);
		memcpy(expect + i * chunk,
		       self->data + (i % 2) * LIB_LEN + i * chunk, chunk);
	}
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, n * chunk, n * chunk));
	r = libzcopy_send_all(self->z, self->snd, segs, n, 0, 9, &st);
	zu_rx_join(&rx);
	zu_rx_log(&rx);
	ASSERT_LE(0, r) TH_LOG("libzcopy_send_all: %s", strerror(-r));
	EXPECT_TRUE(libzcopy_send_done(&st, n));
	EXPECT_TRUE(zu_rx_ok(&rx, n * chunk));
	EXPECT_EQ(n * chunk, st.bytes_sent);
	EXPECT_LE(2, st.transfers);
	EXPECT_EQ(0, lib_reap(_metadata, self->z, st.transfers, 9, 0));
	free(expect);
	free(segs);
}

/* A file extent past EOF is cut short, counted, and the rest still goes. */
TEST_F(lib, eof_extent_is_skipped_and_counted)
{
	struct libzcopy_send_state st = { 0 };
	struct zcopy_seg segs[2];
	unsigned char expect[8192];
	struct zu_rx rx;
	int r;

	/* The file's last 4 KiB, then the pool's first. */
	libzcopy_seg_file(&segs[0], self->file, LIB_LEN - 4096, 8192);
	libzcopy_seg_pool(&segs[1], self->pool.id, 0, 4096);
	memcpy(expect, self->data + 2 * LIB_LEN - 4096, 4096);
	memcpy(expect + 4096, self->data, 4096);
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, expect, 8192, 8192));
	r = libzcopy_send_all(self->z, self->snd, segs, 2, 0, 11, &st);
	zu_rx_join(&rx);
	zu_rx_log(&rx);
	ASSERT_LE(0, r) TH_LOG("libzcopy_send_all: %s", strerror(-r));
	EXPECT_TRUE(libzcopy_send_done(&st, 2));
	EXPECT_EQ(1, st.eof_segs);
	EXPECT_EQ(8192, st.bytes_sent);
	EXPECT_TRUE(zu_rx_ok(&rx, 8192));
	EXPECT_EQ(0, lib_reap(_metadata, self->z, st.transfers, 11, 0));
}

struct lib_pools {
	uint32_t id;
	uint64_t len;
	bool seen;
};

static int lib_pool_cb(const struct libzcopy_nl_obj *o, void *arg)
{
	struct lib_pools *p = arg;

	if (libzcopy_nl_get(o, ZCOPY_A_POOL_ID) == p->id) {
		p->seen = true;
		p->len = libzcopy_nl_get(o, ZCOPY_A_POOL_LEN);
	}
	return 0;
}

/*
 * The netlink side: the pool is in the dump with its length, XFER_START
 * through the library sends it, and the stats count what was sent.
 */
TEST_F(lib, netlink_pools_xfer_and_stats)
{
	struct lib_pools p = { .id = self->pool.id };
	struct libzcopy_nl_obj before, after;
	struct libzcopy_nl_err e = { 0 };
	struct libzcopy_nl_obj o;
	struct libzcopy_nl *n;
	struct zcopy_seg seg;
	struct zu_rx rx;
	uint32_t id = 0;
	int r;

	r = libzcopy_nl_open(&n, NULL, &e);
	if (r == -ENOENT)
		SKIP(return, "no zcopy genl family: %s", e.msg);
	ASSERT_EQ(0, r) TH_LOG("libzcopy_nl_open: %s", e.msg);
	ASSERT_EQ(0, libzcopy_nl_pools(n, lib_pool_cb, &p, &e))
		TH_LOG("pools: %s", e.msg);
	EXPECT_TRUE(p.seen);
	EXPECT_EQ(LIB_LEN, p.len);

	ASSERT_EQ(0, libzcopy_nl_stats(n, &before, &e)) TH_LOG("%s", e.msg);
	libzcopy_seg_pool(&seg, self->pool.id, 0, 65536);
	ASSERT_EQ(0, zu_rx_start(&rx, self->rcv, self->data, 65536, 65536));
	r = libzcopy_nl_xfer_start(n, self->snd, libzcopy_fd(self->z), &seg, 1,
				   0, 13, 0, &id, &e);
	zu_rx_join(&rx);
	zu_rx_log(&rx);
	ASSERT_EQ(0, r) TH_LOG("XFER_START: %s (%s)", strerror(-r), e.msg);
	EXPECT_NE(0, id);
	EXPECT_TRUE(zu_rx_ok(&rx, 65536));
	EXPECT_EQ(0, lib_reap(_metadata, self->z, 1, 13, 0));
	/* Completed: no longer there. */
	EXPECT_EQ(-ENOENT, libzcopy_nl_xfer_get(n, id, &o, &e));
	EXPECT_EQ(-ENOENT, libzcopy_nl_xfer_cancel(n, id, &e));
	EXPECT_EQ(-EINVAL, libzcopy_nl_xfer_start(n, self->snd, -1, &seg, 1,
						  0, 13, 1u << 31, &id, &e));
	ASSERT_EQ(0, libzcopy_nl_stats(n, &after, &e)) TH_LOG("%s", e.msg);
	EXPECT_LE(libzcopy_nl_get(&before, ZCOPY_A_STATS_BYTES_POOL) + 65536,
		  libzcopy_nl_get(&after, ZCOPY_A_STATS_BYTES_POOL));
	libzcopy_nl_close(n);
}

static int lib_xfer_cb(const struct libzcopy_nl_obj *o, void *arg)
{
	uint32_t *id = arg;

	if (libzcopy_nl_get(o, ZCOPY_A_XFER_ID) == id[0])
		id[1]++;
	return 0;
}

/*
 * A transfer stalled on a peer that reads nothing: the library lists it,
 * reads it and cancels it.
 */
TEST_F(lib, netlink_xfer_get_and_cancel)
{
	struct libzcopy_nl_err e = { 0 };
	struct libzcopy_nl_obj o;
	struct libzcopy_nl *n;
	struct zcopy_seg seg;
	uint32_t id[2] = { 0, 0 };
	int r, i;

	r = libzcopy_nl_open(&n, NULL, &e);
	if (r == -ENOENT)
		SKIP(return, "no zcopy genl family: %s", e.msg);
	ASSERT_EQ(0, r) TH_LOG("libzcopy_nl_open: %s", e.msg);
	if (!libzcopy_nl_has_op(n, ZCOPY_CMD_XFER_CANCEL))
		SKIP(return, "the module has no XFER_CANCEL");
	/* The peer never reads: once its window is shut, the transfer stays. */
	zu_fill_socket(self->snd);
	libzcopy_seg_file(&seg, self->file, 0, 4096);
	r = libzcopy_nl_xfer_start(n, self->snd, -1, &seg, 1, 0, 14,
				   LIBZCOPY_XFER_CANCEL_ON_CLOSE, &id[0], &e);
	ASSERT_EQ(0, r) TH_LOG("XFER_START: %s (%s)", strerror(-r), e.msg);
	ASSERT_EQ(0, libzcopy_nl_xfer_get(n, id[0], &o, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(14, libzcopy_nl_get(&o, ZCOPY_A_XFER_COOKIE));
	EXPECT_EQ(4096, libzcopy_nl_get(&o, ZCOPY_A_XFER_BYTES_TOTAL));
	ASSERT_EQ(0, libzcopy_nl_xfers(n, lib_xfer_cb, id, &e)) TH_LOG("%s", e.msg);
	EXPECT_EQ(1, id[1]);
	EXPECT_EQ(0, libzcopy_nl_xfer_cancel(n, id[0], &e)) TH_LOG("%s", e.msg);
	for (i = 0; i < 50; i++) {
		if (libzcopy_nl_xfer_get(n, id[0], &o, &e) == -ENOENT)
			break;
		usleep(100 * 1000);
	}
	EXPECT_EQ(-ENOENT, libzcopy_nl_xfer_get(n, id[0], &o, &e));
	libzcopy_nl_close(n);
}

/*
 * libzcopy_probe(): the ioctl's answer, the same as the raw ioctl's, and
 * its errors passed through as negative errnos.
 */
TEST_F(lib, probe)
{
	struct zcopy_probe p, raw;
	int r;

	if (!(self->q.features & ZCOPY_FEATURE_ROUTE_PROBE))
		SKIP(return, "the module has no route-probe");
	r = libzcopy_probe(self->z, self->snd, &p);
	ASSERT_EQ(0, r) TH_LOG("libzcopy_probe: %s", strerror(-r));
	ASSERT_EQ(0, zu_probe(libzcopy_fd(self->z), self->snd, &raw));
	EXPECT_EQ(0, memcmp(&p, &raw, sizeof(p)));
	EXPECT_EQ(sizeof(p), p.size);
	EXPECT_STREQ("lo", p.ifname);
	EXPECT_EQ(ZCOPY_REASON_LOCAL, p.pool_reason);
	EXPECT_EQ(-ENOTSOCK, libzcopy_probe(self->z, self->file, &p));
	EXPECT_EQ(-EBADF, libzcopy_probe(self->z, -1, &p));
	EXPECT_EQ(-EINVAL, libzcopy_probe(self->z, self->snd, NULL));
}

TEST_HARNESS_MAIN
