#!/usr/bin/env bash
# Installs the Debian packages the demo and the tests use, once. Needs root (apt-get);
# without root it only reports what is missing.
set -euo pipefail

# iproute2: the tests' own namespaces; procps: pgrep/pkill in test cleanup; iperf3, ping:
# traffic between pods; ethtool: switching segmentation offload off in a pod; python3-scapy
# and tshark: independent ESP implementations that check our packets; wireguard-go and
# wireguard-tools: the userspace WireGuard the lab and the cross-node benchmark compare with;
# libipsec-mb1: Intel's AES-GCM, the crypto engine ipsec.engine = auto picks when present.
packages=(iproute2 procps iperf3 iputils-ping ethtool python3-scapy tshark wireguard-go wireguard-tools libipsec-mb1)

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
apt-get install -y -qq "${missing[@]}" >&2
