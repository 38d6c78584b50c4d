package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.wire.Ip6;
import java.lang.foreign.MemorySegment;

/**
 * The checks and the hop-limit update owed to an IPv6 packet forwarded to a known next hop;
 * the IPv6 twin of {@link Ip4NextHop}, used by {@code ip6-nd-glean} (MAC from the neighbour
 * table) with the rules {@code ip6-rewrite} applies to complete adjacencies. The packet
 * starts at its IPv6 header. In order:
 *
 * <ol>
 * <li>{@link #outOfScope}: an unspecified source (RFC 4291 section 2.5.2) or a link-local
 *     source or destination (section 2.5.6) is never forwarded; dropped, no ICMPv6 error.</li>
 * <li>{@link #expired}: hop limit 0 or 1, Time Exceeded code 0 (RFC 4443 section 3.3).</li>
 * <li>{@link #prepare}: larger than the tx MTU, Packet Too Big with that MTU (RFC 4443
 *     section 3.2; routers never fragment IPv6), GSO super-packets exempt; a drop when the
 *     headroom cannot take the L2 header; else the hop limit decremented. The caller pushes
 *     and writes its L2 header.</li>
 * </ol>
 *
 * <p>ICMP cases leave on the caller's {@code icmp-error} arc unmodified with the request in
 * the opaque word ({@link IcmpErrorRequest}). Static methods and one constant {@link Codes}
 * per caller: nothing allocates or dispatches per packet.
 */
final class Ip6NextHop {
    private Ip6NextHop() {}

    /** The calling stage's arc to {@code icmp6-error} and its error for each outcome. */
    record Codes(int icmpErrorArc, int unspecifiedSource, int linkLocal, int hopLimitExpired, int mtuExceeded,
            int noHeadroom) {}

    private static final int TIME_EXCEEDED = IcmpErrorRequest.encode(IcmpErrorRequest.ICMP6_TIME_EXCEEDED, 0, 0);

    /** Whether {@code bi} may not leave its link; if so it has been dropped. */
    static boolean outOfScope(StageContext ctx, MemorySegment data, int bi, long ip, Codes codes) {
        long srcHi = data.get(Net.U64, ip + Ip6.SOURCE);
        if (Ip6.isUnspecified(srcHi, data.get(Net.U64, ip + Ip6.SOURCE + 8))) {
            ctx.drop(bi, codes.unspecifiedSource());
            return true;
        }
        if (Ip6.isLinkLocal(srcHi) || Ip6.isLinkLocal(data.get(Net.U64, ip + Ip6.DESTINATION))) {
            ctx.drop(bi, codes.linkLocal());
            return true;
        }
        return false;
    }

    /** Whether the hop limit of {@code bi} is spent; if so the packet has gone for Time Exceeded. */
    static boolean expired(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long ip, Codes codes) {
        if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip6.HOP_LIMIT)) > 1) {
            return false;
        }
        mem.opaque(bi, TIME_EXCEEDED);
        ctx.count(codes.hopLimitExpired(), 1);
        ctx.enqueue(codes.icmpErrorArc(), bi);
        return true;
    }

    /**
     * Checks {@code bi} against {@code mtu} and for {@code l2Length} bytes of headroom, then
     * decrements its hop limit. Returns whether the caller may push its L2 header and send
     * it; if not, the packet has gone for an ICMPv6 error or been dropped.
     */
    static boolean prepare(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long ip,
            int mtu, int l2Length, Codes codes) {
        if (mem.length(bi) > mtu && mem.gsoSize(bi) == 0) {
            mem.opaque(bi, IcmpErrorRequest.encode(IcmpErrorRequest.ICMP6_PACKET_TOO_BIG, 0, mtu));
            ctx.count(codes.mtuExceeded(), 1);
            ctx.enqueue(codes.icmpErrorArc(), bi);
            return false;
        }
        if (mem.dataOffset(bi) < l2Length) {
            ctx.drop(bi, codes.noHeadroom());
            return false;
        }
        int hopLimit = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip6.HOP_LIMIT));
        data.set(Net.U8, ip + Ip6.HOP_LIMIT, (byte) (hopLimit - 1));
        return true;
    }
}
