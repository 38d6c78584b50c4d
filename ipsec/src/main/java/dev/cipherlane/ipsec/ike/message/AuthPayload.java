package dev.cipherlane.ipsec.ike.message;

/** The Authentication payload (RFC 7296 section 3.8): a method and its proof. */
public record AuthPayload(int method, Octets data) implements Payload {
    public static final int RSA_SIGNATURE = 1;
    /** The pre-shared key MIC of section 2.15, the only method Cipherlane uses. */
    public static final int SHARED_KEY_MIC = 2;
    public static final int DSS_SIGNATURE = 3;
    /** RFC 7427. */
    public static final int DIGITAL_SIGNATURE = 14;

    public AuthPayload {
        Wire.checkU8(method, "auth method");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("authentication data is empty");
        }
    }

    @Override
    public int type() {
        return PayloadType.AUTH;
    }

    static AuthPayload readBody(WireReader body) {
        int method = body.u8("AUTH payload method");
        body.skip(3, "AUTH payload reserved field");
        Octets data = body.rest();
        return Malformation.build("AUTH payload", () -> new AuthPayload(method, data));
    }

    void writeBody(WireWriter out) {
        out.u8(method).zeros(3).octets(data);
    }
}
