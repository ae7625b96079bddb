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
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <linux/zcopy.h>

#include "dev.h"

/**
 * struct zcopy_ctx - state of one open /dev/zcopy file
 * @file: the file this context belongs to
 */
struct zcopy_ctx {
	struct file *file;
};

union zcopy_ioctl_buf {
	struct zcopy_query query;
};

struct zcopy_ioctl_op {
	unsigned int min_size;
	unsigned int size;
	int (*execute)(struct zcopy_ctx *ctx, void *arg);
};

u64 zcopy_features(void)
{
	return 0;
}

static int zcopy_ioc_query(struct zcopy_ctx *ctx, void *arg)
{
	struct zcopy_query *q = arg;

	if (q->flags || q->__reserved)
		return -EINVAL;

	q->abi_version = ZCOPY_ABI_VERSION;
	q->features = zcopy_features();
	return 0;
}

#define ZCOPY_IOCTL_OP(_nr, _struct, _last, _fn)			\
	[(_nr) - ZCOPY_IOC_BASE] = {					\
		.min_size = offsetofend(_struct, _last),		\
		.size = sizeof(_struct),				\
		.execute = _fn,						\
	}

static const struct zcopy_ioctl_op zcopy_ioctl_ops[] = {
	ZCOPY_IOCTL_OP(ZCOPY_IOC_NR_QUERY, struct zcopy_query, features,
		       zcopy_ioc_query),
};

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

	if (_IOC_TYPE(cmd) != ZCOPY_IOC_MAGIC || _IOC_DIR(cmd) != _IOC_NONE ||
	    _IOC_SIZE(cmd) || nr < ZCOPY_IOC_BASE || nr >= ZCOPY_IOC_NR_LAST)
		return -ENOTTY;
	op = &zcopy_ioctl_ops[nr - ZCOPY_IOC_BASE];

	if (get_user(usize, (u32 __user *)ubuf))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;

	ret = copy_struct_from_user(&buf, op->size, ubuf, usize);
	if (ret)
		return ret;

	ret = op->execute(ctx, &buf);
	if (ret)
		return ret;

	/* Only the part of the struct the caller knows goes back. */
	if (copy_to_user(ubuf, &buf, min_t(u32, usize, op->size)))
		return -EFAULT;
	return 0;
}

static int zcopy_open(struct inode *inode, struct file *file)
{
	struct zcopy_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->file = file;
	file->private_data = ctx;
	return 0;
}

static int zcopy_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static const struct file_operations zcopy_fops = {
	.owner = THIS_MODULE,
	.open = zcopy_open,
	.release = zcopy_release,
	.unlocked_ioctl = zcopy_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice zcopy_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = ZCOPY_DEVICE_NAME,
	.fops = &zcopy_fops,
	.mode = 0600,
};

int __init zcopy_dev_init(void)
{
	return misc_register(&zcopy_miscdev);
}

void zcopy_dev_uninit(void)
{
	misc_deregister(&zcopy_miscdev);
}
