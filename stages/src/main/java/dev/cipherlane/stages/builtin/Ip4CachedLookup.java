package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.MemorySegment;

/**
 * {@code ip4-lookup} for frames that are mostly one flow (a TCP stream's segments arrive in
 * runs): the FIB leaf of the previous packet's destination is reused while the destination
 * repeats, so a run costs one longest-prefix match. The ECMP pick by flow hash and the
 * ingress checks stay per packet, so it forwards exactly as {@link Ip4Lookup} does; the
 * cache lives in locals for one frame (one capture of the tables), so it is never stale and
 * each worker has its own. Implementation {@value #IMPLEMENTATION} of the slot, swapped in
 * and out live.
 */
public final class Ip4CachedLookup extends IpLookup {
    public static final String IMPLEMENTATION = "frame-cache";

    public Ip4CachedLookup(Params params) {
        super(Ip4Lookup.NAME, params);
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
        int lastDestination = 0;
        int lastLeaf = 0;
        boolean cached = false;
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            long ip = mem.start(bi);
            int destination = data.get(Net.U32, ip + Ip4.DESTINATION);
            if (!cached || destination != lastDestination) {
                lastLeaf = fib.lookup(destination);
                lastDestination = destination;
                cached = true;
            }
            int hash = mem.flowHash(bi);
            int adj = lbs.pick(lastLeaf, hash);
            int refusal = Ip4Lookup.judge(ingress, fib, lbs, adjs, mem, bi, data.get(Net.U32, ip + Ip4.SOURCE), adj,
                    hash);
            admitOrDrop(ctx, mem, adjs, bi, adj, refusal);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return "destination " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION)) + " (frame cache)"
                + " flow hash 0x" + Integer.toHexString(mem.flowHash(bi));
    }
}
