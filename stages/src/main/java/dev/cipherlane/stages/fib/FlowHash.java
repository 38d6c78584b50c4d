package dev.cipherlane.stages.fib;

import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Symmetric 5-tuple flow hash for ECMP path choice.
 *
 * <p>Symmetric: A→B and B→A hash alike, so both directions of a connection take the same
 * path (and the same tunnel, hence the same SA and crypto ordering). The two endpoints
 * (address, port) are put in a canonical order by unsigned comparison before mixing, which
 * keeps full entropy, unlike xor-ing the endpoints, which would send every flow between
 * equal ports to the same bucket.
 *
 * <p>Deterministic: fixed constants, no per-process seed and no identity hashes, so a flow
 * keeps its path across a restart of the node service (what {@code TUNSETPERSIST} and state
 * files are for). Tests pin golden values.
 *
 * <p>Fragments hash with ports 0 (IPv4: MF set or offset non-zero; IPv6: a Fragment header
 * present). Only the first fragment carries ports, and every fragment of a datagram must take
 * the same path or reassembly on the far side stalls.
 */
public final class FlowHash {

    public static final int SCTP = 132;

    private static final int IPV6_HOP_BY_HOP = 0;
    private static final int IPV6_ROUTING = 43;
    private static final int IPV6_FRAGMENT = 44;
    private static final int IPV6_AUTH = 51;
    private static final int IPV6_DESTINATION = 60;

    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private FlowHash() {
    }

    /** Hash of an IPv4 5-tuple; addresses are big-endian ints, ports and protocol are masked. */
    public static int hash4(int src, int dst, int protocol, int srcPort, int dstPort) {
        // Endpoint = address:port as one 48-bit value; canonical order = smaller first.
        long a = ((src & 0xFFFF_FFFFL) << 16) | (srcPort & 0xFFFF);
        long b = ((dst & 0xFFFF_FFFFL) << 16) | (dstPort & 0xFFFF);
        long low = Math.min(a, b);
        long high = Math.max(a, b);
        long h = Mix64.absorb(Mix64.SEED, low);
        h = Mix64.absorb(h, high);
        h = Mix64.absorb(h, protocol & 0xFF);
        return (int) Mix64.avalanche(h);
    }

    /** Hash of an IPv6 5-tuple; each address is two halves in network order ({@code hi} first). */
    public static int hash6(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int srcPort, int dstPort) {
        srcPort &= 0xFFFF;
        dstPort &= 0xFFFF;
        int order = Long.compareUnsigned(srcHi, dstHi);
        if (order == 0) {
            order = Long.compareUnsigned(srcLo, dstLo);
        }
        if (order == 0) {
            order = Integer.compare(srcPort, dstPort);
        }
        long h;
        int lowPort;
        int highPort;
        if (order <= 0) {
            h = Mix64.absorb(Mix64.absorb(Mix64.SEED, srcHi), srcLo);
            h = Mix64.absorb(Mix64.absorb(h, dstHi), dstLo);
            lowPort = srcPort;
            highPort = dstPort;
        } else {
            h = Mix64.absorb(Mix64.absorb(Mix64.SEED, dstHi), dstLo);
            h = Mix64.absorb(Mix64.absorb(h, srcHi), srcLo);
            lowPort = dstPort;
            highPort = srcPort;
        }
        h = Mix64.absorb(h, ((long) lowPort << 24) | ((long) highPort << 8) | (protocol & 0xFF));
        return (int) Mix64.avalanche(h);
    }

    /**
     * Hash of the IPv4 packet whose header starts at {@code ip4Offset}; {@code l4Offset} is where
     * its payload starts. The caller (IPv4 input) has validated the header and, for TCP, UDP and
     * SCTP, that four L4 bytes are present.
     */
    public static int hash4(MemorySegment packet, long ip4Offset, long l4Offset) {
        int protocol = packet.get(ValueLayout.JAVA_BYTE, ip4Offset + 9) & 0xFF;
        int src = packet.get(INT_BE, ip4Offset + 12);
        int dst = packet.get(INT_BE, ip4Offset + 16);
        // RFC 791: flags (reserved, DF, MF) then 13-bit fragment offset; MF or offset = fragment.
        boolean fragment = (packet.get(SHORT_BE, ip4Offset + 6) & 0x3FFF) != 0;
        int srcPort = 0;
        int dstPort = 0;
        if (!fragment && carriesPorts(protocol)) {
            srcPort = packet.get(SHORT_BE, l4Offset) & 0xFFFF;
            dstPort = packet.get(SHORT_BE, l4Offset + 2) & 0xFFFF;
        }
        return hash4(src, dst, protocol, srcPort, dstPort);
    }

    /**
     * Hash of the IPv6 packet whose header starts at {@code ip6Offset}; {@code l4Offset} is where
     * the upper-layer header starts, after any extension headers. The chain between the two is
     * walked (RFC 8200 section 4) to learn the upper-layer protocol and whether a Fragment header
     * is present; a chain that does not land exactly on {@code l4Offset}, or that meets a header
     * it cannot step over, hashes without ports. The caller has validated that the chain and, for
     * TCP, UDP and SCTP, four L4 bytes are inside the packet.
     */
    public static int hash6(MemorySegment packet, long ip6Offset, long l4Offset) {
        int next = packet.get(ValueLayout.JAVA_BYTE, ip6Offset + 6) & 0xFF;
        long srcHi = packet.get(LONG_BE, ip6Offset + 8);
        long srcLo = packet.get(LONG_BE, ip6Offset + 16);
        long dstHi = packet.get(LONG_BE, ip6Offset + 24);
        long dstLo = packet.get(LONG_BE, ip6Offset + 32);
        boolean fragment = false;
        long at = ip6Offset + 40;
        while (at < l4Offset) {
            long headerLength;
            switch (next) {
                case IPV6_HOP_BY_HOP, IPV6_ROUTING, IPV6_DESTINATION ->
                        headerLength = ((packet.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF) + 1) * 8L;
                case IPV6_FRAGMENT -> {
                    fragment = true;
                    headerLength = 8;
                }
                case IPV6_AUTH -> headerLength = ((packet.get(ValueLayout.JAVA_BYTE, at + 1) & 0xFF) + 2) * 4L;
                default -> headerLength = -1;
            }
            if (headerLength < 0) {
                break;
            }
            next = packet.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
            at += headerLength;
        }
        int srcPort = 0;
        int dstPort = 0;
        if (!fragment && at == l4Offset && carriesPorts(next)) {
            srcPort = packet.get(SHORT_BE, l4Offset) & 0xFFFF;
            dstPort = packet.get(SHORT_BE, l4Offset + 2) & 0xFFFF;
        }
        return hash6(srcHi, srcLo, dstHi, dstLo, next, srcPort, dstPort);
    }

    private static boolean carriesPorts(int protocol) {
        return protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == SCTP;
    }
}
