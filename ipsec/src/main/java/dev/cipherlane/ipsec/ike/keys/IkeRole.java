package dev.cipherlane.ipsec.ike.keys;

/**
 * Which end of an IKE SA we are. For keys it is the role at the SA's creation that counts:
 * the original initiator sends with SK_ei/SK_ai and signs with SK_pi (RFC 7296 section 2.14),
 * whoever starts later exchanges. After an IKE SA rekey the side that started the rekey is
 * the original initiator of the new SA (section 2.18).
 */
public enum IkeRole {
    INITIATOR,
    RESPONDER;

    public IkeRole peer() {
        return this == INITIATOR ? RESPONDER : INITIATOR;
    }
}
