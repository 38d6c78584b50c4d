package dev.cipherlane.linux;

import dev.cipherlane.net.MacAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Hand-built Ethernet/IP/UDP frames and field readers for the tap traffic test. Offsets are
 * those of an untagged Ethernet frame: IPv4 header at 14 (20 bytes, no options), IPv6 at 14
 * (40 bytes, no extension headers), so UDP sits at 34 or 54.
 */
final class Packets {
    private Packets() {}

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int PROTO_UDP = 17;
    static final int ETH = 14;

    /** An Ethernet frame carrying a UDP datagram over IPv4 or IPv6 (as the addresses are). */
    static byte[] udp(MacAddress dst, MacAddress src, InetAddress from, int fromPort, InetAddress to, int toPort,
                      byte[] payload) {
        boolean v4 = from instanceof Inet4Address;
        int ipLength = v4 ? 20 : 40;
        int udpLength = 8 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(ETH + ipLength + udpLength);
        b.put(dst.octets()).put(src.octets()).putShort((short) (v4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6));
        if (v4) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + udpLength)) // version/IHL, DSCP, total length
                    .putShort((short) 0x1234).putShort((short) 0x4000)           // id, don't fragment
                    .put((byte) 64).put((byte) PROTO_UDP).putShort((short) 0)    // TTL, protocol, checksum
                    .put(from.getAddress()).put(to.getAddress());
            b.putShort(ETH + 10, (short) checksum(b.array(), ETH, 20, 0));
        } else {
            b.putInt(0x6000_0000).putShort((short) udpLength).put((byte) PROTO_UDP).put((byte) 64)
                    .put(from.getAddress()).put(to.getAddress());
        }
        b.putShort((short) fromPort).putShort((short) toPort).putShort((short) udpLength).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    /**
     * RFC 1071 Internet checksum of {@code data[offset, offset+length)} starting from the
     * partial sum {@code initial}, complemented.
     */
    static int checksum(byte[] data, int offset, int length, long initial) {
        return ~fold(sum(data, offset, length, initial)) & 0xffff;
    }

    /** The uncomplemented sum of the IPv6 pseudo-header (RFC 8200 8.1) of a UDP datagram. */
    static int ipv6PseudoHeaderSum(InetAddress src, InetAddress dst, int udpLength) {
        long s = sum(src.getAddress(), 0, 16, 0);
        s = sum(dst.getAddress(), 0, 16, s);
        return fold(s + udpLength + PROTO_UDP);
    }

    private static long sum(byte[] data, int offset, int length, long initial) {
        long s = initial;
        for (int i = 0; i + 1 < length; i += 2) {
            s += (data[offset + i] & 0xff) << 8 | data[offset + i + 1] & 0xff;
        }
        if ((length & 1) != 0) {
            s += (data[offset + length - 1] & 0xff) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while (s >>> 16 != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | f[at + 1] & 0xff;
    }

    static MacAddress mac(byte[] f, int at) {
        byte[] b = new byte[6];
        System.arraycopy(f, at, b, 0, 6);
        return MacAddress.of(b);
    }

    static InetAddress address(byte[] f, int at, int length) {
        byte[] b = new byte[length];
        System.arraycopy(f, at, b, 0, length);
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Offset of the UDP header if {@code frame} is UDP over IPv4/IPv6 to {@code port}, else -1. */
    static int udpTo(byte[] frame, int port) {
        if (frame.length < ETH + 20 + 8) {
            return -1;
        }
        int type = u16(frame, 12);
        int udp;
        if (type == ETHERTYPE_IPV4 && frame[ETH + 9] == PROTO_UDP) {
            udp = ETH + 20;
        } else if (type == ETHERTYPE_IPV6 && frame[ETH + 6] == PROTO_UDP) {
            udp = ETH + 40;
        } else {
            return -1;
        }
        return frame.length >= udp + 8 && u16(frame, udp + 2) == port ? udp : -1;
    }
}
