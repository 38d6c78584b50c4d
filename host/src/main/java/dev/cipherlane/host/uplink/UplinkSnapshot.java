package dev.cipherlane.host.uplink;

import dev.cipherlane.linux.IfAddress;
import dev.cipherlane.linux.Link;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Route;
import dev.cipherlane.linux.Rtnetlink;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;

/** Reads from the kernel what a takeover of an uplink will change, and so what a restore must bring back. */
final class UplinkSnapshot {
    private UplinkSnapshot() {}

    static UplinkState read(Rtnetlink rtnl, String uplink, String hostTap) throws LinuxException {
        Link link = rtnl.link(uplink);
        if (link.mac() == null) {
            throw new IllegalArgumentException(uplink + " has no Ethernet address; only an Ethernet uplink can be "
                    + "taken over");
        }
        List<UplinkAddress> addresses = new ArrayList<>();
        for (IfAddress a : rtnl.addresses(link.index())) {
            // Global scope only: link-local IPv6 belongs to the link itself, the kernel
            // regenerates it on the tap from the shared MAC.
            if (a.scope() == Route.RT_SCOPE_UNIVERSE) {
                addresses.add(new UplinkAddress(a.address(), a.prefixLength(),
                        a.flags() & UplinkTakeover.CONFIGURED_ADDRESS_FLAGS));
            }
        }
        List<SavedRoute> routes = new ArrayList<>();
        for (Route r : rtnl.routes()) {
            if (r.outputInterface() == link.index() && r.table() != Route.RT_TABLE_LOCAL
                    && r.type() == Route.RTN_UNICAST && !linkLocal(r)) {
                routes.add(SavedRoute.of(r));
            }
        }
        return new UplinkState(uplink, hostTap, link.mac(), link.mtu(), addresses, routes);
    }

    /** fe80::/64 is the kernel's, per interface; it stays with the uplink's link-local address. */
    private static boolean linkLocal(Route r) {
        return r.destination() instanceof Inet6Address a && a.isLinkLocalAddress();
    }
}
