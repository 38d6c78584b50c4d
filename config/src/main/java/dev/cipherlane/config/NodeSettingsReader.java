package dev.cipherlane.config;

import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.net.ValueFormatException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The schema, written as the code that reads it: one method per section of
 * reference.conf, in the same order, reading each key with the rule it must obey.
 */
final class NodeSettingsReader {

    private static final ValueReader<String> INTERFACE_NAME = ValueReader.string(
            "an interface name of 1.." + InterfaceNames.MAX_NAME_BYTES + " bytes without '/', ':' or spaces",
            InterfaceNames::isValidName);
    private static final String UNICAST_MAC = "a unicast MAC address like 02:00:00:00:00:01";
    private static final ValueReader<Integer> MTU =
            ValueReader.integer(PodNetworkSettings.MIN_MTU, PodNetworkSettings.MAX_MTU);
    private static final ValueReader<Integer> QUEUES =
            ValueReader.integer(PodNetworkSettings.MIN_QUEUES, PodNetworkSettings.MAX_QUEUES);

    private static final ValueReader<String> ENGINE = engineReader();

    private final Problems problems;
    /** Every pod's addresses, in file order, for the peers' pod-cidrs to stay clear of. */
    private final Map<IpAddress, Claim> podAddresses = new LinkedHashMap<>();
    /** Whether uplink.interface was read without a problem, so a bad one is not also "no uplink". */
    private boolean uplinkInterfaceRead;
    /** uplink.tunnel-addresses and their lines, which no peer may have. */
    private final Map<IpAddress, Integer> tunnelAddressLines = new HashMap<>();
    /** Entries in peers, good or bad. */
    private int peerEntries;

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
        ConfigSection metrics = admin.section("metrics");
        Optional<MetricsListen> metricsListen = metrics.get("listen", ValueReader.text(MetricsListen.EXPECTED,
                text -> text.isEmpty() ? Optional.<MetricsListen>empty() : Optional.of(MetricsListen.parse(text))));
        metrics.rejectUnknownKeys();
        admin.rejectUnknownKeys();

        DataplaneSettings dataplane = dataplane(cipherlane.section("dataplane"));
        NeighbourSettings neighbour = neighbour(cipherlane.section("neighbour"));
        PodNetworkSettings podNetwork = podNetwork(cipherlane.section("pod-network"));
        List<PodSettings> pods = pods(cipherlane, podNetwork);
        ConfigSection uplinkSection = cipherlane.section("uplink");
        UplinkSettings uplink = uplink(uplinkSection);
        List<PeerSettings> peers = peers(cipherlane, uplink == null ? 1 : PeerSettings.localEnds(uplink));
        if (peerEntries > 0 && uplink != null && !uplink.enabled() && uplinkInterfaceRead) {
            problems.add(cipherlane.origin("peers"), cipherlane.path("peers"),
                    "no peers while uplink.interface is \"\" (tunnels to peers run over the uplink)",
                    peerEntries + (peerEntries == 1 ? " peer" : " peers"));
        }
        IpsecSettings ipsec = ipsec(cipherlane.section("ipsec"));
        cipherlane.rejectUnknownKeys();
        if (uplink != null && ipsec != null && pods != null) {
            innerMtu(uplinkSection, uplink, pods, peers, ipsec);
        }

        if (problems.count() > 0) {
            return null;
        }
        return new NodeSettings(name, Path.of(stateDir), new AdminSettings(Path.of(socket), metricsListen), dataplane, neighbour,
                podNetwork, pods, uplink, peers, ipsec);
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

        ConfigSection faults = dataplane.section("fault-injection");
        Optional<String> faultStage = faults.optional("stage",
                ValueReader.string("a stage name", name -> !name.isBlank() && name.strip().equals(name)));
        int oneIn = faults.get("one-in",
                ValueReader.integer(FaultInjectionSettings.MIN_ONE_IN, FaultInjectionSettings.MAX_ONE_IN));
        boolean killsWorker = faults.get("kills-worker", ValueReader.bool());
        faults.rejectUnknownKeys();

