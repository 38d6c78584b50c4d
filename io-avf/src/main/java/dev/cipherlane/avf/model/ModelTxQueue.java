package dev.cipherlane.avf.model;

import dev.cipherlane.avf.device.TxDescriptor;
import java.lang.foreign.MemorySegment;

/**
 * One transmit queue as the device sees it. The device fetches descriptors [head, tail),
 * gathers their buffers until EOP and sends the frame; a descriptor with RS gets
 * DTYPE = DESC_DONE written back. A frame of more than eight data descriptors, a zero
 * size or a buffer the IOMMU refuses is what the PF's malicious driver detection catches,
 * and it resets the VF.
 */
final class ModelTxQueue {
    final int id;
    boolean configured;
    boolean enabled;
    int ringLength;
    MemorySegment ring;
    int head;
    int tail;

    private int gathered;
    private int descriptors;

    ModelTxQueue(int id) {
        this.id = id;
    }

    void configure(MemorySegment ring, int ringLength) {
        this.ring = ring;
        this.ringLength = ringLength;
        configured = true;
        enabled = false;
        head = 0;
        tail = 0;
        gathered = 0;
        descriptors = 0;
    }

    void clear() {
        configured = false;
        enabled = false;
        ring = null;
        head = 0;
        tail = 0;
        gathered = 0;
        descriptors = 0;
    }

    /**
     * Sends what the VF queued, at most {@code budget} descriptors.
     *
     * @return false on a malicious-driver event
     */
    boolean process(ModelMemory memory, MemorySegment assembly, Wire wire, ModelStats stats, int budget) {
        if (tail >= ringLength) {
            return false;
        }
        while (head != tail && budget-- > 0) {
            long q = TxDescriptor.qword1(ring, head);
            int type = TxDescriptor.type(q);
            if (type == TxDescriptor.DTYPE_DATA) {
                int size = TxDescriptor.bufferSize(q);
                long iova = TxDescriptor.bufferAddress(ring, head);
                int region = memory.find(iova, size);
                if (size == 0 || region < 0 || ++descriptors > TxDescriptor.MAX_DESCRIPTORS_PER_FRAME
                        || gathered + size > assembly.byteSize()) {
                    return false;
                }
                MemorySegment.copy(memory.segment(region), memory.offset(region, iova), assembly, gathered, size);
                gathered += size;
                if ((q & TxDescriptor.CMD_EOP) != 0) {
                    wire.transmit(assembly, gathered);
                    stats.sent(assembly, gathered);
                    gathered = 0;
                    descriptors = 0;
                }
            } else if (type != TxDescriptor.DTYPE_CONTEXT) {
                return false;
            }
            if ((q & TxDescriptor.CMD_RS) != 0) {
                TxDescriptor.qword1(ring, head, TxDescriptor.DTYPE_DESC_DONE);
            }
            head = (head + 1) % ringLength;
        }
        return true;
    }
}
