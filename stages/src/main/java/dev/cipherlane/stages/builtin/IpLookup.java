package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.IngressFilter;
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
abstract sealed class IpLookup extends Stage<IpLookup.Params> permits Ip4Lookup, Ip4CachedLookup, Ip6Lookup {
    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REWRITE, LOCAL, GLEAN, PUNT, TUNNEL }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_ROUTE("no route"),
        /** A pod's tap carried a source that is not the pod's (RFC 4301 section 5.2, RFC 3704 section 2.2). */
        SPOOFED_POD_SOURCE("pod source not its own"),
        /** Clear on the uplink from a peer's pod CIDRs: those come only through that peer's tunnel. */
        CLEAR_FROM_PEER_CIDR("clear packet from a peer pod cidr"),
        /** Clear on the uplink from one of our pods' addresses: those come only from the pod's tap. */
        CLEAR_FROM_LOCAL_POD("clear packet from a local pod address"),
        /** Clear traffic from the uplink never enters a tunnel: the peer would take it as authentic. */
        CLEAR_INTO_TUNNEL("clear packet into a tunnel"),
        /** Tunnels carry pod traffic only; the node's own traffic is not in their selectors. */
        HOST_INTO_TUNNEL("host packet into a tunnel"),
        /** A decapsulated packet whose source is outside its tunnel's peer's pod CIDRs. */
        TUNNEL_SOURCE_NOT_PEER("tunnel source outside the peer pod cidrs"),
        /** A decapsulated packet not addressed to one of this node's pods. */
        TUNNEL_DESTINATION_NOT_POD("tunnel destination not a local pod");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /**
     * @param tables  the current forwarding tables; called once per frame, typically a volatile read
     * @param ingress the current ingress filter; called once per frame, as {@code tables}
     */
    public record Params(Supplier<ForwardingTables> tables, Supplier<IngressFilter> ingress) {
        /** Routing on the destination alone ({@link IngressFilter#NONE}). */
        public Params(Supplier<ForwardingTables> tables) {
            this(tables, () -> IngressFilter.NONE);
        }
    }

    /** What the ingress checks return when they let a packet through. */
    static final int ADMITTED = -1;

    IpLookup(String name, Params params) {
        super(StageSpec.of(name, Arcs.class, Errors.class),
                params);
    }

    @Override
    protected final Params validate(Params p) {
        if (p == null || p.tables() == null) {
            throw new IllegalArgumentException(name() + ": a forwarding table supplier is required");
        }
        if (p.ingress() == null) {
            throw new IllegalArgumentException(name() + ": an ingress filter supplier is required");
        }
        return p;
    }

    /*
     * Ingress checks (RFC 4301 section 5.2: inbound traffic is checked against what may come in
     * where; RFC 3704 section 2.2: strict reverse path). The lookup already holds the FIB, so a
     * source that must route back the way the packet came is one more LPM, and "the way it came"
     * is a tunnel's peer or an interface's role:
     *
     *   pod tap      the pod's own address (IPv6 link-local or :: only to link-scoped
     *                destinations: ND and MLD, RFC 4861 section 4, RFC 4862 section 5.4.2);
     *   uplink       clear: a source routed to a tunnel (a peer's pod CIDRs) or to a local pod is
     *                forged; a destination routed to a tunnel is refused, or the peer would take
     *                our clear input as its authentic tunnel traffic;
     *   host tap     the kernel's traffic reaches anything but a tunnel: tunnels carry pod-to-pod
     *                traffic only, and the peer, judging by its tunnel's selectors, would refuse
     *                the node's source anyway (and answer in clear, which we would refuse);
     *   decapsulated the source must route back into a tunnel of the same peer (its pod CIDRs:
     *                ECMP may pick another of its tunnels) and the destination to a local pod. The
     *                node's own addresses are not reachable through tunnels (see host tap).
     *
     * Packets this node built (ICMP errors, flagged ORIGINATED) and interfaces the filter does not
     * know pass unjudged. Each check returns ADMITTED or the ordinal of its refusal.
     */

    /** A clear packet from the uplink, whose source routes to {@code sourceAdj} and destination to {@code adj}. */
    static int fromUplink(IngressFilter ingress, AdjacencyTable.Snapshot adjs, int sourceAdj, int adj) {
        if (adjs.tunnel(sourceAdj) != AdjacencyTable.NO_TUNNEL) {
            return Errors.CLEAR_FROM_PEER_CIDR.ordinal();
        }
        if (adjs.kind(sourceAdj) == AdjacencyKind.REWRITE && ingress.isPod(adjs.txInterface(sourceAdj))) {
            return Errors.CLEAR_FROM_LOCAL_POD.ordinal();
        }
        if (adjs.tunnel(adj) != AdjacencyTable.NO_TUNNEL) {
            return Errors.CLEAR_INTO_TUNNEL.ordinal();
        }
        return ADMITTED;
    }

    /** A packet from the host tap routed to {@code adj}. */
    static int fromHost(AdjacencyTable.Snapshot adjs, int adj) {
        return adjs.tunnel(adj) != AdjacencyTable.NO_TUNNEL ? Errors.HOST_INTO_TUNNEL.ordinal() : ADMITTED;
    }

    /** A packet out of {@code tunnel}, whose source routes to {@code sourceAdj} and destination to {@code adj}. */
    static int fromTunnel(IngressFilter ingress, AdjacencyTable.Snapshot adjs, int tunnel, int sourceAdj, int adj) {
        int peer = ingress.peerOf(tunnel);
        int sourceTunnel = adjs.tunnel(sourceAdj);
        if (peer == IngressFilter.NO_PEER || sourceTunnel == AdjacencyTable.NO_TUNNEL
                || ingress.peerOf(sourceTunnel) != peer) {
            return Errors.TUNNEL_SOURCE_NOT_PEER.ordinal();
        }
        if (adjs.tunnel(adj) != AdjacencyTable.NO_TUNNEL || adjs.kind(adj) != AdjacencyKind.REWRITE
                || !ingress.isPod(adjs.txInterface(adj))) {
            return Errors.TUNNEL_DESTINATION_NOT_POD.ordinal();
        }
        return ADMITTED;
    }

    /**
     * Sends {@code bi} on as {@link #dispatch} does when {@code refusal} is {@link #ADMITTED}, or
     * drops it under that refusal.
     */
    static void admitOrDrop(StageContext ctx, PacketMemory mem, AdjacencyTable.Snapshot adjs, int bi, int adj,
            int refusal) {
        if (refusal == ADMITTED) {
            dispatch(ctx, mem, adjs, bi, adj);
        } else {
            ctx.drop(bi, refusal);
        }
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
