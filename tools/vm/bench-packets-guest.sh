#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest script: how many packets, of which sizes, each file technique puts
# on a veth pair (net:net_dev_xmit hist trigger, length in log2 buckets;
# the ~128-byte bucket is mostly the receiver's ACKs). Documented in
# Documentation/performance.md (file extents on 6.12). Run it with
#   install -m 0755 tools/vm/bench-packets-guest.sh build/selftests/
#   tools/vm/run --kernel KVER -- bash /selftests/bench-packets-guest.sh
set -eu
A=zc_pk_a B=zc_pk_b
cleanup() { for ns in $A $B; do ip netns del $ns 2>/dev/null || true; done; }
trap cleanup EXIT
ip netns add $A
ip netns add $B
ip link add veth_a netns $A type veth peer name veth_b netns $B
ip -n $A addr add 10.97.0.1/24 dev veth_a
ip -n $B addr add 10.97.0.2/24 dev veth_b
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set veth_a up
ip -n $B link set veth_b up
T=/sys/kernel/tracing/events/net/net_dev_xmit
H='hist:keys=len.log2:vals=hitcount:sort=len'
for t in sendfile zcopy-file hdr+sendfile zcopy-hdr+file; do
	for w in bulk small; do
		echo "$H" > $T/trigger
		zcopy-bench --sender-netns $A --receiver-netns $B --addr 10.97.0.2 \
			--route veth --workloads $w --techniques "$t" --file-size 16M \
			--requests 300 --repeat 1 --no-probes | grep -E "^(bulk|small) "
		echo "== $t $w: packets transmitted by length (log2)"
		grep -E '^\{' $T/hist
		echo "!$H" > $T/trigger
	done
done
