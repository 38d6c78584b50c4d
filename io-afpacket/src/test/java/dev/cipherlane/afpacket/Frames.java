package dev.cipherlane.afpacket;

/** Ethernet/IPv4/UDP frames built byte by byte for the ring tests. */
final class Frames {
    private Frames() {}

    static final long SRC_MAC = 0x02_00_00_00_00_0aL;
    static final long DST_MAC = 0x02_00_00_00_00_0bL;

    /**
     * An Ethernet II frame carrying IPv4 (RFC 791) and UDP (RFC 768) from 10.77.0.1 to
     * 10.77.0.2 with the given ports; the payload is {@code payloadLength} bytes, the
     * first four holding {@code sequence} big-endian, the rest a pattern of it.
     */
    static byte[] udp(int srcPort, int dstPort, int sequence, int payloadLength) {
        int udpLength = 8 + payloadLength;
        int ipLength = 20 + udpLength;
        byte[] f = new byte[14 + ipLength];
        mac(f, 0, DST_MAC);
        mac(f, 6, SRC_MAC);
        f[12] = 0x08;
        f[13] = 0x00;
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, ipLength);
        put16(f, ip + 4, sequence & 0xffff);
        f[ip + 8] = 64;
        f[ip + 9] = 17;
        byte[] src = {10, 77, 0, 1};
        byte[] dst = {10, 77, 0, 2};
        System.arraycopy(src, 0, f, ip + 12, 4);
        System.arraycopy(dst, 0, f, ip + 16, 4);
        put16(f, ip + 10, ipv4Checksum(f, ip));
        int udp = ip + 20;
        put16(f, udp, srcPort);
        put16(f, udp + 2, dstPort);
        put16(f, udp + 4, udpLength);
        // UDP checksum 0: none (RFC 768), the frames are compared byte for byte anyway.
        int payload = udp + 8;
        for (int i = 0; i < payloadLength; i++) {
            f[payload + i] = (byte) (sequence * 7 + i);
        }
        if (payloadLength >= 4) {
            put16(f, payload, sequence >>> 16);
            put16(f, payload + 2, sequence & 0xffff);
        }
        return f;
    }

    /** {@code frame} with an 802.1Q tag (TPID 0x8100, TCI {@code tci}) after the MAC addresses. */
    static byte[] tagged(byte[] frame, int tci) {
        byte[] t = new byte[frame.length + 4];
        System.arraycopy(frame, 0, t, 0, 12);
        t[12] = (byte) 0x81;
        t[13] = 0x00;
        put16(t, 14, tci);
        System.arraycopy(frame, 12, t, 16, frame.length - 12);
        return t;
    }

    /** Whether {@code frame} comes from {@link #SRC_MAC}: one of ours, not something a kernel sent. */
    static boolean ours(byte[] frame) {
        if (frame.length < 12) {
            return false;
        }
        long src = 0;
        for (int i = 6; i < 12; i++) {
            src = src << 8 | (frame[i] & 0xff);
        }
        return src == SRC_MAC;
    }

    /** RFC 1071: ones' complement of the ones' complement sum of the 16-bit words of the header. */
    static int ipv4Checksum(byte[] f, int at) {
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            if (i == 10) {
                continue;
            }
            sum += ((f[at + i] & 0xff) << 8) | (f[at + i + 1] & 0xff);
        }
        while (sum >>> 16 != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    private static void mac(byte[] f, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            f[at + i] = (byte) (mac >>> (8 * (5 - i)));
        }
    }

    private static void put16(byte[] f, int at, int v) {
        f[at] = (byte) (v >>> 8);
        f[at + 1] = (byte) v;
    }
}
