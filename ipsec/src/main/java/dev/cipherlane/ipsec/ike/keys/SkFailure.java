package dev.cipherlane.ipsec.ike.keys;

/**
 * Why an Encrypted payload was refused. RFC 7296 section 2.21.2: a message that fails its
 * integrity check is dropped silently, with nothing sent back; the engine only counts these.
 */
public enum SkFailure {
    /** No room for the IKE header and an SK body of IV, at least a pad length byte, and ICV. */
    TOO_SHORT,
    /** CBC: the ciphertext is not a whole number of AES blocks (RFC 7296 section 3.14). */
    BAD_LENGTH,
    /** The ICV did not match: tampered, truncated, or under another key. */
    INTEGRITY_CHECK_FAILED,
    /** Authentic, but the pad length byte claims more padding than there is plaintext. */
    BAD_PADDING
}
