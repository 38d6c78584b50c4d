#!/usr/bin/env bash
# Installs the Debian packages that one use of the tree needs, once, and nothing else:
#   install-packages.sh demo    what `cipherlane demo` runs
#   install-packages.sh tests   what the test suite runs (the demo's set and more)
#   install-packages.sh bench   what the cross-node benchmark runs
# Needs root (apt-get); without root it only reports what is missing. Packages come without
# their Recommends: wireguard-tools alone would otherwise pull a Linux kernel image and an
# initramfs build in through wireguard-modules, minutes of a first run for nothing we use.
set -euo pipefail

# iproute2: `ip netns exec` starts the lab's processes inside namespaces, `ss` sees listeners;
# procps: sysctl in a namespace, pgrep/pkill in test cleanup; iputils-ping: pings between pods;
# ethtool: switching segmentation offload off on a relayed wire; libipsec-mb1: the node's
# AES-GCM engine (the JDK's serves when it is missing).
demo=(iproute2 procps iputils-ping ethtool libipsec-mb1)
# iperf3: traffic between pods; python3-scapy and tshark: independent ESP implementations
# that check our packets; wireguard-go and wireguard-tools: the userspace WireGuard the lab
# compares with; python3-prometheus-client: an independent parser of the /metrics text format;
# strongswan-charon, strongswan-swanctl, libcharon-extra-plugins (kernel-libipsec: ESP in
# userspace, this kernel having none) and libstrongswan-standard-plugins (openssl: AES-GCM,
# X25519): the IKEv2 and ESP peer of the interop tests.
tests=("${demo[@]}" iperf3 python3-scapy tshark wireguard-go wireguard-tools python3-prometheus-client
    strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins)
bench=("${demo[@]}" iperf3 wireguard-go wireguard-tools)

case "${1:-}" in
    demo) packages=("${demo[@]}") ;;
    tests) packages=("${tests[@]}") ;;
    bench) packages=("${bench[@]}") ;;
    *) echo "usage: install-packages.sh demo|tests|bench" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "cipherlane: missing Debian packages (install as root): ${missing[*]}" >&2
    exit 0
fi
echo "cipherlane: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
