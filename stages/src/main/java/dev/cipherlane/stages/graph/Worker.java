package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.time.Instant;

/**
 * A dataplane worker: one platform thread running its {@link GraphRuntime} round after
 * round until stopped. The graph, memory and cache it uses belong to it alone.
 *
 * <p>A stage's exception is handled inside the runtime (the packet is dropped, the worker
 * goes on). What still ends the loop (an error the runtime does not contain, such as an
 * OutOfMemoryError, or a bug in the runtime itself) ends the thread: the worker records the
 * failure, tells its {@link Watch}, and waits for {@link #restart}, which runs the same
 * runtime, with the frames and buffers it had, on a new thread.
 */
public final class Worker implements Runnable {
    public static final int POLL_BUDGET = Frame.CAPACITY;

    /** Told when a worker's thread ends on an exception; it decides whether and when to restart. */
    @FunctionalInterface
    public interface Watch {
        /** Called on the dying thread: hand the decision to another one, do not block. */
        void died(Worker worker, Throwable cause);

        /** No one restarts the worker: it stays down, its failure visible in {@link #health}. */
        Watch NONE = (worker, cause) -> {};
    }

    /** What {@code show runtime} and the node's health say of a worker. */
    public record Health(int worker, boolean running, int restarts, String lastFailure, Instant failedAt) {}

    private final GraphRuntime runtime;
    private final BufferCache cache;
    private final IdleStrategy idle;
    private final Watch watch;
    private volatile boolean running = true;
    private Thread thread;
    private int restarts;
    private Throwable lastFailure;
    private Instant failedAt;
    private boolean cacheClosed;
    private boolean dead;

    public Worker(Graph graph, PacketMemory mem, int index, IdleStrategy idle, Watch watch) {
        this.cache = mem.newCache();
        this.runtime = new GraphRuntime(graph, mem, cache, index);
        this.idle = idle;
        this.watch = watch;
    }

    /** A worker no one restarts (demos and tests). */
    public Worker(Graph graph, PacketMemory mem, int index, IdleStrategy idle) {
        this(graph, mem, index, idle, Watch.NONE);
    }

    public GraphRuntime runtime() {
        return runtime;
    }

    public synchronized Worker start() {
        if (thread != null) {
            throw new IllegalStateException("worker " + runtime.worker() + " already started");
        }
        thread = newThread();
        return this;
    }

    /**
     * Runs the worker again on a new thread after its thread died; false, doing nothing, when
     * it is stopped or its thread did not die.
     */
    public synchronized boolean restart() throws InterruptedException {
        if (!running || !dead) {
            return false;
        }
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("worker " + runtime.worker() + " restarted from its own dying thread");
        }
        // The dead thread may still be returning from Watch.died.
        thread.join();
        dead = false;
        restarts++;
        thread = newThread();
        return true;
    }

    private Thread newThread() {
        return Thread.ofPlatform().name("cl-worker-" + runtime.worker()).start(this);
    }

    @Override
    public void run() {
        Throwable died = null;
        try {
            while (running) {
                idle.idle(runtime.runOnce(POLL_BUDGET));
            }
        } catch (Throwable t) {
            died = t;
        }
        if (died == null) {
            closeCache();
            return;
        }
        synchronized (this) {
            lastFailure = died;
            failedAt = Instant.now();
            dead = true;
        }
        if (running) {
            watch.died(this, died);
        }
    }

    public synchronized Health health() {
        boolean alive = running && thread != null && !dead;
        return new Health(runtime.worker(), alive, restarts, lastFailure == null ? null : lastFailure.toString(),
                failedAt);
    }

    /** Stops the loop and waits for the thread to finish its round. */
    public void stop() throws InterruptedException {
        running = false;
        idle.wakeUp();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join();
        }
        synchronized (this) {
            if (dead) {
                // It died mid-round: what waited for its stages, and its cache, are given back.
                runtime.discardWaiting();
            }
        }
        closeCache();
    }

    private synchronized void closeCache() {
        if (!cacheClosed) {
            cacheClosed = true;
            cache.close();
        }
    }
}
