/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_SEND_H
#define _ZCOPY_SEND_H

struct zcopy_ctx;
struct zcopy_send;

int zcopy_send(struct zcopy_ctx *ctx, struct zcopy_send *a);

#endif /* _ZCOPY_SEND_H */
