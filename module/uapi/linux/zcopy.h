/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * zcopy: send registered user buffers and page-cache file extents to a
 * socket without a CPU copy, and report whether that really happened.
 *
 * Two interfaces:
 *
 * 1. The character device /dev/zcopy. Every object (pool, transfer,
 *    completion) belongs to the open file that created it and dies with it.
 *    Each ioctl takes a pointer to a struct whose first field, @size, is the
 *    size of the struct as the caller knows it. The kernel accepts any size
 *    from the first version of the struct up to PAGE_SIZE: a shorter struct
 *    is zero-extended, a longer one must have only zero bytes past what the
 *    kernel knows (else E2BIG). Unknown flag bits and non-zero reserved
 *    fields are rejected with EINVAL.
 *
 *    ZCOPY_IOC_QUERY   struct zcopy_query      features and limits
 *
 *    errno contract, common to every ioctl:
 *      ENOTTY      unknown ioctl number
 *      EFAULT      the argument pointer (or one inside it) is not readable
 *                  or writable user memory
 *      EINVAL      @size below the first version, unknown flag bit,
 *                  non-zero reserved field
 *      E2BIG       @size larger than the kernel's struct with non-zero
 *                  trailing bytes, or @size above PAGE_SIZE
 *      EOPNOTSUPP  a known field holds a value this kernel cannot honour
 *
 * 2. The generic netlink family "zcopy" (ZCOPY_GENL_NAME), described in
 *    Documentation/netlink/specs/zcopy.yaml:
 *
 *    ZCOPY_CMD_INFO_GET (do)
 *      reply: ZCOPY_A_INFO_VERSION     string, module version
 *             ZCOPY_A_INFO_ABI         u32, ZCOPY_ABI_VERSION
 *             ZCOPY_A_INFO_FEATURES    u64, ZCOPY_FEATURE_* mask
 */
#ifndef _UAPI_LINUX_ZCOPY_H
#define _UAPI_LINUX_ZCOPY_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ZCOPY_DEVICE_NAME	"zcopy"
#define ZCOPY_ABI_VERSION	1

#define ZCOPY_IOC_MAGIC		'Z'
#define ZCOPY_IOC_BASE		0x40

enum {
	ZCOPY_IOC_NR_QUERY = ZCOPY_IOC_BASE,
	ZCOPY_IOC_NR_LAST,
};

/**
 * enum zcopy_feature - capabilities reported by ZCOPY_IOC_QUERY and by
 * ZCOPY_A_INFO_FEATURES. A bit is set only when the running module
 * implements the feature; userspace must test bits, not versions.
 * @ZCOPY_FEATURE_ALL: every bit this header knows
 */
enum zcopy_feature {
	ZCOPY_FEATURE_ALL = 0,
};

/**
 * struct zcopy_query - ZCOPY_IOC_QUERY: what this module supports
 * @size: sizeof(struct zcopy_query) as known to the caller
 * @flags: must be 0
 * @abi_version: out, ZCOPY_ABI_VERSION of the running module
 * @__reserved: must be 0
 * @features: out, mask of enum zcopy_feature bits the module implements
 */
struct zcopy_query {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 __reserved;
	__aligned_u64 features;
};

#define ZCOPY_IOC_QUERY		_IO(ZCOPY_IOC_MAGIC, ZCOPY_IOC_NR_QUERY)

/* Generic netlink */
#define ZCOPY_GENL_NAME		"zcopy"
#define ZCOPY_GENL_VERSION	1

/**
 * enum zcopy_cmd - generic netlink commands of the "zcopy" family
 * @ZCOPY_CMD_UNSPEC: unused
 * @ZCOPY_CMD_INFO_GET: module version, ABI version and features
 */
enum zcopy_cmd {
	ZCOPY_CMD_UNSPEC,
	ZCOPY_CMD_INFO_GET,

	__ZCOPY_CMD_MAX,
	ZCOPY_CMD_MAX = __ZCOPY_CMD_MAX - 1
};

/**
 * enum zcopy_a_info - attributes of ZCOPY_CMD_INFO_GET replies
 * @ZCOPY_A_INFO_UNSPEC: unused
 * @ZCOPY_A_INFO_PAD: padding for 64-bit attributes
 * @ZCOPY_A_INFO_VERSION: NUL-terminated module version string
 * @ZCOPY_A_INFO_ABI: u32, ZCOPY_ABI_VERSION
 * @ZCOPY_A_INFO_FEATURES: u64, enum zcopy_feature mask
 */
enum zcopy_a_info {
	ZCOPY_A_INFO_UNSPEC,
	ZCOPY_A_INFO_PAD,
	ZCOPY_A_INFO_VERSION,
	ZCOPY_A_INFO_ABI,
	ZCOPY_A_INFO_FEATURES,

	__ZCOPY_A_INFO_MAX,
	ZCOPY_A_INFO_MAX = __ZCOPY_A_INFO_MAX - 1
};

#endif /* _UAPI_LINUX_ZCOPY_H */
