package dev.cipherlane.stages.ring;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.Arrays;
import java.util.List;

/**
 * Sends packets to the worker that owns where they go, through that worker's
 * {@link FrameRing}: the worker owning a tap queue, or a crypto worker. Either every packet
 * goes to one fixed ring, or the flow hash picks the ring ({@code flowHash mod rings}), so
 * all packets of a flow cross through the same ring and keep their order. Packets a full
 * ring refuses are dropped as "handoff ring full"; the stage never waits. It has no next
 * arcs: a packet leaves either into a ring (ownership passes to its consumer) or as a drop.
 *
 * <p>Each frame is split by target ring with a stable counting sort into scratch arrays,
 * one set per worker (the instance is shared and {@code process} runs on several workers at
 * once), sized at construction for {@code maxWorkers}: nothing is allocated per frame.
 * Packets for one ring go as one slot, in frame order.
 *
 * <p>A packet's trace record lives in the trace of the worker that started it; the receiving
 * worker numbers its records on its own, so the trace mark is cleared here rather than let
 * the packet append to an unrelated record over there.
 */
public final class Handoff extends Stage<Handoff.Params> {
    public static final String NAME = "handoff";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RING_FULL("handoff ring full"),
        WORKER_OUT_OF_RANGE("worker index above handoff limit");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /** At most one ring per packet of a frame: more targets could not all get a packet. */
    public static final int MAX_RINGS = Frame.CAPACITY;

    /** Target chosen by flow hash rather than fixed. */
    public static final int BY_FLOW_HASH = -1;

    /**
     * @param rings       target rings; with flow-hash steering ring {@code i} takes the
     *                    flows with {@code flowHash mod rings.size() == i}
     * @param fixedTarget index of the ring every packet goes to, or {@link #BY_FLOW_HASH}
     */
    public record Params(List<FrameRing> rings, int fixedTarget) {
        public Params {
            rings = List.copyOf(rings);
        }

        public static Params byFlowHash(List<FrameRing> rings) {
            return new Params(rings, BY_FLOW_HASH);
        }

        public static Params fixed(List<FrameRing> rings, int target) {
            return new Params(rings, target);
        }
    }

    private static final class Scratch {
        final int[] target = new int[Frame.CAPACITY];
        final int[] sorted = new int[Frame.CAPACITY];
        /** Per ring: first its packet count, then (after the sort) where its run ends. */
        final int[] end = new int[MAX_RINGS];
    }

    private final Scratch[] scratch;

    /**
     * @param name       stage name, e.g. {@code handoff-crypto}
     * @param maxWorkers workers that may run this stage (indices 0..maxWorkers-1)
     */
    public Handoff(String name, int maxWorkers, Params params) {
        super(spec(name), params);
        if (maxWorkers < 1) {
            throw new IllegalArgumentException(name + ": maxWorkers must be >= 1, got " + maxWorkers);
        }
        scratch = new Scratch[maxWorkers];
        for (int w = 0; w < maxWorkers; w++) {
            scratch[w] = new Scratch();
        }
    }

    public Handoff(int maxWorkers, Params params) {
        this(NAME, maxWorkers, params);
    }

    public static StageSpec spec(String name) {
        return StageSpec.of(name, NextArc.None.class, Errors.class);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.rings() == null || p.rings().isEmpty()) {
            throw new IllegalArgumentException(name() + ": at least one target ring is required");
        }
        if (p.rings().size() > MAX_RINGS) {
            throw new IllegalArgumentException(name() + ": at most " + MAX_RINGS + " rings, got " + p.rings().size());
        }
        if (p.fixedTarget() != BY_FLOW_HASH && (p.fixedTarget() < 0 || p.fixedTarget() >= p.rings().size())) {
            throw new IllegalArgumentException(name() + ": fixed target " + p.fixedTarget()
                    + " is not one of the " + p.rings().size() + " rings");
        }
        return p;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        int[] bis = frame.buffers();
        for (int i = 0; i < n; i++) {
            int bi = bis[i];
            int flags = mem.flags(bi);
            if ((flags & PacketFlags.TRACED) != 0) {
                mem.flags(bi, flags & ~PacketFlags.TRACED);
                mem.trace(bi, -1);
            }
        }
        if (p.fixedTarget() != BY_FLOW_HASH) {
            send(p.rings().get(p.fixedTarget()), bis, 0, n, ctx);
            return;
        }
        int w = ctx.worker();
        if (w >= scratch.length) {
            for (int i = 0; i < n; i++) {
                ctx.drop(bis[i], Errors.WORKER_OUT_OF_RANGE);
            }
            return;
        }
        Scratch s = scratch[w];
        List<FrameRing> rings = p.rings();
        int targets = rings.size();
        int[] target = s.target;
        int[] end = s.end;
        Arrays.fill(end, 0, targets, 0);
        for (int i = 0; i < n; i++) {
            int t = Integer.remainderUnsigned(mem.flowHash(bis[i]), targets);
            target[i] = t;
            end[t]++;
        }
        // Counting sort, stable: turn counts into run starts, place, and each start has
        // moved to its run's end.
        int at = 0;
        for (int t = 0; t < targets; t++) {
            int c = end[t];
            end[t] = at;
            at += c;
        }
        int[] sorted = s.sorted;
        for (int i = 0; i < n; i++) {
            sorted[end[target[i]]++] = bis[i];
        }
        int from = 0;
        for (int t = 0; t < targets; t++) {
            int to = end[t];
            if (to > from) {
                send(rings.get(t), sorted, from, to - from, ctx);
            }
            from = to;
        }
    }

    private static void send(FrameRing ring, int[] bis, int off, int n, StageContext ctx) {
        if (!ring.offer(bis, off, n)) {
            for (int i = 0; i < n; i++) {
                ctx.drop(bis[off + i], Errors.RING_FULL);
            }
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        Params p = params();
        int t = p.fixedTarget() != BY_FLOW_HASH
                ? p.fixedTarget()
                : Integer.remainderUnsigned(mem.flowHash(bi), p.rings().size());
        return "to " + p.rings().get(t).name();
    }
}
