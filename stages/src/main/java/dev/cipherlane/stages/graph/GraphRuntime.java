package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's run of the graph, to completion as VPP's vlib does it: poll the input
 * stages, then run stages that have frames waiting, in the order they got them, until no
 * frame waits anywhere. Packets of one flow keep their order because a stage handles its
 * frames oldest first and every stage is one FIFO.
 *
 * <p>Confined to one thread. Other threads hand packets in through an input stage that
 * drains a ring, never by calling this class.
 */
public final class GraphRuntime {
    /**
     * Bits of a packet's holder stamp that name the slot (plus one, so 0 means no stage);
     * the bits above name the worker (see {@link NodeRuntime}).
     */
    static final int SLOT_BITS = 10;
    static final int MAX_SLOTS = (1 << SLOT_BITS) - 1;
    static final int MAX_WORKERS = 1 << (Short.SIZE - 1 - SLOT_BITS);

    private final Graph graph;
    private final PacketMemory mem;
    private final BufferCache buffers;
    private final int worker;
    /** By slot index; read by other threads for counters, so published whole. */
    private volatile NodeRuntime[] nodes;
    private NodeRuntime[] inputs;
    private NodeRuntime[] ready;
    /** The {@link Graph#version} {@link #nodes} were made for. */
    private int seenVersion;
    private int readyHead;
    private int readyCount;
    private final ArrayDeque<Frame> spareFrames = new ArrayDeque<>();
    private final PacketTrace trace = new PacketTrace();
    private long now;
    /**
     * Odd while {@link #runOnce} runs, even between rounds: a swap waits for every runtime it
     * found odd to move on, and then no frame runs the old instance (see {@link Quiescence}).
     * Written by the worker only, twice a round.
     */
    private volatile long round;
    boolean tracing;
    boolean traceArmed;

    public GraphRuntime(Graph graph, PacketMemory mem, BufferCache buffers, int worker) {
        this.graph = graph;
        this.mem = mem;
        this.buffers = buffers;
        this.worker = worker;
        if (worker < 0 || worker >= MAX_WORKERS) {
            throw new IllegalArgumentException("a graph runtime runs on workers 0.." + (MAX_WORKERS - 1)
                    + ", got worker " + worker);
        }
        if (graph.capacity() > MAX_SLOTS) {
            throw new IllegalArgumentException("a graph runtime holds up to " + MAX_SLOTS + " stages, got "
                    + graph.capacity());
        }
        adopt();
        now = System.nanoTime();
    }

    /**
     * Takes up the graph's slots as they are now: a node for each slot, the one it had kept
     * (its frames and counters go on), one for a new input made, the one of a removed input
     * dropped with whatever it still held. Runs on the worker at the start of a round when the
     * graph's {@link Graph#version} moved, and allocates only then.
     */
    private void adopt() {
        int version = graph.version();
        int capacity = graph.capacity();
        NodeRuntime[] old = nodes;
        NodeRuntime[] next = new NodeRuntime[capacity];
        List<NodeRuntime> in = new ArrayList<>();
        List<NodeRuntime> made = new ArrayList<>();
        for (int i = 0; i < capacity; i++) {
            StageSlot slot = graph.slotAt(i);
            if (slot == null) {
                continue;
            }
            NodeRuntime kept = old != null && i < old.length && old[i] != null && old[i].slot == slot ? old[i] : null;
            next[i] = kept != null ? kept : new NodeRuntime(this, slot);
            if (kept == null) {
                made.add(next[i]);
            }
            if (next[i].input) {
                in.add(next[i]);
            }
        }
        for (NodeRuntime n : made) {
            int i = n.slot.index();
            int arcs = n.slot.stage().spec().nextArcs().size();
            n.next = new NodeRuntime[arcs];
            for (int a = 0; a < arcs; a++) {
                n.next[a] = next[graph.target(i, a)];
            }
        }
        if (old != null) {
            for (int i = 0; i < old.length; i++) {
                if (old[i] != null && (i >= next.length || next[i] != old[i])) {
                    old[i].discardWaiting();
                }
            }
        }
        // Each stage is scheduled at most once at a time, so the ready ring never overflows.
        NodeRuntime[] readyNext = new NodeRuntime[Math.max(1, capacity)];
        int count = 0;
        for (int k = 0; k < readyCount; k++) {
            NodeRuntime n = ready[(readyHead + k) % ready.length];
            if (n.slot.index() < next.length && next[n.slot.index()] == n) {
                readyNext[count++] = n;
            } else {
                n.scheduled = false;
            }
        }
        ready = readyNext;
        readyHead = 0;
        readyCount = count;
        while (spareFrames.size() < 4 * capacity) {
            spareFrames.push(new Frame());
        }
        inputs = in.toArray(NodeRuntime[]::new);
        nodes = next;
        seenVersion = version;
    }

    public Graph graph() {
        return graph;
    }

    public PacketMemory memory() {
        return mem;
    }

    public BufferCache buffers() {
        return buffers;
    }

