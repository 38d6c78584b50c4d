package dev.cipherlane.ipsec.ike.message;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A transform substructure (RFC 7296 section 3.3.2): one algorithm of a proposal, named by
 * type and ID ({@link TransformId}), with its attributes in wire order.
 */
public record Transform(int type, int id, List<TransformAttribute> attributes) {
    public static final int ENCR = 1;
    public static final int PRF = 2;
    public static final int INTEG = 3;
    /** "Diffie-Hellman group" in RFC 7296, renamed Key Exchange Method by RFC 9370. */
    public static final int KE = 4;
    public static final int ESN = 5;

    /** Fixed part: last/more, reserved, length, type, reserved, ID. */
    static final int HEADER = 8;
    /** Section 3.3.2: "more transforms follow" is 3, not 2 as for proposals, an ISAKMP relic. */
    static final int MORE = 3;

    public Transform {
        Wire.checkU8(type, "transform type");
        Wire.checkU16(id, "transform ID");
        attributes = List.copyOf(attributes);
        int keyLengths = 0;
        for (TransformAttribute a : attributes) {
            if (a.type() == TransformAttribute.KEY_LENGTH) {
                if (!a.tv()) {
                    throw new IllegalArgumentException("Key Length attribute in TLV form, must be TV (section 3.3.5)");
                }
                keyLengths++;
            }
        }
        if (keyLengths > 1) {
            throw new IllegalArgumentException("transform has " + keyLengths + " Key Length attributes");
        }
    }

    public static Transform of(int type, int id) {
        return new Transform(type, id, List.of());
    }

    public static Transform of(int type, int id, int keyLengthBits) {
        return new Transform(type, id, List.of(TransformAttribute.keyLength(keyLengthBits)));
    }

    public OptionalInt keyLength() {
        for (TransformAttribute a : attributes) {
            if (a.type() == TransformAttribute.KEY_LENGTH) {
                return OptionalInt.of(a.shortValue());
            }
        }
        return OptionalInt.empty();
    }

    /** Attributes other than Key Length, which make the proposal unacceptable to us (section 3.3.6). */
    public boolean hasUnknownAttributes() {
        return attributes.stream().anyMatch(a -> a.type() != TransformAttribute.KEY_LENGTH);
    }

    /**
     * Reads a transform's contents after its 4-byte substructure head; the proposal checks the
     * markers once it has checked the count.
     */
    static Transform readBody(WireReader body, String where) {
        int type = body.u8(where);
        body.u8(where);
        int id = body.u16(where);
        List<TransformAttribute> attributes = new ArrayList<>();
        while (!body.atEnd()) {
            attributes.add(TransformAttribute.read(body, where + " attribute " + (attributes.size() + 1)));
        }
        return Malformation.build(where, () -> new Transform(type, id, attributes));
    }

    void write(WireWriter out, boolean last) {
        int start = out.position();
        out.u8(last ? Substructure.LAST : MORE).u8(0);
        int lengthAt = out.position();
        out.u16(0).u8(type).u8(0).u16(id);
        for (TransformAttribute a : attributes) {
            a.write(out);
        }
        out.patchLength(lengthAt, start, "transform");
    }

    @Override
    public String toString() {
        return TransformId.name(type, id) + keyLength().stream().mapToObj(k -> "-" + k).findFirst().orElse("")
                + (hasUnknownAttributes() ? attributes.toString() : "");
    }
}
