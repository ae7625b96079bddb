/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_GENL_H
#define _ZCOPY_GENL_H

#include <linux/init.h>

int __init zcopy_nl_init(void);
void zcopy_nl_uninit(void);

#endif /* _ZCOPY_GENL_H */
