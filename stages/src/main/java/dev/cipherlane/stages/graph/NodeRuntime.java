package dev.cipherlane.stages.graph;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.util.ArrayDeque;

/**
 * One stage as one worker runs it: the frames waiting for it, its counters, and the
 * {@link StageContext} it hands the stage. Single-threaded, like its worker.
 *
 * <p>Faults stay inside the stage that made them. Every packet this stage gets is stamped
 * with its {@link #holder} (worker and slot, in {@link PacketMemory#holder}); passing it on
 * restamps it, dropping or freeing it clears its in-use flag, and {@link #keep} clears the
 * stamp of a packet the stage holds on to or hands to another thread. When {@code process}
 * throws, the frame's packets that still carry this stamp and are in use are the ones the
 * stage never dealt with. The first of them is the packet it was working on (stages go
 * through a frame in order): it is dropped under {@code exception}. The others get a second
 * run of the stage in a frame of their own, so one bad packet costs one packet.
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

    /** This worker's and this slot's stamp on the packets waiting here (see the class comment). */
    final short holder;
    private final StageFaults faults;
    /** What {@code process} gets: this, or a fault injector around it (chaos testing). */
    private StageContext context = this;

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
        this.holder = (short) ((rt.worker() << GraphRuntime.SLOT_BITS) | (slot.index() + 1));
        this.faults = new StageFaults(rt.worker());
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
    public void keep(int bi) {
        mem.holder(bi, (short) 0);
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
        mem.holder(bi, holder);
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
            processContained(stage, f);
            counters.nanos += System.nanoTime() - t0;
            counters.vectors++;
            counters.packets += n;
            packets += n;
            rt.recycle(f);
        }
    }

    /**
     * Runs {@code stage} over {@code f}; if it throws, drops the packet it threw on and runs it
     * again over the packets it had not dealt with, until a run completes or none is left.
     * Each run drops at least one packet, so there are at most as many runs as packets.
     */
    private void processContained(Stage<?> stage, Frame f) {
        Frame work = f;
        while (true) {
            try {
                stage.process(work, context);
                break;
            } catch (Throwable e) {
                // OutOfMemoryError and the other VirtualMachineErrors leave the JVM's state in
                // doubt: the frame's packets are given back, then the error ends the worker,
                // which its watch restarts.
                boolean fatal = !contained(e);
                Frame rest = afterFault(stage, work, e, fatal);
                if (work != f) {
                    rt.recycle(work);
                }
                if (fatal) {
                    throw (Error) e;
                }
                if (rest == null) {
                    break;
                }
                work = rest;
            }
        }
    }

    /** What a worker survives: any exception, and the errors a stage's own code can cause. */
    static boolean contained(Throwable e) {
        return !(e instanceof Error) || e instanceof StackOverflowError || e instanceof LinkageError
                || e instanceof AssertionError;
    }

    /**
     * Drops the packet {@code stage} threw on (every packet it had not dealt with when
     * {@code all}); returns the frame's other unhandled packets, or null.
     */
    private Frame afterFault(Stage<?> stage, Frame work, Throwable e, boolean all) {
        faults.report(stage.name(), e);
        try {
            stage.aborted(context);
        } catch (Throwable again) {
            if (!contained(again)) {
                throw again;
            }
            faults.report(stage.name() + " (releasing what it held)", again);
        }
        Frame rest = null;
        boolean dropped = false;
        int n = work.count();
        for (int i = 0; i < n; i++) {
            int bi = work.get(i);
            if (!mem.hasFlag(bi, PacketFlags.IN_USE) || mem.holder(bi) != holder) {
                continue;
            }
            if (!dropped || all) {
                dropFaulted(stage, bi);
                dropped = true;
            } else {
                if (rest == null) {
                    rest = rt.takeFrame();
                }
                rest.add(bi);
            }
        }
        return rest;
    }

    private void dropFaulted(Stage<?> stage, int bi) {
        counters.exceptions++;
        if (rt.tracing && mem.hasFlag(bi, PacketFlags.TRACED)) {
            rt.trace().add(mem, bi, "  drop: " + stage.name() + " " + NodeCounters.EXCEPTION);
        }
        buffers.free(bi);
    }

    /** Frees the packets waiting here: the worker died and is stopped without running again. */
    void discardWaiting() {
        Frame f;
        while ((f = full.pollFirst()) != null || (f = current) != null) {
            if (f == current) {
                current = null;
            }
            for (int i = 0; i < f.count(); i++) {
                int bi = f.get(i);
                if (mem.hasFlag(bi, PacketFlags.IN_USE) && mem.holder(bi) == holder) {
                    buffers.free(bi);
                }
            }
            rt.recycle(f);
        }
    }

    /** An input stage's poll threw: no packet is known to be its, so only count and log. */
    void pollFaulted(Throwable e) {
        counters.exceptions++;
        faults.report(slot.stage().name(), e);
    }

    /** From now on {@code process} sees a context that throws on one packet in {@code oneIn}. */
    void injectFaults(int oneIn, boolean killsWorker) {
        context = new FaultInjector(this, oneIn, killsWorker);
    }

    private void traceEntry(Stage<?> stage, Frame f) {
        for (int i = 0; i < f.count(); i++) {
            int bi = f.get(i);
            if (mem.hasFlag(bi, PacketFlags.TRACED)) {
                String what;
                try {
                    what = stage.formatTrace(mem, bi);
                } catch (RuntimeException e) {
                    what = "(trace failed: " + e + ")";
                }
                rt.trace().add(mem, bi, stage.name() + (what == null ? "" : ": " + what));
            }
        }
    }
}
