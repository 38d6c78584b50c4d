package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;

import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;

/**
 * Neighbour discovery packets built byte by byte for the tests, independently of the
 * production writers, with the ICMPv6 checksum computed by the plain reference
 * implementation over a pseudo-header written out as bytes; and the interfaces the
 * neighbour discovery tests share.
 *
 * <pre>
 * if0 uplink  02:00:00:00:00:01  fe80::1/64 2001:db8:1::1/64  MTU 1500
 * if1 pod     02:00:00:00:00:02  fe80::1/64                   MTU 1400
 * if2 bare    02:00:00:00:00:03  no addresses                 MTU 1500
 * </pre>
 */
final class NeighbourDiscoveryTestPackets {
    private NeighbourDiscoveryTestPackets() {}

    static final int IF0 = 0;
    static final int IF1 = 1;
    static final int IF2 = 2;
    static final byte[] IF0_MAC = {2, 0, 0, 0, 0, 1};
    static final byte[] IF1_MAC = {2, 0, 0, 0, 0, 2};
    static final byte[] IF2_MAC = {2, 0, 0, 0, 0, 3};

    static final byte[] OUR_LINK_LOCAL = addr("fe80::1");
    static final byte[] OUR_GLOBAL = addr("2001:db8:1::1");
    static final byte[] HOST_MAC = {0x52, 0x54, 0, (byte) 0xaa, (byte) 0xbb, 0x02};
    static final byte[] HOST_LINK_LOCAL = addr("fe80::5054:ff:feaa:bb02");
    static final byte[] HOST_GLOBAL = addr("2001:db8:1::2");
    static final byte[] UNSPECIFIED = new byte[16];
    static final byte[] ALL_NODES = addr("ff02::1");

    static final int NS = 135;
    static final int NA = 136;
    static final int R = 0x80;
    static final int S = 0x40;
    static final int O = 0x20;

    static InterfaceTable interfaces() {
        InterfaceTable t = new InterfaceTable();
        t.put(new NetInterface(IF0, "uplink", mac(IF0_MAC), 1500, List.of(),
                List.of(ip6("fe80::1", 64), ip6("2001:db8:1::1", 64))));
        t.put(new NetInterface(IF1, "pod", mac(IF1_MAC), 1400, List.of(), List.of(ip6("fe80::1", 64))));
        t.put(new NetInterface(IF2, "bare", mac(IF2_MAC), 1500, List.of(), List.of()));
        return t;
    }

    static NetInterface.Ip6Address ip6(String text, int length) {
        byte[] a = addr(text);
        return new NetInterface.Ip6Address(hi(a), lo(a), length);
    }

    static byte[] addr(String text) {
        return Ip6TestPackets.addr(text);
    }

    static long hi(byte[] a) {
        return Ip6TestPackets.hi(a);
    }

    static long lo(byte[] a) {
        return Ip6TestPackets.lo(a);
    }

    static long mac(byte[] m) {
        return EthernetFrames.macValue(m);
    }

    /** ff02::1:ff followed by the last three bytes of {@code a} (RFC 4291 section 2.7.1). */
    static byte[] solicitedNode(byte[] a) {
        byte[] g = addr("ff02::1:ff00:0");
        g[13] = a[13];
        g[14] = a[14];
        g[15] = a[15];
        return g;
    }

    /** 33:33 and the last four bytes of the group (RFC 2464 section 7). */
    static byte[] multicastMac(byte[] group) {
        return new byte[] {0x33, 0x33, group[12], group[13], group[14], group[15]};
    }

    static byte[] ethernet(byte[] dst, byte[] src, byte[] ip6) {
        return EthernetFrames.ethernet(dst, src, 0x86DD, ip6);
    }

    /** A 40-byte IPv6 header, traffic class and flow label zero. */
    static byte[] ip6Header(byte[] src, byte[] dst, int payloadLength, int nextHeader, int hopLimit) {
        byte[] h = new byte[40];
        h[0] = 0x60;
        h[4] = (byte) (payloadLength >>> 8);
        h[5] = (byte) payloadLength;
        h[6] = (byte) nextHeader;
        h[7] = (byte) hopLimit;
        System.arraycopy(src, 0, h, 8, 16);
        System.arraycopy(dst, 0, h, 24, 16);
        return h;
    }

    /** A link-layer address option (RFC 4861 section 4.6.1): type, length 1, MAC. */
    static byte[] option(int type, byte[] mac) {
        return bytes(new byte[] {(byte) type, 1}, mac);
    }

    /** A solicitation or advertisement body: type, code, checksum 0, flags byte, 3 zero bytes, target, options. */
    static byte[] message(int type, int code, int flags, byte[] target, byte[]... options) {
        return bytes(new byte[] {(byte) type, (byte) code, 0, 0, (byte) flags, 0, 0, 0}, target, bytes(options));
    }

    /** An IPv6 packet carrying {@code icmp} right after its header, checksum filled in. */
    static byte[] icmp6(byte[] src, byte[] dst, int hopLimit, byte[] icmp) {
        byte[] body = icmp.clone();
        int c = checksum(src, dst, body);
        body[2] = (byte) (c >>> 8);
        body[3] = (byte) c;
        return bytes(ip6Header(src, dst, body.length, 58, hopLimit), body);
    }

    static byte[] ns(byte[] src, byte[] dst, byte[] target, byte[] sourceMac) {
        return icmp6(src, dst, 255, sourceMac == null ? message(NS, 0, 0, target)
                : message(NS, 0, 0, target, option(1, sourceMac)));
    }

    static byte[] na(byte[] src, byte[] dst, int flags, byte[] target, byte[] targetMac) {
        return icmp6(src, dst, 255, targetMac == null ? message(NA, 0, flags, target)
                : message(NA, 0, flags, target, option(2, targetMac)));
    }

    /**
     * The ICMPv6 checksum (RFC 8200 section 8.1): the reference RFC 1071 sum over source,
     * destination, 32-bit length, three zero bytes and next header 58, then the message
     * with its checksum field taken as zero.
     */
    static int checksum(byte[] src, byte[] dst, byte[] icmp) {
        byte[] zeroed = icmp.clone();
        zeroed[2] = 0;
        zeroed[3] = 0;
        int n = icmp.length;
        byte[] pseudo = bytes(src, dst, new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n,
                0, 0, 0, 58}, zeroed);
        return Ip4TestPackets.referenceChecksum(pseudo, 0, pseudo.length);
    }

    /** The advertisement we expect from interface {@code ourMac}, byte for byte, Ethernet header included. */
    static byte[] expectedAdvertisement(byte[] dstMac, byte[] ourMac, byte[] target, byte[] dst, int flags) {
        return ethernet(dstMac, ourMac, icmp6(target, dst, 255, message(NA, 0, flags, target, option(2, ourMac))));
    }
}
