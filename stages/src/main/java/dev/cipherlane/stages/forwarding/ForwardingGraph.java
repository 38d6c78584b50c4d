package dev.cipherlane.stages.forwarding;

import dev.cipherlane.stages.builtin.ArpGlean;
import dev.cipherlane.stages.builtin.ArpInput;
import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.builtin.EthernetInput;
import dev.cipherlane.stages.builtin.EthernetOutput;
import dev.cipherlane.stages.builtin.HostRedirect;
import dev.cipherlane.stages.builtin.Icmp4Error;
import dev.cipherlane.stages.builtin.Icmp6Error;
import dev.cipherlane.stages.builtin.Ip4Input;
import dev.cipherlane.stages.builtin.Ip4Local;
import dev.cipherlane.stages.builtin.Ip4Lookup;
import dev.cipherlane.stages.builtin.Ip4Rewrite;
import dev.cipherlane.stages.builtin.Ip6Input;
import dev.cipherlane.stages.builtin.Ip6Lookup;
import dev.cipherlane.stages.builtin.Ip6NeighbourGlean;
import dev.cipherlane.stages.builtin.Ip6NeighbourInput;
import dev.cipherlane.stages.builtin.Ip6Rewrite;
import dev.cipherlane.stages.builtin.Punt;
import dev.cipherlane.stages.builtin.PuntQueue;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.IngressFilter;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.Ip6NeighbourRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.neighbour.ProxySet;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.offload.TcpCoalescing;
import dev.cipherlane.stages.offload.TcpSegmentation;
import dev.cipherlane.stages.tunnel.TunnelCounters;
import dev.cipherlane.stages.tunnel.TunnelDecap;
import dev.cipherlane.stages.tunnel.TunnelEncap;
import dev.cipherlane.stages.tunnel.TunnelTable;
import java.util.function.Supplier;

/**
 * The built-in L3 forwarding graph, wired once here so the node service, the demo and
 * the benchmarks run the same thing:
 *
 * <pre>
 * ethernet-input ─ip4→ ip4-input → ip4-lookup ─rewrite→ gro4 → ip4-rewrite ─tx→ [tx]
 *                │                     │  ├punt→ punt             └icmp-error→ icmp4-error → ip4-lookup
 *                │                     │  ├local→ ip4-local ─punt→ punt
 *                │                     │  │                 └ipip→ drop
 *                │                     │  ├tunnel→ drop
 *                │                     │  └glean→ arp-glean ─request→ ethernet-output ─tx→ [tx]
 *                ├ip6→ ip6-input → ip6-lookup ─rewrite→ gro6 → ip6-rewrite ─tx→ [tx]
 *                │                     ├local→ ip6-nd-input ─reply→ ethernet-output
 *                │                     │               └punt→ punt
 *                │                     ├punt→ punt        └icmp-error→ icmp6-error → ip6-lookup
 *                │                     ├tunnel→ drop
 *                │                     └glean→ ip6-nd-glean ─request→ ethernet-output
 *                │                                          └resolved→ [tx]
 *                └arp→ arp-input ─reply→ ethernet-output
 * </pre>
 *
 * <p>With tunnels ({@link #wireWithTunnels}) the IPIP stages replace the drops:
 *
 * <pre>
 * ip4-lookup ─tunnel→ ipip-encap ─rewrite→ ip4-rewrite   (outer header, underlay adjacency)
 * ip6-lookup ─tunnel→ ┘  │ ├gso→ gso ─out→ ipip-encap    (segments, gsoSize 0, come back)
 *                        │ └icmp4-error→ icmp4-error
 *                        └icmp6-error→ icmp6-error
 * ip4-lookup ─local→ ip4-local ─ipip→ ipip-decap ─ip4→ ip4-input
 *                              └punt→ punt        └ip6→ ip6-input
 * </pre>
 *
 * An underlay next hop not yet resolved sends the outer packet from {@code ipip-encap} to
 * {@code arp-glean} ({@code glean} arc), like any unresolved route.
 *
 * <p>With the uplink taken over ({@link #wireNode} with a host), the node's own traffic goes back to
 * the kernel through the host tap instead of the punt queue:
 *
 * <pre>
 * ip4-local ─punt→ host-redirect ─tx→ [tx]     (packets for the kernel's addresses)
 * ip6-nd-input ─punt→ ┘    └punt→ punt         (other local addresses)
 * </pre>
 *
 * <p>With ESP ({@link Esp}) on protected tunnels:
 *
 * <pre>
 * ipip-encap ─esp→ esp-encrypt ─rewrite→ ip4-rewrite
 * ip4-local ─esp→ esp-decrypt ─ipip→ ipip-decap     (protocol 50, UDP 4500)
 *                             └ike→ host-redirect / punt
 * </pre>
 *
 * <p>With the node's own IKE daemon, IKE is taken out of the local traffic first:
 *
 * <pre>
 * ip4-local ─punt→ ike-input ─other→ host-redirect / punt      (UDP 500)
 * esp-decrypt ─ike→ ┘  └→ the IKE queue                        (UDP 4500, non-ESP marker)
 * </pre>
 *
 * Without tunnels, traffic routed to a tunnel adjacency is dropped: fail closed, never sent in
 * clear. IPIP addressed to us is dropped too rather than punted: no one above the dataplane
 * decapsulates, and a packet from no known tunnel must not enter the pod network. The encapsulated
 * packet skips gro4: the inner packet is either a plain segment or already a super-packet that
 * {@code gso} cuts, and the outer one goes straight to {@code ip4-rewrite}.
 *
 * GRO sits before rewrite so a coalesced super-packet is rewritten once; it only merges
 * segments that arrived in one frame, so it holds nothing back between frames.
 *
 * The caller adds its input stages (connected to {@link EthernetInput#NAME}) and the stage
 * named by {@code tx}, which puts frames on interfaces by {@code txInterface}.
 */
