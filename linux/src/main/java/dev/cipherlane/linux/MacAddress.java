package dev.cipherlane.linux;

import java.util.HexFormat;

/**
 * A 48-bit Ethernet (EUI-48) address held in the low bits of a long, first octet most
 * significant, so {@code 02:00:00:00:00:01} is {@code 0x020000000001L}.
 */
public record MacAddress(long value) {
    public static final int LENGTH = 6;

    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("not a 48-bit address: 0x" + Long.toHexString(value));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' between octets). */
    public static MacAddress parse(String text) {
        String[] octets = text.split("[:-]");
        if (octets.length != LENGTH) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long v = 0;
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 2) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            v = v << 8 | HexFormat.fromHexDigits(o);
        }
        return new MacAddress(v);
    }

    public static MacAddress of(byte[] octets) {
        if (octets.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 octets, got " + octets.length);
        }
        long v = 0;
        for (byte b : octets) {
            v = v << 8 | (b & 0xff);
        }
        return new MacAddress(v);
    }

    public byte[] octets() {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) (value >>> (8 * (LENGTH - 1 - i)));
        }
        return b;
    }

    /** The I/G bit of the first octet (IEEE 802-2014 8.2). */
    public boolean isMulticast() {
        return (value >>> 40 & 1) != 0;
    }

    /** The U/L bit of the first octet: set in addresses we make up ourselves. */
    public boolean isLocallyAdministered() {
        return (value >>> 40 & 2) != 0;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(octets());
    }
}
