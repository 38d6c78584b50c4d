package dev.cipherlane.host.uplink;

import dev.cipherlane.net.MacAddress;
import java.util.List;

/**
 * What the takeover changed, saved before it changes anything, so that the restore can put
 * the uplink back even from a later process after a crash.
 *
 * @param uplink    the kernel interface taken over, by name (an index is per boot)
 * @param hostTap   the tap that carries the node's addresses meanwhile
 * @param mac       the uplink's MAC, which the host tap copies
 * @param mtu       the uplink's MTU, which the host tap copies
 * @param addresses the addresses moved to the host tap, in the uplink's order (IPv4
 *                  primaries before their secondaries)
 * @param routes    the routes that went out through the uplink
 */
record UplinkState(String uplink, String hostTap, MacAddress mac, int mtu, List<UplinkAddress> addresses,
                   List<SavedRoute> routes) {
    UplinkState {
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
        if (uplink.equals(hostTap)) {
            throw new IllegalArgumentException("the host tap needs another name than the uplink " + uplink);
        }
        if (mtu <= 0) {
            throw new IllegalArgumentException("mtu " + mtu);
        }
    }
}
