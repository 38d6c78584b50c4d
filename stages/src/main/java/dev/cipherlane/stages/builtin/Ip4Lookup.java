package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.MemorySegment;

/**
 * Longest-prefix match on the IPv4 destination, then the ECMP path by flow hash: the
 * adjacency goes into {@code nextHop}, its interface into {@code txInterface}, and its kind
 * picks the arc. The packet starts at the IP header and carries the flow hash that
 * {@code ip4-input} (or {@code icmp4-error}) computed.
 *
 * <p>The forwarding tables are read once per frame; FIB, load balancers and adjacencies come
 * from that one capture, so their indices agree (see {@link ForwardingTables}).
 *
 * <p>Both neighbour-unknown kinds go to {@code glean}: GLEAN (connected subnet, resolve the
 * packet's destination) and INCOMPLETE (resolve the adjacency's next hop); the ARP stage
 * tells them apart by the adjacency in {@code nextHop}.
 *
 * <p>A tunnel adjacency ({@code AdjacencyTable.addTunnel}) goes to {@code tunnel}, towards
 * {@code ipip-encap}, with the adjacency in {@code nextHop}. Its kind reads DROP, so the tunnel
 * index is checked first; a graph without tunnels connects {@code tunnel} to a drop, and such
 * traffic is never sent in clear.
 *
 * <p>Before that, the packet's source is judged against where it came from ({@link IngressFilter},
 * read once per frame; the checks are described in {@link IpLookup}); a refused packet is dropped
 * under its own reason.
 */
public final class Ip4Lookup extends IpLookup {
    public static final String NAME = "ip4-lookup";

    public Ip4Lookup(Params params) {
        super(NAME, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        ForwardingTables tables = params().tables().get();
        IngressFilter ingress = params().ingress().get();
        Ip4Fib.Snapshot fib = tables.ip4();
        LoadBalanceTable.Snapshot lbs = tables.loadBalances();
        AdjacencyTable.Snapshot adjs = tables.adjacencies();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            long ip = mem.start(bi);
            int destination = data.get(Net.U32, ip + Ip4.DESTINATION);
            int hash = mem.flowHash(bi);
            int adj = lbs.pick(fib.lookup(destination), hash);
            int refusal = judge(ingress, fib, lbs, adjs, mem, bi, data.get(Net.U32, ip + Ip4.SOURCE), adj, hash);
            admitOrDrop(ctx, mem, adjs, bi, adj, refusal);
        }
    }

    /** The ingress checks of {@link IpLookup} for one IPv4 packet from {@code source} routed to {@code adj}. */
    static int judge(IngressFilter ingress, Ip4Fib.Snapshot fib, LoadBalanceTable.Snapshot lbs,
            AdjacencyTable.Snapshot adjs, PacketMemory mem, int bi, int source, int adj, int hash) {
        int flags = mem.flags(bi);
        if ((flags & PacketFlags.ORIGINATED) != 0) {
            return ADMITTED;
        }
        if ((flags & PacketFlags.DECAPSULATED) != 0) {
            return ingress.checksTunnels()
                    ? fromTunnel(ingress, adjs, mem.opaque(bi), lbs.pick(fib.lookup(source), hash), adj)
                    : ADMITTED;
        }
        int rx = mem.rxInterface(bi);
        return switch (ingress.role(rx)) {
            case POD -> ingress.podSends4(rx, source) ? ADMITTED : Errors.SPOOFED_POD_SOURCE.ordinal();
            case UPLINK -> fromUplink(ingress, adjs, lbs.pick(fib.lookup(source), hash), adj);
            case HOST -> fromHost(adjs, adj);
            case UNCHECKED -> ADMITTED;
        };
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "destination " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                + " flow hash 0x" + Integer.toHexString(mem.flowHash(bi));
    }
}
