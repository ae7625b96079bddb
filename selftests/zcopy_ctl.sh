#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# zcopyctl end to end: usage errors and help, send/recv with verification
# over lo, veth and (when the VM has them) the vmxnet3 pair, the counters
# and the topology rules they show, the pool dump, the events, the error
# line with the kernel's extack, permissions, and that every -j output is
# valid JSON (checked with jq, strictly: see jvalid).
#
#   ns zc_ctl_a                      ns zc_ctl_b
#   zc_ctl_va 10.77.0.1/24 <-veth-> zc_ctl_vb 10.77.0.2/24
#   eth0      10.78.0.1/24 <-hub->  eth1      10.78.0.2/24  (vmxnet3)
#
# Needs root and zcopy.ko loaded; a test whose netlink operation (or the
# "events" group) the module lacks is skipped with the reason.

dir=$(cd "$(dirname "$0")" && pwd)
POOL=$dir/helper_ctl_pool
NOBODY=$dir/helper_drop_priv
ZC=${ZCOPYCTL:-zcopyctl}
ZB=${ZCOPY_BENCH:-zcopy-bench}

# shellcheck source=tap.sh
. "$dir/tap.sh"

# name  needs (operations, "events", "vmxnet3", or -)  function
TESTS=(
	"usage_errors_exit_2		-		t_usage"
	"help_from_the_table		-		t_help"
	"info_json			-		t_info"
	"version_one_release		-		t_version"
	"stats_json_any_user		-		t_stats_json"
	"send_recv_lo			xfer-start	t_send_lo"
	"send_json_and_stats_delta	xfer-start	t_send_stats"
	"send_extent_offset_len		xfer-start	t_extent"
	"send_header_file_two_files	xfer-start	t_header_file"
	"send_ioctl			-		t_ioctl"
	"send_recv_ipv6			xfer-start	t_ipv6"
	"recv_port_65535_dual_stack	xfer-start	t_port_max"
	"send_recv_veth_netns		xfer-start	t_veth"
	"send_dontwait_resumes		xfer-start	t_dontwait"
	"send_procfs_eof_resume		xfer-start	t_procfs"
	"send_recv_vmxnet3_pool_zc	xfer-start,vmxnet3	t_vmxnet3"
	"send_small_header_copied	xfer-start,copy_threshold	t_small"
	"probe_lo_and_veth_fd		route-probe	t_probe"
	"send_file_notify_and_hints	file-notify,nowait-io,cache-hints	t_send_hints"
	"send_file_changed_warns	file-changed			t_file_changed"
	"recv_mismatch_exit_3		xfer-start	t_mismatch"
	"recv_sha256			xfer-start	t_sha256"
	"send_errors_one_line		xfer-start	t_send_errors"
	"extack_in_error_line		xfer-start	t_extack"
	"pools_lists_a_pool		pool-get	t_pools"
	"pools_unprivileged_own_only	pool-get	t_pools_nobody"
	"monitor_sees_xfer_done		events,xfer-start	t_monitor_xfer"
	"monitor_pool_events		events,xfer-start	t_monitor_pools"
	"monitor_unprivileged_eperm	events		t_monitor_nobody"
	"reset_unprivileged_eperm	stats-reset	t_reset_nobody"
	"reset_zeroes_counters		stats-reset	t_reset"
	"send_sigint_cancels		xfer-cancel	t_sigint_cancels"
	"send_killed_is_cancelled	xfer-cancel	t_killed_cancels"
)

echo "TAP version 13"
echo "1..${#TESTS[@]}"

need_module
[ -n "$reason" ] || command -v "$ZC" >/dev/null || reason="no zcopyctl on the PATH"
[ -n "$reason" ] || command -v jq >/dev/null || reason="no jq on the PATH"
if [ -n "$reason" ]; then
	for t in "${TESTS[@]}"; do
		read -r name _ <<< "$t"
		skip "$name" "$reason"
	done
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:$skips error:0"
	exit 4
fi

tmp=$(mktemp -d /tmp/zcopy_ctl.XXXXXX)
chmod 755 "$tmp"

# The topology rules below assume that no pool segment is copied for being
# small: copy_threshold 0 (the default is 4096) while this test runs.
THRESHOLD=/sys/module/zcopy/parameters/copy_threshold
threshold_saved=
if [ -w "$THRESHOLD" ]; then
	threshold_saved=$(cat "$THRESHOLD")
	echo 0 > "$THRESHOLD"
fi

# The unprivileged user must reach zcopyctl: the initramfs root may be
# mode 0700 (it was made with mktemp -d). Opened for this test only.
root_mode=$(stat -c %a /)
[ "$((0$root_mode & 1))" = 1 ] || chmod o+x /
NSA=zc_ctl_a
NSB=zc_ctl_b
NSC=zc_ctl_c
NSD=zc_ctl_d
bg_pids=()
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in $NSA $NSB; do ip netns del $ns 2>/dev/null; done
	[ -e /run/netns/$NSC ] && vmxnet3_home >/dev/null
	rm -rf "$tmp"
	chmod "$root_mode" /
	[ -z "$threshold_saved" ] || echo "$threshold_saved" > "$THRESHOLD"
}
trap cleanup EXIT

# ---- helpers ----

# What the loaded module offers, from "zcopyctl -j info".
info=$("$ZC" -j info 2>"$tmp/info.err")
have_op() {
	case $1 in
	events) [[ $info == *'"mcast_groups":["events"]'* ]] ;;
	vmxnet3) [ -e /sys/class/net/eth0 ] && [ -e /sys/class/net/eth1 ] ;;
	copy_threshold) [ -w "$THRESHOLD" ] ;;
	-) true ;;
	*) [[ $info == *"\"$1\""* ]] ;;
	esac
}

# Wait until FILE is not empty (a ready file); 20 s at most.
wait_file() {
	local i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		[ $i -le 400 ] || { echo "timed out waiting for $1"; return 1; }
		sleep 0.05
	done
}

