package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;

/**
 * A dataplane worker: one platform thread running its {@link GraphRuntime} round after
 * round until stopped. The graph, memory and cache it uses belong to it alone.
 */
public final class Worker implements Runnable {
    public static final int POLL_BUDGET = Frame.CAPACITY;

    private final GraphRuntime runtime;
    private final BufferCache cache;
    private final IdleStrategy idle;
    private volatile boolean running = true;
    private Thread thread;

    public Worker(Graph graph, PacketMemory mem, int index, IdleStrategy idle) {
        this.cache = mem.newCache();
        this.runtime = new GraphRuntime(graph, mem, cache, index);
        this.idle = idle;
    }

    public GraphRuntime runtime() {
        return runtime;
    }

    public synchronized Worker start() {
        if (thread != null) {
            throw new IllegalStateException("worker " + runtime.worker() + " already started");
        }
        thread = Thread.ofPlatform().name("cl-worker-" + runtime.worker()).start(this);
        return this;
    }

    @Override
    public void run() {
        try {
            while (running) {
                idle.idle(runtime.runOnce(POLL_BUDGET));
            }
        } finally {
            cache.close();
        }
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
    }
}
