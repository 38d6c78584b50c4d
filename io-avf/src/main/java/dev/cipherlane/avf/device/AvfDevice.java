package dev.cipherlane.avf.device;

/**
 * What the driver needs from a VF, and all it may touch: 32-bit registers at BAR0 offsets
 * ({@link Registers}) and memory the device reaches by DMA. The software model
 * implements it in the JVM; a VFIO back end implements it with the mmap'ed BAR0 and
 * IOMMU-mapped memory.
 *
 * <p>Registers are little-endian and accessed whole. Writes to DMA memory must be visible
 * to the device before the register write that hands them over (a tail doorbell): the
 * driver issues a release fence before such writes, so back ends need nothing more.
 */
public interface AvfDevice extends AutoCloseable {

    /** A name for logs and errors: the PCI address, or the model's name. */
    String name();

    int read32(int offset);

    void write32(int offset, int value);

    /**
     * Zeroed memory the device can read and write, aligned to 4096 bytes (more than any
     * ring or buffer needs). It lives until the device is closed.
     */
    DmaRegion allocateDma(long bytes);

    /** Releases the BAR mapping and all DMA memory. */
    @Override
    void close();
}
