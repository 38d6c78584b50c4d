package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * The last part of parallel decryption, on the worker that drains the crypto ring, in ring
 * order: records the sequence number in the replay window now that the ICV passed (RFC 4303
 * section 3.4.3), checks the trailer and strips ESP ({@link EspInbound#finish}); arc {@code ipip}.
 */
public final class EspDecryptFinish extends Stage<EspDecryptFinish.Params> {
    public static final String NAME = "esp-decrypt-finish";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { IPIP }

    /** Drops are {@code esp-decrypt}'s errors. */
    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, EspDecrypt.Errors.class);

    public record Params(Supplier<SaTable.Snapshot> sas) {}

    public EspDecryptFinish(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        SaTable.Snapshot sas = params().sas().get();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            SaState sa = sas.state(mem.saIndex(bi));
            int arc = sa == null ? -1 - EspDecrypt.Errors.UNKNOWN_SPI.ordinal() : EspInbound.finish(mem, data, bi, sa);
            if (arc < 0) {
                ctx.drop(bi, -1 - arc);
            } else {
                ctx.enqueue(Arcs.IPIP, bi);
            }
        }
    }
}
