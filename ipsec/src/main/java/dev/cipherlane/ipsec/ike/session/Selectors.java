package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import java.util.List;

/**
 * Traffic selector narrowing, the simple way (RFC 7296 section 2.9): each end has its
 * configured selectors, and a proposal is acceptable when it covers ours, which is then what
 * we answer with. For Cipherlane these are the two tunnel endpoints with IP protocol 4 (IPIP).
 */
final class Selectors {
    private Selectors() {}

    /** Whether every selector of {@code inner} lies within some selector of {@code outer}. */
    static boolean covers(List<TrafficSelector> outer, List<TrafficSelector> inner) {
        return inner.stream().allMatch(i -> outer.stream().anyMatch(o -> contains(o, i)));
    }

    static boolean contains(TrafficSelector o, TrafficSelector i) {
        return o.tsType() == i.tsType()
                && (o.ipProtocol() == 0 || o.ipProtocol() == i.ipProtocol())
                && o.startPort() <= i.startPort() && i.endPort() <= o.endPort()
                && compare(o.startAddress(), i.startAddress()) <= 0
                && compare(i.endAddress(), o.endAddress()) <= 0;
    }

    /** Unsigned, most significant byte first; both of one family. */
    static int compare(Octets a, Octets b) {
        for (int k = 0; k < a.length(); k++) {
            int d = (a.get(k) & 0xFF) - (b.get(k) & 0xFF);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }
}
