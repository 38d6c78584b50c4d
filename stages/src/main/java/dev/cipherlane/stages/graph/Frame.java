package dev.cipherlane.stages.graph;

/**
 * A vector of up to {@link #CAPACITY} buffer indices: the unit stages process. Frames are
 * owned and recycled by a worker's {@link GraphRuntime}; stages never keep one.
 */
public final class Frame {
    public static final int CAPACITY = 256;

    private final int[] buffers = new int[CAPACITY];
    private int count;

    public int count() {
        return count;
    }

    public int get(int i) {
        return buffers[i];
    }

    /** The backing array; entries {@code [0, count())} are valid. */
    public int[] buffers() {
        return buffers;
    }

    public boolean isFull() {
        return count == CAPACITY;
    }

    public void add(int bi) {
        buffers[count++] = bi;
    }

    public void clear() {
        count = 0;
    }
}
