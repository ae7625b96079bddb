/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZCOPY_TCPINFO_H
#define ZCOPY_TCPINFO_H

/* Data segments @fd sent (TCP_INFO tcpi_data_segs_out), or -errno. */
long zu_tcp_data_segs_out(int fd);

#endif