# jq 1.6 parses NaN, Infinity and numbers with leading zeros, which RFC
# 8259 does not allow: outside the strings of FILE there must be none.
json_strict() {
	! sed -E 's/"([^"\\]|\\.)*"//g' "$1" | grep -Eiq '(^|[^0-9.e+-])-?(nan|inf|0[0-9])'
}
# jvalid FILE: FILE is exactly one JSON document.
jvalid() { json_strict "$1" && jq -e -s 'length == 1' "$1" > /dev/null; }
# jlines FILE: every non-empty line of FILE is exactly one JSON document.
jlines() {
	json_strict "$1" &&
		jq -e -n -R '[inputs | select(length > 0) | fromjson] | true' "$1" > /dev/null
}
# The jq filter printing member KEY of an object, nothing if it is absent.
jkey() { printf 'if type == "object" and has("%s") then .["%s"] else empty end' "$1" "$1"; }
# jget KEY FILE: member KEY of the document in FILE (validated on the way),
# strings without quotes. jlget: the same for each line of a JSON lines file.
jget() { jvalid "$2" && jq -r "$(jkey "$1")" "$2"; }
jlget() { jlines "$2" && jq -r "$(jkey "$1")" "$2"; }
# jeach KEY FILE: member KEY of each element of the array or object in FILE.
jeach() { jvalid "$2" && jq -r ".[] | $(jkey "$1")" "$2"; }

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" != "$3" ]; then
		echo "$1: got '$2', want '$3'"
		return 1
	fi
}

# Start "zcopyctl recv" in the background: recv_start OUT [ip netns exec NS]
# -- ARGS; the port it listens on is in $port, its pid in $rpid.
recv_start() {
	local out=$1 ready=$tmp/ready.$RANDOM
	shift
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	rm -f "$ready"
	"${pre[@]}" "$ZC" "$@" --timeout 60 --ready-file "$ready" \
		>"$out" 2>"$out.err" &
	rpid=$!
	bg_pids+=("$rpid")
	wait_file "$ready" || return 1
	port=$(cat "$ready")
}

# recv_wait: the exit status of the background recv.
recv_wait() {
	local rc=0
	wait "$rpid" || rc=$?
	return $rc
}

stat_get() { "$ZC" -j stats > "$tmp/stats.json" && jget "$1" "$tmp/stats.json"; }

# ---- data ----

head -c 2097152 /dev/urandom > "$tmp/data.bin"
head -c 300000 /dev/urandom > "$tmp/data2.bin"
printf 'GET /data HTTP/1.1\r\nHost: zcopy\r\n\r\n' > "$tmp/hdr.bin"
HDR='GET /data HTTP/1.1\r\nHost: zcopy\r\n\r\n'
HDR_LEN=$(wc -c < "$tmp/hdr.bin")
DATA_LEN=2097152

# ---- tests ----

t_usage() {
	local rc fail=0
	# A usage error is immediate: a command that does the work instead
	# (a bench, a listener) is cut short.
	check2() {
		local prog=$ZC
		# zcopy-bench's options, checked here since it was zcopyctl bench
		[ "${1-}" != bench ] || { prog=$ZB; shift; }
		timeout 30 "$prog" "$@" >"$tmp/u.out" 2>"$tmp/u.err"
		rc=$?
		if [ $rc != 2 ]; then
			echo "$prog $*: exit $rc, want 2"; cat "$tmp/u.err"
			fail=1
		fi
	}
	check2
	check2 bogus
	check2 --bogus info
	check2 stats --bogus
	check2 stats extra
	check2 stats --watch
	check2 stats --watch x
	check2 stats --count 3
	check2 send
	check2 send 127.0.0.1:9
	check2 send 127.0.0.1 "$tmp/data.bin"
	check2 send 127.0.0.1:0 "$tmp/data.bin"
	check2 send 1::2:9 "$tmp/data.bin"
	check2 send --header-text x --header-file "$tmp/hdr.bin" 127.0.0.1:9
	check2 send --header-text 'bad\q' 127.0.0.1:9
	check2 send 127.0.0.1:9 "$tmp/data.bin:x"
	check2 send 127.0.0.1:9 "$tmp/data.bin:0:0"
	check2 recv
	check2 recv 1 2
	check2 recv --expect-sha256 abc 0
	check2 monitor --count 0
	check2 pools extra
	check2 help send extra
	check2 help nosuch
	# unix: is refused with the reason.
	check2 send unix:/tmp/sock "$tmp/data.bin"
	grep -q "only to TCP" "$tmp/u.err" || { echo "unix: message: $(cat "$tmp/u.err")"; fail=1; }

	# check2_says TEXT ARGS...: exit 2, and stderr says TEXT.
	check2_says() {
		local want=$1
		shift
		check2 "$@"
		grep -qF -- "$want" "$tmp/u.err" ||
			{ echo "zcopyctl $*: message: '$(head -n 1 "$tmp/u.err")', want '$want'"; fail=1; }
	}
	# Ports are decimal, 1 to 65535 to connect to, 0 to 65535 to listen
	# on: nothing wraps to 16 bits, nothing is a service name. recv gets
	# a timeout, in case it would listen after all.
	local p
	check2_says "cannot connect to port 0" send 127.0.0.1:0 "$tmp/data.bin"
	for p in 65536 99999 4294967297; do
		check2_says "port $p out of range (1 to 65535)" send "127.0.0.1:$p" "$tmp/data.bin"
		check2_says "port $p out of range (1 to 65535)" send "[::1]:$p" "$tmp/data.bin"
		check2_says "port $p out of range (0 to 65535)" recv --timeout 3 "$p"
		check2_says "port $p out of range (0 to 65535)" recv --timeout 3 "127.0.0.1:$p"
		check2_says "port $p out of range (0 to 65535)" recv --timeout 3 "[::]:$p"
	done
	for p in -1 12abc 0x50 http ' 80'; do
		check2_says "bad port '$p'" send "127.0.0.1:$p" "$tmp/data.bin"
		check2_says "bad port '$p'" recv --timeout 3 "127.0.0.1:$p"
	done
	check2_says "missing port" send 127.0.0.1: "$tmp/data.bin"
	check2_says "expected PORT or HOST:PORT" recv --timeout 3 12abc
	check2_says "expected PORT or HOST:PORT" recv --timeout 3 -- -1
	# Every other number: a bad or out-of-range value is a usage error
	# that names the option and the value.
	check2_says "--fd '2147483648'" send --fd 2147483648 "$tmp/data.bin"
	check2_says "--fd '-1'" recv --fd -1
	check2_says "--cookie '18446744073709551616'" send --cookie 18446744073709551616 127.0.0.1:9 "$tmp/data.bin"
	check2_says "--timeout '-1'" send --timeout -1 127.0.0.1:9 "$tmp/data.bin"
	check2_says "--timeout '1e10'" recv --timeout 1e10 0
	check2_says "bad offset '99999999999999999999'" send 127.0.0.1:9 "$tmp/data.bin:99999999999999999999"
	check2_says "past the largest file offset" send 127.0.0.1:9 "$tmp/data.bin:9223372036854775807:1"
	check2_says "bad length '12abc'" send 127.0.0.1:9 "$tmp/data.bin:0:12abc"
	check2_says "--count '12abc'" stats --count 12abc
	check2_says "--watch '0.001'" stats --watch 0.001
	check2_says "--count '-1'" monitor --count -1
	check2_says "--timeout '0'" monitor --timeout 0
	check2_says "--repeat '10': expected 1 to 9" bench --repeat 10
	check2_says "--header-size '4097': expected 1 to 4096" bench --header-size 4097
	check2_says "--chunk '0': expected 1 to" bench --chunk 0
	check2_says "--requests '-1'" bench --requests -1
	check2_says "--pool-sizes: bad value '0' (1 to 1073741824)" bench --pool-sizes 4K,0
	check2_says "--copy-threshold: bad value '4294967296' (0 to 4294967295)" bench --copy-threshold 4294967296
	check2_says "--curve 'segments': expected segs, size or conns" bench --curve segments
	check2_says "--curve-points: 2048 is out of range for segs (at most 1024)" bench --curve segs --curve-points 1,2048
	check2_says "--techniques: 'sendfile' is not a technique of the conns curve" bench --curve conns --techniques sendfile
	check2_says "--curve-bytes '0': expected 1 to 1G" bench --curve size --curve-bytes 0
	return $fail
}

