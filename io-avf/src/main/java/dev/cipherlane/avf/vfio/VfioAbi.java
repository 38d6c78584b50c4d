package dev.cipherlane.avf.vfio;

import dev.cipherlane.linux.Ioctl;

/**
 * The parts of the VFIO user API we use: ioctl numbers and the layouts of the structs they
 * take, as the kernel's {@code include/uapi/linux/vfio.h} defines them (read there, written
 * here from the definitions; {@code VfioAbiTest} checks every value against the C compiler).
 * The flow is the one of {@code Documentation/driver-api/vfio.rst}, "VFIO Usage Example":
 * open the container, check the API version and the IOMMU extension, open the group, check
 * it is viable, add it to the container, set the IOMMU model, get the device fd, then map
 * regions and DMA memory.
 *
 * <p>Every VFIO ioctl is {@code _IO(';', 100 + n)}: argument sizes are not encoded in the
 * number; structs carry their own size in {@code argsz} (vfio.h, "The IOCTL interface is
 * designed for extensibility").
 */
public final class VfioAbi {
    private VfioAbi() {}

    /** vfio.h VFIO_TYPE and VFIO_BASE. */
    private static final char TYPE = ';';
    private static final int BASE = 100;

    /** The only version there has been (vfio.h VFIO_API_VERSION). */
    public static final int API_VERSION = 0;
    /** IOMMU model: type1 v2 (vfio.h VFIO_TYPE1v2_IOMMU), what x86 hosts offer. */
    public static final int TYPE1V2_IOMMU = 3;

    public static final int GET_API_VERSION = Ioctl.io(TYPE, BASE);
    public static final int CHECK_EXTENSION = Ioctl.io(TYPE, BASE + 1);
    public static final int SET_IOMMU = Ioctl.io(TYPE, BASE + 2);
    public static final int GROUP_GET_STATUS = Ioctl.io(TYPE, BASE + 3);
    public static final int GROUP_SET_CONTAINER = Ioctl.io(TYPE, BASE + 4);
    public static final int GROUP_GET_DEVICE_FD = Ioctl.io(TYPE, BASE + 6);
    public static final int DEVICE_GET_REGION_INFO = Ioctl.io(TYPE, BASE + 8);
    public static final int DEVICE_RESET = Ioctl.io(TYPE, BASE + 11);
    public static final int IOMMU_MAP_DMA = Ioctl.io(TYPE, BASE + 13);
    public static final int IOMMU_UNMAP_DMA = Ioctl.io(TYPE, BASE + 14);

    /** struct vfio_group_status { __u32 argsz; __u32 flags; }. */
    public static final int GROUP_STATUS_SIZE = 8;
    public static final int GROUP_STATUS_ARGSZ = 0;
    public static final int GROUP_STATUS_FLAGS = 4;
    /** All devices of the group are bound to VFIO (or to no driver). */
    public static final int GROUP_FLAGS_VIABLE = 1;

    /** struct vfio_region_info: argsz, flags, index, cap_offset (u32), size, offset (u64). */
    public static final int REGION_INFO_SIZE = 32;
    public static final int REGION_INFO_ARGSZ = 0;
    public static final int REGION_INFO_FLAGS = 4;
    public static final int REGION_INFO_INDEX = 8;
    public static final int REGION_INFO_CAP_OFFSET = 12;
    public static final int REGION_INFO_REGION_SIZE = 16;
    public static final int REGION_INFO_OFFSET = 24;
    public static final int REGION_INFO_FLAG_READ = 1;
    public static final int REGION_INFO_FLAG_WRITE = 2;
    public static final int REGION_INFO_FLAG_MMAP = 4;
    /** vfio-pci's region index of BAR 0 (enum VFIO_PCI_BAR0_REGION_INDEX). */
    public static final int PCI_BAR0_REGION_INDEX = 0;

    /** struct vfio_iommu_type1_dma_map: argsz, flags (u32), vaddr, iova, size (u64). */
    public static final int DMA_MAP_SIZE = 32;
    public static final int DMA_MAP_ARGSZ = 0;
    public static final int DMA_MAP_FLAGS = 4;
    public static final int DMA_MAP_VADDR = 8;
    public static final int DMA_MAP_IOVA = 16;
    public static final int DMA_MAP_MAPPING_SIZE = 24;
    public static final int DMA_MAP_FLAG_READ = 1;
    public static final int DMA_MAP_FLAG_WRITE = 2;

    /** struct vfio_iommu_type1_dma_unmap: argsz, flags (u32), iova, size (u64), then data[]. */
    public static final int DMA_UNMAP_SIZE = 24;
    public static final int DMA_UNMAP_ARGSZ = 0;
    public static final int DMA_UNMAP_FLAGS = 4;
    public static final int DMA_UNMAP_IOVA = 8;
    public static final int DMA_UNMAP_MAPPING_SIZE = 16;
}
