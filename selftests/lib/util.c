// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers of zcopy_util.h, compiled once and linked into every test.
 */

#include "zcopy_util.h"

uint64_t zu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t zu_ms_since(uint64_t start_ns)
{
	return (zu_now_ns() - start_ns) / 1000000ULL;
}

void zu_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool zu_kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &a, &b) != 2)
		return false;
	return a > maj || (a == maj && b >= min);
}

uint64_t zu_seed(const char *name)
{
	const char *env = getenv("ZCOPY_SEED");
	uint64_t seed = 0xcbf29ce484222325ULL;

	if (env && *env) {
		seed = strtoull(env, NULL, 0);
	} else {
		for (; *name; name++)
			seed = (seed ^ (unsigned char)*name) * 0x100000001b3ULL;
	}
	zu_log("seed %" PRIu64 " (set ZCOPY_SEED=%" PRIu64 " to reproduce)",
	       seed, seed);
	return seed;
}

uint64_t zu_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t zu_rand_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	return lo + zu_rand(state) % (hi - lo + 1);
}

void zu_fill(void *buf, size_t len, uint64_t seed)
{
	unsigned char *p = buf;
	uint64_t st = seed, r;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		r = zu_rand(&st);
		memcpy(p + i, &r, 8);
	}
	if (i < len) {
		r = zu_rand(&st);
		memcpy(p + i, &r, len - i);
	}
}

int zu_dev_open(int *fd, struct zcopy_query *q, __u64 need,
			      char *why, size_t whylen)
{
	*fd = -1;
	memset(q, 0, sizeof(*q));
	if (geteuid() != 0) {
		snprintf(why, whylen, "needs root");
		return KSFT_SKIP;
	}
	*fd = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;

		snprintf(why, whylen, "open %s: %s%s", ZCOPY_DEV_PATH,
			 strerror(e), e == ENOENT ?
			 " (zcopy.ko not loaded)" : "");
		return (e == ENOENT || e == EACCES || e == EPERM) ?
			KSFT_SKIP : -e;
	}
	q->size = sizeof(*q);
	if (ioctl(*fd, ZCOPY_IOC_QUERY, q)) {
		int e = errno;

		snprintf(why, whylen, "ZCOPY_IOC_QUERY: %s", strerror(e));
		close(*fd);
		*fd = -1;
		return -e;
	}
	if ((q->features & need) != need) {
		snprintf(why, whylen,
			 "module lacks feature bits 0x%llx (features 0x%llx)",
			 (unsigned long long)(need & ~q->features),
			 (unsigned long long)q->features);
		close(*fd);
		*fd = -1;
		return KSFT_SKIP;
	}
	if (q->completion_size != sizeof(struct zcopy_completion)) {
		snprintf(why, whylen, "completion_size %u, header says %zu",
			 q->completion_size, sizeof(struct zcopy_completion));
		close(*fd);
		*fd = -1;
		return -EPROTO;
	}
	return 0;
}

int zu_dev_open_raw(int flags)
{
	return open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC | flags);
}

long zu_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/zcopy/refcnt", "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

long zu_wait_refcnt(long want, unsigned int ms)
{
	uint64_t t0 = zu_now_ns();
	long r;

	for (;;) {
		r = zu_module_refcnt();
		if (r <= want || zu_ms_since(t0) >= ms)
			return r;
		zu_sleep_ms(50);
	}
}

int zu_pool_reg(int dev, const void *addr, __u64 len, __u32 *id)
{
	struct zcopy_pool_register r = {
		.size = sizeof(r),
		.addr = (uintptr_t)addr,
		.len = len,
	};

	if (ioctl(dev, ZCOPY_IOC_POOL_REGISTER, &r))
		return -errno;
	if (id)
		*id = r.pool_id;
	return 0;
}

int zu_pool_unreg(int dev, __u32 id)
{
	struct zcopy_pool_unregister u = { .size = sizeof(u), .pool_id = id };

	if (ioctl(dev, ZCOPY_IOC_POOL_UNREGISTER, &u))
		return -errno;
	return 0;
}

int zu_pool_new(int dev, size_t len, uint64_t seed,
			      struct zu_pool *p)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->dev = -1;
	p->maplen = (len + ZU_PAGE - 1) & ~(ZU_PAGE - 1);
	p->mem = mmap(NULL, p->maplen, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->mem == MAP_FAILED) {
		ret = -errno;
		p->mem = NULL;
		return ret;
	}
	zu_fill(p->mem, p->maplen, seed);
	p->len = len;
	ret = zu_pool_reg(dev, p->mem, len, &p->id);
	if (ret) {
		zu_log("pool register of %zu bytes: %s", len, strerror(-ret));
		munmap(p->mem, p->maplen);
		p->mem = NULL;
		return ret;
	}
	p->dev = dev;
	return 0;
}

int zu_pool_free(struct zu_pool *p)
{
	int ret = 0;

	if (p->dev >= 0 && p->id)
		ret = zu_pool_unreg(p->dev, p->id);
	if (p->mem)
		munmap(p->mem, p->maplen);
	memset(p, 0, sizeof(*p));
	p->dev = -1;
	return ret;
}

