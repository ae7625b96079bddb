// SPDX-License-Identifier: GPL-2.0
/*
 * zcopyctl: the names and explanations of the uapi header's enums, as in
 * the netlink spec.
 */

#include <stdio.h>

#include "zcopyctl.h"


static const char *const zc_reasons_help[] = {
	[ZCOPY_REASON_NONE] = "nothing was copied",
	[ZCOPY_REASON_NO_SG] = "the route's device has no scatter-gather",
	[ZCOPY_REASON_LOCAL] =
		"the route ends in this host; local delivery copies pool pages",
	[ZCOPY_REASON_STACK] = "the stack copied pool pages (a packet tap?)",
	[ZCOPY_REASON_KTLS] = "kernel TLS encrypted them into new buffers",
	[ZCOPY_REASON_FILE_COPY] =
		"the file's read path gave copies, not page-cache pages",
	[ZCOPY_REASON_SMALL] =
		"pool segments below copy_threshold are sent by copy",
};

const char *zc_reason_name(uint32_t reason)
{
	return libzcopy_reason_name(reason);
}

const char *zc_reason_help(uint32_t reason)
{
	if (reason < sizeof(zc_reasons_help) / sizeof(zc_reasons_help[0]))
		return zc_reasons_help[reason];
	return "a reason this zcopyctl does not know";
}

const char *zc_stop_name(uint32_t stop)
{
	return libzcopy_stop_name(stop);
}

/* "copied,pool-copied", "-" for none */
void zc_flags_str(uint32_t flags, char *buf, size_t len)
{
	static const char *const names[] = {
		"copied", "pool-copied", "short", "file-released", "file-copied",
		"file-changed",
	};
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 32; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (i < sizeof(names) / sizeof(names[0]))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "," : "", names[i]);
		else
			n += snprintf(buf + n, n < len ? len - n : 0,
				      "%s0x%x", n ? "," : "", 1u << i);
	}
	if (!n)
		snprintf(buf, len, "-");
}
