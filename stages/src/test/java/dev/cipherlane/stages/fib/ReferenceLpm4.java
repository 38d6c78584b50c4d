package dev.cipherlane.stages.fib;

import java.util.Map;

/**
 * Brute-force IPv4 longest-prefix match: a linear scan over every route, kept deliberately
 * naive so that it is obviously right. Routes are scanned longest first, so the first match
 * is the answer.
 */
final class ReferenceLpm4 {

    private final int[] prefixes;
    private final int[] lengths;
    private final int[] lbs;
    private final int defaultLb;

    /** @param routes key {@code length << 32 | prefix} → load balancer */
    ReferenceLpm4(Map<Long, Integer> routes, int defaultLb) {
        long[] keys = routes.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        int n = keys.length;
        prefixes = new int[n];
        lengths = new int[n];
        lbs = new int[n];
        for (int i = 0; i < n; i++) {
            long key = keys[n - 1 - i];
            prefixes[i] = (int) key;
            lengths[i] = (int) (key >>> 32);
            lbs[i] = routes.get(key);
        }
        this.defaultLb = defaultLb;
    }

    int lookup(int address) {
        for (int i = 0; i < prefixes.length; i++) {
            int length = lengths[i];
            int mask = length == 0 ? 0 : -1 << (32 - length);
            if ((address & mask) == prefixes[i]) {
                return lbs[i];
            }
        }
        return defaultLb;
    }
}
