package dev.cipherlane.ipsec.ike.keys;

import java.math.BigInteger;
import java.util.Arrays;

/** Byte-array chores shared by the key schedule: concatenation, wiping, fixed-width integers. */
final class KeyBytes {
    private KeyBytes() {}

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }

    /** OR of every byte, so the time taken does not depend on where a non-zero byte sits. */
    static boolean allZero(byte[] a) {
        int or = 0;
        for (byte b : a) {
            or |= b;
        }
        return or == 0;
    }

    /** {@code value} (non-negative) as exactly {@code width} big-endian bytes, left-padded with zeros. */
    static byte[] bigEndian(BigInteger value, int width) {
        if (value.signum() < 0 || value.bitLength() > 8 * width) {
            throw new IllegalArgumentException("value does not fit " + width + " bytes");
        }
        byte[] raw = value.toByteArray(); // may carry one leading sign byte of zero
        int significant = Math.min(raw.length, width);
        byte[] out = new byte[width];
        System.arraycopy(raw, raw.length - significant, out, width - significant, significant);
        wipe(raw);
        return out;
    }

    /**
     * A big-endian unsigned integer re-encoded at exactly {@code width} bytes: left-padded, or
     * stripped of leading zero bytes; null if it needs more than {@code width} bytes.
     */
    static byte[] fixedWidth(byte[] raw, int width) {
        int start = 0;
        while (raw.length - start > width) {
            if (raw[start] != 0) {
                return null;
            }
            start++;
        }
        byte[] out = new byte[width];
        System.arraycopy(raw, start, out, width - (raw.length - start), raw.length - start);
        return out;
    }

    static byte[] reverse(byte[] a) {
        byte[] out = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[a.length - 1 - i];
        }
        return out;
    }
}