# The largest port works, and a listener without a host is on [::] (IPv4
# clients too) whatever the port.
t_port_max() {
	local tcp6
	recv_start "$tmp/r.out" -- recv 65535 --expect-file "$tmp/data2.bin" || return 1
	expect_eq port "$port" 65535 || return 1
	# local address :FFFF, state 0A (LISTEN), in the IPv6 table
	tcp6=$(awk '$2 ~ /:FFFF$/ && $4 == "0A"' /proc/net/tcp6)
	[ -n "$tcp6" ] || { echo "no IPv6 listener on 65535:"; cat /proc/net/tcp /proc/net/tcp6; return 1; }
	if awk '$2 ~ /:FFFF$/ && $4 == "0A"' /proc/net/tcp | grep -q .; then
		echo "an IPv4-only listener on 65535:"; cat /proc/net/tcp; return 1
	fi
	"$ZC" send -q 127.0.0.1:65535 "$tmp/data2.bin" > /dev/null || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
}

t_help() {
	local c out
	out=$("$ZC" help) || return 1
	for c in send recv probe stats pools monitor reset info help; do
		grep -q "^  $c " <<< "$out" || { echo "help lacks $c"; return 1; }
	done
	"$ZC" -h | grep -q "^  monitor " || return 1
	"$ZC" help send | grep -q -- "--header-text" || return 1
	"$ZC" send --help | grep -q -- "--ioctl" || return 1
	"$ZC" recv -h | grep -q -- "--expect-sha256" || return 1
	"$ZC" -V | grep -q "^zcopyctl " || return 1
}

t_info() {
	"$ZC" -j info > "$tmp/info.json" || return 1
	jvalid "$tmp/info.json" || return 1
	expect_eq abi_version "$(jget abi_version "$tmp/info.json")" 1 || return 1
	jvalid "$tmp/info.json" && jq -r '.operations | .[]' "$tmp/info.json" | grep -qx info-get || return 1
	"$ZC" info | grep -q "^module version" || return 1
}

# One release: zcopyctl -V, the module's MODULE_VERSION and the version
# INFO_GET reports are the same string (the top-level VERSION file).
t_version() {
	local ctl mod nl_json nl_text
	ctl=$("$ZC" -V | sed -n 's/^zcopyctl \([^ ]*\) .*/\1/p')
	mod=$(cat /sys/module/zcopy/version) || return 1
	"$ZC" -j info > "$tmp/v.json" || return 1
	nl_json=$(jget module_version "$tmp/v.json")
	nl_text=$("$ZC" info | sed -n 's/^module version  *//p')
	echo "zcopyctl -V: '$ctl', /sys/module/zcopy/version: '$mod'," \
		"info: '$nl_text', info -j: '$nl_json'"
	[ -n "$ctl" ] || { echo "zcopyctl -V: no version"; return 1; }
	expect_eq "zcopyctl -V vs module" "$ctl" "$mod" || return 1
	expect_eq "info module_version" "$nl_json" "$mod" || return 1
	expect_eq "info module version" "$nl_text" "$mod" || return 1
}

t_stats_json() {
	"$ZC" -j stats > "$tmp/s.json" || return 1
	jvalid "$tmp/s.json" || return 1
	[ -n "$(jget bytes_zerocopy "$tmp/s.json")" ] || return 1
	"$NOBODY" "$ZC" -j stats > "$tmp/s2.json" || return 1
	jvalid "$tmp/s2.json" || return 1
	"$ZC" stats --watch 0.1 --count 2 -j > "$tmp/s3.json" || return 1
	[ "$(wc -l < "$tmp/s3.json")" = 2 ] || return 1
	jlines "$tmp/s3.json" || return 1
	"$ZC" stats | grep -q "^bytes_file " || return 1
}

t_send_lo() {
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 \
		--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
	"$ZC" send -q --header-text "$HDR" "127.0.0.1:$port" "$tmp/data.bin" \
		> "$tmp/s.out" || { cat "$tmp/s.out"; return 1; }
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	grep -q "^verdict   match" "$tmp/r.out" || return 1
	grep -q "^zero-copy" "$tmp/s.out" || return 1
}

