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
    private final NodeRuntime[] nodes;
    private final NodeRuntime[] inputs;
    private final NodeRuntime[] ready;
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
        List<StageSlot> slots = graph.slots();
        if (slots.size() > MAX_SLOTS || worker < 0 || worker >= MAX_WORKERS) {
            throw new IllegalArgumentException("a graph runtime holds up to " + MAX_SLOTS + " stages on workers 0.."
                    + (MAX_WORKERS - 1) + ", got " + slots.size() + " stages on worker " + worker);
        }
        nodes = new NodeRuntime[slots.size()];
        List<NodeRuntime> in = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = new NodeRuntime(this, slots.get(i));
            if (nodes[i].input) {
                in.add(nodes[i]);
            }
        }
        for (int i = 0; i < nodes.length; i++) {
            int arcs = slots.get(i).stage().spec().nextArcs().size();
            nodes[i].next = new NodeRuntime[arcs];
            for (int a = 0; a < arcs; a++) {
                nodes[i].next[a] = nodes[graph.target(i, a)];
            }
        }
        inputs = in.toArray(NodeRuntime[]::new);
        // Each stage is scheduled at most once at a time, so this never overflows.
        ready = new NodeRuntime[nodes.length];
        for (int i = 0; i < 4 * nodes.length; i++) {
            spareFrames.push(new Frame());
        }
        now = System.nanoTime();
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
        return nodes[graph.slot(name).index()].counters;
    }

    public NodeCounters counters(int slot) {
        return nodes[slot].counters;
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
