package dev.cipherlane.benchmarks;

import dev.cipherlane.testbed.AddressPlan;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;

import dev.cipherlane.testbed.Lab;

import java.io.IOException;

/**
 * The same pods and nodes without Cipherlane, for comparison: plumbs a lab whose nodes are
 * never started so that the Linux kernel routes between the pods. Each pod's {@code eth0}
 * is a veth whose peer sits in its node's namespace; the pod keeps its /32, its MTU and a
 * default route through the link-local gateway (the peer carries 169.254.1.1), as with
 * Cipherlane's taps. Nodes forward ({@code ip_forward=1}) and reach the other nodes' pod
 * CIDRs through those nodes' wire addresses, plainly routed, no tunnel. IPv4 only.
 */
public final class KernelRouting {
    public static final String GATEWAY4 = "169.254.1.1";

    private KernelRouting() {}

    /** Plumbs every pod and route of {@code lab}, which must not have started its nodes. */
    public static void plumb(Lab lab) throws IOException, InterruptedException {
        plumbPods(lab);
        for (LabNode node : lab.nodes()) {
            for (LabNode other : lab.nodes()) {
                if (other != node) {
                    Commands.check("ip", "-n", node.netns(), "route", "add", AddressPlan.podCidr4(other.number()),
                            "via", other.underlay(), "dev", LabNode.WIRE);
                }
            }
        }
    }

    /**
     * Only the pods' side: each pod on a veth to its node, the node forwarding, but no route
     * to another node's pods, for a caller that routes them another way ({@link WireGuardRouting}).
     */
    public static void plumbPods(Lab lab) throws IOException, InterruptedException {
        String mtu = Integer.toString(lab.spec().podMtu());
        for (LabNode node : lab.nodes()) {
            if (node.running()) {
                throw new IllegalStateException(node.name() + " runs Cipherlane; kernel routing needs it stopped");
            }
            String ns = node.netns();
            Commands.checkIn(ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            for (LabPod pod : node.pods()) {
                String peer = "v" + pod.name();
                Commands.check("ip", "-n", ns, "link", "add", peer, "mtu", mtu, "type", "veth", "peer", "name",
                        LabNode.POD_INTERFACE, "mtu", mtu, "netns", pod.netns());
                Commands.check("ip", "-n", ns, "addr", "add", GATEWAY4 + "/32", "dev", peer);
                Commands.check("ip", "-n", ns, "link", "set", peer, "up");
                Commands.check("ip", "-n", ns, "route", "add", pod.ip4() + "/32", "dev", peer);
                Commands.check("ip", "-n", pod.netns(), "addr", "add", pod.ip4() + "/32", "dev", LabNode.POD_INTERFACE);
                Commands.check("ip", "-n", pod.netns(), "link", "set", LabNode.POD_INTERFACE, "up");
                Commands.check("ip", "-n", pod.netns(), "route", "add", "default", "via", GATEWAY4, "dev",
                        LabNode.POD_INTERFACE, "onlink");
            }
        }
    }
}
