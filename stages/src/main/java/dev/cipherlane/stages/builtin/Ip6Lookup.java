package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip6Fib;
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
 * {@link Ip4Lookup}.
 */
public final class Ip6Lookup extends IpLookup {
    public static final String NAME = "ip6-lookup";

    public Ip6Lookup(Params params) {
        super(NAME, params);
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
            dispatch(ctx, mem, adjs, bi, adj);
        }
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