struct zcopy_seg zu_seg_pool(__u32 id, __u64 off, __u64 len)
{
	struct zcopy_seg s = {
		.type = ZCOPY_SEG_POOL, .id = id, .offset = off, .len = len,
	};
	return s;
}

struct zcopy_seg zu_seg_file(int fd, __u64 off, __u64 len)
{
	struct zcopy_seg s = {
		.type = ZCOPY_SEG_FILE, .id = (__u32)fd, .offset = off,
		.len = len,
	};
	return s;
}

void zu_send_init(struct zcopy_send *s, int sock,
				const struct zcopy_seg *segs, __u32 n,
				struct zcopy_seg_result *res, __u64 cookie,
				__u32 flags)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	s->flags = flags;
	s->sockfd = sock;
	s->nr_segs = n;
	s->segs = (uintptr_t)segs;
	s->results = (uintptr_t)res;
	s->cookie = cookie;
	/* Poison the outputs: the kernel must write them. */
	s->bytes_sent = ~0ULL;
	s->stop_seg = ~0U;
	s->stop_reason = ~0U;
	s->stop_offset = ~0ULL;
	s->stop_errno = -1;
}

int zu_send_raw(int dev, struct zcopy_send *s)
{
	if (ioctl(dev, ZCOPY_IOC_SEND, s))
		return -errno;
	return 0;
}

int zu_send(int dev, int sock, const struct zcopy_seg *segs,
			  __u32 n, struct zcopy_seg_result *res, __u64 cookie,
			  __u32 flags, struct zcopy_send *out)
{
	struct zcopy_send s;
	int ret;

	zu_send_init(&s, sock, segs, n, res, cookie, flags);
	ret = zu_send_raw(dev, &s);
	if (out)
		*out = s;
	return ret;
}

