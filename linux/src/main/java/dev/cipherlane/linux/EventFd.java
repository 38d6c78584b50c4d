package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An eventfd (eventfd(2)): a 64-bit counter in the kernel that any thread adds to with an
 * 8-byte write and its owner reads (and resets) with an 8-byte read. A worker sleeping in
 * {@code epoll_wait} watches one for EPOLLIN, so another thread wakes it by
 * {@link #signal()}ing after putting work in its ring.
 *
 * <p>{@link #signal()} is safe from any thread: the 8 bytes it writes are a constant 1 set
 * up once. {@link #drain()} belongs to one thread (the owner), because its read buffer is
 * reused. Nothing is allocated per signal or drain. Closing is idempotent: a descriptor
 * number is closed once only, since a second close could hit a descriptor reopened with
 * the same number.
 */
public final class EventFd implements AutoCloseable {
    /** Reads return 0 ("nothing") instead of blocking. */
    public static final int EFD_NONBLOCK = Libc.O_NONBLOCK;
    public static final int EFD_CLOEXEC = Libc.O_CLOEXEC;
    /** Each read takes 1 off the counter instead of resetting it. */
    public static final int EFD_SEMAPHORE = 1;

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG;

    private final int fd;
    private final MemorySegment one;
    private final MemorySegment counter;
    private volatile boolean closed;

    private EventFd(int fd) {
        this.fd = fd;
        // Automatic arena: the buffers live as long as this object, whoever still signals.
        Arena arena = Arena.ofAuto();
        this.one = arena.allocate(U64);
        this.one.set(U64, 0, 1L);
        this.counter = arena.allocate(U64);
    }

    /** A non-blocking, close-on-exec eventfd with counter 0. */
    public static EventFd open() throws LinuxException {
        return open(EFD_NONBLOCK | EFD_CLOEXEC);
    }

    public static EventFd open(int flags) throws LinuxException {
        return new EventFd(Libc.eventfd(0, flags));
    }

    public int fd() {
        return fd;
    }

    /**
     * Adds 1 to the counter, waking whoever waits on it. A counter at its maximum
     * (EAGAIN on a non-blocking eventfd) is already signalled, so that is not an error.
     */
    public void signal() throws LinuxException {
        checkOpen();
        Libc.write(fd, one, 0, U64.byteSize());
    }

    /**
     * Reads and resets the counter (or takes 1 with {@link #EFD_SEMAPHORE}); 0 when nothing
     * was signalled on a non-blocking eventfd. Owner thread only.
     */
    public long drain() throws LinuxException {
        checkOpen();
        long n = Libc.read(fd, counter, 0, U64.byteSize());
        return n == Libc.WOULD_BLOCK ? 0 : counter.get(U64, 0);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("eventfd " + fd + " is closed");
        }
    }

    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Libc.close(fd);
    }
}
