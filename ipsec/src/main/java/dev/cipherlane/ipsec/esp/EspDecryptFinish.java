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

    private final FrameScratch.PerWorker scratch = new FrameScratch.PerWorker();

    public EspDecryptFinish(Params params) {
        super(SPEC, params);
    }

    /**
     * As inline {@code esp-decrypt} does ({@link InboundFrame}): the numbers of a run of one SA's
     * packets recorded under one hold of its window's monitor, in ring order, then trailers
     * checked and ESP stripped with the SA counters added once for the frame.
     */
    @Override
    public void process(Frame frame, StageContext ctx) {
        SaTable.Snapshot sas = params().sas().get();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        FrameScratch s = scratch.of(ctx.worker());
        if (s == null) {
            for (int i = 0; i < n; i++) {
                int bi = frame.get(i);
                SaState sa = sas.state(mem.saIndex(bi));
                emit(ctx, bi, sa == null ? -1 - EspDecrypt.Errors.UNKNOWN_SPI.ordinal()
                        : EspInbound.finish(mem, data, bi, sa));
            }
            return;
        }
        s.counters.begin(sas.size());
        int i = 0;
        while (i < n) {
            SaState sa = sas.state(mem.saIndex(frame.get(i)));
            if (sa == null) {
                emit(ctx, frame.get(i), -1 - EspDecrypt.Errors.UNKNOWN_SPI.ordinal());
                i++;
                continue;
            }
            int from = i;
            synchronized (sa.window()) {
                for (; i < n && sas.state(mem.saIndex(frame.get(i))) == sa; i++) {
                    s.arcs[i] = EspInbound.accept(mem, data, frame.get(i), sa);
                }
            }
            for (int j = from; j < i; j++) {
                int arc = s.arcs[j] == EspDecrypt.Arcs.IPIP.ordinal()
                        ? EspInbound.strip(mem, data, frame.get(j), sa, s.counters) : s.arcs[j];
                emit(ctx, frame.get(j), arc);
            }
        }
        s.counters.finish();
    }

    private static void emit(StageContext ctx, int bi, int arc) {
        if (arc < 0) {
            ctx.drop(bi, -1 - arc);
        } else {
            ctx.enqueue(Arcs.IPIP, bi);
        }
    }
}
