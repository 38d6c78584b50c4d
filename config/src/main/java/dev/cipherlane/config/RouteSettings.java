package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One static route. Routes are identified by their prefix: a config holds at most one
 * route per prefix, and a reload compares routes prefix by prefix.
 *
 * @param prefix        destination
 * @param via           next hops, all of the prefix's family, distinct; two or more make an ECMP route
 * @param interfaceName interface the next hops are reached through, when not left to lookup
 */
public record RouteSettings(IpPrefix prefix, List<IpAddress> via, Optional<String> interfaceName) {

    public RouteSettings {
        Objects.requireNonNull(prefix, "prefix");
        via = List.copyOf(via);
        Objects.requireNonNull(interfaceName, "interfaceName");
        if (via.isEmpty()) {
            throw new IllegalArgumentException("route " + prefix + " has no next hop");
        }
        if (via.stream().anyMatch(hop -> hop.family() != prefix.family())) {
            throw new IllegalArgumentException("route " + prefix + " has a next hop of another family");
        }
        if (new HashSet<>(via).size() != via.size()) {
            throw new IllegalArgumentException("route " + prefix + " repeats a next hop");
        }
        interfaceName.ifPresent(name -> {
            if (!InterfaceSettings.isValidName(name)) {
                throw new IllegalArgumentException("route " + prefix + ": bad interface name " + name);
            }
        });
    }
}
