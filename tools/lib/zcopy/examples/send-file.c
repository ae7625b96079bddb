// SPDX-License-Identifier: GPL-2.0
/*
 * send-file HOST PORT FILE: an HTTP-like header from a pool and FILE as a
 * file extent, in one transfer resumed over short sends; then its
 * completion says how much went without a CPU copy.
 *
 *   cc send-file.c $(pkg-config --cflags --libs libzcopy)
 */
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libzcopy.h>

static int die(const char *what, int err)
{
	fprintf(stderr, "send-file: %s: %s\n", what, strerror(-err));
	return 1;
}

int main(int argc, char **argv)
{
	struct addrinfo *ai, hints = { .ai_socktype = SOCK_STREAM };
	struct libzcopy_send_state st = { 0 };
	struct zcopy_completion c;
	struct libzcopy_pool pool;
	struct zcopy_seg segs[2];
	struct libzcopy *z;
	char hdr[128];
	struct stat sb;
	int ret, sock, fd, got = 0;

	if (argc != 4)
		return fprintf(stderr, "usage: send-file HOST PORT FILE\n"), 2;
	fd = open(argv[3], O_RDONLY);
	if (fd < 0 || fstat(fd, &sb) || getaddrinfo(argv[1], argv[2], &hints, &ai))
		return perror(argv[3]), 1;
	sock = socket(ai->ai_family, SOCK_STREAM, 0);
	if (sock < 0 || connect(sock, ai->ai_addr, ai->ai_addrlen))
		return perror("connect"), 1;
	if ((ret = libzcopy_open(&z, 0)))
		return die("/dev/zcopy", ret);
	snprintf(hdr, sizeof(hdr), "HTTP/1.1 200 OK\r\nContent-Length: %lld\r\n\r\n",
		 (long long)sb.st_size);
	if ((ret = libzcopy_pool_alloc(z, &pool, strlen(hdr), hdr)))
		return die("pool", ret);
	libzcopy_seg_pool(&segs[0], pool.id, 0, strlen(hdr));
	libzcopy_seg_file(&segs[1], fd, 0, sb.st_size);
	/* Blocking socket: only a signal stops it early; then it resumes. */
	while (!libzcopy_send_done(&st, 2) && ret >= 0)
		ret = libzcopy_send_all(z, sock, segs, 2, 0, 1, &st);
	if (ret < 0)
		die("send", ret);	/* still reap what was sent */
	shutdown(sock, SHUT_WR);
	/* One completion per transfer: the pool may be reused after it. */
	while (got < (int)st.transfers && (ret = libzcopy_reap(z, &c, 1, -1)) >= 0)
		if (ret && ++got)
			printf("transfer %d: %llu bytes, %llu zero-copy, %llu copied (%s)\n",
			       got, (unsigned long long)c.bytes,
			       (unsigned long long)c.zc_bytes,
			       (unsigned long long)c.copied_bytes,
			       libzcopy_reason_name(c.reason));
	libzcopy_pool_free(z, &pool);
	libzcopy_close(z);
	return ret < 0 ? die("reap", ret) : !libzcopy_send_done(&st, 2);
}
