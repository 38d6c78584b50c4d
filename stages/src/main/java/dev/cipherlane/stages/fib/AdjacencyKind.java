package dev.cipherlane.stages.fib;

/**
 * What a packet resolved to an adjacency needs next; the IP rewrite stage switches on this to
 * pick its next arc.
 */
public enum AdjacencyKind {
    /** Discard and count. Also what a removed adjacency reads as. */
    DROP,
    /** Hand to the control plane through the punt ring (IKE, ARP for the host, unknowns). */
    PUNT,
    /** Destination is an address we own: deliver to the local receive path. */
    LOCAL,
    /** Connected subnet: the next hop is the packet's own destination, resolve it by ARP/ND. */
    GLEAN,
    /** Next hop known but its link-layer address not yet: resolve the next hop by ARP/ND. */
    INCOMPLETE,
    /** Complete: prepend the stored Ethernet header and send on the tx interface. */
    REWRITE;

    private static final AdjacencyKind[] BY_ORDINAL = values();

    /** Decodes an ordinal without the array copy {@code values()} makes on every call. */
    static AdjacencyKind ofOrdinal(int ordinal) {
        return BY_ORDINAL[ordinal];
    }
}
