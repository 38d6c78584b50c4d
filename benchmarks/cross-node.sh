#!/usr/bin/env bash
# Cross-node pod-to-pod TCP throughput: iperf3 from a pod on node 1 to a pod on node 2, one
# flow and then four (-P 4), over five paths in the same kind of namespaces, in one run:
#   kernel            pods on veths to their node namespace, ip_forward=1, a route to the
#                     other node's pod CIDR via its wire address; plaintext, no tunnel;
#   Cipherlane IPIP   two `cipherlane run` nodes, each taking over its end of a veth wire and
#                     carrying the pods' traffic in plain IPIP tunnels (ESP off);
#   Cipherlane ESP    the same with ESP (AES-GCM-256, static keys), IP protocol 50, on every
#                     tunnel;
#   Cipherlane ESP-in-UDP  the same with ESP in UDP port 4500 (RFC 3948), which the uplink
#                     sends as UDP GSO super-frames (uplink.offloads, on by default);
#   wireguard-go      the same pods, the other node's pod CIDR routed into a WireGuard
#                     interface run by wireguard-go (userspace, TUN) in each node namespace.
# Prints one table: Gbit/s and the ratio to the kernel's plaintext figure, 1 and 4 flows.
# Needs root; installs wireguard-go and wireguard-tools if missing; removes everything it
# made on exit.
#
# Usage: benchmarks/cross-node.sh [seconds per run] [workers per node]   (default 10 1)
#        CROSS_NODE_PATHS=kernel,esp-udp benchmarks/cross-node.sh   runs only the paths named
#        (kernel, ipip, esp, esp-udp, esp-udp-jdk, wireguard)
#
# The topology is the lab's (dev.cipherlane.testbed, see CrossNodeBench). Nodes run
# the command bin/cipherlane execs, on the jars built below, without the launcher's source
# check: on a tree being edited that check would start a rebuild in the middle of a run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-10}
workers=${2:-1}

if [ "$(id -u)" -ne 0 ]; then
    echo "cross-node: needs root (network namespaces, taps, packet sockets)" >&2
    exit 1
fi
# iperf3, and the WireGuard reference path (Debian's userspace wireguard-go and the wg tool).
"$root/bin/lib/install-packages.sh" bench

echo "cross-node: building if needed" >&2
"$root/bin/cipherlane" version >&2
# shellcheck source=../bin/lib/java.sh
. "$root/bin/lib/java.sh"
cipherlane_find_java
# The bench (benchmarks module) drives the lab; the nodes it starts run the cli's Main from the
# same class path (the lab's jvm launcher), so both modules' classes are on it.
(cd "$root" && ./mvnw -q -B -ntp -DskipTests -pl benchmarks -am compile) >&2
jar=$(ls "$root"/cli/target/cipherlane-cli-*.jar | head -n 1)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Xmx512m -Dcipherlane.lab.launcher=jvm \
    -cp "$root/benchmarks/target/classes:$jar:$root/cli/target/lib/*" dev.cipherlane.benchmarks.CrossNodeBench "$seconds" "$workers"
