package dev.cipherlane.ipsec.parallel;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * Test input: makes {@code total} packets numbered from 0 for one producer, at most
 * {@code perPoll} per poll; when the pool runs dry it makes fewer and tries again next
 * round, which bounds the packets in flight by the pool. Runs on one worker only.
 */
final class NumberedInput extends InputStage<Stage.NoParams> {
    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { NEXT }

    private final int producer;
    private final long total;
    private final int perPoll;
    private long next;
    private volatile long produced;

    NumberedInput(String name, int producer, long total, int perPoll) {
        super(StageSpec.of(name, Arcs.class), NoParams.INSTANCE);
        this.producer = producer;
        this.total = total;
        this.perPoll = perPoll;
    }

    long produced() {
        return produced;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        long left = total - next;
        if (left == 0) {
            return 0;
        }
        int n = (int) Math.min(Math.min(budget, perPoll), left);
        PacketMemory mem = ctx.memory();
        BufferCache cache = ctx.buffers();
        int made = 0;
        while (made < n) {
            int bi = cache.allocSmall();
            if (bi < 0) {
                break;
            }
            TestPackets.fill(mem, bi, producer, next);
            ctx.enqueue(Arcs.NEXT, bi);
            next++;
            made++;
        }
        produced = next;
        return made;
    }
}
