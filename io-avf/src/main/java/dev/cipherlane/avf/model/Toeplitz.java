package dev.cipherlane.avf.model;

/**
 * The Toeplitz hash RSS uses (Microsoft's RSS specification, "RSS hashing function"):
 * for every set bit of the input, XOR in the 32 key bits starting at that bit's position.
 * The key must be at least 4 bytes longer than the input; 52 bytes covers an IPv6
 * 4-tuple (36 bytes).
 */
public final class Toeplitz {
    private final byte[] key;

    public Toeplitz(byte[] key) {
        if (key.length < 8) {
            throw new IllegalArgumentException("an RSS key of " + key.length + " bytes");
        }
        this.key = key.clone();
    }

    public int maxInput() {
        return key.length - 4;
    }

    public int hash(byte[] input, int length) {
        if (length > maxInput()) {
            throw new IllegalArgumentException(length + " bytes of input for a " + key.length + "-byte key");
        }
        int result = 0;
        // window holds key bits [i*8, i*8 + 32) for input byte i; shifted one bit per input bit.
        long window = (key[0] & 0xFFL) << 24 | (key[1] & 0xFFL) << 16 | (key[2] & 0xFFL) << 8 | key[3] & 0xFFL;
        for (int i = 0; i < length; i++) {
            int in = input[i] & 0xFF;
            int nextKey = key[i + 4] & 0xFF;
            for (int bit = 7; bit >= 0; bit--) {
                if ((in >>> bit & 1) != 0) {
                    result ^= (int) window;
                }
                window = (window << 1 | (nextKey >>> bit & 1)) & 0xFFFF_FFFFL;
            }
        }
        return result;
    }
}