const char *zu_reason_name(__u32 r)
{
	static const char * const names[] = {
		"NONE", "NO_SG", "LOCAL", "STACK", "KTLS", "FILE_COPY", "SMALL",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

const char *zu_stop_name(__u32 r)
{
	static const char * const names[] = {
		"NONE", "EOF", "AGAIN", "SIGNAL", "ERROR", "NOT_CACHED",
	};

	return r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

void zu_log_send(const struct zcopy_send *s)
{
	zu_log("send: bytes_sent %llu stop_seg %u stop_reason %u (%s) stop_offset %llu stop_errno %d",
	       (unsigned long long)s->bytes_sent, s->stop_seg, s->stop_reason,
	       zu_stop_name(s->stop_reason),
	       (unsigned long long)s->stop_offset, s->stop_errno);
}

void zu_log_compl(const struct zcopy_completion *c)
{
	zu_log("completion: cookie 0x%llx bytes %llu pool_bytes %llu zc_bytes %llu copied_bytes %llu flags 0x%x reason %u (%s) error %d changed_seg %u",
	       (unsigned long long)c->cookie, (unsigned long long)c->bytes,
	       (unsigned long long)c->pool_bytes,
	       (unsigned long long)c->zc_bytes,
	       (unsigned long long)c->copied_bytes, c->flags, c->reason,
	       zu_reason_name(c->reason), c->error, c->changed_seg);
}

int zu_probe(int dev, int sock, struct zcopy_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	p->sockfd = sock;
	if (ioctl(dev, ZCOPY_IOC_PROBE, p))
		return -errno;
	return 0;
}

void zu_log_probe(const struct zcopy_probe *p)
{
	zu_log("probe: pool %s (segment result %s) small %s file %s copy_threshold %u route_flags 0x%x dev %s (%d) mtu %u gso_max_size %u mss %u",
	       zu_reason_name(p->pool_reason),
	       zu_reason_name(p->pool_seg_reason),
	       zu_reason_name(p->small_reason), zu_reason_name(p->file_reason),
	       p->copy_threshold, p->route_flags, p->ifname, p->ifindex,
	       p->mtu, p->gso_max_size, p->mss);
}

int zu_check_stop(const struct zcopy_seg *segs, __u32 n,
				const struct zcopy_send *s,
				const struct zcopy_seg_result *res)
{
	__u64 left = s->bytes_sent;
	__u32 i = 0;
	int bad = 0;

	while (i < n && left >= segs[i].len) {
		left -= segs[i].len;
		i++;
	}
	if (s->stop_seg != i || s->stop_offset != left) {
		zu_log("bytes_sent %llu over %u segments means stop_seg %u stop_offset %llu; got %u %llu",
		       (unsigned long long)s->bytes_sent, n, i,
		       (unsigned long long)left, s->stop_seg,
		       (unsigned long long)s->stop_offset);
		bad++;
	}
	if (i == n && left) {
		zu_log("bytes_sent %llu exceeds the segments",
		       (unsigned long long)s->bytes_sent);
		bad++;
	}
	if (s->stop_reason > ZCOPY_STOP_NOT_CACHED) {
		zu_log("stop_reason %u unknown", s->stop_reason);
		bad++;
	}
	if ((s->stop_reason == ZCOPY_STOP_NONE) != (i == n)) {
		zu_log("stop_reason %s with stop_seg %u of %u",
		       zu_stop_name(s->stop_reason), i, n);
		bad++;
	}
	if ((s->stop_reason == ZCOPY_STOP_ERROR) != (s->stop_errno != 0) ||
	    s->stop_errno < 0) {
		zu_log("stop_reason %s with stop_errno %d",
		       zu_stop_name(s->stop_reason), s->stop_errno);
		bad++;
	}
	if (s->__reserved) {
		zu_log("__reserved written as %u", s->__reserved);
		bad++;
	}
	if (!res)
		return bad;
	for (i = 0; i < n; i++) {
		__u64 want = i < s->stop_seg ? segs[i].len :
			     i == s->stop_seg ? s->stop_offset : 0;

		if (res[i].sent != want || res[i].copied > res[i].sent ||
		    res[i].__reserved || res[i].reason > ZCOPY_REASON_SMALL ||
		    (res[i].copied && res[i].reason == ZCOPY_REASON_NONE)) {
			zu_log("segment %u: sent %llu (want %llu) copied %llu reason %u reserved %u",
			       i, (unsigned long long)res[i].sent,
			       (unsigned long long)want,
			       (unsigned long long)res[i].copied,
			       res[i].reason, res[i].__reserved);
			bad++;
		}
	}
	return bad;
}

__u32 zu_segs_resume(const struct zcopy_seg *segs, __u32 n,
				   __u32 stop_seg, __u64 stop_offset,
				   struct zcopy_seg *out)
{
	__u32 i, k = 0;

	for (i = stop_seg; i < n; i++) {
		out[k] = segs[i];
		if (i == stop_seg) {
			out[k].offset += stop_offset;
			out[k].len -= stop_offset;
		}
		k++;
	}
	return k;
}

int zu_read_compl(int dev, struct zcopy_completion *c,
				int timeout_ms)
{
	struct pollfd pfd = { .fd = dev, .events = POLLIN };
	uint64_t t0 = zu_now_ns();
	ssize_t n;
	int r, left;

	for (;;) {
		left = timeout_ms - (int)zu_ms_since(t0);
		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(dev, c, sizeof(*c));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n != sizeof(*c)) {
			zu_log("read of one completion returned %zd", n);
			return -EPROTO;
		}
		return 0;
	}
}

int zu_read_compls(int dev, struct zcopy_completion *c, int n,
				 int timeout_ms)
{
	uint64_t t0 = zu_now_ns();
	int i, r, left;

	for (i = 0; i < n; i++) {
		left = timeout_ms - (int)zu_ms_since(t0);
		r = zu_read_compl(dev, &c[i], left > 0 ? left : 0);
		if (r == -ETIMEDOUT)
			return i;
		if (r)
			return r;
	}
	return n;
}

int zu_check_compl(const struct zcopy_completion *c,
				 const struct zcopy_send *s)
{
	int bad = 0;

#define ZU_CC(cond) do {						\
	if (!(cond)) {							\
		zu_log("completion check failed: %s", #cond);		\
		bad++;							\
	}								\
} while (0)
	ZU_CC(c->cookie == s->cookie);
	ZU_CC(c->bytes == s->bytes_sent);
	ZU_CC(c->pool_bytes <= c->bytes);
	ZU_CC(c->zc_bytes + c->copied_bytes == c->bytes);
	ZU_CC(!(c->flags & ~(__u32)(ZCOPY_COMPL_COPIED |
				    ZCOPY_COMPL_POOL_COPIED |
				    ZCOPY_COMPL_SHORT |
				    ZCOPY_COMPL_FILE_RELEASED |
				    ZCOPY_COMPL_FILE_COPIED |
				    ZCOPY_COMPL_FILE_CHANGED)));
	/* Promised by ZCOPY_SEND_FILE_NOTIFY, and only by it. */
	ZU_CC(!!(c->flags & ZCOPY_COMPL_FILE_RELEASED) ==
	      !!(s->flags & ZCOPY_SEND_FILE_NOTIFY));
	ZU_CC(!(c->flags & ZCOPY_COMPL_FILE_COPIED) ||
	      ((s->flags & ZCOPY_SEND_FILE_NOTIFY) &&
	       (c->flags & ZCOPY_COMPL_COPIED) &&
	       c->copied_bytes > c->pool_bytes));
	ZU_CC(!!(c->flags & ZCOPY_COMPL_SHORT) ==
	      (s->stop_reason != ZCOPY_STOP_NONE));
	ZU_CC(!!(c->flags & ZCOPY_COMPL_COPIED) == (c->copied_bytes != 0));
	ZU_CC(!(c->flags & ZCOPY_COMPL_POOL_COPIED) ||
	      c->copied_bytes >= c->pool_bytes);
	ZU_CC(c->reason <= ZCOPY_REASON_SMALL);
	ZU_CC(c->copied_bytes == 0 || c->reason != ZCOPY_REASON_NONE);
	ZU_CC(c->copied_bytes != 0 || c->reason == ZCOPY_REASON_NONE);
	/* Only file-notify sends are watched, and only sends of files. */
	ZU_CC(!(c->flags & ZCOPY_COMPL_FILE_CHANGED) ||
	      ((s->flags & ZCOPY_SEND_FILE_NOTIFY) &&
	       c->bytes > c->pool_bytes && c->changed_seg < s->nr_segs));
	ZU_CC(c->changed_seg == 0 || (c->flags & ZCOPY_COMPL_FILE_CHANGED));
	if (s->stop_reason == ZCOPY_STOP_NONE)
		ZU_CC(c->error == 0);
	if (s->stop_reason == ZCOPY_STOP_ERROR)
		ZU_CC(c->error == -s->stop_errno);
	if (s->stop_reason == ZCOPY_STOP_SIGNAL)
		ZU_CC(c->error == -EINTR);
	/* The kernel's restart codes (512-516) never reach userspace. */
	ZU_CC(c->error > -512 || c->error < -516);
#undef ZU_CC
	if (bad)
		zu_log_compl(c);
	return bad;
}

int zu_setns_fd(int nsfd)
{
	if (nsfd < 0)
		return 0;
	if (setns(nsfd, CLONE_NEWNET)) {
		zu_log("setns: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int zu_wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r ? 0 : -ETIMEDOUT;
}

int zu_tcp_pair_opts(const struct zu_tcp_opts *o, int *snd,
				   int *rcv)
{
	const char *addr = o->addr ? o->addr : "127.0.0.1";
	int tmo = o->timeout_ms ? o->timeout_ms : 20000;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int lfd = -1, cfd = -1, afd = -1, orig = -1, one = 1, ret, fl;
	int family;

	*snd = *rcv = -1;
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		family = AF_INET6;
		s6->sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			return -EINVAL;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		family = AF_INET;
		s4->sin_family = AF_INET;
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			return -EINVAL;
		sl = sizeof(*s4);
	}

	if (o->srv_ns >= 0 || o->cli_ns >= 0) {
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0)
			return -errno;
	}

	ret = zu_setns_fd(o->srv_ns);
	if (ret)
		goto out;
	lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		ret = -errno;
		goto out;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (o->rcvbuf)
		setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf,
			   sizeof(o->rcvbuf));
	if (bind(lfd, (struct sockaddr *)&ss, sl) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&ss, &sl)) {
		ret = -errno;
		zu_log("listen on %s: %s", addr, strerror(errno));
		goto out;
	}

	if (orig >= 0) {
		ret = zu_setns_fd(o->cli_ns >= 0 ? o->cli_ns : orig);
		if (ret)
			goto out;
	}
	cfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cfd < 0) {
		ret = -errno;
		goto out;
	}
	if (o->sndbuf)
		setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf,
			   sizeof(o->sndbuf));
	if (o->nodelay)
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fl = fcntl(cfd, F_GETFL);
	fcntl(cfd, F_SETFL, fl | O_NONBLOCK);
	if (connect(cfd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
		ret = -errno;
		zu_log("connect to %s: %s", addr, strerror(errno));
		goto out;
	}
	ret = zu_wait_fd(cfd, POLLOUT, tmo);
	if (!ret) {
		int err = 0;
		socklen_t el = sizeof(err);

		getsockopt(cfd, SOL_SOCKET, SO_ERROR, &err, &el);
		ret = -err;
	}
	if (ret) {
		zu_log("connect to %s: %s", addr, strerror(-ret));
		goto out;
	}
	fcntl(cfd, F_SETFL, fl);
	ret = zu_wait_fd(lfd, POLLIN, tmo);
	if (ret)
		goto out;
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (afd < 0) {
		ret = -errno;
		goto out;
	}
	*snd = cfd;
	*rcv = afd;
	cfd = afd = -1;
	ret = 0;
out:
	if (orig >= 0) {
		if (setns(orig, CLONE_NEWNET))
			zu_log("setns back: %s", strerror(errno));
		close(orig);
	}
	if (lfd >= 0)
		close(lfd);
	if (cfd >= 0)
		close(cfd);
	if (afd >= 0)
		close(afd);
	return ret;
}