# Over lo the file bytes go zero-copy and the pool (header) bytes are
# copied on local delivery; the counters move by exactly this transfer.
t_send_stats() {
	local before_t before_p before_f before_z before_c total
	before_t=$(stat_get transfers); before_p=$(stat_get bytes_pool)
	before_f=$(stat_get bytes_file); before_z=$(stat_get bytes_zerocopy)
	before_c=$(stat_get bytes_copied)
	recv_start "$tmp/r.json" -- recv -j 127.0.0.1:0 \
		--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
	"$ZC" -j send --header-text "$HDR" "127.0.0.1:$port" "$tmp/data.bin" \
		> "$tmp/s.json" || { cat "$tmp/s.json"; return 1; }
	recv_wait || { cat "$tmp/r.json" "$tmp/r.json.err"; return 1; }
	jvalid "$tmp/s.json" && jvalid "$tmp/r.json" || return 1
	total=$((HDR_LEN + DATA_LEN))
	expect_eq recv.verdict "$(jget verdict "$tmp/r.json")" match || return 1
	expect_eq recv.bytes "$(jget bytes "$tmp/r.json")" $total || return 1
	expect_eq send.bytes "$(jget bytes "$tmp/s.json")" $total || return 1
	expect_eq send.pool_bytes "$(jget pool_bytes "$tmp/s.json")" $HDR_LEN || return 1
	expect_eq send.file_bytes "$(jget file_bytes "$tmp/s.json")" $DATA_LEN || return 1
	expect_eq send.method "$(jget method "$tmp/s.json")" netlink || return 1
	expect_eq "zc+copied" $(( $(jget zc_bytes "$tmp/s.json") + $(jget copied_bytes "$tmp/s.json") )) $total || return 1
	expect_eq send.zc_bytes "$(jget zc_bytes "$tmp/s.json")" $DATA_LEN || return 1
	expect_eq send.copied_bytes "$(jget copied_bytes "$tmp/s.json")" $HDR_LEN || return 1
	expect_eq send.reason "$(jget reason "$tmp/s.json")" local || return 1
	expect_eq stats.transfers "$(stat_get transfers)" $((before_t + $(jget sends "$tmp/s.json"))) || return 1
	expect_eq stats.bytes_pool "$(stat_get bytes_pool)" $((before_p + HDR_LEN)) || return 1
	expect_eq stats.bytes_file "$(stat_get bytes_file)" $((before_f + DATA_LEN)) || return 1
	expect_eq stats.bytes_zerocopy "$(stat_get bytes_zerocopy)" $((before_z + DATA_LEN)) || return 1
	expect_eq stats.bytes_copied "$(stat_get bytes_copied)" $((before_c + HDR_LEN)) || return 1
}

t_extent() {
	# bytes [1000, 1000 + 5000) of data.bin, then the first 3 KiB
	dd if="$tmp/data.bin" of="$tmp/ext1" bs=1000 skip=1 count=5 2>/dev/null
	head -c 3072 "$tmp/data.bin" > "$tmp/ext2"
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 \
		--expect-file "$tmp/ext1" --expect-file "$tmp/ext2" || return 1
	"$ZC" -j send "127.0.0.1:$port" "$tmp/data.bin:1000:5000" \
		"$tmp/data.bin::3K" > "$tmp/s.json" || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	expect_eq bytes "$(jget bytes "$tmp/s.json")" 8072 || return 1
	expect_eq segments "$(jget segments "$tmp/s.json")" 2 || return 1
	# beyond the end of the file: refused before anything is sent
	"$ZC" send 127.0.0.1:9 "$tmp/data.bin:2097000:1000" 2>"$tmp/e.err"
	[ $? = 1 ] && grep -q "beyond the end" "$tmp/e.err" || { cat "$tmp/e.err"; return 1; }
}

t_header_file() {
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 --expect-file "$tmp/hdr.bin" \
		--expect-file "$tmp/data.bin" --expect-file "$tmp/data2.bin" || return 1
	"$ZC" -j send --header-file "$tmp/hdr.bin" "127.0.0.1:$port" \
		"$tmp/data.bin" "$tmp/data2.bin" > "$tmp/s.json" || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	expect_eq pool_bytes "$(jget pool_bytes "$tmp/s.json")" $HDR_LEN || return 1
	expect_eq segments "$(jget segments "$tmp/s.json")" 3 || return 1
}

t_ioctl() {
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 \
		--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
	"$ZC" -j send --ioctl --header-text "$HDR" "127.0.0.1:$port" \
		"$tmp/data.bin" > "$tmp/s.json" || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	expect_eq method "$(jget method "$tmp/s.json")" ioctl || return 1
	expect_eq bytes "$(jget bytes "$tmp/s.json")" $((HDR_LEN + DATA_LEN)) || return 1
}

# The send flags and page-cache hints of issue 13, by netlink and ioctl.
t_send_hints() {
	local how

	for how in "" --ioctl; do
		recv_start "$tmp/r.out" -- recv 127.0.0.1:0 \
			--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
		"$ZC" -j send $how --file-notify --nowait-io --willneed --drop-behind \
			--header-text "$HDR" "127.0.0.1:$port" "$tmp/data.bin" \
			> "$tmp/s.json" || return 1
		recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
		expect_eq "file_released$how" "$(jget file_released "$tmp/s.json")" true || return 1
		expect_eq "not_cached_stops$how" "$(jget not_cached_stops "$tmp/s.json")" 0 || return 1
		expect_eq "compl_flags & FILE_RELEASED$how" \
			$(( $(jget compl_flags "$tmp/s.json") & 8 )) 8 || return 1
		expect_eq "bytes$how" "$(jget bytes "$tmp/s.json")" $((HDR_LEN + DATA_LEN)) || return 1
	done
	"$ZC" send -h | grep -q -- "--drop-behind" || return 1
}

