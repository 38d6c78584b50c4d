package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.neighbour.Ip6NeighbourRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.NeighbourDiscovery;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * {@code ip6-nd-glean}: IPv6 packets whose adjacency ({@code nextHop(bi)}) cannot send them
 * yet; the IPv6 twin of {@code arp-glean}. For a {@code GLEAN} adjacency (connected subnet)
 * the neighbour to resolve is the packet's own destination; for an {@code INCOMPLETE}
 * neighbour adjacency it is the adjacency's next hop. Packet start = IPv6 header, as
 * {@code ip6-lookup} leaves it.
 *
 * <p>Packets that could never be forwarded (unspecified source, link-local source or
 * destination: RFC 4291 sections 2.5.2 and 2.5.6) are dropped first, so they start no
 * resolution. A multicast destination is no neighbour (RFC 4861 section 7.1.1 refuses a
 * multicast target), dropped as well.
 *
 * <p>When the neighbour table already knows the MAC, the packet is forwarded from here with
 * the duties of {@code ip6-rewrite} ({@link Ip6NextHop}): hop limit 0 or 1 goes to
 * {@code icmp-error} as Time Exceeded, larger than the MTU as Packet Too Big; otherwise the
 * hop limit is decremented, the Ethernet header written in the headroom, and the packet
 * leaves on {@code resolved} with {@code txInterface} set.
 *
 * <p>When the MAC is unknown, a Neighbor Solicitation leaves on arc {@code request}, at most
 * one per neighbour per interval ({@link Ip6NeighbourRequester}), and the packet is dropped
 * as "ip6 neighbour resolution pending". RFC 4861 section 7.2.2 lets a node queue a few
 * packets per neighbour; like {@code arp-glean} and VPP we do not, so that nobody can make
 * us hold buffers for unresolvable destinations.
 */