int zu_tcp_pair(int *snd, int *rcv)
{
	struct zu_tcp_opts o = { .srv_ns = -1, .cli_ns = -1 };

	return zu_tcp_pair_opts(&o, snd, rcv);
}

void zu_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int zu_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl) ? -errno : 0;
}

int zu_sock_pending(int fd)
{
	int n = 0;

	if (ioctl(fd, FIONREAD, &n))
		return -errno;
	return n;
}

size_t zu_fill_socket(int fd)
{
	static char junk[65536];
	int round, idle = 0, sndbuf = 65536;
	size_t total = 0;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	for (round = 0; round < 100 && idle < 2; round++) {
		size_t added = 0;
		ssize_t n;

		while ((n = send(fd, junk, sizeof(junk), MSG_DONTWAIT)) > 0)
			added += n;
		total += added;
		idle = added ? 0 : idle + 1;
		usleep(200 * 1000);
	}
	return total;
}

void zu_tcp_log(int fd, const char *name)
{
	struct tcp_info ti;
	socklen_t tl = sizeof(ti);
	int outq = -1, notsent = -1, inq = -1;

	memset(&ti, 0, sizeof(ti));
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
	ioctl(fd, TIOCOUTQ, &outq);
	ioctl(fd, 0x894B /* SIOCOUTQNSD */, &notsent);
	ioctl(fd, FIONREAD, &inq);
	zu_log("%s: state %u unacked %u lost %u retransmits %u (total %u) probes %u backoff %u rto %u us cwnd %u last data sent %u ms ago, last data received %u ms ago, send queue %d (%d not sent), receive queue %d, rcv_space %u",
	       name, ti.tcpi_state, ti.tcpi_unacked, ti.tcpi_lost,
	       ti.tcpi_retransmits, ti.tcpi_total_retrans, ti.tcpi_probes,
	       ti.tcpi_backoff, ti.tcpi_rto, ti.tcpi_snd_cwnd,
	       ti.tcpi_last_data_sent, ti.tcpi_last_data_recv, outq, notsent,
	       inq, ti.tcpi_rcv_space);
}

