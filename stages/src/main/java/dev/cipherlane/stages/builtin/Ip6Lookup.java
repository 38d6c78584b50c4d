package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

/**
 * Longest-prefix match on the IPv6 destination, then the ECMP path by flow hash; the same
 * contract as {@link Ip4Lookup}: adjacency into {@code nextHop}, its interface into
 * {@code txInterface}, arc by adjacency kind, tables read once per frame. Neighbour
 * discovery sits behind {@code glean}; tunnel adjacencies go to {@code tunnel}, as in
 * {@link Ip4Lookup}.
 */
public final class Ip6Lookup extends Stage<Ip6Lookup.Params> {
    public static final String NAME = "ip6-lookup";

    public static final int ARC_REWRITE = 0;
    public static final int ARC_LOCAL = 1;
    public static final int ARC_GLEAN = 2;
    public static final int ARC_PUNT = 3;
    public static final int ARC_TUNNEL = 4;

    public static final int NO_ROUTE = 0;

    public static final StageSpec SPEC = new StageSpec(NAME,
            List.of("rewrite", "local", "glean", "punt", "tunnel"),
            List.of("no route"));

    /** @param tables the current forwarding tables; called once per frame, typically a volatile read */
    public record Params(Supplier<ForwardingTables> tables) {}

    public Ip6Lookup(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.tables() == null) {
            throw new IllegalArgumentException(NAME + ": a forwarding table supplier is required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        ForwardingTables tables = params().tables().get();
        Ip6Fib.Snapshot fib = tables.ip6();
        LoadBalanceTable.Snapshot lbs = tables.loadBalances();
        AdjacencyTable.Snapshot adjs = tables.adjacencies();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            long ip = mem.start(bi);
            long hi = data.get(Net.U64, ip + Ip6.DESTINATION);
            long lo = data.get(Net.U64, ip + Ip6.DESTINATION + 8);
            int adj = lbs.pick(fib.lookup(hi, lo), mem.flowHash(bi));
            mem.nextHop(bi, adj);
            mem.txInterface(bi, adjs.txInterface(adj));
            // A tunnel adjacency reads DROP by kind (AdjacencyTable): its tunnel index decides first.
            int arc = adjs.tunnel(adj) != AdjacencyTable.NO_TUNNEL ? ARC_TUNNEL : arcFor(adjs.kind(adj));
            if (arc < 0) {
                ctx.drop(bi, NO_ROUTE);
                continue;
            }
            if (arc == ARC_LOCAL) {
                mem.setFlag(bi, PacketFlags.LOCAL);
            }
            ctx.enqueue(arc, bi);
        }
    }

    /** Next arc for an adjacency kind, -1 for DROP; a switch expression, so a new kind fails to compile. */
    static int arcFor(AdjacencyKind kind) {
        return switch (kind) {
            case REWRITE -> ARC_REWRITE;
            case LOCAL -> ARC_LOCAL;
            case GLEAN, INCOMPLETE -> ARC_GLEAN;
            case PUNT -> ARC_PUNT;
            case DROP -> -1;
        };
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        return "destination " + Prefixes.format6(data.get(Net.U64, ip + Ip6.DESTINATION),
                data.get(Net.U64, ip + Ip6.DESTINATION + 8))
                + " flow hash 0x" + Integer.toHexString(mem.flowHash(bi));
    }
}
