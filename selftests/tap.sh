# SPDX-License-Identifier: GPL-2.0
#
# What the shell tests share, sourced (POSIX sh): TAP result lines that
# count into n, fails and skips, and why a test that needs the module
# cannot run here.

n=0
fails=0
skips=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
skip() { n=$((n + 1)); skips=$((skips + 1)); echo "ok $n $1 # SKIP $2"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# Sets reason to why the module tests cannot run, or to "": they need
# root and zcopy.ko loaded, and with "ko" also ZCOPY_KO, the path of
# zcopy.ko (set by the VM runner) to load it again.
need_module() {
	reason=""
	[ "$(id -u)" = 0 ] || reason="needs root"
	if [ "${1:-}" = ko ] && [ -z "$reason" ] && [ ! -r "${ZCOPY_KO:-}" ]; then
		reason="ZCOPY_KO does not name zcopy.ko"
	fi
	[ -n "$reason" ] || [ -d /sys/module/zcopy ] || reason="zcopy.ko is not loaded"
}
