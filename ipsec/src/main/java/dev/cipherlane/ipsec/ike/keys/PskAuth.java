package dev.cipherlane.ipsec.ike.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Shared Key Message Integrity Code authentication (RFC 7296 section 2.15, auth method 2):
 * AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;SignedOctets&gt; ). The inner prf
 * depends on the PSK alone, so it is computed once here and the PSK itself is not kept.
 *
 * <p>The SignedOctets of each side are built by {@link #initiatorSignedOctets} and
 * {@link #responderSignedOctets} from the bytes the engine saw on the wire.
 */
public final class PskAuth {
    /** The 17 ASCII octets, no terminating NUL (RFC 7296 section 2.15). */
    private static final byte[] KEY_PAD = "Key Pad for IKEv2".getBytes(StandardCharsets.US_ASCII);

    private final Prf prf;
    private final byte[] padKey;
    private boolean destroyed;

    private PskAuth(Prf prf, byte[] padKey) {
        this.prf = prf;
        this.padKey = padKey;
    }

    /** {@code prf} is the IKE SA's negotiated PRF. */
    public static PskAuth of(Prf prf, PreSharedKey psk) {
        return new PskAuth(prf, prf.apply(psk.bytes(), KEY_PAD));
    }

    /**
     * InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI, where MACedIDForI =
     * prf(SK_pi, RestOfInitIDPayload) (RFC 7296 section 2.15).
     *
     * @param realMessage1        the IKE_SA_INIT request exactly as sent, IKE header first
     * @param nonceRData          the data of the responder's Nonce payload
     * @param restOfInitIdPayload the initiator's IDi payload without its 4-byte generic header
     *                            (ID type, three reserved octets, identification data)
     */
    public static byte[] initiatorSignedOctets(IkeKeys keys, byte[] realMessage1, byte[] nonceRData, byte[] restOfInitIdPayload) {
        return signedOctets(keys, IkeKey.SK_PI, realMessage1, nonceRData, restOfInitIdPayload);
    }

    /**
     * ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload), the
     * responder's counterpart: its own IKE_SA_INIT response, the initiator's nonce data and its IDr.
     */
    public static byte[] responderSignedOctets(IkeKeys keys, byte[] realMessage2, byte[] nonceIData, byte[] restOfRespIdPayload) {
        return signedOctets(keys, IkeKey.SK_PR, realMessage2, nonceIData, restOfRespIdPayload);
    }

    private static byte[] signedOctets(IkeKeys keys, IkeKey skP, byte[] message, byte[] peerNonce, byte[] restOfId) {
        byte[] macedId = keys.prf().apply(keys.key(skP), restOfId);
        return KeyBytes.concat(message, peerNonce, macedId);
    }

    /** The AUTH payload's authentication data for these SignedOctets. */
    public byte[] authData(byte[] signedOctets) {
        return prf.apply(padKey(), signedOctets);
    }

    /**
     * Whether the peer's AUTH data matches these SignedOctets; compared in constant time so a
     * forger learns nothing from how fast a wrong value is refused. Null or a wrong length is
     * simply false.
     */
    public boolean verify(byte[] signedOctets, byte[] receivedAuthData) {
        if (receivedAuthData == null) {
            return false;
        }
        byte[] expected = authData(signedOctets);
        try {
            return MessageDigest.isEqual(expected, receivedAuthData);
        } finally {
            KeyBytes.wipe(expected);
        }
    }

    private byte[] padKey() {
        if (destroyed) {
            throw new IllegalStateException("PSK authenticator was destroyed");
        }
        return padKey;
    }

    public void destroy() {
        destroyed = true;
        KeyBytes.wipe(padKey);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return "PskAuth[" + prf + (destroyed ? ", destroyed]" : "]");
    }
}
