// SPDX-License-Identifier: GPL-2.0
/*
 * Who may use zcopy, and what an unprivileged user can reach.
 *
 * /dev/zcopy is root-only (0600 root:root) unless the admin loads the
 * module with dev_mode=0660 (or 0640, 0666) and gives the node a group
 * with a udev rule, e.g.
 *
 *   KERNEL=="zcopy", GROUP="zcopy", MODE="0660"
 *
 * (the kernel cannot choose a misc device node's group). These tests
 * stand in for udev with chgrp/chmod, and check:
 *
 *   - the node's mode is dev_mode, owner root; nobody cannot open it;
 *     the group can once granted, others still cannot
 *   - dev_mode is applied on load and bad values refuse the load
 *   - an unprivileged opener is held to its RLIMIT_MEMLOCK
 *   - descriptors and pool ids resolve in the caller's own tables only:
 *     another process's socket, file and pool are not reachable
 *   - without CAP_NET_ADMIN: POOL_GET shows only one's own pools, and
 *     STATS_RESET, XFER_START and the events group are refused
 *   - no kernel address in anything returned: ioctl structs, per-segment
 *     results, completion records, netlink replies and events
 */

#include <grp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "zcopy_util.h"
#include "kselftest_harness.h"

#define NOBODY 65534
#define ZGROUP 4242
#define FAR_SOCK 900
#define FAR_FILE 901

#ifndef NETLINK_ADD_MEMBERSHIP
#define NETLINK_ADD_MEMBERSHIP 1
#endif

/* What a child running without privileges saw. */
struct sec_result {
	int stage;
	char msg[256];
	int open_err;		/* errno of open(/dev/zcopy), 0 if it worked */
	int memlock_first, memlock_second, memlock_again;
	int far_sock_fcntl, far_sock_send, far_file_send, far_pool_send;
	int own_send;
	int own_pools, other_pools, pool_msgs;
	int reset_err, xfer_err, join_err, stats_err, info_err;
	int kptr_hits;
	size_t scanned;
	__u32 root_pool;	/* set by the parent before it says go */
};