void zu_log_tcpext(void)
{
	static char buf[16384];
	char *names, *vals, *n, *v, *sn, *sv;
	ssize_t len = zu_read_file("/proc/net/netstat", buf, sizeof(buf) - 1);
	char line[1024];
	size_t used = 0;

	if (len <= 0)
		return;
	buf[len] = 0;
	names = strstr(buf, "TcpExt:");
	if (!names)
		return;
	vals = strstr(names + 1, "TcpExt:");
	if (!vals)
		return;
	*strchr(names, '\n') = 0;
	if (strchr(vals, '\n'))
		*strchr(vals, '\n') = 0;
	n = strtok_r(names + 7, " ", &sn);
	v = strtok_r(vals + 7, " ", &sv);
	line[0] = 0;
	while (n && v) {
		if (strcmp(v, "0") && used < sizeof(line) - 64)
			used += snprintf(line + used, sizeof(line) - used,
					 " %s=%s", n, v);
		n = strtok_r(NULL, " ", &sn);
		v = strtok_r(NULL, " ", &sv);
	}
	zu_log("TcpExt:%s", line);
}

void zu_rx_chunk(struct zu_rx *rx, const unsigned char *buf,
			       size_t n)
{
	size_t i, cmp;

	if (rx->expect && rx->mismatch_at == SIZE_MAX) {
		cmp = n;
		if (rx->got + cmp > rx->expect_len) {
			rx->overrun = true;
			cmp = rx->got < rx->expect_len ?
			      rx->expect_len - rx->got : 0;
		}
		if (cmp && memcmp(buf, rx->expect + rx->got, cmp)) {
			for (i = 0; i < cmp; i++) {
				if (buf[i] != rx->expect[rx->got + i])
					break;
			}
			rx->mismatch_at = rx->got + i;
			rx->mismatch_got = buf[i];
			rx->mismatch_want = rx->expect[rx->got + i];
		}
	} else if (!rx->expect && rx->expect_len &&
		   rx->got + n > rx->expect_len) {
		rx->overrun = true;
	}
	rx->got += n;
}

void *zu_rx_fn(void *arg)
{
	struct zu_rx *rx = arg;
	size_t bufsz = 256 * 1024;
	unsigned char *buf = malloc(bufsz);
	sigset_t all;
	ssize_t n;
	size_t ask;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (!buf) {
		rx->err = ENOMEM;
		return NULL;
	}
	while (!rx->want || rx->got < rx->want) {
		r = zu_wait_fd(rx->fd, POLLIN, rx->idle_ms);
		if (r) {
			rx->err = -r;
			break;
		}
		ask = bufsz;
		if (rx->want && rx->want - rx->got < ask)
			ask = rx->want - rx->got;
		n = recv(rx->fd, buf, ask, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			rx->err = errno;
			break;
		}
		if (n == 0) {
			rx->eof = true;
			break;
		}
		if (!rx->first_ns)
			rx->first_ns = zu_now_ns();
		rx->last_ns = zu_now_ns();
		zu_rx_chunk(rx, buf, n);
	}
	free(buf);
	return NULL;
}

int zu_rx_start_idle(struct zu_rx *rx, int fd,
				   const void *expect, size_t expect_len,
				   size_t want, int idle_ms)
{
	int r;

	memset(rx, 0, sizeof(*rx));
	rx->fd = fd;
	rx->expect = expect;
	rx->expect_len = expect_len;
	rx->want = want;
	rx->idle_ms = idle_ms;
	rx->mismatch_at = SIZE_MAX;
	r = pthread_create(&rx->th, NULL, zu_rx_fn, rx);
	if (r)
		return -r;
	rx->running = true;
	return 0;
}

int zu_rx_start(struct zu_rx *rx, int fd, const void *expect,
			      size_t expect_len, size_t want)
{
	return zu_rx_start_idle(rx, fd, expect, expect_len, want, 15000);
}

void zu_rx_join(struct zu_rx *rx)
{
	if (rx->running)
		pthread_join(rx->th, NULL);
	rx->running = false;
}

void zu_rx_log(const struct zu_rx *rx)
{
	zu_log("receiver: got %zu want %zu err %d (%s) eof %d overrun %d",
	       rx->got, rx->want, rx->err, rx->err ? strerror(rx->err) : "",
	       rx->eof, rx->overrun);
	if (rx->mismatch_at != SIZE_MAX)
		zu_log("receiver: first mismatch at byte %zu: got 0x%02x want 0x%02x",
		       rx->mismatch_at, rx->mismatch_got, rx->mismatch_want);
}

bool zu_rx_ok(const struct zu_rx *rx, size_t len)
{
	bool ok = rx->got == len && rx->mismatch_at == SIZE_MAX &&
		  !rx->overrun && !rx->err;

	if (!ok)
		zu_rx_log(rx);
	return ok;
}

