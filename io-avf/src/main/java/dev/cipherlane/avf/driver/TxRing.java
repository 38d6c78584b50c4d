package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.DmaRegion;
import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.device.TxDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One transmit queue's ring of 16-byte descriptors, each with its own 2 KiB buffer: a
 * frame is copied into as many consecutive buffers as it needs (EOP on the last), and the
 * tail moves once per batch. RS goes on the last frame of a batch and at least every
 * {@link #RS_INTERVAL} descriptors; the device rewrites such a descriptor's type to
 * DESC_DONE when it is finished with it and all before it, so reclaiming is one look per
 * marked descriptor, kept in a small ring of indices.
 */
public final class TxRing {
    public static final int SLOT = 2048;
    static final int RS_INTERVAL = 32;

    final int queue;
    final int length;
    private final int maxFrame;
    private final AvfDevice device;
    private final DmaRegion descriptors;
    private final DmaRegion buffers;
    private final MemorySegment ring;
    private final MemorySegment data;
    private final int[] marks;
    private int markHead;
    private int markCount;
    private int next;
    private int clean;
    private int sinceMark;

    long packets;
    long bytes;
    long ringFull;
    long invalid;
    long descriptorsDone;

    TxRing(AvfDevice device, int queue, int length, int maxFrame) {
        this.device = device;
        this.queue = queue;
        this.length = length;
        this.maxFrame = Math.min(maxFrame, SLOT * TxDescriptor.MAX_DESCRIPTORS_PER_FRAME);
        descriptors = device.allocateDma((long) length * TxDescriptor.SIZE);
        buffers = device.allocateDma((long) length * SLOT);
        ring = descriptors.segment();
        data = buffers.segment();
        marks = new int[length];
    }

    long ringAddress() {
        return descriptors.iova();
    }

    void reset() {
        ring.fill((byte) 0);
        next = clean = 0;
        markHead = markCount = 0;
        sinceMark = 0;
    }

    /** Descriptors handed to the device and not yet reported done. */
    int outstanding() {
        return (next - clean + length) % length;
    }

    /** One slot stays empty so a full ring is told from an empty one. */
    int free() {
        return length - 1 - outstanding();
    }

    /**
     * Queues {@code frames[0, count)} and rings the doorbell once. Returns how many frames it
     * took, from the first: a frame too long or empty is taken and counted as invalid; it
     * stops at the first frame the ring has no room for.
     */
    int transmit(MemorySegment[] frames, int[] lengths, int count) {
        return transmit(frames, null, null, lengths, count);
    }

    /** As {@link #transmit(MemorySegment[], int[], int)}, frame {@code i} at {@code offsets[i]} of {@code base}. */
    int transmit(MemorySegment base, long[] offsets, int[] lengths, int count) {
        return transmit(null, base, offsets, lengths, count);
    }

    private int transmit(MemorySegment[] frames, MemorySegment base, long[] offsets, int[] lengths, int count) {
        reclaim();
        int taken = 0;
        int lastEnd = -1;
        while (taken < count) {
            int size = lengths[taken];
            if (size <= 0 || size > maxFrame || (frames != null && size > frames[taken].byteSize())) {
                invalid++;
                taken++;
                continue;
            }
            int needed = (size + SLOT - 1) / SLOT;
            if (needed > free()) {
                ringFull++;
                break;
            }
            MemorySegment from = frames != null ? frames[taken] : base;
            long at = frames != null ? 0 : offsets[taken];
            for (int k = 0, offset = 0; k < needed; k++, offset += SLOT) {
                int part = Math.min(SLOT, size - offset);
                MemorySegment.copy(from, at + offset, data, (long) next * SLOT, part);
                long cmd = TxDescriptor.CMD_ICRC | (k == needed - 1 ? TxDescriptor.CMD_EOP : 0);
                TxDescriptor.write(ring, next, buffers.iova((long) next * SLOT), TxDescriptor.data(part, cmd));
                lastEnd = next;
                next = (next + 1) % length;
            }
            sinceMark += needed;
            if (sinceMark >= RS_INTERVAL) {
                mark(lastEnd);
                lastEnd = -1;
            }
            packets++;
            bytes += size;
            taken++;
        }
        if (lastEnd >= 0) {
            mark(lastEnd);
        }
        if (taken > 0) {
            VarHandle.releaseFence();
            device.write32(Registers.qtxTail(queue), next);
        }
        return taken;
    }

    private void mark(int i) {
        TxDescriptor.qword1(ring, i, TxDescriptor.qword1(ring, i) | TxDescriptor.CMD_RS);
        marks[(markHead + markCount) % marks.length] = i;
        markCount++;
        sinceMark = 0;
    }

    /** Frees every descriptor up to the last marked one the device reports done. */
    void reclaim() {
        while (markCount > 0) {
            int i = marks[markHead];
            if (!TxDescriptor.done(ring, i)) {
                return;
            }
            VarHandle.acquireFence();
            int end = (i + 1) % length;
            descriptorsDone += (end - clean + length) % length;
            clean = end;
            markHead = (markHead + 1) % marks.length;
            markCount--;
        }
    }
}
