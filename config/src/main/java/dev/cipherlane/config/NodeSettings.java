package dev.cipherlane.config;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a node service is configured with, validated and immutable. A reload builds
 * a new instance and {@link ConfigDiff} says what changed.
 *
 * @param name node.name
 */
public record NodeSettings(
        String name,
        AdminSettings admin,
        DataplaneSettings dataplane,
        NeighbourSettings neighbour,
        List<RouteSettings> routes,
        List<InterfaceSettings> interfaces) {

    /** Every setting lives under this key, which is also the only top-level key allowed. */
    public static final String ROOT = "cipherlane";

    /** Fits a Kubernetes node name (a DNS subdomain) and is safe in logs and IKE identities. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    public NodeSettings {
        Objects.requireNonNull(name, "name");
        if (!NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("node name " + name + " does not match " + NAME_PATTERN);
        }
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(dataplane, "dataplane");
        Objects.requireNonNull(neighbour, "neighbour");
        routes = List.copyOf(routes);
        interfaces = List.copyOf(interfaces);
        if (routes.stream().map(RouteSettings::prefix).distinct().count() != routes.size()) {
            throw new IllegalArgumentException("two routes for one prefix");
        }
        if (interfaces.stream().map(InterfaceSettings::name).distinct().count() != interfaces.size()) {
            throw new IllegalArgumentException("two interfaces with one name");
        }
    }
}
