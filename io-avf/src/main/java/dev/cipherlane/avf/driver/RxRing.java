package dev.cipherlane.avf.driver;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.DmaRegion;
import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.device.RxDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One receive queue's ring of 32-byte descriptors, each with its own buffer for good, so
 * taking a frame is: see DD on every descriptor up to the one with EOP, copy their
 * buffers out, and rearm the same descriptors in place. Rearmed descriptors go back to the
 * device by moving the tail in multiples of 8 (the device fetches descriptors in eights),
 * {@code refillBatch} at a time; at least 8 stay ours, so tail never catches up with the
 * device's head and a full ring never reads as empty.
 *
 * <pre>
 *   [next, head)   written back by the device, not yet taken
 *   [head, tail)   the device's, empty
 *   [tail, next)   taken and rearmed, not yet given back ("held", always >= 8)
 * </pre>
 */
public final class RxRing {
    /** Descriptors kept back so tail never meets head. */
    private static final int RESERVE = 8;
    /** More descriptors than this for one frame means a corrupt ring. */
    private static final int MAX_DESCRIPTORS_PER_FRAME = 16;

    final int queue;
    final int length;
    final int bufferSize;
    private final int refillBatch;
    private final AvfDevice device;
    private final DmaRegion descriptors;
    private final DmaRegion buffers;
    private final MemorySegment ring;
    private final MemorySegment data;
    private int next;
    private int tail;
    private int held;

    long packets;
    long bytes;
    long errors;
    long tooLong;
    long descriptorsDone;

    RxRing(AvfDevice device, int queue, int length, int bufferSize, int refillBatch) {
        this.device = device;
        this.queue = queue;
        this.length = length;
        this.bufferSize = bufferSize;
        this.refillBatch = refillBatch;
        descriptors = device.allocateDma((long) length * RxDescriptor.SIZE);
        buffers = device.allocateDma((long) length * bufferSize);
        ring = descriptors.segment();
        data = buffers.segment();
    }

    long ringAddress() {
        return descriptors.iova();
    }

    /** Every descriptor armed, none given to the device yet: after a reset, before ENABLE_QUEUES. */
    void reset() {
        ring.fill((byte) 0);
        for (int i = 0; i < length; i++) {
            RxDescriptor.post(ring, i, buffers.iova((long) i * bufferSize));
        }
        next = 0;
        tail = 0;
        held = length;
    }

    /** Hands the device all but the reserve; once the queue is enabled. */
    void start() {
        give(length - RESERVE);
    }

    /** The device wrote the descriptor we would take next: frames are waiting. */
    boolean ready() {
        return RxDescriptor.done(RxDescriptor.qword1(ring, next));
    }

    /**
     * Copies up to {@code max} frames into {@code frames} (lengths into {@code lengths},
     * RSS hashes into {@code hashes} unless null), and returns how many. A frame with a
     * MAC error, or longer than its destination, is dropped and counted.
     */
    int receive(MemorySegment[] frames, int[] lengths, int[] hashes, int max) {
        return receive(frames, null, null, 0, lengths, hashes, max);
    }

    /**
     * As {@link #receive(MemorySegment[], int[], int[], int)}, into one segment: frame
     * {@code i} at {@code offsets[i]}, each with room for {@code capacity} bytes (a packet
     * pool's buffers, so the caller needs no segment per buffer).
     */
    int receive(MemorySegment base, long[] offsets, int capacity, int[] lengths, int[] hashes, int max) {
        return receive(null, base, offsets, capacity, lengths, hashes, max);
    }

    private int receive(MemorySegment[] frames, MemorySegment base, long[] offsets, int capacity, int[] lengths,
                        int[] hashes, int max) {
        int n = 0;
        int taken = 0;
        while (n < max) {
            long q = RxDescriptor.qword1(ring, next);
            if (!RxDescriptor.done(q)) {
                break;
            }
            int count = 1;
            int last = next;
            int total = RxDescriptor.length(q);
            boolean complete = true;
            while (!RxDescriptor.endOfPacket(q)) {
                if (count == MAX_DESCRIPTORS_PER_FRAME) {
                    break;
                }
                last = (last + 1) % length;
                q = RxDescriptor.qword1(ring, last);
                if (!RxDescriptor.done(q)) {
                    complete = false; // the device is still writing this frame
                    break;
                }
                count++;
                total += RxDescriptor.length(q);
            }
            if (!complete) {
                break;
            }
            VarHandle.acquireFence();
            MemorySegment into = frames != null ? frames[n] : base;
            long offset = frames != null ? 0 : offsets[n];
            long room = frames != null ? into.byteSize() : capacity;
            if (!RxDescriptor.endOfPacket(q) || (q & RxDescriptor.ERRORS_FATAL) != 0) {
                errors++;
            } else if (total > room) {
                tooLong++;
            } else {
                int i = next;
                for (int k = 0; k < count; k++) {
                    int part = RxDescriptor.length(RxDescriptor.qword1(ring, i));
                    MemorySegment.copy(data, (long) i * bufferSize, into, offset, part);
                    offset += part;
                    i = (i + 1) % length;
                }
                lengths[n] = total;
                if (hashes != null) {
                    hashes[n] = RxDescriptor.rssValid(q) ? RxDescriptor.rssHash(ring, last) : 0;
                }
                n++;
                packets++;
                bytes += total;
            }
            for (int k = 0; k < count; k++) {
                RxDescriptor.post(ring, next, buffers.iova((long) next * bufferSize));
                next = (next + 1) % length;
            }
            taken += count;
        }
        if (taken > 0) {
            descriptorsDone += taken;
            held += taken;
            if (held - RESERVE >= refillBatch) {
                give((held - RESERVE) & ~7);
            }
        }
        return n;
    }

    private void give(int count) {
        tail = (tail + count) % length;
        held -= count;
        VarHandle.releaseFence();
        device.write32(Registers.qrxTail(queue), tail);
    }

    /** The tail register's value: for tests of refill batching. */
    int tail() {
        return tail;
    }

    int held() {
        return held;
    }
}
