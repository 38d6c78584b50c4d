package dev.cipherlane.ipsec.ike.keys;

/** The seven keys of an IKE SA, in the order prf+ produces them (RFC 7296 section 2.14). */
public enum IkeKey {
    /** Derives CHILD SA keys and the next IKE SA's SKEYSEED. */
    SK_D,
    /** Integrity of messages from the original initiator (empty with an AEAD cipher). */
    SK_AI,
    /** Integrity of messages from the original responder. */
    SK_AR,
    /** Encryption of messages from the original initiator (key, then salt for AEAD). */
    SK_EI,
    /** Encryption of messages from the original responder. */
    SK_ER,
    /** Goes into the initiator's AUTH payload. */
    SK_PI,
    /** Goes into the responder's AUTH payload. */
    SK_PR
}
