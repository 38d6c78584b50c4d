package dev.cipherlane.stages.fib;

import java.util.Arrays;

/**
 * Compiles IPv6 routes into one open-addressing hash table per prefix length present, probed
 * from the longest length to the shortest; the first hit is the longest match. VPP's
 * {@code ip6_fib} does the same with one bihash keyed by (masked address, length).
 *
 * <p>A 16-bit-stride trie would need up to eight reads and many plies for sparse /64s and
 * /128s; the hash tables cost one probe per distinct length, and a node's table has few:
 * typically /0, the pod /128s, a few /64s and per-node blocks.
 *
 * <p>Layout, all tables flattened into shared primitive arrays so a lookup allocates nothing:
 * per table its netmask ({@code masks[2t]}, {@code masks[2t+1]}) and its slot base and
 * power-of-two slot mask ({@code shape[2t]}, {@code shape[2t+1]}); per slot the masked key
 * ({@code keys[2s]}, {@code keys[2s+1]}) and the load balancer ({@code values[s]}, -1 when
 * empty). Linear probing at load factor at most one half, so a probe always meets an empty
 * slot and stops.
 */
final class Ip6LengthTables {

    static final int EMPTY = -1;

    final int[] lengths;
    final long[] masks;
    final int[] shape;
    final long[] keys;
    final int[] values;

    private Ip6LengthTables(int[] lengths, long[] masks, int[] shape, long[] keys, int[] values) {
        this.lengths = lengths;
        this.masks = masks;
        this.shape = shape;
        this.keys = keys;
        this.values = values;
    }

    /**
     * @param prefixes routes sorted by length, longest first
     * @param lbs      load balancer of each route, non-negative
     */
    static Ip6LengthTables compile(Ip6Prefix[] prefixes, int[] lbs) {
        int tableCount = 0;
        for (int i = 0; i < prefixes.length; i++) {
            if (i == 0 || prefixes[i].length() != prefixes[i - 1].length()) {
                tableCount++;
            }
        }
        int[] lengths = new int[tableCount];
        long[] masks = new long[2 * tableCount];
        int[] shape = new int[2 * tableCount];
        int slotTotal = 0;
        int t = -1;
        for (int i = 0; i < prefixes.length; ) {
            int length = prefixes[i].length();
            int end = i;
            while (end < prefixes.length && prefixes[end].length() == length) {
                end++;
            }
            int slots = Integer.highestOneBit((end - i) * 2 - 1) << 1;
            t++;
            lengths[t] = length;
            masks[2 * t] = Prefixes.mask6Hi(length);
            masks[2 * t + 1] = Prefixes.mask6Lo(length);
            shape[2 * t] = slotTotal;
            shape[2 * t + 1] = slots - 1;
            slotTotal += slots;
            i = end;
        }
        long[] keys = new long[2 * slotTotal];
        int[] values = new int[slotTotal];
        Arrays.fill(values, EMPTY);
        t = -1;
        for (int i = 0; i < prefixes.length; i++) {
            if (i == 0 || prefixes[i].length() != prefixes[i - 1].length()) {
                t++;
            }
            Ip6Prefix prefix = prefixes[i];
            int base = shape[2 * t];
            int mask = shape[2 * t + 1];
            int probe = slotHash(prefix.hi(), prefix.lo()) & mask;
            while (values[base + probe] != EMPTY) {
                probe = (probe + 1) & mask;
            }
            int slot = base + probe;
            keys[2 * slot] = prefix.hi();
            keys[2 * slot + 1] = prefix.lo();
            values[slot] = lbs[i];
        }
        return new Ip6LengthTables(lengths, masks, shape, keys, values);
    }

    /** Longest match for the address, or {@code missing}; allocation-free. */
    int lookup(long hi, long lo, int missing) {
        for (int t = 0; t < lengths.length; t++) {
            long maskedHi = hi & masks[2 * t];
            long maskedLo = lo & masks[2 * t + 1];
            int base = shape[2 * t];
            int mask = shape[2 * t + 1];
            int probe = slotHash(maskedHi, maskedLo) & mask;
            while (true) {
                int slot = base + probe;
                int value = values[slot];
                if (value == EMPTY) {
                    break;
                }
                if (keys[2 * slot] == maskedHi && keys[2 * slot + 1] == maskedLo) {
                    return value;
                }
                probe = (probe + 1) & mask;
            }
        }
        return missing;
    }

    /** Slot hash of a masked key. Tables are rebuilt per process, so this is not a stable format. */
    static int slotHash(long hi, long lo) {
        return (int) Mix64.avalanche(Mix64.absorb(hi, lo));
    }
}
