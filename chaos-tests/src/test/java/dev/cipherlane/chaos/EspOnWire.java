package dev.cipherlane.chaos;

import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reading the wire between two nodes: the Ethernet and outer IPv4 headers, and where an ESP
 * packet starts. ESP travels either right after an outer IPv4 header with protocol 50
 * (RFC 4303 section 2) or in UDP to or from port 4500 (RFC 3948 section 2.1); on port 4500 a
 * payload starting with four zero bytes is IKE (the non-ESP marker, RFC 3948 section 2.2) and
 * a payload of the one byte 0xFF is a NAT keepalive (section 2.3), neither of them ESP.
 */
final class EspOnWire {
    /** SPI and 32-bit sequence number (RFC 4303 section 2.1, 2.2). */
    static final int ESP_HEADER = 8;

    /** {@link #espAt}: the frame is not ESP. */
    static final int NOT_ESP = -1;
    /** {@link #espAt}: IKE or a NAT keepalive on port 4500. */
    static final int NAT_T_CONTROL = -2;

    static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private EspOnWire() {}

    static int u8(MemorySegment f, int at) {
        return f.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    static int u16(MemorySegment f, int at) {
        return Short.toUnsignedInt(f.get(BE16, at));
    }

    /** The frame's EtherType, or -1 for a frame too short to have one. */
    static int ethertype(MemorySegment f, int length) {
        return length < Ethernet.HEADER_LENGTH ? -1 : u16(f, 12);
    }

    /** Whether the frame holds a whole outer IPv4 header (version 4, IHL 5..15). */
    static boolean isIp4(MemorySegment f, int length) {
        if (ethertype(f, length) != Ethernet.ETHERTYPE_IP4 || length < Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER) {
            return false;
        }
        int vihl = u8(f, Ethernet.HEADER_LENGTH);
        return vihl >>> 4 == 4 && (vihl & 0x0F) >= 5 && length >= Ethernet.HEADER_LENGTH + headerLength(f);
    }

    /** The outer IPv4 header's length in bytes. */
    static int headerLength(MemorySegment f) {
        return (u8(f, Ethernet.HEADER_LENGTH) & 0x0F) * 4;
    }

    static int protocol(MemorySegment f) {
        return u8(f, Ethernet.HEADER_LENGTH + 9);
    }

    static int source(MemorySegment f) {
        return f.get(BE32, Ethernet.HEADER_LENGTH + 12);
    }

    static int destination(MemorySegment f) {
        return f.get(BE32, Ethernet.HEADER_LENGTH + 16);
    }

    /**
     * Where the outer IPv4 packet ends: its total length past the Ethernet header, which a
     * short packet's Ethernet padding lies beyond, and never past the frame.
     */
    static int ipEnd(MemorySegment f, int length) {
        return Math.min(length, Ethernet.HEADER_LENGTH + u16(f, Ethernet.HEADER_LENGTH + 2));
    }

    /**
     * Where the SPI of the frame's ESP packet is, {@link #NAT_T_CONTROL} for IKE or a
     * keepalive on port 4500, or {@link #NOT_ESP}. The frame must pass {@link #isIp4}.
     */
    static int espAt(MemorySegment f, int length) {
        int l4 = Ethernet.HEADER_LENGTH + headerLength(f);
        int end = ipEnd(f, length);
        int protocol = protocol(f);
        if (protocol == IpProtocol.ESP) {
            return end >= l4 + ESP_HEADER ? l4 : NOT_ESP;
        }
        if (protocol != IpProtocol.UDP || end < l4 + Udp.HEADER
                || (u16(f, l4) != Udp.NAT_TRAVERSAL_PORT && u16(f, l4 + 2) != Udp.NAT_TRAVERSAL_PORT)) {
            return NOT_ESP;
        }
        int payload = l4 + Udp.HEADER;
        if (end - payload == 1 && u8(f, payload) == 0xFF) {
            return NAT_T_CONTROL;
        }
        if (end - payload >= 4 && f.get(BE32, payload) == 0) {
            return NAT_T_CONTROL;
        }
        return end >= payload + ESP_HEADER ? payload : NOT_ESP;
    }

    static int spi(MemorySegment f, int esp) {
        return f.get(BE32, esp);
    }

    /** The low 32 bits of the sequence number, as carried in the header. */
    static long sequence(MemorySegment f, int esp) {
        return Integer.toUnsignedLong(f.get(BE32, esp + 4));
    }

    static String ip4(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    /** The first {@code n} bytes of a frame in hex, for a failure message. */
    static String hex(MemorySegment f, int length, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, length); i++) {
            sb.append(String.format("%02x", u8(f, i)));
            if (i % 4 == 3) {
                sb.append(' ');
            }
        }
        return sb.toString().strip();
    }
}