    public int worker() {
        return worker;
    }

    long now() {
        return now;
    }

    public PacketTrace trace() {
        return trace;
    }

    /** One round: poll every input, then dispatch; returns the packets the inputs produced. */
    public int runOnce(int pollBudget) {
        // The write comes before this round's first read of a slot: a swap that then finds
        // the count even knows the round will see its new instance.
        round++;
        try {
            if (graph.version() != seenVersion) {
                adopt();
            }
            int produced = poll(pollBudget);
            dispatch();
            return produced;
        } finally {
            // Also when a fatal error ends the worker: a dead worker runs no stage.
            round++;
        }
    }

    /** The round count: odd while a round runs (see {@link Quiescence}). */
    public long round() {
        return round;
    }

    /** Polls every input stage once for at most {@code budget} packets each. */
    public int poll(int budget) {
        now = System.nanoTime();
        tracing = trace.active();
        traceArmed = tracing && trace.armed();
        int produced = 0;
        for (NodeRuntime n : inputs) {
            if (n.slot.stage() instanceof InputStage<?> in) {
                long t0 = System.nanoTime();
                int got;
                try {
                    got = in.poll(n, budget);
                } catch (Throwable e) {
                    // What the input had taken off its queue and not passed on is lost; the
                    // other inputs, and the next round, go on.
                    if (!NodeRuntime.contained(e)) {
                        throw e;
                    }
                    n.pollFaulted(e);
                    got = 0;
                }
                if (got > 0) {
                    // Only polls that produced count: idle polls would bury the cost per packet.
                    n.counters.nanos += System.nanoTime() - t0;
                    n.counters.calls++;
                    n.counters.vectors++;
                    n.counters.packets += got;
                    produced += got;
                }
            }
        }
        return produced;
    }

    /** Runs stages with waiting frames until none is left; returns stage runs made. */
    public int dispatch() {
        int runs = 0;
        while (readyCount > 0) {
            NodeRuntime n = ready[readyHead];
            ready[readyHead] = null;
            readyHead = (readyHead + 1) % ready.length;
            readyCount--;
            n.scheduled = false;
            try {
                n.run();
            } finally {
                // Also when a fatal error ends the worker: its restart finds the frames left.
                runs++;
                if (n.hasWork() && !n.scheduled) {
                    schedule(n);
                }
            }
        }
        return runs;
    }

    /** Hands {@code bi} to stage {@code name} as if a previous stage had sent it there. */
    public void inject(String name, int bi) {
        NodeRuntime n = nodes[graph.slot(name).index()];
        if (n.input && traceArmed) {
            trace.start(mem, bi, name);
        }
        n.accept(bi);
    }

    /** Hands packets in bulk to the stage in slot {@code slot} (ring consumers use this). */
    public void inject(int slot, int[] bis, int off, int count) {
        NodeRuntime n = nodes[slot];
        for (int i = 0; i < count; i++) {
            n.accept(bis[off + i]);
        }
    }

    /**
     * Frees every packet still waiting for a stage. Only for a runtime whose worker died and
     * will not run again: a round that completes leaves nothing waiting.
     */
    public void discardWaiting() {
        for (NodeRuntime n : nodes) {
            n.discardWaiting();
        }
        while (readyCount > 0) {
            ready[readyHead].scheduled = false;
            ready[readyHead] = null;
            readyHead = (readyHead + 1) % ready.length;
            readyCount--;
        }
    }

    /**
     * Chaos testing: stage {@code name} throws on one packet in {@code oneIn} it passes on,
     * an exception or, if {@code killsWorker}, an error that ends the worker. Call before the
     * worker starts (the runtime is confined to its thread).
     */
    public void injectFaults(String name, int oneIn, boolean killsWorker) {
        nodes[graph.slot(name).index()].injectFaults(oneIn, killsWorker);
    }

    /** Re-reads whether tracing is on; call after arming the trace outside a poll round. */
    public void refreshTrace() {
        tracing = trace.active();
        traceArmed = tracing && trace.armed();
    }

    public NodeCounters counters(String name) {
        return counters(graph.slot(name).index());
    }

    /**
     * The counters of slot {@code slot} on this worker; zeros for an input this worker has not
     * taken up yet (it was added since this worker's last round), so readers on other threads
     * never see a half-made runtime.
     */
    public NodeCounters counters(int slot) {
        NodeRuntime[] ns = nodes;
        StageSlot s = graph.slotAt(slot);
        if (slot < ns.length && ns[slot] != null && ns[slot].slot == s) {
            return ns[slot].counters;
        }
        return new NodeCounters(s == null ? 0 : s.stage().spec().errors().size());
    }

    void schedule(NodeRuntime n) {
        n.scheduled = true;
        ready[(readyHead + readyCount) % ready.length] = n;
        readyCount++;
    }

    Frame takeFrame() {
        Frame f = spareFrames.poll();
        return f != null ? f : new Frame();
    }

    void recycle(Frame f) {
        f.clear();
        spareFrames.push(f);
    }
}
