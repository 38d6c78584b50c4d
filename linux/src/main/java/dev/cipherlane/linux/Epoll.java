package dev.cipherlane.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An epoll instance (epoll(7)) with its own array of ready events. An idle worker sleeps in
 * {@link #await} on its queues' descriptors and its wake-up {@link EventFd}; the events
 * that woke it are then read with {@link #events(int)} and {@link #data(int)}.
 *
 * <p>{@link #await} and the accessors belong to one thread (the owner of the events array);
 * {@link #add}, {@link #modify} and {@link #remove} may come from any thread, as the kernel
 * allows. Nothing is allocated per wait. Closing is idempotent, like {@link EventFd}; close
 * once the owner no longer waits (a thread already inside epoll_wait keeps waiting).
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    public static final int EPOLLRDHUP = 0x2000;
    /** Edge-triggered: report readiness once per change, not while it lasts. */
    public static final int EPOLLET = 0x80000000;

    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLL_CTL_MOD = 3;
    public static final int EPOLL_CLOEXEC = Libc.O_CLOEXEC;

    private final int epfd;
    private final int maxEvents;
    private final MemorySegment ready;
    private volatile boolean closed;

    private Epoll(int epfd, int maxEvents) {
        this.epfd = epfd;
        this.maxEvents = maxEvents;
        // Automatic arena: a close from another thread cannot free the array under a waiter.
        this.ready = Arena.ofAuto().allocate(EpollEvent.LAYOUT, maxEvents);
    }

    /** A close-on-exec epoll instance reporting up to {@code maxEvents} per wait. */
    public static Epoll open(int maxEvents) throws LinuxException {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be >= 1, got " + maxEvents);
        }
        return new Epoll(Libc.epollCreate1(EPOLL_CLOEXEC), maxEvents);
    }

    public int fd() {
        return epfd;
    }

    /** Watches {@code fd} for {@code events}; {@code data} comes back with each event. */
    public void add(int fd, int events, long data) throws LinuxException {
        ctl(EPOLL_CTL_ADD, fd, events, data);
    }

    public void modify(int fd, int events, long data) throws LinuxException {
        ctl(EPOLL_CTL_MOD, fd, events, data);
    }

    public void remove(int fd) throws LinuxException {
        Libc.epollCtl(epfd, EPOLL_CTL_DEL, fd, MemorySegment.NULL);
    }

    private void ctl(int op, int fd, int events, long data) throws LinuxException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ev = a.allocate(EpollEvent.LAYOUT);
            EpollEvent.set(ev, 0, events, data);
            Libc.epollCtl(epfd, op, fd, ev);
        }
    }

    /**
     * Waits up to {@code timeoutMs} (-1: forever, 0: just look) for events; returns how
     * many are ready, 0 on timeout. Owner thread only.
     */
    public int await(int timeoutMs) throws LinuxException {
        if (closed) {
            throw new IllegalStateException("epoll " + epfd + " is closed");
        }
        return Libc.epollWait(epfd, ready, maxEvents, timeoutMs);
    }

    /** Event mask of ready entry {@code i} of the last wait. */
    public int events(int i) {
        return EpollEvent.events(ready, i);
    }

    /** User data of ready entry {@code i} of the last wait. */
    public long data(int i) {
        return EpollEvent.data(ready, i);
    }

    @Override
    public void close() throws LinuxException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Libc.close(epfd);
    }
}
