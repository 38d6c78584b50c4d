package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.tunnel.TunnelCounters;

/** {@code show tunnels}: one line per tunnel, in the order the config made them. */
final class TunnelReport {
    private TunnelReport() {}

    static String format(NodeForwarding forwarding, TunnelCounters counters) {
        if (forwarding.tunnelInfo().isEmpty()) {
            return "no tunnels\n";
        }
        StringBuilder sb = new StringBuilder(String.format("%-5s %-16s %-15s %-15s %-10s %12s %14s %12s %14s%n",
                "Index", "Peer", "Local", "Remote", "Underlay", "Tx packets", "Tx bytes", "Rx packets", "Rx bytes"));
        for (NodeForwarding.TunnelInfo t : forwarding.tunnelInfo()) {
            sb.append(String.format("%-5d %-16s %-15s %-15s %-10s %12d %14d %12d %14d%n", t.index(),
                    t.peer() + "/" + t.ordinal(), Prefixes.format4(t.local()), Prefixes.format4(t.remote()),
                    forwarding.underlayResolved(t.index()) ? "resolved" : "arp", counters.txPackets(t.index()),
                    counters.txBytes(t.index()), counters.rxPackets(t.index()), counters.rxBytes(t.index())));
        }
        return sb.toString();
    }
}
