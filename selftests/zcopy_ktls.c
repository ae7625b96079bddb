// SPDX-License-Identifier: GPL-2.0
/*
 * ZCOPY_IOC_SEND on kernel TLS sockets: the sender has the "tls" ULP with
 * TLS_TX (AES-GCM-128), the receiver TLS_RX with the same key and decrypts.
 * The CPU encrypts into new buffers, so every byte is reported copied with
 * ZCOPY_REASON_KTLS (per segment at send time, and in the completion), and
 * the receiver must decrypt exactly the bytes of the segments. Records
 * must be closed at the end of a send (no MSG_MORE left on the last
 * segment, also when the send stops early at EOF), or the peer cannot
 * decrypt the tail.
 */

#include <stddef.h>
#include <linux/tls.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

#define POOL_LEN (256 * 1024)
#define FILE_LEN (256 * 1024)

FIXTURE(ktls)
{
	int dev;
	struct zcopy_query q;
	struct zu_pool pool;
	unsigned char *file_data;
	int file;
	int snd, rcv;
	__u64 cookie;
	__u32 send_flags;	/* of every tls_send() */
	struct zcopy_seg_result res[16];	/* of the last tls_send() */
};

static int tls_setup(int fd, int dir, uint64_t seed)
{
	struct tls12_crypto_info_aes_gcm_128 ci;
	unsigned char keymat[8 + 16 + 4 + 8];

	memset(&ci, 0, sizeof(ci));
	zu_fill(keymat, sizeof(keymat), seed);
	ci.info.version = TLS_1_2_VERSION;
	ci.info.cipher_type = TLS_CIPHER_AES_GCM_128;
	memcpy(ci.iv, keymat, 8);
	memcpy(ci.key, keymat + 8, 16);
	memcpy(ci.salt, keymat + 24, 4);
	memcpy(ci.rec_seq, keymat + 28, 8);
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof("tls")))
		return -errno;
	if (setsockopt(fd, SOL_TLS, dir, &ci, sizeof(ci)))
		return -errno;
	return 0;
}

FIXTURE_SETUP(ktls)
{
	uint64_t seed = zu_seed("ktls");
	int r;

	self->file = self->snd = self->rcv = -1;
	self->file_data = NULL;
	self->pool.mem = NULL;
	self->pool.dev = -1;
	ZU_DEV_OPEN(self->dev, self->q, ZCOPY_FEATURE_POOLS |
		    ZCOPY_FEATURE_SEND | ZCOPY_FEATURE_KTLS);
	ASSERT_EQ(0, zu_pool_new(self->dev, POOL_LEN, seed, &self->pool));
	self->file_data = malloc(FILE_LEN);
	ASSERT_NE(NULL, self->file_data);
	zu_fill(self->file_data, FILE_LEN, seed + 1);
	self->file = zu_tmpfile("/tmp", self->file_data, FILE_LEN);
	ASSERT_LE(0, self->file);
	ASSERT_EQ(0, zu_tcp_pair(&self->snd, &self->rcv));

	r = tls_setup(self->snd, TLS_TX, seed + 2);
	if (r == -ENOENT) {
		zu_sh("modprobe tls 2>/dev/null");
		r = tls_setup(self->snd, TLS_TX, seed + 2);
	}
	if (r == -ENOENT)
		SKIP(return, "no kernel TLS (TCP_ULP \"tls\": ENOENT)");
	ASSERT_EQ(0, r) TH_LOG("TLS_TX: %s", strerror(-r));
	r = tls_setup(self->rcv, TLS_RX, seed + 2);
	ASSERT_EQ(0, r) TH_LOG("TLS_RX: %s", strerror(-r));
	self->cookie = 1;
}

FIXTURE_TEARDOWN(ktls)
{
	zu_close(&self->snd);
	zu_close(&self->rcv);
	zu_close(&self->file);
	zu_pool_free(&self->pool);
	free(self->file_data);
	zu_close(&self->dev);
}

static const unsigned char *seg_data(FIXTURE_DATA(ktls) *self,
				     const struct zcopy_seg *seg)
{
	return (seg->type == ZCOPY_SEG_POOL ? self->pool.mem :
		self->file_data) + seg->offset;
}

