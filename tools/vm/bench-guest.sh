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
#   ns zc_bench_a                      ns zc_bench_b
#   veth_a 10.98.0.1/24  <-- veth -->  veth_b 10.98.0.2/24
#
#   ns zc_bench_c                      ns zc_bench_d
#   eth0   10.98.1.1/24  <-- qemu hub -->  eth1   10.98.1.2/24  (vmxnet3)
#
#   bench-guest.sh [--routes veth,lo,vmxnet3] [-- ZCOPY-BENCH OPTIONS]
set -eu

A=zc_bench_a B=zc_bench_b C=zc_bench_c D=zc_bench_d
routes=veth,lo,vmxnet3
while [ $# -gt 0 ]; do
	case $1 in
	--routes) routes=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "bench-guest: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
opts=("$@")
work=$(mktemp -d /tmp/zcopy-bench.XXXXXX)

cleanup() {
	for ns in $A $B $C $D; do ip netns del $ns 2>/dev/null || true; done
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
exit $rc