# file-changed: the file grows while the stopped peer holds its pages;
# zcopyctl warns and counts the transfer, by netlink and ioctl.
t_file_changed() {
	local how i spid rc

	for how in "" --ioctl; do
		cp "$tmp/data.bin" "$tmp/chg.bin"
		recv_start "$tmp/r.out" -- recv 127.0.0.1:0 --output /dev/null || return 1
		kill -STOP "$rpid"
		"$ZC" -j send $how --file-notify "127.0.0.1:$port" "$tmp/chg.bin" \
			> "$tmp/s.json" 2> "$tmp/s.err" &
		spid=$!
		# Sent (the snapshot is taken first), not yet complete.
		for i in $(seq 100); do
			[ "$(stat_get outstanding)" -gt 0 ] && break
			sleep 0.1
		done
		sleep 0.5
		printf x >> "$tmp/chg.bin"
		kill -CONT "$rpid"
		rc=0
		wait "$spid" || rc=$?
		cat "$tmp/s.err"
		expect_eq "send exit$how" "$rc" 0 || return 1
		recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
		expect_eq "file_changed$how" "$(jget file_changed "$tmp/s.json")" 1 || return 1
		expect_eq "compl_flags & FILE_CHANGED$how" \
			$(( $(jget compl_flags "$tmp/s.json") & 32 )) 32 || return 1
		grep -q "segment 0 may have changed" "$tmp/s.err" || return 1
	done
}

t_ipv6() {
	recv_start "$tmp/r.out" -- recv '[::1]:0' --expect-file "$tmp/data2.bin" || return 1
	"$ZC" send -q "[::1]:$port" "$tmp/data2.bin" > "$tmp/s.out" || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
}

setup_veth() {
	[ ! -e /run/netns/$NSA ] || return 0
	ip netns add $NSA && ip netns add $NSB || return 1
	ip link add zc_ctl_va netns $NSA type veth peer name zc_ctl_vb netns $NSB || return 1
	ip -n $NSA addr add 10.77.0.1/24 dev zc_ctl_va
	ip -n $NSB addr add 10.77.0.2/24 dev zc_ctl_vb
	ip -n $NSA link set lo up; ip -n $NSB link set lo up
	ip -n $NSA link set zc_ctl_va up && ip -n $NSB link set zc_ctl_vb up
}

# veth into another namespace: the same rules as lo.
t_veth() {
	setup_veth || return 1
	recv_start "$tmp/r.json" ip netns exec $NSB -- recv -j 10.77.0.2:0 \
		--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
	ip netns exec $NSA "$ZC" -j send --header-text "$HDR" \
		"10.77.0.2:$port" "$tmp/data.bin" > "$tmp/s.json" || return 1
	recv_wait || { cat "$tmp/r.json" "$tmp/r.json.err"; return 1; }
	jvalid "$tmp/r.json" || return 1
	expect_eq verdict "$(jget verdict "$tmp/r.json")" match || return 1
	expect_eq zc_bytes "$(jget zc_bytes "$tmp/s.json")" $DATA_LEN || return 1
	expect_eq copied_bytes "$(jget copied_bytes "$tmp/s.json")" $HDR_LEN || return 1
	expect_eq reason "$(jget reason "$tmp/s.json")" local || return 1
	case $(jget peer "$tmp/r.json") in 10.77.0.1:*) ;; *) echo "peer $(jget peer "$tmp/r.json")"; return 1 ;; esac
}

# A 16 KiB send buffer and non-blocking sends: the sends stop with
# ZCOPY_STOP_AGAIN, zcopyctl polls and resumes, the data arrives intact.
t_dontwait() {
	local wmem sends resumes
	setup_veth || return 1
	wmem=$(ip netns exec $NSA cat /proc/sys/net/ipv4/tcp_wmem)
	ip netns exec $NSA sh -c 'echo "4096 16384 16384" > /proc/sys/net/ipv4/tcp_wmem'
	recv_start "$tmp/r.json" ip netns exec $NSB -- recv -j 10.77.0.2:0 \
		--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
	ip netns exec $NSA "$ZC" -j send --dontwait --header-text "$HDR" \
		"10.77.0.2:$port" "$tmp/data.bin" > "$tmp/s.json"
	local rc=$?
	ip netns exec $NSA sh -c "echo '$wmem' > /proc/sys/net/ipv4/tcp_wmem"
	expect_eq "send exit" $rc 0 || return 1
	recv_wait || { cat "$tmp/r.json" "$tmp/r.json.err"; return 1; }
	expect_eq verdict "$(jget verdict "$tmp/r.json")" match || return 1
	cat "$tmp/s.json"
	sends=$(jget sends "$tmp/s.json")
	resumes=$(jget resumes "$tmp/s.json")
	# A slow sender (the sanitizer kernel) may never fill 16 KiB.
	[ "$resumes" -gt 0 ] ||
		{ echo "the receiver kept up: no send stopped short to resume"; return 4; }
	expect_eq sends "$sends" $((resumes + 1)) || return 1
	expect_eq bytes "$(jget bytes "$tmp/s.json")" $((HDR_LEN + DATA_LEN)) || return 1
}

# procfs files read as size 0: sent until their end of file (a stop with
# ZCOPY_STOP_EOF that is not an error), then the next file; their bytes
# are copies (reason file-copy), the page-cache file's are not.
t_procfs() {
	local vlen
	vlen=$(wc -c < /proc/version)
	recv_start "$tmp/r.json" -- recv -j 127.0.0.1:0 \
		--expect-file /proc/version --expect-file "$tmp/data2.bin" || return 1
	"$ZC" -j send "127.0.0.1:$port" /proc/version "$tmp/data2.bin" \
		> "$tmp/s.json" || return 1
	recv_wait || { cat "$tmp/r.json" "$tmp/r.json.err"; return 1; }
	cat "$tmp/s.json"
	expect_eq verdict "$(jget verdict "$tmp/r.json")" match || return 1
	expect_eq bytes "$(jget bytes "$tmp/s.json")" $((vlen + 300000)) || return 1
	expect_eq sends "$(jget sends "$tmp/s.json")" 2 || return 1
	expect_eq copied_bytes "$(jget copied_bytes "$tmp/s.json")" $vlen || return 1
	expect_eq reason "$(jget reason "$tmp/s.json")" file-copy || return 1
}

