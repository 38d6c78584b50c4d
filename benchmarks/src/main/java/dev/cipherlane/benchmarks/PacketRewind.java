package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * End of an ESP benchmark graph: puts each packet back as {@link SavedPackets} holds it, so
 * the same buffers can be sent again without allocating, counts what arrived and optionally
 * hands each packet to a {@link Recycler} (the parallel benchmark's free pool).
 *
 * <p>With {@code checkSequence} it first reads the ESP sequence number of what
 * {@code esp-encrypt} made (outer IPv4 header of 20 bytes, SPI, then the sequence number,
 * RFC 4303 section 2) and counts every packet whose number is not one more than the last:
 * proof that an ordered pipeline kept its order.
 */
final class PacketRewind extends Stage<Stage.NoParams> {
    /** Where the low 32 bits of the sequence number sit in an ESP packet without UDP. */
    private static final int SEQUENCE_OFFSET = 20 + 4;

    /** Takes packets the sink has rewound. */
    @FunctionalInterface
    interface Recycler {
        void recycle(int bi);
    }

    private final SavedPackets saved;
    private final int bytes;
    private final boolean checkSequence;
    private final Recycler recycler;
    private long packets;
    private long lastSequence = -1;
    private long outOfOrder;

    /**
     * @param bytes how many of each packet's first bytes to restore (a stage that rewrote
     *              only the outer header needs only those back)
     */
    PacketRewind(String name, SavedPackets saved, int bytes, boolean checkSequence, Recycler recycler) {
        super(StageSpec.of(name, NextArc.None.class), NoParams.INSTANCE);
        this.saved = saved;
        this.bytes = bytes;
        this.checkSequence = checkSequence;
        this.recycler = recycler;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            if (checkSequence) {
                long seq = Integer.toUnsignedLong(mem.u32(bi, SEQUENCE_OFFSET));
                if (lastSequence >= 0 && seq != lastSequence + 1) {
                    outOfOrder++;
                }
                lastSequence = seq;
            }
            saved.restore(mem, bi, bytes);
            if (recycler != null) {
                recycler.recycle(bi);
            }
        }
        packets += n;
    }

    long packets() {
        return packets;
    }

    long outOfOrder() {
        return outOfOrder;
    }
}