public final class Ip6NeighbourGlean extends Stage<Ip6NeighbourGlean.Params> {
    public static final String NAME = "ip6-nd-glean";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REQUEST, RESOLVED, ICMP_ERROR }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        PENDING("ip6 neighbour resolution pending"),
        SOLICITATIONS_SENT("neighbour solicitations sent"),
        RATE_LIMITED("neighbour solicitations rate limited"),
        NO_BUFFER("no buffer for neighbour solicitation"),
        NOT_GLEAN("not a glean or incomplete adjacency"),
        NOT_IP6("not an ip6 adjacency"),
        UNKNOWN_INTERFACE("unknown interface"),
        TRUNCATED("truncated ip6 header"),
        UNSPECIFIED_SOURCE("ip6 unspecified source not forwarded"),
        LINK_LOCAL("ip6 link-local not forwarded"),
        MULTICAST_DESTINATION("ip6 multicast destination has no neighbour"),
        NO_HEADROOM("no headroom for ethernet header"),
        HOP_LIMIT_EXPIRED("ttl expired"),
        MTU_EXCEEDED("mtu exceeded");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private static final Ip6NextHop.Codes NEXT_HOP = new Ip6NextHop.Codes(Arcs.ICMP_ERROR.ordinal(),
            Errors.UNSPECIFIED_SOURCE.ordinal(), Errors.LINK_LOCAL.ordinal(), Errors.HOP_LIMIT_EXPIRED.ordinal(),
            Errors.MTU_EXCEEDED.ordinal(), Errors.NO_HEADROOM.ordinal());

    private static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    /**
     * @param interfaces the tx interface's MAC, MTU and addresses
     * @param tables the forwarding tables workers currently use; read once per frame
     * @param requester builds and throttles the solicitations; its neighbour table is the
     *     one consulted
     */
    public record Params(InterfaceTable interfaces, Supplier<ForwardingTables> tables,
                         Ip6NeighbourRequester requester) {}

    public Ip6NeighbourGlean(Params params) {
        super(SPEC, params);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.interfaces() == null || p.tables() == null || p.requester() == null) {
            throw new IllegalArgumentException(NAME + ": interfaces, forwarding tables and a requester are required");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params params = params();
        InterfaceTable interfaces = params.interfaces();
        AdjacencyTable.Snapshot adjacencies = params.tables().get().adjacencies();
        Ip6NeighbourRequester requester = params.requester();
        NeighbourTable neighbours = requester.neighbours();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        long now = ctx.now();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int adj = mem.nextHop(bi);
            if (adj < 0 || adj >= adjacencies.size()) {
                ctx.drop(bi, Errors.NOT_GLEAN);
                continue;
            }
            AdjacencyKind kind = adjacencies.kind(adj);
            if (kind != AdjacencyKind.GLEAN && kind != AdjacencyKind.INCOMPLETE) {
                ctx.drop(bi, Errors.NOT_GLEAN);
                continue;
            }
            if (!adjacencies.isIp6(adj)) {
                ctx.drop(bi, Errors.NOT_IP6);
                continue;
            }
            NetInterface tx = interfaces.get(adjacencies.txInterface(adj));
            if (tx == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                continue;
            }
            if (mem.length(bi) < Ip6.HEADER) {
                ctx.drop(bi, Errors.TRUNCATED);
                continue;
            }
            long ip = mem.start(bi);
            if (Ip6NextHop.outOfScope(ctx, data, bi, ip, NEXT_HOP)) {
                continue;
            }
            long targetHi;
            long targetLo;
            if (kind == AdjacencyKind.GLEAN) {
                targetHi = data.get(Net.U64, ip + Ip6.DESTINATION);
                targetLo = data.get(Net.U64, ip + Ip6.DESTINATION + 8);
            } else {
                targetHi = adjacencies.nextHop6Hi(adj);
                targetLo = adjacencies.nextHop6Lo(adj);
            }
            if (Ip6.isMulticast(targetHi)) {
                ctx.drop(bi, Errors.MULTICAST_DESTINATION);
                continue;
            }
            long mac = neighbours.lookup6(tx.index(), targetHi, targetLo);
            if (mac == NeighbourTable.NONE) {
                int request = requester.request(ctx.buffers(), tx, targetHi, targetLo, now);
                switch (request) {
                    case Ip6NeighbourRequester.RATE_LIMITED -> ctx.count(Errors.RATE_LIMITED, 1);
                    case Ip6NeighbourRequester.NO_BUFFER -> ctx.count(Errors.NO_BUFFER, 1);
                    // Answered between our lookup and the claim: use it.
                    case Ip6NeighbourRequester.RESOLVED -> mac = neighbours.lookup6(tx.index(), targetHi, targetLo);
                    default -> {
                        ctx.count(Errors.SOLICITATIONS_SENT, 1);
                        ctx.enqueue(Arcs.REQUEST, request);
                    }
                }
                if (mac == NeighbourTable.NONE) {
                    ctx.drop(bi, Errors.PENDING);
                    continue;
                }
            }
            forward(ctx, mem, data, bi, ip, tx, mac);
        }
    }

    /** What {@code ip6-rewrite} does for a complete adjacency, with the MAC from the table. */
    private static void forward(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, long ip,
            NetInterface tx, long mac) {
        if (Ip6NextHop.expired(ctx, mem, data, bi, ip, NEXT_HOP)
                || !Ip6NextHop.prepare(ctx, mem, data, bi, ip, tx.mtu(), Ethernet.HEADER_LENGTH, NEXT_HOP)) {
            return;
        }
        mem.push(bi, Ethernet.HEADER_LENGTH);
        NeighbourDiscovery.writeEthernetHeader(data, mem.start(bi), mac, tx.mac());
        mem.txInterface(bi, tx.index());
        ctx.enqueue(Arcs.RESOLVED, bi);
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        int adj = mem.nextHop(bi);
        AdjacencyTable.Snapshot adjacencies = params().tables().get().adjacencies();
        if (adj < 0 || adj >= adjacencies.size()) {
            return "adjacency " + adj + " unknown";
        }
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        String target = adjacencies.kind(adj) == AdjacencyKind.GLEAN && mem.length(bi) >= Ip6.HEADER
                ? Prefixes.format6(data.get(Net.U64, ip + Ip6.DESTINATION), data.get(Net.U64, ip + Ip6.DESTINATION + 8))
                : Prefixes.format6(adjacencies.nextHop6Hi(adj), adjacencies.nextHop6Lo(adj));
        return "adjacency " + adj + " " + adjacencies.kind(adj) + " via if" + adjacencies.txInterface(adj)
                + ", resolving " + target;
    }
}