# Two vmxnet3 NICs joined by a qemu hub: a route that leaves the host
# through a device with scatter-gather, so the pool bytes go zero-copy too.
t_vmxnet3() {
	ip netns add $NSC && ip netns add $NSD || return 1
	ip link set eth0 netns $NSC && ip link set eth1 netns $NSD || return 1
	ip -n $NSC addr add 10.78.0.1/24 dev eth0
	ip -n $NSD addr add 10.78.0.2/24 dev eth1
	ip -n $NSC link set eth0 up && ip -n $NSD link set eth1 up || return 1
	recv_start "$tmp/r.json" ip netns exec $NSD -- recv -j 10.78.0.2:0 \
		--expect-text "$HDR" --expect-file "$tmp/data.bin" || return 1
	ip netns exec $NSC "$ZC" -j send --header-text "$HDR" \
		"10.78.0.2:$port" "$tmp/data.bin" > "$tmp/s.json" || return 1
	recv_wait || { cat "$tmp/r.json" "$tmp/r.json.err"; return 1; }
	cat "$tmp/s.json"
	expect_eq zc_bytes "$(jget zc_bytes "$tmp/s.json")" $((HDR_LEN + DATA_LEN)) || return 1
	expect_eq copied_bytes "$(jget copied_bytes "$tmp/s.json")" 0 || return 1
	expect_eq reason "$(jget reason "$tmp/s.json")" none || return 1
	vmxnet3_home
}

# Deleting the namespaces sends eth0 and eth1 home, asynchronously: wait,
# so that the next test finds them.
vmxnet3_home() {
	local i=0
	ip netns del $NSC 2>/dev/null
	ip netns del $NSD 2>/dev/null
	while [ ! -e /sys/class/net/eth0 ] || [ ! -e /sys/class/net/eth1 ]; do
		i=$((i + 1))
		[ $i -le 200 ] || { echo "eth0/eth1 did not come back"; return 1; }
		sleep 0.05
	done
}

# A header below the module's copy_threshold is sent by copy (reason
# small), the file still by reference; info reports the threshold.
t_small() {
	local rc=0
	echo 4096 > "$THRESHOLD"
	"$ZC" -j info > "$tmp/i.json"
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 \
		--expect-text "$HDR" --expect-file "$tmp/data2.bin" || rc=1
	[ $rc = 1 ] || "$ZC" -j send --header-text "$HDR" "127.0.0.1:$port" \
		"$tmp/data2.bin" > "$tmp/s.json" || rc=1
	echo 0 > "$THRESHOLD"
	[ $rc = 0 ] || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	cat "$tmp/s.json"
	expect_eq info.copy_threshold "$(jget copy_threshold "$tmp/i.json")" 4096 || return 1
	expect_eq copied_bytes "$(jget copied_bytes "$tmp/s.json")" $HDR_LEN || return 1
	expect_eq zc_bytes "$(jget zc_bytes "$tmp/s.json")" 300000 || return 1
	expect_eq reason "$(jget reason "$tmp/s.json")" small || return 1
}

# zcopyctl probe: over lo by HOST:PORT, over veth into another namespace
# by --fd; what it says is what the send tests above see on those routes
# (pool segments copied by local delivery, file extents by reference;
# copy_threshold is 0 here, so no pool segment is short).
t_probe() {
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 || return 1
	"$ZC" -j probe "127.0.0.1:$port" > "$tmp/p.json" || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	cat "$tmp/p.json"
	jvalid "$tmp/p.json" || return 1
	expect_eq ifname "$(jget ifname "$tmp/p.json")" lo || return 1
	expect_eq pool.reason "$(jq -r .pool.reason "$tmp/p.json")" local || return 1
	expect_eq pool.zerocopy "$(jq -r .pool.zerocopy "$tmp/p.json")" false || return 1
	expect_eq pool.seg_result_reason "$(jq -r .pool.seg_result_reason "$tmp/p.json")" none || return 1
	expect_eq file.reason "$(jq -r .file.reason "$tmp/p.json")" none || return 1
	expect_eq small_pool "$(jget small_pool "$tmp/p.json")" null || return 1
	expect_eq copy_threshold "$(jget copy_threshold "$tmp/p.json")" 0 || return 1
	jq -r '.route_flag_names | .[]' "$tmp/p.json" | grep -qx local || return 1

	setup_veth || return 1
	recv_start "$tmp/r.out" ip netns exec $NSB -- recv 10.77.0.2:0 || return 1
	ip netns exec $NSA bash -c 'exec 3<>"/dev/tcp/10.77.0.2/$1" && "$2" probe --fd 3' \
		_ "$port" "$ZC" > "$tmp/p.out" || return 1
	recv_wait || { cat "$tmp/r.out" "$tmp/r.out.err"; return 1; }
	cat "$tmp/p.out"
	grep -q '^connection     10\.77\.0\.2:[0-9]* via zc_ctl_va ' "$tmp/p.out" || return 1
	grep -q '^pool segments  copied (local)' "$tmp/p.out" || return 1
	grep -q '^file extents   zero copy' "$tmp/p.out" || return 1
	# Not a socket: the kernel's ENOTSOCK, one line, exit 1.
	local rc=0
	"$ZC" probe --fd 0 < /dev/null 2> "$tmp/p.err" || rc=$?
	expect_eq "probe --fd 0 exit" $rc 1 || return 1
	grep -q "Socket operation on non-socket" "$tmp/p.err" || { cat "$tmp/p.err"; return 1; }
}

t_mismatch() {
	local rc
	local b
	# data.bin with byte 123456 (from 0) changed
	cp "$tmp/data.bin" "$tmp/bad.bin"
	b=$(od -An -tu1 -j 123456 -N 1 "$tmp/data.bin" | tr -d ' ')
	printf "\\$(printf %03o $(( (b + 1) % 256 )))" |
		dd of="$tmp/bad.bin" bs=1 seek=123456 count=1 conv=notrunc 2>/dev/null
	cmp -s "$tmp/data.bin" "$tmp/bad.bin" && { echo "bad.bin is not different"; return 1; }
	recv_start "$tmp/r.json" -- recv -j 127.0.0.1:0 --expect-file "$tmp/bad.bin" || return 1
	"$ZC" send -q "127.0.0.1:$port" "$tmp/data.bin" > /dev/null || return 1
	rc=0; recv_wait || rc=$?
	expect_eq "recv exit" $rc 3 || return 1
	jvalid "$tmp/r.json" || return 1
	expect_eq verdict "$(jget verdict "$tmp/r.json")" mismatch || return 1
	expect_eq mismatch_offset "$(jget mismatch_offset "$tmp/r.json")" 123456 || return 1
	grep -q "^zcopyctl: recv: the data differs from the expected at byte 123456$" \
		"$tmp/r.json.err" || { cat "$tmp/r.json.err"; return 1; }
	# a stream shorter than expected
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 --expect-file "$tmp/data.bin" || return 1
	"$ZC" send -q "127.0.0.1:$port" "$tmp/data.bin::1000" > /dev/null || return 1
	rc=0; recv_wait || rc=$?
	expect_eq "short stream exit" $rc 3 || return 1
	grep -q "MISMATCH at byte 1000" "$tmp/r.out" || { cat "$tmp/r.out"; return 1; }
}

