package dev.cipherlane.cli.demo;

import dev.cipherlane.stages.wire.Ethernet;
import java.nio.ByteBuffer;

/**
 * Builds the demo's Ethernet frames byte by byte (setup only). Addresses come from the
 * documentation and private ranges and never leave the process.
 */
final class DemoPackets {
    private DemoPackets() {}

    /** An Ethernet frame carrying IPv4/UDP with {@code payload} bytes of UDP payload. */
    static byte[] udp4(long dstMac, long srcMac, int src, int dst, int sport, int dport, int ttl, int payload) {
        int ipLength = 20 + 8 + payload;
        ByteBuffer b = ByteBuffer.allocate(14 + ipLength);
        ethernet(b, dstMac, srcMac, Ethernet.ETHERTYPE_IP4);
        b.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) ttl).put((byte) 17).putShort((short) 0)
                .putInt(src).putInt(dst);
        b.putShort(24, (short) checksum(b.array(), 14, 20));
        b.position(34);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload)).putShort((short) 0);
        fill(b, payload);
        return b.array();
    }

    /** An Ethernet frame carrying IPv6/UDP; addresses as {hi, lo}. */
    static byte[] udp6(long dstMac, long srcMac, long[] src, long[] dst, int sport, int dport, int payload) {
        int udpLength = 8 + payload;
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + udpLength);
        ethernet(b, dstMac, srcMac, Ethernet.ETHERTYPE_IP6);
        b.putInt(0x60000000).putShort((short) udpLength).put((byte) 17).put((byte) 64)
                .putLong(src[0]).putLong(src[1]).putLong(dst[0]).putLong(dst[1]);
        b.putShort((short) sport).putShort((short) dport).putShort((short) udpLength).putShort((short) 0);
        fill(b, payload);
        // RFC 8200 §8.1: the UDP checksum is mandatory over IPv6, pseudo-header included.
        byte[] a = b.array();
        long sum = 0;
        for (int i = 22; i < 54; i += 2) {
            sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        }
        sum += udpLength + 17;
        for (int i = 54; i < a.length; i += 2) {
            sum += ((a[i] & 0xFF) << 8) | (i + 1 < a.length ? a[i + 1] & 0xFF : 0);
        }
        int c = fold(sum);
        b.putShort(60, (short) (c == 0 ? 0xFFFF : c));
        return a;
    }

    /** An ARP request (RFC 826) from {@code senderMac}/{@code sender} for {@code target}. */
    static byte[] arpRequest(long senderMac, int sender, int target) {
        ByteBuffer b = ByteBuffer.allocate(14 + 28);
        ethernet(b, 0xFFFFFFFFFFFFL, senderMac, Ethernet.ETHERTYPE_ARP);
        b.putShort((short) 1).putShort((short) Ethernet.ETHERTYPE_IP4).put((byte) 6).put((byte) 4).putShort((short) 1);
        mac(b, senderMac);
        b.putInt(sender);
        mac(b, 0);
        b.putInt(target);
        return b.array();
    }

    private static void ethernet(ByteBuffer b, long dst, long src, int type) {
        mac(b, dst);
        mac(b, src);
        b.putShort((short) type);
    }

    private static void mac(ByteBuffer b, long mac) {
        for (int i = 5; i >= 0; i--) {
            b.put((byte) (mac >>> (8 * i)));
        }
    }

    private static void fill(ByteBuffer b, int n) {
        for (int i = 0; i < n; i++) {
            b.put((byte) i);
        }
    }

    static int checksum(byte[] a, int off, int len) {
        long sum = 0;
        for (int i = off; i < off + len; i += 2) {
            sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        }
        return fold(sum);
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }
}
