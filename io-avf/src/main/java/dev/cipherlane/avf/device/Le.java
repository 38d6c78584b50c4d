package dev.cipherlane.avf.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian loads and stores at byte offsets: descriptors and virtchnl messages are
 * little-endian whatever the CPU, and not always naturally aligned.
 */
public final class Le {
    private Le() {}

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static int u16(MemorySegment s, long offset) {
        return s.get(U16, offset) & 0xFFFF;
    }

    public static void u16(MemorySegment s, long offset, int value) {
        s.set(U16, offset, (short) value);
    }

    public static int u32(MemorySegment s, long offset) {
        return s.get(U32, offset);
    }

    public static void u32(MemorySegment s, long offset, int value) {
        s.set(U32, offset, value);
    }

    public static long u64(MemorySegment s, long offset) {
        return s.get(U64, offset);
    }

    public static void u64(MemorySegment s, long offset, long value) {
        s.set(U64, offset, value);
    }
}
