#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In the VM of tools/vm/package-check, after init loaded zcopy with
# "modprobe zcopy" and udevd ran the package's rule:
#   zcopy-package-check VERSION
set -e
version=$1
kver=$(uname -r)
fail=0
ok() { echo "ok: $*"; }
no() { echo "FAIL: $*"; fail=1; }

path=$(modinfo -n zcopy)
case $path in
/lib/modules/$kver/updates/dkms/zcopy.ko*) ok "modprobe found $path" ;;
*) no "zcopy resolves to $path, not updates/dkms" ;;
esac
[ -d /sys/module/zcopy ] && ok "zcopy is loaded" || no "zcopy is not loaded"
v=$(cat /sys/module/zcopy/version)
[ "$v" = "$version" ] && ok "module version $v" || no "module version $v, package $version"
[ -e /usr/lib/udev/rules.d/60-zcopy.rules ] && ok "60-zcopy.rules from the package" || no "no udev rule"
m=$(cat /sys/module/zcopy/parameters/dev_mode)
[ "$m" = 0600 ] && ok "dev_mode $m (the commented modprobe.d example sets nothing)" || no "dev_mode $m"
st=$(stat -c '%a %U %G' /dev/zcopy)
[ "$st" = "660 root zcopy" ] && ok "/dev/zcopy $st (the udev rule)" || no "/dev/zcopy is $st"
if su -s /bin/sh zcuser -c 'exec 3<>/dev/zcopy'; then
	ok "zcuser (group zcopy) opens /dev/zcopy"
else
	no "zcuser (group zcopy) cannot open /dev/zcopy"
fi
if su -s /bin/sh nobody -c 'exec 3<>/dev/zcopy' 2>/dev/null; then
	no "nobody opens /dev/zcopy"
else
	ok "nobody (not in the group) cannot open /dev/zcopy"
fi
info=$(/usr/bin/zcopyctl info)
echo "$info" | sed 's/^/  /'
echo "$info" | grep -q "$version" && ok "the package's zcopyctl info" || no "zcopyctl info lacks $version"
exit $fail