t_sha256() {
	local sum
	sum=$(sha256sum "$tmp/data2.bin" | cut -d' ' -f1)
	recv_start "$tmp/r.json" -- recv -j 127.0.0.1:0 --expect-sha256 "$sum" || return 1
	"$ZC" send -q "127.0.0.1:$port" "$tmp/data2.bin" > /dev/null || return 1
	recv_wait || { cat "$tmp/r.json" "$tmp/r.json.err"; return 1; }
	expect_eq sha256 "$(jget sha256 "$tmp/r.json")" "$sum" || return 1
}

# Failures print one line and exit 1.
t_send_errors() {
	local rc
	"$ZC" send 127.0.0.1:9 "$tmp/data.bin" > /dev/null 2> "$tmp/e.err"
	rc=$?
	expect_eq "refused exit" $rc 1 || return 1
	grep -q "Connection refused" "$tmp/e.err" || { cat "$tmp/e.err"; return 1; }
	[ "$(wc -l < "$tmp/e.err")" = 1 ] || { cat "$tmp/e.err"; return 1; }
	"$ZC" send 127.0.0.1:9 "$tmp/nonexistent" > /dev/null 2> "$tmp/e.err"
	rc=$?
	expect_eq "missing file exit" $rc 1 || return 1
	[ "$(wc -l < "$tmp/e.err")" = 1 ] || { cat "$tmp/e.err"; return 1; }
	"$ZC" send 127.0.0.1:9 "$tmp" > /dev/null 2> "$tmp/e.err"
	expect_eq "directory exit" $? 1 || return 1
}

# The kernel's refusal: errno text and extack message in one line.
t_extack() {
	local rc
	"$ZC" send --fd 0 "$tmp/data2.bin" < "$tmp/data2.bin" > /dev/null 2> "$tmp/e.err"
	rc=$?
	cat "$tmp/e.err"
	expect_eq "exit" $rc 1 || return 1
	[ "$(wc -l < "$tmp/e.err")" = 1 ] || return 1
	grep -q "^zcopyctl: send: Socket operation on non-socket: kernel says: " "$tmp/e.err" || return 1
}

t_pools() {
	local pid id
	mkfifo "$tmp/pool.fifo"
	"$POOL" 12288 < "$tmp/pool.fifo" > "$tmp/pool.out" &
	pid=$!
	bg_pids+=("$pid")
	exec 7> "$tmp/pool.fifo"
	wait_file "$tmp/pool.out" || { exec 7>&-; return 1; }
	id=$(awk '{print $2}' "$tmp/pool.out")
	"$ZC" -j pools > "$tmp/p.json"
	"$ZC" pools > "$tmp/p.out"
	exec 7>&-
	wait "$pid"
	jvalid "$tmp/p.json" || return 1
	cat "$tmp/p.out"
	jeach pid "$tmp/p.json" | grep -qx "$pid" || { cat "$tmp/p.json"; return 1; }
	awk -v pid="$pid" -v id="$id" '$1 == id && $2 == pid && $NF == "yes" {f=1} END {exit !f}' \
		"$tmp/p.out" || return 1
	head -n 1 "$tmp/p.out" | grep -q "^ID  *PID  *UID  *COMM  *LEN  *PAGES  *INFLIGHT  *SENDS  *SENT  *REGISTERED$" || return 1
	# registered, len 12288, 3 pages
	grep -q "\"pid\":$pid,\"uid\":0,\"comm\":\"helper_ctl_pool\",\"len\":12288,\"pages\":3,\"inflight\":0,\"sends\":0,\"bytes_sent\":0,\"registered\":true" \
		"$tmp/p.json" || { cat "$tmp/p.json"; return 1; }
	# and gone once the helper closed the device
	"$ZC" -j pools > "$tmp/p2.json" || return 1
	jvalid "$tmp/p2.json" || return 1
	if jeach pid "$tmp/p2.json" | grep -qx "$pid"; then
		echo "pool of $pid still listed"; cat "$tmp/p2.json"; return 1
	fi
}

# An unprivileged user sees their own pools only: none, here.
t_pools_nobody() {
	local pid
	mkfifo "$tmp/pool2.fifo"
	"$POOL" 4096 < "$tmp/pool2.fifo" > "$tmp/pool2.out" &
	pid=$!
	bg_pids+=("$pid")
	exec 7> "$tmp/pool2.fifo"
	wait_file "$tmp/pool2.out" || { exec 7>&-; return 1; }
	"$NOBODY" "$ZC" -j pools > "$tmp/p.json" 2> "$tmp/p.err"
	local rc=$?
	exec 7>&-
	wait "$pid"
	expect_eq exit $rc 0 || { cat "$tmp/p.err"; return 1; }
	expect_eq output "$(cat "$tmp/p.json")" "[]" || return 1
}

monitor_start() {
	local ready=$tmp/mready.$RANDOM
	"$ZC" -j monitor --timeout 60 --ready-file "$ready" "$@" > "$tmp/m.json" 2> "$tmp/m.err" &
	mpid=$!
	bg_pids+=("$mpid")
	wait_file "$ready"
}

t_monitor_xfer() {
	local rc=0
	monitor_start --count 1 || return 1
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 --expect-file "$tmp/data2.bin" || return 1
	"$ZC" send -q --cookie 0x5eed "127.0.0.1:$port" "$tmp/data2.bin" > /dev/null || return 1
	recv_wait || return 1
	wait "$mpid" || rc=$?
	cat "$tmp/m.json" "$tmp/m.err"
	expect_eq "monitor exit" $rc 0 || return 1
	jlines "$tmp/m.json" || return 1
	expect_eq event "$(jlget event "$tmp/m.json")" xfer_done || return 1
	expect_eq cookie "$(jlget cookie "$tmp/m.json")" $((0x5eed)) || return 1
	expect_eq bytes "$(jlget bytes "$tmp/m.json")" 300000 || return 1
	expect_eq pool_bytes "$(jlget pool_bytes "$tmp/m.json")" 0 || return 1
	[ -n "$(jlget pid "$tmp/m.json")" ] || { echo "no pid"; return 1; }
}

