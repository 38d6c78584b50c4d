package dev.cipherlane.stages.buffer;

/** Bits of the metadata FLAGS word. */
public final class PacketFlags {
    private PacketFlags() {}

    /** Set while the buffer is allocated; freeing a buffer without it is a double free. */
    public static final int IN_USE = 1;
    /** The packet is being traced: stages record what they did to it. */
    public static final int TRACED = 1 << 1;
    /** L4 checksum still to be completed (virtio-net NEEDS_CSUM). */
    public static final int NEEDS_CSUM = 1 << 2;
    /** L4 checksum already verified by whoever handed us the packet. */
    public static final int CSUM_VALID = 1 << 3;
    /** IPv6 packet (else IPv4) once L3 is known. */
    public static final int IP6 = 1 << 4;
    /** Destined to the node itself (local adjacency). */
    public static final int LOCAL = 1 << 5;
    /**
     * Taken out of a tunnel by {@code ipip-decap}, which leaves the tunnel index in the opaque
     * word for {@code ip4-lookup}/{@code ip6-lookup}: the inner packet is judged against that
     * tunnel's peer (RFC 4301 section 5.2), not as clear traffic from the underlay interface it
     * still names as rx.
     */
    public static final int DECAPSULATED = 1 << 6;
    /** Built by this node (an ICMP error): its source is ours, so no ingress check applies. */
    public static final int ORIGINATED = 1 << 7;
}
