package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip4TestPackets.put16;

import dev.cipherlane.stages.fib.Ip6Prefix;
import dev.cipherlane.stages.fib.Prefixes;

/** IPv6 packets built byte by byte for the tests, and a reference ICMPv6/UDP checksum. */
final class Ip6TestPackets {
    private Ip6TestPackets() {}

    /** An address as 16 bytes. */
    static byte[] addr(String text) {
        Ip6Prefix p = Prefixes.parse6(text);
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (p.hi() >>> (56 - 8 * i));
            b[8 + i] = (byte) (p.lo() >>> (56 - 8 * i));
        }
        return b;
    }

    static long hi(byte[] a) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (a[i] & 0xFF);
        }
        return v;
    }

    static long lo(byte[] a) {
        long v = 0;
        for (int i = 8; i < 16; i++) {
            v = v << 8 | (a[i] & 0xFF);
        }
        return v;
    }

    static byte[] ip6(byte[] src, byte[] dst, int nextHeader, int hopLimit, byte[] payload) {
        byte[] p = new byte[40 + payload.length];
        p[0] = 0x60;
        p[1] = 0x01; // traffic class 0, flow label 0x12345: something non-zero to quote
        p[2] = 0x23;
        p[3] = 0x45;
        put16(p, 4, payload.length);
        p[6] = (byte) nextHeader;
        p[7] = (byte) hopLimit;
        System.arraycopy(src, 0, p, 8, 16);
        System.arraycopy(dst, 0, p, 24, 16);
        System.arraycopy(payload, 0, p, 40, payload.length);
        return p;
    }

    static byte[] udp6(byte[] src, byte[] dst, int srcPort, int dstPort, int hopLimit, int payloadLength) {
        byte[] udp = new byte[8 + payloadLength];
        put16(udp, 0, srcPort);
        put16(udp, 2, dstPort);
        put16(udp, 4, udp.length);
        for (int i = 8; i < udp.length; i++) {
            udp[i] = (byte) (i * 5 + 1);
        }
        byte[] p = ip6(src, dst, 17, hopLimit, udp);
        put16(p, 46, upperLayerChecksum(p));
        return p;
    }

    static byte[] udp6(String src, String dst, int hopLimit) {
        return udp6(addr(src), addr(dst), 40000, 53, hopLimit, 32);
    }

    /** An ICMPv6 message of {@code type} with 4 zero bytes and 8 payload bytes, checksum right. */
    static byte[] icmp6(byte[] src, byte[] dst, int type, int hopLimit) {
        byte[] icmp = new byte[16];
        icmp[0] = (byte) type;
        for (int i = 8; i < icmp.length; i++) {
            icmp[i] = (byte) i;
        }
        byte[] p = ip6(src, dst, 58, hopLimit, icmp);
        put16(p, 42, upperLayerChecksum(p));
        return p;
    }

    /**
     * Checksum of the upper-layer message right after a 40-byte IPv6 header, whose checksum
     * field must be zero: a pseudo-header (RFC 8200 section 8.1) is built as bytes and summed
     * with the message by the plain reference implementation.
     */
    static int upperLayerChecksum(byte[] packet) {
        int upper = packet.length - 40;
        byte[] pseudo = new byte[40 + upper];
        System.arraycopy(packet, 8, pseudo, 0, 32);
        pseudo[32] = (byte) (upper >>> 24);
        pseudo[33] = (byte) (upper >>> 16);
        pseudo[34] = (byte) (upper >>> 8);
        pseudo[35] = (byte) upper;
        pseudo[39] = packet[6];
        System.arraycopy(packet, 40, pseudo, 40, upper);
        return Ip4TestPackets.referenceChecksum(pseudo, 0, pseudo.length);
    }
}
