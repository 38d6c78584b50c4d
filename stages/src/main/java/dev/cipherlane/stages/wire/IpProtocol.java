package dev.cipherlane.stages.wire;

/**
 * The IP protocol numbers the dataplane tells apart: the IPv4 protocol field and the IPv6
 * next header (IANA "Assigned Internet Protocol Numbers", RFC 5237). IPv6 extension headers
 * are {@link Ip6}'s.
 */
public final class IpProtocol {
    private IpProtocol() {}

    /** RFC 792. */
    public static final int ICMP = 1;
    /** IPv4 in IP, the IPIP tunnel (RFC 2003). */
    public static final int IPIP4 = 4;
    /** RFC 9293. */
    public static final int TCP = 6;
    /** RFC 768. */
    public static final int UDP = 17;
    /** IPv6 in IP (RFC 2473, RFC 4213 section 3.5). */
    public static final int IPIP6 = 41;
    /** Encapsulating Security Payload (RFC 4303). */
    public static final int ESP = 50;
    /** ICMPv6 (RFC 4443). */
    public static final int ICMP6 = 58;
}
