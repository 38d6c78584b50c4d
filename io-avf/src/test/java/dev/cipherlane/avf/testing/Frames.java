package dev.cipherlane.avf.testing;

import dev.cipherlane.net.MacAddress;

/** Ethernet frames for tests: IPv4/UDP with a payload that says where it came from. */
public final class Frames {
    private Frames() {}

    public static final MacAddress PEER = MacAddress.parse("02:00:00:00:00:99");

    /** An IPv4/UDP frame of exactly {@code length} bytes (at least 42), payload bytes from {@code seed}. */
    public static byte[] udp4(MacAddress dst, int srcIp, int dstIp, int srcPort, int dstPort, int length, int seed) {
        if (length < 42) {
            throw new IllegalArgumentException("a UDP/IPv4 frame has at least 42 bytes");
        }
        byte[] f = new byte[length];
        put48(f, 0, dst.value());
        put48(f, 6, PEER.value());
        put16(f, 12, 0x0800);
        int ipLength = Math.min(length - 14, 0xFFFF);
        f[14] = 0x45;
        put16(f, 16, ipLength);
        put16(f, 20, 0x4000); // DF
        f[22] = 64;
        f[23] = 17;
        put32(f, 26, srcIp);
        put32(f, 30, dstIp);
        put16(f, 34, srcPort);
        put16(f, 36, dstPort);
        put16(f, 38, ipLength - 20);
        for (int i = 42; i < length; i++) {
            f[i] = (byte) (seed * 31 + i * 7);
        }
        return f;
    }

    /** A frame to the VF's address from flow number {@code flow}. */
    public static byte[] flow(MacAddress dst, int flow, int length) {
        return udp4(dst, 0x0A00_0001 + (flow >>> 16), 0x0A01_0001, 1024 + (flow & 0xFFFF), 4789, length, flow);
    }

    public static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    private static void put48(byte[] f, int at, long v) {
        for (int i = 0; i < 6; i++) {
            f[at + i] = (byte) (v >>> (40 - 8 * i));
        }
    }

    private static void put32(byte[] f, int at, int v) {
        put16(f, at, v >>> 16);
        put16(f, at + 2, v);
    }

    private static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }
}
