package dev.cipherlane.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Socket addresses written into and read from native segments, the layouts of
 * netinet/in.h and linux/netlink.h:
 *
 * <pre>
 * sockaddr_in  (16): u16 family, be16 port, 4-byte address, 8 bytes zero
 * sockaddr_in6 (28): u16 family, be16 port, be32 flowinfo, 16-byte address, u32 scope id
 * sockaddr_nl  (12): u16 family, u16 pad, u32 port id, u32 multicast groups
 * sockaddr_ll  (20): u16 family, be16 protocol, s32 ifindex, u16 hatype, u8 pkttype,
 *                    u8 halen, 8-byte address (linux/if_packet.h)
 * </pre>
 *
 * The family and the netlink fields are in host order, ports and ethertypes in network
 * order.
 */
public final class SockAddr {
    private SockAddr() {}

    public static final int IN_SIZE = 16;
    public static final int IN6_SIZE = 28;
    public static final int NL_SIZE = 12;
    public static final int LL_SIZE = 20;
    /** The ethertype selecting every protocol on a packet socket (linux/if_ether.h). */
    public static final int ETH_P_ALL = 0x0003;
    /** sizeof(struct sockaddr_storage): room for any address. */
    public static final int STORAGE_SIZE = 128;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfShort BE16 = U16.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    /**
     * Writes a sockaddr_in or sockaddr_in6 for {@code address} and {@code port} at the start
     * of {@code to}; returns its length. An IPv6 address keeps its scope id (needed for
     * link-local destinations).
     */
    public static int inet(MemorySegment to, InetAddress address, int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("port " + port);
        }
        byte[] raw = address.getAddress();
        if (address instanceof Inet4Address) {
            to.asSlice(0, IN_SIZE).fill((byte) 0);
            to.set(U16, 0, (short) Sockets.AF_INET);
            to.set(BE16, 2, (short) port);
            MemorySegment.copy(raw, 0, to, ValueLayout.JAVA_BYTE, 4, 4);
            return IN_SIZE;
        }
        to.asSlice(0, IN6_SIZE).fill((byte) 0);
        to.set(U16, 0, (short) Sockets.AF_INET6);
        to.set(BE16, 2, (short) port);
        MemorySegment.copy(raw, 0, to, ValueLayout.JAVA_BYTE, 8, 16);
        to.set(U32, 24, ((Inet6Address) address).getScopeId());
        return IN6_SIZE;
    }

    /** Writes a sockaddr_nl; port id 0 is the kernel (as a destination) or "assign one" (to bind). */
    public static int netlink(MemorySegment to, int portId, int groups) {
        to.asSlice(0, NL_SIZE).fill((byte) 0);
        to.set(U16, 0, (short) Sockets.AF_NETLINK);
        to.set(U32, 4, portId);
        to.set(U32, 8, groups);
        return NL_SIZE;
    }

    /**
     * Writes a sockaddr_ll to bind a packet socket (packet(7)) to interface {@code ifIndex}
     * for frames of {@code ethertype} ({@link #ETH_P_ALL} for all); returns its length.
     */
    public static int packet(MemorySegment to, int ifIndex, int ethertype) {
        if (ethertype < 0 || ethertype > 0xffff) {
            throw new IllegalArgumentException("ethertype " + ethertype);
        }
        to.asSlice(0, LL_SIZE).fill((byte) 0);
        to.set(U16, 0, (short) Sockets.AF_PACKET);
        to.set(BE16, 2, (short) ethertype);
        to.set(U32, 4, ifIndex);
        return LL_SIZE;
    }

    /**
     * An ethertype as socket(2)'s protocol argument for AF_PACKET wants it: in network
     * order, {@code htons(ETH_P_ALL)}.
     */
    public static int packetProtocol(int ethertype) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ethertype & 0xffff
                : Short.toUnsignedInt(Short.reverseBytes((short) ethertype));
    }

    public static int family(MemorySegment from) {
        return Short.toUnsignedInt(from.get(U16, 0));
    }

    /** The port of a sockaddr_in or sockaddr_in6. */
    public static int port(MemorySegment from) {
        return Short.toUnsignedInt(from.get(BE16, 2));
    }

    /** The address of a sockaddr_in or sockaddr_in6. */
    public static InetAddress address(MemorySegment from) {
        int family = family(from);
        try {
            if (family == Sockets.AF_INET) {
                return InetAddress.getByAddress(bytes(from, 4, 4));
            }
            if (family == Sockets.AF_INET6) {
                return Inet6Address.getByAddress(null, bytes(from, 8, 16), from.get(U32, 24));
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("4 and 16 bytes are valid lengths", e);
        }
        throw new IllegalArgumentException("not an inet socket address: family " + family);
    }

    /** The port id of a sockaddr_nl. */
    public static int netlinkPortId(MemorySegment from) {
        return from.get(U32, 4);
    }

    /** For error messages: {@code 10.0.0.1:53}, {@code [fe80::1%2]:53}, {@code netlink:1234}. */
    public static String describe(MemorySegment address) {
        if (address.byteSize() < 2) {
            return "?";
        }
        int family = family(address);
        long size = address.byteSize();
        if (family == Sockets.AF_INET && size >= IN_SIZE) {
            return address(address).getHostAddress() + ":" + port(address);
        }
        if (family == Sockets.AF_INET6 && size >= IN6_SIZE) {
            return "[" + address(address).getHostAddress() + "]:" + port(address);
        }
        if (family == Sockets.AF_PACKET && size >= LL_SIZE) {
            return "packet:ifindex " + packetIfIndex(address) + " proto 0x" + Integer.toHexString(port(address));
        }
        if (family == Sockets.AF_NETLINK && size >= NL_SIZE) {
            return "netlink:" + Integer.toUnsignedString(netlinkPortId(address));
        }
        return "family " + family;
    }

    /** The interface index of a sockaddr_ll. */
    public static int packetIfIndex(MemorySegment from) {
        return from.get(U32, 4);
    }

    private static byte[] bytes(MemorySegment from, long offset, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(from, ValueLayout.JAVA_BYTE, offset, b, 0, n);
        return b;
    }
}
