package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;

/**
 * Test packets built byte by byte, independently of the production helpers, and the two
 * interfaces the Ethernet and ARP tests share.
 */
final class EthernetFrames {
    private EthernetFrames() {}

    /** Uplink-like: 02:00:00:00:00:01, 10.0.0.1/24, MTU 1500. */
    static final int IF0 = 0;
    static final long IF0_MAC = 0x0200_0000_0001L;
    /** Unnumbered pod tap: 02:00:00:00:00:02, no address, MTU 1400. */
    static final int IF1 = 1;
    static final long IF1_MAC = 0x0200_0000_0002L;

    static InterfaceTable interfaces() {
        InterfaceTable t = new InterfaceTable();
        t.put(new NetInterface(IF0, "uplink", IF0_MAC, 1500,
                List.of(new NetInterface.Ip4Address(ip(10, 0, 0, 1), 24)), List.of()));
        t.put(new NetInterface(IF1, "pod1", IF1_MAC, 1400, List.of(), List.of()));
        return t;
    }

    static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static byte[] ipBytes(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    static byte[] macBytes(int... octets) {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) octets[i];
        }
        return out;
    }

    static long macValue(byte[] mac) {
        long v = 0;
        for (byte b : mac) {
            v = v << 8 | (b & 0xFF);
        }
        return v;
    }

    static byte[] bytes(byte[]... parts) {
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

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] ethernet(byte[] dst, byte[] src, int etherType, byte[] payload) {
        return bytes(dst, src, u16(etherType), payload);
    }

    /** An Ethernet/IPv4 ARP packet (RFC 826), 28 bytes. */
    static byte[] arp(int op, byte[] senderMac, byte[] senderIp, byte[] targetMac, byte[] targetIp) {
        return bytes(u16(1), u16(0x0800), new byte[] {6, 4}, u16(op), senderMac, senderIp, targetMac, targetIp);
    }

    /** An IPv4 packet, TTL 64, no DF, valid header checksum, payload bytes 0, 1, 2, ... */
    static byte[] ip4(byte[] src, byte[] dst, int payloadBytes) {
        return ip4(src, dst, payloadBytes, 64, false);
    }

    static byte[] ip4(byte[] src, byte[] dst, int payloadBytes, int ttl, boolean dontFragment) {
        int total = 20 + payloadBytes;
        byte[] header = bytes(new byte[] {0x45, 0}, u16(total),
                new byte[] {0, 1, (byte) (dontFragment ? 0x40 : 0), 0, (byte) ttl, 17, 0, 0}, src, dst);
        int checksum = headerChecksum(header);
        header[10] = (byte) (checksum >>> 8);
        header[11] = (byte) checksum;
        byte[] payload = new byte[payloadBytes];
        for (int i = 0; i < payloadBytes; i++) {
            payload[i] = (byte) i;
        }
        return bytes(header, payload);
    }

    /** RFC 1071: one's complement of the one's complement sum of the 16-bit words. */
    static int headerChecksum(byte[] header) {
        int sum = 0;
        for (int i = 0; i < header.length; i += 2) {
            if (i != 10) {
                sum += (header[i] & 0xFF) << 8 | (header[i + 1] & 0xFF);
            }
        }
        while (sum > 0xFFFF) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return ~sum & 0xFFFF;
    }

    static final byte[] IF0_MAC_BYTES = macBytes(2, 0, 0, 0, 0, 1);
    static final byte[] IF1_MAC_BYTES = macBytes(2, 0, 0, 0, 0, 2);
    static final byte[] BROADCAST = macBytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    static final byte[] ZERO_MAC = new byte[6];
}
