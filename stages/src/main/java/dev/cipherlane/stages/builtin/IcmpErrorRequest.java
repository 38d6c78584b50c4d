package dev.cipherlane.stages.builtin;

/**
 * How a stage asks {@code icmp4-error}/{@code icmp6-error} for an error about a packet: it
 * writes the ICMP type, code and a 16-bit parameter into the buffer's opaque metadata word
 * and sends the packet, still starting at its IP header, on its {@code icmp-error} arc
 * (VPP passes the same through {@code vnet_buffer(b)->ip.icmp}).
 *
 * <p>The parameter is the next-hop MTU for IPv4 Fragmentation Needed (RFC 1191 section 4)
 * and IPv6 Packet Too Big (RFC 4443 section 3.2), zero otherwise. Interface MTUs are at most
 * 65535, so 16 bits carry it.
 */
public final class IcmpErrorRequest {
    private IcmpErrorRequest() {}

    /** ICMPv4 Destination Unreachable (RFC 792). */
    public static final int ICMP4_UNREACHABLE = 3;
    /** Code of {@link #ICMP4_UNREACHABLE}: fragmentation needed and DF set (RFC 1191). */
    public static final int ICMP4_FRAGMENTATION_NEEDED = 4;
    /** ICMPv4 Time Exceeded (RFC 792); code 0 is TTL exceeded in transit. */
    public static final int ICMP4_TIME_EXCEEDED = 11;
    /** ICMPv6 Packet Too Big (RFC 4443 section 3.2). */
    public static final int ICMP6_PACKET_TOO_BIG = 2;
    /** ICMPv6 Time Exceeded (RFC 4443 section 3.3); code 0 is hop limit exceeded in transit. */
    public static final int ICMP6_TIME_EXCEEDED = 3;

    /** The opaque word for an error of {@code type}/{@code code} with {@code parameter}. */
    public static int encode(int type, int code, int parameter) {
        return (type & 0xFF) << 24 | (code & 0xFF) << 16 | (parameter & 0xFFFF);
    }

    public static int type(int opaque) {
        return opaque >>> 24;
    }

    public static int code(int opaque) {
        return (opaque >>> 16) & 0xFF;
    }

    public static int parameter(int opaque) {
        return opaque & 0xFFFF;
    }
}
