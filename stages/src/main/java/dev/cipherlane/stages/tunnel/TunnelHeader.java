package dev.cipherlane.stages.tunnel;

import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;

/**
 * The outer IPv4 header of an IPIP tunnel and the ECN rules of RFC 6040 that join it to the
 * inner header. Shared by {@code ipip-encap} and {@code ipip-decap}.
 */
public final class TunnelHeader {
    private TunnelHeader() {}

    /** Outer IPv4 header without options (RFC 2003 section 3.1 adds none). */
    public static final int OUTER_LENGTH = Ip4.MIN_HEADER;
    /**
     * Outer TTL. RFC 2003 section 3.1 asks for a value large enough to reach the tunnel exit
     * point; 64 is RFC 1700's default TTL.
     */
    public static final int OUTER_TTL = 64;

    /** Whether an IPv4 protocol number is one of the two this tunnel carries. */
    public static boolean isIpip(int protocol) {
        return protocol == IpProtocol.IPIP4 || protocol == IpProtocol.IPIP6;
    }

    /** ECN codepoints, the low two bits of the TOS / traffic class byte (RFC 3168 section 5). */
    public static final int NOT_ECT = 0;
    public static final int ECT_1 = 1;
    public static final int ECT_0 = 2;
    public static final int CE = 3;
    public static final int ECN_MASK = 3;

    /** What {@link #decapsulatedEcn} returns when the packet must be dropped. */
    public static final int ECN_DROP = -1;

    /**
     * The inner ECN field after decapsulation, RFC 6040 section 4.2 (Figure 4), or
     * {@link #ECN_DROP}:
     *
     * <pre>
     *             outer: Not-ECT  ECT(0)  ECT(1)  CE
     * inner Not-ECT      Not-ECT  Not-ECT Not-ECT drop
     * inner ECT(0)       ECT(0)   ECT(0)  ECT(1)  CE
     * inner ECT(1)       ECT(1)   ECT(1)  ECT(1)  CE
     * inner CE           CE       CE      CE      CE
     * </pre>
     *
     * A CE mark on the outer header of a packet whose sender cannot understand it can only be
     * honoured by dropping (the congestion signal must not be lost). The cells RFC 6040 flags as
     * currently unused are forwarded as the table says; this dataplane does not log them.
     */
    public static int decapsulatedEcn(int inner, int outer) {
        if (outer == CE) {
            return inner == NOT_ECT ? ECN_DROP : CE;
        }
        if (outer == ECT_1 && inner == ECT_0) {
            return ECT_1;
        }
        return inner;
    }
}
