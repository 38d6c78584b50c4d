/**
 * Static ESP keys and the sequence numbers sent under them. {@link
 * dev.cipherlane.ipsec.keys.StaticKeyFile} reads a tunnel's keys from an owner-only file;
 * {@link dev.cipherlane.ipsec.keys.SequenceStore} and {@link
 * dev.cipherlane.ipsec.keys.SequenceReservation} make sure a sequence number, and so a GCM
 * nonce, is never used twice under a key, not even across a crash (RFC 4303 section 3.3.3,
 * RFC 4106 section 3.1). IKEv2-negotiated keys arrive later through the same types.
 */
package dev.cipherlane.ipsec.keys;
