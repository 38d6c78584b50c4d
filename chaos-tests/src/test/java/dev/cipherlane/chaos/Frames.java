package dev.cipherlane.chaos;

import java.nio.ByteBuffer;

/**
 * Frames for the wire instruments' own tests, built byte by byte as RFC 791 (IPv4), RFC 8200
 * (IPv6), RFC 768 (UDP) and RFC 4303 (ESP) lay them out. Checksums are left 0: nothing here
 * checks them.
 */
final class Frames {
    static final byte[] N1 = {10, (byte) 200, 0, 1};
    static final byte[] N2 = {10, (byte) 200, 0, 2};
    static final byte[] POD_A = {10, 1, 1, 11};
    static final byte[] POD_B = {10, 1, 2, 11};

    private Frames() {}

    static byte[] ethernet(int ethertype, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) ethertype).put(payload);
        return b.array();
    }

    static byte[] ip4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 1)
                .putShort((short) 0).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(src).put(dst).put(payload);
        return b.array();
    }

    /** An Ethernet frame holding an IPv4 packet. */
    static byte[] frame4(byte[] src, byte[] dst, int protocol, byte[] payload) {
        return ethernet(0x0800, ip4(src, dst, protocol, payload));
    }

    static byte[] udp(int sport, int dport, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putShort((short) sport).putShort((short) dport)
                .putShort((short) (8 + payload.length)).putShort((short) 0).put(payload).array();
    }

    /** TCP header (20 bytes, no options) and payload. */
    static byte[] tcp(int sport, int dport, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x18)
                .putShort((short) 65535).putInt(0).put(payload);
        return b.array();
    }

    /** SPI, sequence number and what follows them (IV, ciphertext, ICV). */
    static byte[] esp(int spi, int sequence, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).putInt(spi).putInt(sequence).put(rest).array();
    }

    /** An IPv6 packet with next header {@code next}, addresses as two halves each. */
    static byte[] ip6(long srcHi, long srcLo, long dstHi, long dstLo, int next, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000).putShort((short) payload.length).put((byte) next).put((byte) 255);
        b.putLong(srcHi).putLong(srcLo).putLong(dstHi).putLong(dstLo).put(payload);
        return b.array();
    }

    static byte[] arp() {
        return ethernet(0x0806, new byte[28]);
    }
}
