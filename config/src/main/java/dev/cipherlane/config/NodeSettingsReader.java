package dev.cipherlane.config;

import dev.cipherlane.config.net.InterfaceAddress;
import dev.cipherlane.config.net.IpAddress;
import dev.cipherlane.config.net.IpFamily;
import dev.cipherlane.config.net.IpPrefix;
import dev.cipherlane.config.net.MacAddress;
import dev.cipherlane.config.net.ValueFormatException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schema, written as the code that reads it: one method per section of
 * reference.conf, in the same order, reading each key with the rule it must obey.
 */
final class NodeSettingsReader {

    private static final ValueReader<String> INTERFACE_NAME = ValueReader.string(
            "an interface name of 1.." + InterfaceSettings.MAX_NAME_BYTES + " bytes without '/', ':' or spaces",
            InterfaceSettings::isValidName);
    private static final String ADDRESS = "an IPv4 or IPv6 address like 192.0.2.1 or fd00::1";

    private final Problems problems;

    private NodeSettingsReader(Problems problems) {
        this.problems = problems;
    }

    /**
     * @param root the whole document: the file merged over reference.conf
     * @return the settings, or null when there were problems
     */
    static NodeSettings read(ConfigSection root, Problems problems) {
        NodeSettings settings = new NodeSettingsReader(problems).node(root.section(NodeSettings.ROOT));
        root.rejectUnknownKeys();
        return problems.count() == 0 ? settings : null;
    }

    private NodeSettings node(ConfigSection cipherlane) {
        ConfigSection node = cipherlane.section("node");
        String name = node.get("name", ValueReader.string(
                "a node name of 1..253 letters, digits, '.', '_' or '-' starting with a letter or digit",
                s -> NodeSettings.NAME_PATTERN.matcher(s).matches()));
        node.rejectUnknownKeys();

        ConfigSection admin = cipherlane.section("admin");
        String socket = admin.get("socket", ValueReader.string(
                "an absolute path of at most " + AdminSettings.MAX_SOCKET_PATH_BYTES + " bytes",
                AdminSettings::isValidSocketPath));
        admin.rejectUnknownKeys();

        DataplaneSettings dataplane = dataplane(cipherlane.section("dataplane"));
        NeighbourSettings neighbour = neighbour(cipherlane.section("neighbour"));
        List<RouteSettings> routes = routes(cipherlane);
        List<InterfaceSettings> interfaces = interfaces(cipherlane);
        cipherlane.rejectUnknownKeys();

        if (problems.count() > 0) {
            return null;
        }
        return new NodeSettings(name, new AdminSettings(Path.of(socket)), dataplane, neighbour, routes, interfaces);
    }

    private DataplaneSettings dataplane(ConfigSection dataplane) {
        int workers = dataplane.get("workers",
                ValueReader.integer(DataplaneSettings.MIN_WORKERS, DataplaneSettings.MAX_WORKERS));

        ConfigSection buffers = dataplane.section("buffers");
        int small = buffers.get("small", ValueReader.integer(BufferSettings.MIN_SMALL, BufferSettings.MAX_SMALL));
        int large = buffers.get("large", ValueReader.integer(0, BufferSettings.MAX_LARGE));
        buffers.rejectUnknownKeys();

        int ringSize = dataplane.get("ring-size",
                ValueReader.powerOfTwo(DataplaneSettings.MIN_RING_SIZE, DataplaneSettings.MAX_RING_SIZE));

        ConfigSection trace = dataplane.section("trace");
        int traceMaxPackets = trace.get("max-packets", ValueReader.integer(0, DataplaneSettings.MAX_TRACE_PACKETS));
        trace.rejectUnknownKeys();

        ConfigSection idle = dataplane.section("idle");
        int spinPolls = idle.get("spin-polls", ValueReader.integer(0, DataplaneSettings.MAX_IDLE_SPIN_POLLS));
        idle.rejectUnknownKeys();

        dataplane.rejectUnknownKeys();
        return new DataplaneSettings(workers, new BufferSettings(small, large), ringSize, traceMaxPackets, spinPolls);
    }

