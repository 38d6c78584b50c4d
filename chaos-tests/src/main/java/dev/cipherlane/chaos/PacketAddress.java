package dev.cipherlane.chaos;

import dev.cipherlane.linux.Sockets;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_ll} (packet(7), include/uapi/linux/if_packet.h), 20 bytes:
 *
 * <pre>
 *  0 u16  sll_family   AF_PACKET, host order
 *  2 be16 sll_protocol ethertype, network order
 *  4 s32  sll_ifindex
 *  8 u16  sll_hatype   ARPHRD_*
 * 10 u8   sll_pkttype  PACKET_HOST ... PACKET_OUTGOING
 * 11 u8   sll_halen
 * 12 u8[8] sll_addr
 * </pre>
 *
 * Kept here rather than in {@code SockAddr} until the linux module grows its own.
 */
public final class PacketAddress {
    private PacketAddress() {}

    public static final int SIZE = 20;

    /** Ethertype that selects every protocol (if_ether.h). */
    public static final int ETH_P_ALL = 0x0003;

    // sll_pkttype values (if_packet.h).
    public static final int PACKET_HOST = 0;
    public static final int PACKET_BROADCAST = 1;
    public static final int PACKET_MULTICAST = 2;
    public static final int PACKET_OTHERHOST = 3;
    /** A frame this host sent, looped back to packet sockets on the interface. */
    public static final int PACKET_OUTGOING = 4;

    /** Socket option level for packet sockets (socket.h). */
    public static final int SOL_PACKET = 263;
    /** Do not loop our own transmissions back to this socket (Linux 4.20+). */
    public static final int PACKET_IGNORE_OUTGOING = 23;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort BE16 = U16.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt S32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** Writes a sockaddr_ll for binding to {@code ifIndex} and {@code protocol}; returns its length. */
    public static int bindAddress(MemorySegment to, int ifIndex, int protocol) {
        to.asSlice(0, SIZE).fill((byte) 0);
        to.set(U16, 0, (short) Sockets.AF_PACKET);
        to.set(BE16, 2, (short) protocol);
        to.set(S32, 4, ifIndex);
        return SIZE;
    }

    /** The ethertype in network order converted to an int, as socket(2)'s protocol argument wants it. */
    public static int protocolArgument(int ethertype) {
        return Short.toUnsignedInt(Short.reverseBytes((short) ethertype));
    }

    public static int ifIndex(MemorySegment from) {
        return from.get(S32, 4);
    }

    public static int protocol(MemorySegment from) {
        return Short.toUnsignedInt(from.get(BE16, 2));
    }

    public static int packetType(MemorySegment from) {
        return Byte.toUnsignedInt(from.get(ValueLayout.JAVA_BYTE, 10));
    }
}
