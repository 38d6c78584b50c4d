package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.MemorySegment;

/**
 * The forwarding step of an IPv4 packet whose adjacency ({@code nextHop}) is a complete
 * neighbour: TTL, MTU, then the Ethernet header. The packet starts at the IP header.
 *
 * <ol>
 * <li>TTL. A forwarded packet that arrives with TTL 0 or 1 would leave with 0: it is
 *     discarded and answered with Time Exceeded, code 0 (RFC 1812 section 5.3.1). Judged here
 *     and not in {@code ip4-input} because packets to our own addresses never pass this
 *     stage and must be received whatever their TTL.</li>
 * <li>MTU of the tx interface. Too big with DF set: Fragmentation Needed carrying the
 *     next-hop MTU (RFC 1191 section 4). Too big without DF: dropped, because this dataplane
 *     does not fragment (RFC 1812 section 5.2.6 would allow it; our traffic is pod TCP with
 *     path MTU discovery on, and fragments would not survive ESP gracefully either). GSO
 *     super-packets ({@code gsoSize > 0}) are exempt: the segmenting stage sizes their
 *     segments.</li>
 * <li>TTL decremented, header checksum updated incrementally (RFC 1624 equation 3).</li>
 * <li>The adjacency's 14-byte Ethernet header prepended in the headroom.</li>
 * </ol>
 *
 * <p>{@code arp-glean} owes the same to packets it forwards: steps 1 to 3 are {@link
 * Ip4NextHop}, which both stages call.
 *
 * <p>Both ICMP cases leave on {@code icmp-error} unmodified, with the request in the opaque
 * word ({@link IcmpErrorRequest}), so the error quotes the packet as it was received.
 */
public final class Ip4Rewrite extends IpRewrite {
    public static final String NAME = "ip4-rewrite";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        TTL_EXPIRED("ttl expired"),
        MTU_EXCEEDED("mtu exceeded"),
        FRAGMENTATION_NOT_SUPPORTED("fragmentation not supported"),
        STALE_ADJACENCY("adjacency not complete"),
        NO_TX_INTERFACE("tx interface unknown"),
        NO_HEADROOM("no headroom for l2 header");

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

    private static final Ip4NextHop.Codes NEXT_HOP = new Ip4NextHop.Codes(Arcs.ICMP_ERROR.ordinal(),
            Errors.TTL_EXPIRED.ordinal(), Errors.MTU_EXCEEDED.ordinal(), Errors.FRAGMENTATION_NOT_SUPPORTED.ordinal(),
            Errors.NO_HEADROOM.ordinal());

    public Ip4Rewrite(Params params) {
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
        // Frames mostly go out one interface: remember the last MTU looked up.
        int lastTx = -1;
        int mtu = 0;
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            long ip = mem.start(bi);
            if (Ip4NextHop.expired(ctx, mem, data, bi, ip, NEXT_HOP)) {
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
            if (Ip4NextHop.prepare(ctx, mem, data, bi, ip, mtu, AdjacencyTable.REWRITE_LENGTH, NEXT_HOP)) {
                prependRewrite(mem, data, bi, ip, rewrites, adjs.rewriteOffset(adj));
                ctx.enqueue(Arcs.TX, bi);
            }
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "adjacency " + mem.nextHop(bi) + " tx interface " + mem.txInterface(bi)
                + " ttl " + mem.u8(bi, Ip4.TTL) + " length " + mem.length(bi);
    }
}