public final class ForwardingGraph {
    private ForwardingGraph() {}

    /**
     * What the built-in stages read: published tables and the control plane's punt queue.
     * {@code ingress} is what the lookups judge sources by ({@link IngressFilter#NONE}: nothing).
     */
    public record Tables(InterfaceTable interfaces, Supplier<ForwardingTables> forwarding,
                         NeighbourTable neighbours, ProxySet proxies, ArpRequester arp, Ip6NeighbourRequester nd,
                         PuntQueue punt, int icmpErrorsPerSecond, int icmpBurst, Supplier<IngressFilter> ingress) {
        public Tables(InterfaceTable interfaces, Supplier<ForwardingTables> forwarding, NeighbourTable neighbours,
                      ProxySet proxies, ArpRequester arp, Ip6NeighbourRequester nd, PuntQueue punt,
                      int icmpErrorsPerSecond, int icmpBurst) {
            this(interfaces, forwarding, neighbours, proxies, arp, nd, punt, icmpErrorsPerSecond, icmpBurst,
                    () -> IngressFilter.NONE);
        }

        /** With neighbour solicitations at most once a second per target (RFC 4861 RETRANS_TIMER). */
        public Tables(InterfaceTable interfaces, Supplier<ForwardingTables> forwarding, NeighbourTable neighbours,
                      ProxySet proxies, ArpRequester arp, PuntQueue punt, int icmpErrorsPerSecond, int icmpBurst) {
            this(interfaces, forwarding, neighbours, proxies, arp,
                    new Ip6NeighbourRequester(neighbours, Ip6NeighbourRequester.INTERVAL_DEFAULT), punt,
                    icmpErrorsPerSecond, icmpBurst);
        }

        /** These tables, with sources judged by {@code filter}. */
        public Tables withIngress(Supplier<IngressFilter> filter) {
            return new Tables(interfaces, forwarding, neighbours, proxies, arp, nd, punt, icmpErrorsPerSecond,
                    icmpBurst, filter);
        }
    }

    public static final String GRO4 = "gro4";
    public static final String GRO6 = "gro6";

    /**
     * The tunnels of a node: the snapshot workers read once per frame, and per-tunnel counters
     * (null for none).
     */
    public record Tunnels(Supplier<TunnelTable.Snapshot> snapshot, TunnelCounters counters) {
        public Tunnels {
            if (snapshot == null) {
                throw new IllegalArgumentException("a tunnel snapshot supplier is required");
            }
        }
    }

