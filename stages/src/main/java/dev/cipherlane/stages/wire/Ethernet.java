package dev.cipherlane.stages.wire;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.buffer.Net;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Ethernet II header layout (IEEE 802.3 clause 3.1.1 with an EtherType, RFC 894) and MAC
 * accessors. A MAC address is held as a {@code long} whose low 48 bits are the six
 * octets in transmission order, the way {@code NetInterface.mac()} stores it and
 * {@link MacAddress#value()} spells it.
 */
public final class Ethernet {
    private Ethernet() {}

    public static final int DESTINATION = 0;
    public static final int SOURCE = 6;
    public static final int ETHERTYPE = 12;
    /** Destination MAC, source MAC, EtherType. */
    public static final int HEADER_LENGTH = 14;
    /** An IEEE 802.1Q tag sits between the source MAC and the EtherType. */
    public static final int VLAN_TAG_LENGTH = 4;

    public static final int ETHERTYPE_IP4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IP6 = 0x86DD;
    /** IEEE 802.1Q customer VLAN tag. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** IEEE 802.1ad service VLAN tag (QinQ outer tag). */
    public static final int ETHERTYPE_QINQ = 0x88A8;

    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;

    /**
     * Whether {@code mac} is a group address: the I/G bit, the least significant bit of the
     * first octet (IEEE 802 clause 8.2). Broadcast is a group address too.
     */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** The MAC at byte offset {@code at} of {@code seg}. */
    public static long readMac(MemorySegment seg, long at) {
        long hi = Short.toUnsignedLong(seg.get(Net.U16, at));
        long lo = Integer.toUnsignedLong(seg.get(Net.U32, at + 2));
        return hi << 32 | lo;
    }

    public static void writeMac(MemorySegment seg, long at, long mac) {
        seg.set(Net.U16, at, (short) (mac >>> 32));
        seg.set(Net.U32, at + 2, (int) mac);
    }

    /** The MAC in the six octets at {@code at} of {@code octets}, as {@link #readMac} reads a segment. */
    public static long macOf(byte[] octets, int at) {
        long mac = 0;
        for (int i = 0; i < MacAddress.LENGTH; i++) {
            mac = mac << 8 | (octets[at + i] & 0xFF);
        }
        return mac & MAC_MASK;
    }

    /** {@code src -> dst type 0x0800} of the header at byte offset {@code at}, for traces. */
    public static String formatHeader(MemorySegment seg, long at) {
        return String.format(Locale.ROOT, "%s -> %s type 0x%04x", new MacAddress(readMac(seg, at + SOURCE)),
                new MacAddress(readMac(seg, at + DESTINATION)), Short.toUnsignedInt(seg.get(Net.U16, at + ETHERTYPE)));
    }
}
