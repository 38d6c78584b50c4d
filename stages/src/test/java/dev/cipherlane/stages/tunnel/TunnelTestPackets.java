package dev.cipherlane.stages.tunnel;

/**
 * Packets built byte by byte for the tunnel tests, and a plain 16-bit-word Internet checksum
 * (RFC 1071) written independently of the dataplane's 32-bit-word one.
 */
final class TunnelTestPackets {
    private TunnelTestPackets() {}

    static final int DF = 0x4000;

    static int addr(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** An IPv4 UDP packet of {@code totalLength} bytes with a valid header checksum. */
    static byte[] udp4(int src, int dst, int srcPort, int dstPort, int tos, int flags, int totalLength) {
        byte[] p = new byte[totalLength];
        p[0] = 0x45;
        p[1] = (byte) tos;
        put16(p, 2, totalLength);
        put16(p, 4, 0x1234);
        put16(p, 6, flags);
        p[8] = 61;
        p[9] = 17;
        put32(p, 12, src);
        put32(p, 16, dst);
        put16(p, 10, checksum(p, 0, 20));
        put16(p, 20, srcPort);
        put16(p, 22, dstPort);
        put16(p, 24, totalLength - 20);
        for (int i = 28; i < totalLength; i++) {
            p[i] = (byte) (i * 7);
        }
        return p;
    }

    /** An IPv6 UDP packet of {@code totalLength} bytes with traffic class {@code trafficClass}. */
    static byte[] udp6(long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort, int trafficClass,
            int totalLength) {
        byte[] p = new byte[totalLength];
        int first = 6 << 28 | (trafficClass & 0xFF) << 20 | 0x12345;
        put32(p, 0, first);
        put16(p, 4, totalLength - 40);
        p[6] = 17;
        p[7] = 64;
        put64(p, 8, srcHi);
        put64(p, 16, srcLo);
        put64(p, 24, dstHi);
        put64(p, 32, dstLo);
        put16(p, 40, srcPort);
        put16(p, 42, dstPort);
        put16(p, 44, totalLength - 40);
        for (int i = 48; i < totalLength; i++) {
            p[i] = (byte) (i * 3);
        }
        return p;
    }

    /**
     * The outer header RFC 2003 section 3.1 describes, spelled out field by field: version 4,
     * IHL 5, the given TOS, total length, ID 0, DF, TTL 64, protocol, checksum, addresses.
     */
    static byte[] outerHeader(int tos, int totalLength, int protocol, int src, int dst) {
        byte[] h = new byte[20];
        h[0] = 0x45;
        h[1] = (byte) tos;
        put16(h, 2, totalLength);
        put16(h, 4, 0);
        put16(h, 6, DF);
        h[8] = 64;
        h[9] = (byte) protocol;
        put32(h, 12, src);
        put32(h, 16, dst);
        put16(h, 10, checksum(h, 0, 20));
        return h;
    }

    /** An inner packet as it enters the tunnel: one hop taken (TTL or hop limit less one, IPv4 checksum redone). */
    static byte[] hopped(byte[] inner) {
        byte[] p = inner.clone();
        if ((p[0] & 0xF0) == 0x60) {
            p[7]--;
            return p;
        }
        p[8]--;
        put16(p, 10, 0);
        put16(p, 10, checksum(p, 0, (p[0] & 0x0F) * 4));
        return p;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** RFC 1071: one's complement of the one's complement sum of 16-bit words (field zeroed by caller). */
    static int checksum(byte[] p, int offset, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = p[offset + i] & 0xFF;
            int lo = i + 1 < length ? p[offset + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
            while (sum > 0xFFFF) {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
        }
        return ~sum & 0xFFFF;
    }

    /** Whether the 20-byte IPv4 header at {@code offset}, checksum field included, sums to all ones. */
    static boolean headerChecksumValid(byte[] p, int offset) {
        return checksum(p, offset, 20) == 0;
    }

    static int get16(byte[] p, int at) {
        return (p[at] & 0xFF) << 8 | (p[at + 1] & 0xFF);
    }

    static void put16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    static void put32(byte[] p, int at, int v) {
        put16(p, at, v >>> 16);
        put16(p, at + 2, v);
    }

    static void put64(byte[] p, int at, long v) {
        put32(p, at, (int) (v >>> 32));
        put32(p, at + 4, (int) v);
    }

    static int get32(byte[] p, int at) {
        return get16(p, at) << 16 | get16(p, at + 2);
    }
}
