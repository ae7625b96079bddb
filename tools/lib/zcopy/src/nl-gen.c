// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from Documentation/netlink/specs/zcopy.yaml by tools/nlgen. */

#include "nl-gen.h"

static const struct libzcopy_nl_attr libzcopy_nl_attrs_info[ZCOPY_A_INFO_MAX + 1] = {
	[ZCOPY_A_INFO_VERSION] = { "version", LIBZCOPY_NL_T_STRING, NULL },
	[ZCOPY_A_INFO_ABI] = { "abi", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_INFO_FEATURES] = { "features", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_INFO_COPY_THRESHOLD] = { "copy_threshold", LIBZCOPY_NL_T_U32, NULL },
};

static struct nla_policy libzcopy_nl_policy_info[ZCOPY_A_INFO_MAX + 1] = {
	[ZCOPY_A_INFO_VERSION] = { .type = NLA_STRING },
	[ZCOPY_A_INFO_ABI] = { .type = NLA_U32 },
	[ZCOPY_A_INFO_FEATURES] = { .type = NLA_U64 },
	[ZCOPY_A_INFO_COPY_THRESHOLD] = { .type = NLA_U32 },
};

const struct libzcopy_nl_aset libzcopy_nl_set_info = {
	"info", ZCOPY_A_INFO_MAX, libzcopy_nl_attrs_info, libzcopy_nl_policy_info
};

static const struct libzcopy_nl_attr libzcopy_nl_attrs_stats[ZCOPY_A_STATS_MAX + 1] = {
	[ZCOPY_A_STATS_TRANSFERS] = { "transfers", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_FAILED_SENDS] = { "failed_sends", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_POOL] = { "bytes_pool", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_FILE] = { "bytes_file", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_ZC] = { "bytes_zc", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_COPIED] = { "bytes_copied", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_COMPLETIONS] = { "completions", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_COMPLETIONS_COPIED] = { "completions_copied", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_POOLS_REGISTERED] = { "pools_registered", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_POOLS_RELEASED] = { "pools_released", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_PINNED_PAGES] = { "pinned_pages", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_PINNED_PAGES_PEAK] = { "pinned_pages_peak", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_POOLS] = { "pools", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_STATS_OUTSTANDING] = { "outstanding", LIBZCOPY_NL_T_U64, NULL },
};

static struct nla_policy libzcopy_nl_policy_stats[ZCOPY_A_STATS_MAX + 1] = {
	[ZCOPY_A_STATS_TRANSFERS] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_FAILED_SENDS] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_BYTES_POOL] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_BYTES_FILE] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_BYTES_ZC] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_BYTES_COPIED] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_COMPLETIONS] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_COMPLETIONS_COPIED] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_POOLS_REGISTERED] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_POOLS_RELEASED] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_PINNED_PAGES] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_PINNED_PAGES_PEAK] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_POOLS] = { .type = NLA_U64 },
	[ZCOPY_A_STATS_OUTSTANDING] = { .type = NLA_U64 },
};

const struct libzcopy_nl_aset libzcopy_nl_set_stats = {
	"stats", ZCOPY_A_STATS_MAX, libzcopy_nl_attrs_stats, libzcopy_nl_policy_stats
};

static const struct libzcopy_nl_attr libzcopy_nl_attrs_pool[ZCOPY_A_POOL_MAX + 1] = {
	[ZCOPY_A_POOL_ID] = { "id", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_POOL_PID] = { "pid", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_POOL_UID] = { "uid", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_POOL_COMM] = { "comm", LIBZCOPY_NL_T_STRING, NULL },
	[ZCOPY_A_POOL_LEN] = { "len", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_POOL_PAGES] = { "pages", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_POOL_INFLIGHT] = { "inflight", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_POOL_SENDS] = { "sends", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_POOL_BYTES_SENT] = { "bytes_sent", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_POOL_REGISTERED] = { "registered", LIBZCOPY_NL_T_FLAG, NULL },
};

