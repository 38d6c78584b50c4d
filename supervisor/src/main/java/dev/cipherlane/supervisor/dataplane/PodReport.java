package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.supervisor.admin.views.PodsView;
import java.util.ArrayList;
import java.util.List;

/** The rows of {@code show pods}: the pods' ports as the dataplane attached them. */
final class PodReport {
    private PodReport() {}

    static PodsView view(List<PodPort> pods) {
        List<PodsView.PodRow> rows = new ArrayList<>();
        for (PodPort p : pods) {
            rows.add(new PodsView.PodRow(p.name(), p.interfaceIndex(), new MacAddress(p.podMac()).toString(), p.mtu(),
                    p.queueFds().length, p.ip4().map(Prefixes::format4).orElse(null),
                    p.ip6().map(a -> Prefixes.format6(a[0], a[1])).orElse(null)));
        }
        return new PodsView(List.copyOf(rows));
    }
}
