package dev.cipherlane.stages.ring;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * Test input: makes {@code total} packets whose payload is the producer id (4 bytes) and a
 * sequence number counting from 0 (8 bytes), at most {@code perPoll} per poll. When the
 * pool runs dry it makes fewer and tries again next round, which bounds the packets in
 * flight by the pool size. Runs on one worker only.
 */
final class NumberedSource extends InputStage<Stage.NoParams> {
    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { NEXT }

    static final int PRODUCER = 0;
    static final int SEQUENCE = 4;
    static final int LENGTH = 12;

    private final int producer;
    private final long total;
    private final int perPoll;
    private long next;
    private volatile long produced;

    NumberedSource(String name, int producer, long total, int perPoll) {
        super(StageSpec.of(name, Arcs.class), NoParams.INSTANCE);
        this.producer = producer;
        this.total = total;
        this.perPoll = perPoll;
    }

    /** Packets made so far; safe to read from any thread. */
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
            mem.length(bi, LENGTH);
            mem.u32(bi, PRODUCER, producer);
            mem.data().set(Net.U64, mem.start(bi) + SEQUENCE, next);
            mem.flowHash(bi, producer);
            ctx.enqueue(Arcs.NEXT, bi);
            next++;
            made++;
        }
        produced = next;
        return made;
    }
}
