package dev.cipherlane.stages.forwarding;

import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.builtin.EthernetInput;
import dev.cipherlane.stages.builtin.Icmp4Error;
import dev.cipherlane.stages.builtin.Icmp6Error;
import dev.cipherlane.stages.builtin.Ip4CachedLookup;
import dev.cipherlane.stages.builtin.Ip4Input;
import dev.cipherlane.stages.builtin.Ip4Local;
import dev.cipherlane.stages.builtin.Ip4Lookup;
import dev.cipherlane.stages.builtin.Ip4Rewrite;
import dev.cipherlane.stages.builtin.Ip6Input;
import dev.cipherlane.stages.builtin.Ip6Lookup;
import dev.cipherlane.stages.builtin.Ip6Rewrite;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.offload.TcpCoalescing;
import dev.cipherlane.stages.offload.TcpSegmentation;
import dev.cipherlane.stages.swap.StageCatalog;
import dev.cipherlane.stages.swap.StageProvider;
import dev.cipherlane.stages.tunnel.TunnelDecap;
import dev.cipherlane.stages.tunnel.TunnelEncap;
import java.util.List;

/**
 * What the stages of {@link ForwardingGraph} can be swapped to without a jar: each under
 * {@value StageCatalog#BUILTIN}, a new instance of its own class with the running parameters
 * (what rollback to the graph's original instance makes), and the shipped alternatives:
 * {@code ip4-lookup} {@value Ip4CachedLookup#IMPLEMENTATION}.
 *
 * <p>State: the stages below hold none of their own beyond parameters (tables, counters and
 * queues the successor is built with) except the ICMP error stages' rate limiter, which
 * {@link Stage#takeOver} shares; GRO's flows are flushed at the end of every frame.
 */
public final class BuiltinStages {
    private BuiltinStages() {}

    /** The stages jar's Implementation-Version, or "dev" when run from classes. */
    public static String version() {
        String v = BuiltinStages.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    /** The catalog, with {@code version} as every built-in's version. */
    public static StageCatalog catalog(String version) {
        return new StageCatalog(providers(version));
    }

    /** The providers of the catalog, for a caller that adds its own stages' (ESP, above this module). */
    public static List<StageProvider> providers(String version) {
        String b = StageCatalog.BUILTIN;
        return List.of(
                StageProvider.of(Ip4Lookup.NAME, b, version, Ip4Lookup.Params.class, Ip4Lookup::new),
                StageProvider.of(Ip4Lookup.NAME, Ip4CachedLookup.IMPLEMENTATION, version, Ip4Lookup.Params.class,
                        Ip4CachedLookup::new),
                StageProvider.of(Ip6Lookup.NAME, b, version, Ip6Lookup.Params.class, Ip6Lookup::new),
                StageProvider.of(Ip4Rewrite.NAME, b, version, Ip4Rewrite.Params.class, Ip4Rewrite::new),
                StageProvider.of(Ip6Rewrite.NAME, b, version, Ip6Rewrite.Params.class, Ip6Rewrite::new),
                StageProvider.of(EthernetInput.NAME, b, version, EthernetInput.Params.class, EthernetInput::new),
                StageProvider.of(Ip4Input.NAME, b, version, Stage.NoParams.class, p -> new Ip4Input()),
                StageProvider.of(Ip6Input.NAME, b, version, Stage.NoParams.class, p -> new Ip6Input()),
                StageProvider.of(Ip4Local.NAME, b, version, Stage.NoParams.class, p -> new Ip4Local()),
                StageProvider.of(Drop.NAME, b, version, Stage.NoParams.class, p -> new Drop()),
                StageProvider.of(Icmp4Error.NAME, b, version, Icmp4Error.Params.class, Icmp4Error::new),
                StageProvider.of(Icmp6Error.NAME, b, version, Icmp6Error.Params.class, Icmp6Error::new),
                StageProvider.of(ForwardingGraph.GRO4, b, version, TcpCoalescing.Params.class,
                        p -> new TcpCoalescing(ForwardingGraph.GRO4, p)),
                StageProvider.of(ForwardingGraph.GRO6, b, version, TcpCoalescing.Params.class,
                        p -> new TcpCoalescing(ForwardingGraph.GRO6, p)),
                StageProvider.of(TunnelEncap.NAME, b, version, TunnelEncap.Params.class, TunnelEncap::new),
                StageProvider.of(TunnelDecap.NAME, b, version, TunnelDecap.Params.class, TunnelDecap::new),
                StageProvider.of(TcpSegmentation.NAME, b, version, TcpSegmentation.Params.class,
                        TcpSegmentation::new));
    }
}
