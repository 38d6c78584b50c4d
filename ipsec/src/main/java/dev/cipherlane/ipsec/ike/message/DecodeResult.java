package dev.cipherlane.ipsec.ike.message;

import java.util.Optional;

/**
 * What {@link IkeMessage#decode} makes of a datagram. Every outcome is a value; the engine
 * picks its answer from the kind (RFC 7296 sections 2.5 and 2.21) and addresses it with the
 * header when there is one.
 */
public sealed interface DecodeResult {
    /** A well formed IKEv2 message. */
    record Decoded(IkeMessage message) implements DecodeResult {}

    /**
     * The bytes break a rule. {@code header} is present when the 28 header bytes were there
     * (whatever they said), so the engine can tell whether the message belongs to an IKE SA
     * and deserves an INVALID_SYNTAX answer (section 2.21) or is dropped.
     */
    record Malformed(String reason, Optional<IkeHeader> header) implements DecodeResult {}

    /**
     * A payload of an unknown type with the critical bit set: a request is answered with
     * UNSUPPORTED_CRITICAL_PAYLOAD carrying {@code payloadType} (section 2.5).
     */
    record UnsupportedCriticalPayload(IkeHeader header, int payloadType) implements DecodeResult {}

    /**
     * A major version above 2: nothing past the header is read, since its format is unknown;
     * the engine may answer INVALID_MAJOR_VERSION with version 2 (sections 1.5 and 2.5).
     */
    record UnsupportedMajorVersion(IkeHeader header) implements DecodeResult {}
}
