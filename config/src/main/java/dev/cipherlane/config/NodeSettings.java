package dev.cipherlane.config;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a node service is configured with, validated and immutable. A reload builds
 * a new instance and {@link ConfigDiff} says what changed.
 *
 * @param name       node.name
 * @param stateDir   node.state-dir, where the state file (pods, taps) lives across restarts
 * @param podNetwork pod-network, how every pod is attached
 * @param pods       pods, each with its effective queues and MTU
 * @param uplink     uplink, the kernel interface the node takes over, if any
 * @param peers      peers, the other nodes this one tunnels to; only with an uplink
 * @param ipsec      ipsec, ESP protection of the tunnels
 */
public record NodeSettings(
        String name,
        Path stateDir,
        AdminSettings admin,
        DataplaneSettings dataplane,
        NeighbourSettings neighbour,
        PodNetworkSettings podNetwork,
        List<PodSettings> pods,
        UplinkSettings uplink,
        List<PeerSettings> peers,
        IpsecSettings ipsec) {

    /** Every setting lives under this key, which is also the only top-level key allowed. */
    public static final String ROOT = "cipherlane";

    /** Fits a Kubernetes node name (a DNS subdomain) and is safe in logs and IKE identities. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");

    /** reference.conf's node.state-dir, for settings built in code; a test checks the two agree. */
    public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/cipherlane");

    public NodeSettings {
        Objects.requireNonNull(name, "name");
        if (!NAME_PATTERN.matcher(name).matches()) {
            throw new IllegalArgumentException("node name " + name + " does not match " + NAME_PATTERN);
        }
        Objects.requireNonNull(stateDir, "stateDir");
        if (!isValidStateDir(stateDir.toString())) {
            throw new IllegalArgumentException("state dir " + stateDir + " is not an absolute path without '.' or '..'");
        }
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(dataplane, "dataplane");
        Objects.requireNonNull(neighbour, "neighbour");
        Objects.requireNonNull(podNetwork, "podNetwork");
        pods = List.copyOf(pods);
        checkPods(podNetwork, pods);
        Objects.requireNonNull(uplink, "uplink");
        peers = List.copyOf(peers);
        checkPeers(uplink, peers, pods);
        Objects.requireNonNull(ipsec, "ipsec");
    }

    /** The settings as they were before ESP: ipsec off. Kept so code that builds settings by hand goes on compiling. */
    public NodeSettings(String name, Path stateDir, AdminSettings admin, DataplaneSettings dataplane,
            NeighbourSettings neighbour, PodNetworkSettings podNetwork, List<PodSettings> pods, UplinkSettings uplink,
            List<PeerSettings> peers) {
        this(name, stateDir, admin, dataplane, neighbour, podNetwork, pods, uplink, peers, IpsecSettings.DEFAULTS);
    }

    /**
     * The settings as they were before the uplink: no uplink and no peers. Kept so code that
     * builds settings by hand goes on compiling.
     */
    public NodeSettings(String name, Path stateDir, AdminSettings admin, DataplaneSettings dataplane,
            NeighbourSettings neighbour, PodNetworkSettings podNetwork, List<PodSettings> pods) {
        this(name, stateDir, admin, dataplane, neighbour, podNetwork, pods, UplinkSettings.DEFAULTS, List.of());
    }

    /**
     * The settings as they were before pods: state in {@link #DEFAULT_STATE_DIR}, the
     * default pod network and no pods. Kept so code that builds settings by hand goes on
     * compiling.
     */
    public NodeSettings(String name, AdminSettings admin, DataplaneSettings dataplane, NeighbourSettings neighbour) {
        this(name, DEFAULT_STATE_DIR, admin, dataplane, neighbour, PodNetworkSettings.DEFAULTS, List.of(),
                UplinkSettings.DEFAULTS, List.of());
    }

    /** Absolute, without '.' or '..' segments. */
    public static boolean isValidStateDir(String path) {
        return PathText.isAbsolute(path);
    }

    /**
     * These settings with {@code pods} instead: checked like a config's pods (names, namespaces
     * and addresses unique, none inside a peer's pod CIDRs), so a pod added on a running node
     * meets the same rules as one in the file.
     */
    public NodeSettings withPods(List<PodSettings> pods) {
        return new NodeSettings(name, stateDir, admin, dataplane, neighbour, podNetwork, pods, uplink, peers, ipsec);
    }

    /** Pods are told apart by name, by namespace and by address; none is shared. */
    private static void checkPods(PodNetworkSettings network, List<PodSettings> pods) {
        Set<String> names = new HashSet<>();
        Set<Path> namespaces = new HashSet<>();
        Set<IpAddress> addresses = new HashSet<>();
        for (PodSettings pod : pods) {
            if (!names.add(pod.name())) {
                throw new IllegalArgumentException("two pods named " + pod.name());
            }
            if (!namespaces.add(pod.netnsPath())) {
                throw new IllegalArgumentException("pod " + pod.name() + " shares netns " + pod.netnsPath());
            }
            for (IpAddress address : pod.addresses()) {
                if (!addresses.add(address)) {
                    throw new IllegalArgumentException("pod " + pod.name() + " shares address " + address);
                }
            }
            if (pod.mac().filter(network.gatewayMac()::equals).isPresent()) {
                throw new IllegalArgumentException("pod " + pod.name() + " has the gateway's MAC " + network.gatewayMac());
            }
        }
    }

    /**
     * Peers are told apart by name and by address (none is one of ours), and their pod CIDRs route to one peer
     * each: none overlaps another's or holds one of this node's own pods.
     */
    private static void checkPeers(UplinkSettings uplink, List<PeerSettings> peers, List<PodSettings> pods) {
        if (!peers.isEmpty() && !uplink.enabled()) {
            throw new IllegalArgumentException("peers without an uplink");
        }
        Set<String> names = new HashSet<>();
        Set<IpAddress> addresses = new HashSet<>();
        List<IpPrefix> cidrs = new ArrayList<>();
        for (PeerSettings peer : peers) {
            if (!names.add(peer.name())) {
                throw new IllegalArgumentException("two peers named " + peer.name());
            }
            int pairs = PeerSettings.distinctPairs(PeerSettings.localEnds(uplink), peer.addresses().size());
            if (peer.tunnels() > pairs) {
                throw new IllegalArgumentException("peer " + peer.name() + ": " + peer.tunnels()
                        + " tunnels but only " + pairs + " distinct address pairs");
            }
            for (IpAddress address : peer.addresses()) {
                if (!addresses.add(address) || uplink.tunnelAddresses().contains(address)) {
                    throw new IllegalArgumentException("peer " + peer.name() + " shares address " + address);
                }
            }
            for (IpPrefix cidr : peer.podCidrs()) {
                if (cidrs.stream().anyMatch(cidr::overlaps)) {
                    throw new IllegalArgumentException("peer " + peer.name() + "'s pod CIDR " + cidr + " overlaps another peer's");
                }
                for (PodSettings pod : pods) {
                    if (pod.addresses().stream().anyMatch(cidr::contains)) {
                        throw new IllegalArgumentException("peer " + peer.name() + "'s pod CIDR " + cidr + " holds pod " + pod.name());
                    }
                }
            }
            cidrs.addAll(peer.podCidrs());
        }
    }
}
