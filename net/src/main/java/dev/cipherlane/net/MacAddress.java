package dev.cipherlane.net;

/**
 * A 48-bit IEEE 802 MAC address (EUI-48) in the low bits of a long, first octet most
 * significant, so {@code 02:00:00:00:00:01} is {@code 0x020000000001L}: the form the
 * dataplane's tables hold.
 */
public record MacAddress(long value) {

    /** Octets on the wire. */
    public static final int LENGTH = 6;

    private static final String SHAPE = "a MAC address like 02:00:00:00:00:01 (six hex octets separated by ':')";

    public MacAddress {
        if ((value >>> 48) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: 0x" + Long.toHexString(value));
        }
    }

    /** The address in network order, as a netlink attribute or an Ethernet header holds it. */
    public static MacAddress of(byte[] octets) {
        if (octets.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has " + LENGTH + " octets, got " + octets.length);
        }
        long value = 0;
        for (byte octet : octets) {
            value = value << 8 | (octet & 0xFF);
        }
        return new MacAddress(value);
    }

    /**
     * Parses the colon form, either case. Other spellings (dashes, Cisco dots, missing
     * leading zeros) are refused rather than guessed at.
     *
     * @throws ValueFormatException if the text is not in that form
     */
    public static MacAddress parse(String text) {
        if (text.length() != 17) {
            throw new ValueFormatException(SHAPE, text);
        }
        long value = 0;
        for (int i = 0; i < 17; i++) {
            char c = text.charAt(i);
            if (i % 3 == 2) {
                if (c != ':') {
                    throw new ValueFormatException(SHAPE, text);
                }
                continue;
            }
            int digit = hexDigit(c);
            if (digit < 0) {
                throw new ValueFormatException(SHAPE, text);
            }
            value = value << 4 | digit;
        }
        return new MacAddress(value);
    }

    /** ASCII only: {@link Character#digit} would also take other scripts' digits. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The I/G bit: a group address cannot be an interface's own address. */
    public boolean isMulticast() {
        return (value >>> 40 & 1) != 0;
    }

    /** The U/L bit, set on addresses a host picks for itself (02:... and friends). */
    public boolean isLocallyAdministered() {
        return (value >>> 40 & 2) != 0;
    }

    /** Network order, {@link #LENGTH} bytes. */
    public byte[] octets() {
        byte[] octets = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            octets[i] = (byte) (value >>> (40 - 8 * i));
        }
        return octets;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int i = 0; i < LENGTH; i++) {
            if (i > 0) {
                text.append(':');
            }
            int octet = (int) (value >>> (40 - 8 * i)) & 0xFF;
            text.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return text.toString();
    }
}
