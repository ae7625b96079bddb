#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's YNL CLI (tools/net/ynl/cli.py) drives a kernel-run
# transfer from Documentation/netlink/specs/zcopy.yaml alone: xfer-start
# of a 64 MiB tmpfs file to a socket whose peer never reads, xfer-get
# (dump and do) shows it in flight, xfer-cancel stops it, xfer-get no
# longer lists it, and stats-get shows nothing outstanding or pinned.
#
# Needs root, zcopy.ko loaded, python3 with PyYAML, the CLI (YNL_CLI,
# default /usr/lib/ynl/cli.py) and the spec (ZCOPY_SPEC, default
# /usr/share/zcopy/zcopy.yaml); tools/vm/mkinitramfs puts them in the VM.

dir=$(cd "$(dirname "$0")" && pwd)
PEER=$dir/helper_stalled_peer
CLI=${YNL_CLI:-/usr/lib/ynl/cli.py}
SPEC=${ZCOPY_SPEC:-/usr/share/zcopy/zcopy.yaml}
SIZE=$((64 << 20))

# shellcheck source=tap.sh
. "$dir/tap.sh"

TESTS=(xfer_start_returns_id xfer_get_dump_lists_it xfer_get_do_by_id
       xfer_cancel xfer_get_no_longer_lists_it nothing_outstanding_or_pinned)

echo "TAP version 13"
echo "1..${#TESTS[@]}"

need_module
[ -n "$reason" ] || command -v python3 >/dev/null || reason="no python3"
[ -n "$reason" ] || python3 -c 'import yaml' 2>/dev/null || reason="python3 has no yaml module"
[ -n "$reason" ] || [ -r "$CLI" ] || reason="no YNL CLI at $CLI"
[ -n "$reason" ] || [ -r "$SPEC" ] || reason="no spec at $SPEC"
[ -n "$reason" ] || command -v jq >/dev/null || reason="no jq on the PATH"
[ -n "$reason" ] || [ -x "$PEER" ] || reason="no $PEER"
if [ -z "$reason" ]; then
	ops=$(python3 "$CLI" --spec "$SPEC" --no-schema --list-ops 2>&1)
	for op in xfer-start xfer-get xfer-cancel stats-get; do
		[[ $ops == *"$op "* ]] || reason="the CLI lists no $op"
	done
	[ -n "$reason" ] || [ -d /sys/module/zcopy ] || reason="zcopy.ko is not loaded"
	grep -qs async-xfer <(python3 "$CLI" --spec "$SPEC" --no-schema \
		--do info-get --output-json 2>/dev/null) ||
		[ -n "$reason" ] || reason="the module has no async-xfer"
fi
if [ -n "$reason" ]; then
	for t in "${TESTS[@]}"; do skip "$t" "$reason"; done
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$skips error:0"
	exit 4
fi

tmp=$(mktemp -d /tmp/zcopy_ynl.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CLI SPEC tmp SIZE

# The file on tmpfs, and the steps, run with the socket on fd 3 and the
# file on fd 4 while helper_stalled_peer holds the peer unread.
mount -t tmpfs -o size=80m zcopy_ynl "$tmp" || { echo "# mount tmpfs failed"; exit 1; }
trap 'umount "$tmp"; rm -rf "$tmp"' EXIT
head -c "$SIZE" /dev/zero | tr '\0' 'z' > "$tmp/big"

"$PEER" bash -c '
ynl() { python3 "$CLI" --spec "$SPEC" --no-schema --output-json "$@"; }
ynl --do xfer-start --json "{\"sockfd\": 3, \"seg\": [{\"type\": \"file\", \"id\": 4, \"offset\": 0, \"len\": $SIZE}]}" > "$tmp/start.json" 2> "$tmp/start.err" || exit 1
id=$(jq -e .id "$tmp/start.json") || exit 1
ynl --dump xfer-get > "$tmp/dump.json" 2> "$tmp/dump.err"
ynl --do xfer-get --json "{\"id\": $id}" > "$tmp/get.json" 2> "$tmp/get.err"
ynl --do xfer-cancel --json "{\"id\": $id}" > "$tmp/cancel.out" 2>&1
echo $? > "$tmp/cancel.rc"
for _ in $(seq 50); do
	ynl --dump xfer-get > "$tmp/after.json" 2> "$tmp/after.err"
	jq -s -e --argjson id "$id" "[.[] | (arrays | .[]), objects | select(.id == \$id)] | length == 0" "$tmp/after.json" >/dev/null && break
	sleep 0.2
done
' 4< "$tmp/big"

for f in start dump get cancel after; do
	for g in "$tmp/$f.err" "$tmp/$f.out"; do
		[ -s "$g" ] && sed "s/^/# $f: /" "$g"
	done
done

id=$(jq -e .id "$tmp/start.json" 2>/dev/null)
check xfer_start_returns_id test -n "$id"
# A dump prints one JSON list (or one object per line): all of them, flat.
entry() { jq -s -c --argjson id "$id" '[.[] | (arrays | .[]), objects | select(.id == $id)]' "$1" 2>/dev/null; }
in_flight() {
	jq -e --argjson size "$SIZE" 'length == 1 and
		(.[0].state == "sending" or .[0].state == "waiting") and
		.[0]["bytes-total"] == $size and .[0]["bytes-sent"] < $size' <<< "$1" >/dev/null
}
d=$(entry "$tmp/dump.json")
echo "# dump: $d"
check xfer_get_dump_lists_it in_flight "$d"
g=$(entry "$tmp/get.json")
check xfer_get_do_by_id in_flight "$g"
check xfer_cancel test "$(cat "$tmp/cancel.rc")" = 0
check xfer_get_no_longer_lists_it test "$(entry "$tmp/after.json")" = "[]"

# The peer is gone with helper_stalled_peer: the socket's skbs free, and
# nothing may stay outstanding or pinned.
for _ in $(seq 50); do
	python3 "$CLI" --spec "$SPEC" --no-schema --output-json --do stats-get > "$tmp/stats.json"
	jq -e '.outstanding == 0 and .["pinned-pages"] == 0' "$tmp/stats.json" >/dev/null && break
	sleep 0.2
done
echo "# stats: $(cat "$tmp/stats.json")"
no_leak() { jq -e '.outstanding == 0 and .["pinned-pages"] == 0' "$tmp/stats.json" >/dev/null; }
check nothing_outstanding_or_pinned no_leak

echo "# Totals: pass:$((n - fails - skips)) fail:$fails xfail:0 xpass:0 skip:$skips error:0"
[ "$fails" = 0 ]
