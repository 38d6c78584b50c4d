package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.tunnel.TunnelCounters;
import dev.cipherlane.supervisor.admin.views.TunnelsView;
import java.util.ArrayList;
import java.util.List;

/** The rows of {@code show tunnels}: one per tunnel, in the order the config made them. */
final class TunnelReport {
    private TunnelReport() {}

    static TunnelsView view(NodeForwarding forwarding, TunnelCounters counters) {
        List<TunnelsView.TunnelRow> rows = new ArrayList<>();
        for (NodeForwarding.TunnelInfo t : forwarding.tunnelInfo()) {
            rows.add(new TunnelsView.TunnelRow(t.index(), t.peer(), t.ordinal(), Prefixes.format4(t.local()),
                    Prefixes.format4(t.remote()),
                    forwarding.underlayResolved(t.index()) ? TunnelsView.RESOLVED : TunnelsView.ARP,
                    counters.txPackets(t.index()), counters.txBytes(t.index()), counters.rxPackets(t.index()),
                    counters.rxBytes(t.index())));
        }
        return new TunnelsView(List.copyOf(rows));
    }
}
