package dev.cipherlane.ipsec.ike.message;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A bounded cursor over received bytes. Every read first checks that the bytes are there and
 * otherwise throws a {@link Malformation} naming what was being read, so the decoder cannot
 * run past a length field; nested structures get their own reader limited to their declared
 * length ({@link #take}). Reads use absolute indices: the caller's buffer is never moved.
 */
final class WireReader {
    private final ByteBuffer buffer;
    private final int end;
    private int position;

    private WireReader(ByteBuffer buffer, int position, int end) {
        this.buffer = buffer;
        this.position = position;
        this.end = end;
    }

    /** The bytes between the buffer's position and limit, read big-endian whatever its order. */
    static WireReader of(ByteBuffer buffer) {
        return new WireReader(buffer.duplicate().order(ByteOrder.BIG_ENDIAN), buffer.position(), buffer.limit());
    }

    int remaining() {
        return end - position;
    }

    boolean atEnd() {
        return position == end;
    }

    private void need(int count, String what) {
        if (count > remaining()) {
            throw new Malformation(what + " needs " + count + " bytes, only " + remaining() + " left");
        }
    }

    int u8(String what) {
        need(1, what);
        return buffer.get(position++) & 0xFF;
    }

    int u16(String what) {
        need(2, what);
        int v = buffer.getShort(position) & 0xFFFF;
        position += 2;
        return v;
    }

    long u32(String what) {
        need(4, what);
        long v = buffer.getInt(position) & 0xFFFF_FFFFL;
        position += 4;
        return v;
    }

    long u64(String what) {
        need(8, what);
        long v = buffer.getLong(position);
        position += 8;
        return v;
    }

    void skip(int count, String what) {
        need(count, what);
        position += count;
    }

    Octets octets(int count, String what) {
        need(count, what);
        Octets o = Octets.copyOf(buffer, position, count);
        position += count;
        return o;
    }

    /** The rest of this reader's bytes. */
    Octets rest() {
        return octets(remaining(), "rest");
    }

    /** A reader over the next {@code count} bytes, which this one then skips. */
    WireReader take(int count, String what) {
        need(count, what);
        WireReader sub = new WireReader(buffer, position, position + count);
        position += count;
        return sub;
    }
}
