/* SPDX-License-Identifier: GPL-2.0 */
/* Do not edit: generated from Documentation/netlink/specs/zcopy.yaml by tools/nlgen. */
#ifndef LIBZCOPY_NL_GEN_H
#define LIBZCOPY_NL_GEN_H
#include <stdint.h>
#include <netlink/attr.h>
#include <linux/zcopy.h>

enum libzcopy_nl_type {
	LIBZCOPY_NL_T_NONE,		/* unused, pad */
	LIBZCOPY_NL_T_U32,
	LIBZCOPY_NL_T_S32,
	LIBZCOPY_NL_T_U64,
	LIBZCOPY_NL_T_STRING,
	LIBZCOPY_NL_T_FLAG,
	LIBZCOPY_NL_T_NEST,
};

struct libzcopy_nl_aset;

struct libzcopy_nl_attr {
	const char *name;		/* the spec's, in snake_case */
	enum libzcopy_nl_type type;
	const struct libzcopy_nl_aset *nest;
};

struct libzcopy_nl_aset {
	const char *name;		/* the spec's */
	int max;
	const struct libzcopy_nl_attr *attrs;	/* [max + 1] */
	struct nla_policy *policy;		/* [max + 1], for nla_parse() */
};

extern const struct libzcopy_nl_aset libzcopy_nl_set_info;
extern const struct libzcopy_nl_aset libzcopy_nl_set_stats;
extern const struct libzcopy_nl_aset libzcopy_nl_set_pool;
extern const struct libzcopy_nl_aset libzcopy_nl_set_xfer_seg;
extern const struct libzcopy_nl_aset libzcopy_nl_set_xfer;
extern const struct libzcopy_nl_aset libzcopy_nl_set_probe;

/* The attribute set of each command's messages, NULL for none. */
extern const struct libzcopy_nl_aset *const
libzcopy_nl_cmd_sets[ZCOPY_CMD_MAX + 1];

#endif
