package dev.cipherlane.supervisor.dataplane;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.PuntQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control plane's end of the punt path. Nothing in the node consumes punted packets
 * yet (IKE and the host tap come later), so this thread takes them off the workers, counts
 * them and frees them; a full queue makes the punt stage drop and count instead.
 */
final class ControlPunt implements PuntQueue, AutoCloseable {
    private final ArrayBlockingQueue<Integer> queue;
    private final BufferCache cache;
    private final AtomicLong received = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param capacity packets waiting at most (dataplane.ring-size) */
    ControlPunt(PacketMemory mem, int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.cache = mem.newCache();
        this.thread = Thread.ofPlatform().name("cl-punt").daemon(true).unstarted(this::drain);
    }

    /** Starts taking punted packets off the queue; built idle, like the rest of the dataplane. */
    void start() {
        thread.start();
    }

    @Override
    public boolean offer(int bi) {
        // Boxing here is on the exception path (few packets), never on forwarding.
        return queue.offer(bi);
    }

    long received() {
        return received.get();
    }

    private void drain() {
        try {
            while (running) {
                Integer bi = queue.poll(50, TimeUnit.MILLISECONDS);
                if (bi != null) {
                    cache.free(bi);
                    received.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread (after the workers stopped) and frees what is left. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread.isAlive()) {
            thread.join();
        }
        Integer bi;
        while ((bi = queue.poll()) != null) {
            cache.free(bi);
        }
        cache.close();
    }
}
