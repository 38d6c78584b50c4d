package dev.cipherlane.ipsec.ike.session;

import java.util.Arrays;

/**
 * Nonce order, which settles rekey collisions (RFC 7296 sections 2.8.1 and 2.8.2): the
 * exchange holding the lowest of the four nonces made the redundant SA.
 */
final class Nonces {
    private Nonces() {}

    /** Unsigned byte strings, most significant first; on a common prefix the shorter is lower. */
    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    static byte[] lower(byte[] a, byte[] b) {
        return compare(a, b) <= 0 ? a : b;
    }
}
