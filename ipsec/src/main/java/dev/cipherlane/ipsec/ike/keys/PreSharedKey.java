package dev.cipherlane.ipsec.ike.keys;

/**
 * A pre-shared key for IKEv2 authentication (RFC 7296 section 2.15), as the configuration
 * read it from a file or the environment. Printing shows nothing of it, not even its length.
 */
public final class PreSharedKey {
    private final SecretBytes secret;

    private PreSharedKey(byte[] bytes) {
        this.secret = new SecretBytes(bytes, "pre-shared key");
    }

    /** Takes a copy; the caller may wipe its array. */
    public static PreSharedKey of(byte[] secret) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("a pre-shared key cannot be empty");
        }
        return new PreSharedKey(secret.clone());
    }

    byte[] bytes() {
        return secret.bytes();
    }

    public void destroy() {
        secret.destroy();
    }

    public boolean isDestroyed() {
        return secret.destroyed();
    }

    @Override
    public String toString() {
        return secret.destroyed() ? "PreSharedKey[destroyed]" : "PreSharedKey[redacted]";
    }
}
