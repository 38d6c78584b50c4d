package dev.cipherlane.supervisor.dataplane;

import java.util.Optional;

/**
 * A pod as the dataplane sees it once its tap is attached: our interface index for it,
 * the MAC its interface answers to, its addresses and the tap queue fds.
 *
 * @param ip4 the pod's IPv4 address, if it has one
 * @param ip6 the pod's IPv6 address as {hi, lo}, if it has one
 */
public record PodPort(String name, int interfaceIndex, long podMac, int mtu, int[] queueFds,
                      Optional<Integer> ip4, Optional<long[]> ip6) {
    public PodPort {
        queueFds = queueFds.clone();
        if (queueFds.length == 0) {
            throw new IllegalArgumentException("pod " + name + " has no tap queue");
        }
    }

    @Override
    public int[] queueFds() {
        return queueFds.clone();
    }
}
