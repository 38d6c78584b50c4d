package dev.cipherlane.stages.buffer;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Unaligned network-byte-order layouts for header fields. */
public final class Net {
    private Net() {}

    public static final ValueLayout.OfShort U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong U64 =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
}
