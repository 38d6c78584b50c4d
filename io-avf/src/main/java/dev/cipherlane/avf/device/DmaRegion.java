package dev.cipherlane.avf.device;

import java.lang.foreign.MemorySegment;

/**
 * Memory the device can reach by DMA: the CPU sees {@code segment}, the device sees the
 * same bytes at I/O virtual address {@code iova}. Under VFIO the IOMMU maps one to the
 * other; the software model translates IOVAs back to segments itself.
 */
public record DmaRegion(MemorySegment segment, long iova) {

    public long size() {
        return segment.byteSize();
    }

    /** The device address of byte {@code offset} of this region. */
    public long iova(long offset) {
        return iova + offset;
    }
}
