package dev.cipherlane.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Writes a node's config file the way an operator would, over reference.conf: its name,
 * state directory and admin socket inside the lab's directory, its workers and pods, and,
 * for a node with an uplink, the wire as uplink with the node's extra tunnel addresses, every
 * other node as a peer (its underlay addresses, its pod CIDRs, the tunnel count) and the
 * {@code ipsec} section: ESP on or off, and when on the key directory {@link LabKeys} fills.
 */
public final class LabConfig {
    /** Pools sized for a lab: 32 MB of small and 64 MB of large buffers per node. */
    static final int SMALL_BUFFERS = 16384;
    static final int LARGE_BUFFERS = 1024;

    /**
     * Where every lab node serves /metrics: loopback inside the node's own namespace, so nodes
     * never collide and nothing outside the lab can reach it.
     */
    public static final String METRICS_LISTEN = "127.0.0.1:9464";

    private LabConfig() {}

    /**
     * The HOCON text of node {@code node}'s config in a lab of {@code spec}; {@code keyDir}
     * is where its key files are, used when the spec has an uplink and ESP on.
     */
    public static String render(LabSpec spec, int node, String wire, List<LabPod> pods, Path stateDir, Path socket,
                                Path keyDir) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by the Cipherlane lab for node n").append(node).append(".\n");
        sb.append("cipherlane {\n");
        sb.append("  node { name = ").append(quote(nodeName(node))).append(", state-dir = ")
                .append(quote(stateDir.toString())).append(" }\n");
        sb.append("  admin.socket = ").append(quote(socket.toString())).append('\n');
        sb.append("  admin.metrics.listen = ").append(quote(METRICS_LISTEN)).append('\n');
        sb.append("  dataplane { workers = ").append(spec.workers()).append(", buffers { small = ")
                .append(SMALL_BUFFERS).append(", large = ").append(LARGE_BUFFERS).append(" } }\n");
        sb.append("  pod-network { mtu = ").append(spec.podMtu()).append(", queues = ").append(spec.queues())
                .append(" }\n");
        sb.append("  pods = [\n");
        for (LabPod p : pods) {
            sb.append("    { name = ").append(quote(p.name())).append(", netns = ").append(quote(p.netns()))
                    .append(", addresses = [").append(quote(p.ip4())).append(", ").append(quote(p.ip6()))
                    .append("] }\n");
        }
        sb.append("  ]\n");
        if (spec.uplink()) {
            List<String> extra = IntStream.rangeClosed(1, spec.extraAddresses())
                    .mapToObj(j -> AddressPlan.tunnelAddress(node, j)).toList();
            sb.append("  uplink { interface = ").append(quote(wire)).append(", tunnel-addresses = ")
                    .append(list(extra)).append(", mtu = ").append(spec.uplinkMtu()).append(" }\n");
            sb.append("  peers = [\n");
            for (int peer = 1; peer <= spec.nodes(); peer++) {
                if (peer == node) {
                    continue;
                }
                sb.append("    { name = ").append(quote(nodeName(peer)))
                        .append(", addresses = ").append(list(tunnelSources(spec, peer)))
                        .append(", pod-cidrs = ").append(list(List.of(AddressPlan.podCidr4(peer),
                                AddressPlan.podCidr6(peer))))
                        .append(", tunnels = ").append(spec.tunnels()).append(" }\n");
            }
            sb.append("  ]\n");
            sb.append(ipsec(spec.ipsec(), keyDir));
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static String ipsec(LabIpsec ipsec, Path keyDir) {
        if (!ipsec.enabled()) {
            return "  ipsec { enabled = false }\n";
        }
        return "  ipsec { enabled = true, key-dir = " + quote(keyDir.toString()) + ", engine = " + quote(ipsec.engine())
                + ", crypto-threads = " + ipsec.cryptoThreads() + ", udp-encapsulation = " + ipsec.udpEncapsulation()
                + ", sequence-block = " + ipsec.sequenceBlock() + " }\n";
    }

    /** Node {@code node}'s tunnel endpoints in tunnel order: its wire address first, then its extra ones. */
    public static List<String> tunnelSources(LabSpec spec, int node) {
        List<String> all = new ArrayList<>();
        all.add(AddressPlan.underlay(node));
        for (int j = 1; j <= spec.extraAddresses(); j++) {
            all.add(AddressPlan.tunnelAddress(node, j));
        }
        return all;
    }

    public static String nodeName(int node) {
        return "n" + node;
    }

    private static String list(List<String> values) {
        return values.stream().map(LabConfig::quote).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A HOCON quoted string (JSON syntax). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"', '\\' -> sb.append('\\').append(c);
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
