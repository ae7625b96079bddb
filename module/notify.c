// SPDX-License-Identifier: GPL-2.0
/*
 * The one notifier of the core (notify.h). It is set before the device
 * is registered and cleared after it is gone and every transfer has
 * completed (each holds a module reference), so no call can race with a
 * change: a plain pointer is enough.
 */

#include <linux/kernel.h>

#include "notify.h"

static const struct zcopy_notifier *zcopy_notifier;

void zcopy_notifier_set(const struct zcopy_notifier *n)
{
	zcopy_notifier = n;
}

void zcopy_notify_pool_new(const struct zcopy_pool_info *pool)
{
	might_sleep();
	if (zcopy_notifier)
		zcopy_notifier->pool_new(pool);
}

void zcopy_notify_pool_del(const struct zcopy_pool_info *pool)
{
	might_sleep();
	if (zcopy_notifier)
		zcopy_notifier->pool_del(pool);
}

void zcopy_notify_xfer_done(const struct zcopy_xfer_info *xfer)
{
	might_sleep();
	if (zcopy_notifier)
		zcopy_notifier->xfer_done(xfer);
}

void zcopy_notify_send_failed(const struct zcopy_xfer_info *xfer)
{
	might_sleep();
	if (zcopy_notifier)
		zcopy_notifier->send_failed(xfer);
}

void zcopy_notify_xfer_progress(const struct zcopy_xfer_info *xfer)
{
	might_sleep();
	if (zcopy_notifier)
		zcopy_notifier->xfer_progress(xfer);
}
