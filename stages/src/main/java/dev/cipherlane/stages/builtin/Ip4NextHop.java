package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.MemorySegment;

/**
 * The checks and the TTL update owed to an IPv4 packet forwarded to a known next hop, shared
 * by {@code ip4-rewrite} (complete adjacency) and {@code arp-glean} (MAC from the neighbour
 * table). The packet starts at its IP header. In order:
 *
 * <ol>
 * <li>{@link #expired}: TTL 0 or 1 would leave as 0, so Time Exceeded, code 0 (RFC 1812
 *     section 5.3.1). {@code ip4-rewrite} checks its adjacency only after this.</li>
 * <li>{@link #prepare}: larger than the tx interface MTU with DF set, Fragmentation Needed
 *     carrying the next-hop MTU (RFC 1191 section 4); without DF, dropped, as this dataplane
 *     does not fragment (why: {@link Ip4Rewrite}). GSO super-packets ({@code gsoSize > 0})
 *     are exempt: the segmenting stage sizes their segments. Then a drop if the headroom
 *     cannot take the L2 header, else the TTL decremented with an incremental header
 *     checksum update (RFC 1624 equation 3). The caller pushes and writes its L2 header.</li>
 * </ol>
 *
 * <p>The ICMP cases leave on the caller's {@code icmp-error} arc unmodified, with the request
 * in the opaque word ({@link IcmpErrorRequest}), so the error quotes the packet as received.
 * Static methods and one constant {@link Codes} per caller: nothing here allocates or
 * dispatches per packet.
 */
final class Ip4NextHop {
    private Ip4NextHop() {}

    /** The calling stage's arc to {@code icmp4-error} and its error for each outcome. */
    record Codes(int icmpErrorArc, int ttlExpired, int mtuExceeded, int fragmentationNotSupported, int noHeadroom) {}

    private static final int TIME_EXCEEDED = IcmpErrorRequest.encode(IcmpErrorRequest.ICMP4_TIME_EXCEEDED, 0, 0);

    /** Whether the TTL of {@code bi} is spent; if so the packet has gone for Time Exceeded. */
    static boolean expired(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long ip, Codes codes) {
        if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.TTL)) > 1) {
            return false;
        }
        mem.opaque(bi, TIME_EXCEEDED);
        ctx.count(codes.ttlExpired(), 1);
        ctx.enqueue(codes.icmpErrorArc(), bi);
        return true;
    }

    /**
     * Checks {@code bi} against {@code mtu} and for {@code l2Length} bytes of headroom, then
     * decrements its TTL. Returns whether the caller may push its L2 header and send it; if
     * not, the packet has gone for an ICMP error or been dropped.
     */
    static boolean prepare(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long ip,
            int mtu, int l2Length, Codes codes) {
        if (mem.length(bi) > mtu && mem.gsoSize(bi) == 0) {
            if ((data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT) & Ip4.DONT_FRAGMENT) != 0) {
                mem.opaque(bi, IcmpErrorRequest.encode(IcmpErrorRequest.ICMP4_UNREACHABLE,
                        IcmpErrorRequest.ICMP4_FRAGMENTATION_NEEDED, mtu));
                ctx.count(codes.mtuExceeded(), 1);
                ctx.enqueue(codes.icmpErrorArc(), bi);
            } else {
                ctx.drop(bi, codes.fragmentationNotSupported());
            }
            return false;
        }
        if (mem.dataOffset(bi) < l2Length) {
            ctx.drop(bi, codes.noHeadroom());
            return false;
        }
        int ttlProtocol = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TTL));
        int decremented = ttlProtocol - 0x100;
        data.set(Net.U16, ip + Ip4.TTL, (short) decremented);
        int checksum = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.CHECKSUM));
        data.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.update(checksum, ttlProtocol, decremented));
        return true;
    }
}
