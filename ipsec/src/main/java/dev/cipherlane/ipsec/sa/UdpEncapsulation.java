package dev.cipherlane.ipsec.sa;

import dev.cipherlane.stages.wire.Udp;

/**
 * UDP encapsulation of ESP for NAT traversal (RFC 3948 section 2.1): the ports of the UDP header
 * put in front of the ESP header on the way out, or {@link #NONE} for plain ESP (IP protocol 50).
 * IKE floats both ends to port 4500 when it detects a NAT (RFC 7296 section 2.23); a NAT on the
 * path may have changed the peer's source port, so the ports are the SA's, not constants.
 */
public record UdpEncapsulation(int sourcePort, int destinationPort) {
    /** Plain ESP: no UDP header. */
    public static final UdpEncapsulation NONE = new UdpEncapsulation(0, 0);
    /** Both ports 4500, the usual case. */
    public static final UdpEncapsulation NAT_T = new UdpEncapsulation(Udp.NAT_TRAVERSAL_PORT, Udp.NAT_TRAVERSAL_PORT);

    public UdpEncapsulation {
        boolean none = sourcePort == 0 && destinationPort == 0;
        if (!none && (sourcePort < 1 || sourcePort > 0xFFFF || destinationPort < 1 || destinationPort > 0xFFFF)) {
            throw new IllegalArgumentException("UDP encapsulation ports must be 1..65535 (or both 0 for none), got "
                    + sourcePort + " -> " + destinationPort);
        }
    }

    public boolean enabled() {
        return sourcePort != 0;
    }

    @Override
    public String toString() {
        return enabled() ? "udp " + sourcePort + " -> " + destinationPort : "no udp";
    }
}