static int drop_to(int uid, int gid, const gid_t *groups, int ngroups)
{
	if (setgroups(ngroups, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		return -errno;
	return 0;
}

/* Start @fn in a child as @uid/@gid with @groups; results in shared @res. */
static pid_t run_as_start(int uid, int gid, const gid_t *groups,
			  int ngroups,
			  void (*fn)(struct sec_result *res, void *arg),
			  void *arg, struct sec_result *res)
{
	pid_t pid;
	int r;

	memset(res, 0, sizeof(*res));
	pid = fork();
	if (pid)
		return pid;
	r = drop_to(uid, gid, groups, ngroups);
	if (r) {
		snprintf(res->msg, sizeof(res->msg), "dropping privileges: %s",
			 strerror(-r));
		_exit(1);
	}
	fn(res, arg);
	_exit(0);
}

static int run_as_wait(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int run_as(int uid, int gid, const gid_t *groups, int ngroups,
		  void (*fn)(struct sec_result *res, void *arg), void *arg,
		  struct sec_result *res)
{
	return run_as_wait(run_as_start(uid, gid, groups, ngroups, fn, arg,
					res));
}

static void try_open(struct sec_result *res, void *arg)
{
	int fd = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);

	(void)arg;
	res->open_err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	res->stage = 1;
}

FIXTURE(sec)
{
	int dev;
	struct zcopy_query q;
	struct stat st;		/* the node as found */
	bool changed;
	struct sec_result *res;
};

FIXTURE_SETUP(sec)
{
	self->changed = false;
	self->res = MAP_FAILED;
	ZU_DEV_OPEN(self->dev, self->q, ZCOPY_FEATURE_POOLS | ZCOPY_FEATURE_SEND);
	ASSERT_EQ(0, stat(ZCOPY_DEV_PATH, &self->st));
	self->res = mmap(NULL, sizeof(*self->res), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
}

FIXTURE_TEARDOWN(sec)
{
	if (self->changed) {
		if (chown(ZCOPY_DEV_PATH, self->st.st_uid, self->st.st_gid) ||
		    chmod(ZCOPY_DEV_PATH, self->st.st_mode & 07777))
			zu_log("restoring %s: %s", ZCOPY_DEV_PATH,
			       strerror(errno));
	}
	if (self->res != MAP_FAILED)
		munmap(self->res, sizeof(*self->res));
	zu_close(&self->dev);
}

/* The udev rule's effect: group ZGROUP, mode 0660. */
static int grant_group(FIXTURE_DATA(sec) *self)
{
	self->changed = true;
	if (chown(ZCOPY_DEV_PATH, 0, ZGROUP) || chmod(ZCOPY_DEV_PATH, 0660))
		return -errno;
	return 0;
}

static unsigned int param_dev_mode(void)
{
	char b[32] = "";

	if (zu_read_file("/sys/module/zcopy/parameters/dev_mode", b,
			 sizeof(b) - 1) <= 0)
		return 0600;
	return strtoul(b, NULL, 8);
}

TEST_F(sec, node_is_root_only_by_default)
{
	unsigned int mode = param_dev_mode();

	TH_LOG("%s: mode %04o uid %u gid %u, dev_mode %04o",
	       ZCOPY_DEV_PATH, self->st.st_mode & 07777, self->st.st_uid,
	       self->st.st_gid, mode);
	EXPECT_TRUE(S_ISCHR(self->st.st_mode));
	EXPECT_EQ(mode, self->st.st_mode & 07777);
	EXPECT_EQ(0, self->st.st_uid);
	if (mode != 0600)
		SKIP(return, "loaded with dev_mode=%04o", mode);
	EXPECT_EQ(0, self->st.st_gid);
	ASSERT_EQ(0, run_as(NOBODY, NOBODY, NULL, 0, try_open, NULL,
			    self->res)) TH_LOG("%s", self->res->msg);
	EXPECT_EQ(EACCES, self->res->open_err)
		TH_LOG("nobody opened a 0600 root device: %s",
		       strerror(self->res->open_err));
}

TEST_F(sec, group_granted_can_open_others_cannot)
{
	gid_t g = ZGROUP;

	ASSERT_EQ(0, grant_group(self));
	ASSERT_EQ(0, run_as(NOBODY, NOBODY, &g, 1, try_open, NULL, self->res))
		TH_LOG("%s", self->res->msg);
	EXPECT_EQ(0, self->res->open_err)
		TH_LOG("a member of the group: %s",
		       strerror(self->res->open_err));
	ASSERT_EQ(0, run_as(NOBODY, NOBODY, NULL, 0, try_open, NULL,
			    self->res)) TH_LOG("%s", self->res->msg);
	EXPECT_EQ(EACCES, self->res->open_err)
		TH_LOG("not a member: %s", strerror(self->res->open_err));
}

/* --------------------------------------------- what an opener can reach */

/* The parent creates its objects after the fork, then writes a byte. */
struct far {
	int go;
};

static void nl_uid_fn(const struct nlmsghdr *h, size_t len, void *arg)
{
	struct sec_result *res = arg;
	struct nlattr *a;

	if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE)
		return;
	res->pool_msgs++;
	res->kptr_hits += zu_scan_kptr(h, len, "POOL_GET reply");
	res->scanned += len;
	a = zt_genl_attr((struct nlmsghdr *)h, ZCOPY_A_POOL_UID);
	if (a && zt_nla_u32(a) == (uint32_t)getuid())
		res->own_pools++;
	else
		res->other_pools++;
}

static void nl_scan_fn(const struct nlmsghdr *h, size_t len, void *arg)
{
	struct sec_result *res = arg;

	if (h->nlmsg_type == NLMSG_ERROR)
		return;
	res->kptr_hits += zu_scan_kptr(h, len, "netlink reply");
	res->scanned += len;
}

static int nl_cmd(struct zt_nl *nl, int cmd, struct sec_result *res)
{
	char buf[512];
	struct nlmsghdr *nlh = zt_genl_msg(buf, nl->family, cmd,
					   ZCOPY_GENL_VERSION);

	if (cmd == ZCOPY_CMD_XFER_START) {
		__u32 v = 0;

		zt_nla_put(nlh, ZCOPY_A_XFER_SOCKFD, &v, 4);
	}
	return -zt_nl_raw(nl, nlh, 5000, nl_scan_fn, res);
}

#define SCAN(res, p, len, what) do {					\
	(res)->kptr_hits += zu_scan_kptr((p), (len), (what));		\
	(res)->scanned += (len);					\
} while (0)

/* As nobody in the device's group. */
static void opener(struct sec_result *res, void *arg)
{
	struct far *far = arg;
	struct rlimit rl = { 16 * ZU_PAGE, 16 * ZU_PAGE };
	struct zcopy_pool_register r = { .size = sizeof(r) };
	struct zcopy_query q = { .size = sizeof(q) };
	struct zcopy_seg_result sr[2];
	struct zcopy_completion c;
	struct zcopy_seg segs[2];
	struct zcopy_send s;
	struct zt_nl *nl;
	unsigned char *buf;
	__u32 id1 = 0, id2 = 0, grp;
	int dev, snd, rcv, fd, e;
	char go;

	if (read(far->go, &go, 1) != 1) {
		snprintf(res->msg, sizeof(res->msg), "no go from the parent");
		return;
	}
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		snprintf(res->msg, sizeof(res->msg), "setrlimit: %s",
			 strerror(errno));
		return;
	}
	dev = open(ZCOPY_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		res->open_err = errno;
		snprintf(res->msg, sizeof(res->msg), "open: %s",
			 strerror(errno));
		return;
	}
	res->stage = 1;
	if (!ioctl(dev, ZCOPY_IOC_QUERY, &q))
		SCAN(res, &q, sizeof(q), "QUERY");

	/* 8 pages cost 10 of the 16 the limit allows: one fits, not two. */
	buf = mmap(NULL, 32 * ZU_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return;
	zu_fill(buf, 32 * ZU_PAGE, 77);
	r.addr = (uintptr_t)buf;
	r.len = 8 * ZU_PAGE;
	res->memlock_first = ioctl(dev, ZCOPY_IOC_POOL_REGISTER, &r) ? errno : 0;
	id1 = r.pool_id;
	SCAN(res, &r, sizeof(r), "POOL_REGISTER");
	r.addr = (uintptr_t)(buf + 8 * ZU_PAGE);
	res->memlock_second = ioctl(dev, ZCOPY_IOC_POOL_REGISTER, &r) ? errno : 0;
	if (!res->memlock_second)
		zu_pool_unreg(dev, r.pool_id);
	/* A small one still fits, for what follows. */
	res->memlock_again = zu_pool_reg(dev, buf + 16 * ZU_PAGE, ZU_PAGE, &id2);
	res->stage = 2;

	/* Another process's descriptors are not in our table. */
	res->far_sock_fcntl = fcntl(FAR_SOCK, F_GETFD) < 0 ? errno : 0;
	if (zu_tcp_pair(&snd, &rcv)) {
		snprintf(res->msg, sizeof(res->msg), "tcp pair: %s",
			 strerror(errno));
		return;
	}
	segs[0] = zu_seg_pool(id1, 0, 100);
	res->far_sock_send = -zu_send(dev, FAR_SOCK, segs, 1, NULL, 1, 0, NULL);
	segs[0] = zu_seg_file(FAR_FILE, 0, 100);
	res->far_file_send = -zu_send(dev, snd, segs, 1, NULL, 2, 0, NULL);
	/* Root's pool id (in root's file); ours are 1 and 2 in ours. */
	segs[0] = zu_seg_pool(res->root_pool, 0, 1);
	res->far_pool_send = -zu_send(dev, snd, segs, 1, NULL, 3, 0, NULL);

	/* Our own send works; its outputs carry no kernel address. */
	fd = zu_tmpfile("/tmp", buf, 4 * ZU_PAGE);
	segs[0] = zu_seg_pool(id1, 10, 5000);
	segs[1] = zu_seg_file(fd, 3, 7000);
	res->own_send = -zu_send(dev, snd, segs, 2, sr, 4, 0, &s);
	if (!res->own_send) {
		SCAN(res, &s, sizeof(s), "SEND");
		SCAN(res, sr, sizeof(sr), "SEND results");
		zu_drain(rcv, s.bytes_sent, 5000);
		if (!zu_read_compl(dev, &c, 10000))
			SCAN(res, &c, sizeof(c), "completion");
	}
	res->stage = 3;

	/* Netlink without CAP_NET_ADMIN. */
	nl = malloc(sizeof(*nl));
	if (!nl || zt_nl_open(nl, ZCOPY_GENL_NAME)) {
		snprintf(res->msg, sizeof(res->msg), "netlink: %s",
			 strerror(errno));
		return;
	}
	res->info_err = nl_cmd(nl, ZCOPY_CMD_INFO_GET, res);
	res->stats_err = nl_cmd(nl, ZCOPY_CMD_STATS_GET, res);
	res->reset_err = nl_cmd(nl, ZCOPY_CMD_STATS_RESET, res);
	res->xfer_err = nl_cmd(nl, ZCOPY_CMD_XFER_START, res);
	{
		char mb[256];
		struct nlmsghdr *nlh = zt_genl_msg(mb, nl->family,
						   ZCOPY_CMD_POOL_GET,
						   ZCOPY_GENL_VERSION);

		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		e = zt_nl_raw(nl, nlh, 5000, nl_uid_fn, res);
		if (e)
			snprintf(res->msg, sizeof(res->msg), "POOL_GET: %s",
				 strerror(-e));
	}
	grp = nl->events_group;
	res->join_err = setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				   &grp, sizeof(grp)) ? errno : 0;
	close(nl->fd);
	free(nl);
	close(snd);
	close(rcv);
	close(fd);
	close(dev);
	res->stage = 4;
}

