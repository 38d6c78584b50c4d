package dev.cipherlane.config;

/**
 * What a tunnel adds to a pod's packet on the uplink, at most, so that validation can tell
 * whether the MTU left inside a tunnel is one IPv6 can live with. The dataplane has its own
 * exact account (the ESP stages'); a test in the supervisor checks that both agree.
 */
public final class TunnelOverhead {
    /** The outer IPv4 header of IPIP (RFC 2003 section 3), options never used. */
    static final int IP4_HEADER = 20;
    /**
     * ESP around the inner packet (RFC 4303 section 2, AES-GCM per RFC 4106): SPI and
     * sequence number 8, explicit IV 8, padding to 4 bytes at most 3, pad length and next
     * header 2, ICV 16.
     */
    static final int ESP = 8 + 8 + 3 + 2 + 16;
    /** The UDP header of ESP in UDP (RFC 3948 section 2.1). */
    static final int UDP = 8;
    /** The least MTU an IPv6 link must have (RFC 8200 section 5). */
    public static final int IPV6_MIN_MTU = 1280;

    private TunnelOverhead() {}

    /** Bytes a tunnel adds to each packet under {@code ipsec}. */
    public static int of(IpsecSettings ipsec) {
        if (!ipsec.enabled()) {
            return IP4_HEADER;
        }
        return IP4_HEADER + ESP + (ipsec.udpEncapsulation() ? UDP : 0);
    }
}
