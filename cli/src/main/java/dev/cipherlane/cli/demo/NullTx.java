package dev.cipherlane.cli.demo;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Transmit for interfaces with no wire behind them (like VPP's null interface): counts
 * frames and bytes per tx interface, then frees the buffers.
 */
final class NullTx extends Stage<Stage.NoParams> {
    static final String NAME = "null-tx";
    static final int MAX_INTERFACES = 8;

    // The worker counts in plain arrays and publishes once per frame for the report thread.
    private final long[] frames = new long[MAX_INTERFACES];
    private final long[] bytes = new long[MAX_INTERFACES];
    private final AtomicLongArray publishedFrames = new AtomicLongArray(MAX_INTERFACES);
    private final AtomicLongArray publishedBytes = new AtomicLongArray(MAX_INTERFACES);

    NullTx() {
        super(StageSpec.of(NAME, NextArc.None.class), NoParams.INSTANCE);
    }

    // One worker runs the demo, so the plain arrays have a single writer.
    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int tx = Math.floorMod(mem.txInterface(bi), MAX_INTERFACES);
            frames[tx]++;
            bytes[tx] += mem.length(bi);
            ctx.buffers().free(bi);
        }
        for (int i = 0; i < MAX_INTERFACES; i++) {
            publishedFrames.lazySet(i, frames[i]);
            publishedBytes.lazySet(i, bytes[i]);
        }
    }

    long frames(int itf) {
        return publishedFrames.get(itf);
    }

    long bytes(int itf) {
        return publishedBytes.get(itf);
    }
}
