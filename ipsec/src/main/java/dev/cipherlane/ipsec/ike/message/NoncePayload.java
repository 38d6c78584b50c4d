package dev.cipherlane.ipsec.ike.message;

/** The Nonce payload, Ni or Nr (RFC 7296 section 3.9). */
public record NoncePayload(Octets data) implements Payload {
    /** Section 3.9: between 16 and 256 bytes; section 2.10 adds at least half the PRF key size. */
    public static final int MIN_LENGTH = 16;
    public static final int MAX_LENGTH = 256;

    public NoncePayload {
        if (data.length() < MIN_LENGTH || data.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("nonce of " + data.length() + " bytes, must be " + MIN_LENGTH + ".."
                    + MAX_LENGTH + " (section 3.9)");
        }
    }

    @Override
    public int type() {
        return PayloadType.NONCE;
    }

    static NoncePayload readBody(WireReader body) {
        Octets data = body.rest();
        return Malformation.build("Nonce payload", () -> new NoncePayload(data));
    }

    void writeBody(WireWriter out) {
        out.octets(data);
    }
}