size_t zu_drain(int fd, size_t len, int idle_ms)
{
	static unsigned char buf[65536];
	size_t got = 0;
	ssize_t n;

	while (!len || got < len) {
		if (zu_wait_fd(fd, POLLIN, idle_ms))
			break;
		n = recv(fd, buf, len && len - got < sizeof(buf) ?
			 len - got : sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

/* Write all @len bytes of @data at offset 0 of @fd: 0 or -errno. */
static int zu_pwrite_all(int fd, const void *data, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = pwrite(fd, (const char *)data + off, len - off, off);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += n;
	}
	return 0;
}

int zu_tmpfile(const char *dir, const void *data, size_t len)
{
	char path[PATH_MAX + 32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/zcopy-test.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (!data) {
		if (ftruncate(fd, len)) {
			n = -errno;
			close(fd);
			return n;
		}
		return fd;
	}
	n = zu_pwrite_all(fd, data, len);
	if (n) {
		close(fd);
		return n;
	}
	return fd;
}

ssize_t zu_read_file(const char *path, void *buf, size_t max)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (got < max) {
		n = read(fd, (char *)buf + got, max - got);
		if (n < 0) {
			n = -errno;
			close(fd);
			return n;
		}
		if (!n)
			break;
		got += n;
	}
	close(fd);
	return got;
}

int zu_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : (n < 0 ? -errno : -EIO);
}

int zu_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fflush(stderr);
	r = system(cmd);
	if (r == -1)
		return -1;
	r = WIFEXITED(r) ? WEXITSTATUS(r) : 128 + WTERMSIG(r);
	if (r)
		zu_log("'%s' exited %d", cmd, r);
	return r;
}

int zu_ext4_mount(struct zu_ext4 *m, char *why, size_t whylen)
{
	struct loop_config cfg;
	int ctl = -1, lfd = -1, ifd = -1, nr, ret = KSFT_SKIP;

	memset(m, 0, sizeof(*m));
	if (geteuid()) {
		snprintf(why, whylen, "needs root");
		return KSFT_SKIP;
	}
	if (access("/dev/loop-control", F_OK))
		zu_sh("modprobe loop 2>/dev/null");
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(why, whylen, "/dev/loop-control: %s", strerror(errno));
		goto err;
	}
	snprintf(m->img, sizeof(m->img), "/tmp/zcopy-ext4.XXXXXX");
	ifd = mkostemp(m->img, O_CLOEXEC);
	if (ifd < 0 || ftruncate(ifd, ZU_EXT4_IMAGE_BYTES)) {
		snprintf(why, whylen, "image file: %s", strerror(errno));
		goto err;
	}
	nr = ioctl(ctl, LOOP_CTL_GET_FREE);
	if (nr < 0) {
		snprintf(why, whylen, "LOOP_CTL_GET_FREE: %s", strerror(errno));
		goto err;
	}
	snprintf(m->dev, sizeof(m->dev), "/dev/loop%d", nr);
	lfd = open(m->dev, O_RDWR | O_CLOEXEC);
	if (lfd < 0) {
		snprintf(why, whylen, "%s: %s", m->dev, strerror(errno));
		goto err;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = ifd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
	if (ioctl(lfd, LOOP_CONFIGURE, &cfg)) {
		snprintf(why, whylen, "LOOP_CONFIGURE: %s", strerror(errno));
		goto err;
	}
	if (zu_sh("mkfs.ext4 -q -F %s >/dev/null 2>&1", m->dev)) {
		snprintf(why, whylen, "mkfs.ext4 %s failed", m->dev);
		goto err;
	}
	snprintf(m->dir, sizeof(m->dir), "/tmp/zcopy-mnt.XXXXXX");
	if (!mkdtemp(m->dir)) {
		snprintf(why, whylen, "mkdtemp: %s", strerror(errno));
		m->dir[0] = 0;
		goto err;
	}
	if (mount(m->dev, m->dir, "ext4", 0, NULL)) {
		snprintf(why, whylen, "mount ext4: %s", strerror(errno));
		goto err;
	}
	m->mounted = true;
	ret = 0;
err:
	if (lfd >= 0)
		close(lfd);	/* the mount holds it now (autoclear) */
	if (ifd >= 0)
		close(ifd);
	if (ctl >= 0)
		close(ctl);
	if (ret) {
		if (m->dir[0])
			rmdir(m->dir);
		if (m->img[0])
			unlink(m->img);
		memset(m, 0, sizeof(*m));
	}
	return ret;
}

void zu_ext4_umount(struct zu_ext4 *m)
{
	if (m->mounted && umount2(m->dir, 0)) {
		zu_log("umount %s: %s (detaching)", m->dir, strerror(errno));
		umount2(m->dir, MNT_DETACH);
	}
	if (m->dir[0])
		rmdir(m->dir);
	if (m->img[0])
		unlink(m->img);
	memset(m, 0, sizeof(*m));
}

