package dev.cipherlane.ipsec.ike.keys;

/**
 * The Diffie-Hellman shared secret g^ir in the form RFC 7296 feeds to the PRF (section 2.14):
 * fixed length for its group. Printing it shows the length only.
 */
public final class SharedSecret {
    private final SecretBytes secret;

    private SharedSecret(byte[] bytes) {
        this.secret = new SecretBytes(bytes, "shared secret");
    }

    /** Takes ownership of {@code bytes}; package use only. */
    static SharedSecret adopt(byte[] bytes) {
        return new SharedSecret(bytes);
    }

    /** A copy of {@code gir}, for known-answer tests and for callers holding raw bytes. */
    public static SharedSecret of(byte[] gir) {
        if (gir == null || gir.length == 0) {
            throw new IllegalArgumentException("a shared secret has at least one byte");
        }
        return new SharedSecret(gir.clone());
    }

    public int length() {
        return secret.length();
    }

    /** A copy the caller should wipe. */
    public byte[] copy() {
        return bytes().clone();
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
        return "SharedSecret[" + secret.length() + " bytes" + (secret.destroyed() ? ", destroyed]" : "]");
    }
}
