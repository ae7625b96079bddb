// SPDX-License-Identifier: GPL-2.0
/*
 * TCP_INFO fields newer than glibc's struct tcp_info, from the kernel's
 * own header (which cannot share a file with <netinet/tcp.h>).
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/tcp.h>

#include "../zcopy_tcpinfo.h"

long zu_tcp_data_segs_out(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return -errno;
	if (len < offsetof(struct tcp_info, tcpi_data_segs_out) +
		  sizeof(ti.tcpi_data_segs_out))
		return -EOPNOTSUPP;
	return ti.tcpi_data_segs_out;
}
