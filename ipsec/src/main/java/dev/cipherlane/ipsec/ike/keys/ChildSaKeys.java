package dev.cipherlane.ipsec.ike.keys;

import dev.cipherlane.ipsec.keys.KeyMaterial;
import java.util.Arrays;

/**
 * Keying material of one CHILD SA pair with ESP AES-GCM-16-256 (RFC 7296 section 2.17):
 * KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr), the first 36 bytes keying the SA that carries
 * traffic from the initiator to the responder, the next 36 the other one (each 32 key bytes
 * then the 4-byte salt, RFC 4106 section 8.1). "Initiator" is the initiator of the exchange
 * that creates the CHILD SA; the nonces are that exchange's.
 */
public final class ChildSaKeys {
    private final KeyMaterial initiatorToResponder;
    private final KeyMaterial responderToInitiator;

    private ChildSaKeys(KeyMaterial initiatorToResponder, KeyMaterial responderToInitiator) {
        this.initiatorToResponder = initiatorToResponder;
        this.responderToInitiator = responderToInitiator;
    }

    /** Without a fresh Diffie-Hellman exchange: IKE_AUTH's first CHILD SA, or a rekey without PFS. */
    public static ChildSaKeys derive(IkeKeys ike, byte[] ni, byte[] nr) {
        return derive(ike, null, ni, nr);
    }

    /** With the shared secret of the CREATE_CHILD_SA's KE payloads (perfect forward secrecy). */
    public static ChildSaKeys derive(IkeKeys ike, SharedSecret girNew, byte[] ni, byte[] nr) {
        int each = KeyMaterial.LENGTH;
        byte[] keymat = IkeKdf.childKeymat(ike.prf(), ike.key(IkeKey.SK_D),
                girNew == null ? null : girNew.bytes(), ni, nr, 2 * each);
        byte[] first = Arrays.copyOfRange(keymat, 0, each);
        byte[] second = Arrays.copyOfRange(keymat, each, 2 * each);
        try {
            return new ChildSaKeys(KeyMaterial.of(first), KeyMaterial.of(second));
        } finally {
            KeyBytes.wipe(keymat, first, second);
        }
    }

    public KeyMaterial initiatorToResponder() {
        return initiatorToResponder;
    }

    public KeyMaterial responderToInitiator() {
        return responderToInitiator;
    }

    /** The material of the SA we send on, {@code we} being our role in the creating exchange. */
    public KeyMaterial outbound(IkeRole we) {
        return we == IkeRole.INITIATOR ? initiatorToResponder : responderToInitiator;
    }

    public KeyMaterial inbound(IkeRole we) {
        return outbound(we.peer());
    }

    public void destroy() {
        initiatorToResponder.destroy();
        responderToInitiator.destroy();
    }

    @Override
    public String toString() {
        return "ChildSaKeys[i->r " + initiatorToResponder + ", r->i " + responderToInitiator + "]";
    }
}