int zu_disk_file(const char *dir, const char *name,
			       const void *data, size_t len)
{
	char path[PATH_MAX + 256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = zu_pwrite_all(fd, data, len);
	if (n) {
		close(fd);
		return n;
	}
	if (fsync(fd)) {
		n = -errno;
		close(fd);
		return n;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

int zu_netns_new(void)
{
	int orig, ns, ret;

	orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return -errno;
	if (unshare(CLONE_NEWNET)) {
		ret = -errno;
		close(orig);
		return ret;
	}
	ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ret = ns < 0 ? -errno : ns;
	if (setns(orig, CLONE_NEWNET)) {
		zu_log("setns back: %s", strerror(errno));
		if (ns >= 0)
			close(ns);
		ret = -errno;
	}
	close(orig);
	return ret;
}

const char *zu_netns_path(int ns, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/%d/fd/%d", getpid(), ns);
	return buf;
}

int zu_sh_in(int ns, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int orig = -1, r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (ns >= 0) {
		orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (orig < 0 || setns(ns, CLONE_NEWNET)) {
			zu_log("setns: %s", strerror(errno));
			if (orig >= 0)
				close(orig);
			return -1;
		}
	}
	r = zu_sh("%s", cmd);
	if (orig >= 0) {
		if (setns(orig, CLONE_NEWNET))
			zu_log("setns back: %s", strerror(errno));
		close(orig);
	}
	return r;
}

int zu_events_join(struct zt_nl *mon)
{
	if (!mon->events_group)
		return -ENOENT;
	if (setsockopt(mon->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &mon->events_group, sizeof(mon->events_group)))
		return -errno;
	return 0;
}

int zu_event_wait(int fd, int cmd, char *buf, size_t len,
				int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *h;
	ssize_t n;

	while (poll(&p, 1, timeout_ms) == 1) {
		n = recv(fd, buf, len, 0);
		if (n < 0)
			return -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *gh = NLMSG_DATA(h);

			if (gh->cmd == cmd) {
				memmove(buf, h, h->nlmsg_len);
				return 0;
			}
		}
	}
	return -1;
}

static void zu_xfer_end_from(struct nlmsghdr *h, struct zu_xfer_end *end)
{
	struct nlattr *a;

#define ZU_GET(attr, field, get)		\
	do {					\
		a = zt_genl_attr(h, attr);	\
		if (a)				\
			end->field = get(a);	\
	} while (0)
	ZU_GET(ZCOPY_A_XFER_ERROR, error, (__s32)zt_nla_u32);
	ZU_GET(ZCOPY_A_XFER_BYTES, bytes, zt_nla_u64);
	ZU_GET(ZCOPY_A_XFER_ZC_BYTES, zc_bytes, zt_nla_u64);
	ZU_GET(ZCOPY_A_XFER_COMPL_FLAGS, compl_flags, zt_nla_u32);
	ZU_GET(ZCOPY_A_XFER_STOP_SEG, stop_seg, zt_nla_u32);
	ZU_GET(ZCOPY_A_XFER_STOP_REASON, stop_reason, zt_nla_u32);
	ZU_GET(ZCOPY_A_XFER_STOP_OFFSET, stop_offset, zt_nla_u64);
	ZU_GET(ZCOPY_A_XFER_STOP_ERRNO, stop_errno, zt_nla_u32);
	ZU_GET(ZCOPY_A_XFER_CHANGED_SEG, changed_seg, zt_nla_u32);
#undef ZU_GET
	end->has_changed_seg = zt_genl_attr(h, ZCOPY_A_XFER_CHANGED_SEG);
}

int zu_xfer_wait(struct zt_nl *mon, __u32 id, struct zu_xfer_end *end,
		 int timeout_ms)
{
	static char buf[65536];
	uint64_t t0 = zu_now_ns();
	struct nlmsghdr *h;
	ssize_t n;

	memset(end, 0, sizeof(*end));
	end->id = id;
	for (;;) {
		struct pollfd p = { .fd = mon->fd, .events = POLLIN };
		int left = timeout_ms - (int)zu_ms_since(t0);

		if (left <= 0 || poll(&p, 1, left) != 1)
			return -ETIMEDOUT;
		n = recv(mon->fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct genlmsghdr *gh = NLMSG_DATA(h);
			struct nlattr *a;

			if (h->nlmsg_type != mon->family ||
			    (gh->cmd != ZCOPY_CMD_XFER_DONE &&
			     gh->cmd != ZCOPY_CMD_SEND_FAILED))
				continue;
			a = zt_genl_attr(h, ZCOPY_A_XFER_ID);
			if (!a || zt_nla_u32(a) != id)
				continue;
			end->done = gh->cmd == ZCOPY_CMD_XFER_DONE;
			zu_xfer_end_from(h, end);
			return 0;
		}
	}
}

int zu_xfer_run(struct zt_nl *nl, struct zt_nl *mon, struct nlmsghdr *nlh,
		struct zu_xfer_end *end, int timeout_ms)
{
	struct nlattr *a;
	int r;

	r = zt_nl_transact(nl, nlh);
	if (r)
		return r;
	a = zt_nl_reply_attr(nl, ZCOPY_A_XFER_ID);
	if (!a)
		return -EPROTO;
	r = zu_xfer_wait(mon, zt_nla_u32(a), end, timeout_ms);
	if (r)
		return r;
	return end->done ? 0 : end->error;
}

int zu_stats(__u64 *v)
{
	struct zt_nl *nl = malloc(sizeof(*nl));
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *a;
	int i, ret;

	if (!nl)
		return -ENOMEM;
	ret = zt_nl_open(nl, ZCOPY_GENL_NAME);
	if (ret)
		goto out;
	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_STATS_GET,
			  ZCOPY_GENL_VERSION);
	ret = zt_nl_transact(nl, nlh);
	for (i = 0; !ret && i <= ZCOPY_A_STATS_MAX; i++) {
		v[i] = 0;
		if (i < ZCOPY_A_STATS_TRANSFERS)
			continue;
		a = zt_nl_reply_attr(nl, i);
		if (!a) {
			ret = -ENOENT;
			break;
		}
		v[i] = zt_nla_u64(a);
	}
	close(nl->fd);
out:
	free(nl);
	return ret;
}

int zu_leak_base(struct zu_leak_base *b)
{
	__u64 v[ZCOPY_A_STATS_MAX + 1];
	int ret = zu_stats(v);

	if (ret)
		return ret;
	b->refcnt = zu_module_refcnt();
	b->pinned = v[ZCOPY_A_STATS_PINNED_PAGES];
	b->pools = v[ZCOPY_A_STATS_POOLS];
	b->outstanding = v[ZCOPY_A_STATS_OUTSTANDING];
	return 0;
}

int zu_leak_check(const struct zu_leak_base *b,
				unsigned int ms)
{
	__u64 v[ZCOPY_A_STATS_MAX + 1];
	uint64_t t0 = zu_now_ns();
	long refs;
	int bad;

	for (;;) {
		memset(v, 0xff, sizeof(v));
		if (zu_stats(v))
			zu_log("STATS_GET failed");
		refs = zu_module_refcnt();
		bad = (v[ZCOPY_A_STATS_PINNED_PAGES] != b->pinned) +
		      (v[ZCOPY_A_STATS_POOLS] != b->pools) +
		      (v[ZCOPY_A_STATS_OUTSTANDING] != b->outstanding) +
		      (refs > b->refcnt);
		if (!bad || zu_ms_since(t0) >= ms)
			break;
		zu_sleep_ms(50);
	}
	if (bad)
		zu_log("leak: pinned pages %llu (was %llu), pools %llu (was %llu), outstanding %llu (was %llu), module refcnt %ld (was %ld)",
		       (unsigned long long)v[ZCOPY_A_STATS_PINNED_PAGES],
		       (unsigned long long)b->pinned,
		       (unsigned long long)v[ZCOPY_A_STATS_POOLS],
		       (unsigned long long)b->pools,
		       (unsigned long long)v[ZCOPY_A_STATS_OUTSTANDING],
		       (unsigned long long)b->outstanding, refs, b->refcnt);
	return bad;
}

bool zu_looks_like_kptr(uint64_t v)
{
	uint32_t hi = v >> 32, lo = (uint32_t)v;

	if (hi >= 0xffff8000U && hi < 0xfffff000U)
		return true;
	return hi == 0xffffffffU && lo >= 0x80000000U && lo < 0xfffff000U;
}

int zu_scan_kptr(const void *buf, size_t len, const char *what)
{
	const unsigned char *p = buf;
	int hits = 0;
	uint64_t v;
	size_t i;

	for (i = 0; i + 8 <= len; i += 4) {
		memcpy(&v, p + i, 8);
		if (zu_looks_like_kptr(v)) {
			if (hits < 5)
				zu_log("%s: kernel-looking value 0x%016llx at byte %zu of %zu",
				       what, (unsigned long long)v, i, len);
			hits++;
		}
	}
	return hits;
}

int zu_veth_new(int *ns_a, int *ns_b, const char *if_a,
			      const char *if_b, const char *net, char *why,
			      size_t whylen)
{
	char pb[64];

	*ns_a = *ns_b = -1;
	zu_sh("modprobe veth 2>/dev/null");
	*ns_a = zu_netns_new();
	*ns_b = zu_netns_new();
	if (*ns_a < 0 || *ns_b < 0) {
		snprintf(why, whylen, "cannot create network namespaces");
		return KSFT_SKIP;
	}
	if (zu_sh_in(*ns_a, "ip link add %s type veth peer name %s netns %s",
		     if_a, if_b, zu_netns_path(*ns_b, pb, sizeof(pb)))) {
		snprintf(why, whylen, "cannot create a veth pair");
		return KSFT_SKIP;
	}
	if (zu_sh_in(*ns_a, "ip link set lo up && ip addr add %s.1/24 dev %s && ip link set %s up",
		     net, if_a, if_a) ||
	    zu_sh_in(*ns_b, "ip link set lo up && ip addr add %s.2/24 dev %s && ip link set %s up",
		     net, if_b, if_b)) {
		snprintf(why, whylen, "configuring the veth pair failed");
		return -EIO;
	}
	if (zu_sh_in(*ns_a, "for i in $(seq 100); do ip link show dev %s | grep -q LOWER_UP && exit 0; sleep 0.1; done; exit 1", if_a) ||
	    zu_sh_in(*ns_b, "for i in $(seq 100); do ip link show dev %s | grep -q LOWER_UP && exit 0; sleep 0.1; done; exit 1", if_b)) {
		snprintf(why, whylen, "veth pair has no carrier");
		return -EIO;
	}
	return 0;
}

bool zu_sanitizer_kernel(void)
{
	return !access("/proc/thread-self/fail-nth", F_OK);
}
