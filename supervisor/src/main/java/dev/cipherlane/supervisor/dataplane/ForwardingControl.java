package dev.cipherlane.supervisor.dataplane;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The dataplane's control logic: the work that keeps the forwarding tables true while packets
 * flow, run on one thread, {@code cl-forwarding}, so that the tables have a single writer.
 * It resolves adjacencies as soon as a neighbour changes (an ARP or ND answer completes
 * them) and runs periodic tasks: neighbour ageing, SA limit checks, underlay solicitations
 * (see {@link Dataplane} for the list a node runs).
 *
 * <p>Built idle: no thread exists until its owner calls {@link #start}, and {@link #close}
 * stops it and waits for a running task to finish, so the tables, SAs and rings the tasks
 * use may be closed afterwards. A neighbour change before the start is remembered and
 * resolved first thing; after the close it is ignored (the workers are stopping).
 */
public final class ForwardingControl implements AutoCloseable {
    static final String THREAD_NAME = "cl-forwarding";

    /**
     * A task run every period once started, the first time after {@code initialDelayMs}.
     *
     * @param name what it does, for the thread's exceptions and for readers
     */
    public record Task(String name, long initialDelayMs, Runnable run) {}

    private final Runnable resolve;
    private final long periodMs;
    private final List<Task> tasks = new ArrayList<>();
    private ScheduledExecutorService thread;
    private boolean resolvePending;
    private boolean closed;

    /**
     * @param resolve  applies neighbour changes to the forwarding tables
     * @param periodMs milliseconds between two runs of each task
     */
    public ForwardingControl(Runnable resolve, long periodMs) {
        if (periodMs <= 0) {
            throw new IllegalArgumentException("control period must be positive, got " + periodMs);
        }
        this.resolve = resolve;
        this.periodMs = periodMs;
    }

    /** Adds a periodic task; tasks are scheduled in the order added, all before {@link #start}. */
    public synchronized ForwardingControl every(Task task) {
        if (closed || thread != null) {
            throw new IllegalStateException("task '" + task.name() + "' added after the start");
        }
        tasks.add(task);
        return this;
    }

    /** Starts the control thread and schedules the tasks. */
    public synchronized void start() {
        if (closed || thread != null) {
            throw new IllegalStateException("forwarding control already " + (closed ? "closed" : "started"));
        }
        thread = Executors.newSingleThreadScheduledExecutor(r ->
                Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(r));
        if (resolvePending) {
            resolvePending = false;
            thread.execute(resolve);
        }
        for (Task t : tasks) {
            thread.scheduleWithFixedDelay(t.run(), t.initialDelayMs(), periodMs, TimeUnit.MILLISECONDS);
        }
    }

    /** A neighbour changed (any thread): resolve on the control thread. */
    public synchronized void neighbourChanged() {
        if (closed) {
            return;
        }
        if (thread == null) {
            resolvePending = true;
        } else {
            thread.execute(resolve);
        }
    }

    /** Stops the tasks and waits up to 5 seconds for a running one to end. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        ScheduledExecutorService t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t != null) {
            t.shutdownNow();
            t.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
