package dev.cipherlane.stages.builtin;

/**
 * IPv4 packets built byte by byte for the tests, and a reference Internet checksum written
 * the plain way (16-bit words, byte by byte) to check the stages against.
 */
final class Ip4TestPackets {
    private Ip4TestPackets() {}

    static final int DF = 0x4000;

    static int addr(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** RFC 1071 checksum of {@code b[off, off+len)}, computed the obvious way. */
    static int referenceChecksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** An IPv4 packet with a 20-byte header, correct checksum and {@code payload}. */
    static byte[] ip4(int src, int dst, int protocol, int ttl, int flags, byte[] payload) {
        byte[] p = new byte[20 + payload.length];
        p[0] = 0x45;
        p[1] = 0;
        put16(p, 2, p.length);
        put16(p, 4, 0x1234);
        put16(p, 6, flags);
        p[8] = (byte) ttl;
        p[9] = (byte) protocol;
        put32(p, 12, src);
        put32(p, 16, dst);
        put16(p, 10, referenceChecksum(p, 0, 20));
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    /** UDP datagram of {@code payloadLength} patterned bytes (UDP checksum left 0, legal in IPv4). */
    static byte[] udp4(int src, int dst, int srcPort, int dstPort, int ttl, int flags, int payloadLength) {
        byte[] udp = new byte[8 + payloadLength];
        put16(udp, 0, srcPort);
        put16(udp, 2, dstPort);
        put16(udp, 4, udp.length);
        for (int i = 8; i < udp.length; i++) {
            udp[i] = (byte) (i * 7 + 3);
        }
        return ip4(src, dst, 17, ttl, flags, udp);
    }

    static byte[] udp4(int src, int dst, int ttl) {
        return udp4(src, dst, 40000, 53, ttl, DF, 32);
    }

    /** An ICMP message of {@code type}/{@code code} with 4 zero bytes and 8 payload bytes. */
    static byte[] icmp4(int src, int dst, int type, int code, int ttl) {
        byte[] icmp = new byte[16];
        icmp[0] = (byte) type;
        icmp[1] = (byte) code;
        for (int i = 8; i < icmp.length; i++) {
            icmp[i] = (byte) i;
        }
        put16(icmp, 2, referenceChecksum(icmp, 0, icmp.length));
        return ip4(src, dst, 1, ttl, 0, icmp);
    }

    /** Recomputes the header checksum of a packet in place (after a test edits a field). */
    static byte[] fixChecksum(byte[] p) {
        int ihl = (p[0] & 0xF) * 4;
        put16(p, 10, 0);
        put16(p, 10, referenceChecksum(p, 0, ihl));
        return p;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int get16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static int get32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
