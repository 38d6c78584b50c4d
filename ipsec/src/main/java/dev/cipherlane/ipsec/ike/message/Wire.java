package dev.cipherlane.ipsec.ike.message;

/** Range checks for values that go into fixed-width wire fields. */
final class Wire {
    private Wire() {}

    static void checkU8(int v, String what) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(what + " must fit in 8 bits: " + v);
        }
    }

    static void checkU16(int v, String what) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must fit in 16 bits: " + v);
        }
    }

    static void checkU32(long v, String what) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " must fit in 32 bits: " + v);
        }
    }
}
