package dev.cipherlane.avf.model;

import dev.cipherlane.avf.device.DmaRegion;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The model's DMA memory and its IOMMU: regions get IOVAs above 4 GiB (so the high words
 * of every address the driver programs matter) with an unmapped page between regions,
 * and the device side translates an IOVA range back to a region, refusing any range that
 * is not wholly inside one, as an IOMMU would fault it. Translation is a binary search
 * over arrays and allocates nothing.
 */
final class ModelMemory implements AutoCloseable {
    static final long IOVA_BASE = 0x1_0000_0000L;
    private static final long PAGE = 4096;

    private final Arena arena = Arena.ofShared();
    private long[] bases = new long[0];
    private long[] ends = new long[0];
    private MemorySegment[] segments = new MemorySegment[0];
    private long next = IOVA_BASE;

    synchronized DmaRegion allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("DMA region of " + bytes + " bytes");
        }
        MemorySegment segment = arena.allocate(bytes, PAGE);
        long iova = next;
        next += (bytes + PAGE - 1) / PAGE * PAGE + PAGE;
        int n = bases.length;
        bases = Arrays.copyOf(bases, n + 1);
        ends = Arrays.copyOf(ends, n + 1);
        segments = Arrays.copyOf(segments, n + 1);
        bases[n] = iova;
        ends[n] = iova + bytes;
        segments[n] = segment;
        return new DmaRegion(segment, iova);
    }

    /** The region holding all of {@code [iova, iova + length)}, or -1: a DMA fault. */
    int find(long iova, long length) {
        int i = Arrays.binarySearch(bases, iova);
        if (i < 0) {
            i = -i - 2;
        }
        if (i < 0 || length < 0 || iova + length > ends[i]) {
            return -1;
        }
        return i;
    }

    MemorySegment segment(int region) {
        return segments[region];
    }

    long offset(int region, long iova) {
        return iova - bases[region];
    }

    /** A view of {@code [iova, iova + length)}, or null; for rings, set up once per configuration. */
    MemorySegment slice(long iova, long length) {
        int r = find(iova, length);
        return r < 0 ? null : segments[r].asSlice(iova - bases[r], length);
    }

    @Override
    public void close() {
        arena.close();
    }
}