TEST_F(sec, unprivileged_opener_reaches_only_its_own)
{
	struct sec_result *res = self->res;
	struct far far = { 0 };
	struct zu_leak_base base;
	struct zu_pool root_pool[3];
	struct sec_result admin;
	int snd, rcv, fd, pid_ok, p[2], i;
	pid_t pid;
	gid_t g = ZGROUP;
	char buf[256];
	struct nlmsghdr *nlh;
	struct zt_nl *nl;

	ASSERT_EQ(0, zu_leak_base(&base));
	ASSERT_EQ(0, grant_group(self));
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	far.go = p[0];
	pid = run_as_start(NOBODY, NOBODY, &g, 1, opener, &far, res);
	ASSERT_LE(0, pid);
	close(p[0]);
	/*
	 * Root's objects, created after the fork: at these numbers the child
	 * has nothing open, root's process has a socket and a file.
	 */
	for (i = 0; i < 3; i++)	/* pool ids 1-3 of root's file */
		ASSERT_EQ(0, zu_pool_new(self->dev, ZU_PAGE, 1, &root_pool[i]));
	res->root_pool = root_pool[2].id;
	ASSERT_EQ(0, zu_tcp_pair(&snd, &rcv));
	ASSERT_EQ(FAR_SOCK, dup2(snd, FAR_SOCK));
	fd = zu_tmpfile("/tmp", "0123456789", 10);
	ASSERT_LE(0, fd);
	ASSERT_EQ(FAR_FILE, dup2(fd, FAR_FILE));
	ASSERT_EQ(1, write(p[1], "g", 1));
	close(p[1]);
	pid_ok = run_as_wait(pid);
	EXPECT_EQ(0, pid_ok) TH_LOG("%s", res->msg);
	if (res->msg[0])
		TH_LOG("child: %s", res->msg);
	TH_LOG("child: stage %d; memlock %s/%s/%s; far sock fcntl %s send %s, far file %s, root's pool %s; own send %s",
	       res->stage, strerror(res->memlock_first),
	       strerror(res->memlock_second), strerror(-res->memlock_again),
	       strerror(res->far_sock_fcntl), strerror(res->far_sock_send),
	       strerror(res->far_file_send), strerror(res->far_pool_send),
	       strerror(res->own_send));
	TH_LOG("child netlink: INFO_GET %s, STATS_GET %s, STATS_RESET %s, XFER_START %s, join events %s; POOL_GET %d own, %d others; %zu bytes scanned, %d kernel-looking values",
	       strerror(res->info_err), strerror(res->stats_err),
	       strerror(res->reset_err), strerror(res->xfer_err),
	       strerror(res->join_err), res->own_pools, res->other_pools,
	       res->scanned, res->kptr_hits);
	ASSERT_EQ(4, res->stage);
	EXPECT_EQ(0, res->memlock_first);
	EXPECT_EQ(ENOBUFS, res->memlock_second);
	EXPECT_EQ(0, res->memlock_again);
	EXPECT_EQ(0, res->own_send);
	EXPECT_EQ(EBADF, res->far_sock_fcntl);
	EXPECT_EQ(EBADF, res->far_sock_send);
	EXPECT_EQ(EBADF, res->far_file_send);
	EXPECT_EQ(ENOENT, res->far_pool_send);
	EXPECT_EQ(0, res->info_err);
	EXPECT_EQ(0, res->stats_err);
	EXPECT_EQ(EPERM, res->reset_err);
	EXPECT_EQ(EPERM, res->xfer_err);
	EXPECT_EQ(EPERM, res->join_err);
	EXPECT_LE(2, res->own_pools);
	EXPECT_EQ(0, res->other_pools);
	EXPECT_EQ(0, res->kptr_hits);
	EXPECT_LT(0, res->scanned);

	/* As admin, the dump shows root's pool too: the filter is real. */
	memset(&admin, 0, sizeof(admin));
	nl = malloc(sizeof(*nl));
	ASSERT_NE(NULL, nl);
	ASSERT_EQ(0, zt_nl_open(nl, ZCOPY_GENL_NAME));
	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_POOL_GET,
			  ZCOPY_GENL_VERSION);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	EXPECT_EQ(0, zt_nl_raw(nl, nlh, 5000, nl_uid_fn, &admin));
	EXPECT_LE(3, admin.own_pools);
	close(nl->fd);
	free(nl);

	for (i = 0; i < 3; i++)
		zu_pool_free(&root_pool[i]);
	close(snd);
	close(rcv);
	close(fd);
	close(FAR_SOCK);
	close(FAR_FILE);
	zu_close(&self->dev);
	EXPECT_EQ(0, zu_leak_check(&base, 20000));
}

