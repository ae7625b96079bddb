// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/zcopy: the character device and its ioctl dispatch.
 *
 * Every ioctl argument is an extensible struct whose first u32 is its size
 * as the caller knows it (the iommufd convention). The dispatch table holds,
 * per ioctl, the size of the first version of its struct; the argument is
 * copied in once, zero-extended or checked for non-zero trailing bytes by
 * copy_struct_from_user(), and handed to the handler.
 */

#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>
#include <linux/zcopy.h>

#include "dev.h"
#include "job.h"
#include "pool.h"
#include "send.h"
#include "xfer.h"
#include "zcopy.h"

union zcopy_ioctl_buf {
	struct zcopy_query query;
	struct zcopy_pool_register pool_register;
	struct zcopy_pool_unregister pool_unregister;
	struct zcopy_send send;
	struct zcopy_probe probe;
};

struct zcopy_ioctl_op {
	unsigned int min_size;
	unsigned int size;
	unsigned int ioctl_num;
	int (*execute)(struct zcopy_ctx *ctx, void *arg);
};

static int zcopy_ioc_query(struct zcopy_ctx *ctx, void *arg)
{
	struct zcopy_query *q = arg;

	if (q->flags || q->__reserved || q->__reserved2)
		return -EINVAL;

	q->abi_version = ZCOPY_ABI_VERSION;
	q->features = zcopy_features();
	q->max_pools = ZCOPY_MAX_POOLS;
	q->max_segments = ZCOPY_MAX_SEGMENTS;
	q->max_pool_bytes = ZCOPY_MAX_POOL_BYTES;
	q->max_send_bytes = ZCOPY_MAX_SEND_BYTES;
	q->max_outstanding = ZCOPY_MAX_OUTSTANDING;
	q->completion_size = sizeof(struct zcopy_completion);
	q->copy_threshold = zcopy_copy_threshold();
	return 0;
}

static int zcopy_ioc_pool_register(struct zcopy_ctx *ctx, void *arg)
{
	return zcopy_pool_register(ctx, arg);
}

static int zcopy_ioc_pool_unregister(struct zcopy_ctx *ctx, void *arg)
{
	return zcopy_pool_unregister(ctx, arg);
}

static int zcopy_ioc_send(struct zcopy_ctx *ctx, void *arg)
{
	return zcopy_send_user(ctx, arg);
}

static int zcopy_ioc_probe(struct zcopy_ctx *ctx, void *arg)
{
	return zcopy_probe(arg, NULL);
}

/*
 * As iommufd does: each entry knows its whole ioctl number, so an entry
 * in the wrong slot is refused rather than run (as is a number with other
 * type, direction or size bits), and the build fails if the argument
 * union cannot hold the struct.
 */
#define ZCOPY_IOCTL_OP(_ioctl, _struct, _last, _fn)			\
	{								\
		.min_size = offsetofend(_struct, _last),		\
		.size = sizeof(_struct) +				\
			BUILD_BUG_ON_ZERO(sizeof(union zcopy_ioctl_buf) < \
					  sizeof(_struct)),		\
		.ioctl_num = _ioctl,					\
		.execute = _fn,						\
	}

static const struct zcopy_ioctl_op zcopy_ioctl_ops[] = {
	[ZCOPY_IOC_NR_QUERY - ZCOPY_IOC_BASE] =
		ZCOPY_IOCTL_OP(ZCOPY_IOC_QUERY, struct zcopy_query, features,
			       zcopy_ioc_query),
	[ZCOPY_IOC_NR_POOL_REGISTER - ZCOPY_IOC_BASE] =
		ZCOPY_IOCTL_OP(ZCOPY_IOC_POOL_REGISTER,
			       struct zcopy_pool_register, __reserved,
			       zcopy_ioc_pool_register),
	[ZCOPY_IOC_NR_POOL_UNREGISTER - ZCOPY_IOC_BASE] =
		ZCOPY_IOCTL_OP(ZCOPY_IOC_POOL_UNREGISTER,
			       struct zcopy_pool_unregister, __reserved,
			       zcopy_ioc_pool_unregister),
	[ZCOPY_IOC_NR_SEND - ZCOPY_IOC_BASE] =
		ZCOPY_IOCTL_OP(ZCOPY_IOC_SEND, struct zcopy_send, __reserved,
			       zcopy_ioc_send),
	[ZCOPY_IOC_NR_PROBE - ZCOPY_IOC_BASE] =
		ZCOPY_IOCTL_OP(ZCOPY_IOC_PROBE, struct zcopy_probe, ifname,
			       zcopy_ioc_probe),
};

static_assert(ARRAY_SIZE(zcopy_ioctl_ops) ==
	      ZCOPY_IOC_NR_LAST - ZCOPY_IOC_BASE);

