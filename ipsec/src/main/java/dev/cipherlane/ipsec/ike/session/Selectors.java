package dev.cipherlane.ipsec.ike.session;

import dev.cipherlane.ipsec.ike.message.Octets;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import java.util.List;

/**
 * Traffic selector narrowing (RFC 7296 section 2.9): each end has its configured selectors. A
 * responder answers with what the proposal and its own selectors have in common, and refuses
 * with TS_UNACCEPTABLE when that is nothing; an initiator takes an answer only if it lies
 * within what it proposed. Between Cipherlane nodes both ends configure the same two tunnel
 * endpoints with IP protocol 4 (IPIP), so the answer is the proposal; a gateway may propose
 * less than we allow (one address of a pod CIDR, say) and gets just that.
 */
final class Selectors {
    private Selectors() {}

    /** Whether every selector of {@code inner} lies within some selector of {@code outer}. */
    static boolean covers(List<TrafficSelector> outer, List<TrafficSelector> inner) {
        return inner.stream().allMatch(i -> outer.stream().anyMatch(o -> contains(o, i)));
    }

    /**
     * Responder narrowing: each of {@code proposed} cut down to each of {@code ours} it meets,
     * in the proposal's order; empty if none meets any (section 2.9).
     */
    static List<TrafficSelector> narrow(List<TrafficSelector> proposed, List<TrafficSelector> ours) {
        List<TrafficSelector> out = new java.util.ArrayList<>();
        for (TrafficSelector p : proposed) {
            for (TrafficSelector o : ours) {
                intersect(p, o).filter(x -> !out.contains(x)).ifPresent(out::add);
            }
        }
        return out;
    }

    /** What two selectors both take: one family, a protocol both allow, common ports and addresses. */
    static java.util.Optional<TrafficSelector> intersect(TrafficSelector a, TrafficSelector b) {
        if (a.tsType() != b.tsType() || a.ipProtocol() != 0 && b.ipProtocol() != 0 && a.ipProtocol() != b.ipProtocol()) {
            return java.util.Optional.empty();
        }
        int startPort = Math.max(a.startPort(), b.startPort());
        int endPort = Math.min(a.endPort(), b.endPort());
        Octets start = compare(a.startAddress(), b.startAddress()) >= 0 ? a.startAddress() : b.startAddress();
        Octets end = compare(a.endAddress(), b.endAddress()) <= 0 ? a.endAddress() : b.endAddress();
        if (startPort > endPort || compare(start, end) > 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new TrafficSelector(a.tsType(), Math.max(a.ipProtocol(), b.ipProtocol()),
                startPort, endPort, start, end));
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