/*
 * Send @segs over the TLS socket; the receiver decrypts and compares. Every
 * byte must be reported copied for kTLS. @s gets the outputs, @c the
 * completion.
 */
static void tls_send(struct __test_metadata *_metadata,
		     FIXTURE_DATA(ktls) *self, const struct zcopy_seg *segs,
		     __u32 n, size_t want, struct zcopy_send *s,
		     struct zcopy_completion *c)
{
	struct zcopy_seg_result *res = self->res;
	unsigned char *expect;
	size_t total = 0, off = 0, pool = 0;
	struct zu_rx rx;
	__u32 i;

	ASSERT_GE(16, n);
	for (i = 0; i < n; i++)
		total += segs[i].len;
	expect = malloc(total);
	ASSERT_NE(NULL, expect);
	for (i = 0; i < n; i++) {
		memcpy(expect + off, seg_data(self, &segs[i]), segs[i].len);
		off += segs[i].len;
	}
	memset(res, 0xff, sizeof(self->res));
	ASSERT_EQ(0, zu_rx_start_idle(&rx, self->rcv, expect, total, want,
				      5000));
	ASSERT_EQ(0, zu_send(self->dev, self->snd, segs, n, res, self->cookie,
			     self->send_flags, s));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, want)) TH_LOG("decrypted stream differs");
	EXPECT_EQ(-ETIMEDOUT, zu_wait_fd(self->rcv, POLLIN, 100))
		TH_LOG("more than bytes_sent arrived");
	EXPECT_EQ(want, s->bytes_sent);
	EXPECT_EQ(0, zu_check_stop(segs, n, s, res));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(res[i].sent, res[i].copied)
			TH_LOG("segment %u: %llu of %llu copied", i,
			       (unsigned long long)res[i].copied,
			       (unsigned long long)res[i].sent);
		if (res[i].sent) {
			EXPECT_EQ(ZCOPY_REASON_KTLS, res[i].reason)
				TH_LOG("segment %u reason %s", i,
				       zu_reason_name(res[i].reason));
		}
		if (segs[i].type == ZCOPY_SEG_POOL)
			pool += res[i].sent;
	}
	ASSERT_EQ(0, zu_read_compl(self->dev, c, 20000));
	EXPECT_EQ(self->cookie, c->cookie);
	EXPECT_EQ(0, zu_check_compl(c, s));
	EXPECT_EQ(pool, c->pool_bytes);
	EXPECT_EQ(c->bytes, c->copied_bytes);
	EXPECT_EQ(0, c->zc_bytes);
	if (c->bytes) {
		EXPECT_TRUE(c->flags & ZCOPY_COMPL_COPIED);
		EXPECT_EQ(ZCOPY_REASON_KTLS, c->reason) zu_log_compl(c);
	}
	if (pool) {
		EXPECT_TRUE(c->flags & ZCOPY_COMPL_POOL_COPIED);
	}
	self->cookie++;
	free(expect);
}

TEST_F(ktls, file_extents)
{
	struct zcopy_seg segs[] = {
		zu_seg_file(self->file, 0, 1000),
		zu_seg_file(self->file, 4095, 70001),	/* several records */
		zu_seg_file(self->file, FILE_LEN - 3, 3),
	};
	struct zcopy_completion c;
	struct zcopy_send s;

	tls_send(_metadata, self, segs, ARRAY_SIZE(segs), 71004, &s, &c);
	EXPECT_EQ(0, c.pool_bytes);
}

/*
 * ZCOPY_SEND_FILE_NOTIFY on kTLS: the record would keep referenced pages
 * past the send with no notification, so the file bytes are copied at
 * send time; the completion says the pages were released, and nothing
 * was copied late.
 */
