/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_DEV_H
#define _ZCOPY_DEV_H

#include <linux/init.h>
#include <linux/types.h>

struct file;
struct zcopy_ctx;

struct zcopy_ctx *zcopy_dev_ctx(struct file *file);

int __init zcopy_dev_init(void);
void zcopy_dev_uninit(void);

#endif /* _ZCOPY_DEV_H */
