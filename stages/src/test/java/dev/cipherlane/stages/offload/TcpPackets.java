package dev.cipherlane.stages.offload;

import java.util.Arrays;

/**
 * TCP/IPv4 and TCP/IPv6 packets built byte by byte for the offload tests, and a reference
 * Internet checksum written the plain way (16-bit words, fold by loop), independent of the
 * production {@code Checksum}.
 */
final class TcpPackets {
    private TcpPackets() {}

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    static final int ECE = 0x40;
    static final int CWR = 0x80;
    static final int DF = 0x4000;

    /** A TCP segment and its IP header; fields are set directly, {@link #bytes} builds it. */
    static final class Segment {
        boolean ip6;
        int source4 = addr(10, 1, 1, 1);
        int destination4 = addr(10, 2, 2, 2);
        byte[] source6 = ip6Address(0xfd00_0000_0000_0001L, 0x0000_0000_0000_0001L);
        byte[] destination6 = ip6Address(0xfd00_0000_0000_0002L, 0x0000_0000_0000_0002L);
        int id = 0x3000;
        int fragment = DF;
        int ttl = 64;
        int tos = 0;
        /** IPv4 options, a multiple of 4 bytes, or none. */
        byte[] ip4Options = new byte[0];
        /** IPv6 version, traffic class and flow label word. */
        int classFlow = 0x6000_0000 | 0x12345;
        int hopLimit = 64;
        /** An IPv6 Hop-by-Hop options header (next header set to TCP here), or null. */
        byte[] hopByHop;
        int sourcePort = 40000;
        int destinationPort = 5201;
        int sequence = 0x1000_0000;
        int ack = 0x2000_0000;
        int flags = ACK;
        int window = 501;
        byte[] options = new byte[0];
        byte[] payload = new byte[0];

        Segment copy() {
            Segment s = new Segment();
            s.ip6 = ip6;
            s.source4 = source4;
            s.destination4 = destination4;
            s.source6 = source6.clone();
            s.destination6 = destination6.clone();
            s.id = id;
            s.fragment = fragment;
            s.ttl = ttl;
            s.tos = tos;
            s.ip4Options = ip4Options.clone();
            s.classFlow = classFlow;
            s.hopLimit = hopLimit;
            s.hopByHop = hopByHop == null ? null : hopByHop.clone();
            s.sourcePort = sourcePort;
            s.destinationPort = destinationPort;
            s.sequence = sequence;
            s.ack = ack;
            s.flags = flags;
            s.window = window;
            s.options = options.clone();
            s.payload = payload.clone();
            return s;
        }

        int ipHeaderLength() {
            return ip6 ? 40 + (hopByHop == null ? 0 : hopByHop.length) : 20 + ip4Options.length;
        }

        int headersLength() {
            return ipHeaderLength() + 20 + options.length;
        }

        /** The packet with correct IPv4 header checksum and TCP checksum. */
        byte[] bytes() {
            int tcpLength = 20 + options.length + payload.length;
            int ipHeader = ipHeaderLength();
            byte[] p = new byte[ipHeader + tcpLength];
            if (ip6) {
                put32(p, 0, classFlow);
                put16(p, 4, p.length - 40);
                p[6] = (byte) (hopByHop == null ? 6 : 0);
                p[7] = (byte) hopLimit;
                System.arraycopy(source6, 0, p, 8, 16);
                System.arraycopy(destination6, 0, p, 24, 16);
                if (hopByHop != null) {
                    System.arraycopy(hopByHop, 0, p, 40, hopByHop.length);
                    p[40] = 6;
                }
            } else {
                p[0] = (byte) (0x40 | ipHeader / 4);
                p[1] = (byte) tos;
                put16(p, 2, p.length);
                put16(p, 4, id);
                put16(p, 6, fragment);
                p[8] = (byte) ttl;
                p[9] = 6;
                put32(p, 12, source4);
                put32(p, 16, destination4);
                System.arraycopy(ip4Options, 0, p, 20, ip4Options.length);
                put16(p, 10, checksum(p, 0, ipHeader));
            }
            int t = ipHeader;
            put16(p, t, sourcePort);
            put16(p, t + 2, destinationPort);
            put32(p, t + 4, sequence);
            put32(p, t + 8, ack);
            p[t + 12] = (byte) (((20 + options.length) / 4) << 4);
            p[t + 13] = (byte) flags;
            put16(p, t + 14, window);
            System.arraycopy(options, 0, p, t + 20, options.length);
            System.arraycopy(payload, 0, p, t + 20 + options.length, payload.length);
            put16(p, t + 16, tcpChecksum(p, t));
            return p;
        }
    }

    static int addr(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static byte[] ip6Address(long hi, long lo) {
        byte[] a = new byte[16];
        for (int i = 0; i < 8; i++) {
            a[i] = (byte) (hi >>> (56 - 8 * i));
            a[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return a;
    }

    /** TCP timestamp option (RFC 7323 section 3) padded with two NOPs, as Linux sends it. */
    static byte[] timestamps(int tsval, int tsecr) {
        byte[] o = new byte[12];
        o[0] = 1;
        o[1] = 1;
        o[2] = 8;
        o[3] = 10;
        put32(o, 4, tsval);
        put32(o, 8, tsecr);
        return o;
    }

    /** Payload bytes that differ from position to position (and from seed to seed). */
    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 7 + seed * 13 + (i >>> 8));
        }
        return b;
    }

    // ---- reference checksums ---------------------------------------------------------------

    /** One's complement sum of 16-bit big-endian words, folded, starting from {@code initial}. */
    static int onesSum(byte[] b, int off, int len, int initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    static int checksum(byte[] b, int off, int len) {
        return ~onesSum(b, off, len, 0) & 0xFFFF;
    }

    /** Folded pseudo-header sum of packet {@code p} for a TCP segment of {@code tcpLength}. */
    static int pseudoHeaderSum(byte[] p, int tcpLength) {
        byte[] pseudo;
        if ((p[0] & 0xFF) >>> 4 == 6) {
            pseudo = new byte[40];
            System.arraycopy(p, 8, pseudo, 0, 32);
            put32(pseudo, 32, tcpLength);
            pseudo[39] = 6;
        } else {
            pseudo = new byte[12];
            System.arraycopy(p, 12, pseudo, 0, 8);
            pseudo[9] = 6;
            put16(pseudo, 10, tcpLength);
        }
        return onesSum(pseudo, 0, pseudo.length, 0);
    }

    /** The TCP checksum the segment at {@code tcp} in {@code p} should carry (field taken as 0). */
    static int tcpChecksum(byte[] p, int tcp) {
        byte[] segment = Arrays.copyOfRange(p, tcp, p.length);
        put16(segment, 16, 0);
        int pseudo = pseudoHeaderSum(p, segment.length);
        return ~onesSum(segment, 0, segment.length, pseudo) & 0xFFFF;
    }

    /** Whether the IPv4 header checksum of {@code p} is right. */
    static boolean ip4HeaderChecksumOk(byte[] p) {
        byte[] h = Arrays.copyOf(p, (p[0] & 0xF) * 4);
        int stored = get16(h, 10);
        put16(h, 10, 0);
        return checksum(h, 0, h.length) == stored;
    }

    // ---- byte access ---------------------------------------------------------------------------

    static int get16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    static int get32(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
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
}
