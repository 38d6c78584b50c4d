package dev.cipherlane.supervisor.admin.views;

import java.util.List;

/**
 * {@code show interfaces}: the pods' taps, then the uplink with its kernel ring counters, then
 * the host tap; and the buffers in use and packets punted to the control plane.
 *
 * @param punted packets handed to the control plane through the punt ring
 */
public record InterfacesView(List<InterfaceRow> interfaces, long buffersInUse, long punted) implements OperatorView {

    public static final String POD = "pod";
    public static final String UPLINK = "uplink";
    public static final String HOST = "host";

    /**
     * @param role      {@link #POD}, {@link #UPLINK} or {@link #HOST}
     * @param mac       the pod's MAC for a pod, the uplink's own for the uplink, null for the host tap
     * @param queues    tap queues, or the uplink's AF_PACKET rings
     * @param addresses the uplink's addresses as prefixes; empty for taps
     * @param kernelRx  the uplink's kernel ring counters; null for taps
     */
    public record InterfaceRow(String name, int index, String role, String mac, int mtu, int queues,
                               List<String> addresses, KernelRx kernelRx) {}

    /**
     * The kernel's counters of the uplink's rx rings since they opened (tpacket_stats_v3).
     *
     * @param drops       packets the kernel dropped because no rx block was free
     * @param unavailable why a ring's counters could not be read, one entry per such ring
     */
    public record KernelRx(long packets, long drops, long freezes, List<String> unavailable) {}

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder(String.format("%-20s %5s %-17s %5s %6s%n",
                "Interface", "Index", "Pod MAC", "MTU", "Queues"));
        for (InterfaceRow i : interfaces) {
            switch (i.role()) {
                case POD -> sb.append(String.format("%-20s %5d %-17s %5d %6d%n", i.name(), i.index(), i.mac(), i.mtu(),
                        i.queues()));
                case UPLINK -> uplink(sb, i);
                default -> sb.append(String.format("host tap %s (index %d)%n", i.name(), i.index()));
            }
        }
        sb.append(String.format("buffers in use: %d, punted to the control plane: %d%n", buffersInUse, punted));
        return sb.toString();
    }

    private static void uplink(StringBuilder sb, InterfaceRow up) {
        sb.append(String.format("%nuplink %s (index %d) %s mtu %d, %d rings%n", up.name(), up.index(), up.mac(),
                up.mtu(), up.queues()));
        for (String a : up.addresses()) {
            sb.append("  ").append(a).append('\n');
        }
        KernelRx rx = up.kernelRx();
        for (String why : rx.unavailable()) {
            sb.append("  ring statistics unavailable: ").append(why).append('\n');
        }
        sb.append(String.format("  kernel rx: %d packets, %d dropped (ring full), %d queue freezes%n",
                rx.packets(), rx.drops(), rx.freezes()));
    }
}
