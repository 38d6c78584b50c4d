package dev.cipherlane.ipsec.ike.message;

/**
 * Whose identity or traffic selectors a payload carries: IDi/TSi belong to the original
 * initiator of the IKE SA, IDr/TSr to the responder (RFC 7296 sections 3.5 and 3.13); the
 * two share a layout and differ only in payload type.
 */
public enum Side {
    INITIATOR,
    RESPONDER
}
