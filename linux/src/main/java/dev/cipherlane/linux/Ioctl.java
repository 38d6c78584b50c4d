package dev.cipherlane.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code ioctl(2)} and the encoding of its request numbers.
 *
 * <p>A request number packs a direction, a size, a type character and a number the way
 * include/uapi/asm-generic/ioctl.h does (x86_64 and aarch64 both use the generic layout):
 * bits 0-7 the number, 8-15 the type, 16-29 the size of the argument, 30-31 the direction
 * as seen from user space ({@code _IOW}: we write, the kernel reads). So
 * {@code TUNSETIFF = _IOW('T', 202, int) = 1 << 30 | 4 << 16 | 'T' << 8 | 202 = 0x400454ca}.
 * Requests are kept as Java {@code int}s holding the 32 unsigned bits (the kernel's
 * {@code cmd} is an {@code unsigned int}) and are zero-extended on the way to C.
 *
 * <p>ioctl is variadic. The argument travels as a full 64-bit word in both forms: glibc
 * reads it back as a pointer-sized value and the kernel receives an {@code unsigned long},
 * so a by-value flag such as TUNSETPERSIST's must not carry stray upper bits.
 */
public final class Ioctl {
    private Ioctl() {}

    private static final int NRBITS = 8;
    private static final int TYPEBITS = 8;
    private static final int SIZEBITS = 14;
    private static final int NRSHIFT = 0;
    private static final int TYPESHIFT = NRSHIFT + NRBITS;
    private static final int SIZESHIFT = TYPESHIFT + TYPEBITS;
    private static final int DIRSHIFT = SIZESHIFT + SIZEBITS;

    public static final int NONE = 0;
    public static final int WRITE = 1;
    public static final int READ = 2;

    private static final MethodHandle IOCTL_POINTER = Libc.bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = Libc.bind("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));

    /** {@code _IOC(dir, type, nr, size)}. */
    public static int ioc(int dir, char type, int nr, int size) {
        if (dir < 0 || dir > 3 || type > 0xff || nr < 0 || nr > 0xff || size < 0 || size >= 1 << SIZEBITS) {
            throw new IllegalArgumentException("bad ioctl fields: dir " + dir + ", type " + (int) type
                    + ", nr " + nr + ", size " + size);
        }
        return dir << DIRSHIFT | size << SIZESHIFT | type << TYPESHIFT | nr << NRSHIFT;
    }

    /** {@code _IO(type, nr)}: no argument. */
    public static int io(char type, int nr) {
        return ioc(NONE, type, nr, 0);
    }

    /** {@code _IOR(type, nr, T)} with {@code size = sizeof(T)}: the kernel writes to us. */
    public static int ior(char type, int nr, int size) {
        return ioc(READ, type, nr, size);
    }

    /** {@code _IOW(type, nr, T)}: the kernel reads from us. */
    public static int iow(char type, int nr, int size) {
        return ioc(WRITE, type, nr, size);
    }

    /** {@code _IOWR(type, nr, T)}. */
    public static int iowr(char type, int nr, int size) {
        return ioc(READ | WRITE, type, nr, size);
    }

    /**
     * {@code ioctl(fd, request, arg)} with a pointer to {@code arg}, a native segment the
     * kernel reads and/or writes (a struct ifreq, an int). Returns the call's non-negative
     * result.
     */
    public static int ioctl(int fd, int request, MemorySegment arg) throws LinuxException {
        return ioctl(fd, request, arg, null);
    }

    /** As {@link #ioctl(int, int, MemorySegment)}; an error names the request {@code what}. */
    public static int ioctl(int fd, int request, MemorySegment arg, String what) throws LinuxException {
        if (!arg.isNative()) {
            throw new IllegalArgumentException("ioctl argument must be off-heap memory");
        }
        MemorySegment cs = Libc.callState();
        int r;
        try {
            r = (int) IOCTL_POINTER.invokeExact(cs, fd, Integer.toUnsignedLong(request), arg);
        } catch (Throwable t) {
            throw Libc.linkage("ioctl", t);
        }
        if (r < 0) {
            throw new LinuxException(describe(fd, request, what), Errno.read(cs));
        }
        return r;
    }

    /**
     * {@code ioctl(fd, request, value)} with the argument passed by value (TUNSETPERSIST,
     * TUNSETOFFLOAD). An {@code int} argument widens with its sign, as C would convert it.
     */
    public static int ioctl(int fd, int request, long value) throws LinuxException {
        return ioctl(fd, request, value, null);
    }

    /** As {@link #ioctl(int, int, long)}; an error names the request {@code what}. */
    public static int ioctl(int fd, int request, long value, String what) throws LinuxException {
        MemorySegment cs = Libc.callState();
        int r;
        try {
            r = (int) IOCTL_VALUE.invokeExact(cs, fd, Integer.toUnsignedLong(request), value);
        } catch (Throwable t) {
            throw Libc.linkage("ioctl", t);
        }
        if (r < 0) {
            throw new LinuxException(describe(fd, request, what), Errno.read(cs));
        }
        return r;
    }

    private static String describe(int fd, int request, String what) {
        return "ioctl(" + fd + ", " + (what != null ? what : "0x" + Integer.toHexString(request)) + ")";
    }
}
