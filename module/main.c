// SPDX-License-Identifier: GPL-2.0
/*
 * zcopy: zero-copy sends of registered buffers and file extents.
 *
 * Module entry points. Each subsystem has an init/uninit pair; init
 * unwinds through labels named after what they undo.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <linux/zcopy.h>

#include "dev.h"
#include "genl.h"
#include "job.h"
#include "stats.h"
#include "version.h"
#include "xfer.h"

static int __init zcopy_init(void)
{
	int ret;

	ret = zcopy_stats_init();
	if (ret)
		return ret;

	ret = zcopy_xfer_init();
	if (ret)
		goto err_stats;

	ret = zcopy_job_init();
	if (ret)
		goto err_xfer;

	/* The family first: registering a pool sends an event. */
	ret = zcopy_nl_init();
	if (ret)
		goto err_job;

	ret = zcopy_dev_init();
	if (ret)
		goto err_nl;

	pr_info("version %s loaded\n", ZCOPY_VERSION);
	return 0;

err_nl:
	zcopy_nl_uninit();
err_job:
	zcopy_job_uninit();
err_xfer:
	zcopy_xfer_uninit();
err_stats:
	zcopy_stats_uninit();
	return ret;
}

static void __exit zcopy_exit(void)
{
	zcopy_dev_uninit();
	zcopy_nl_uninit();
	zcopy_job_uninit();
	zcopy_xfer_uninit();
	zcopy_stats_uninit();
	pr_info("unloaded\n");
}

module_init(zcopy_init);
module_exit(zcopy_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The zcopy developers");
MODULE_DESCRIPTION("Zero-copy sends of registered buffers and file extents");
MODULE_VERSION(ZCOPY_VERSION);
MODULE_ALIAS_GENL_FAMILY(ZCOPY_GENL_NAME);