    /**
     * The ESP stages protecting tunnels, added and wired inside by the caller (they live above
     * this module). Here: {@code ipip-encap}'s {@code esp} to {@code encrypt}, the encrypting
     * path's last arc ({@code encryptExit}.{@code encryptExitArc}) to {@code ip4-rewrite};
     * {@code ip4-local}'s {@code esp} to {@code decrypt}, the decrypting path's last arc to
     * {@code ipip-decap}, and {@code ikeFrom}'s {@code ike} arc to where the node's own traffic goes.
     */
    public record Esp(String encrypt, String encryptExit, String encryptExitArc, String decrypt, String decryptExit,
                      String decryptExitArc, String ikeFrom) {
        /** One stage each way: {@code encrypt}'s {@code rewrite}, {@code decrypt}'s {@code ipip} and {@code ike}. */
        public static Esp inline(String encrypt, String decrypt) {
            return new Esp(encrypt, encrypt, "rewrite", decrypt, decrypt, "ipip", decrypt);
        }
    }

    /** Adds the built-in stages to {@code b} and connects them; {@code tx} must be added by the caller. */
    public static Graph.Builder wire(Graph.Builder b, Tables t, String tx) {
        return wireNode(b, t, null, null, null, tx);
    }

    /**
     * As {@link #wire}, plus IPIP tunnels: {@code ipip-encap}, {@code gso} and {@code ipip-decap}
     * reading {@code tunnels} once per frame (see the class comment for the arcs).
     */
    public static Graph.Builder wireWithTunnels(Graph.Builder b, Tables t, Supplier<TunnelTable.Snapshot> tunnels,
            String tx) {
        return wireNode(b, t, new Tunnels(tunnels, null), null, null, tx);
    }

    /**
     * The whole node: tunnels (or null for none), their ESP stages (or null: then a protected
     * tunnel's packets are dropped, never sent in clear, and ESP addressed to us goes where the
     * node's own traffic goes) and the host tap's redirect (or null when no uplink was taken
     * over, and local traffic is punted).
     */
    public static Graph.Builder wireNode(Graph.Builder b, Tables t, Tunnels tunnels, Esp esp, HostRedirect.Params host,
            String tx) {
        return wireNode(b, t, tunnels, esp, host, null, tx);
    }

