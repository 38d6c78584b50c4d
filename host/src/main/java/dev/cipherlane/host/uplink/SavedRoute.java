package dev.cipherlane.host.uplink;

import dev.cipherlane.linux.Route;
import java.net.InetAddress;

/**
 * A route that went out through the uplink, without its interface: the takeover points it
 * at the host tap, the restore back at the uplink, whose index may even have changed if
 * the restore runs in a later process. Every other field is kept as dumped so the route
 * comes back as it was ({@code ip route} shows the same protocol, metric and scope).
 */
record SavedRoute(InetAddress destination, int prefixLength, InetAddress gateway, int table, int scope,
                  int flags, int protocol, int type, int priority) {

    /** Route {@code r} without its output interface. */
    static SavedRoute of(Route r) {
        // Only onlink is a request; linkdown, offload ... are state the kernel reports.
        return new SavedRoute(r.destination(), r.prefixLength(), r.gateway(), r.table(), r.scope(),
                r.flags() & Route.RTNH_F_ONLINK, r.protocol(), r.type(), r.priority());
    }

    /** The route through interface {@code outputInterface}; the constructor checks the fields. */
    Route on(int outputInterface) {
        return new Route(destination, prefixLength, gateway, outputInterface, table, scope, flags, protocol, type,
                priority);
    }

    /** A gateway is only reachable once the connected route to it exists, so these go last. */
    boolean viaGateway() {
        return gateway != null;
    }
}
