package dev.cipherlane.stages.builtin;

/**
 * Packets for the tunnel forwarding tests, built byte by byte, and a plain RFC 1071 checksum
 * (16-bit words, carries folded as they come), written apart from the dataplane's.
 */
final class TunnelPackets {
    private TunnelPackets() {}

    static final int DF = 0x4000;
    static final int TCP_HEADER = 20;

    /** IPv4 + TCP (ACK) with {@code payload} bytes of pattern, valid IP and TCP checksums. */
    static byte[] tcp4(int src, int dst, int srcPort, int dstPort, int ttl, int payload) {
        byte[] p = new byte[20 + TCP_HEADER + payload];
        p[0] = 0x45;
        put16(p, 2, p.length);
        put16(p, 4, 0x4321);
        put16(p, 6, DF);
        p[8] = (byte) ttl;
        p[9] = 6;
        put32(p, 12, src);
        put32(p, 16, dst);
        put16(p, 10, checksum(p, 0, 20, 0));
        tcpHeader(p, 20, srcPort, dstPort, payload);
        put16(p, 36, tcpChecksum(p));
        return p;
    }

    /** IPv6 + TCP (ACK) with {@code payload} bytes, hop limit {@code hopLimit}, valid TCP checksum. */
    static byte[] tcp6(long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort, int hopLimit,
            int payload) {
        byte[] p = new byte[40 + TCP_HEADER + payload];
        put32(p, 0, 0x6000_0000);
        put16(p, 4, TCP_HEADER + payload);
        p[6] = 6;
        p[7] = (byte) hopLimit;
        put32(p, 8, (int) (srcHi >>> 32));
        put32(p, 12, (int) srcHi);
        put32(p, 16, (int) (srcLo >>> 32));
        put32(p, 20, (int) srcLo);
        put32(p, 24, (int) (dstHi >>> 32));
        put32(p, 28, (int) dstHi);
        put32(p, 32, (int) (dstLo >>> 32));
        put32(p, 36, (int) dstLo);
        tcpHeader(p, 40, srcPort, dstPort, payload);
        put16(p, 56, tcpChecksum(p));
        return p;
    }

    private static void tcpHeader(byte[] p, int at, int srcPort, int dstPort, int payload) {
        put16(p, at, srcPort);
        put16(p, at + 2, dstPort);
        put32(p, at + 4, 0x1000_0000);
        put32(p, at + 8, 0x2000_0000);
        p[at + 12] = 0x50;
        p[at + 13] = 0x10;
        put16(p, at + 14, 501);
        for (int i = 0; i < payload; i++) {
            p[at + TCP_HEADER + i] = (byte) (i * 13 + 5);
        }
    }

    /** The TCP checksum of an IPv4 or IPv6 packet with one TCP header, the checksum field counted as is. */
    static int tcpChecksum(byte[] p) {
        boolean ip6 = (p[0] & 0xF0) == 0x60;
        int l4 = ip6 ? 40 : 20;
        int tcpLength = p.length - l4;
        int sum = 0;
        if (ip6) {
            sum = sumWords(p, 8, 32, sum);
        } else {
            sum = sumWords(p, 12, 8, sum);
        }
        sum = fold(sum + 6 + tcpLength);
        int withField = sumWords(p, l4, tcpLength, sum);
        return ~withField & 0xFFFF;
    }

    /** Whether the TCP checksum of {@code p} verifies (the whole sum is all ones). */
    static boolean tcpChecksumOk(byte[] p) {
        return tcpChecksum(p) == 0;
    }

    /** RFC 1071 over {@code length} bytes, starting the sum at {@code initial}. */
    static int checksum(byte[] p, int offset, int length, int initial) {
        return ~sumWords(p, offset, length, initial) & 0xFFFF;
    }

    private static int sumWords(byte[] p, int offset, int length, int initial) {
        int sum = initial;
        for (int i = 0; i < length; i += 2) {
            int hi = p[offset + i] & 0xFF;
            int lo = i + 1 < length ? p[offset + i + 1] & 0xFF : 0;
            sum = fold(sum + (hi << 8 | lo));
        }
        return sum;
    }

    private static int fold(int sum) {
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    /** The packet after one forwarding hop: TTL / hop limit less one, IPv4 header checksum redone. */
    static byte[] hopped(byte[] ip) {
        byte[] p = ip.clone();
        if ((p[0] & 0xF0) == 0x60) {
            p[7]--;
            return p;
        }
        p[8]--;
        put16(p, 10, 0);
        put16(p, 10, checksum(p, 0, 20, 0));
        return p;
    }

    /** RFC 2003 section 3.1 outer header: IHL 5, TOS, length, ID 0, DF, TTL, protocol, checksum, addresses. */
    static byte[] outer(int tos, int totalLength, int ttl, int protocol, int src, int dst) {
        byte[] h = new byte[20];
        h[0] = 0x45;
        h[1] = (byte) tos;
        put16(h, 2, totalLength);
        put16(h, 6, DF);
        h[8] = (byte) ttl;
        h[9] = (byte) protocol;
        put32(h, 12, src);
        put32(h, 16, dst);
        put16(h, 10, checksum(h, 0, 20, 0));
        return h;
    }

    static byte[] ethernet(long dst, long src, int etherType) {
        byte[] h = new byte[14];
        for (int i = 0; i < 6; i++) {
            h[i] = (byte) (dst >>> (40 - 8 * i));
            h[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        put16(h, 12, etherType);
        return h;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static int get16(byte[] p, int at) {
        return (p[at] & 0xFF) << 8 | (p[at + 1] & 0xFF);
    }

    static int get32(byte[] p, int at) {
        return get16(p, at) << 16 | get16(p, at + 2);
    }

    static void put16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    static void put32(byte[] p, int at, int v) {
        put16(p, at, v >>> 16);
        put16(p, at + 2, v);
    }
}
