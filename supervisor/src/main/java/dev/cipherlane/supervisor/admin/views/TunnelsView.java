package dev.cipherlane.supervisor.admin.views;

import java.util.List;

/** {@code show tunnels}: one row per tunnel, in the order the config made them. */
public record TunnelsView(List<TunnelRow> tunnels) implements OperatorView {

    public static final String RESOLVED = "resolved";
    /** The underlay next hop has not answered ARP yet. */
    public static final String ARP = "arp";

    /**
     * @param ordinal  which of the peer's tunnels this is (0..tunnels-1)
     * @param local    outer source address
     * @param remote   outer destination address
     * @param underlay {@link #RESOLVED} or {@link #ARP}
     */
    public record TunnelRow(int index, String peer, int ordinal, String local, String remote, String underlay,
                            long txPackets, long txBytes, long rxPackets, long rxBytes) {}

    @Override
    public String text() {
        if (tunnels.isEmpty()) {
            return "no tunnels\n";
        }
        StringBuilder sb = new StringBuilder(String.format("%-5s %-16s %-15s %-15s %-10s %12s %14s %12s %14s%n",
                "Index", "Peer", "Local", "Remote", "Underlay", "Tx packets", "Tx bytes", "Rx packets", "Rx bytes"));
        for (TunnelRow t : tunnels) {
            sb.append(String.format("%-5d %-16s %-15s %-15s %-10s %12d %14d %12d %14d%n", t.index(),
                    t.peer() + "/" + t.ordinal(), t.local(), t.remote(), t.underlay(), t.txPackets(), t.txBytes(),
                    t.rxPackets(), t.rxBytes()));
        }
        return sb.toString();
    }
}
