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
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * {@code arp-glean}: IPv4 packets whose adjacency ({@code nextHop(bi)}) cannot send them
 * yet. For a {@code GLEAN} adjacency (connected subnet) the next hop is the packet's own
 * destination; for an {@code INCOMPLETE} neighbour adjacency it is the adjacency's next
 * hop. Packet start = IPv4 header, as the IP stages leave it.
 *
 * <p>When the neighbour table already knows the MAC (the adjacency was captured before
 * ARP completed it, or a host on a connected subnet with no host route of its own), the
 * packet is forwarded from here with the same duties as {@code ip4-rewrite}, in {@link
 * Ip4NextHop}: TTL 0 or 1 goes to {@code icmp-error} as Time Exceeded (RFC 1812 section
 * 5.3.1); too big for the MTU goes there as Fragmentation Needed when DF is set (RFC 1191
 * section 4), else is dropped; otherwise the TTL is decremented with an incremental
 * checksum update (RFC 1624), the Ethernet header written in the headroom, and the packet
 * leaves on {@code resolved} with {@code txInterface} set.
 *
 * <p>When the MAC is unknown, the stage sends an ARP request on arc {@code request}, at
 * most one per next hop per interval ({@link ArpRequester}), and drops the packet as "arp
 * resolution pending", as VPP does: holding packets would need buffers per unresolved
 * destination that anyone can make us spend. IPv6 adjacencies are {@code ip6-nd-glean}'s
 * ({@link Ip6NeighbourGlean}); one miswired here is dropped.
 */
public final class ArpGlean extends Stage<ArpGlean.Params> {
    public static final String NAME = "arp-glean";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REQUEST, RESOLVED, ICMP_ERROR }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        PENDING("arp resolution pending"),
        REQUESTS_SENT("arp requests sent"),
        RATE_LIMITED("arp requests rate limited"),
        NO_BUFFER("no buffer for arp request"),
        NOT_GLEAN("not a glean or incomplete adjacency"),
        IP6_UNSUPPORTED("ip6 neighbour discovery not supported"),
        UNKNOWN_INTERFACE("unknown interface"),
        TRUNCATED("truncated ip4 header"),
        NO_HEADROOM("no headroom for ethernet header"),
        TTL_EXPIRED("ttl expired"),
        MTU_EXCEEDED("mtu exceeded"),
        FRAGMENTATION_NOT_SUPPORTED("fragmentation not supported");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private static final Ip4NextHop.Codes NEXT_HOP = new Ip4NextHop.Codes(Arcs.ICMP_ERROR.ordinal(),
            Errors.TTL_EXPIRED.ordinal(), Errors.MTU_EXCEEDED.ordinal(), Errors.FRAGMENTATION_NOT_SUPPORTED.ordinal(),
            Errors.NO_HEADROOM.ordinal());

    private static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    /**
     * @param interfaces the tx interface's MAC and addresses
     * @param tables the forwarding tables workers currently use; read once per frame
     * @param requester builds and throttles the requests; its neighbour table is the one
     *     consulted
     */
    public record Params(InterfaceTable interfaces, Supplier<ForwardingTables> tables, ArpRequester requester) {}

    public ArpGlean(Params params) {
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
        ArpRequester requester = params.requester();
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
            if (adjacencies.isIp6(adj)) {
                ctx.drop(bi, Errors.IP6_UNSUPPORTED);
                continue;
            }
            NetInterface tx = interfaces.get(adjacencies.txInterface(adj));
            if (tx == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                continue;
            }
            if (mem.length(bi) < Ip4.MIN_HEADER) {
                ctx.drop(bi, Errors.TRUNCATED);
                continue;
            }
            int target = kind == AdjacencyKind.GLEAN
                    ? data.get(Net.U32, mem.start(bi) + Ip4.DESTINATION)
                    : adjacencies.nextHop4(adj);
            long mac = neighbours.lookup4(tx.index(), target);
            if (mac == NeighbourTable.NONE) {
                int request = requester.request(ctx.buffers(), tx, target, now);
                switch (request) {
                    case ArpRequester.RATE_LIMITED -> ctx.count(Errors.RATE_LIMITED, 1);
                    case ArpRequester.NO_BUFFER -> ctx.count(Errors.NO_BUFFER, 1);
                    // Answered between our lookup and the claim: use it.
                    case ArpRequester.RESOLVED -> mac = neighbours.lookup4(tx.index(), target);
                    default -> {
                        ctx.count(Errors.REQUESTS_SENT, 1);
                        ctx.enqueue(Arcs.REQUEST, request);
                    }
                }
                if (mac == NeighbourTable.NONE) {
                    ctx.drop(bi, Errors.PENDING);
                    continue;
                }
            }
            forward(ctx, mem, bi, tx, mac);
        }
    }

    /** What {@code ip4-rewrite} does for a complete adjacency, with the MAC from the table. */
    private static void forward(StageContext ctx, PacketMemory mem, int bi, NetInterface tx, long mac) {
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        if (Ip4NextHop.expired(ctx, mem, data, bi, ip, NEXT_HOP)
                || !Ip4NextHop.prepare(ctx, mem, data, bi, ip, tx.mtu(), Ethernet.HEADER_LENGTH, NEXT_HOP)) {
            return;
        }
        mem.push(bi, Ethernet.HEADER_LENGTH);
        long e = mem.start(bi);
        Ethernet.writeMac(data, e + Ethernet.DESTINATION, mac);
        Ethernet.writeMac(data, e + Ethernet.SOURCE, tx.mac());
        data.set(Net.U16, e + Ethernet.ETHERTYPE, (short) Ethernet.ETHERTYPE_IP4);
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
        String target = adjacencies.kind(adj) == AdjacencyKind.GLEAN && mem.length(bi) >= Ip4.MIN_HEADER
                ? Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                : Prefixes.format4(adjacencies.nextHop4(adj));
        return "adjacency " + adj + " " + adjacencies.kind(adj) + " via if" + adjacencies.txInterface(adj)
                + ", resolving " + target;
    }
}
