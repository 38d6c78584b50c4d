package dev.cipherlane.ipsec.esp;

import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;

/**
 * ESP wire format as the stages use it (RFC 4303 section 2, AES-GCM per RFC 4106 section 3,
 * UDP encapsulation per RFC 3948 section 2):
 *
 * <pre>
 *  outer IPv4 header (20 bytes; what we send has no options)
 *  [UDP header, 8 bytes, ports from the SA, checksum 0]        RFC 3948 section 2.1
 *  SPI (4) | sequence number, low 32 bits (4)                  RFC 4303 section 2.1, 2.2
 *  IV (8) = the 64-bit sequence number, big-endian             RFC 4106 section 3.1
 *  encrypted: inner packet | padding 1, 2, 3... | pad length | next header (4 or 41)
 *  ICV (16)                                                    RFC 4106 section 6
 * </pre>
 *
 * Padding makes payload + padding + 2 a multiple of 4 (RFC 4303 section 2.4; GCM itself needs
 * no block alignment, RFC 4106 section 3.2).
 */
public final class Esp {
    private Esp() {}

    /** SPI and sequence number. */
    public static final int HEADER = 8;
    public static final int IV = 8;
    /** Where the encrypted payload starts, from the SPI. */
    public static final int PAYLOAD = HEADER + IV;
    /** Pad length and next header. */
    public static final int TRAILER = 2;
    public static final int ICV = 16;
    /** The shortest ESP packet that can hold anything: empty payload, no padding. */
    public static final int MIN_PACKET = PAYLOAD + TRAILER + ICV;
    /**
     * Most bytes ESP adds to an IPIP packet: UDP header, ESP header, IV, 3 bytes of padding,
     * trailer and ICV. The tunnel MTU given to {@code ipip-encap} should leave this much room.
     */
    public static final int MAX_OVERHEAD = Udp.HEADER + PAYLOAD + 3 + TRAILER + ICV;

    /**
     * The most bytes a protected IPIP tunnel adds to an inner packet: the outer IPv4 header
     * (RFC 2003 section 3) and ESP's {@link #MAX_OVERHEAD}, less the UDP header when ESP is
     * not encapsulated. What the tunnel's MTU check must reserve.
     */
    public static int tunnelOverhead(boolean udpEncapsulated) {
        return Ip4.MIN_HEADER + MAX_OVERHEAD - (udpEncapsulated ? 0 : Udp.HEADER);
    }

    /** The 4-byte zero marker that tells IKE from ESP on port 4500 (RFC 3948 section 2.2). */
    public static final int NON_ESP_MARKER = 4;
    /** A NAT keepalive is a UDP payload of this one byte (RFC 3948 section 2.3). */
    public static final int NAT_KEEPALIVE = 0xFF;

    /** Bytes of padding after a payload of {@code payload} bytes (RFC 4303 section 2.4). */
    public static int padding(int payload) {
        return -(payload + TRAILER) & 3;
    }
}
