package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import java.util.List;

/**
 * The forwarding tables of a node whose only neighbours are its pods: a host route per pod
 * address to a complete rewrite toward the pod's MAC. The pods' MACs are known from their
 * taps, so no resolution is needed (Calico/VPP does the same in L2 tap mode).
 */
final class PodForwarding {
    private PodForwarding() {}

    static ForwardingTables build(List<PodPort> pods, long gatewayMac) {
        AdjacencyTable adjs = new AdjacencyTable();
        LoadBalanceTable lbs = new LoadBalanceTable(adjs);
        Ip4Fib fib4 = new Ip4Fib(lbs);
        Ip6Fib fib6 = new Ip6Fib(lbs);
        byte[] src = Macs.bytes(gatewayMac);
        for (PodPort pod : pods) {
            byte[] dst = Macs.bytes(pod.podMac());
            pod.ip4().ifPresent(a ->
                    fib4.add(a, 32, lbs.create(adjs.addRewrite4(pod.interfaceIndex(), a, src, dst))));
            pod.ip6().ifPresent(a ->
                    fib6.add(a[0], a[1], 128, lbs.create(adjs.addRewrite6(pod.interfaceIndex(), a[0], a[1], src, dst))));
        }
        return ForwardingTables.capture(fib4, fib6, lbs, adjs);
    }
}