# A send with a header: its pool is registered, used, and released.
t_monitor_pools() {
	local rc=0 events
	monitor_start --count 3 || return 1
	recv_start "$tmp/r.out" -- recv 127.0.0.1:0 --expect-text "$HDR" \
		--expect-file "$tmp/data2.bin" || return 1
	"$ZC" send -q --cookie 77 --header-text "$HDR" "127.0.0.1:$port" \
		"$tmp/data2.bin" > /dev/null || return 1
	recv_wait || return 1
	wait "$mpid" || rc=$?
	cat "$tmp/m.json" "$tmp/m.err"
	expect_eq "monitor exit" $rc 0 || return 1
	jlines "$tmp/m.json" || return 1
	events=$(jlget event "$tmp/m.json" | sort | tr '\n' ' ')
	expect_eq events "$events" "pool_del pool_new xfer_done " || return 1
	grep '"event":"pool_new"' "$tmp/m.json" | grep -q "\"len\":$HDR_LEN," || return 1
	grep '"event":"xfer_done"' "$tmp/m.json" | grep -q "\"pool_bytes\":$HDR_LEN," || return 1
}

t_monitor_nobody() {
	local rc=0
	"$NOBODY" "$ZC" monitor --count 1 --timeout 2 > /dev/null 2> "$tmp/e.err" || rc=$?
	cat "$tmp/e.err"
	expect_eq exit $rc 1 || return 1
	[ "$(wc -l < "$tmp/e.err")" = 1 ] || return 1
	grep -q "Operation not permitted" "$tmp/e.err" || return 1
}

t_reset_nobody() {
	local rc=0
	"$NOBODY" "$ZC" reset > "$tmp/e.out" 2> "$tmp/e.err" || rc=$?
	cat "$tmp/e.err"
	expect_eq exit $rc 1 || return 1
	[ "$(wc -l < "$tmp/e.err")" = 1 ] || return 1
	[ ! -s "$tmp/e.out" ] || return 1
	grep -q "^zcopyctl: reset: Operation not permitted" "$tmp/e.err" || return 1
	# and nothing was reset
	[ "$(stat_get transfers)" != 0 ] || { echo "counters were reset"; return 1; }
}

t_reset() {
	"$ZC" reset || return 1
	expect_eq transfers "$(stat_get transfers)" 0 || return 1
	expect_eq bytes_file "$(stat_get bytes_file)" 0 || return 1
	expect_eq bytes_zerocopy "$(stat_get bytes_zerocopy)" 0 || return 1
	expect_eq pinned_pages "$(stat_get pinned_pages)" 0 || return 1
}

# A peer that accepts and then stops reading (busybox nc writing into a
# pipe nobody reads): a netlink send of 32 MiB stalls once the socket
# buffers are full. Sets $stall_pid (the listener) and $send_pid.
stall_start() {
	local port=7411
	truncate -s 32M "$tmp/big.bin"
	# shellcheck disable=SC2016
	sh -c 'nc -l -p '$port' | sleep 120' &
	stall_pid=$!
	bg_pids+=("$stall_pid")
	sleep 0.5
	"$ZC" send "$@" "127.0.0.1:$port" "$tmp/big.bin" > "$tmp/s.out" 2>&1 &
	send_pid=$!
	bg_pids+=("$send_pid")
	# Until the kernel reports the transfer waiting for the peer.
	local i
	for i in $(seq 100); do
		[ "$(stat_get outstanding)" -gt 0 ] && break
		sleep 0.1
	done
	sleep 1
	kill -0 "$send_pid" 2>/dev/null ||
		{ cat "$tmp/s.out"; echo "the send ended before it stalled"; return 4; }
}

# The stall is over: no transfer, no pool left, within 5 s.
stall_idle() {
	local i
	kill "$stall_pid" 2>/dev/null
	for i in $(seq 50); do
		[ "$(stat_get outstanding)" = 0 ] && [ "$(stat_get pools)" = 0 ] &&
			return 0
		sleep 0.1
	done
	"$ZC" stats
	return 1
}

# SIGINT: zcopyctl cancels the kernel-run transfer (XFER_CANCEL), says so
# and exits 1; nothing stays behind.
t_sigint_cancels() {
	local rc=0
	stall_start -q || return $?
	kill -INT "$send_pid"
	wait "$send_pid" || rc=$?
	cat "$tmp/s.out"
	expect_eq "send exit" "$rc" 1 || return 1
	grep -q "cancelled after [0-9]* bytes" "$tmp/s.out" || return 1
	stall_idle
}

# SIGKILL gives zcopyctl no chance: the kernel cancels the transfer when
# its netlink socket closes (cancel-on-close), and closing its /dev/zcopy
# file would too.
t_killed_cancels() {
	stall_start -q || return $?
	kill -KILL "$send_pid"
	wait "$send_pid" 2>/dev/null
	stall_idle
}

# ---- run ----

for t in "${TESTS[@]}"; do
	read -r name needs fn <<< "$t"
	missing=""
	for op in ${needs//,/ }; do
		have_op "$op" || missing="$missing $op"
	done
	if [ -n "$missing" ]; then
		case $missing in
		" vmxnet3") skip "$name" "no eth0/eth1 (the VM's vmxnet3 pair)" ;;
		" copy_threshold") skip "$name" "zcopy.ko has no copy_threshold parameter" ;;
		*) skip "$name" "the zcopy module lacks:$missing" ;;
		esac
		continue
	fi
	log=$tmp/$name.log
	rc=0
	"$fn" > "$log" 2>&1 || rc=$?
	case $rc in
	0) ok "$name" ;;
	# A test that could not set up its situation says why, last.
	4) skip "$name" "$(tail -n 1 "$log")" ;;
	*) not_ok "$name"; sed 's/^/# /' "$log" ;;
	esac
done

echo "# Totals: pass:$((n - fails - skips)) fail:$fails xfail:0 xpass:0 skip:$skips error:0"
[ $fails = 0 ]
