package dev.cipherlane.supervisor.admin.views;

import java.util.List;

/** {@code show pods}: the attached pods, their tap interfaces and addresses. */
public record PodsView(List<PodRow> pods) implements OperatorView {

    /**
     * @param interfaceIndex our interface index for the pod's tap
     * @param mac            the MAC of the pod's interface
     * @param ip4            the pod's IPv4 address, null if it has none
     * @param ip6            the pod's IPv6 address (RFC 5952 text), null if it has none
     */
    public record PodRow(String name, int interfaceIndex, String mac, int mtu, int queues, String ip4, String ip6) {}

    @Override
    public String text() {
        if (pods.isEmpty()) {
            return "no pods\n";
        }
        StringBuilder sb = new StringBuilder(String.format("%-20s %5s %-17s %5s %6s %-15s %s%n",
                "Pod", "Index", "MAC", "MTU", "Queues", "IPv4", "IPv6"));
        for (PodRow p : pods) {
            sb.append(String.format("%-20s %5d %-17s %5d %6d %-15s %s%n", p.name(), p.interfaceIndex(), p.mac(),
                    p.mtu(), p.queues(), p.ip4() == null ? "-" : p.ip4(), p.ip6() == null ? "-" : p.ip6()));
        }
        return sb.toString();
    }
}
