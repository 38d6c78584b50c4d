package dev.cipherlane.cli.demo;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The demo's traffic source: an input stage that stamps prepared frames into fresh buffers
 * (one copy from an off-heap template, nothing allocated per packet). Frames are given as a
 * cycle, so the mix of traffic, including the occasional malformed frame, repeats exactly.
 */
final class DemoTraffic extends InputStage<DemoTraffic.Params> {
    static final String NAME = "demo-traffic";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { ETHERNET_INPUT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_BUFFER("no free buffer");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /** @param cycle frames in the order they are sent, repeated; {@code rxInterface} they arrive on */
    record Params(List<byte[]> cycle, int rxInterface) {}

    private final MemorySegment templates;
    private final long[] offsets;
    private final int[] lengths;
    // Written once per poll by the worker, read by the reporting thread while it runs.
    private volatile long sent;

    DemoTraffic(Params params) {
        super(StageSpec.of(NAME, Arcs.class, Errors.class), params);
        List<byte[]> cycle = params.cycle();
        offsets = new long[cycle.size()];
        lengths = new int[cycle.size()];
        long total = 0;
        for (byte[] f : cycle) {
            total += f.length;
        }
        templates = Arena.ofAuto().allocate(total, 64);
        long at = 0;
        for (int i = 0; i < cycle.size(); i++) {
            byte[] f = cycle.get(i);
            MemorySegment.copy(f, 0, templates, Net.U8, at, f.length);
            offsets[i] = at;
            lengths[i] = f.length;
            at += f.length;
        }
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.cycle().isEmpty()) {
            throw new IllegalArgumentException(NAME + ": at least one frame is needed");
        }
        for (byte[] f : p.cycle()) {
            if (f.length > 1792) {
                throw new IllegalArgumentException(NAME + ": frames must fit a small buffer, got " + f.length);
            }
        }
        return p;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        PacketMemory mem = ctx.memory();
        int rx = params().rxInterface();
        int made = 0;
        long s = sent;
        while (made < budget) {
            int bi = ctx.buffers().allocSmall();
            if (bi < 0) {
                ctx.count(Errors.NO_BUFFER, 1);
                break;
            }
            int k = (int) (s % offsets.length);
            MemorySegment.copy(templates, offsets[k], mem.data(), mem.start(bi), lengths[k]);
            mem.length(bi, lengths[k]);
            mem.rxInterface(bi, rx);
            ctx.enqueue(Arcs.ETHERNET_INPUT, bi);
            s++;
            made++;
        }
        sent = s;
        return made;
    }

    /** Frames produced so far (read after the worker stopped). */
    long sent() {
        return sent;
    }
}
