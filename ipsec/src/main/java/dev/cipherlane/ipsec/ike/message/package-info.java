/**
 * The IKEv2 message codec (RFC 7296 section 3): immutable records for the header and each
 * payload, exact encoding, and a strict decoder that turns any datagram into a result value
 * instead of an exception, so the engine can decide whether to answer (INVALID_SYNTAX,
 * INVALID_MAJOR_VERSION, UNSUPPORTED_CRITICAL_PAYLOAD) or drop.
 *
 * <p>What it is not: no cryptography (the Encrypted payload travels as raw bytes; the crypto
 * layer decrypts it and hands the plaintext back to {@link PayloadChain#decode}), no state, no
 * policy (which proposals, identities or selectors are acceptable is the engine's business),
 * no threads. Port 4500 framing is in {@link NonEspMarker}.
 */
package dev.cipherlane.ipsec.ike.message;
