package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A reusable array of {@code struct iovec} (readv(2), writev(2)): {@code void *iov_base;
 * size_t iov_len;}, 16 bytes each on 64-bit Linux. Filled in place before each call, so
 * scatter/gather I/O allocates nothing per call. One owner thread at a time.
 */
public final class IoVec implements AutoCloseable {
    /** sizeof(struct iovec) on LP64. */
    public static final int SIZE = 16;
    /** UIO_MAXIOV: the most entries one call takes. */
    public static final int MAX = 1024;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment entries;
    private final MemorySegment[] keepAlive;
    private final int capacity;

    public IoVec(int capacity) {
        if (capacity < 1 || capacity > MAX) {
            throw new IllegalArgumentException("iovec count must be in 1.." + MAX + ", got " + capacity);
        }
        this.capacity = capacity;
        this.entries = arena.allocate((long) capacity * SIZE, 8);
        this.keepAlive = new MemorySegment[capacity];
    }

    public int capacity() {
        return capacity;
    }

    /** Entry {@code i} describes {@code buf[offset, offset+length)}; {@code buf} must be native. */
    public void set(int i, MemorySegment buf, long offset, long length) {
        if (i < 0 || i >= capacity) {
            throw new IndexOutOfBoundsException("iovec entry " + i + " of " + capacity);
        }
        long address = Libc.address(buf, offset, length);
        entries.set(ValueLayout.JAVA_LONG, (long) i * SIZE, address);
        entries.set(ValueLayout.JAVA_LONG, (long) i * SIZE + 8, length);
        // The array holds raw addresses: keep their segments reachable until the next set.
        keepAlive[i] = buf;
    }

    MemorySegment entries() {
        return entries;
    }

    @Override
    public void close() {
        arena.close();
    }
}
