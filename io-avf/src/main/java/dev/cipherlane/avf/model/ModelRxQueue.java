package dev.cipherlane.avf.model;

import dev.cipherlane.avf.device.RxDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * One receive queue as the device sees it: the context the PF programmed from
 * CONFIG_VSI_QUEUES, the head the device keeps, the tail the VF writes. The device owns
 * descriptors [head, tail); head == tail means it has none. A frame longer than one
 * buffer takes several descriptors, and only the last has EOP.
 */
final class ModelRxQueue {
    final int id;
    boolean configured;
    boolean enabled;
    int ringLength;
    int bufferSize;
    int maxPacketSize;
    MemorySegment ring;
    int head;
    int tail;

    ModelRxQueue(int id) {
        this.id = id;
    }

    void configure(MemorySegment ring, int ringLength, int bufferSize, int maxPacketSize) {
        this.ring = ring;
        this.ringLength = ringLength;
        this.bufferSize = bufferSize;
        this.maxPacketSize = maxPacketSize;
        configured = true;
        enabled = false;
        head = 0;
        tail = 0;
    }

    void clear() {
        configured = false;
        enabled = false;
        ring = null;
        head = 0;
        tail = 0;
    }

    int available() {
        return (tail - head + ringLength) % ringLength;
    }

    /**
     * Writes a frame into the buffers of the next descriptors and writes them back.
     *
     * @return false when it was dropped: not enough descriptors, or a buffer the IOMMU refuses
     */
    boolean deliver(ModelMemory memory, MemorySegment frame, int length, int hash, boolean rss,
                    long errors, boolean setDone) {
        int needed = (length + bufferSize - 1) / bufferSize;
        if (tail >= ringLength || needed > available()) {
            return false;
        }
        int at = head;
        for (int k = 0, offset = 0; k < needed; k++, offset += bufferSize) {
            long iova = RxDescriptor.packetAddress(ring, at);
            int chunk = Math.min(bufferSize, length - offset);
            int region = memory.find(iova, chunk);
            if (region < 0) {
                return false;
            }
            MemorySegment.copy(frame, offset, memory.segment(region), memory.offset(region, iova), chunk);
            at = (at + 1) % ringLength;
        }
        at = head;
        for (int k = 0, offset = 0; k < needed; k++, offset += bufferSize) {
            boolean last = k == needed - 1;
            long status = RxDescriptor.status(Math.min(bufferSize, length - offset), last, rss);
            if (last) {
                status |= errors;
            }
            if (!setDone) {
                status &= ~RxDescriptor.STATUS_DD;
            }
            RxDescriptor.writeBack(ring, at, rss ? hash : 0, status);
            at = (at + 1) % ringLength;
        }
        head = at;
        return true;
    }
}
