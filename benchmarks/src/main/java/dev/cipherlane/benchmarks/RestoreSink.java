package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;

/**
 * End of the benchmark graph: undoes what ip4-rewrite did (strips the Ethernet header,
 * puts TTL and header checksum back as {@link PacketFactory} wrote them) so the same
 * buffers can be sent again without copying, and counts what arrived. The packet keeps its
 * original TTL and checksum in its OPAQUE metadata word.
 */
final class RestoreSink extends Stage<Stage.NoParams> {
    static final String NAME = "restore-sink";
    private long forwarded;

    RestoreSink() {
        super(StageSpec.of(NAME, NextArc.None.class), NoParams.INSTANCE);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            mem.push(bi, -14);
            int saved = mem.opaque(bi);
            mem.u8(bi, 8, saved >>> 16);
            mem.u16(bi, 10, saved & 0xFFFF);
        }
        forwarded += n;
    }

    long forwarded() {
        return forwarded;
    }
}