        dataplane.rejectUnknownKeys();
        return new DataplaneSettings(workers, new BufferSettings(small, large), ringSize, traceMaxPackets, spinPolls,
                new FaultInjectionSettings(faultStage, oneIn, killsWorker));
    }

    private NeighbourSettings neighbour(ConfigSection neighbour) {
        Duration reachableTime = neighbour.get("reachable-time", ValueReader.duration(
                NeighbourSettings.MIN_REACHABLE_TIME, NeighbourSettings.MAX_REACHABLE_TIME));
        int maxEntries = neighbour.get("max-entries",
                ValueReader.integer(NeighbourSettings.MIN_ENTRIES, NeighbourSettings.MAX_ENTRIES));
        int maxPerInterface = neighbour.get("max-per-interface",
                ValueReader.integer(NeighbourSettings.MIN_PER_INTERFACE, NeighbourSettings.MAX_ENTRIES));
        neighbour.rejectUnknownKeys();
        return new NeighbourSettings(reachableTime, maxEntries, maxPerInterface);
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

    /**
     * An address some pod (or peer) has, and where; {@code pod} is the entry's path, which no
     * two entries share.
     */
    private record Claim(String pod, String owner, IpAddress address, int line) {
    }

    private List<PodSettings> pods(ConfigSection cipherlane, PodNetworkSettings network) {
        List<PodSettings> pods = new ArrayList<>();
        Map<String, Integer> namedOnLine = new HashMap<>();
        Map<Path, Integer> netnsOnLine = new HashMap<>();
        Map<IpAddress, Claim> claimed = podAddresses;
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

    /**
     * A bad value falls back to reference.conf's; null when the interface and host tap share
     * a name, which has no such fallback.
     */
    private UplinkSettings uplink(ConfigSection uplink) {
        int before = problems.count();
        String interfaceName = uplink.get("interface", ValueReader.string(
                "\"\" for no uplink, or an interface name of 1.." + InterfaceNames.MAX_NAME_BYTES
                        + " bytes without '/', ':' or spaces",
                name -> name.isEmpty() || InterfaceNames.isValidName(name)));
        uplinkInterfaceRead = problems.count() == before;
        String hostTap = uplink.get("host-tap", INTERFACE_NAME);
        List<IpAddress> tunnelAddresses = uplink.list("tunnel-addresses",
                "a list of IPv4 addresses like [\"192.0.2.21\", \"192.0.2.22\"]", 0, tunnelAddress());
        int mtu = uplink.get("mtu", ValueReader.integer(UplinkSettings.MIN_MTU, UplinkSettings.MAX_MTU));
        boolean offloads = uplink.get("offloads", ValueReader.bool());
        UplinkDriver driver = uplink.get("driver", ValueReader.text("\"afpacket\" or \"avf\"",
                text -> UplinkDriver.parse(text).orElseThrow(
                        () -> new ValueFormatException("\"afpacket\" or \"avf\"", text))));
        AvfUplinkSettings avf = avf(uplink.section("avf"));
        uplink.rejectUnknownKeys();
        if (driver == UplinkDriver.AVF && interfaceName.isEmpty()) {
            problems.add(uplink.origin("driver"), uplink.path("driver"),
                    "\"afpacket\" while uplink.interface is \"\" (\"avf\" runs on the uplink: the model on its"
                            + " packet socket, or a VF that takes its addresses)", uplink.shown("driver"));
            return null;
        }
        if (hostTap.equals(interfaceName)) {
            problems.add(uplink.origin("host-tap"), uplink.path("host-tap"),
                    "a name other than uplink.interface's " + interfaceName, uplink.shown("host-tap"));
            return null;
        }
        Optional<String> name = interfaceName.isEmpty() ? Optional.empty() : Optional.of(interfaceName);
        return new UplinkSettings(name, hostTap, tunnelAddresses, mtu, offloads, driver,
                avf == null ? AvfUplinkSettings.DEFAULTS : avf);
    }

    /** uplink.avf; a bad value falls back to reference.conf's, with its problem recorded. */
    private AvfUplinkSettings avf(ConfigSection avf) {
        String device = avf.get("device", ValueReader.string(AvfUplinkSettings.DEVICE_EXPECTED,
                AvfUplinkSettings::isValidDevice));
        int queues = avf.get("queues", ValueReader.integer(AvfUplinkSettings.MIN_QUEUES, AvfUplinkSettings.MAX_QUEUES));
        int ringSize = avf.get("ring-size", ValueReader.integer(AvfUplinkSettings.RING_EXPECTED,
                AvfUplinkSettings::isValidRingSize));
        avf.rejectUnknownKeys();
        return new AvfUplinkSettings(device, queues, ringSize);
    }

    /**
     * With IPv6 pods, what the tunnels leave of the uplink's MTU must be an MTU IPv6 can use
     * (RFC 8200 section 5): IPv6 does not fragment on the way, so below 1280 some packets
     * could never cross.
     */
    private void innerMtu(ConfigSection section, UplinkSettings uplink, List<PodSettings> pods, List<PeerSettings> peers,
            IpsecSettings ipsec) {
        boolean ipv6Pods = pods.stream().flatMap(p -> p.addresses().stream()).anyMatch(a -> a.family() == IpFamily.IPV6);
        int overhead = TunnelOverhead.of(ipsec);
        if (uplink.enabled() && !peers.isEmpty() && ipv6Pods && uplink.mtu() - overhead < TunnelOverhead.IPV6_MIN_MTU) {
            problems.add(section.origin("mtu"), section.path("mtu"), "an MTU of at least "
                    + (TunnelOverhead.IPV6_MIN_MTU + overhead) + " with IPv6 pods (the tunnels add " + overhead
                    + " bytes and IPv6 needs 1280 inside them, RFC 8200 section 5)", section.shown("mtu"));
        }
    }

    /** A local tunnel endpoint, remembered so that no peer can claim it. */
    private ValueReader<IpAddress> tunnelAddress() {
        ValueReader<IpAddress> underlay = underlayAddress();
        return new ValueReader<>(underlay.expected(), (value, expected) -> {
            IpAddress address = underlay.read(value);
            tunnelAddressLines.putIfAbsent(address, value.origin().lineNumber());
            return address;
        });
    }

    /** A tunnel endpoint, local or a peer's: a plain unicast IPv4 address for now. */
    private static ValueReader<IpAddress> underlayAddress() {
        return new ValueReader<>("an IPv4 address like 192.0.2.12", (value, expected) -> {
            if (value.valueType() != ConfigValueType.STRING) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            String text = (String) value.unwrapped();
            if (text.indexOf('/') >= 0) {
                throw new ValueFormatException("an IPv4 address without a prefix length", text);
            }
            IpAddress address = IpAddress.parse(text);
            PeerSettings.underlayProblem(address).ifPresent(reason -> {
                throw new ValueFormatException("a unicast IPv4 address, but " + address + " is " + reason, text);
            });
            return address;
        });
    }

    /** A pod CIDR some peer routes, and where; {@code peer} is the entry's path. */
    private record CidrClaim(String peer, String owner, IpPrefix prefix, int line) {
    }

    /** @param locals how many local tunnel ends the uplink has, for the distinct-pairs rule */
    private List<PeerSettings> peers(ConfigSection cipherlane, int locals) {
        List<PeerSettings> peers = new ArrayList<>();
        Map<String, Integer> namedOnLine = new HashMap<>();
        Map<IpAddress, Claim> claimed = new HashMap<>();
        List<CidrClaim> routed = new ArrayList<>();
        ValueReader<String> peerName = ValueReader.string("a peer name of 1.." + PodSettings.MAX_NAME_LENGTH
                + " lowercase letters, digits or '-', starting and ending with a letter or digit", PodSettings::isValidName);
        for (ConfigSection entry : cipherlane.objects("peers",
                "a peer like { name = \"node-b\", addresses = [\"192.0.2.12\"], pod-cidrs = [\"10.78.0.0/24\"] }")) {
            peerEntries++;
            int before = problems.count();
            String name = entry.get("name", peerName);
            String owner = name != null ? name : entry.path();
            List<IpAddress> addresses = entry.list("addresses",
                    "a non-empty list of IPv4 addresses like [\"192.0.2.12\"]", 1, peerAddress(entry.path(), owner, claimed));
            List<IpPrefix> podCidrs = entry.list("pod-cidrs",
                    "a non-empty list of prefixes like [\"10.78.0.0/24\", \"fd78::/64\"]", 1,
                    podCidr(entry.path(), owner, routed));
            int pairs = addresses == null ? PeerSettings.MAX_TUNNELS : PeerSettings.distinctPairs(locals, addresses.size());
            Optional<Integer> asked = entry.optional("tunnels",
                    ValueReader.integer(PeerSettings.MIN_TUNNELS, PeerSettings.MAX_TUNNELS));
            // Without a count, as many as the addresses allow up to the default.
            int tunnels = asked.orElse(Math.min(PeerSettings.DEFAULT_TUNNELS, pairs));
            if (asked.isPresent() && asked.get() > pairs) {
                problems.add(entry.origin("tunnels"), entry.path("tunnels"), "at most " + pairs
                        + " tunnels: tunnel i runs from local address i mod " + locals + " to peer address i mod "
                        + addresses.size() + ", and those pairs repeat after " + pairs
                        + " (list more addresses here or in uplink.tunnel-addresses)", entry.shown("tunnels"));
            }
            Optional<PeerSettings.Kind> kindRead = entry.optional("kind", ValueReader.text(
                    "\"cipherlane\" or \"gateway\"", t -> PeerSettings.Kind.of(t).orElseThrow(
                            () -> new ValueFormatException("\"cipherlane\" or \"gateway\"", t))));
            PeerSettings.Kind kind = kindRead.orElse(PeerSettings.Kind.CIPHERLANE);
            // With the kind unreadable (reported), local-cidrs cannot be judged.
            List<IpPrefix> localCidrs = kindRead.isEmpty() && entry.has("kind") && entry.has("local-cidrs") ? List.of()
                    : localCidrs(entry, kind, podCidrs);
            entry.rejectUnknownKeys();
            if (name != null) {
                Integer earlier = namedOnLine.putIfAbsent(name, entry.origin("name").lineNumber());
                if (earlier != null) {
                    problems.add(entry.origin("name"), entry.path("name"),
                            "a name not used by another peer, but " + name + " is already on line " + earlier,
                            entry.shown("name"));
                }
            }
            if (problems.count() == before) {
                peers.add(new PeerSettings(name, addresses, podCidrs, tunnels, kind, localCidrs));
            }
        }
        return peers;
    }

    /**
     * Reads one peer's address: a tunnel endpoint no other peer (nor this node) has. A repeat within the
     * peer is let through for {@link ConfigSection#list} to report.
     */
    private ValueReader<IpAddress> peerAddress(String peer, String owner, Map<IpAddress, Claim> claimed) {
        ValueReader<IpAddress> underlay = underlayAddress();
        return new ValueReader<>(underlay.expected(), (value, expected) -> {
            IpAddress address = underlay.read(value);
            Integer local = tunnelAddressLines.get(address);
            if (local != null) {
                throw new ValueFormatException("a peer's address, not this node's, but " + address
                        + " is in uplink.tunnel-addresses on line " + local, (String) value.unwrapped());
            }
            Claim earlier = claimed.get(address);
            if (earlier != null && !earlier.pod().equals(peer)) {
                throw new ValueFormatException("an address no other peer has, but " + address + " is already "
                        + earlier.owner() + "'s on line " + earlier.line(), (String) value.unwrapped());
            }
            claimed.putIfAbsent(address, new Claim(peer, owner, address, value.origin().lineNumber()));
            return address;
        });
    }

    /**
     * A gateway peer's local-cidrs: this node's side of its traffic selectors, which the
     * gateway checks every packet against, so they cannot be left to a default. They must not
     * overlap the prefixes behind the gateway (a packet would match both ends). A Cipherlane
     * peer has none: its selectors are the tunnel's own addresses.
     */
    private List<IpPrefix> localCidrs(ConfigSection entry, PeerSettings.Kind kind, List<IpPrefix> podCidrs) {
        if (kind == PeerSettings.Kind.CIPHERLANE) {
            if (entry.has("local-cidrs")) {
                problems.add(entry.origin("local-cidrs"), entry.path("local-cidrs"),
                        "no local-cidrs on a Cipherlane peer (its selectors are the tunnel addresses); they go with"
                                + " kind = \"gateway\"", entry.shown("local-cidrs"));
            }
            return List.of();
        }
        return entry.list("local-cidrs", "a non-empty list of this node's pod prefixes like [\"10.77.0.0/24\"]", 1,
                ValueReader.text("a prefix like 10.77.0.0/24 or fd77::/64", t -> {
                    IpPrefix prefix = IpPrefix.parse(t);
                    for (IpPrefix theirs : podCidrs) {
                        if (theirs.overlaps(prefix)) {
                            throw new ValueFormatException("a prefix of this node's, overlapping none of the peer's"
                                    + " pod-cidrs, but " + prefix + " overlaps " + theirs, t);
                        }
                    }
                    return prefix;
                }));
    }

    /**
     * Reads one peer's pod CIDR. It sends traffic into the peer's tunnels, so it must not
     * overlap another pod CIDR (a route would be ambiguous) nor hold one of this node's own
     * pods (their traffic would leave the node). A repeat within the peer is let through for
     * {@link ConfigSection#list} to report.
     */
    private ValueReader<IpPrefix> podCidr(String peer, String owner, List<CidrClaim> routed) {
        return new ValueReader<>("a prefix like 10.78.0.0/24 or fd78::/64", (value, expected) -> {
            if (value.valueType() != ConfigValueType.STRING) {
                throw new ValueFormatException(expected, Problems.got(value));
            }
            String text = (String) value.unwrapped();
            IpPrefix prefix = IpPrefix.parse(text);
            for (Claim pod : podAddresses.values()) {
                if (prefix.contains(pod.address())) {
                    throw new ValueFormatException("a prefix holding none of this node's pods, but " + prefix + " holds "
                            + pod.owner() + "'s " + pod.address() + " on line " + pod.line(), text);
                }
            }
            for (CidrClaim earlier : routed) {
                boolean repeat = earlier.peer().equals(peer) && earlier.prefix().equals(prefix);
                if (!repeat && earlier.prefix().overlaps(prefix)) {
                    throw new ValueFormatException("a prefix overlapping no other pod-cidr, but " + prefix + " overlaps "
                            + earlier.owner() + "'s " + earlier.prefix() + " on line " + earlier.line(), text);
                }
            }
            routed.add(new CidrClaim(peer, owner, prefix, value.origin().lineNumber()));
            return prefix;
        });
    }

    /**
     * Each key stands alone: ipsec on with no peers protects nothing and harms nothing, and
     * a missing key file is the supervisor's to find (it fails closed), not the config's.
     */
    private IpsecSettings ipsec(ConfigSection ipsec) {
        boolean enabled = ipsec.get("enabled", ValueReader.bool());
        String keyDir = ipsec.get("key-dir", ValueReader.string(
                "an absolute path without '.' or '..' segments, like /etc/cipherlane/keys", PathText::isAbsolute));
        String engine = ipsec.get("engine", ENGINE);
        int cryptoThreads = ipsec.get("crypto-threads", ValueReader.integer(0, IpsecSettings.MAX_CRYPTO_THREADS));
        int replayWindow = ipsec.get("replay-window", ValueReader.integer("0 (no anti-replay) or a power of two in "
                + IpsecSettings.MIN_REPLAY_WINDOW + ".." + IpsecSettings.MAX_REPLAY_WINDOW,
                IpsecSettings::isValidReplayWindow));
        boolean udpEncapsulation = ipsec.get("udp-encapsulation", ValueReader.bool());
        long sequenceBlock = ipsec.get("sequence-block",
                ValueReader.longInteger(IpsecSettings.MIN_SEQUENCE_BLOCK, IpsecSettings.MAX_SEQUENCE_BLOCK));
        IpsecLifetime lifetime = lifetime(ipsec.section("lifetime"));
        String keys = ipsec.get("keys", ValueReader.text(IpsecSettings.KEY_SOURCES.stream().map(ConfigUtil::quoteString)
                .collect(Collectors.joining(" or ")), text -> {
                    if (!IpsecSettings.KEY_SOURCES.contains(text)) {
                        throw new ValueFormatException(IpsecSettings.KEY_SOURCES.stream().map(ConfigUtil::quoteString)
                                .collect(Collectors.joining(" or ")), text);
                    }
                    return text;
                }));
        IkeSettings ike = ike(ipsec.section("ike"), keys.equals(IpsecSettings.IKE) && enabled);
        ipsec.rejectUnknownKeys();
        return new IpsecSettings(enabled, Path.of(keyDir), engine, cryptoThreads, replayWindow, udpEncapsulation,
                sequenceBlock, lifetime, keys, ike);
    }

    /**
     * The IKE settings; with IKE in use the PSK must come from exactly one place: a file or an
     * environment variable (named here; read by the supervisor, which checks the file's mode).
     */
    private IkeSettings ike(ConfigSection ike, boolean used) {
        String file = ike.get("psk-file", ValueReader.string("\"\" or an absolute path without '.' or '..' segments",
                text -> text.isEmpty() || PathText.isAbsolute(text)));
        String env = ike.get("psk-env", ValueReader.string("\"\" or an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
                text -> text.isEmpty() || text.matches("[A-Za-z_][A-Za-z0-9_]*")));
        ValueReader<Duration> lifetime = ValueReader.duration(IkeSettings.MIN_LIFETIME, IkeSettings.MAX_LIFETIME);
        Duration ikeLifetime = ike.get("ike-lifetime", lifetime);
        Duration childLifetime = ike.get("child-lifetime", lifetime);
        Duration liveness = ike.get("liveness", ValueReader.duration(IkeSettings.MIN_LIVENESS, IkeSettings.MAX_LIVENESS));
        boolean pfs = ike.get("pfs", ValueReader.bool());
        List<String> proposals = ike.list("proposals", "a non-empty list of IKE proposals from "
                + IkeSettings.PROPOSALS + ", most preferred first", 1, ValueReader.string("one of "
                + IkeSettings.PROPOSALS, IkeSettings.PROPOSALS::contains));
        List<String> groups = ike.list("groups", "a non-empty list of Diffie-Hellman groups from " + IkeSettings.GROUPS
                + ", most preferred first", 1, ValueReader.string("one of " + IkeSettings.GROUPS,
                IkeSettings.GROUPS::contains));
        boolean esn = ike.get("esn", ValueReader.bool());
        ike.rejectUnknownKeys();
        // A bad or empty list is reported; the defaults stand in for it so the rest can be checked.
        proposals = proposals.isEmpty() ? IkeSettings.PROPOSALS : proposals;
        groups = groups.isEmpty() ? IkeSettings.GROUPS : groups;
        if (used && file.isEmpty() == env.isEmpty()) {
            problems.add(ike.origin("psk-file"), ike.path("psk-file"),
                    "exactly one of psk-file and psk-env set with ipsec.keys = \"ike\"",
                    ike.shown("psk-file") + " and psk-env " + ike.shown("psk-env"));
        }
        return new IkeSettings(file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
                env.isEmpty() ? Optional.empty() : Optional.of(env), ikeLifetime, childLifetime, liveness, pfs, proposals,
                groups, esn);
    }

    /**
     * Each limit is 0 (none) or more; a soft limit must come before its hard one, or the
     * warning that the SA needs replacing (RFC 4301 section 4.4.2.1) would never come first.
     * That problem goes on the soft key, the one to lower, and a bad pair falls back to no limits.
     */
    private IpsecLifetime lifetime(ConfigSection lifetime) {
        ValueReader<Long> count = ValueReader.longInteger(0, IpsecLifetime.MAX_COUNT);
        ValueReader<Duration> time = ValueReader.duration(Duration.ZERO, IpsecLifetime.MAX_TIME);
        long softBytes = lifetime.get("soft-bytes", count);
        long hardBytes = lifetime.get("hard-bytes", count);
        long softPackets = lifetime.get("soft-packets", count);
        long hardPackets = lifetime.get("hard-packets", count);
        Duration softTime = lifetime.get("soft-time", time);
        Duration hardTime = lifetime.get("hard-time", time);
        lifetime.rejectUnknownKeys();
        if (!softBelowHard(lifetime, "bytes", softBytes, hardBytes, Long.toString(hardBytes))) {
            softBytes = 0;
            hardBytes = 0;
        }
        if (!softBelowHard(lifetime, "packets", softPackets, hardPackets, Long.toString(hardPackets))) {
            softPackets = 0;
            hardPackets = 0;
        }
        if (!softBelowHard(lifetime, "time", softTime.toNanos(), hardTime.toNanos(), DurationText.format(hardTime))) {
            softTime = Duration.ZERO;
            hardTime = Duration.ZERO;
        }
        return new IpsecLifetime(softBytes, hardBytes, softPackets, hardPackets, softTime, hardTime);
    }

    private boolean softBelowHard(ConfigSection lifetime, String kind, long soft, long hard, String hardShown) {
        if (IpsecLifetime.softBelowHard(soft, hard)) {
            return true;
        }
        problems.add(lifetime.origin("soft-" + kind), lifetime.path("soft-" + kind),
                "less than hard-" + kind + " (" + hardShown + ")", lifetime.shown("soft-" + kind));
        return false;
    }

    /** One of {@link IpsecSettings#ENGINES}, offering the nearest for a slip like "bouncy-castle" or "JDK". */
    private static ValueReader<String> engineReader() {
        String expected = IpsecSettings.ENGINES.stream().map(ConfigUtil::quoteString).collect(Collectors.joining(" or "));
        return ValueReader.text(expected, text -> {
            if (!IpsecSettings.ENGINES.contains(text)) {
                throw new ValueFormatException(expected + KeySuggestion.nearest(text, IpsecSettings.ENGINES)
                        .map(engine -> " (did you mean " + ConfigUtil.quoteString(engine) + "?)").orElse(""), text);
            }
            return text;
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
