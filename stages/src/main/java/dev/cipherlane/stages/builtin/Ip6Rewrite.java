package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ip6;
import java.lang.foreign.MemorySegment;

/**
 * The forwarding step of an IPv6 packet whose adjacency is a complete neighbour; the IPv6
 * twin of {@link Ip4Rewrite}. The packet starts at the IPv6 header.
 *
 * <ol>
 * <li>Scope. A router never forwards a packet with an unspecified source (RFC 4291 section
 *     2.5.2) nor one with a link-local source or destination (section 2.5.6); such packets
 *     are dropped and counted, without an ICMPv6 error.</li>
 * <li>Hop limit 0 or 1: Time Exceeded, code 0 (RFC 4443 section 3.3; RFC 8200 section 3).
 *     Packets for us never pass here, so they are received whatever their hop limit.</li>
 * <li>Larger than the tx interface MTU: Packet Too Big with that MTU (RFC 4443 section 3.2,
 *     RFC 8201). Routers never fragment IPv6. GSO super-packets are exempt, as in IPv4.</li>
 * <li>Hop limit decremented (no header checksum in IPv6), Ethernet header prepended.</li>
 * </ol>
 */
public final class Ip6Rewrite extends IpRewrite {
    public static final String NAME = "ip6-rewrite";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        HOP_LIMIT_EXPIRED("ttl expired"),
        MTU_EXCEEDED("mtu exceeded"),
        STALE_ADJACENCY("adjacency not complete"),
        NO_TX_INTERFACE("tx interface unknown"),
        NO_HEADROOM("no headroom for l2 header"),
        UNSPECIFIED_SOURCE("ip6 unspecified source not forwarded"),
        LINK_LOCAL("ip6 link-local not forwarded");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    private static final int TIME_EXCEEDED = IcmpErrorRequest.encode(IcmpErrorRequest.ICMP6_TIME_EXCEEDED, 0, 0);

    public Ip6Rewrite(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        AdjacencyTable.Snapshot adjs = p.tables().get().adjacencies();
        MemorySegment rewrites = adjs.rewriteSegment();
        InterfaceTable interfaces = p.interfaces();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int lastTx = -1;
        int mtu = 0;
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            long ip = mem.start(bi);
            long srcHi = data.get(Net.U64, ip + Ip6.SOURCE);
            if (Ip6.isUnspecified(srcHi, data.get(Net.U64, ip + Ip6.SOURCE + 8))) {
                ctx.drop(bi, Errors.UNSPECIFIED_SOURCE);
                continue;
            }
            if (Ip6.isLinkLocal(srcHi) || Ip6.isLinkLocal(data.get(Net.U64, ip + Ip6.DESTINATION))) {
                ctx.drop(bi, Errors.LINK_LOCAL);
                continue;
            }
            int hopLimit = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip6.HOP_LIMIT));
            if (hopLimit <= 1) {
                mem.opaque(bi, TIME_EXCEEDED);
                ctx.count(Errors.HOP_LIMIT_EXPIRED, 1);
                ctx.enqueue(Arcs.ICMP_ERROR, bi);
                continue;
            }
            int adj = mem.nextHop(bi);
            if (!isComplete(adjs, adj)) {
                ctx.drop(bi, Errors.STALE_ADJACENCY);
                continue;
            }
            int tx = mem.txInterface(bi);
            if (tx != lastTx) {
                NetInterface itf = interfaces.get(tx);
                if (itf == null) {
                    ctx.drop(bi, Errors.NO_TX_INTERFACE);
                    continue;
                }
                lastTx = tx;
                mtu = itf.mtu();
            }
            if (mem.length(bi) > mtu && mem.gsoSize(bi) == 0) {
                mem.opaque(bi, IcmpErrorRequest.encode(IcmpErrorRequest.ICMP6_PACKET_TOO_BIG, 0, mtu));
                ctx.count(Errors.MTU_EXCEEDED, 1);
                ctx.enqueue(Arcs.ICMP_ERROR, bi);
                continue;
            }
            if (mem.dataOffset(bi) < AdjacencyTable.REWRITE_LENGTH) {
                ctx.drop(bi, Errors.NO_HEADROOM);
                continue;
            }
            data.set(Net.U8, ip + Ip6.HOP_LIMIT, (byte) (hopLimit - 1));
            prependRewrite(mem, data, bi, ip, rewrites, adjs.rewriteOffset(adj));
            ctx.enqueue(Arcs.TX, bi);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "adjacency " + mem.nextHop(bi) + " tx interface " + mem.txInterface(bi)
                + " hop limit " + mem.u8(bi, Ip6.HOP_LIMIT) + " length " + mem.length(bi);
    }
}
