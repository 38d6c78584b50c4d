package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.offload.TcpCoalescing;
import java.util.function.Supplier;

/**
 * The built-in L3 forwarding graph, wired once here so the node service, the demo and
 * the benchmarks run the same thing:
 *
 * <pre>
 * ethernet-input ─ip4→ ip4-input → ip4-lookup ─rewrite→ gro4 → ip4-rewrite ─tx→ [tx]
 *                │                     │  ├local/punt→ punt       └icmp-error→ icmp4-error → ip4-lookup
 *                │                     │  └glean→ arp-glean ─request→ ethernet-output ─tx→ [tx]
 *                ├ip6→ ip6-input → ip6-lookup ─rewrite→ gro6 → ip6-rewrite ─tx→ [tx]
 *                │                     ├local/punt→ punt   └icmp-error→ icmp6-error → ip6-lookup
 *                │                     └glean→ drop (no neighbour discovery yet)
 *                └arp→ arp-input ─reply→ ethernet-output
 * </pre>
 *
 * GRO sits before rewrite so a coalesced super-packet is rewritten once; it only merges
 * segments that arrived in one frame, so it holds nothing back between frames.
 *
 * The caller adds its input stages (connected to {@link EthernetInput#NAME}) and the stage
 * named by {@code tx}, which puts frames on interfaces by {@code txInterface}.
 */
public final class ForwardingGraph {
    private ForwardingGraph() {}

    /** What the built-in stages read: published tables and the control plane's punt queue. */
    public record Tables(InterfaceTable interfaces, Supplier<ForwardingTables> forwarding,
                         NeighbourTable neighbours, ProxySet proxies, ArpRequester arp,
                         PuntQueue punt, int icmpErrorsPerSecond, int icmpBurst) {}

    /** Adds the built-in stages to {@code b} and connects them; {@code tx} must be added by the caller. */
    public static final String GRO4 = "gro4";
    public static final String GRO6 = "gro6";

    public static Graph.Builder wire(Graph.Builder b, Tables t, String tx) {
        b.add(new EthernetInput(new EthernetInput.Params(t.interfaces())))
                .add(new Ip4Input())
                .add(new Ip6Input())
                .add(new Ip4Lookup(new Ip4Lookup.Params(t.forwarding())))
                .add(new Ip6Lookup(new Ip6Lookup.Params(t.forwarding())))
                .add(new Ip4Rewrite(new Ip4Rewrite.Params(t.forwarding(), t.interfaces())))
                .add(new Ip6Rewrite(new Ip6Rewrite.Params(t.forwarding(), t.interfaces())))
                .add(new Icmp4Error(new Icmp4Error.Params(t.interfaces(), t.icmpErrorsPerSecond(), t.icmpBurst())))
                .add(new Icmp6Error(new Icmp6Error.Params(t.interfaces(), t.icmpErrorsPerSecond(), t.icmpBurst())))
                .add(new ArpInput(new ArpInput.Params(t.interfaces(), t.neighbours(), t.proxies())))
                .add(new ArpGlean(new ArpGlean.Params(t.interfaces(), t.forwarding(), t.arp())))
                .add(new EthernetOutput(new EthernetOutput.Params(t.interfaces())))
                .add(new TcpCoalescing(GRO4, TcpCoalescing.Params.DEFAULT))
                .add(new TcpCoalescing(GRO6, TcpCoalescing.Params.DEFAULT))
                .add(new Punt(t.punt()))
                .add(new Drop());
        return b.connect(EthernetInput.NAME, "ip4", Ip4Input.NAME)
                .connect(EthernetInput.NAME, "ip6", Ip6Input.NAME)
                .connect(EthernetInput.NAME, "arp", ArpInput.NAME)
                .connect(Ip4Input.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Ip6Input.NAME, "lookup", Ip6Lookup.NAME)
                .connect(Ip4Lookup.NAME, "rewrite", GRO4)
                .connect(GRO4, "out", Ip4Rewrite.NAME)
                .connect(Ip4Lookup.NAME, "local", Punt.NAME)
                .connect(Ip4Lookup.NAME, "glean", ArpGlean.NAME)
                .connect(Ip4Lookup.NAME, "punt", Punt.NAME)
                .connect(Ip6Lookup.NAME, "rewrite", GRO6)
                .connect(GRO6, "out", Ip6Rewrite.NAME)
                .connect(Ip6Lookup.NAME, "local", Punt.NAME)
                .connect(Ip6Lookup.NAME, "glean", Drop.NAME)
                .connect(Ip6Lookup.NAME, "punt", Punt.NAME)
                .connect(Ip4Rewrite.NAME, "tx", tx)
                .connect(Ip4Rewrite.NAME, "icmp-error", Icmp4Error.NAME)
                .connect(Ip6Rewrite.NAME, "tx", tx)
                .connect(Ip6Rewrite.NAME, "icmp-error", Icmp6Error.NAME)
                .connect(Icmp4Error.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Icmp6Error.NAME, "lookup", Ip6Lookup.NAME)
                .connect(ArpInput.NAME, "reply", EthernetOutput.NAME)
                .connect(ArpGlean.NAME, "request", EthernetOutput.NAME)
                .connect(ArpGlean.NAME, "resolved", tx)
                .connect(ArpGlean.NAME, "icmp-error", Icmp4Error.NAME)
                .connect(EthernetOutput.NAME, "tx", tx);
    }
}
