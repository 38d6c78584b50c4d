package dev.cipherlane.supervisor.dataplane;

import java.util.ArrayList;
import java.util.List;

/**
 * The dataplane's control logic, as work to be run: resolving adjacencies as soon as a
 * neighbour changes (an ARP or ND answer completes them) and periodic tasks (neighbour
 * ageing, SA limit checks, underlay solicitations; see {@link Dataplane} for the list a node
 * runs). Plain data and one signal: the {@link ForwardingController} actor runs it, one
 * message at a time, so the forwarding tables keep a single writer.
 *
 * <p>A neighbour change may be signalled from any thread (workers learn neighbours). Before
 * a controller is attached it is remembered and resolved first thing; once the controller is
 * detached (the dataplane is stopping) it is ignored.
 */
public final class ForwardingControl {
    /**
     * A task run every period, the first time after {@code initialDelayMs}.
     *
     * @param name what it does, for the log when it fails and for readers
     */
    public record Task(String name, long initialDelayMs, Runnable run) {}

    private final Runnable resolve;
    private final long periodMs;
    private final List<Task> tasks = new ArrayList<>();
    private Runnable controller;
    private boolean resolvePending;
    private boolean detached;

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

    /** Adds a periodic task; all tasks are added before a controller attaches. */
    public synchronized ForwardingControl every(Task task) {
        if (controller != null || detached) {
            throw new IllegalStateException("task '" + task.name() + "' added after the controller attached");
        }
        tasks.add(task);
        return this;
    }

    public synchronized List<Task> tasks() {
        return List.copyOf(tasks);
    }

    public long periodMs() {
        return periodMs;
    }

    /** Applies neighbour changes to the tables; the controller's thread only. */
    void resolve() {
        resolve.run();
    }

    /** A neighbour changed (any thread): the controller resolves. */
    public void neighbourChanged() {
        Runnable signal;
        synchronized (this) {
            if (detached) {
                return;
            }
            if (controller == null) {
                resolvePending = true;
                return;
            }
            signal = controller;
        }
        signal.run();
    }

    /**
     * The controller starts: {@code signal} is how a neighbour change reaches it from now on
     * (thread-safe, never blocking). Returns whether a change arrived before it, to resolve
     * first thing. A restarted controller attaches again.
     */
    synchronized boolean attach(Runnable signal) {
        if (detached) {
            throw new IllegalStateException("forwarding control already stopped");
        }
        controller = signal;
        boolean pending = resolvePending;
        resolvePending = false;
        return pending;
    }

    /** The dataplane stops: changes from now on are ignored. */
    synchronized void detach() {
        detached = true;
        controller = null;
    }
}
