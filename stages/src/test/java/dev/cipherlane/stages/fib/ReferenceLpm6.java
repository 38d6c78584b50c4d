package dev.cipherlane.stages.fib;

import java.util.Comparator;
import java.util.Map;

/** Brute-force IPv6 longest-prefix match: a linear scan over every route, longest first. */
final class ReferenceLpm6 {

    private final Ip6Prefix[] prefixes;
    private final int[] lbs;
    private final int defaultLb;

    ReferenceLpm6(Map<Ip6Prefix, Integer> routes, int defaultLb) {
        prefixes = routes.keySet().stream()
                .sorted(Comparator.comparingInt(Ip6Prefix::length).reversed())
                .toArray(Ip6Prefix[]::new);
        lbs = new int[prefixes.length];
        for (int i = 0; i < prefixes.length; i++) {
            lbs[i] = routes.get(prefixes[i]);
        }
        this.defaultLb = defaultLb;
    }

    int lookup(long hi, long lo) {
        for (int i = 0; i < prefixes.length; i++) {
            Ip6Prefix p = prefixes[i];
            int length = p.length();
            long maskHi = length == 0 ? 0 : length >= 64 ? -1L : -1L << (64 - length);
            long maskLo = length <= 64 ? 0 : length == 128 ? -1L : -1L << (128 - length);
            if ((hi & maskHi) == p.hi() && (lo & maskLo) == p.lo()) {
                return lbs[i];
            }
        }
        return defaultLb;
    }
}
