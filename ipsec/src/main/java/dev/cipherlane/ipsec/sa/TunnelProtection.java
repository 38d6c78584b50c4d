package dev.cipherlane.ipsec.sa;

import java.util.List;

/**
 * The SAs protecting one IPIP tunnel: the one outbound SA its packets are encrypted with and
 * up to {@value #MAX_INBOUND} inbound SAs it accepts packets from. Several inbound SAs let a
 * rekey be make-before-break: the new inbound SA is accepted before the peer switches to it,
 * the old one until its last packets have arrived (RFC 7296 section 2.8).
 *
 * @param tunnel     the tunnel index
 * @param outboundSa SA index used to encrypt, or {@link #NO_SA}: the tunnel is protected but has
 *                   no usable SA yet, and its packets are dropped, never sent in clear
 * @param inboundSas SA indexes accepted on receive, at most {@value #MAX_INBOUND}
 */
public record TunnelProtection(int tunnel, int outboundSa, List<Integer> inboundSas) {
    public static final int MAX_INBOUND = 4;
    public static final int NO_SA = -1;

    public TunnelProtection {
        if (tunnel < 0) {
            throw new IllegalArgumentException("tunnel index must not be negative, got " + tunnel);
        }
        if (outboundSa < NO_SA) {
            throw new IllegalArgumentException("outbound SA index must be >= 0 or NO_SA, got " + outboundSa);
        }
        inboundSas = List.copyOf(inboundSas);
        if (inboundSas.size() > MAX_INBOUND) {
            throw new IllegalArgumentException("at most " + MAX_INBOUND + " inbound SAs per tunnel, got " + inboundSas);
        }
        if (inboundSas.stream().distinct().count() != inboundSas.size()) {
            throw new IllegalArgumentException("inbound SAs listed twice: " + inboundSas);
        }
    }

    public static TunnelProtection of(int tunnel, int outboundSa, Integer... inboundSas) {
        return new TunnelProtection(tunnel, outboundSa, List.of(inboundSas));
    }
}
