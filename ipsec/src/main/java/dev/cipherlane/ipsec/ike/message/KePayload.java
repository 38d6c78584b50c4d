package dev.cipherlane.ipsec.ike.message;

/**
 * The Key Exchange payload (RFC 7296 section 3.4): the sender's public value for a group.
 * Whether its length suits the group is for the engine to check, which answers
 * INVALID_KE_PAYLOAD or INVALID_SYNTAX as the case requires.
 */
public record KePayload(int group, Octets data) implements Payload {
    public KePayload {
        Wire.checkU16(group, "key exchange group");
        if (data.isEmpty()) {
            throw new IllegalArgumentException("key exchange data is empty");
        }
    }

    @Override
    public int type() {
        return PayloadType.KE;
    }

    static KePayload readBody(WireReader body) {
        int group = body.u16("KE payload group");
        body.skip(2, "KE payload reserved field");
        Octets data = body.rest();
        return Malformation.build("KE payload", () -> new KePayload(group, data));
    }

    void writeBody(WireWriter out) {
        out.u16(group).u16(0).octets(data);
    }
}
