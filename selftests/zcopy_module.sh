#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module lifetime: an open /dev/zcopy pins the module, a clean unload
# removes the device and the netlink family, the module loads again with
# its default parameters, and asking for the family loads it on demand.
#
# Needs root and ZCOPY_KO (the path of zcopy.ko, set by the VM runner).
# Leaves the module loaded, as it found it.

# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
echo "1..11"

need_module ko
if [ -n "$reason" ]; then
	for t in unload_refused_while_open refcount_tracks_open unload \
		 device_gone family_gone reload family_back \
		 default_copy_threshold family_autoload modinfo_author \
		 modinfo_param_types; do
		skip $t "$reason"
	done
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$skips error:0"
	exit 4
fi

# Listing families does not load modules; resolving one by name does.
family_listed() { genl ctrl list 2>/dev/null | grep -q "Name: zcopy\$"; }

exec 3<>/dev/zcopy
refs_open=$(cat /sys/module/zcopy/refcnt)
check unload_refused_while_open sh -c '! rmmod zcopy 2>/dev/null'
exec 3>&-
refs_closed=$(cat /sys/module/zcopy/refcnt)
check refcount_tracks_open [ "$refs_open" -eq $((refs_closed + 1)) ]

check unload rmmod zcopy
check device_gone sh -c '[ ! -e /dev/zcopy ] && [ ! -d /sys/module/zcopy ]'
if family_listed; then not_ok family_gone; else ok family_gone; fi

check reload insmod "$ZCOPY_KO"
check family_back family_listed
# Freshly loaded: pool segments under 4 KiB are copied (performance.md).
check default_copy_threshold \
	[ "$(cat /sys/module/zcopy/parameters/copy_threshold)" = 4096 ]

# MODULE_ALIAS_GENL_FAMILY: resolving the family name loads the module.
if rmmod zcopy && zcopyctl info >/dev/null && [ -d /sys/module/zcopy ]; then
	ok family_autoload
else
	not_ok family_autoload
	[ -d /sys/module/zcopy ] || insmod "$ZCOPY_KO"
fi

# modinfo says who wrote it and the type of every parameter.
check modinfo_author [ -n "$(modinfo -F author "$ZCOPY_KO")" ]
untyped=""
for p in $(modinfo -F parm "$ZCOPY_KO" | cut -d: -f1); do
	modinfo -F parmtype "$ZCOPY_KO" | grep -q "^$p:." || untyped="$untyped $p"
done
[ -z "$untyped" ] || echo "# parameters without a type:$untyped"
check modinfo_param_types [ -z "$untyped" ]

echo "# Totals: pass:$((n - fails - skips)) fail:$fails xfail:0 xpass:0 skip:$skips error:0"
[ $fails = 0 ]
