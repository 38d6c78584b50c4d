package dev.cipherlane.testbed;

/**
 * Where everything in a lab is addressed. Nodes and pods count from 1. The addresses exist
 * only inside the lab's own namespaces, so they cannot clash with the host's networks.
 *
 * <pre>
 *   underlay      10.200.0.0/16     node k's wire: 10.200.0.k, its extra tunnel addresses 10.200.j.k
 *   pods, IPv4    10.1.k.0/24       pod p of node k: 10.1.k.(10 + p)
 *   pods, IPv6    fd01:k::/64       pod p of node k: fd01:k::(10 + p)
 *   wireguard     10.201.0.0/24     node k's WireGuard interface, benchmark only: 10.201.0.k
 * </pre>
 *
 * One /16 holds every node's addresses, so every underlay address is on-link for every node:
 * the wires form one Ethernet segment (a veth pair, a relay or a bridge). Several local
 * addresses per node give several outer (source, destination) pairs, so tunnels to one peer
 * hash onto different flows in the underlay, as Calico/VPP's extra addresses do.
 */
public final class AddressPlan {
    public static final int UNDERLAY_PREFIX_LENGTH = 16;
    public static final int WIREGUARD_PREFIX_LENGTH = 24;
    /** Largest node, pod and extra-address number the plan has room for. */
    public static final int MAX_NODES = 8;
    public static final int MAX_PODS_PER_NODE = 8;
    public static final int MAX_EXTRA_ADDRESSES = 7;

    private AddressPlan() {}

    /** Node {@code node}'s address on its wire, the one the uplink takeover moves to the host tap. */
    public static String underlay(int node) {
        checkNode(node);
        return "10.200.0." + node;
    }

    /** Node {@code node}'s {@code extra}-th extra tunnel source address, {@code extra} from 1. */
    public static String tunnelAddress(int node, int extra) {
        checkNode(node);
        if (extra < 1 || extra > MAX_EXTRA_ADDRESSES) {
            throw new IllegalArgumentException("extra address number " + extra + " not in 1.." + MAX_EXTRA_ADDRESSES);
        }
        return "10.200." + extra + "." + node;
    }

    /** Node {@code node}'s address on its WireGuard interface (the benchmark's comparison path). */
    public static String wireguard(int node) {
        checkNode(node);
        return "10.201.0." + node;
    }

    public static String pod4(int node, int pod) {
        checkPod(node, pod);
        return "10.1." + node + "." + (10 + pod);
    }

    public static String pod6(int node, int pod) {
        checkPod(node, pod);
        return "fd01:" + node + "::" + (10 + pod);
    }

    public static String podCidr4(int node) {
        checkNode(node);
        return "10.1." + node + ".0/24";
    }

    public static String podCidr6(int node) {
        checkNode(node);
        return "fd01:" + node + "::/64";
    }

    private static void checkNode(int node) {
        if (node < 1 || node > MAX_NODES) {
            throw new IllegalArgumentException("node number " + node + " not in 1.." + MAX_NODES);
        }
    }

    private static void checkPod(int node, int pod) {
        checkNode(node);
        if (pod < 1 || pod > MAX_PODS_PER_NODE) {
            throw new IllegalArgumentException("pod number " + pod + " not in 1.." + MAX_PODS_PER_NODE);
        }
    }
}
