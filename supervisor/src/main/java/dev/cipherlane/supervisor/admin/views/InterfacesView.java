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
     * @param kernelRx  the uplink's kernel ring counters (with uplink.driver = "avf" on the model,
     *                  those of the model's packet socket); null for taps
     * @param vf        the uplink's AVF VF with uplink.driver = "avf", else null
     */
    public record InterfaceRow(String name, int index, String role, String mac, int mtu, int queues,
                               List<String> addresses, KernelRx kernelRx, Vf vf) {
        /** A row of a tap, or of an uplink on AF_PACKET. */
        public InterfaceRow(String name, int index, String role, String mac, int mtu, int queues,
                            List<String> addresses, KernelRx kernelRx) {
            this(name, index, role, mac, mtu, queues, addresses, kernelRx, null);
        }
    }

    /**
     * The uplink's VF (uplink.driver = "avf"), as its owner worker last published it.
     *
     * @param device   the PCI address, or the model's name
     * @param state    the driver's state: RUNNING when frames move
     * @param failure  why the driver gave up, while FAILED; else null
     * @param restarts bring-ups after a failure
     */
    public record Vf(String device, boolean model, String state, String failure, boolean linkUp, int queues,
                     long restarts, long rxPackets, long txPackets, long rxDropped, long txRingFull) {}

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
        Vf vf = up.vf();
        if (vf != null) {
            sb.append(String.format("  avf %s%s: %s%s, %d queues, link %s, %d restarts%n", vf.device(),
                    vf.model() ? " (software model)" : "", vf.state(),
                    vf.failure() == null ? "" : " (" + vf.failure() + ")", vf.queues(), vf.linkUp() ? "up" : "down",
                    vf.restarts()));
            sb.append(String.format("  avf rx: %d packets, %d dropped; tx: %d packets, %d ring full%n",
                    vf.rxPackets(), vf.rxDropped(), vf.txPackets(), vf.txRingFull()));
        }
        KernelRx rx = up.kernelRx();
        for (String why : rx.unavailable()) {
            sb.append("  ring statistics unavailable: ").append(why).append('\n');
        }
        sb.append(String.format("  kernel rx: %d packets, %d dropped (ring full), %d queue freezes%n",
                rx.packets(), rx.drops(), rx.freezes()));
    }
}
