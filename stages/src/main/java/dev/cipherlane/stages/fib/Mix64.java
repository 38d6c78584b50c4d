package dev.cipherlane.stages.fib;

/**
 * 64-bit mixing steps shared by {@link FlowHash} and the {@link Ip6Fib} hash tables.
 *
 * <p>Multiply-rotate absorption followed by a xor-shift-multiply avalanche: every input bit
 * reaches every output bit, so {@code hash & mask} is usable for any power-of-two mask. The
 * constants are fixed odd numbers; nothing is seeded per process, so results are identical
 * across runs and JVMs. Changing any constant changes {@link FlowHash}'s golden values, and
 * with them which ECMP path every existing flow takes.
 */
final class Mix64 {

    /** Starting accumulator; arbitrary but fixed. */
    static final long SEED = 0x9E37_79B9_7F4A_7C15L;

    private Mix64() {
    }

    /** Folds one 64-bit word into the accumulator. */
    static long absorb(long accumulator, long word) {
        long k = word * 0xBF58_476D_1CE4_E5B9L;
        k = Long.rotateLeft(k, 31) * 0x94D0_49BB_1331_11EBL;
        accumulator ^= k;
        return Long.rotateLeft(accumulator, 27) * 0x9E37_79B9_7F4A_7C15L + 0x632B_E59B_D9B4_E019L;
    }

    /** Final avalanche so that low bits depend on all of the accumulator. */
    static long avalanche(long h) {
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
