package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.neighbour.LearningPolicy;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import java.util.Optional;

/**
 * The node's facts about who may sit on each of its links, as the neighbour table's
 * {@link LearningPolicy}: a pod's tap carries only that pod (its own addresses), the uplink
 * only hosts inside its subnets, and the host tap only the kernel, which holds the node's
 * addresses. Issue 10 item 5: nothing else is learned from ARP or ND.
 */
final class NeighbourLearning {
    private NeighbourLearning() {}

    static LearningPolicy policy(List<PodPort> pods, Optional<UplinkInterface> uplink) {
        LearningPolicy.Builder b = LearningPolicy.builder();
        for (PodPort pod : pods) {
            pod.ip4().ifPresent(a -> b.allow4(pod.interfaceIndex(), a, 32));
            pod.ip6().ifPresent(a -> b.allow6(pod.interfaceIndex(), a[0], a[1], 128));
        }
        uplink.ifPresent(up -> {
            for (NetInterface.Ip4Address a : up.ip4()) {
                b.allow4(up.index(), a.address(), a.prefixLength());
                b.allow4(up.hostIndex(), a.address(), 32);
            }
            for (NetInterface.Ip6Address a : up.ip6()) {
                b.allow6(up.index(), a.hi(), a.lo(), a.prefixLength());
                b.allow6(up.hostIndex(), a.hi(), a.lo(), 128);
            }
        });
        return b.build();
    }
}
