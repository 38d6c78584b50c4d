package dev.cipherlane.ipsec.ike.message;

import java.util.Arrays;

/**
 * A growing big-endian byte sink for encoding. Length fields are written as placeholders and
 * {@link #patchLength patched} once the structure they cover is complete, so nothing has to
 * be sized twice.
 */
final class WireWriter {
    private byte[] bytes = new byte[256];
    private int size;

    int position() {
        return size;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }

    WireWriter u8(int v) {
        ensure(1);
        bytes[size++] = (byte) v;
        return this;
    }

    WireWriter u16(int v) {
        ensure(2);
        bytes[size++] = (byte) (v >>> 8);
        bytes[size++] = (byte) v;
        return this;
    }

    WireWriter u32(long v) {
        return u16((int) (v >>> 16) & 0xFFFF).u16((int) v & 0xFFFF);
    }

    WireWriter u64(long v) {
        return u32(v >>> 32).u32(v & 0xFFFF_FFFFL);
    }

    WireWriter zeros(int count) {
        ensure(count);
        size += count;
        return this;
    }

    WireWriter octets(Octets o) {
        ensure(o.length());
        for (int i = 0; i < o.length(); i++) {
            bytes[size++] = o.get(i);
        }
        return this;
    }

    /**
     * Writes into the 16-bit field at {@code at} the number of bytes from {@code start} to here;
     * a structure too long for its field is a programmer's error.
     */
    void patchLength(int at, int start, String what) {
        int length = size - start;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException(what + " of " + length + " bytes does not fit its 16-bit length");
        }
        bytes[at] = (byte) (length >>> 8);
        bytes[at + 1] = (byte) length;
    }

    void patchU8(int at, int v) {
        bytes[at] = (byte) v;
    }

    /** A copy of what has been written. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
