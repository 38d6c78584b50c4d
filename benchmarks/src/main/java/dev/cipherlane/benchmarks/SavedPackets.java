package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.buffer.PacketMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Copies of packets as they were before a benchmark's stages changed them, kept off-heap so
 * a sink can put them back without allocating: the same buffers then go round again. One row
 * per buffer index holds the packet's bytes, its data offset and its length.
 */
final class SavedPackets implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final int rowBytes;
    private final MemorySegment rows;
    private final int[] offsets;
    private final int[] lengths;

    /** Saves {@code bis}; every index must be below {@code buffers}. */
    SavedPackets(PacketMemory mem, int buffers, int[] bis) {
        rowBytes = mem.bufferBytes(0);
        rows = arena.allocate((long) buffers * rowBytes, 64);
        offsets = new int[buffers];
        lengths = new int[buffers];
        for (int bi : bis) {
            offsets[bi] = mem.dataOffset(bi);
            lengths[bi] = mem.length(bi);
            MemorySegment.copy(mem.data(), mem.start(bi), rows, (long) bi * rowBytes, lengths[bi]);
        }
    }

    /** The saved length of packet {@code bi}. */
    int length(int bi) {
        return lengths[bi];
    }

    /**
     * Puts packet {@code bi}'s offset and length back, and its first {@code bytes} bytes
     * (all of it when {@code bytes} exceeds its length).
     */
    void restore(PacketMemory mem, int bi, int bytes) {
        mem.dataOffset(bi, offsets[bi]);
        mem.length(bi, lengths[bi]);
        MemorySegment.copy(rows, (long) bi * rowBytes, mem.data(), mem.start(bi), Math.min(bytes, lengths[bi]));
    }

    @Override
    public void close() {
        arena.close();
    }
}
