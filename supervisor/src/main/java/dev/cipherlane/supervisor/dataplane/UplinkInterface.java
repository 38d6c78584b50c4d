package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.net.NetInterface;
import java.util.ArrayList;
import java.util.List;

/**
 * The taken-over uplink as the forwarding tables need it, in dataplane terms: our interface
 * indexes for the uplink and the host tap, the node's addresses (which we now answer for) and
 * the tunnel sources. Kept apart from the takeover itself so the tables can be built and tested
 * without a kernel interface.
 *
 * @param index          our interface index of the uplink
 * @param name           the kernel interface's name
 * @param mac            the uplink's MAC, which the host tap's kernel side shares
 * @param mtu            the uplink MTU, which bounds outer packets
 * @param ip4            the node's IPv4 addresses with their subnets' prefix lengths
 * @param ip6            the node's global IPv6 addresses with their prefix lengths
 * @param tunnelSources  extra local IPv4 addresses used as tunnel sources (uplink.tunnel-addresses)
 * @param hostIndex      our interface index of the host tap
 * @param hostName       the host tap's name
 */
public record UplinkInterface(int index, String name, long mac, int mtu, List<NetInterface.Ip4Address> ip4,
                              List<NetInterface.Ip6Address> ip6, List<Integer> tunnelSources, int hostIndex,
                              String hostName) {
    public UplinkInterface {
        ip4 = List.copyOf(ip4);
        ip6 = List.copyOf(ip6);
        tunnelSources = List.copyOf(tunnelSources);
        if (index == hostIndex) {
            throw new IllegalArgumentException("uplink and host tap need their own interface indexes");
        }
    }

    /**
     * Local ends of tunnels: the uplink's first IPv4 address, then the extra ones
     * (reference.conf, peers: tunnel i starts from local address i mod their count).
     */
    public List<Integer> tunnelLocals() {
        if (ip4.isEmpty()) {
            throw new IllegalStateException("uplink " + name + " has no IPv4 address to be a tunnel source");
        }
        ArrayList<Integer> locals = new ArrayList<>();
        locals.add(ip4.get(0).address());
        locals.addAll(tunnelSources);
        return locals;
    }

    /** The interface entry the stages see: the node's addresses, then tunnel sources as /32. */
    public NetInterface asNetInterface() {
        ArrayList<NetInterface.Ip4Address> all = new ArrayList<>(ip4);
        for (int a : tunnelSources) {
            all.add(new NetInterface.Ip4Address(a, 32));
        }
        return new NetInterface(index, name, mac, mtu, all, ip6);
    }
}
