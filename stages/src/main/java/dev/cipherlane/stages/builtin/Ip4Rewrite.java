package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

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
 * <p>Both ICMP cases leave on {@code icmp-error} unmodified, with the request in the opaque
 * word ({@link IcmpErrorRequest}), so the error quotes the packet as it was received.
 */
public final class Ip4Rewrite extends Stage<Ip4Rewrite.Params> {
    public static final String NAME = "ip4-rewrite";

    public static final int ARC_TX = 0;
    public static final int ARC_ICMP_ERROR = 1;

    public static final int TTL_EXPIRED = 0;
    public static final int MTU_EXCEEDED = 1;
    public static final int FRAGMENTATION_NOT_SUPPORTED = 2;
    public static final int STALE_ADJACENCY = 3;
    public static final int NO_TX_INTERFACE = 4;
    public static final int NO_HEADROOM = 5;

    public static final StageSpec SPEC = new StageSpec(NAME, List.of("tx", "icmp-error"), List.of(
            "ttl expired",
            "mtu exceeded",
            "fragmentation not supported",
            "adjacency not complete",
            "tx interface unknown",
            "no headroom for l2 header"));

    private static final int TIME_EXCEEDED = IcmpErrorRequest.encode(IcmpErrorRequest.ICMP4_TIME_EXCEEDED, 0, 0);

    /**
     * @param tables     the current forwarding tables (adjacency rewrites); read once per frame
     * @param interfaces the interfaces, for the tx interface's MTU
     */
    public record Params(Supplier<ForwardingTables> tables, InterfaceTable interfaces) {}

    public Ip4Rewrite(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.tables() == null || p.interfaces() == null) {
            throw new IllegalArgumentException(NAME + ": forwarding tables and interfaces are required");
        }
        return p;
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
            int ttlProtocol = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TTL));
            if (ttlProtocol >>> 8 <= 1) {
                mem.opaque(bi, TIME_EXCEEDED);
                ctx.count(TTL_EXPIRED, 1);
                ctx.enqueue(ARC_ICMP_ERROR, bi);
                continue;
            }
            int adj = mem.nextHop(bi);
            // The tables may have been republished since lookup chose adj.
            if (adj < 0 || adj >= adjs.size() || adjs.kind(adj) != AdjacencyKind.REWRITE) {
                ctx.drop(bi, STALE_ADJACENCY);
                continue;
            }
            int tx = mem.txInterface(bi);
            if (tx != lastTx) {
                NetInterface itf = interfaces.get(tx);
                if (itf == null) {
                    ctx.drop(bi, NO_TX_INTERFACE);
                    continue;
                }
                lastTx = tx;
                mtu = itf.mtu();
            }
            if (mem.length(bi) > mtu && mem.gsoSize(bi) == 0) {
                if ((data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT) & Ip4.DONT_FRAGMENT) != 0) {
                    mem.opaque(bi, IcmpErrorRequest.encode(IcmpErrorRequest.ICMP4_UNREACHABLE,
                            IcmpErrorRequest.ICMP4_FRAGMENTATION_NEEDED, mtu));
                    ctx.count(MTU_EXCEEDED, 1);
                    ctx.enqueue(ARC_ICMP_ERROR, bi);
                } else {
                    ctx.drop(bi, FRAGMENTATION_NOT_SUPPORTED);
                }
                continue;
            }
            if (mem.dataOffset(bi) < AdjacencyTable.REWRITE_LENGTH) {
                ctx.drop(bi, NO_HEADROOM);
                continue;
            }
            int decremented = ttlProtocol - 0x100;
            data.set(Net.U16, ip + Ip4.TTL, (short) decremented);
            int checksum = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.CHECKSUM));
            data.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.update(checksum, ttlProtocol, decremented));
            mem.push(bi, AdjacencyTable.REWRITE_LENGTH);
            MemorySegment.copy(rewrites, adjs.rewriteOffset(adj), data, ip - AdjacencyTable.REWRITE_LENGTH,
                    AdjacencyTable.REWRITE_LENGTH);
            ctx.enqueue(ARC_TX, bi);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "adjacency " + mem.nextHop(bi) + " tx interface " + mem.txInterface(bi)
                + " ttl " + mem.u8(bi, Ip4.TTL) + " length " + mem.length(bi);
    }
}
