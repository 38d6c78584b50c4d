package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * BSD socket calls (socket(2), bind(2), send(2), recv(2), setsockopt(2) ...), errno-checked
 * like {@link Libc}. A socket belongs to the network namespace of the thread that created
 * it, for life: create it inside {@link NetNamespace#runIn} to get one in a pod's namespace.
 *
 * <p>The data calls ({@code send}, {@code sendto}, {@code sendmsg}, {@code recv},
 * {@code recvfrom}) take a native buffer plus offset and length (or, for {@code sendmsg}, a
 * {@link GatherMessage} of such pieces), pass raw addresses as {@link Libc#read} does,
 * retry on EINTR and return {@link Libc#WOULD_BLOCK} for EAGAIN, so a worker can call them
 * per packet without allocating. Socket addresses are native segments the caller keeps
 * (see {@link SockAddr}). Option calls and {@code socket}/{@code bind} are control-path
 * calls and may allocate.
 */
public final class Sockets {
    private Sockets() {}

    // Address families and socket types, from include/linux/socket.h and asm-generic/socket.h.
    public static final int AF_UNSPEC = 0;
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    /** Or'ed into the type: the descriptor is created non-blocking / close-on-exec. */
    public static final int SOCK_NONBLOCK = Libc.O_NONBLOCK;
    public static final int SOCK_CLOEXEC = Libc.O_CLOEXEC;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    /** struct timeval (16 bytes on 64-bit): how long a blocking receive waits, then EAGAIN. */
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_SNDTIMEO = 21;
    /** SO_SNDBUF beyond net.core.wmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_SNDBUFFORCE = 32;
    /** SO_RCVBUF beyond net.core.rmem_max; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;

    public static final int MSG_PEEK = 0x2;
    /** On receive: return the real length of a datagram even if it did not fit. */
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;

    private static final MethodHandle SOCKET = Libc.bind("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKETPAIR = Libc.bind("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle BIND = Libc.bind("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Libc.bind("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = Libc.bind("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDMSG = Libc.bind("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECVFROM = Libc.bind("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle SETSOCKOPT = Libc.bind("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Libc.bind("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    /** Each thread's socklen_t for recvfrom's in/out address length. */
    private static final ThreadLocal<MemorySegment> ADDRESS_LENGTH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_INT));

    /** {@code socket(2)}: a new descriptor in the calling thread's network namespace. */
    public static int socket(int domain, int type, int protocol) throws LinuxException {
        MemorySegment cs = Libc.callState();
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(cs, domain, type, protocol);
        } catch (Throwable t) {
            throw Libc.linkage("socket", t);
        }
        if (fd < 0) {
            throw new LinuxException("socket(" + domain + ", 0x" + Integer.toHexString(type) + ", " + protocol + ")",
                    Errno.read(cs));
        }
        return fd;
    }

    /** {@code socketpair(2)}: two connected descriptors. */
    public static int[] socketpair(int domain, int type, int protocol) throws LinuxException {
        MemorySegment cs = Libc.callState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int r;
            try {
                r = (int) SOCKETPAIR.invokeExact(cs, domain, type, protocol, fds);
            } catch (Throwable t) {
                throw Libc.linkage("socketpair", t);
            }
            if (r < 0) {
                throw new LinuxException("socketpair(" + domain + ", 0x" + Integer.toHexString(type) + ")",
                        Errno.read(cs));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    /** {@code bind(2)} to the first {@code length} bytes of {@code address} (a sockaddr). */
    public static void bind(int fd, MemorySegment address, int length) throws LinuxException {
        checkAddress(address, length);
        MemorySegment cs = Libc.callState();
        int r;
        try {
            r = (int) BIND.invokeExact(cs, fd, address, length);
        } catch (Throwable t) {
            throw Libc.linkage("bind", t);
        }
        if (r < 0) {
            throw new LinuxException("bind(" + fd + ", " + SockAddr.describe(address) + ")", Errno.read(cs));
        }
    }

    /** {@code getsockname(2)} into {@code address}; returns the address's full length. */
    public static int getsockname(int fd, MemorySegment address) throws LinuxException {
        checkAddress(address, address.byteSize());
        MemorySegment cs = Libc.callState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) Math.min(address.byteSize(), Integer.MAX_VALUE));
            int r;
            try {
                r = (int) GETSOCKNAME.invokeExact(cs, fd, address, length);
            } catch (Throwable t) {
                throw Libc.linkage("getsockname", t);
            }
            if (r < 0) {
                throw new LinuxException("getsockname(" + fd + ")", Errno.read(cs));
            }
            return length.get(JAVA_INT, 0);
        }
    }

    /** {@code send(2)} of {@code buf[offset, offset+length)}: bytes sent or {@link Libc#WOULD_BLOCK}. */
    public static long send(int fd, MemorySegment buf, long offset, long length, int flags) throws LinuxException {
        return sendto(fd, buf, offset, length, flags, MemorySegment.NULL, 0);
    }

    /**
     * {@code sendto(2)} of {@code buf[offset, offset+length)} to the first
     * {@code addressLength} bytes of {@code address} ({@link MemorySegment#NULL} and 0 on a
     * connected socket): bytes sent or {@link Libc#WOULD_BLOCK}.
     */
    public static long sendto(int fd, MemorySegment buf, long offset, long length, int flags,
                              MemorySegment address, int addressLength) throws LinuxException {
        long addr = Libc.address(buf, offset, length);
        long to = socketAddress(address, addressLength);
        MemorySegment cs = Libc.callState();
        long r;
        try {
            do {
                r = (long) SENDTO.invokeExact(cs, fd, addr, length, flags, to, addressLength);
            } while (r < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw Libc.linkage("sendto", t);
        } finally {
            Reference.reachabilityFence(buf);
            Reference.reachabilityFence(address);
        }
        return Libc.transferred(r, cs, "sendto", fd, length, "");
    }

    /**
     * {@code sendmsg(2)} of the pieces of {@code message}, gathered by the kernel in order
     * into one datagram or frame: bytes sent (on a datagram or packet socket, all of them)
     * or {@link Libc#WOULD_BLOCK}. The pieces' memory must stay open until this returns.
     */
    public static long sendmsg(int fd, GatherMessage message, int flags) throws LinuxException {
        MemorySegment header = message.prepared();
        MemorySegment cs = Libc.callState();
        long r;
        try {
            do {
                r = (long) SENDMSG.invokeExact(cs, fd, header.address(), flags);
            } while (r < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw Libc.linkage("sendmsg", t);
        } finally {
            Reference.reachabilityFence(message);
        }
        return Libc.transferred(r, cs, "sendmsg", fd, message.bytes(), "");
    }

    /**
     * {@code recv(2)} into {@code buf[offset, offset+length)}: bytes received (with
     * {@link #MSG_TRUNC}: the datagram's full length), 0 on an orderly shutdown, or
     * {@link Libc#WOULD_BLOCK} (also when {@link #SO_RCVTIMEO} expired).
     */
    public static long recv(int fd, MemorySegment buf, long offset, long length, int flags) throws LinuxException {
        return recvfrom(fd, buf, offset, length, flags, MemorySegment.NULL);
    }

    /**
     * {@code recvfrom(2)}: as {@link #recv}, and the sender's address is written to
     * {@code from} (as much as fits; {@link MemorySegment#NULL} for none).
     */
    public static long recvfrom(int fd, MemorySegment buf, long offset, long length, int flags,
                                MemorySegment from) throws LinuxException {
        long addr = Libc.address(buf, offset, length);
        long fromAddr = socketAddress(from, from.byteSize());
        MemorySegment fromLength = MemorySegment.NULL;
        if (fromAddr != 0) {
            fromLength = ADDRESS_LENGTH.get();
            fromLength.set(JAVA_INT, 0, (int) Math.min(from.byteSize(), Integer.MAX_VALUE));
        }
        MemorySegment cs = Libc.callState();
        long r;
        try {
            do {
                r = (long) RECVFROM.invokeExact(cs, fd, addr, length, flags, fromAddr, fromLength.address());
            } while (r < 0 && Errno.read(cs) == Errno.EINTR);
        } catch (Throwable t) {
            throw Libc.linkage("recvfrom", t);
        } finally {
            Reference.reachabilityFence(buf);
            Reference.reachabilityFence(from);
            Reference.reachabilityFence(fromLength);
        }
        return Libc.transferred(r, cs, "recvfrom", fd, length, "");
    }

    /** {@code setsockopt(2)} with the first {@code length} bytes of {@code value}. */
    public static void setsockopt(int fd, int level, int name, MemorySegment value, int length) throws LinuxException {
        checkAddress(value, length);
        MemorySegment cs = Libc.callState();
        int r;
        try {
            r = (int) SETSOCKOPT.invokeExact(cs, fd, level, name, value, length);
        } catch (Throwable t) {
            throw Libc.linkage("setsockopt", t);
        }
        if (r < 0) {
            throw new LinuxException("setsockopt(" + fd + ", " + level + ", " + name + ")", Errno.read(cs));
        }
    }

    /** {@code setsockopt(2)} with an {@code int} value. */
    public static void setsockopt(int fd, int level, int name, int value) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            setsockopt(fd, level, name, arena.allocateFrom(JAVA_INT, value), Integer.BYTES);
        }
    }

    /** Sets {@link #SO_RCVTIMEO}: a blocking receive gives up after {@code millis} (0: never). */
    public static void setReceiveTimeout(int fd, long millis) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            // struct timeval { time_t tv_sec; suseconds_t tv_usec; }, both 64-bit on LP64.
            MemorySegment tv = arena.allocate(JAVA_LONG, 2);
            tv.setAtIndex(JAVA_LONG, 0, millis / 1000);
            tv.setAtIndex(JAVA_LONG, 1, millis % 1000 * 1000);
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, (int) tv.byteSize());
        }
    }

    /** {@code getsockopt(2)} into {@code value}; returns how many bytes the kernel wrote. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value) throws LinuxException {
        checkAddress(value, value.byteSize());
        MemorySegment cs = Libc.callState();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) Math.min(value.byteSize(), Integer.MAX_VALUE));
            int r;
            try {
                r = (int) GETSOCKOPT.invokeExact(cs, fd, level, name, value, length);
            } catch (Throwable t) {
                throw Libc.linkage("getsockopt", t);
            }
            if (r < 0) {
                throw new LinuxException("getsockopt(" + fd + ", " + level + ", " + name + ")", Errno.read(cs));
            }
            return length.get(JAVA_INT, 0);
        }
    }

    /** {@code getsockopt(2)} of an {@code int} option. */
    public static int getsockoptInt(int fd, int level, int name) throws LinuxException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            getsockopt(fd, level, name, value);
            return value.get(JAVA_INT, 0);
        }
    }

    private static void checkAddress(MemorySegment segment, long length) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("socket call argument must be off-heap memory");
        }
        if (length < 0 || length > segment.byteSize()) {
            throw new IndexOutOfBoundsException("length " + length + " outside a segment of " + segment.byteSize());
        }
    }

    /** The raw address of a sockaddr argument, 0 for NULL; checked like a buffer. */
    private static long socketAddress(MemorySegment address, long length) {
        if (address.equals(MemorySegment.NULL)) {
            return 0;
        }
        return Libc.address(address, 0, length);
    }
}
