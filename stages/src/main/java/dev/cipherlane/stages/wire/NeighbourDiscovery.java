package dev.cipherlane.stages.wire;

import dev.cipherlane.stages.buffer.Net;
import java.lang.foreign.MemorySegment;

/**
 * IPv6 neighbour discovery on Ethernet: the Neighbor Solicitation and Advertisement layout
 * (RFC 4861 sections 4.3 and 4.4; offsets from the first byte of the ICMPv6 header), the
 * link-layer address options (section 4.6.1, RFC 2464 section 8), the multicast addresses
 * they are sent to (RFC 4291 section 2.7.1) and how those map to Ethernet (RFC 2464
 * section 7). Shared by {@code ip6-nd-input} and the neighbour solicitations
 * ({@code Ip6NeighbourRequester}).
 */
public final class NeighbourDiscovery {
    private NeighbourDiscovery() {}

    /** Neighbor Advertisement flags word; reserved in a solicitation. */
    public static final int FLAGS = 4;
    public static final int TARGET = 8;
    public static final int OPTIONS = 24;
    /** Bytes of a solicitation or advertisement without options (section 7.1.1: "24 or more"). */
    public static final int MESSAGE_LENGTH = 24;

    /** Section 4.4 flags, as bits of the 32-bit word at {@link #FLAGS}. */
    public static final int ROUTER = 0x8000_0000;
    public static final int SOLICITED = 0x4000_0000;
    public static final int OVERRIDE = 0x2000_0000;

    /** Sections 7.1.1 and 7.1.2: anything less and the message crossed a router. */
    public static final int HOP_LIMIT = 255;

    /** Option types (section 4.6). */
    public static final int SOURCE_LINK_LAYER_ADDRESS = 1;
    public static final int TARGET_LINK_LAYER_ADDRESS = 2;
    /** Options are sized in units of 8 bytes (section 4.6). */
    public static final int OPTION_UNIT = 8;
    /** An Ethernet link-layer address option: type, length 1, six MAC bytes (RFC 2464 section 8). */
    public static final int LINK_LAYER_OPTION_LENGTH = 8;
    private static final int OPTION_TYPE = 0;
    private static final int OPTION_LENGTH = 1;
    private static final int OPTION_ADDRESS = 2;

    /** {@link #linkLayerAddress} results other than a MAC. */
    public static final long NO_OPTION = -1;
    public static final long OPTION_ZERO_LENGTH = -2;
    public static final long OPTION_TRUNCATED = -3;
    public static final long OPTION_BAD_ADDRESS_LENGTH = -4;

    /** ff02::1, all nodes on the link (RFC 4291 section 2.7.1). */
    public static final long ALL_NODES_HI = 0xFF02_0000_0000_0000L;
    public static final long ALL_NODES_LO = 1L;
    /** ff02::1:ff00:0/104, followed by the low 24 bits of the address solicited. */
    public static final long SOLICITED_NODE_HI = 0xFF02_0000_0000_0000L;
    public static final long SOLICITED_NODE_LO = 0x0000_0001_FF00_0000L;
    private static final long SOLICITED_NODE_MASK = 0xFFFF_FFFF_FF00_0000L;
    private static final long LOW_24 = 0xFF_FFFFL;

    /** 33:33 followed by the last four bytes of the group (RFC 2464 section 7). */
    private static final long MULTICAST_MAC_PREFIX = 0x3333_0000_0000L;

    /** Low 64 bits of the solicited-node multicast address of an address whose low half is {@code lo}. */
    public static long solicitedNodeLo(long lo) {
        return SOLICITED_NODE_LO | (lo & LOW_24);
    }

    public static boolean isSolicitedNode(long hi, long lo) {
        return hi == SOLICITED_NODE_HI && (lo & SOLICITED_NODE_MASK) == SOLICITED_NODE_LO;
    }

    /** The Ethernet group address an IPv6 multicast address whose low half is {@code lo} is sent to. */
    public static long multicastMac(long lo) {
        return MULTICAST_MAC_PREFIX | (lo & 0xFFFF_FFFFL);
    }

    /**
     * Walks the options between {@code options} and {@code end} and returns the MAC of the
     * first link-layer address option of {@code type}, or {@link #NO_OPTION}. Every option is
     * checked, wanted or not: one of length zero makes the whole message invalid (section
     * 4.6: "silently discard"), so does one that runs past the message. A wanted option whose
     * length is not one unit carries no Ethernet address: {@link #OPTION_BAD_ADDRESS_LENGTH}.
     * Other option types are skipped (section 4.6: "silently ignore").
     */
    public static long linkLayerAddress(MemorySegment data, long options, long end, int type) {
        long found = NO_OPTION;
        long at = options;
        while (at < end) {
            if (at + OPTION_ADDRESS > end) {
                return OPTION_TRUNCATED;
            }
            int units = Byte.toUnsignedInt(data.get(Net.U8, at + OPTION_LENGTH));
            if (units == 0) {
                return OPTION_ZERO_LENGTH;
            }
            long next = at + (long) units * OPTION_UNIT;
            if (next > end) {
                return OPTION_TRUNCATED;
            }
            if (found == NO_OPTION && Byte.toUnsignedInt(data.get(Net.U8, at + OPTION_TYPE)) == type) {
                if (units != 1) {
                    return OPTION_BAD_ADDRESS_LENGTH;
                }
                found = Ethernet.readMac(data, at + OPTION_ADDRESS);
            }
            at = next;
        }
        return found;
    }

    /** An Ethernet link-layer address option of {@code type} at {@code at}. */
    public static void writeLinkLayerOption(MemorySegment data, long at, int type, long mac) {
        data.set(Net.U8, at + OPTION_TYPE, (byte) type);
        data.set(Net.U8, at + OPTION_LENGTH, (byte) 1);
        Ethernet.writeMac(data, at + OPTION_ADDRESS, mac);
    }

    /**
     * The IPv6 header of a neighbour discovery message at {@code ip}: traffic class and flow
     * label zero, next header ICMPv6, hop limit 255, no extension headers.
     */
    public static void writeIp6Header(MemorySegment data, long ip, long srcHi, long srcLo, long dstHi, long dstLo,
            int icmpLength) {
        data.set(Net.U32, ip + Ip6.VERSION_CLASS_FLOW, 6 << 28);
        data.set(Net.U16, ip + Ip6.PAYLOAD_LENGTH, (short) icmpLength);
        data.set(Net.U8, ip + Ip6.NEXT_HEADER, (byte) IpProtocol.ICMP6);
        data.set(Net.U8, ip + Ip6.HOP_LIMIT, (byte) HOP_LIMIT);
        data.set(Net.U64, ip + Ip6.SOURCE, srcHi);
        data.set(Net.U64, ip + Ip6.SOURCE + 8, srcLo);
        data.set(Net.U64, ip + Ip6.DESTINATION, dstHi);
        data.set(Net.U64, ip + Ip6.DESTINATION + 8, dstLo);
    }

    /** The Ethernet II header of an IPv6 frame at {@code e}. */
    public static void writeEthernetHeader(MemorySegment data, long e, long dstMac, long srcMac) {
        Ethernet.writeMac(data, e + Ethernet.DESTINATION, dstMac);
        Ethernet.writeMac(data, e + Ethernet.SOURCE, srcMac);
        data.set(Net.U16, e + Ethernet.ETHERTYPE, (short) Ethernet.ETHERTYPE_IP6);
    }
}
