package dev.cipherlane.benchmarks;

import dev.cipherlane.linux.Route;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.testbed.AddressPlan;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.Namespace;
import dev.cipherlane.testbed.Wire;
import java.net.InetAddress;

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
    public static void plumb(Lab lab) throws Exception {
        plumbPods(lab);
        for (LabNode node : lab.nodes()) {
            Rtnetlink rtnl = lab.namespace(node.netns()).rtnetlink();
            int wire = rtnl.linkIndex(LabNode.WIRE);
            for (LabNode other : lab.nodes()) {
                if (other != node) {
                    String[] cidr = AddressPlan.podCidr4(other.number()).split("/");
                    rtnl.routeAdd(Route.via(InetAddress.ofLiteral(cidr[0]), Integer.parseInt(cidr[1]),
                            InetAddress.ofLiteral(other.underlay()), wire));
                }
            }
        }
    }

    /**
     * Only the pods' side: each pod on a veth to its node, the node forwarding, but no route
     * to another node's pods, for a caller that routes them another way ({@link WireGuardRouting}).
     */
    public static void plumbPods(Lab lab) throws Exception {
        int mtu = lab.spec().podMtu();
        InetAddress gateway = InetAddress.ofLiteral(GATEWAY4);
        for (LabNode node : lab.nodes()) {
            if (node.running()) {
                throw new IllegalStateException(node.name() + " runs Cipherlane; kernel routing needs it stopped");
            }
            Namespace ns = lab.namespace(node.netns());
            ns.sysctl("net.ipv4.ip_forward", "1");
            for (LabPod pod : node.pods()) {
                Namespace podNs = lab.namespace(pod.netns());
                Wire w = Wire.join(ns, "v" + pod.name(), podNs, LabNode.POD_INTERFACE, mtu);
                ns.rtnetlink().addressAdd(w.indexA(), gateway, 32);
                ns.rtnetlink().linkSetUp(w.indexA());
                ns.rtnetlink().routeAdd(Route.link(pod.address4(), 32, w.indexA()));
                podNs.rtnetlink().addressAdd(w.indexB(), pod.address4(), 32);
                podNs.rtnetlink().linkSetUp(w.indexB());
                podNs.rtnetlink().routeAdd(Route.defaultVia(gateway, w.indexB()).onlink());
            }
        }
    }

    /** {@code cidr} ("10.1.0.0/16") reached directly through link {@code index}. */
    static Route onLink(String cidr, int index) {
        String[] p = cidr.split("/");
        return Route.link(InetAddress.ofLiteral(p[0]), Integer.parseInt(p[1]), index);
    }
}
