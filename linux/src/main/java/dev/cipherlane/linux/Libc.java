package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into the C library for file descriptors, eventfd, epoll and the calling
 * process and thread ({@code fcntl}, {@code getpid}, {@code gettid}, {@code setns},
 * {@code unshare}); its siblings {@link Ioctl}, {@link Sockets}, {@link Mmap} and
 * {@link Mount} link theirs the same way through the package-private {@code bind},
 * {@code callState} and {@code address}. Every wrapper checks for -1 and throws
 * {@link LinuxException} with the errno the call left, captured by the linker
 * ({@code captureCallState}) into a per-thread segment, so nothing is allocated per call on
 * the success path.
 *
 * <p>{@code read}, {@code write} and {@code epoll_wait} are retried on EINTR (a signal
 * arrived before any data moved); {@code close} is not, because Linux releases the
 * descriptor even when close reports EINTR and a retry could close a descriptor another
 * thread has just been given. On non-blocking descriptors {@code read} and {@code write}
 * return {@link #WOULD_BLOCK} for EAGAIN instead of throwing: for them it is the normal way
 * to say "nothing now".
 *
 * <p>The buffer of {@code read}/{@code write} goes to C as a raw address (C {@code void*}
 * and a 64-bit integer travel alike on LP64): slicing the segment first would allocate a
 * segment object per call. The caller keeps the segment's arena open across the call.
 */
public final class Libc {
    private Libc() {}

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    /** fcntl(2) commands and the descriptor flag, from asm-generic/fcntl.h. */
    public static final int F_GETFD = 1;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int FD_CLOEXEC = 1;

    /** What {@link #read}/{@link #write} return when a non-blocking descriptor is not ready. */
    public static final long WOULD_BLOCK = -1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = bind("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle UNLINK = bind("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle READ = bind("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = bind("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    // fcntl is variadic; its one optional argument goes as a full 64-bit word, which is how
    // glibc reads it back (va_arg as a pointer-sized value).
    private static final MethodHandle FCNTL = bind("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETPID = bind("getpid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle GETTID = bind("gettid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UNSHARE = bind("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = bind("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CREATE1 = bind("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = bind("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = bind("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));

    /**
     * Where each thread's downcalls leave errno. An automatic arena frees a thread's segment
     * once the thread is gone.
     */
    private static final ThreadLocal<MemorySegment> CALL_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(Errno.CALL_STATE));

    @SuppressWarnings("restricted") // linking native code is this class's purpose
    static MethodHandle bind(String symbol, FunctionDescriptor fd, Linker.Option... extra) {
        MemorySegment addr = LINKER.defaultLookup().find(symbol)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + symbol));
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(addr, fd, options);
    }

    static MemorySegment callState() {
        return CALL_STATE.get();
    }

    /** Thrown from inside a handle call; downcalls throw nothing checked, so this is a bug. */
    static AssertionError linkage(String call, Throwable t) {
        return new AssertionError("downcall " + call + " failed to run", t);
    }

    // ---- descriptors ---------------------------------------------------------------------

    /** {@code open(2)}; {@code mode} matters only with {@link #O_CREAT}. */
    public static int open(String path, int flags, int mode) throws LinuxException {
        MemorySegment cs = callState();
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) OPEN.invokeExact(cs, arena.allocateFrom(path), flags, mode);
        } catch (Throwable t) {
            throw linkage("open", t);
        }
        if (fd < 0) {
            throw new LinuxException("open(\"" + path + "\")", Errno.read(cs));
        }
        return fd;
    }

    /** {@code close(2)}; never retried (see the class comment). */
    public static void close(int fd) throws LinuxException {
        MemorySegment cs = callState();
        int r;
        try {
            r = (int) CLOSE.invokeExact(cs, fd);
        } catch (Throwable t) {
            throw linkage("close", t);
        }
        if (r < 0) {
            throw new LinuxException("close(" + fd + ")", Errno.read(cs));
        }
    }

    /** {@code unlink(2)}: removes a name from the file system. */
    public static void unlink(String path) throws LinuxException {
        MemorySegment cs = callState();
        int r;
        try (Arena arena = Arena.ofConfined()) {
            r = (int) UNLINK.invokeExact(cs, arena.allocateFrom(path));
        } catch (Throwable t) {
            throw linkage("unlink", t);
        }
        if (r < 0) {
            throw new LinuxException("unlink(\"" + path + "\")", Errno.read(cs));
        }
    }

    /**
     * {@code read(2)} into {@code buf[offset, offset+length)}: bytes read, 0 at end of file,
     * or {@link #WOULD_BLOCK}. {@code buf} must be a native segment.
     */
    public static long read(int fd, MemorySegment buf, long offset, long length) throws LinuxException {
        long addr = address(buf, offset, length);
        MemorySegment cs = callState();
        long r;
        try {
            do {
                r = (long) READ.invokeExact(cs, fd, addr, length);
            } while (r < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw linkage("read", t);
        } finally {
            Reference.reachabilityFence(buf);
        }
        return transferred(r, cs, "read", fd, length, "");
    }

    /**
     * {@code write(2)} from {@code buf[offset, offset+length)}: bytes written (possibly
     * fewer than asked) or {@link #WOULD_BLOCK}. {@code buf} must be a native segment.
     */
    public static long write(int fd, MemorySegment buf, long offset, long length) throws LinuxException {
        long addr = address(buf, offset, length);
        MemorySegment cs = callState();
        long r;
        try {
            do {
                r = (long) WRITE.invokeExact(cs, fd, addr, length);
            } while (r < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw linkage("write", t);
        } finally {
            Reference.reachabilityFence(buf);
        }
        return transferred(r, cs, "write", fd, length, "");
    }

    /**
     * The result of a read or write call: {@code r} itself, {@link #WOULD_BLOCK} for EAGAIN,
     * or the error thrown as {@code call(fd, count unit)}. The message is built only on error,
     * so the data path allocates nothing.
     */
    static long transferred(long r, MemorySegment cs, String call, int fd, long count, String unit)
            throws LinuxException {
        if (r >= 0) {
            return r;
        }
        int errno = Errno.read(cs);
        if (errno == Errno.EAGAIN) {
            return WOULD_BLOCK;
        }
        throw new LinuxException(call + "(" + fd + ", " + count + unit + ")", errno);
    }

    static long address(MemorySegment buf, long offset, long length) {
        if (!buf.isNative()) {
            throw new IllegalArgumentException("buffer must be off-heap memory");
        }
        Objects.checkFromIndexSize(offset, length, buf.byteSize());
        if (!buf.scope().isAlive()) {
            throw new IllegalStateException("buffer's arena is closed");
        }
        return buf.address() + offset;
    }

    // ---- descriptor flags, process and thread ----------------------------------------------

    /**
     * {@code fcntl(2)} with one integer argument (0 for commands that take none, such as
     * {@link #F_GETFL}); returns what the command returns.
     */
    public static int fcntl(int fd, int cmd, long arg) throws LinuxException {
        MemorySegment cs = callState();
        int r;
        try {
            r = (int) FCNTL.invokeExact(cs, fd, cmd, arg);
        } catch (Throwable t) {
            throw linkage("fcntl", t);
        }
        if (r < 0) {
            throw new LinuxException("fcntl(" + fd + ", " + cmd + ")", Errno.read(cs));
        }
        return r;
    }

    /** Turns {@link #O_NONBLOCK} on or off for an open descriptor (F_GETFL, then F_SETFL). */
    public static void setNonBlocking(int fd, boolean nonBlocking) throws LinuxException {
        int flags = fcntl(fd, F_GETFL, 0);
        int wanted = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (wanted != flags) {
            fcntl(fd, F_SETFL, wanted);
        }
    }

    /** Whether {@link #O_NONBLOCK} is set on the open file description. */
    public static boolean isNonBlocking(int fd) throws LinuxException {
        return (fcntl(fd, F_GETFL, 0) & O_NONBLOCK) != 0;
    }

    /** {@code getpid(2)}; cannot fail. */
    public static int getpid() {
        try {
            return (int) GETPID.invokeExact(callState());
        } catch (Throwable t) {
            throw linkage("getpid", t);
        }
    }

    /**
     * {@code gettid(2)}: the kernel's id of the calling thread (glibc 2.30+). A platform
     * thread keeps its tid for life; a virtual thread reports its current carrier's.
     */
    public static int gettid() {
        try {
            return (int) GETTID.invokeExact(callState());
        } catch (Throwable t) {
            throw linkage("gettid", t);
        }
    }

    /**
     * {@code setns(2)}: moves the calling thread, and no other, into the namespace that
     * {@code fd} refers to; {@code nstype} is the CLONE_NEW* constant it must be (0: any).
     * {@link NetNamespace} wraps this with the way back.
     */
    public static void setns(int fd, int nstype) throws LinuxException {
        MemorySegment cs = callState();
        int r;
        try {
            r = (int) SETNS.invokeExact(cs, fd, nstype);
        } catch (Throwable t) {
            throw linkage("setns", t);
        }
        if (r < 0) {
            throw new LinuxException("setns(" + fd + ", 0x" + Integer.toHexString(nstype) + ")", Errno.read(cs));
        }
    }

    /**
     * {@code unshare(2)}: gives the calling thread, and no other, new namespaces of the
     * CLONE_NEW* kinds in {@code flags}. For CLONE_NEWNET that is a new, empty network
     * namespace with only a down {@code lo}; {@link NetNamespace#add} uses it.
     */
    public static void unshare(int flags) throws LinuxException {
        MemorySegment cs = callState();
        int r;
        try {
            r = (int) UNSHARE.invokeExact(cs, flags);
        } catch (Throwable t) {
            throw linkage("unshare", t);
        }
        if (r < 0) {
            throw new LinuxException("unshare(0x" + Integer.toHexString(flags) + ")", Errno.read(cs));
        }
    }

    // ---- eventfd and epoll -----------------------------------------------------------------

    /** {@code eventfd(2)} with flags from {@link EventFd}. */
    public static int eventfd(int initval, int flags) throws LinuxException {
        MemorySegment cs = callState();
        int fd;
        try {
            fd = (int) EVENTFD.invokeExact(cs, initval, flags);
        } catch (Throwable t) {
            throw linkage("eventfd", t);
        }
        if (fd < 0) {
            throw new LinuxException("eventfd(" + initval + ", 0x" + Integer.toHexString(flags) + ")", Errno.read(cs));
        }
        return fd;
    }

    /** {@code epoll_create1(2)}. */
    public static int epollCreate1(int flags) throws LinuxException {
        MemorySegment cs = callState();
        int fd;
        try {
            fd = (int) EPOLL_CREATE1.invokeExact(cs, flags);
        } catch (Throwable t) {
            throw linkage("epoll_create1", t);
        }
        if (fd < 0) {
            throw new LinuxException("epoll_create1(0x" + Integer.toHexString(flags) + ")", Errno.read(cs));
        }
        return fd;
    }

    /** {@code epoll_ctl(2)}; {@code event} is one {@link EpollEvent#LAYOUT} (may be NULL for DEL). */
    public static void epollCtl(int epfd, int op, int fd, MemorySegment event) throws LinuxException {
        MemorySegment cs = callState();
        int r;
        try {
            r = (int) EPOLL_CTL.invokeExact(cs, epfd, op, fd, event);
        } catch (Throwable t) {
            throw linkage("epoll_ctl", t);
        }
        if (r < 0) {
            throw new LinuxException("epoll_ctl(" + epfd + ", " + op + ", " + fd + ")", Errno.read(cs));
        }
    }

    /**
     * {@code epoll_wait(2)}: ready events written to {@code events} (room for
     * {@code maxEvents}), their count returned, 0 on timeout. After EINTR it waits again
     * with the full timeout: a worker's wake-ups come from its eventfd, not from the clock.
     */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMs) throws LinuxException {
        if (events.byteSize() < (long) maxEvents * EpollEvent.SIZE) {
            throw new IllegalArgumentException("room for " + events.byteSize() / EpollEvent.SIZE
                    + " events, asked for " + maxEvents);
        }
        MemorySegment cs = callState();
        int n;
        try {
            do {
                n = (int) EPOLL_WAIT.invokeExact(cs, epfd, events, maxEvents, timeoutMs);
            } while (n < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw linkage("epoll_wait", t);
        }
        if (n < 0) {
            throw new LinuxException("epoll_wait(" + epfd + ")", Errno.read(cs));
        }
        return n;
    }
}
