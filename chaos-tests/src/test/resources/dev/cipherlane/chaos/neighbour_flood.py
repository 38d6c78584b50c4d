# Spoofed ARP and ND senders, each frame from a different made-up host, sent through a
# packet socket on one interface: the flood of NeighbourFloodTest. Standard library only.
#
#   neighbour_flood.py IFACE COUNT ARP_TARGET ND_TARGET SENDER4_BASE SENDER4_STEP SENDER6_PREFIX
#
# ARP: who-has ARP_TARGET tell SENDER4_BASE + i (RFC 826 request, broadcast).
# ND: a Neighbor Solicitation for ND_TARGET from SENDER6_PREFIX + i with a Source Link-Layer
# Address option (RFC 4861 section 4.3), to the target's solicited-node group, hop limit 255.
# SENDER4_STEP alternates the IPv4 senders between the base and base + STEP (half in, half
# out of a subnet). Prints how many frames went out.
import ipaddress
import socket
import struct
import sys
import time

iface, count = sys.argv[1], int(sys.argv[2])
arp_target = ipaddress.IPv4Address(sys.argv[3]).packed
nd_target = ipaddress.IPv6Address(sys.argv[4])
base4, step4 = int(ipaddress.IPv4Address(sys.argv[5])), int(sys.argv[6])
prefix6 = int(ipaddress.IPv6Address(sys.argv[7]))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(i):
    return bytes([0x02, 0xEE, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF, 0x01])


group = ipaddress.IPv6Address("ff02::1:ff00:0").packed[:13] + nd_target.packed[13:]
group_mac = b"\x33\x33" + group[12:]
frames = []
for i in range(count):
    m = mac(i)
    sender4 = struct.pack("!I", base4 + (i // 2) + (step4 if i % 2 else 0))
    frames.append(b"\xff" * 6 + m + b"\x08\x06"
                  + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + m + sender4 + b"\0" * 6 + arp_target)
    src6 = (prefix6 + i).to_bytes(16, "big")
    body = struct.pack("!BBHI", 135, 0, 0, 0) + nd_target.packed + b"\x01\x01" + m
    pseudo = src6 + group + struct.pack("!I", len(body)) + b"\0\0\0\x3a"
    c = checksum(pseudo + body)
    body = body[:2] + struct.pack("!H", c) + body[4:]
    ip6 = struct.pack("!IHBB", 0x60000000, len(body), 58, 255) + src6 + group
    frames.append(group_mac + m + b"\x86\xdd" + ip6 + body)

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
sent = 0
start = time.monotonic()
for k, f in enumerate(frames):
    while True:
        try:
            s.send(f)
            sent += 1
            break
        except OSError:
            time.sleep(0.001)
    # About 50,000 frames a second: a flood, with less lost in the kernel's queues.
    if k % 500 == 499:
        ahead = (k + 1) / 50_000 - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
print("sent", sent)
