// SPDX-License-Identifier: GPL-2.0
/* Do not edit: generated from Documentation/netlink/specs/zcopy.yaml by tools/nlgen. */

/*
 * zcopyctl's view of the attribute sets: the JSON key and type of each
 * attribute (--debug traces, pools, stats and events), the command names.
 */

#include "zcopyctl.h"

static const struct zc_attr_desc zc_info_attrs[ZCOPY_A_INFO_MAX + 1] = {
	[ZCOPY_A_INFO_VERSION] = { "module_version", ZC_T_STR, NULL },
	[ZCOPY_A_INFO_ABI] = { "abi_version", ZC_T_U32, NULL },
	[ZCOPY_A_INFO_FEATURES] = { "features", ZC_T_U64, NULL },
	[ZCOPY_A_INFO_COPY_THRESHOLD] = { "copy_threshold", ZC_T_U32, NULL },
};

const struct zc_attr_set zc_set_info = {
	"info", ZCOPY_A_INFO_MAX, zc_info_attrs
};

static const struct zc_attr_desc zc_stats_attrs[ZCOPY_A_STATS_MAX + 1] = {
	[ZCOPY_A_STATS_TRANSFERS] = { "transfers", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_FAILED_SENDS] = { "failed_sends", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_POOL] = { "bytes_pool", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_FILE] = { "bytes_file", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_ZC] = { "bytes_zerocopy", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_BYTES_COPIED] = { "bytes_copied", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_COMPLETIONS] = { "completions", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_COMPLETIONS_COPIED] = { "completions_copied", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_POOLS_REGISTERED] = { "pools_registered", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_POOLS_RELEASED] = { "pools_released", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_PINNED_PAGES] = { "pinned_pages", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_PINNED_PAGES_PEAK] = { "pinned_pages_peak", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_POOLS] = { "pools", ZC_T_U64, NULL },
	[ZCOPY_A_STATS_OUTSTANDING] = { "outstanding", ZC_T_U64, NULL },
};

const struct zc_attr_set zc_set_stats = {
	"stats", ZCOPY_A_STATS_MAX, zc_stats_attrs
};

static const struct zc_attr_desc zc_pool_attrs[ZCOPY_A_POOL_MAX + 1] = {
	[ZCOPY_A_POOL_ID] = { "id", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_PID] = { "pid", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_UID] = { "uid", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_COMM] = { "comm", ZC_T_STR, NULL },
	[ZCOPY_A_POOL_LEN] = { "len", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_PAGES] = { "pages", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_INFLIGHT] = { "inflight", ZC_T_U32, NULL },
	[ZCOPY_A_POOL_SENDS] = { "sends", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_BYTES_SENT] = { "bytes_sent", ZC_T_U64, NULL },
	[ZCOPY_A_POOL_REGISTERED] = { "registered", ZC_T_FLAG, NULL },
};

const struct zc_attr_set zc_set_pool = {
	"pool", ZCOPY_A_POOL_MAX, zc_pool_attrs
};

static const struct zc_attr_desc zc_seg_attrs[ZCOPY_A_SEG_MAX + 1] = {
	[ZCOPY_A_SEG_TYPE] = { "type", ZC_T_U32, NULL },
	[ZCOPY_A_SEG_ID] = { "id", ZC_T_U32, NULL },
	[ZCOPY_A_SEG_OFFSET] = { "offset", ZC_T_U64, NULL },
	[ZCOPY_A_SEG_LEN] = { "len", ZC_T_U64, NULL },
	[ZCOPY_A_SEG_FLAGS] = { "flags", ZC_T_U32, NULL },
};

const struct zc_attr_set zc_set_seg = {
	"xfer-seg", ZCOPY_A_SEG_MAX, zc_seg_attrs
};

