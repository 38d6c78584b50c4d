package dev.cipherlane.ipsec.ike.keys;

/** Why a peer's KE public value was refused; the engine answers with INVALID_KE_PAYLOAD or drops. */
public enum KeyExchangeFailure {
    /** Not the group's fixed public value length (RFC 7296 section 3.4). */
    WRONG_LENGTH,
    /** ECP: the coordinates are out of range or the point is not on the curve (RFC 6989 section 2.3). */
    INVALID_POINT,
    /** MODP: y ≤ 1 or y ≥ p−1, the values that leak or fix the secret (RFC 6989 section 2.1). */
    OUT_OF_RANGE,
    /** Curve25519: a low-order point made the result all zeros (RFC 8031 section 2.3, RFC 7748 section 6.1). */
    ALL_ZERO_SECRET,
    /** The JDK provider refused the value for a reason of its own. */
    REFUSED_BY_PROVIDER
}
