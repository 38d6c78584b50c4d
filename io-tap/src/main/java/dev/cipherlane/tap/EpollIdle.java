package dev.cipherlane.tap;

import dev.cipherlane.linux.Epoll;
import dev.cipherlane.linux.EventFd;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.stages.graph.IdleStrategy;
import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;

/**
 * What a worker that owns file descriptors (tap queues) does after a round that produced
 * nothing: spin a while, then sleep in {@code epoll_wait} on its queues and a wake-up
 * {@link EventFd}, so an idle node uses no CPU and a frame arriving on any queue wakes the
 * worker at once.
 *
 * <p>Inputs that are not descriptors (handoff rings, the control plane's inject ring) wake
 * the worker through {@link #wake()}. To keep producers off the syscall while the worker is
 * busy, the worker announces that it is about to sleep, then polls one more round, and only
 * then sleeps; a producer publishes first and calls {@link #wake()} after, which signals the
 * eventfd only when the announcement is up. Either the worker's last round sees the
 * producer's packets, or the producer sees the announcement (a Dekker-style handshake: both
 * sides write, full fence, read), so no wake-up is lost and the timeout is a safety net,
 * not a latency.
 *
 * <p>Threads: {@link #idle} belongs to the worker; {@link #watch}, {@link #unwatch} and
 * {@link #wake} may be called from any thread. Nothing is allocated per round.
 */
public final class EpollIdle implements IdleStrategy, AutoCloseable {
    /** Longest sleep; a missed wake-up (a bug) or a stop request costs at most this. */
    public static final String TIMEOUT_NAME = "cipherlane.dataplane.idle.epoll-timeout-ms";
    public static final int TIMEOUT_DEFAULT = 100;
    /** Ready events taken per wait; more are reported by the next wait. */
    private static final int MAX_EVENTS = 64;
    /** epoll user data of the wake-up eventfd; descriptors are registered with their number. */
    private static final long WAKE_TAG = -1L;

    /** Volatile: a reload changes it while the worker runs (one read per idle round). */
    private volatile int spins;
    private final int timeoutMs;
    private final Epoll epoll;
    private final EventFd wakeup;
    private int idleRounds;
    /** Set from the announcing round until a round finds work; read by producers. */
    private volatile boolean sleepy;
    // Written by the worker once per sleep only; volatile so a supervisor or test can read them.
    private volatile long sleeps;
    private volatile long wakeups;

    private EpollIdle(int spins, int timeoutMs, Epoll epoll, EventFd wakeup) {
        this.spins = spins;
        this.timeoutMs = timeoutMs;
        this.epoll = epoll;
        this.wakeup = wakeup;
    }

    /**
     * @param spins     empty rounds spent spinning before sleeping
     *                  ({@code cipherlane.dataplane.idle.spin-polls})
     * @param timeoutMs longest single sleep ({@link #TIMEOUT_NAME})
     */
    public static EpollIdle open(int spins, int timeoutMs) throws LinuxException {
        if (spins < 0) {
            throw new IllegalArgumentException("spin rounds must be >= 0, got " + spins);
        }
        if (timeoutMs < 1) {
            throw new IllegalArgumentException(TIMEOUT_NAME + " must be >= 1, got " + timeoutMs);
        }
        Epoll epoll = Epoll.open(MAX_EVENTS);
        EventFd wakeup;
        try {
            wakeup = EventFd.open();
            epoll.add(wakeup.fd(), Epoll.EPOLLIN, WAKE_TAG);
        } catch (LinuxException | RuntimeException e) {
            epoll.close();
            throw e;
        }
        return new EpollIdle(spins, timeoutMs, epoll, wakeup);
    }

    /** Empty rounds to spin from now on ({@code cipherlane.dataplane.idle.spin-polls}, on a reload). */
    public void spinPolls(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("spin rounds must be >= 0, got " + n);
        }
        spins = n;
    }

    /** Sleeps end when {@code fd} becomes readable (a tap queue with a frame waiting). */
    public void watch(int fd) throws LinuxException {
        epoll.add(fd, Epoll.EPOLLIN, fd);
    }

    /**
     * Stops watching {@code fd}. Call it before closing the queue: epoll forgets a closed
     * descriptor only once no duplicate of it is left open anywhere.
     */
    public void unwatch(int fd) throws LinuxException {
        epoll.remove(fd);
    }

    /**
     * Wakes the worker if it sleeps or is about to. Producers call it after publishing work
     * the worker cannot see through a descriptor; it costs a fence and, only when the
     * worker announced sleep, one eventfd write.
     */
    public void wake() {
        VarHandle.fullFence();
        if (sleepy) {
            signal();
        }
    }

    /** Worker stop: wakes the worker unconditionally so it sees the request now. */
    @Override
    public void wakeUp() {
        signal();
    }

    /** Wakes the worker unconditionally, e.g. to make it see a stop request now. */
    public void signal() {
        try {
            wakeup.signal();
        } catch (LinuxException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Called by the worker after every round with the packets it produced. */
    @Override
    public void idle(int work) {
        if (work > 0) {
            idleRounds = 0;
            if (sleepy) {
                sleepy = false;
            }
            return;
        }
        if (idleRounds < spins) {
            idleRounds++;
            Thread.onSpinWait();
            return;
        }
        if (!sleepy) {
            // Announce, and let the worker poll once more before sleeping (class comment).
            sleepy = true;
            VarHandle.fullFence();
            return;
        }
        sleep();
    }

    private void sleep() {
        sleeps = sleeps + 1;
        int n;
        try {
            n = epoll.await(timeoutMs);
        } catch (LinuxException e) {
            throw new UncheckedIOException(e);
        }
        if (n > 0) {
            wakeups = wakeups + 1;
        }
        for (int i = 0; i < n; i++) {
            if (epoll.data(i) == WAKE_TAG) {
                // Level-triggered: an undrained eventfd would end every later sleep at once.
                try {
                    wakeup.drain();
                } catch (LinuxException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /** Whether the worker has announced sleep and found no work since. */
    public boolean sleepy() {
        return sleepy;
    }

    /** epoll waits made so far. */
    public long sleeps() {
        return sleeps;
    }

    /** Waits that ended with an event rather than the timeout. */
    public long wakeups() {
        return wakeups;
    }

    @Override
    public void close() throws LinuxException {
        try {
            wakeup.close();
        } finally {
            epoll.close();
        }
    }
}
