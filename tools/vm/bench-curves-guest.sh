#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of "tools/vm/bench --curves" (copied into the VM's
# /selftests): zcopy-bench --curve over veth between two network
# namespaces, one curve after the other. Each curve's table goes to the
# results port; its JSON is printed between the lines
#   ZCOPY-CURVE-JSON-BEGIN <curve>   and   ZCOPY-CURVE-JSON-END
# for the host to collect.
#
#   ns zc_curve_a                      ns zc_curve_b
#   veth_a 10.98.2.1/24  <-- veth -->  veth_b 10.98.2.2/24
#
#   bench-curves-guest.sh [--curves segs,size,conns] [-- ZCOPY-BENCH OPTIONS]
set -euo pipefail

A=zc_curve_a B=zc_curve_b
curves=segs,size,conns
while [ $# -gt 0 ]; do
	case $1 in
	--curves) curves=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "bench-curves-guest: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
opts=("$@")
work=$(mktemp -d /tmp/zcopy-curves.XXXXXX)

cleanup() {
	for ns in "$A" "$B"; do ip netns del "$ns" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n[+] %s\n' "$*"; }

step "kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB"
step "kernel command line: $(cat /proc/cmdline)"
ip netns add $A
ip netns add $B
ip link add veth_a netns $A type veth peer name veth_b netns $B
ip -n $A addr add 10.98.2.1/24 dev veth_a
ip -n $B addr add 10.98.2.2/24 dev veth_b
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n $A link set veth_a up
ip -n $B link set veth_b up

rc=0
IFS=, read -r -a list <<< "$curves"
for curve in "${list[@]}"; do
	start=$(date +%s)
	step "zcopy-bench --curve $curve ${opts[*]}"
	if ! zcopy-bench --curve "$curve" --route veth --sender-netns $A --receiver-netns $B \
		--addr 10.98.2.2 --json-out "$work/$curve.json" "${opts[@]}"; then
		echo "bench-curves-guest: the $curve curve failed"
		rc=1
	fi
	step "$curve: $(( $(date +%s) - start )) s of guest time"
	if [ -s "$work/$curve.json" ]; then
		echo "ZCOPY-CURVE-JSON-BEGIN $curve"
		cat "$work/$curve.json"
		echo "ZCOPY-CURVE-JSON-END"
	fi
done
exit $rc
