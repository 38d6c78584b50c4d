package dev.cipherlane.config;

import com.typesafe.config.ConfigValueType;
import dev.cipherlane.config.net.InterfaceAddress;
import dev.cipherlane.config.net.IpAddress;
import dev.cipherlane.config.net.IpFamily;
import dev.cipherlane.config.net.IpPrefix;
import dev.cipherlane.config.net.MacAddress;
import dev.cipherlane.config.net.ValueFormatException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
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
    private static final String UNICAST_MAC = "a unicast MAC address like 02:00:00:00:00:01";
    private static final ValueReader<Integer> MTU =
            ValueReader.integer(PodNetworkSettings.MIN_MTU, PodNetworkSettings.MAX_MTU);
    private static final ValueReader<Integer> QUEUES =
            ValueReader.integer(PodNetworkSettings.MIN_QUEUES, PodNetworkSettings.MAX_QUEUES);

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
        String stateDir = node.get("state-dir", ValueReader.string(
                "an absolute path without '.' or '..' segments, like /var/lib/cipherlane", NodeSettings::isValidStateDir));
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
        PodNetworkSettings podNetwork = podNetwork(cipherlane.section("pod-network"));
        List<PodSettings> pods = pods(cipherlane, podNetwork);
        cipherlane.rejectUnknownKeys();

        if (problems.count() > 0) {
            return null;
        }
        return new NodeSettings(name, Path.of(stateDir), new AdminSettings(Path.of(socket)), dataplane, neighbour,
                routes, interfaces, podNetwork, pods);
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
            Optional<MacAddress> mac = entry.optional("mac", ValueReader.text(UNICAST_MAC, NodeSettingsReader::unicastMac));
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

    /** A bad value falls back to reference.conf's, so the result is always whole. */
    private PodNetworkSettings podNetwork(ConfigSection network) {
        MacAddress gatewayMac = network.get("gateway-mac", ValueReader.text(UNICAST_MAC, NodeSettingsReader::unicastMac));
        IpAddress gateway4 = network.get("gateway4", gateway(IpFamily.IPV4, "169.254.0.0/16 like 169.254.1.1"));
        IpAddress gateway6 = network.get("gateway6", gateway(IpFamily.IPV6, "fe80::/10 like fe80::1"));
        int mtu = network.get("mtu", MTU);
        int queues = network.get("queues", QUEUES);
        String interfaceName = network.get("interface-name", INTERFACE_NAME);
        network.rejectUnknownKeys();
        return new PodNetworkSettings(gatewayMac, gateway4, gateway6, mtu, queues, interfaceName);
    }

    private static ValueReader<IpAddress> gateway(IpFamily family, String range) {
        String expected = "a link-local " + family + " address in " + range;
        return ValueReader.text(expected, text -> {
            IpAddress address = IpAddress.parse(text);
            if (!PodNetworkSettings.isGateway(address, family)) {
                throw new ValueFormatException(expected, text);
            }
            return address;
        });
    }

    /** An address some pod has, and where; {@code pod} is the entry's path, which no two pods share. */
    private record Claim(String pod, String owner, IpAddress address, int line) {
    }

    private List<PodSettings> pods(ConfigSection cipherlane, PodNetworkSettings network) {
        List<PodSettings> pods = new ArrayList<>();
        Map<String, Integer> namedOnLine = new HashMap<>();
        Map<Path, Integer> netnsOnLine = new HashMap<>();
        Map<IpAddress, Claim> claimed = new HashMap<>();
        ValueReader<String> podName = ValueReader.string("a pod name of 1.." + PodSettings.MAX_NAME_LENGTH
                + " lowercase letters, digits or '-', starting and ending with a letter or digit", PodSettings::isValidName);
        ValueReader<String> netnsReader = ValueReader.string("a namespace name of lowercase letters, digits, '_', '.' or"
                + " '-' under " + PodSettings.NETNS_DIR + ", or an absolute path like /proc/123/ns/net",
                PodSettings::isValidNetns);
        String podMacRule = "a unicast MAC address other than pod-network.gateway-mac " + network.gatewayMac();
        ValueReader<MacAddress> podMac = ValueReader.text(UNICAST_MAC, text -> {
            MacAddress mac = unicastMac(text);
            if (mac.equals(network.gatewayMac())) {
                throw new ValueFormatException(podMacRule, text);
            }
            return mac;
        });
        for (ConfigSection entry : cipherlane.objects("pods",
                "a pod like { name = \"pod-a\", netns = \"pod-a\", addresses = [\"10.0.0.10\"] }")) {
            int before = problems.count();
            String name = entry.get("name", podName);
            String netns = entry.get("netns", netnsReader);
            String owner = name != null ? name : entry.path();
            List<IpAddress> addresses = entry.list("addresses",
                    "a list of one or two addresses, at most one per family, like [\"10.0.0.10\", \"fd00::10\"]",
                    PodSettings.MIN_ADDRESSES, podAddress(entry.path(), owner, claimed));
            Optional<MacAddress> mac = entry.optional("mac", podMac);
            int queues = entry.optional("queues", QUEUES).orElse(network.queues());
            int mtu = entry.optional("mtu", MTU).orElse(network.mtu());
            entry.rejectUnknownKeys();
            if (name != null) {
                Integer earlier = namedOnLine.putIfAbsent(name, entry.origin("name").lineNumber());
                if (earlier != null) {
                    problems.add(entry.origin("name"), entry.path("name"),
                            "a name not used by another pod, but " + name + " is already on line " + earlier,
                            entry.shown("name"));
                }
            }
            if (netns != null) {
                // Compared as the file to open, so "pod-a" and "/run/netns/pod-a" are one namespace.
                Path path = PodSettings.resolveNetns(netns);
                Integer earlier = netnsOnLine.putIfAbsent(path, entry.origin("netns").lineNumber());
                if (earlier != null) {
                    problems.add(entry.origin("netns"), entry.path("netns"),
                            "a namespace no other pod is in, but " + path + " is already on line " + earlier,
                            entry.shown("netns"));
                }
            }
            if (problems.count() == before) {
                pods.add(new PodSettings(name, netns, addresses, mac, queues, mtu));
            }
        }
        return pods;
    }

    /**
     * Reads one pod's addresses. The rules span elements (one address per family within a
     * pod, no address in two pods), and checking them here rather than after the list is read
     * puts each problem on the element's own line. A repeat within the pod is let through for
     * {@link ConfigSection#list} to report as one.
     *
     * @param pod     the entry's path, telling this pod from one that reuses its name
     * @param owner   how another pod's problem names this one
     * @param claimed every pod's addresses read so far, added to as this one's are read
     */
    private static ValueReader<IpAddress> podAddress(String pod, String owner, Map<IpAddress, Claim> claimed) {
        Map<IpFamily, Claim> own = new EnumMap<>(IpFamily.class);
        return new ValueReader<>("an address like 10.0.0.10 or fd00::10", (value, expected) -> {
            if (value.valueType() != ConfigValueType.STRING) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            String text = (String) value.unwrapped();
            if (text.indexOf('/') >= 0) {
                throw new ValueFormatException("an address without a prefix length (a pod gets it as /32 or /128)", text);
            }
            IpAddress address = IpAddress.parse(text);
            PodSettings.unusableReason(address).ifPresent(reason -> {
                throw new ValueFormatException("a unicast address a pod can own, but " + address + " is " + reason, text);
            });
            Claim earlier = claimed.get(address);
            if (earlier != null && !earlier.pod().equals(pod)) {
                throw new ValueFormatException("an address no other pod has, but " + address + " is already "
                        + earlier.owner() + "'s on line " + earlier.line(), text);
            }
            Claim sameFamily = own.get(address.family());
            if (sameFamily != null && !sameFamily.address().equals(address)) {
                throw new ValueFormatException("at most one " + address.family() + " address per pod, but "
                        + sameFamily.address() + " is already listed on line " + sameFamily.line(), text);
            }
            Claim claim = new Claim(pod, owner, address, value.origin().lineNumber());
            claimed.putIfAbsent(address, claim);
            own.putIfAbsent(address.family(), claim);
            return address;
        });
    }

    private static MacAddress unicastMac(String text) {
        MacAddress mac = MacAddress.parse(text);
        if (mac.isMulticast()) {
            throw new ValueFormatException("a unicast MAC address (the lowest bit of the first octet clear)", text);
        }
        return mac;
    }
}
