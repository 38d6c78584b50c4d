#!/usr/bin/python3
"""ESP AES-GCM-256 with scapy, for the interoperability tests of esp-encrypt and esp-decrypt.

Usage: esp_interop.py encrypt|decrypt --spi SPI --keymat HEX [--udp SPORT,DPORT] [--esn]

  --keymat  36 bytes in hex: the AES-256 key then the 4-byte salt (RFC 4106 section 8.1)
  --udp     UDP encapsulation (RFC 3948) with these ports
  --esn     64-bit extended sequence numbers (RFC 4303 section 2.2.1)

Reads one packet per line on stdin, "SEQ HEX", SEQ the full (64-bit) sequence number in
decimal and HEX an IPv4 packet; writes one line per packet on stdout, a hex packet or
"ERROR <reason>".

  encrypt: HEX is an IPIP packet (outer IPv4 header, protocol 4 or 41, then the inner
           packet); the answer is that packet with ESP in transport mode over the outer
           header, as Cipherlane protects its tunnels, with the sequence number SEQ and a
           random IV.
  decrypt: HEX is an ESP packet (protocol 50, or UDP); the answer is the IPIP packet,
           outer header with protocol = ESP next header, then the inner packet. With ESN
           the high half of SEQ is the one the AAD needs.
"""
import argparse
import binascii
import struct
import sys

from scapy.layers.inet import IP, UDP
from scapy.layers.ipsec import ESP, SecurityAssociation


def association(args):
    keymat = binascii.unhexlify(args.keymat)
    if len(keymat) != 36:
        raise SystemExit("keymat must be 36 bytes (32-byte key, 4-byte salt)")
    nat_t = None
    if args.udp:
        sport, dport = (int(p) for p in args.udp.split(","))
        nat_t = UDP(sport=sport, dport=dport)
    return SecurityAssociation(ESP, spi=int(args.spi, 0), crypt_algo="AES-GCM",
                               crypt_key=keymat, auth_algo="NULL", tunnel_header=None,
                               nat_t_header=nat_t, esn_en=args.esn)


def fix_udp_length(raw):
    """scapy 2.5 leaves the NAT-T UDP length at 8 (it is computed before ESP is appended)."""
    ihl = (raw[0] & 0x0F) * 4
    if raw[9] != 17:
        return raw
    return raw[:ihl + 4] + struct.pack("!H", len(raw) - ihl) + raw[ihl + 6:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["encrypt", "decrypt"])
    parser.add_argument("--spi", required=True)
    parser.add_argument("--keymat", required=True)
    parser.add_argument("--udp")
    parser.add_argument("--esn", action="store_true")
    args = parser.parse_args()
    sa = association(args)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            seq_text, hex_packet = line.split()
            seq = int(seq_text)
            high, low = seq >> 32, seq & 0xFFFFFFFF
            packet = IP(binascii.unhexlify(hex_packet))
            if args.mode == "encrypt":
                # Through the SA's counter: scapy takes seq_num=0 for "none given".
                sa.seq_num = low
                out = bytes(sa.encrypt(packet, esn_en=args.esn, esn=high))
                if args.udp:
                    out = fix_udp_length(out)
            else:
                out = bytes(sa.decrypt(packet, esn_en=args.esn, esn=high))
            print(binascii.hexlify(out).decode())
        except Exception as e:  # one line per packet, whatever happened to it
            print("ERROR %s: %s" % (type(e).__name__, e))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
