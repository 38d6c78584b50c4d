package dev.cipherlane.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code readv(2)} and {@code writev(2)}: one system call for a packet spread over several
 * buffers (a virtio-net header kept apart from the frame, say). Same conventions as
 * {@link Libc#read}: EINTR retried, EAGAIN returned as {@link Libc#WOULD_BLOCK}, any other
 * failure thrown naming the call.
 */
public final class VectorIo {
    private VectorIo() {}

    private static final MethodHandle READV = Libc.bind("readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WRITEV = Libc.bind("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** Reads into the first {@code count} entries of {@code iov}; bytes read, 0 at end, or WOULD_BLOCK. */
    public static long readv(int fd, IoVec iov, int count) throws LinuxException {
        return call(READV, "readv", fd, iov, count);
    }

    /** Writes the first {@code count} entries of {@code iov}; bytes written or WOULD_BLOCK. */
    public static long writev(int fd, IoVec iov, int count) throws LinuxException {
        return call(WRITEV, "writev", fd, iov, count);
    }

    private static long call(MethodHandle h, String name, int fd, IoVec iov, int count) throws LinuxException {
        if (count < 1 || count > iov.capacity()) {
            throw new IllegalArgumentException(name + ": count must be in 1.." + iov.capacity() + ", got " + count);
        }
        MemorySegment cs = Libc.callState();
        long r;
        try {
            do {
                r = (long) h.invokeExact(cs, fd, iov.entries(), count);
            } while (r < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw Libc.linkage(name, t);
        }
        return Libc.transferred(r, cs, name, fd, count, " buffers");
    }
}
