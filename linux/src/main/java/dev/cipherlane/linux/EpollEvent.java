package dev.cipherlane.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct epoll_event}: a 32-bit event mask and 64 bits of user data. On x86_64 the
 * kernel declares it packed ({@code __EPOLL_PACKED} in the uapi header), so it is 12 bytes
 * with the data at offset 4 (checked with gcc's sizeof/offsetof on this machine); other
 * 64-bit architectures use natural alignment, 16 bytes with the data at offset 8.
 */
public final class EpollEvent {
    private EpollEvent() {}

    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));

    public static final StructLayout LAYOUT = PACKED
            ? MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT.withName("events"),
                    ValueLayout.JAVA_LONG.withByteAlignment(4).withName("data"))
            : MemoryLayout.structLayout(
                    ValueLayout.JAVA_INT.withName("events"),
                    MemoryLayout.paddingLayout(4),
                    ValueLayout.JAVA_LONG.withName("data"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long EVENTS = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    private static final long DATA = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("data"));
    private static final ValueLayout.OfLong DATA_LAYOUT = ValueLayout.JAVA_LONG.withByteAlignment(4);

    /** Event mask of entry {@code i} of an array of events. */
    public static int events(MemorySegment array, int i) {
        return array.get(ValueLayout.JAVA_INT, i * SIZE + EVENTS);
    }

    /** User data of entry {@code i}. */
    public static long data(MemorySegment array, int i) {
        return array.get(DATA_LAYOUT, i * SIZE + DATA);
    }

    public static void set(MemorySegment array, int i, int events, long data) {
        array.set(ValueLayout.JAVA_INT, i * SIZE + EVENTS, events);
        array.set(DATA_LAYOUT, i * SIZE + DATA, data);
    }
}
