package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code mmap(2)} and {@code munmap(2)}: anonymous memory and shared mappings of
 * descriptors (AF_PACKET rings, VFIO BARs). A mapping comes back as a segment of exactly
 * the mapped length, so every access is bounds-checked.
 *
 * <p>{@link #map(Arena, long, int, int, int, long)} ties the mapping to an arena, which
 * unmaps it when closed: the usual way, since then no access can outlive the mapping.
 * {@link #map(long, int, int, int, long)} returns a segment that is always "alive"; its
 * owner must call {@link #unmap} once and never touch the segment afterwards.
 */
public final class Mmap {
    private Mmap() {}

    // asm-generic/mman-common.h and mman.h
    public static final int PROT_NONE = 0;
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    /** Fault the pages in now rather than on first touch (no page faults on the data path). */
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_HUGETLB = 0x40000;

    /** mmap's (void *) -1. */
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP = Libc.bind("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Libc.bind("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));

    /**
     * Maps {@code length} bytes ({@code fd} -1 with {@link #MAP_ANONYMOUS}); the mapping is
     * released by {@link #unmap}.
     */
    @SuppressWarnings("restricted") // the kernel just gave us exactly length bytes at this address
    public static MemorySegment map(long length, int prot, int flags, int fd, long offset) throws LinuxException {
        return raw(length, prot, flags, fd, offset).reinterpret(length);
    }

    /** As {@link #map(long, int, int, int, long)}, unmapped when {@code arena} closes. */
    @SuppressWarnings("restricted") // as above; the cleanup runs once, after the last access
    public static MemorySegment map(Arena arena, long length, int prot, int flags, int fd, long offset)
            throws LinuxException {
        MemorySegment region = raw(length, prot, flags, fd, offset);
        return region.reinterpret(length, arena, s -> unmapQuietly(s.address(), length));
    }

    private static MemorySegment raw(long length, int prot, int flags, int fd, long offset) throws LinuxException {
        if (length <= 0) {
            throw new IllegalArgumentException("mmap length must be positive, got " + length);
        }
        MemorySegment cs = Libc.callState();
        MemorySegment region;
        try {
            region = (MemorySegment) MMAP.invokeExact(cs, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw Libc.linkage("mmap", t);
        }
        if (region.address() == MAP_FAILED) {
            throw new LinuxException("mmap(" + length + ", prot 0x" + Integer.toHexString(prot) + ", flags 0x"
                    + Integer.toHexString(flags) + ", fd " + fd + ", offset " + offset + ")", Errno.read(cs));
        }
        return region;
    }

    /** {@code munmap(2)} of a whole segment from {@link #map(long, int, int, int, long)}. */
    public static void unmap(MemorySegment region) throws LinuxException {
        MemorySegment cs = Libc.callState();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(cs, region.address(), region.byteSize());
        } catch (Throwable t) {
            throw Libc.linkage("munmap", t);
        }
        if (r < 0) {
            throw new LinuxException("munmap(0x" + Long.toHexString(region.address()) + ", " + region.byteSize() + ")",
                    Errno.read(cs));
        }
    }

    /**
     * Arena cleanup cannot throw checked exceptions; munmap of a range we mapped fails only
     * with EINVAL for a bad range, which cannot happen here.
     */
    private static void unmapQuietly(long address, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(Libc.callState(), address, length);
        } catch (Throwable t) {
            throw Libc.linkage("munmap", t);
        }
    }
}