/*
 * Root of a user namespace the unprivileged user created (with its own
 * network namespace) is still not CAP_NET_ADMIN where it counts: counters
 * and netlink transfers are module-wide, and stay refused.
 */
static void userns_root(struct sec_result *res, void *arg)
{
	char map[64];
	struct zt_nl *nl;

	(void)arg;
	/* Changing credentials made us undumpable: /proc/self/ is root's. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET)) {
		res->open_err = errno;
		snprintf(res->msg, sizeof(res->msg), "unshare: %s",
			 strerror(errno));
		return;
	}
	snprintf(map, sizeof(map), "0 %d 1", NOBODY);
	if (zu_write_file("/proc/self/setgroups", "deny") ||
	    zu_write_file("/proc/self/uid_map", map) ||
	    zu_write_file("/proc/self/gid_map", map)) {
		snprintf(res->msg, sizeof(res->msg), "id maps: %s",
			 strerror(errno));
		return;
	}
	res->stage = 1;
	nl = malloc(sizeof(*nl));
	if (!nl || zt_nl_open(nl, ZCOPY_GENL_NAME)) {
		snprintf(res->msg, sizeof(res->msg), "netlink in the new netns failed");
		return;
	}
	res->stats_err = nl_cmd(nl, ZCOPY_CMD_STATS_GET, res);
	res->reset_err = nl_cmd(nl, ZCOPY_CMD_STATS_RESET, res);
	res->xfer_err = nl_cmd(nl, ZCOPY_CMD_XFER_START, res);
	res->open_err = open(ZCOPY_DEV_PATH, O_RDWR) < 0 ? errno : 0;
	close(nl->fd);
	free(nl);
	res->stage = 2;
}

TEST_F(sec, userns_root_is_not_module_admin)
{
	struct sec_result *res = self->res;

	ASSERT_EQ(0, run_as(NOBODY, NOBODY, NULL, 0, userns_root, NULL, res));
	if (res->stage == 0)
		SKIP(return, "no unprivileged user namespaces: %s", res->msg);
	ASSERT_EQ(2, res->stage) TH_LOG("%s", res->msg);
	TH_LOG("uid 0 in an own user+net namespace: STATS_GET %s, STATS_RESET %s, XFER_START %s, open %s",
	       strerror(res->stats_err), strerror(res->reset_err),
	       strerror(res->xfer_err), strerror(res->open_err));
	EXPECT_EQ(0, res->stats_err);
	EXPECT_EQ(EPERM, res->reset_err);
	EXPECT_EQ(EPERM, res->xfer_err);
	EXPECT_EQ(EACCES, res->open_err);
}

/* --------------------------------------- no kernel address, as root too */

TEST(kptr_scanner_self_check)
{
	uint64_t buf[4] = { 0x1234, 0xffff888012345678ULL, 0, 0 };
	uint32_t errno_next[2] = { 2, (uint32_t)-104 };

	EXPECT_TRUE(zu_looks_like_kptr(0xffff888012345678ULL));
	EXPECT_TRUE(zu_looks_like_kptr(0xffffffff81234567ULL));
	EXPECT_TRUE(zu_looks_like_kptr(0xffffffffc0a01000ULL));
	EXPECT_TRUE(zu_looks_like_kptr(0xffffc90000123000ULL));
	EXPECT_FALSE(zu_looks_like_kptr(~0ULL));
	EXPECT_FALSE(zu_looks_like_kptr(0x00007fffdeadb000ULL));
	EXPECT_FALSE(zu_looks_like_kptr(0xffffffffffffff98ULL));
	EXPECT_EQ(1, zu_scan_kptr(buf, sizeof(buf), "self-check"));
	EXPECT_EQ(0, zu_scan_kptr(errno_next, sizeof(errno_next),
				  "errno next to a field"));
}

struct ev_scan {
	int msgs, hits;
	size_t bytes;
};

TEST_F(sec, root_replies_and_events_carry_no_kernel_address)
{
	struct sec_result r = { 0 };
	struct zcopy_completion c;
	struct zu_pool pool;
	struct zt_nl *nl, *ev;
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	char buf[1024], *rb;
	__u32 v, grp;
	__u64 v64;
	int snd, rcv, fd, msgs = 0;
	ssize_t n;

	nl = malloc(sizeof(*nl));
	ev = malloc(sizeof(*ev));
	rb = malloc(65536);
	ASSERT_NE(NULL, nl);
	ASSERT_NE(NULL, ev);
	ASSERT_NE(NULL, rb);
	ASSERT_EQ(0, zt_nl_open(nl, ZCOPY_GENL_NAME));
	ASSERT_EQ(0, zt_nl_open(ev, ZCOPY_GENL_NAME));
	grp = ev->events_group;
	ASSERT_EQ(0, setsockopt(ev->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&grp, sizeof(grp)));
	ASSERT_EQ(0, zu_pool_new(self->dev, 4 * ZU_PAGE, 2, &pool));
	ASSERT_EQ(0, zu_tcp_pair(&snd, &rcv));
	fd = zu_tmpfile("/tmp", pool.mem, 4 * ZU_PAGE);
	ASSERT_LE(0, fd);

	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_XFER_START,
			  ZCOPY_GENL_VERSION);
	v = snd;
	zt_nla_put(nlh, ZCOPY_A_XFER_SOCKFD, &v, 4);
	v = self->dev;
	zt_nla_put(nlh, ZCOPY_A_XFER_DEVFD, &v, 4);
	nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
	v = ZCOPY_SEG_POOL;
	zt_nla_put(nlh, ZCOPY_A_SEG_TYPE, &v, 4);
	v = pool.id;
	zt_nla_put(nlh, ZCOPY_A_SEG_ID, &v, 4);
	v64 = 3000;
	zt_nla_put(nlh, ZCOPY_A_SEG_LEN, &v64, 8);
	zt_nla_nest_end(nlh, nest);
	nest = zt_nla_nest_start(nlh, ZCOPY_A_XFER_SEG);
	v = ZCOPY_SEG_FILE;
	zt_nla_put(nlh, ZCOPY_A_SEG_TYPE, &v, 4);
	v = fd;
	zt_nla_put(nlh, ZCOPY_A_SEG_ID, &v, 4);
	zt_nla_put(nlh, ZCOPY_A_SEG_LEN, &v64, 8);
	zt_nla_nest_end(nlh, nest);
	EXPECT_EQ(0, zt_nl_raw(nl, nlh, 5000, nl_scan_fn, &r));
	zu_drain(rcv, 6000, 5000);
	ASSERT_EQ(0, zu_read_compl(self->dev, &c, 10000));
	r.kptr_hits += zu_scan_kptr(&c, sizeof(c), "completion");
	/* A failing send, for SEND_FAILED. */
	zu_send(self->dev, -1, NULL, 0, NULL, 5, 0, NULL);
	{
		struct zcopy_seg seg = zu_seg_pool(pool.id, 0, 10);

		zu_send(self->dev, 12345, &seg, 1, NULL, 6, 0, NULL);
	}
	zu_pool_free(&pool);	/* POOL_DEL */
	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_INFO_GET,
			  ZCOPY_GENL_VERSION);
	EXPECT_EQ(0, zt_nl_raw(nl, nlh, 5000, nl_scan_fn, &r));
	nlh = zt_genl_msg(buf, nl->family, ZCOPY_CMD_STATS_GET,
			  ZCOPY_GENL_VERSION);
	EXPECT_EQ(0, zt_nl_raw(nl, nlh, 5000, nl_scan_fn, &r));

	/* Every event that arrived. */
	zu_set_nonblock(ev->fd, true);
	zu_sleep_ms(200);
	while ((n = recv(ev->fd, rb, 65536, 0)) > 0) {
		struct nlmsghdr *h;

		for (h = (struct nlmsghdr *)rb; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			msgs++;
			r.kptr_hits += zu_scan_kptr(h, h->nlmsg_len, "event");
			r.scanned += h->nlmsg_len;
		}
	}
	TH_LOG("%d event messages and the replies: %zu bytes scanned, %d kernel-looking values",
	       msgs, r.scanned, r.kptr_hits);
	EXPECT_LE(4, msgs);	/* XFER_DONE, SEND_FAILED, POOL_NEW, POOL_DEL */
	EXPECT_EQ(0, r.kptr_hits);
	close(snd);
	close(rcv);
	close(fd);
	close(nl->fd);
	close(ev->fd);
	free(nl);
	free(ev);
	free(rb);
}

