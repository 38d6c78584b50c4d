package dev.cipherlane.ipsec.ike.keys;

/**
 * Bytes of a secret owned by one holder ({@link PreSharedKey}, {@link SharedSecret}): handed out
 * only until destroyed, then wiped, so a use after destruction fails loudly instead of
 * computing with zeros.
 */
final class SecretBytes {
    private final byte[] bytes;
    private final String what;
    private boolean destroyed;

    /** Takes ownership of {@code bytes}; {@code what} names the secret in the use-after-destroy error. */
    SecretBytes(byte[] bytes, String what) {
        this.bytes = bytes;
        this.what = what;
    }

    byte[] bytes() {
        if (destroyed) {
            throw new IllegalStateException(what + " was destroyed");
        }
        return bytes;
    }

    int length() {
        return bytes.length;
    }

    void destroy() {
        destroyed = true;
        KeyBytes.wipe(bytes);
    }

    boolean destroyed() {
        return destroyed;
    }
}