TEST_F(ktls, file_notify)
{
	struct zcopy_seg segs[] = {
		zu_seg_file(self->file, 0, 1000),
		zu_seg_file(self->file, 4095, 70001),
		zu_seg_pool(self->pool.id, 17, 20000),
	};
	struct zcopy_completion c;
	struct zcopy_send s;

	if (!(self->q.features & ZCOPY_FEATURE_FILE_NOTIFY))
		SKIP(return, "module without file-notify");
	self->send_flags = ZCOPY_SEND_FILE_NOTIFY;
	tls_send(_metadata, self, segs, ARRAY_SIZE(segs), 91001, &s, &c);
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_FILE_RELEASED);
	EXPECT_FALSE(c.flags & ZCOPY_COMPL_FILE_COPIED);
	EXPECT_EQ(20000, c.pool_bytes);
}

/*
 * file-changed on kTLS: the record took a copy at send time, so a rewrite
 * after the send returned, the peer not yet reading, changes nothing the
 * peer decrypts, and the completion does not flag it.
 */
TEST_F(ktls, file_changed_after_send_not_flagged)
{
	struct zcopy_seg seg = zu_seg_file(self->file, 4095, 70001);
	unsigned char *new = malloc(FILE_LEN);
	int sndbuf = 4 * FILE_LEN;
	struct zcopy_completion c;
	struct zcopy_seg_result res;
	struct zcopy_send s;
	struct zu_rx rx;

	ASSERT_NE(NULL, new);
	if (!(self->q.features & ZCOPY_FEATURE_FILE_CHANGED))
		SKIP(return, "module without file-changed");
	ASSERT_EQ(0, setsockopt(self->snd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, zu_send(self->dev, self->snd, &seg, 1, &res, 7,
			     ZCOPY_SEND_FILE_NOTIFY, &s));
	ASSERT_EQ(70001, s.bytes_sent);
	EXPECT_EQ(70001, res.copied);
	memset(new, 'N', FILE_LEN);
	ASSERT_EQ(FILE_LEN, pwrite(self->file, new, FILE_LEN, 0));
	ASSERT_EQ(0, zu_rx_start_idle(&rx, self->rcv, self->file_data + 4095,
				      70001, 70001, 5000));
	zu_rx_join(&rx);
	EXPECT_TRUE(zu_rx_ok(&rx, 70001))
		TH_LOG("the peer decrypted bytes written after the send");
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 20000));
	EXPECT_EQ(0, zu_check_compl(&c, &s));
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_FILE_RELEASED);
	EXPECT_FALSE(c.flags & ZCOPY_COMPL_FILE_CHANGED) zu_log_compl(&c);
	EXPECT_EQ(0, c.changed_seg);
	free(new);
}

TEST_F(ktls, pool_range)
{
	struct zcopy_seg seg = zu_seg_pool(self->pool.id, 17, 100000);
	struct zcopy_completion c;
	struct zcopy_send s;

	tls_send(_metadata, self, &seg, 1, 100000, &s, &c);
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_POOL_COPIED);
	EXPECT_EQ(ZCOPY_REASON_KTLS, c.reason);
}

TEST_F(ktls, mixed_segments)
{
	struct zcopy_seg segs[] = {
		zu_seg_pool(self->pool.id, 0, 37),
		zu_seg_file(self->file, 1, 20000),
		zu_seg_pool(self->pool.id, 5000, 40000),
		zu_seg_file(self->file, 100000, 1),
		zu_seg_pool(self->pool.id, POOL_LEN - 1, 1),
	};
	struct zcopy_completion c;
	struct zcopy_send s;

	tls_send(_metadata, self, segs, ARRAY_SIZE(segs),
		 37 + 20000 + 40000 + 1 + 1, &s, &c);
	EXPECT_EQ(37 + 40000 + 1, c.pool_bytes);
}

/* Many small sends: each record must be closed so the peer can read it. */
TEST_F(ktls, small_sends_arrive_promptly)
{
	struct zcopy_completion c;
	struct zcopy_send s;
	uint64_t t0;
	int i;

	for (i = 0; i < 8; i++) {
		struct zcopy_seg seg = i & 1 ?
			zu_seg_pool(self->pool.id, i * 10, 10) :
			zu_seg_file(self->file, i * 10, 10);

		t0 = zu_now_ns();
		tls_send(_metadata, self, &seg, 1, 10, &s, &c);
		EXPECT_GT(1000, zu_ms_since(t0));
	}
}

