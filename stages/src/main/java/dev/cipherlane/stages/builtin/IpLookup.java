package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.function.Supplier;

/**
 * What {@code ip4-lookup} and {@code ip6-lookup} share: parameters, arcs, and what happens
 * once the adjacency is chosen. Each family keeps its own loop (the FIB and the address
 * width differ) and calls {@link #dispatch} statically, so the per-packet path has no
 * virtual call.
 */
abstract sealed class IpLookup extends Stage<IpLookup.Params> permits Ip4Lookup, Ip6Lookup {
    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REWRITE, LOCAL, GLEAN, PUNT, TUNNEL }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_ROUTE("no route");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /** @param tables the current forwarding tables; called once per frame, typically a volatile read */
    public record Params(Supplier<ForwardingTables> tables) {}

    IpLookup(String name, Params params) {
        super(StageSpec.of(name, Arcs.class, Errors.class),
                params);
    }

    @Override
    protected final Params validate(Params p) {
        if (p == null || p.tables() == null) {
            throw new IllegalArgumentException(name() + ": a forwarding table supplier is required");
        }
        return p;
    }

    /**
     * Records adjacency {@code adj} in the packet's metadata and sends the packet on the arc
     * its kind calls for, or drops it when the route is a drop.
     */
    static void dispatch(StageContext ctx, PacketMemory mem, AdjacencyTable.Snapshot adjs, int bi, int adj) {
        mem.nextHop(bi, adj);
        mem.txInterface(bi, adjs.txInterface(adj));
        // A tunnel adjacency reads DROP by kind (AdjacencyTable): its tunnel index decides first.
        int arc = adjs.tunnel(adj) != AdjacencyTable.NO_TUNNEL ? Arcs.TUNNEL.ordinal() : arcFor(adjs.kind(adj));
        if (arc < 0) {
            ctx.drop(bi, Errors.NO_ROUTE);
            return;
        }
        if (arc == Arcs.LOCAL.ordinal()) {
            mem.setFlag(bi, PacketFlags.LOCAL);
        }
        ctx.enqueue(arc, bi);
    }

    /** Next arc for an adjacency kind, -1 for DROP; a switch expression, so a new kind fails to compile. */
    static int arcFor(AdjacencyKind kind) {
        return switch (kind) {
            case REWRITE -> Arcs.REWRITE.ordinal();
            case LOCAL -> Arcs.LOCAL.ordinal();
            case GLEAN, INCOMPLETE -> Arcs.GLEAN.ordinal();
            case PUNT -> Arcs.PUNT.ordinal();
            case DROP -> -1;
        };
    }
}
