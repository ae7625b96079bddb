/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ZCOPY_VERSION_H
#define _ZCOPY_VERSION_H

/*
 * The release, one for the module and zcopyctl: the top-level VERSION
 * file, which Kbuild passes as -DZCOPY_VERSION="...".
 */
#ifndef ZCOPY_VERSION
#error "ZCOPY_VERSION is not defined: build with Kbuild, which reads VERSION"
#endif

#endif /* _ZCOPY_VERSION_H */
