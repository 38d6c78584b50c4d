package dev.cipherlane.ipsec.ike.keys;

/**
 * A pre-shared key for IKEv2 authentication (RFC 7296 section 2.15), as the configuration
 * read it from a file or the environment. Printing shows nothing of it, not even its length.
 */
public final class PreSharedKey {
    private final byte[] bytes;
    private boolean destroyed;

    private PreSharedKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Takes a copy; the caller may wipe its array. */
    public static PreSharedKey of(byte[] secret) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("a pre-shared key cannot be empty");
        }
        return new PreSharedKey(secret.clone());
    }

    byte[] bytes() {
        if (destroyed) {
            throw new IllegalStateException("pre-shared key was destroyed");
        }
        return bytes;
    }

    public void destroy() {
        destroyed = true;
        KeyBytes.wipe(bytes);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return destroyed ? "PreSharedKey[destroyed]" : "PreSharedKey[redacted]";
    }
}
