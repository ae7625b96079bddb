#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "make bench" (tools/vm/bench copies it into the VM's
# /selftests): zcopy-bench over veth between two network namespaces,
# over lo, and over the vmxnet3 pair. Each route's table goes to the
# results port; its JSON is printed between the lines
#   ZCOPY-BENCH-JSON-BEGIN <route>   and   ZCOPY-BENCH-JSON-END
# for the host to collect.
#
# Route "peer": the kernel's own MSG_ZEROCOPY sender and receiver
# (msg_zerocopy, its net selftest, built by make msg-zerocopy-peer) over
# lo and veth at --peer-sizes bytes per sendmsg() call, its cost measured
# with zcopy-bench --cost-around, the instrument of zcopy-bench's "all"
# column. Its table follows; each run's JSON is printed between
#   ZCOPY-PEER-JSON-BEGIN <route> <size>   and   ZCOPY-PEER-JSON-END
#
#   ns zc_bench_a                      ns zc_bench_b
#   veth_a 10.98.0.1/24  <-- veth -->  veth_b 10.98.0.2/24
#
#   ns zc_bench_c                      ns zc_bench_d
#   eth0   10.98.1.1/24  <-- qemu hub -->  eth1   10.98.1.2/24  (vmxnet3)
#
#   bench-guest.sh [--routes veth,lo,vmxnet3,peer] [--peer-sizes LIST]
#                  [--peer-secs N] [-- ZCOPY-BENCH OPTIONS]
set -eu

A=zc_bench_a B=zc_bench_b C=zc_bench_c D=zc_bench_d
routes=veth,lo,vmxnet3
# msg_zerocopy's payload per call tops out at 65535 - 40 (IPv6) - 20 (TCP)
# - 40 (options) = 65435 bytes: its nearest to the pool workload's 64 KiB.
peer_sizes=4096,65435
# msg_zerocopy -t N sends for 200 ms + N s (under icount: instructions).
peer_secs=0
while [ $# -gt 0 ]; do
	case $1 in
	--routes) routes=$2; shift 2 ;;
	--peer-sizes) peer_sizes=$2; shift 2 ;;
	--peer-secs) peer_secs=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "bench-guest: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
opts=("$@")
work=$(mktemp -d /tmp/zcopy-bench.XXXXXX)

