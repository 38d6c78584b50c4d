package dev.cipherlane.ipsec.ike.message;

/**
 * The Encrypted and Authenticated payload SK (RFC 7296 section 3.14), as it travels: the body
 * is IV, ciphertext (inner payloads, padding, pad length) and ICV, untouched. The codec knows
 * neither keys nor the IV and ICV sizes; the crypto layer decrypts the body and decodes the
 * plaintext payloads with {@link PayloadChain#decode}, starting from {@link #firstInnerType}.
 *
 * <p>SK must be the last payload of a message (section 3.14), and its generic header's Next
 * Payload field names the first inner payload instead of a following outer one. The ICV is
 * therefore the message's last bytes: to seal, encode with a zero ICV and fill it in.
 *
 * @param firstInnerType the type of the first inner payload, or {@link PayloadType#NONE} for
 *                       an empty one (a liveness check, sections 1.4 and 2.4)
 */
public record EncryptedPayload(int firstInnerType, Octets body) implements Payload {
    public EncryptedPayload {
        Wire.checkU8(firstInnerType, "first inner payload type");
    }

    @Override
    public int type() {
        return PayloadType.ENCRYPTED;
    }

    void writeBody(WireWriter out) {
        out.octets(body);
    }
}
