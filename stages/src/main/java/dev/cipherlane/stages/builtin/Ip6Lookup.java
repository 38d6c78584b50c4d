package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.wire.Ip6;
import java.lang.foreign.MemorySegment;

/**
 * Longest-prefix match on the IPv6 destination, then the ECMP path by flow hash; the same
 * contract as {@link Ip4Lookup}: adjacency into {@code nextHop}, its interface into
 * {@code txInterface}, arc by adjacency kind, tables read once per frame. Neighbour
 * discovery sits behind {@code glean}; tunnel adjacencies go to {@code tunnel}, as in
 * {@link Ip4Lookup}. The source is judged first, as described in {@link IpLookup}.
 */
public final class Ip6Lookup extends IpLookup {
    public static final String NAME = "ip6-lookup";

    public Ip6Lookup(Params params) {
        super(NAME, params);
    }

    /** fe80::/10, link-local unicast (RFC 4291 section 2.5.6). */
    private static final long LINK_LOCAL_MASK = 0xFFC0_0000_0000_0000L;
    private static final long LINK_LOCAL = 0xFE80_0000_0000_0000L;

    @Override
    public void process(Frame frame, StageContext ctx) {
        ForwardingTables tables = params().tables().get();
        IngressFilter ingress = params().ingress().get();
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
            int hash = mem.flowHash(bi);
            int adj = lbs.pick(fib.lookup(hi, lo), hash);
            int refusal = judge(ingress, fib, lbs, adjs, mem, bi, data.get(Net.U64, ip + Ip6.SOURCE),
                    data.get(Net.U64, ip + Ip6.SOURCE + 8), hi, adj, hash);
            admitOrDrop(ctx, mem, adjs, bi, adj, refusal);
        }
    }

    /**
     * The ingress checks of {@link IpLookup} for one IPv6 packet from {@code sourceHi:sourceLo},
     * whose destination starts with {@code destinationHi} and routes to {@code adj}.
     */
    private static int judge(IngressFilter ingress, Ip6Fib.Snapshot fib, LoadBalanceTable.Snapshot lbs,
            AdjacencyTable.Snapshot adjs, PacketMemory mem, int bi, long sourceHi, long sourceLo,
            long destinationHi, int adj, int hash) {
        int flags = mem.flags(bi);
        if ((flags & PacketFlags.ORIGINATED) != 0) {
            return ADMITTED;
        }
        if ((flags & PacketFlags.DECAPSULATED) != 0) {
            return ingress.checksTunnels()
                    ? fromTunnel(ingress, adjs, mem.opaque(bi), lbs.pick(fib.lookup(sourceHi, sourceLo), hash), adj)
                    : ADMITTED;
        }
        int rx = mem.rxInterface(bi);
        return switch (ingress.role(rx)) {
            case POD -> ingress.podSends6(rx, sourceHi, sourceLo)
                    || linkScopedSource(sourceHi, sourceLo) && linkScopedDestination(destinationHi)
                    ? ADMITTED : Errors.SPOOFED_POD_SOURCE.ordinal();
            case UPLINK -> fromUplink(ingress, adjs, lbs.pick(fib.lookup(sourceHi, sourceLo), hash), adj);
            case HOST -> fromHost(adjs, adj);
            case UNCHECKED -> ADMITTED;
        };
    }

    /**
     * A link-local source, or the unspecified one of duplicate address detection (RFC 4862
     * section 5.4.2): what a pod's kernel sends ND (RFC 4861 section 4) and MLD (RFC 3810
     * section 5) from, before and besides its own address.
     */
    static boolean linkScopedSource(long hi, long lo) {
        return (hi & LINK_LOCAL_MASK) == LINK_LOCAL || (hi | lo) == 0;
    }

    /**
     * Link-local unicast, or multicast of interface- or link-local scope (RFC 4291 section
     * 2.7: scope nibble 1 or 2): a packet to such a destination never leaves the link, so a
     * link-scoped source speaks only to us.
     */
    static boolean linkScopedDestination(long hi) {
        if ((hi & LINK_LOCAL_MASK) == LINK_LOCAL) {
            return true;
        }
        int scope = (int) (hi >>> 48) & 0xF;
        return (hi >>> 56) == 0xFF && (scope == 1 || scope == 2);
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