    /**
     * As {@link #wireNode(Graph.Builder, Tables, Tunnels, Esp, HostRedirect.Params, String)}, with
     * the node's IKE daemon: {@code ike} names a stage the caller added (with one arc,
     * {@code other}) that takes IKE out of the local traffic, from {@code ip4-local}'s punt and
     * the ESP decryptor's {@code ike} arc, before what is left goes to the kernel or the punt.
     * Null: no IKE daemon, IKE goes where other local traffic goes.
     */
    public static Graph.Builder wireNode(Graph.Builder b, Tables t, Tunnels tunnels, Esp esp, HostRedirect.Params host,
            String ike, String tx) {
        b.add(new EthernetInput(new EthernetInput.Params(t.interfaces())))
                .add(new Ip4Input())
                .add(new Ip6Input())
                .add(new Ip4Lookup(new Ip4Lookup.Params(t.forwarding(), t.ingress())))
                .add(new Ip6Lookup(new Ip6Lookup.Params(t.forwarding(), t.ingress())))
                .add(new Ip4Rewrite(new Ip4Rewrite.Params(t.forwarding(), t.interfaces())))
                .add(new Ip6Rewrite(new Ip6Rewrite.Params(t.forwarding(), t.interfaces())))
                .add(new Icmp4Error(new Icmp4Error.Params(t.interfaces(), t.icmpErrorsPerSecond(), t.icmpBurst())))
                .add(new Icmp6Error(new Icmp6Error.Params(t.interfaces(), t.icmpErrorsPerSecond(), t.icmpBurst())))
                .add(new ArpInput(new ArpInput.Params(t.interfaces(), t.neighbours(), t.proxies())))
                .add(new ArpGlean(new ArpGlean.Params(t.interfaces(), t.forwarding(), t.arp())))
                .add(new EthernetOutput(new EthernetOutput.Params(t.interfaces())))
                .add(new TcpCoalescing(GRO4, TcpCoalescing.Params.DEFAULT))
                .add(new TcpCoalescing(GRO6, TcpCoalescing.Params.DEFAULT))
                .add(new Ip6NeighbourInput(new Ip6NeighbourInput.Params(t.interfaces(), t.neighbours())))
                .add(new Ip6NeighbourGlean(new Ip6NeighbourGlean.Params(t.interfaces(), t.forwarding(), t.nd())))
                .add(new Ip4Local())
                .add(new Punt(t.punt()))
                .add(new Drop());
        if (tunnels == null) {
            b.connect(Ip4Lookup.NAME, "tunnel", Drop.NAME)
                    .connect(Ip6Lookup.NAME, "tunnel", Drop.NAME)
                    .connect(Ip4Local.NAME, "ipip", Drop.NAME);
        } else {
            b.add(new TunnelEncap(new TunnelEncap.Params(t.forwarding(), tunnels.snapshot(), tunnels.counters())))
                    .add(new TunnelDecap(new TunnelDecap.Params(tunnels.snapshot(), tunnels.counters())))
                    .add(new TcpSegmentation(new TcpSegmentation.Params(true)))
                    .connect(Ip4Lookup.NAME, "tunnel", TunnelEncap.NAME)
                    .connect(Ip6Lookup.NAME, "tunnel", TunnelEncap.NAME)
                    .connect(TunnelEncap.NAME, "rewrite", Ip4Rewrite.NAME)
                    .connect(TunnelEncap.NAME, "gso", TcpSegmentation.NAME)
                    .connect(TcpSegmentation.NAME, "out", TunnelEncap.NAME)
                    .connect(TunnelEncap.NAME, "icmp4-error", Icmp4Error.NAME)
                    .connect(TunnelEncap.NAME, "icmp6-error", Icmp6Error.NAME)
                    .connect(TunnelEncap.NAME, "glean", ArpGlean.NAME)
                    .connect(Ip4Local.NAME, "ipip", TunnelDecap.NAME)
                    .connect(TunnelDecap.NAME, "ip4", Ip4Input.NAME)
                    .connect(TunnelDecap.NAME, "ip6", Ip6Input.NAME);
        }
        String kernel = host == null ? Punt.NAME : HostRedirect.NAME;
        String local = kernel;
        if (ike != null) {
            b.connect(ike, "other", kernel);
            local = ike;
        }
        if (tunnels != null && esp != null) {
            b.connect(TunnelEncap.NAME, "esp", esp.encrypt())
                    .connect(esp.encryptExit(), esp.encryptExitArc(), Ip4Rewrite.NAME)
                    .connect(Ip4Local.NAME, "esp", esp.decrypt())
                    .connect(esp.decryptExit(), esp.decryptExitArc(), TunnelDecap.NAME)
                    .connect(esp.ikeFrom(), "ike", local);
        } else {
            if (tunnels != null) {
                b.connect(TunnelEncap.NAME, "esp", Drop.NAME);
            }
            b.connect(Ip4Local.NAME, "esp", local);
        }
        if (host == null) {
            b.connect(Ip4Local.NAME, "punt", local)
                    .connect(Ip6NeighbourInput.NAME, "punt", Punt.NAME);
        } else {
            b.add(new HostRedirect(host))
                    .connect(Ip4Local.NAME, "punt", local)
                    .connect(Ip6NeighbourInput.NAME, "punt", HostRedirect.NAME)
                    .connect(HostRedirect.NAME, "tx", tx)
                    .connect(HostRedirect.NAME, "punt", Punt.NAME);
        }
        return b.connect(EthernetInput.NAME, "ip4", Ip4Input.NAME)
                .connect(EthernetInput.NAME, "ip6", Ip6Input.NAME)
                .connect(EthernetInput.NAME, "arp", ArpInput.NAME)
                .connect(Ip4Input.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Ip6Input.NAME, "lookup", Ip6Lookup.NAME)
                .connect(Ip4Lookup.NAME, "rewrite", GRO4)
                .connect(GRO4, "out", Ip4Rewrite.NAME)
                .connect(Ip4Lookup.NAME, "local", Ip4Local.NAME)
                .connect(Ip4Lookup.NAME, "glean", ArpGlean.NAME)
                .connect(Ip4Lookup.NAME, "punt", Punt.NAME)
                .connect(Ip6Lookup.NAME, "rewrite", GRO6)
                .connect(GRO6, "out", Ip6Rewrite.NAME)
                .connect(Ip6Lookup.NAME, "local", Ip6NeighbourInput.NAME)
                .connect(Ip6NeighbourInput.NAME, "reply", EthernetOutput.NAME)
                .connect(Ip6Lookup.NAME, "glean", Ip6NeighbourGlean.NAME)
                .connect(Ip6NeighbourGlean.NAME, "request", EthernetOutput.NAME)
                .connect(Ip6NeighbourGlean.NAME, "resolved", tx)
                .connect(Ip6NeighbourGlean.NAME, "icmp-error", Icmp6Error.NAME)
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
