package dev.cipherlane.linux;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * Linux error numbers and how errno reaches Java. A downcall linked with
 * {@code Linker.Option.captureCallState("errno")} writes errno into a small segment right
 * after the call, before the JVM can run anything that clobbers it; {@link #read} takes it
 * from there.
 *
 * <p>The numbers are the asm-generic ones, which x86_64 and aarch64 share. Names and
 * descriptions come from glibc ({@code strerrorname_np}/{@code strerrordesc_np}, glibc
 * 2.32+, thread-safe and allocation-free on the C side) so every errno is covered, not only
 * the few named here; an older libc falls back to {@code strerror}.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENODEV = 19;
    public static final int EINVAL = 22;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int ELOOP = 40;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int EBADFD = 77;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ENOBUFS = 105;

    /** Layout of the call-state segment a capturing downcall takes as its first argument. */
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** errno as the last capturing downcall left it in {@code callState}. */
    public static int read(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    // Restricted: libc's strings have no size; they are read up to their NUL only.
    @SuppressWarnings("restricted")
    private static final AddressLayout C_STRING =
            ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, ValueLayout.JAVA_BYTE));
    private static final Optional<MethodHandle> STRERRORNAME_NP = lookup("strerrorname_np");
    private static final Optional<MethodHandle> STRERRORDESC_NP = lookup("strerrordesc_np");
    private static final Optional<MethodHandle> STRERROR = lookup("strerror");

    @SuppressWarnings("restricted") // linking native code is this class's purpose
    private static Optional<MethodHandle> lookup(String symbol) {
        Linker linker = Linker.nativeLinker();
        return linker.defaultLookup().find(symbol).map(addr -> linker.downcallHandle(addr,
                FunctionDescriptor.of(C_STRING, ValueLayout.JAVA_INT)));
    }

    /** The symbolic name, e.g. {@code ENOENT}; {@code errno N} when libc does not know it. */
    public static String name(int errno) {
        String s = STRERRORNAME_NP.map(h -> call(h, errno)).orElse(null);
        return s != null ? s : "errno " + errno;
    }

    /** The libc message, e.g. {@code No such file or directory}. */
    public static String describe(int errno) {
        String s = STRERRORDESC_NP.or(() -> STRERROR).map(h -> call(h, errno)).orElse(null);
        return s != null ? s : "Unknown error " + errno;
    }

    private static String call(MethodHandle h, int errno) {
        MemorySegment p;
        try {
            p = (MemorySegment) h.invokeExact(errno);
        } catch (Throwable t) {
            throw new IllegalStateException("libc string lookup for errno " + errno + " failed", t);
        }
        return p.equals(MemorySegment.NULL) ? null : p.getString(0);
    }
}