/*
 * A send that stops at EOF still closes its record: the receiver decrypts
 * exactly bytes_sent.
 */
TEST_F(ktls, short_send_at_eof)
{
	struct zcopy_seg segs[] = {
		zu_seg_pool(self->pool.id, 0, 500),
		zu_seg_file(self->file, FILE_LEN - 700, 5000),
		zu_seg_pool(self->pool.id, 500, 500),
	};
	struct zcopy_completion c;
	struct zcopy_send s;

	tls_send(_metadata, self, segs, ARRAY_SIZE(segs), 1200, &s, &c);
	EXPECT_EQ(ZCOPY_STOP_EOF, s.stop_reason);
	EXPECT_EQ(1, s.stop_seg);
	EXPECT_EQ(700, s.stop_offset);
	EXPECT_TRUE(c.flags & ZCOPY_COMPL_SHORT);
}

/* File extents on a cold ext4 page cache, through TLS. */
TEST_F(ktls, ext4_file_extents)
{
	struct zu_ext4 fs;
	struct zcopy_completion c;
	struct zcopy_send s;
	struct zcopy_seg seg;
	char why[256];
	int fd, r;

	r = zu_ext4_mount(&fs, why, sizeof(why));
	if (r == KSFT_SKIP)
		SKIP(return, "ext4 on a loop device: %s", why);
	ASSERT_EQ(0, r);
	fd = zu_disk_file(fs.dir, "tls", self->file_data, FILE_LEN);
	ASSERT_LE(0, fd);
	/* seg_data() reads file_data: same bytes as the tmpfs file. */
	seg = zu_seg_file(fd, 333, 150000);
	tls_send(_metadata, self, &seg, 1, 150000, &s, &c);
	close(fd);
	zu_ext4_umount(&fs);
}

/*
 * ZCOPY_IOC_PROBE agrees with the send (route-probe): on a kTLS socket it
 * says every pool range (short or not) and file extent is copied for kTLS,
 * and the segment results and completions of the sends that follow say
 * the same.
 */
TEST_F(ktls, probe_agrees)
{
	struct zcopy_seg pool = zu_seg_pool(self->pool.id, 0, POOL_LEN);
	struct zcopy_seg file = zu_seg_file(self->file, 3, FILE_LEN - 3);
	struct zcopy_completion c;
	struct zcopy_probe p;
	struct zcopy_send s;

	if (!(self->q.features & ZCOPY_FEATURE_ROUTE_PROBE))
		SKIP(return, "the module has no route-probe");
	ASSERT_EQ(0, zu_probe(self->dev, self->snd, &p));
	zu_log_probe(&p);
	EXPECT_TRUE(p.route_flags & ZCOPY_PROBE_KTLS);
	EXPECT_TRUE(p.route_flags & ZCOPY_PROBE_LOCAL);
	EXPECT_STREQ("lo", p.ifname);

	tls_send(_metadata, self, &pool, 1, pool.len, &s, &c);
	EXPECT_EQ(p.pool_seg_reason, self->res[0].reason);
	EXPECT_EQ(self->res[0].sent, self->res[0].copied);
	EXPECT_EQ(p.pool_reason, c.reason);

	tls_send(_metadata, self, &file, 1, file.len, &s, &c);
	EXPECT_EQ(p.file_reason, self->res[0].reason);
	EXPECT_EQ(p.file_reason, c.reason);

	if (p.copy_threshold > 1) {
		pool.len = p.copy_threshold - 1;
		tls_send(_metadata, self, &pool, 1, pool.len, &s, &c);
		EXPECT_EQ(p.small_reason, self->res[0].reason);
		EXPECT_EQ(p.small_reason, c.reason);
	}
	/* The receiving socket has no TLS_TX: a plain local route. */
	ASSERT_EQ(0, zu_probe(self->dev, self->rcv, &p));
	EXPECT_FALSE(p.route_flags & ZCOPY_PROBE_KTLS);
	EXPECT_EQ(ZCOPY_REASON_LOCAL, p.pool_reason);
}

TEST_HARNESS_MAIN
