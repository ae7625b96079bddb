#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload zcopy.ko many times (ZCOPY_RELOADS, default 100 on the
# sanitizer kernel, 10 elsewhere), each time with a small workload in
# between: a pool header and a file extent sent over loopback TCP and
# verified (zcopyctl send/recv), the counters read and found idle. Nothing
# may stay behind: every unload succeeds, the device and the family go and
# come back, the refcount is 0 after each workload, and on a kernel with
# kmemleak a scan at the end finds nothing (tools/vm/run scans again).
#
# Needs root and ZCOPY_KO (set by the VM runner). Leaves the module loaded.

# shellcheck source=tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
echo "1..1"
need_module ko
ZC=$(command -v zcopyctl || echo "$(dirname "$0")/../zcopyctl")
[ -n "$reason" ] || [ -x "$ZC" ] || reason="no zcopyctl"
[ -n "$reason" ] || command -v jq >/dev/null || reason="no jq on the PATH"
if [ -n "$reason" ]; then
	echo "ok 1 reload # SKIP $reason"
	exit 4
fi

kmemleak=/sys/kernel/debug/kmemleak
cycles=${ZCOPY_RELOADS:-$([ -e $kmemleak ] && echo 100 || echo 10)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 200000 /dev/urandom > "$tmp/data"
printf 'HDR' > "$tmp/hdr"
cat "$tmp/hdr" "$tmp/data" > "$tmp/expect"

workload() {
	local port rpid rc=0
	rm -f "$tmp/ready"
	"$ZC" recv --timeout 30 --ready-file "$tmp/ready" --expect-file "$tmp/expect" 0 \
		> "$tmp/recv.out" 2>&1 &
	rpid=$!
	for _ in $(seq 100); do [ -s "$tmp/ready" ] && break; sleep 0.1; done
	port=$(cat "$tmp/ready" 2>/dev/null)
	"$ZC" send -H "$tmp/hdr" "127.0.0.1:$port" "$tmp/data" > "$tmp/send.out" 2>&1 || rc=1
	wait $rpid || rc=1
	[ $rc = 0 ] || { cat "$tmp/send.out" "$tmp/recv.out" | sed 's/^/# /'; return 1; }
	"$ZC" -j stats > "$tmp/stats" || return 1
	jq -e '.pools == 0 and .pinned_pages == 0 and .outstanding == 0' \
		"$tmp/stats" > /dev/null ||
		{ echo "# counters not idle: $(cat "$tmp/stats")"; return 1; }
}

slab() { awk '/^(Slab|Percpu):/ { s += $2 } END { print s }' /proc/meminfo; }

[ -w $kmemleak ] && echo clear > $kmemleak
before=$(slab)
start=$(date +%s)
fail=""
# Within the runner's 300 s per test: stop early, and say so, past 250 s.
done_cycles=0
for i in $(seq "$cycles"); do
	[ $(( $(date +%s) - start )) -lt 250 ] || { echo "# stopped after $done_cycles cycles: 250 s"; break; }
	if ! rmmod zcopy; then fail="cycle $i: rmmod failed (refcnt $(cat /sys/module/zcopy/refcnt))"; break; fi
	if [ -e /dev/zcopy ] || [ -d /sys/module/zcopy ]; then fail="cycle $i: still there after rmmod"; break; fi
	if ! insmod "$ZCOPY_KO"; then fail="cycle $i: insmod failed"; break; fi
	if ! workload; then fail="cycle $i: the workload failed"; break; fi
	refs=$(cat /sys/module/zcopy/refcnt)
	[ "$refs" = 0 ] || { fail="cycle $i: refcnt $refs after the workload"; break; }
	done_cycles=$i
done
[ -d /sys/module/zcopy ] || insmod "$ZCOPY_KO"
after=$(slab)
echo "# $done_cycles load/unload cycles in $(( $(date +%s) - start ))s; slab+percpu ${before} kB before, ${after} kB after"
if [ -z "$fail" ] && [ -w $kmemleak ]; then
	echo scan > $kmemleak; sleep 1; echo scan > $kmemleak
	leaks=$(head -n 60 $kmemleak)
	[ -z "$leaks" ] || { echo "$leaks" | sed 's/^/# /'; fail="kmemleak reports leaks"; }
	echo "# kmemleak: ${leaks:+not }clean"
fi
if [ -n "$fail" ]; then
	echo "# $fail"
	echo "not ok 1 reload"
	exit 1
fi
echo "ok 1 reload"
