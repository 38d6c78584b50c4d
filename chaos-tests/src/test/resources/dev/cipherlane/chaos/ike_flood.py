# IKE_SA_INIT requests from many sources, sent through a packet socket on one interface: the
# flood of IkeFloodTest. Standard library only.
#
#   ike_flood.py IFACE DST_MAC DST_IP INIT_HEX UNKNOWN_COUNT UNKNOWN_BASE SPOOFED_COUNT SPOOFED_SRC
#
# INIT_HEX is one IKE_SA_INIT request (RFC 7296 section 1.2); every copy gets its own
# initiator SPI (the header's first 8 bytes), as a new IKE SA would. UNKNOWN_COUNT copies come
# from UNKNOWN_BASE + i, addresses no tunnel has; SPOOFED_COUNT from SPOOFED_SRC, a peer's own
# address. UDP 500 to 500, with checksums. Prints how many frames went out.
import ipaddress
import socket
import struct
import sys
import time

iface, dst_mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
dst = ipaddress.IPv4Address(sys.argv[3]).packed
init = bytes.fromhex(sys.argv[4])
unknown, base = int(sys.argv[5]), int(ipaddress.IPv4Address(sys.argv[6]))
spoofed, spoofed_src = int(sys.argv[7]), ipaddress.IPv4Address(sys.argv[8]).packed


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(i, src):
    message = struct.pack("!Q", 0x5EED000000000000 + i + 1) + init[8:]
    udp = struct.pack("!HHHH", 500, 500, 8 + len(message), 0) + message
    c = checksum(src + dst + struct.pack("!BBH", 0, 17, len(udp)) + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xFFFF, 0, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    src_mac = bytes([0x02, 0xEF, (i >> 16) & 0xFF, (i >> 8) & 0xFF, i & 0xFF, 0x01])
    return dst_mac + src_mac + b"\x08\x00" + ip + udp


frames = [frame(i, struct.pack("!I", base + i)) for i in range(unknown)]
frames += [frame(unknown + i, spoofed_src) for i in range(spoofed)]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
sent = 0
for f in frames:
    while True:
        try:
            s.send(f)
            sent += 1
            break
        except BlockingIOError:
            time.sleep(0.001)
print("sent", sent)
