package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.ArrayDeque;

/**
 * One stage as one worker runs it: the frames waiting for it, its counters, and the
 * {@link StageContext} it hands the stage. Single-threaded, like its worker.
 */
final class NodeRuntime implements StageContext {
    private final GraphRuntime rt;
    final StageSlot slot;
    final NodeCounters counters;
    final boolean input;
    private final PacketMemory mem;
    private final BufferCache buffers;
    NodeRuntime[] next;
    private String[] arcNames;
    private String[] errorNames;

    /** Frame being filled; full frames wait in {@code full}, oldest first. */
    private Frame current;
    private final ArrayDeque<Frame> full = new ArrayDeque<>();
    boolean scheduled;

    NodeRuntime(GraphRuntime rt, StageSlot slot) {
        this.rt = rt;
        this.slot = slot;
        Stage<?> s = slot.stage();
        this.counters = new NodeCounters(s.spec().errors().size());
        this.input = s instanceof InputStage<?>;
        this.mem = rt.memory();
        this.buffers = rt.buffers();
        this.arcNames = s.spec().nextArcs().toArray(String[]::new);
        this.errorNames = s.spec().errors().toArray(String[]::new);
    }

    // ---- StageContext ------------------------------------------------------------------

    @Override
    public void enqueue(int arc, int bi) {
        if (rt.tracing) {
            traceArc(arc, bi);
        }
        next[arc].accept(bi);
    }

    @Override
    public void drop(int bi, int error) {
        counters.errors[error]++;
        if (rt.tracing && mem.hasFlag(bi, PacketFlags.TRACED)) {
            rt.trace().add(mem, bi, "  drop: " + slot.stage().name() + " " + errorNames[error]);
        }
        mem.error(bi, error);
        buffers.free(bi);
    }

    @Override
    public void count(int error, long n) {
        counters.errors[error] += n;
    }

    @Override
    public PacketMemory memory() {
        return mem;
    }

    @Override
    public BufferCache buffers() {
        return buffers;
    }

    @Override
    public int worker() {
        return rt.worker();
    }

    @Override
    public long now() {
        return rt.now();
    }

    // ---- runtime -----------------------------------------------------------------------

    private void traceArc(int arc, int bi) {
        if (input && rt.traceArmed && !mem.hasFlag(bi, PacketFlags.TRACED)) {
            rt.trace().start(mem, bi, slot.stage().name());
        }
        if (mem.hasFlag(bi, PacketFlags.TRACED)) {
            rt.trace().add(mem, bi, "  -> " + arcNames[arc]);
        }
    }

    /** A packet arrives for this stage. */
    void accept(int bi) {
        Frame f = current;
        if (f == null) {
            f = rt.takeFrame();
            current = f;
            if (!scheduled) {
                rt.schedule(this);
            }
        }
        f.add(bi);
        if (f.isFull()) {
            full.addLast(f);
            current = null;
        }
    }

    boolean hasWork() {
        return current != null || !full.isEmpty();
    }

    /** Runs the stage over every waiting frame, oldest first; returns packets processed. */
    int run() {
        counters.calls++;
        int packets = 0;
        while (true) {
            Frame f = full.pollFirst();
            if (f == null) {
                f = current;
                if (f == null) {
                    return packets;
                }
                current = null;
            }
            // The one volatile read per frame that makes swaps take effect at frame boundaries.
            Stage<?> stage = slot.stage();
            int n = f.count();
            if (rt.tracing) {
                traceEntry(stage, f);
            }
            long t0 = System.nanoTime();
            stage.process(f, this);
            counters.nanos += System.nanoTime() - t0;
            counters.vectors++;
            counters.packets += n;
            packets += n;
            rt.recycle(f);
        }
    }

    private void traceEntry(Stage<?> stage, Frame f) {
        for (int i = 0; i < f.count(); i++) {
            int bi = f.get(i);
            if (mem.hasFlag(bi, PacketFlags.TRACED)) {
                String what = stage.formatTrace(mem, bi);
                rt.trace().add(mem, bi, stage.name() + (what == null ? "" : ": " + what));
            }
        }
    }
}
