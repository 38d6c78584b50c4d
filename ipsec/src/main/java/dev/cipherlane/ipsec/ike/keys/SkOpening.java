package dev.cipherlane.ipsec.ike.keys;

/** What {@link SkProtection#open} gives: the inner payloads, or why the message was refused. */
public sealed interface SkOpening {
    /** The integrity check passed; {@code innerPayloads} is the decrypted chain without padding. */
    record Opened(byte[] innerPayloads) implements SkOpening {}

    /** Refused; the message must be dropped (RFC 7296 section 2.21.2). */
    record Refused(SkFailure failure) implements SkOpening {}
}
