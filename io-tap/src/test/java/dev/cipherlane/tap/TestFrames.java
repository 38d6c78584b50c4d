package dev.cipherlane.tap;

import dev.cipherlane.stages.wire.Ethernet;
import java.io.ByteArrayOutputStream;

/** Frames and virtio-net headers built byte by byte, independently of the code under test. */
final class TestFrames {
    private TestFrames() {}

    static final long POD_MAC = 0x02_00_00_00_00_01L;
    static final long NODE_MAC = 0x02_00_00_00_00_02L;

    /** {@code struct virtio_net_hdr_mrg_rxbuf}: little-endian 16-bit fields, num_buffers 0. */
    static byte[] vnet(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        byte[] h = new byte[12];
        h[0] = (byte) flags;
        h[1] = (byte) gsoType;
        le16(h, 2, hdrLen);
        le16(h, 4, gsoSize);
        le16(h, 6, csumStart);
        le16(h, 8, csumOffset);
        return h;
    }

    static byte[] plainVnet() {
        return vnet(0, 0, 0, 0, 0, 0);
    }

    static int le16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }

    static int be16(byte[] b, int off) {
        return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
    }

    private static void le16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    private static void be16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void be32(byte[] b, int off, int v) {
        be16(b, off, v >>> 16);
        be16(b, off + 2, v);
    }

    static byte[] ethernet(long dst, long src, int type, byte[] payload) {
        byte[] f = new byte[14 + payload.length];
        for (int i = 0; i < 6; i++) {
            f[i] = (byte) (dst >>> (40 - 8 * i));
            f[6 + i] = (byte) (src >>> (40 - 8 * i));
        }
        be16(f, 12, type);
        System.arraycopy(payload, 0, f, 14, payload.length);
        return f;
    }

    /** An IPv4 header (no options, DF clear, TTL 64) in front of {@code payload}. */
    static byte[] ip4(int src, int dst, int protocol, byte[] payload) {
        byte[] p = new byte[20 + payload.length];
        p[0] = 0x45;
        be16(p, 2, p.length);
        be16(p, 4, 0x1234);
        p[8] = 64;
        p[9] = (byte) protocol;
        be32(p, 12, src);
        be32(p, 16, dst);
        be16(p, 10, checksum(p, 0, 20));
        System.arraycopy(payload, 0, p, 20, payload.length);
        return p;
    }

    /** ICMP echo request (type 8) or reply (type 0) with its checksum. */
    static byte[] icmpEcho(int type, int id, int seq, byte[] data) {
        byte[] m = new byte[8 + data.length];
        m[0] = (byte) type;
        be16(m, 4, id);
        be16(m, 6, seq);
        System.arraycopy(data, 0, m, 8, data.length);
        be16(m, 2, checksum(m, 0, m.length));
        return m;
    }

    /**
     * A TCP segment with a 32-byte header (data offset 8: 12 bytes of NOP padding, like a
     * timestamp option) and {@code payload} zero-filled payload bytes; checksum left 0.
     */
    static byte[] tcp(int srcPort, int dstPort, int payload) {
        byte[] t = new byte[32 + payload];
        be16(t, 0, srcPort);
        be16(t, 2, dstPort);
        be32(t, 4, 1000);
        t[12] = (byte) (8 << 4);
        t[13] = 0x18;
        be16(t, 14, 65535);
        for (int i = 20; i < 32; i++) {
            t[i] = 1;
        }
        for (int i = 0; i < payload; i++) {
            t[32 + i] = (byte) i;
        }
        return t;
    }

    /** RFC 1071 Internet checksum, straightforward 16-bit one's complement sum. */
    static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xFF;
            int lo = i + 1 < len ? b[off + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** An Ethernet + IPv4 + ICMP echo request frame from the pod to the node, {@code size} bytes long. */
    static byte[] echoRequestFrame(int size) {
        byte[] data = new byte[size - 14 - 20 - 8];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        return ethernet(NODE_MAC, POD_MAC, Ethernet.ETHERTYPE_IP4,
                ip4(ip(10, 99, 0, 1), ip(10, 99, 0, 2), 1, icmpEcho(8, 0x4242, 1, data)));
    }

    /** A TCP/IPv4 frame of {@code payload} bytes of TCP payload (header lengths 14 + 20 + 32). */
    static byte[] tcpFrame(int payload) {
        return ethernet(NODE_MAC, POD_MAC, Ethernet.ETHERTYPE_IP4,
                ip4(ip(10, 99, 0, 1), ip(10, 99, 0, 2), 6, tcp(40000, 5201, payload)));
    }
}
