package dev.cipherlane.testbed;

import dev.cipherlane.linux.Errno;
import dev.cipherlane.linux.Link;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.NetNamespace;
import dev.cipherlane.linux.Route;
import dev.cipherlane.linux.Rtnetlink;
import dev.cipherlane.linux.Sockets;
import dev.cipherlane.net.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * An interface of a named namespace as rtnetlink reports it, with its addresses as
 * "address/length" (IPv6 in RFC 5952 text, as {@code ip} prints it): what the lab polls
 * while it waits for a node to attach its pods and take over its uplink.
 */
public record InterfaceState(Link link, List<String> addresses) {
    /** Up with carrier. */
    public boolean up() {
        return link.up() && link.lowerUp();
    }

    /** Interface {@code dev} of namespace {@code netns}, or null if there is none. */
    public static InterfaceState of(String netns, String dev) throws IOException {
        try (NetNamespace handle = NetNamespace.named(netns); Rtnetlink rtnl = Rtnetlink.open(handle)) {
            Link link;
            try {
                link = rtnl.link(dev);
            } catch (LinuxException e) {
                if (e.errno() == Errno.ENODEV) {
                    return null;
                }
                throw e;
            }
            List<String> addresses = rtnl.addresses(link.index()).stream()
                    .map(a -> IpAddress.parse(a.address().getHostAddress()) + "/" + a.prefixLength()).toList();
            return new InterfaceState(link, addresses);
        }
    }

    /**
     * Whether a pod's interface {@code dev} in {@code netns} is attached: up with carrier,
     * {@code ip4}/32 and {@code ip6}/128 on it, and the IPv6 address's local route installed.
     * The kernel adds that route only once the link is operationally up and duplicate address
     * detection is over, and until then the pod drops IPv6 packets addressed to it.
     */
    public static boolean podAttached(String netns, String dev, String ip4, String ip6) throws IOException {
        InterfaceState s = of(netns, dev);
        if (s == null || !s.up() || !s.addresses().containsAll(List.of(ip4 + "/32", ip6 + "/128"))) {
            return false;
        }
        InetAddress local = InetAddress.ofLiteral(ip6);
        try (NetNamespace handle = NetNamespace.named(netns); Rtnetlink rtnl = Rtnetlink.open(handle)) {
            return rtnl.routes(Sockets.AF_INET6).stream().anyMatch(r -> r.table() == Route.RT_TABLE_LOCAL
                    && r.type() == Route.RTN_LOCAL && local.equals(r.destination()));
        }
    }
}