    private NeighbourSettings neighbour(ConfigSection neighbour) {
        Duration reachableTime = neighbour.get("reachable-time", ValueReader.duration(
                NeighbourSettings.MIN_REACHABLE_TIME, NeighbourSettings.MAX_REACHABLE_TIME));
        int maxEntries = neighbour.get("max-entries",
                ValueReader.integer(NeighbourSettings.MIN_ENTRIES, NeighbourSettings.MAX_ENTRIES));
        neighbour.rejectUnknownKeys();
        return new NeighbourSettings(reachableTime, maxEntries);
    }

    private List<RouteSettings> routes(ConfigSection cipherlane) {
        List<RouteSettings> routes = new ArrayList<>();
        Map<IpPrefix, Integer> routedOnLine = new HashMap<>();
        for (ConfigSection route : cipherlane.objects("routes",
                "a route like { prefix = \"10.1.0.0/16\", via = [\"192.0.2.1\"] }")) {
            int before = problems.count();
            IpPrefix prefix = route.get("prefix", ValueReader.text("a prefix like 10.1.0.0/16 or fd00::/48", IpPrefix::parse));
            List<IpAddress> via = route.list("via", "a non-empty list of next-hop addresses", 1, nextHop(prefix));
            Optional<String> interfaceName = route.optional("interface", INTERFACE_NAME);
            route.rejectUnknownKeys();
            if (prefix != null) {
                Integer earlier = routedOnLine.putIfAbsent(prefix, route.origin("prefix").lineNumber());
                if (earlier != null) {
                    problems.add(route.origin("prefix"), route.path("prefix"),
                            "a prefix without another route, but " + prefix + " is already routed on line " + earlier,
                            route.shown("prefix"));
                }
            }
            if (problems.count() == before) {
                routes.add(new RouteSettings(prefix, via, interfaceName));
            }
        }
        return routes;
    }

    /** Next hops must share the route's family; with no valid prefix, any address will do. */
    private static ValueReader<IpAddress> nextHop(IpPrefix prefix) {
        if (prefix == null) {
            return ValueReader.text(ADDRESS, IpAddress::parse);
        }
        IpFamily family = prefix.family();
        String expected = "an " + family + " address, as the route is for " + prefix;
        return ValueReader.text(expected, text -> {
            IpAddress hop = IpAddress.parse(text);
            if (hop.family() != family) {
                throw new ValueFormatException(expected, text);
            }
            return hop;
        });
    }

    private List<InterfaceSettings> interfaces(ConfigSection cipherlane) {
        List<InterfaceSettings> interfaces = new ArrayList<>();
        Map<String, Integer> namedOnLine = new HashMap<>();
        for (ConfigSection entry : cipherlane.objects("interfaces",
                "an interface like { name = \"uplink\", addresses = [\"10.0.0.1/24\"] }")) {
            int before = problems.count();
            String name = entry.get("name", INTERFACE_NAME);
            Optional<MacAddress> mac = entry.optional("mac", ValueReader.text(
                    "a unicast MAC address like 02:00:00:00:00:01", NodeSettingsReader::unicastMac));
            List<InterfaceAddress> addresses = entry.list("addresses",
                    "a list of addresses with prefix lengths like [\"10.0.0.1/24\"]", 0,
                    ValueReader.text("an address with its prefix length like 10.0.0.1/24", InterfaceAddress::parse));
            entry.rejectUnknownKeys();
            if (name != null) {
                Integer earlier = namedOnLine.putIfAbsent(name, entry.origin("name").lineNumber());
                if (earlier != null) {
                    problems.add(entry.origin("name"), entry.path("name"),
                            "a name not used by another interface, but " + name + " is already on line " + earlier,
                            entry.shown("name"));
                }
            }
            if (problems.count() == before) {
                interfaces.add(new InterfaceSettings(name, mac, addresses));
            }
        }
        return interfaces;
    }

    private static MacAddress unicastMac(String text) {
        MacAddress mac = MacAddress.parse(text);
        if (mac.isMulticast()) {
            throw new ValueFormatException("a unicast MAC address (the lowest bit of the first octet clear)", text);
        }
        return mac;
    }
}
