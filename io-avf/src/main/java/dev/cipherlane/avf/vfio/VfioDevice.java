package dev.cipherlane.avf.vfio;

import dev.cipherlane.avf.device.AvfDevice;
import dev.cipherlane.avf.device.DmaRegion;
import dev.cipherlane.linux.Ioctl;
import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.Mmap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A VF through VFIO: the {@link AvfDevice} the driver talks to on real hardware. Set up as
 * {@code Documentation/driver-api/vfio.rst} ("VFIO Usage Example") does it, with the ioctls
 * of {@code include/uapi/linux/vfio.h} ({@link VfioAbi}):
 *
 * <ol>
 *   <li>the container {@code /dev/vfio/vfio}: VFIO_GET_API_VERSION must be VFIO_API_VERSION,
 *       VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU) must hold;
 *   <li>the group {@code /dev/vfio/<n>} ({@link VfioHost} found n): VFIO_GROUP_GET_STATUS must
 *       say viable (every device of the group bound to vfio-pci), then
 *       VFIO_GROUP_SET_CONTAINER and, on the container, VFIO_SET_IOMMU(TYPE1v2);
 *   <li>the device: VFIO_GROUP_GET_DEVICE_FD with the PCI address, VFIO_DEVICE_GET_REGION_INFO
 *       for BAR 0, which is mmap'ed from the device fd at the offset the kernel gives;
 *   <li>DMA memory: anonymous shared pages, mapped into the IOMMU with VFIO_IOMMU_MAP_DMA at
 *       IOVAs we choose (pinned by the kernel: they count against RLIMIT_MEMLOCK), unmapped
 *       with VFIO_IOMMU_UNMAP_DMA on close.
 * </ol>
 *
 * <p>Registers are 32-bit little-endian (AVF 1.0 section 8) and accessed as volatile ints of
 * the mapping, so each read or write is one uncached load or store the compiler keeps in
 * program order; the driver fences before doorbells itself.
 *
 * <p>Not run against hardware yet (io-avf/README.md). On a host without VFIO, {@link #open}
 * throws {@link VfioUnavailable} naming what is missing.
 */
public final class VfioDevice implements AvfDevice {
    private static final VarHandle REGISTER =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    /**
     * First IOVA handed out: above 4 GiB, clear of the x86 MSI window at 0xfee00000 that
     * type1 reserves (vfio.h VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE lists what is usable).
     */
    static final long IOVA_BASE = 1L << 32;
    private static final long PAGE = 4096;

    private final String pci;
    private final int container;
    private final int group;
    private final int device;
    private final Arena arena;
    private final MemorySegment bar0;
    private final List<DmaRegion> mapped = new ArrayList<>();
    private long nextIova = IOVA_BASE;
    private boolean closed;

    private VfioDevice(String pci, int container, int group, int device, Arena arena, MemorySegment bar0) {
        this.pci = pci;
        this.container = container;
        this.group = group;
        this.device = device;
        this.arena = arena;
        this.bar0 = bar0;
    }

    /** Opens the VF at PCI address {@code pci} on this host. */
    public static VfioDevice open(String pci) throws VfioUnavailable {
        return open(VfioHost.SYSTEM, pci);
    }

    public static VfioDevice open(VfioHost host, String pci) throws VfioUnavailable {
        VfioHost.Located at = host.locate(pci);
        List<Integer> fds = new ArrayList<>();
        Arena arena = Arena.ofShared();
        try {
            int container = Libc.open(at.container().toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
            fds.add(container);
            int version = Ioctl.ioctl(container, VfioAbi.GET_API_VERSION, 0L, "VFIO_GET_API_VERSION");
            if (version != VfioAbi.API_VERSION) {
                throw new VfioUnavailable("VFIO API version " + version + ", we know " + VfioAbi.API_VERSION);
            }
            if (Ioctl.ioctl(container, VfioAbi.CHECK_EXTENSION, VfioAbi.TYPE1V2_IOMMU, "VFIO_CHECK_EXTENSION") <= 0) {
                throw new VfioUnavailable("the host's VFIO has no type1 v2 IOMMU (VFIO_TYPE1v2_IOMMU): load"
                        + " vfio_iommu_type1");
            }
            int group = Libc.open(at.groupFile().toString(), Libc.O_RDWR | Libc.O_CLOEXEC, 0);
            fds.add(group);
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment status = scratch.allocate(VfioAbi.GROUP_STATUS_SIZE, 8);
                status.set(ValueLayout.JAVA_INT, VfioAbi.GROUP_STATUS_ARGSZ, VfioAbi.GROUP_STATUS_SIZE);
                Ioctl.ioctl(group, VfioAbi.GROUP_GET_STATUS, status, "VFIO_GROUP_GET_STATUS");
                if ((status.get(ValueLayout.JAVA_INT, VfioAbi.GROUP_STATUS_FLAGS) & VfioAbi.GROUP_FLAGS_VIABLE) == 0) {
                    throw new VfioUnavailable("IOMMU group " + at.group() + " of " + pci + " is not viable: every"
                            + " device in it must be bound to vfio-pci (see /sys/kernel/iommu_groups/" + at.group()
                            + "/devices)");
                }
                MemorySegment fd = scratch.allocate(ValueLayout.JAVA_INT);
                fd.set(ValueLayout.JAVA_INT, 0, container);
                Ioctl.ioctl(group, VfioAbi.GROUP_SET_CONTAINER, fd, "VFIO_GROUP_SET_CONTAINER");
                Ioctl.ioctl(container, VfioAbi.SET_IOMMU, VfioAbi.TYPE1V2_IOMMU, "VFIO_SET_IOMMU");
                int device = Ioctl.ioctl(group, VfioAbi.GROUP_GET_DEVICE_FD, scratch.allocateFrom(pci),
                        "VFIO_GROUP_GET_DEVICE_FD");
                fds.add(device);
                MemorySegment info = scratch.allocate(VfioAbi.REGION_INFO_SIZE, 8);
                info.set(ValueLayout.JAVA_INT, VfioAbi.REGION_INFO_ARGSZ, VfioAbi.REGION_INFO_SIZE);
                info.set(ValueLayout.JAVA_INT, VfioAbi.REGION_INFO_INDEX, VfioAbi.PCI_BAR0_REGION_INDEX);
                Ioctl.ioctl(device, VfioAbi.DEVICE_GET_REGION_INFO, info, "VFIO_DEVICE_GET_REGION_INFO");
                int flags = info.get(ValueLayout.JAVA_INT, VfioAbi.REGION_INFO_FLAGS);
                long size = info.get(ValueLayout.JAVA_LONG, VfioAbi.REGION_INFO_REGION_SIZE);
                long offset = info.get(ValueLayout.JAVA_LONG, VfioAbi.REGION_INFO_OFFSET);
                if ((flags & VfioAbi.REGION_INFO_FLAG_MMAP) == 0 || size <= 0) {
                    throw new VfioUnavailable("BAR 0 of " + pci + " cannot be mapped (region flags 0x"
                            + Integer.toHexString(flags) + ", size " + size + ")");
                }
                MemorySegment bar0 = Mmap.map(arena, size, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_SHARED, device,
                        offset);
                return new VfioDevice(pci, container, group, device, arena, bar0);
            }
        } catch (LinuxException e) {
            release(fds, arena, e);
            throw new VfioUnavailable("opening " + pci + " through VFIO: " + e.getMessage(), e);
        } catch (VfioUnavailable | RuntimeException e) {
            release(fds, arena, e);
            throw e;
        }
    }

    private static void release(List<Integer> fds, Arena arena, Exception into) {
        arena.close();
        for (int i = fds.size() - 1; i >= 0; i--) {
            try {
                Libc.close(fds.get(i));
            } catch (LinuxException e) {
                into.addSuppressed(e);
            }
        }
    }

    @Override
    public String name() {
        return pci;
    }

    @Override
    public int read32(int offset) {
        return (int) REGISTER.getVolatile(bar0, (long) offset);
    }

    @Override
    public void write32(int offset, int value) {
        REGISTER.setVolatile(bar0, (long) offset, value);
    }

    /** Pages of our own, zeroed by the kernel, mapped into the IOMMU at the next free IOVA. */
    @Override
    public synchronized DmaRegion allocateDma(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("DMA region size must be positive, got " + bytes);
        }
        long size = (bytes + PAGE - 1) & -PAGE;
        try {
            MemorySegment memory = Mmap.map(arena, size, Mmap.PROT_READ | Mmap.PROT_WRITE,
                    Mmap.MAP_SHARED | Mmap.MAP_ANONYMOUS | Mmap.MAP_POPULATE, -1, 0);
            try (Arena scratch = Arena.ofConfined()) {
                MemorySegment map = scratch.allocate(VfioAbi.DMA_MAP_SIZE, 8);
                map.set(ValueLayout.JAVA_INT, VfioAbi.DMA_MAP_ARGSZ, VfioAbi.DMA_MAP_SIZE);
                map.set(ValueLayout.JAVA_INT, VfioAbi.DMA_MAP_FLAGS, VfioAbi.DMA_MAP_FLAG_READ | VfioAbi.DMA_MAP_FLAG_WRITE);
                map.set(ValueLayout.JAVA_LONG, VfioAbi.DMA_MAP_VADDR, memory.address());
                map.set(ValueLayout.JAVA_LONG, VfioAbi.DMA_MAP_IOVA, nextIova);
                map.set(ValueLayout.JAVA_LONG, VfioAbi.DMA_MAP_MAPPING_SIZE, size);
                Ioctl.ioctl(container, VfioAbi.IOMMU_MAP_DMA, map, "VFIO_IOMMU_MAP_DMA");
            }
            DmaRegion region = new DmaRegion(memory.asSlice(0, bytes), nextIova);
            mapped.add(new DmaRegion(memory, nextIova));
            nextIova += size;
            return region;
        } catch (LinuxException e) {
            // ENOMEM here is usually RLIMIT_MEMLOCK: the pages are pinned.
            throw new IllegalStateException("DMA memory for " + pci + " (" + size + " bytes): " + e.getMessage()
                    + (e.errno() == 12 ? " (raise the memlock limit: ulimit -l, LimitMEMLOCK=)" : ""), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> problems = new ArrayList<>();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment unmap = scratch.allocate(VfioAbi.DMA_UNMAP_SIZE, 8);
            for (DmaRegion r : mapped) {
                unmap.fill((byte) 0);
                unmap.set(ValueLayout.JAVA_INT, VfioAbi.DMA_UNMAP_ARGSZ, VfioAbi.DMA_UNMAP_SIZE);
                unmap.set(ValueLayout.JAVA_LONG, VfioAbi.DMA_UNMAP_IOVA, r.iova());
                unmap.set(ValueLayout.JAVA_LONG, VfioAbi.DMA_UNMAP_MAPPING_SIZE, r.size());
                try {
                    Ioctl.ioctl(container, VfioAbi.IOMMU_UNMAP_DMA, unmap, "VFIO_IOMMU_UNMAP_DMA");
                } catch (LinuxException e) {
                    problems.add(e);
                }
            }
        }
        // Unmaps BAR 0 and the DMA pages, now the IOMMU no longer points at them.
        arena.close();
        for (int fd : new int[] {device, group, container}) {
            try {
                Libc.close(fd);
            } catch (LinuxException e) {
                problems.add(e);
            }
        }
        if (!problems.isEmpty()) {
            IllegalStateException e = new IllegalStateException("closing " + pci + " through VFIO");
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }
}