/* The ABI is the same for 32- and 64-bit callers (compat_ptr_ioctl). */
static_assert(sizeof(struct zcopy_query) == 64);
static_assert(sizeof(struct zcopy_pool_register) == 32);
static_assert(sizeof(struct zcopy_pool_unregister) == 16);
static_assert(sizeof(struct zcopy_seg) == 32);
static_assert(sizeof(struct zcopy_seg_result) == 24);
static_assert(sizeof(struct zcopy_send) == 72);
static_assert(sizeof(struct zcopy_completion) == 56);
static_assert(sizeof(struct zcopy_probe) == 72);

static long zcopy_ioctl(struct file *file, unsigned int cmd,
			unsigned long uarg)
{
	struct zcopy_ctx *ctx = file->private_data;
	void __user *ubuf = (void __user *)uarg;
	const struct zcopy_ioctl_op *op;
	union zcopy_ioctl_buf buf;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	int ret;

	if (nr < ZCOPY_IOC_BASE || nr >= ZCOPY_IOC_NR_LAST)
		return -ENOTTY;
	op = &zcopy_ioctl_ops[nr - ZCOPY_IOC_BASE];
	/* Type, direction and size bits must be those of the ABI too. */
	if (op->ioctl_num != cmd)
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)ubuf))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;

	ret = copy_struct_from_user(&buf, op->size, ubuf, usize);
	if (ret)
		return ret;

	/*
	 * The results go back into the caller's struct: make sure it is
	 * writable before anything happens (by writing back what it holds),
	 * so that EFAULT never hides a pool that was registered or a send
	 * that went out and will complete.
	 */
	if (copy_to_user(ubuf, &buf, min_t(u32, usize, op->size)))
		return -EFAULT;

	ret = op->execute(ctx, &buf);
	if (ret)
		return ret;

	/* Only the part of the struct the caller knows goes back. */
	if (copy_to_user(ubuf, &buf, min_t(u32, usize, op->size)))
		return -EFAULT;
	return 0;
}

static ssize_t zcopy_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	return zcopy_cq_read(file->private_data, buf, count,
			     file->f_flags & O_NONBLOCK);
}

static __poll_t zcopy_poll(struct file *file, poll_table *wait)
{
	return zcopy_cq_poll(file->private_data, file, wait);
}

static int zcopy_open(struct inode *inode, struct file *file)
{
	struct zcopy_ctx *ctx;

	ctx = zcopy_ctx_alloc(current->nsproxy->net_ns);
	if (!ctx)
		return -ENOMEM;
	file->private_data = ctx;
	return nonseekable_open(inode, file);
}

static int zcopy_release(struct inode *inode, struct file *file)
{
	struct zcopy_ctx *ctx = file->private_data;

	/* Its pools are going: kernel-run transfers from them stop. */
	zcopy_job_cancel_ctx(ctx);
	zcopy_ctx_close(ctx);
	zcopy_ctx_put(ctx);
	return 0;
}

static const struct file_operations zcopy_fops = {
	.owner = THIS_MODULE,
	.open = zcopy_open,
	.release = zcopy_release,
	.read = zcopy_read,
	.poll = zcopy_poll,
	.unlocked_ioctl = zcopy_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* The context of @file if it is an open /dev/zcopy, else NULL. */
struct zcopy_ctx *zcopy_dev_ctx(struct file *file)
{
	return file->f_op == &zcopy_fops ? file->private_data : NULL;
}

/*
 * Who may open /dev/zcopy: the permission bits of the node devtmpfs
 * creates, owned by root:root. The misc class applies the mode; a
 * module cannot choose the node's owner or group (only a device type's
 * devnode() can, and misc devices have none), so an admin grants a group
 * with dev_mode=0660 and a udev rule (or chgrp) for the group, see
 * Documentation/reliability.md. Read and write for the owner are always
 * kept; execute bits, set-id bits and the sticky bit are refused.
 */
static umode_t zcopy_dev_mode = 0600;

static int zcopy_dev_mode_set(const char *val, const struct kernel_param *kp)
{
	u16 mode;
	int ret;

	ret = kstrtou16(val, 8, &mode);
	if (ret)
		return ret;
	if ((mode & ~0666) || (mode & 0600) != 0600)
		return -EINVAL;
	*(umode_t *)kp->arg = mode;
	return 0;
}

static int zcopy_dev_mode_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%04o\n", *(umode_t *)kp->arg);
}

static const struct kernel_param_ops zcopy_dev_mode_ops = {
	.set = zcopy_dev_mode_set,
	.get = zcopy_dev_mode_get,
};

/* Read-only once loaded: the node exists by then. */
module_param_cb(dev_mode, &zcopy_dev_mode_ops, &zcopy_dev_mode, 0444);
__MODULE_PARM_TYPE(dev_mode, "ushort");
MODULE_PARM_DESC(dev_mode,
		 "Permission bits of /dev/zcopy, octal: 0600 (default), 0640, 0660, 0666, ...");

static struct miscdevice zcopy_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = ZCOPY_DEVICE_NAME,
	.fops = &zcopy_fops,
};

int __init zcopy_dev_init(void)
{
	zcopy_miscdev.mode = zcopy_dev_mode;
	return misc_register(&zcopy_miscdev);
}

void zcopy_dev_uninit(void)
{
	misc_deregister(&zcopy_miscdev);
}