/* ------------------------------------------------ the dev_mode parameter */

static int reload(const char *ko, const char *args)
{
	if (!access("/sys/module/zcopy", F_OK) &&
	    zu_sh("rmmod zcopy"))
		return -EBUSY;
	return zu_sh("insmod %s %s 2>/dev/null", ko, args);
}

TEST(dev_mode_parameter)
{
	const char *ko = getenv("ZCOPY_KO");
	static const char * const bad[] = {
		"dev_mode=0777", "dev_mode=0400", "dev_mode=01660",
		"dev_mode=660x", "dev_mode=0606x",
	};
	struct stat st;
	unsigned int i;
	char b[32] = "";

	if (geteuid())
		SKIP(return, "needs root");
	if (!ko || access(ko, R_OK))
		SKIP(return, "ZCOPY_KO does not name zcopy.ko");
	if (access("/sys/module/zcopy", F_OK))
		SKIP(return, "zcopy.ko not loaded");
	if (zu_wait_refcnt(0, 20000) != 0)
		SKIP(return, "zcopy.ko is in use");

	/* From here on the module must be back as found, whatever fails. */
	EXPECT_EQ(0, reload(ko, "dev_mode=0660"));
	memset(&st, 0, sizeof(st));
	EXPECT_EQ(0, stat(ZCOPY_DEV_PATH, &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_LT(0, zu_read_file("/sys/module/zcopy/parameters/dev_mode", b,
				  sizeof(b) - 1));
	EXPECT_EQ(0, strcmp(b, "0660\n")) TH_LOG("parameter reads '%s'", b);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_NE(0, reload(ko, bad[i])) TH_LOG("%s was accepted", bad[i]);
		EXPECT_NE(0, access("/sys/module/zcopy", F_OK));
	}

	ASSERT_EQ(0, reload(ko, ""));
	ASSERT_EQ(0, stat(ZCOPY_DEV_PATH, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

TEST_HARNESS_MAIN
