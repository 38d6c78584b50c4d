package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadKey;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Packets for ESP tests, built from the RFCs independently of the stages: IPv4 and IPv6 inner
 * packets, IPIP packets, and ESP packets sealed straight with an engine so tests can make any
 * sequence number, IV or trailer, good or bad.
 */
public final class EspPackets {
    private EspPackets() {}

    public static final int TUNNEL_A = addr(192, 168, 50, 1);
    public static final int TUNNEL_B = addr(192, 168, 50, 2);

    public static int addr(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    /** A 20-byte IPv4 header with a correct checksum (RFC 791 section 3.1). */
    public static byte[] ip4Header(int tos, int totalLength, int id, int flagsFragment, int ttl, int protocol,
            int src, int dst) {
        ByteBuffer b = ByteBuffer.allocate(20);
        b.put((byte) 0x45).put((byte) tos).putShort((short) totalLength).putShort((short) id)
                .putShort((short) flagsFragment).put((byte) ttl).put((byte) protocol).putShort((short) 0)
                .putInt(src).putInt(dst);
        byte[] h = b.array();
        int sum = checksum(h, 0, 20);
        h[10] = (byte) (sum >>> 8);
        h[11] = (byte) sum;
        return h;
    }

    /** The RFC 1071 checksum field value over {@code length} bytes. */
    public static int checksum(byte[] p, int off, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += (p[off + i] & 0xFF) << 8 | p[off + i + 1] & 0xFF;
        }
        if ((length & 1) != 0) {
            sum += (p[off + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) ~sum & 0xFFFF;
    }

    public static boolean ip4ChecksumValid(byte[] p, int off) {
        int headerLength = (p[off] & 0x0F) * 4;
        return checksum(p, off, headerLength) == 0;
    }

    /**
     * An inner packet of exactly {@code size} bytes: an IPv4 (version 4) or IPv6 (version 6)
     * UDP packet with seeded payload when the size allows a header, else seeded bytes starting
     * with the version nibble (ESP does not look inside).
     */
    public static byte[] inner(int version, int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] p = new byte[size];
        for (int i = 0; i < size; i++) {
            p[i] = (byte) rnd.nextInt();
        }
        if (size == 0) {
            return p;
        }
        p[0] = (byte) (version << 4 | (p[0] & 0x0F));
        if (version == 4 && size >= 28) {
            byte[] h = ip4Header(0, size, (int) seed, 0x4000, 64, 17, addr(10, 1, 0, 5), addr(10, 2, 0, 7));
            System.arraycopy(h, 0, p, 0, 20);
            ByteBuffer.wrap(p, 20, 8).putShort((short) 40000).putShort((short) 443).putShort((short) (size - 20))
                    .putShort((short) 0);
        } else if (version == 6 && size >= 48) {
            ByteBuffer b = ByteBuffer.wrap(p, 0, 48);
            b.putInt(0x6000_0000).putShort((short) (size - 40)).put((byte) 17).put((byte) 64)
                    .putLong(0xFD00_0000_0000_000AL).putLong(5).putLong(0xFD00_0000_0000_000BL).putLong(7)
                    .putShort((short) 5000).putShort((short) 53).putShort((short) (size - 40)).putShort((short) 0);
        }
        return p;
    }

    /** An IPIP packet as ipip-encap makes it: outer header (protocol 4 or 41, DF, TTL 64) and inner. */
    public static byte[] ipip(byte[] inner, int protocol, int src, int dst) {
        byte[] outer = ip4Header(0, 20 + inner.length, 0, 0x4000, 64, protocol, src, dst);
        return concat(outer, inner);
    }

    public static byte[] ipip(byte[] inner, int protocol) {
        return ipip(inner, protocol, TUNNEL_A, TUNNEL_B);
    }

    /** Inner packet, padding 1, 2, 3... to a multiple of 4, pad length, next header (RFC 4303 section 2.4). */
    public static byte[] payload(byte[] inner, int nextHeader) {
        int pad = -(inner.length + 2) & 3;
        byte[] p = new byte[inner.length + pad + 2];
        System.arraycopy(inner, 0, p, 0, inner.length);
        for (int i = 1; i <= pad; i++) {
            p[inner.length + i - 1] = (byte) i;
        }
        p[p.length - 2] = (byte) pad;
        p[p.length - 1] = (byte) nextHeader;
        return p;
    }

    /**
     * An ESP packet from the SPI on: SPI, low half of {@code seq}, {@code iv}, {@code payload}
     * sealed with {@code engine}, ICV. The AAD is SPI and seq, with ESN SPI, high, low (RFC 4106
     * section 5), built here in its own buffer.
     */
    public static byte[] esp(AeadEngine engine, AeadKey key, int spi, long seq, boolean esn, long iv, byte[] payload) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment aad = arena.allocate(12);
            aad.set(BE_INT, 0, spi);
            int aadLength;
            if (esn) {
                aad.set(BE_INT, 4, (int) (seq >>> 32));
                aad.set(BE_INT, 8, (int) seq);
                aadLength = 12;
            } else {
                aad.set(BE_INT, 4, (int) seq);
                aadLength = 8;
            }
            MemorySegment p = arena.allocate(16 + payload.length + 16);
            p.set(BE_INT, 0, spi);
            p.set(BE_INT, 4, (int) seq);
            p.set(BE_LONG, 8, iv);
            MemorySegment.copy(payload, 0, p, ValueLayout.JAVA_BYTE, 16, payload.length);
            if (!engine.seal(key, iv, aad, 0, aadLength, p, 16, payload.length)) {
                throw new IllegalStateException("engine refused to seal");
            }
            return p.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** An outer IPv4 packet carrying {@code esp}: protocol 50, or UDP from/to the given ports (RFC 3948). */
    public static byte[] outer(byte[] esp, int src, int dst, int udpSource, int udpDestination) {
        if (udpDestination == 0) {
            return concat(ip4Header(0, 20 + esp.length, 7, 0x4000, 61, 50, src, dst), esp);
        }
        byte[] udp = ByteBuffer.allocate(8).putShort((short) udpSource).putShort((short) udpDestination)
                .putShort((short) (8 + esp.length)).putShort((short) 0).array();
        return concat(ip4Header(0, 28 + esp.length, 7, 0x4000, 61, 17, src, dst), udp, esp);
    }

    public static byte[] outer(byte[] esp) {
        return outer(esp, TUNNEL_A, TUNNEL_B, 0, 0);
    }

    public static byte[] concat(byte[]... parts) {
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

    public static int u16(byte[] p, int off) {
        return (p[off] & 0xFF) << 8 | p[off + 1] & 0xFF;
    }

    public static int u32(byte[] p, int off) {
        return u16(p, off) << 16 | u16(p, off + 2);
    }

    public static long u64(byte[] p, int off) {
        return (long) u32(p, off) << 32 | Integer.toUnsignedLong(u32(p, off + 4));
    }

    private static final ValueLayout.OfInt BE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
}