static struct nla_policy libzcopy_nl_policy_pool[ZCOPY_A_POOL_MAX + 1] = {
	[ZCOPY_A_POOL_ID] = { .type = NLA_U32 },
	[ZCOPY_A_POOL_PID] = { .type = NLA_U32 },
	[ZCOPY_A_POOL_UID] = { .type = NLA_U32 },
	[ZCOPY_A_POOL_COMM] = { .type = NLA_STRING },
	[ZCOPY_A_POOL_LEN] = { .type = NLA_U64 },
	[ZCOPY_A_POOL_PAGES] = { .type = NLA_U64 },
	[ZCOPY_A_POOL_INFLIGHT] = { .type = NLA_U32 },
	[ZCOPY_A_POOL_SENDS] = { .type = NLA_U64 },
	[ZCOPY_A_POOL_BYTES_SENT] = { .type = NLA_U64 },
	[ZCOPY_A_POOL_REGISTERED] = { .type = NLA_FLAG },
};

const struct libzcopy_nl_aset libzcopy_nl_set_pool = {
	"pool", ZCOPY_A_POOL_MAX, libzcopy_nl_attrs_pool, libzcopy_nl_policy_pool
};

static const struct libzcopy_nl_attr libzcopy_nl_attrs_xfer_seg[ZCOPY_A_SEG_MAX + 1] = {
	[ZCOPY_A_SEG_TYPE] = { "type", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_SEG_ID] = { "id", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_SEG_OFFSET] = { "offset", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_SEG_LEN] = { "len", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_SEG_FLAGS] = { "flags", LIBZCOPY_NL_T_U32, NULL },
};

static struct nla_policy libzcopy_nl_policy_xfer_seg[ZCOPY_A_SEG_MAX + 1] = {
	[ZCOPY_A_SEG_TYPE] = { .type = NLA_U32 },
	[ZCOPY_A_SEG_ID] = { .type = NLA_U32 },
	[ZCOPY_A_SEG_OFFSET] = { .type = NLA_U64 },
	[ZCOPY_A_SEG_LEN] = { .type = NLA_U64 },
	[ZCOPY_A_SEG_FLAGS] = { .type = NLA_U32 },
};

const struct libzcopy_nl_aset libzcopy_nl_set_xfer_seg = {
	"xfer-seg", ZCOPY_A_SEG_MAX, libzcopy_nl_attrs_xfer_seg, libzcopy_nl_policy_xfer_seg
};

static const struct libzcopy_nl_attr libzcopy_nl_attrs_xfer[ZCOPY_A_XFER_MAX + 1] = {
	[ZCOPY_A_XFER_SOCKFD] = { "sockfd", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_DEVFD] = { "devfd", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_FLAGS] = { "flags", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_COOKIE] = { "cookie", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_SEG] = { "seg", LIBZCOPY_NL_T_NEST, &libzcopy_nl_set_xfer_seg },
	[ZCOPY_A_XFER_BYTES_SENT] = { "bytes_sent", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_STOP_SEG] = { "stop_seg", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_STOP_REASON] = { "stop_reason", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_STOP_OFFSET] = { "stop_offset", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_STOP_ERRNO] = { "stop_errno", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_PID] = { "pid", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_BYTES] = { "bytes", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_POOL_BYTES] = { "pool_bytes", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_ZC_BYTES] = { "zc_bytes", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_COPIED_BYTES] = { "copied_bytes", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_COMPL_FLAGS] = { "compl_flags", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_REASON] = { "reason", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_ERROR] = { "error", LIBZCOPY_NL_T_S32, NULL },
	[ZCOPY_A_XFER_ID] = { "id", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_STATE] = { "state", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_XFER_BYTES_TOTAL] = { "bytes_total", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_BYTES_ACKED] = { "bytes_acked", LIBZCOPY_NL_T_U64, NULL },
	[ZCOPY_A_XFER_CANCEL_ON_CLOSE] = { "cancel_on_close", LIBZCOPY_NL_T_FLAG, NULL },
	[ZCOPY_A_XFER_CHANGED_SEG] = { "changed_seg", LIBZCOPY_NL_T_U32, NULL },
};

