/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_VERSION_H
#define _ZCOPY_VERSION_H

#define ZCOPY_VERSION "0.1.0"

#endif /* _ZCOPY_VERSION_H */
