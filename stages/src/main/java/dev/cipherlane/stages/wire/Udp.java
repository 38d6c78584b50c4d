package dev.cipherlane.stages.wire;

/**
 * UDP header layout (RFC 768), offsets from the first byte of the UDP header, and the ports
 * the dataplane looks at.
 */
public final class Udp {
    private Udp() {}

    public static final int SOURCE_PORT = 0;
    public static final int DESTINATION_PORT = 2;
    /** Header and payload, in bytes. */
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    /** Bytes of the header. */
    public static final int HEADER = 8;

    /** ESP in UDP and IKE after its float, for NAT traversal (RFC 3948 section 2, RFC 7296 section 2.23). */
    public static final int NAT_TRAVERSAL_PORT = 4500;
}
