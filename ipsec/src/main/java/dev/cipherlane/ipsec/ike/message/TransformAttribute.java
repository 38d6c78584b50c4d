package dev.cipherlane.ipsec.ike.message;

/**
 * A transform attribute (RFC 7296 section 3.3.5). The only one defined is Key Length, in the
 * short TV form (a 2-byte value in place of the length). Others are kept, not refused: a
 * proposal with an attribute nobody here understands is unacceptable (sections 3.3.5 and
 * 3.3.6), which the engine decides when it selects a proposal; it is not a syntax error.
 *
 * @param tv    the short form: the attribute format bit set and a 2-byte value
 * @param value exactly 2 bytes in TV form, else up to 65535
 */
public record TransformAttribute(int type, boolean tv, Octets value) {
    /** Key Length in bits, TV format (section 3.3.5). */
    public static final int KEY_LENGTH = 14;

    public TransformAttribute {
        if (type < 0 || type > 0x7FFF) {
            throw new IllegalArgumentException("attribute type must fit in 15 bits: " + type);
        }
        if (tv && value.length() != 2) {
            throw new IllegalArgumentException("a TV attribute has a 2-byte value, not " + value.length());
        }
        if (value.length() > 0xFFFF) {
            throw new IllegalArgumentException("attribute value of " + value.length() + " bytes is too long");
        }
    }

    public static TransformAttribute keyLength(int bits) {
        Wire.checkU16(bits, "key length");
        return new TransformAttribute(KEY_LENGTH, true, Octets.of((byte) (bits >>> 8), (byte) bits));
    }

    /** The value of a TV attribute as a number. */
    public int shortValue() {
        if (!tv) {
            throw new IllegalStateException("attribute " + type + " is in TLV form");
        }
        return (value.get(0) & 0xFF) << 8 | value.get(1) & 0xFF;
    }

    /** Reads one attribute; the format bit (top bit of the type) says which form follows. */
    static TransformAttribute read(WireReader in, String where) {
        int word = in.u16(where + " type");
        boolean tv = (word & 0x8000) != 0;
        int type = word & 0x7FFF;
        Octets value = tv ? in.octets(2, where + " value")
                : in.octets(in.u16(where + " length"), where + " value");
        return new TransformAttribute(type, tv, value);
    }

    void write(WireWriter out) {
        out.u16(type | (tv ? 0x8000 : 0));
        if (!tv) {
            out.u16(value.length());
        }
        out.octets(value);
    }

    @Override
    public String toString() {
        return type == KEY_LENGTH && tv ? "keylen " + shortValue() : "attr " + type + "=" + value;
    }
}