static const struct zc_attr_desc zc_probe_attrs[ZCOPY_A_PROBE_MAX + 1] = {
	[ZCOPY_A_PROBE_SOCKFD] = { "sockfd", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_POOL_REASON] = { "pool_reason", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_POOL_SEG_REASON] = { "pool_seg_reason", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_SMALL_REASON] = { "small_reason", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_FILE_REASON] = { "file_reason", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_COPY_THRESHOLD] = { "copy_threshold", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_ROUTE_FLAGS] = { "route_flags", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_IFINDEX] = { "ifindex", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_IFNAME] = { "ifname", ZC_T_STR, NULL },
	[ZCOPY_A_PROBE_MTU] = { "mtu", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_GSO_MAX_SIZE] = { "gso_max_size", ZC_T_U32, NULL },
	[ZCOPY_A_PROBE_MSS] = { "mss", ZC_T_U32, NULL },
};

const struct zc_attr_set zc_set_probe = {
	"probe", ZCOPY_A_PROBE_MAX, zc_probe_attrs
};

static const struct zc_attr_desc zc_xfer_attrs[ZCOPY_A_XFER_MAX + 1] = {
	[ZCOPY_A_XFER_SOCKFD] = { "sockfd", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_DEVFD] = { "devfd", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_FLAGS] = { "flags", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_COOKIE] = { "cookie", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_SEG] = { "seg", ZC_T_NEST, &zc_set_seg },
	[ZCOPY_A_XFER_BYTES_SENT] = { "bytes_sent", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_STOP_SEG] = { "stop_seg", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_STOP_REASON] = { "stop_reason", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_STOP_OFFSET] = { "stop_offset", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_STOP_ERRNO] = { "stop_errno", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_PID] = { "pid", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_BYTES] = { "bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_POOL_BYTES] = { "pool_bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_ZC_BYTES] = { "zc_bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_COPIED_BYTES] = { "copied_bytes", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_COMPL_FLAGS] = { "compl_flags", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_REASON] = { "reason", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_ERROR] = { "error", ZC_T_S32, NULL },
	[ZCOPY_A_XFER_ID] = { "id", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_STATE] = { "state", ZC_T_U32, NULL },
	[ZCOPY_A_XFER_BYTES_TOTAL] = { "bytes_total", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_BYTES_ACKED] = { "bytes_acked", ZC_T_U64, NULL },
	[ZCOPY_A_XFER_CANCEL_ON_CLOSE] = { "cancel_on_close", ZC_T_FLAG, NULL },
	[ZCOPY_A_XFER_CHANGED_SEG] = { "changed_seg", ZC_T_U32, NULL },
};

const struct zc_attr_set zc_set_xfer = {
	"xfer", ZCOPY_A_XFER_MAX, zc_xfer_attrs
};

const struct zc_cmd_desc zc_cmds_desc[ZCOPY_CMD_MAX + 1] = {
	[ZCOPY_CMD_INFO_GET] = { "info-get", &zc_set_info },
	[ZCOPY_CMD_STATS_GET] = { "stats-get", &zc_set_stats },
	[ZCOPY_CMD_STATS_RESET] = { "stats-reset", &zc_set_stats },
	[ZCOPY_CMD_POOL_GET] = { "pool-get", &zc_set_pool },
	[ZCOPY_CMD_XFER_START] = { "xfer-start", &zc_set_xfer },
	[ZCOPY_CMD_XFER_DONE] = { "xfer-done", &zc_set_xfer },
	[ZCOPY_CMD_SEND_FAILED] = { "send-failed", &zc_set_xfer },
	[ZCOPY_CMD_POOL_NEW] = { "pool-new", &zc_set_pool },
	[ZCOPY_CMD_POOL_DEL] = { "pool-del", &zc_set_pool },
	[ZCOPY_CMD_ROUTE_PROBE] = { "route-probe", &zc_set_probe },
	[ZCOPY_CMD_XFER_GET] = { "xfer-get", &zc_set_xfer },
	[ZCOPY_CMD_XFER_CANCEL] = { "xfer-cancel", &zc_set_xfer },
	[ZCOPY_CMD_XFER_PROGRESS] = { "xfer-progress", &zc_set_xfer },
};
