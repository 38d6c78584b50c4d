package dev.cipherlane.stages.buffer;

/**
 * One worker's stash of free buffers. Allocation and free are plain array operations;
 * the cache refills from, and spills to, the shared {@link FreeList} {@link #BATCH}
 * buffers at a time. Not thread-safe: one cache per worker thread.
 */
public final class BufferCache implements AutoCloseable {
    /** Small buffers moved per refill or spill. */
    public static final int BATCH = 256;
    private static final int SIZE = 2 * BATCH;
    /**
     * Large buffers are few (hundreds): moving them in small batches keeps one worker's
     * cache from holding the whole pool while another worker needs one.
     */
    public static final int LARGE_BATCH = 16;
    private static final int LARGE_SIZE = 2 * LARGE_BATCH;

    private final PacketMemory mem;
    private final int[] small = new int[SIZE];
    private final int[] large = new int[LARGE_SIZE];
    // Plain fields: PacketMemory.inUse reads them from other threads, exact once this
    // worker has stopped (a join orders the reads); a fence per packet would cost more.
    private int smallCount;
    private int largeCount;

    BufferCache(PacketMemory mem) {
        this.mem = mem;
    }

    public PacketMemory memory() {
        return mem;
    }

    int cached(SizeClass sc) {
        return sc == SizeClass.SMALL ? smallCount : largeCount;
    }

    /** A small buffer, or -1 when the pool is exhausted (the caller counts a drop). */
    public int allocSmall() {
        int n = smallCount;
        if (n == 0) {
            n = mem.freeList(SizeClass.SMALL).take(small, 0, BATCH);
            if (n == 0) {
                return -1;
            }
        }
        int bi = small[--n];
        smallCount = n;
        mem.resetMeta(bi);
        return bi;
    }

    /** A large (64 KB class) buffer, or -1 when that pool is exhausted. */
    public int allocLarge() {
        int n = largeCount;
        if (n == 0) {
            n = mem.freeList(SizeClass.LARGE).take(large, 0, LARGE_BATCH);
            if (n == 0) {
                return -1;
            }
        }
        int bi = large[--n];
        largeCount = n;
        mem.resetMeta(bi);
        return bi;
    }

    public int alloc(SizeClass sc) {
        return sc == SizeClass.SMALL ? allocSmall() : allocLarge();
    }

    /**
     * Fills {@code dst[0..n)} with small buffers; returns how many it could get. Input
     * stages call this once per poll.
     */
    public int allocSmall(int[] dst, int n) {
        int got = 0;
        while (got < n) {
            int bi = allocSmall();
            if (bi < 0) {
                break;
            }
            dst[got++] = bi;
        }
        return got;
    }

    public void free(int bi) {
        int flags = mem.flags(bi);
        if ((flags & PacketFlags.IN_USE) == 0) {
            throw new IllegalStateException("buffer " + bi + " freed twice");
        }
        mem.flags(bi, flags & ~PacketFlags.IN_USE);
        if (mem.sizeClass(bi) == SizeClass.SMALL) {
            int n = smallCount;
            if (n == SIZE) {
                mem.freeList(SizeClass.SMALL).give(small, SIZE - BATCH, BATCH);
                n -= BATCH;
            }
            small[n++] = bi;
            smallCount = n;
        } else {
            int n = largeCount;
            if (n == LARGE_SIZE) {
                mem.freeList(SizeClass.LARGE).give(large, LARGE_SIZE - LARGE_BATCH, LARGE_BATCH);
                n -= LARGE_BATCH;
            }
            large[n++] = bi;
            largeCount = n;
        }
    }

    public void free(int[] bis, int off, int n) {
        for (int i = 0; i < n; i++) {
            free(bis[off + i]);
        }
    }

    /** Returns every cached buffer to the shared pool (worker exit). */
    @Override
    public void close() {
        mem.freeList(SizeClass.SMALL).give(small, 0, smallCount);
        smallCount = 0;
        mem.freeList(SizeClass.LARGE).give(large, 0, largeCount);
        largeCount = 0;
        mem.forget(this);
    }
}
