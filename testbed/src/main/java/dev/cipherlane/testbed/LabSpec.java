package dev.cipherlane.testbed;

import java.util.regex.Pattern;

/**
 * What a {@link Lab} builds: how many nodes and pods, how the nodes are joined, and the
 * node settings that matter to the topology. Immutable; {@link #defaults()} and the
 * {@code with...} methods make variants.
 *
 * @param family         first letters of every namespace name, "cl" and one or two more
 *                       lowercase letters (a test suite, the demo and the benchmark each use
 *                       their own); the lab appends 5 random hex digits to make its prefix
 * @param nodes          nodes, 1..{@value AddressPlan#MAX_NODES}; two are joined by one wire,
 *                       more by a bridge
 * @param podsPerNode    pods on each node, 0..{@value AddressPlan#MAX_PODS_PER_NODE}
 * @param workers        dataplane workers per node, 1..4 (the machines have 2 cores)
 * @param queues         tap queues per pod, 1..4
 * @param tunnels        tunnels from each node to each peer, 1..16, at most {@code extraAddresses + 1}
 *                       with an uplink (each tunnel needs its own outer address pair)
 * @param extraAddresses extra tunnel source addresses per node, 0..{@value AddressPlan#MAX_EXTRA_ADDRESSES};
 *                       with n extra addresses and n + 1 tunnels every tunnel has its own
 *                       outer (source, destination) pair
 * @param relay          put a relay namespace in the wire between two nodes, with one veth
 *                       end toward each node ({@link Lab#RELAY_PORT_A}, {@link Lab#RELAY_PORT_B})
 *                       for an impairment relay to forward between; only with two nodes
 * @param uplink         give every node its wire as uplink and the other nodes as peers; false
 *                       builds the wires but runs pods-only nodes
 * @param podMtu         MTU of the pods' interfaces
 * @param uplinkMtu      MTU of the wires and the nodes' uplinks
 * @param ipsec          whether and how ESP protects the tunnels; the pod MTU must leave room
 *                       for its overhead ({@link LabIpsec#tunnelOverhead()})
 */
public record LabSpec(String family, int nodes, int podsPerNode, int workers, int queues, int tunnels,
                      int extraAddresses, boolean relay, boolean uplink, int podMtu, int uplinkMtu,
                      LabIpsec ipsec) {

    private static final Pattern FAMILY = Pattern.compile("cl[a-z]{1,2}");

    public LabSpec {
        if (family == null || !FAMILY.matcher(family).matches()) {
            throw new IllegalArgumentException("family must be \"cl\" and one or two lowercase letters, got " + family);
        }
        range("nodes", nodes, 1, AddressPlan.MAX_NODES);
        range("podsPerNode", podsPerNode, 0, AddressPlan.MAX_PODS_PER_NODE);
        range("workers", workers, 1, 4);
        range("queues", queues, 1, 4);
        range("tunnels", tunnels, 1, 16);
        range("extraAddresses", extraAddresses, 0, AddressPlan.MAX_EXTRA_ADDRESSES);
        range("uplinkMtu", uplinkMtu, 1280, 9000);
        if (ipsec == null) {
            throw new IllegalArgumentException("ipsec must be LabIpsec.ON, LabIpsec.OFF or a variant, got null");
        }
        range("podMtu", podMtu, 1280, uplinkMtu - ipsec.tunnelOverhead());
        if (relay && nodes != 2) {
            throw new IllegalArgumentException("a relay sits between exactly two nodes, not " + nodes);
        }
        if (uplink && nodes < 2) {
            throw new IllegalArgumentException("an uplink needs a peer: a one-node lab runs pods only");
        }
        // Every node has extraAddresses + 1 tunnel ends, so tunnel i's pair (i mod n, i mod n)
        // repeats after n tunnels, and a node refuses tunnels sharing a pair (reference.conf).
        if (uplink && tunnels > extraAddresses + 1) {
            throw new IllegalArgumentException(tunnels + " tunnels need " + (tunnels - 1)
                    + " extra addresses per node for distinct address pairs, got " + extraAddresses);
        }
    }

    /**
     * Two nodes with two pods each, one worker, four ESP-protected tunnels over four address
     * pairs, no relay; family "cll".
     */
    public static LabSpec defaults() {
        return new LabSpec("cll", 2, 2, 1, 1, 4, 3, false, true, 1400, 1500, LabIpsec.ON);
    }

    public LabSpec withFamily(String f) {
        return new LabSpec(f, nodes, podsPerNode, workers, queues, tunnels, extraAddresses, relay, uplink,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withNodes(int n) {
        return new LabSpec(family, n, podsPerNode, workers, queues, tunnels, extraAddresses, relay, uplink,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withPodsPerNode(int n) {
        return new LabSpec(family, nodes, n, workers, queues, tunnels, extraAddresses, relay, uplink,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withWorkers(int n, int queuesPerPod) {
        return new LabSpec(family, nodes, podsPerNode, n, queuesPerPod, tunnels, extraAddresses, relay, uplink,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withTunnels(int n, int extra) {
        return new LabSpec(family, nodes, podsPerNode, workers, queues, n, extra, relay, uplink,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withRelay(boolean r) {
        return new LabSpec(family, nodes, podsPerNode, workers, queues, tunnels, extraAddresses, r, uplink,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withUplink(boolean u) {
        return new LabSpec(family, nodes, podsPerNode, workers, queues, tunnels, extraAddresses, relay, u,
                podMtu, uplinkMtu, ipsec);
    }

    public LabSpec withMtu(int pod, int wire) {
        return new LabSpec(family, nodes, podsPerNode, workers, queues, tunnels, extraAddresses, relay, uplink,
                pod, wire, ipsec);
    }

    /** Tunnels protected as {@code i} says ({@link LabIpsec#OFF} for plain IPIP). */
    public LabSpec withIpsec(LabIpsec i) {
        return new LabSpec(family, nodes, podsPerNode, workers, queues, tunnels, extraAddresses, relay, uplink,
                podMtu, uplinkMtu, i);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + value);
        }
    }
}
