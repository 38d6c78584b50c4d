package dev.cipherlane.testbed;

import java.net.InetAddress;

/**
 * A pod of the lab: its name in its node's config, its network namespace, the node it is
 * attached to (counting from 1) and its two addresses from the {@link AddressPlan}.
 */
public record LabPod(String name, String netns, int node, String ip4, String ip6) {

    public InetAddress address4() {
        return InetAddress.ofLiteral(ip4);
    }

    public InetAddress address6() {
        return InetAddress.ofLiteral(ip6);
    }

    @Override
    public String toString() {
        return name + " (" + ip4 + ", " + ip6 + ")";
    }
}
