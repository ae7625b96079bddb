/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_SEND_H
#define _ZCOPY_SEND_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct netlink_ext_ack;
struct socket;
struct zcopy_ctx;
struct zcopy_probe;
struct zcopy_seg;
struct zcopy_send;
struct zcopy_sendop;

/* zcopy_send_prepare(): never wait for room in the socket (MSG_DONTWAIT) */
#define ZCOPY_PREPARE_NONBLOCK	BIT(0)

unsigned int zcopy_copy_threshold(void);
int zcopy_send_check(const struct zcopy_send *a);
int zcopy_user_errno(int err);
int zcopy_send(struct zcopy_ctx *ctx, struct zcopy_send *a,
	       const struct zcopy_seg *segs, void __user *ures);
int zcopy_send_user(struct zcopy_ctx *ctx, struct zcopy_send *a);
int zcopy_probe(struct zcopy_probe *p, struct netlink_ext_ack *extack);

struct zcopy_sendop *zcopy_send_prepare(struct zcopy_ctx *ctx,
					const struct zcopy_send *a,
					const struct zcopy_seg *segs,
					unsigned int flags,
					struct netlink_ext_ack *extack,
					unsigned int *bad_seg);
void zcopy_send_set_job(struct zcopy_sendop *op, u32 id,
			void (*done)(void *arg), void *arg);
int zcopy_send_run(struct zcopy_sendop *op);
void zcopy_send_cancel(struct zcopy_sendop *op);
struct socket *zcopy_send_sock(const struct zcopy_sendop *op);
bool zcopy_send_tls(const struct zcopy_sendop *op);
u64 zcopy_send_total(const struct zcopy_sendop *op);
const struct zcopy_send *zcopy_send_state(const struct zcopy_sendop *op);
int zcopy_send_finish(struct zcopy_sendop *op, int err, struct zcopy_send *a,
		      void __user *ures, struct netlink_ext_ack *extack);

#endif /* _ZCOPY_SEND_H */
