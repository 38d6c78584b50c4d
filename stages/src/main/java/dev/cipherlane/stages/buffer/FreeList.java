package dev.cipherlane.stages.buffer;

/**
 * The shared stack of free buffer indices of one size class. Workers never take or give
 * single buffers here: their {@link BufferCache} moves them in batches, so the lock is
 * taken once per batch, not once per packet.
 */
final class FreeList {
    private final int[] stack;
    private int count;

    FreeList(int firstIndex, int capacity) {
        stack = new int[capacity];
        // Lowest indices on top: early allocations stay in the front of the segment.
        for (int i = 0; i < capacity; i++) {
            stack[i] = firstIndex + capacity - 1 - i;
        }
        count = capacity;
    }

    /** Moves up to {@code n} indices into {@code dst[off..]}; returns how many it moved. */
    synchronized int take(int[] dst, int off, int n) {
        int m = Math.min(n, count);
        System.arraycopy(stack, count - m, dst, off, m);
        count -= m;
        return m;
    }

    synchronized void give(int[] src, int off, int n) {
        if (count + n > stack.length) {
            throw new IllegalStateException("free list overflow: more buffers freed than exist");
        }
        System.arraycopy(src, off, stack, count, n);
        count += n;
    }

    synchronized int free() {
        return count;
    }

    int capacity() {
        return stack.length;
    }
}