cleanup() {
	for ns in $A $B $C $D zc_peer_a zc_peer_b; do ip netns del $ns 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n[+] %s\n' "$*"; }

# bench ROUTE ARGS...: the table, then the JSON between markers.
rc=0
bench() {
	local route=$1
	shift
	step "zcopy-bench --route $route $*"
	if ! zcopy-bench --route "$route" --json-out "$work/$route.json" "$@"; then
		echo "bench-guest: zcopy-bench over $route failed"
		rc=1
	fi
	if [ -s "$work/$route.json" ]; then
		echo "ZCOPY-BENCH-JSON-BEGIN $route"
		cat "$work/$route.json"
		echo "ZCOPY-BENCH-JSON-END"
	fi
}

# peer ROUTE ADDR [SENDER-NETNS RECEIVER-NETNS]: msg_zerocopy -z, one run
# per --peer-sizes size. Its receiver (-r) drains with recv(MSG_TRUNC), which
# copies nothing, and after EOF it polls in a loop until its time is up: it
# is killed as soon as the sender has been reaped, and its CPU time over
# the window is reported (rcv ins/B) to show what that loop cost.
peer_port=8000
peer_rows=()
peer() {
	local route=$1 addr=$2 sx=() rx=() size tx rpid calls bytes short zc j
	if [ $# -gt 2 ]; then
		sx=(ip netns exec "$3")
		rx=(ip netns exec "$4")
	fi
	for size in ${peer_sizes//,/ }; do
		peer_port=$((peer_port + 1))
		step "msg_zerocopy over $route: -z -s $size -t $peer_secs, zcopy-bench --cost-around"
		"${rx[@]}" msg_zerocopy -4 -r -D "$addr" -p $peer_port -t $((peer_secs + 30)) tcp \
			2>"$work/peer-rx.txt" &
		rpid=$!
		sleep 0.2
		if ! zcopy-bench --cost-around --server-pid $rpid --json-out "$work/peer.json" -- \
			"${sx[@]}" msg_zerocopy -4 -v -D "$addr" -p $peer_port -t "$peer_secs" -s "$size" -z tcp \
			2>"$work/peer-tx.txt"; then
			echo "bench-guest: msg_zerocopy over $route failed:"
			cat "$work/peer-tx.txt"
			rc=1
		fi
		kill $rpid 2>/dev/null || true
		wait $rpid 2>/dev/null || true
		tx=$(grep '^tx=' "$work/peer-tx.txt" || true)
		[ -n "$tx" ] && [ -s "$work/peer.json" ] || continue
		echo "    $tx"
		# A partial send (-v: "send: ret=R != L") is counted as a call of R bytes.
		calls=$(sed -n 's/^tx=\([0-9]*\) .*/\1/p' <<<"$tx")
		zc=$(sed -n 's/.* zc=\(.\)$/\1/p' <<<"$tx")
		short=$(awk '/^send: ret=/ {split($2, a, "="); s += $4 - a[2]} END {print s + 0}' \
			"$work/peer-tx.txt")
		bytes=$((calls * size - short))
		j=$(jq -c --arg r "$route" --argjson s "$size" --argjson c "$calls" \
			--argjson b "$bytes" --arg z "$zc" \
			'{peer: "msg_zerocopy", route: $r, size: $s, calls: $c, bytes: $b,
			  zerocopy: ($z == "y"), cost: .}' "$work/peer.json")
		echo "ZCOPY-PEER-JSON-BEGIN $route $size"
		echo "$j"
		echo "ZCOPY-PEER-JSON-END"
		peer_rows+=("$j")
	done
}

# The peer's table: per payload byte and per call, as zcopy-bench's columns.
peer_table() {
	[ ${#peer_rows[@]} -gt 0 ] || return 0
	step "msg_zerocopy (the kernel selftest's sender and receiver), zcopy-bench --cost-around"
	echo "snd = the sender process's CPU (wait4), all = every CPU's non-idle time from exec to reap,"
	echo "rcv = its receiver's CPU in that window (recv(MSG_TRUNC): no copy); per byte and per call."
	printf '%s\n' "${peer_rows[@]}" | jq -rs '
		def f(x): x * 1000 | round / 1000;
		(["route", "size", "calls", "MiB", "zc", "snd ins/B", "all ins/B", "all kins/call", "rcv ins/B"]
		 | @tsv),
		(.[] | [.route, .size, .calls, (.bytes / 1048576 | round),
		  (if .zerocopy then "y" else "n" end),
		  f(.cost.command_cpu_ns / .bytes),
		  (if .cost.all_cpu_ns then f(.cost.all_cpu_ns / .bytes) else "-" end),
		  (if .cost.all_cpu_ns then (.cost.all_cpu_ns / .calls / 100 | round / 10) else "-" end),
		  (if .cost.servers[0].cpu_ns then f(.cost.servers[0].cpu_ns / .bytes) else "-" end)]
		 | map(tostring) | @tsv)' |
		awk -F '\t' '{printf "%-6s %6s %7s %5s %3s %10s %10s %14s %10s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}'
}

step "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB"
step "kernel command line: $(cat /proc/cmdline)"
zcopyctl info | sed -n '1,6p'
grep -E ' (_copy_to_iter|_copy_from_iter|_copy_from_iter_nocache|csum_and_copy_to_iter|csum_and_copy_from_iter|csum_and_copy_from_iter_full|skb_copy_ubufs|skb_copy_bits)$' /proc/kallsyms |
	awk '{print "    kallsyms: " $2 " " $3}'

case ,$routes, in
*,veth,*)
	ip netns add $A
	ip netns add $B
	ip link add veth_a netns $A type veth peer name veth_b netns $B
	ip -n $A addr add 10.98.0.1/24 dev veth_a
	ip -n $B addr add 10.98.0.2/24 dev veth_b
	for ns in $A $B; do ip -n $ns link set lo up; done
	ip -n $A link set veth_a up
	ip -n $B link set veth_b up
	bench veth --sender-netns $A --receiver-netns $B --addr 10.98.0.2 "${opts[@]}"
	;;
esac

case ,$routes, in
*,lo,*)
	bench lo --addr 127.0.0.1 --workloads bulk "${opts[@]}"
	;;
esac

case ,$routes, in
*,vmxnet3,*)
	if [ -e /sys/class/net/eth0 ] && [ -e /sys/class/net/eth1 ]; then
		ip netns add $C
		ip netns add $D
		ip link set eth0 netns $C
		ip link set eth1 netns $D
		ip -n $C addr add 10.98.1.1/24 dev eth0
		ip -n $D addr add 10.98.1.2/24 dev eth1
		for ns in $C $D; do ip -n $ns link set lo up; done
		ip -n $C link set eth0 up
		ip -n $D link set eth1 up
		# The link comes up asynchronously.
		for _ in $(seq 50); do
			ip netns exec $C ping -c 1 -W 1 10.98.1.2 >/dev/null 2>&1 && break
			sleep 0.2
		done
		bench vmxnet3 --sender-netns $C --receiver-netns $D --addr 10.98.1.2 \
			--workloads bulk,pool "${opts[@]}"
	else
		step "no eth0/eth1 in this VM: no vmxnet3 route"
	fi
	;;
esac
case ,$routes, in
*,peer,*)
	if command -v msg_zerocopy >/dev/null; then
		peer lo 127.0.0.1
		ip netns add zc_peer_a
		ip netns add zc_peer_b
		ip link add veth_pa netns zc_peer_a type veth peer name veth_pb netns zc_peer_b
		ip -n zc_peer_a addr add 10.98.2.1/24 dev veth_pa
		ip -n zc_peer_b addr add 10.98.2.2/24 dev veth_pb
		for ns in zc_peer_a zc_peer_b; do ip -n $ns link set lo up; done
		ip -n zc_peer_a link set veth_pa up
		ip -n zc_peer_b link set veth_pb up
		peer veth 10.98.2.2 zc_peer_a zc_peer_b
		ip netns del zc_peer_a
		ip netns del zc_peer_b
		peer_table
	else
		step "no msg_zerocopy in this VM (make msg-zerocopy-peer): no peer route"
	fi
	;;
esac
exit $rc