static struct nla_policy libzcopy_nl_policy_xfer[ZCOPY_A_XFER_MAX + 1] = {
	[ZCOPY_A_XFER_SOCKFD] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_DEVFD] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_FLAGS] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_COOKIE] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_SEG] = { .type = NLA_NESTED },
	[ZCOPY_A_XFER_BYTES_SENT] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_STOP_SEG] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_STOP_REASON] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_STOP_OFFSET] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_STOP_ERRNO] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_PID] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_BYTES] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_POOL_BYTES] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_ZC_BYTES] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_COPIED_BYTES] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_COMPL_FLAGS] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_REASON] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_ERROR] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_ID] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_STATE] = { .type = NLA_U32 },
	[ZCOPY_A_XFER_BYTES_TOTAL] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_BYTES_ACKED] = { .type = NLA_U64 },
	[ZCOPY_A_XFER_CANCEL_ON_CLOSE] = { .type = NLA_FLAG },
	[ZCOPY_A_XFER_CHANGED_SEG] = { .type = NLA_U32 },
};

const struct libzcopy_nl_aset libzcopy_nl_set_xfer = {
	"xfer", ZCOPY_A_XFER_MAX, libzcopy_nl_attrs_xfer, libzcopy_nl_policy_xfer
};

static const struct libzcopy_nl_attr libzcopy_nl_attrs_probe[ZCOPY_A_PROBE_MAX + 1] = {
	[ZCOPY_A_PROBE_SOCKFD] = { "sockfd", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_POOL_REASON] = { "pool_reason", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_POOL_SEG_REASON] = { "pool_seg_reason", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_SMALL_REASON] = { "small_reason", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_FILE_REASON] = { "file_reason", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_COPY_THRESHOLD] = { "copy_threshold", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_ROUTE_FLAGS] = { "route_flags", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_IFINDEX] = { "ifindex", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_IFNAME] = { "ifname", LIBZCOPY_NL_T_STRING, NULL },
	[ZCOPY_A_PROBE_MTU] = { "mtu", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_GSO_MAX_SIZE] = { "gso_max_size", LIBZCOPY_NL_T_U32, NULL },
	[ZCOPY_A_PROBE_MSS] = { "mss", LIBZCOPY_NL_T_U32, NULL },
};

static struct nla_policy libzcopy_nl_policy_probe[ZCOPY_A_PROBE_MAX + 1] = {
	[ZCOPY_A_PROBE_SOCKFD] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_POOL_REASON] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_POOL_SEG_REASON] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_SMALL_REASON] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_FILE_REASON] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_COPY_THRESHOLD] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_ROUTE_FLAGS] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_IFINDEX] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_IFNAME] = { .type = NLA_STRING },
	[ZCOPY_A_PROBE_MTU] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_GSO_MAX_SIZE] = { .type = NLA_U32 },
	[ZCOPY_A_PROBE_MSS] = { .type = NLA_U32 },
};

const struct libzcopy_nl_aset libzcopy_nl_set_probe = {
	"probe", ZCOPY_A_PROBE_MAX, libzcopy_nl_attrs_probe, libzcopy_nl_policy_probe
};

const struct libzcopy_nl_aset *const
libzcopy_nl_cmd_sets[ZCOPY_CMD_MAX + 1] = {
	[ZCOPY_CMD_INFO_GET] = &libzcopy_nl_set_info,
	[ZCOPY_CMD_STATS_GET] = &libzcopy_nl_set_stats,
	[ZCOPY_CMD_STATS_RESET] = &libzcopy_nl_set_stats,
	[ZCOPY_CMD_POOL_GET] = &libzcopy_nl_set_pool,
	[ZCOPY_CMD_XFER_START] = &libzcopy_nl_set_xfer,
	[ZCOPY_CMD_XFER_DONE] = &libzcopy_nl_set_xfer,
	[ZCOPY_CMD_SEND_FAILED] = &libzcopy_nl_set_xfer,
	[ZCOPY_CMD_POOL_NEW] = &libzcopy_nl_set_pool,
	[ZCOPY_CMD_POOL_DEL] = &libzcopy_nl_set_pool,
	[ZCOPY_CMD_ROUTE_PROBE] = &libzcopy_nl_set_probe,
	[ZCOPY_CMD_XFER_GET] = &libzcopy_nl_set_xfer,
	[ZCOPY_CMD_XFER_CANCEL] = &libzcopy_nl_set_xfer,
	[ZCOPY_CMD_XFER_PROGRESS] = &libzcopy_nl_set_xfer,
};
