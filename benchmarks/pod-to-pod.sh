#!/usr/bin/env bash
# Same-node pod-to-pod TCP throughput: one iperf3 flow between two pods (network
# namespaces, MTU 1400), first through Cipherlane (`cipherlane run` attaching both pods
# through persistent taps), then through the kernel (each pod joined by a veth pair to a
# routing namespace with ip_forward=1, the same /32 addresses and link-local gateway).
# Prints both rates and their ratio. Needs root; removes everything it made on exit.
#
# Usage: benchmarks/pod-to-pod.sh [seconds]        (default 10)
#   WORKERS=2 QUEUES=2 benchmarks/pod-to-pod.sh    dataplane workers, tap queues per pod
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-10}
workers=${WORKERS:-1}
queues=${QUEUES:-1}
mtu=1400
port=5201
a4=10.77.0.10
b4=10.77.0.11
gw4=169.254.1.1

if [ "$(id -u)" -ne 0 ]; then
    echo "pod-to-pod: needs root (network namespaces, taps)" >&2
    exit 1
fi
"$root/bin/lib/install-packages.sh" bench

id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
pa=clba-$id # Cipherlane's pods
pb=clbb-$id
ka=clka-$id # the kernel's pods and their router
kb=clkb-$id
kr=clkr-$id
work=$(mktemp -d /tmp/cipherlane-pod-to-pod.XXXXXX)
pids=()

cleanup() {
    local pid ns
    for pid in "${pids[@]}"; do # a negative pid is a process group
        kill -9 -- "$pid" 2>/dev/null || true
        wait "${pid#-}" 2>/dev/null || true
    done
    # Deleting a pod's namespace destroys the persistent tap inside it.
    for ns in "$pa" "$pb" "$ka" "$kb" "$kr"; do
        [ -e "/run/netns/$ns" ] && ip netns del "$ns"
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_ns() { # <ns> <command...>
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

wait_for() { # <what> <seconds> <command...>: polls the command until it succeeds
    local what=$1 limit=$2 i
    shift 2
    for ((i = 0; i < limit * 10; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "pod-to-pod: gave up waiting for $what" >&2
    return 1
}

# One iperf3 flow from <client ns> to <address> served in <server ns>; prints Mbit/s received.
iperf() { # <client ns> <server ns> <address>
    local client=$1 server=$2 address=$3 out=$work/iperf-$1.txt
    # Not through in_ns: a backgrounded function is a subshell, and $! must be iperf3's pid
    # (ip netns exec execs the command) for cleanup to end it.
    ip netns exec "$server" iperf3 -s -1 -p "$port" >"$work/iperf-server-$server.txt" 2>&1 &
    pids+=($!)
    wait_for "iperf3 server in $server" 30 \
        sh -c "ip netns exec '$server' ss -Hltn 'sport = :$port' | grep -q ."
    in_ns "$client" iperf3 -c "$address" -p "$port" -t "$seconds" -f m >"$out" 2>&1 || {
        echo "pod-to-pod: iperf3 failed:" >&2
        cat "$out" >&2
        return 1
    }
    awk '/receiver/ { for (i = 1; i <= NF; i++) if ($i == "Mbits/sec") print $(i - 1) }' "$out"
}

echo "pod-to-pod: building if needed" >&2
"$root/bin/cipherlane" version >&2
# show runtime/errors afterwards without bin/cipherlane, whose source check could start a
# rebuild (and replace the jars under the running node) in the middle of a measurement.
# shellcheck source=../bin/lib/java.sh
. "$root/bin/lib/java.sh"
cipherlane_find_java
ctl() {
    local jar
    jar=$(ls "$root"/cli/target/cipherlane-cli-*.jar | head -n 1)
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
        -cp "$jar:$root/cli/target/lib/*" dev.cipherlane.cli.Main \
        ctl --socket "$work/admin.sock" "$@"
}

# --- Cipherlane ---------------------------------------------------------------------
ip netns add "$pa"
ip netns add "$pb"
ip -n "$pa" link set lo up
ip -n "$pb" link set lo up
cat >"$work/node.conf" <<EOF
cipherlane {
  node { name = "bench", state-dir = "$work/state" }
  admin.socket = "$work/admin.sock"
  dataplane.workers = $workers
  pod-network { mtu = $mtu, queues = $queues }
  pods = [
    { name = "pod-a", netns = "$pa", addresses = ["$a4", "fd77::10"] }
    { name = "pod-b", netns = "$pb", addresses = ["$b4", "fd77::11"] }
  ]
}
EOF
# In its own process group, so that cleanup also ends a build bin/cipherlane might start.
setsid "$root/bin/cipherlane" run --config "$work/node.conf" >"$work/node.log" 2>&1 &
node=$!
pids+=("-$node")
attached() { # <ns> <address>: the pod's tap is there, with carrier and its address
    ip -n "$1" addr show dev eth0 | grep -q "inet $2/32" &&
        ip -n "$1" link show dev eth0 | grep -q LOWER_UP
}
if ! wait_for "the node service to attach both pods" 600 \
    sh -c "$(declare -f attached); attached $pa $a4 && attached $pb $b4"; then
    cat "$work/node.log" >&2
    exit 1
fi
wait_for "a ping from pod-a to pod-b through Cipherlane" 30 in_ns "$pa" ping -c 1 -W 1 "$b4"
cipherlane_mbps=$(iperf "$pa" "$pb" "$b4")
ctl show runtime >"$work/runtime.txt" 2>&1 || true
ctl show errors >"$work/errors.txt" 2>&1 || true
kill -9 -- "-$node"
wait "$node" 2>/dev/null || true

# --- Kernel -------------------------------------------------------------------------
ip netns add "$ka"
ip netns add "$kb"
ip netns add "$kr"
in_ns "$kr" sysctl -q -w net.ipv4.ip_forward=1
for pod in a b; do
    ns=k$pod
    ns=${!ns}
    addr=${pod}4
    addr=${!addr}
    ip -n "$ns" link set lo up
    ip link add eth0 netns "$ns" mtu "$mtu" type veth peer name "r$pod" netns "$kr" mtu "$mtu"
    ip -n "$ns" addr add "$addr/32" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$gw4" dev eth0 onlink
    ip -n "$kr" addr add "$gw4/32" dev "r$pod"
    ip -n "$kr" link set "r$pod" up
    ip -n "$kr" route add "$addr/32" dev "r$pod"
done
wait_for "a ping from pod-a to pod-b through the kernel" 30 in_ns "$ka" ping -c 1 -W 1 "$b4"
kernel_mbps=$(iperf "$ka" "$kb" "$b4")

# --- Report -------------------------------------------------------------------------
echo
echo "Cipherlane show runtime after the run:"
cat "$work/runtime.txt"
echo "Cipherlane show errors after the run:"
cat "$work/errors.txt"
echo
awk -v c="$cipherlane_mbps" -v k="$kernel_mbps" -v s="$seconds" -v w="$workers" -v q="$queues" \
    -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
    printf "pod-to-pod, 1 TCP flow, %d s, pod MTU 1400, %d worker(s), %d queue(s) per pod, load average %s\n", s, w, q, load
    printf "  Cipherlane: %6.2f Gbit/s\n", c / 1000
    printf "  kernel:     %6.2f Gbit/s\n", k / 1000
    printf "  Cipherlane / kernel: %.2f\n", (k > 0 ? c / k : 0)
}'
