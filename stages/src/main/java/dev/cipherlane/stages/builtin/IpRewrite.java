package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.AdjacencyKind;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.InterfaceTable;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * What {@code ip4-rewrite} and {@code ip6-rewrite} share: parameters, arcs, the check that
 * the adjacency is still complete and the copy of its Ethernet header. Each family keeps its
 * own loop (TTL, MTU and scope rules differ, and the tx-interface MTU is cached in loop
 * locals) and calls these statically, so the per-packet path has no virtual call.
 */
abstract sealed class IpRewrite extends Stage<IpRewrite.Params> permits Ip4Rewrite, Ip6Rewrite {
    /** Next arcs of both families, in index order. */
    public enum Arcs implements NextArc { TX, ICMP_ERROR }

    /**
     * @param tables     the current forwarding tables (adjacency rewrites); read once per frame
     * @param interfaces the interfaces, for the tx interface's MTU
     */
    public record Params(Supplier<ForwardingTables> tables, InterfaceTable interfaces) {}

    IpRewrite(StageSpec spec, Params params) {
        super(spec, params);
    }

    @Override
    protected final Params validate(Params p) {
        if (p == null || p.tables() == null || p.interfaces() == null) {
            throw new IllegalArgumentException(name() + ": forwarding tables and interfaces are required");
        }
        return p;
    }

    /** Whether {@code adj} is still a complete neighbour: tables republished since lookup may have changed it. */
    static boolean isComplete(AdjacencyTable.Snapshot adjs, int adj) {
        return adj >= 0 && adj < adjs.size() && adjs.kind(adj) == AdjacencyKind.REWRITE;
    }

    /**
     * Pushes the adjacency's Ethernet header, at {@code rewrite} in {@code rewrites}, in front
     * of the IP header at {@code ip}. The caller has checked the headroom.
     */
    static void prependRewrite(PacketMemory mem, MemorySegment data, int bi, long ip, MemorySegment rewrites,
            long rewrite) {
        mem.push(bi, AdjacencyTable.REWRITE_LENGTH);
        MemorySegment.copy(rewrites, rewrite, data, ip - AdjacencyTable.REWRITE_LENGTH, AdjacencyTable.REWRITE_LENGTH);
    }
}
