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
 * The first part of {@code esp-decrypt} when decryption is spread over crypto threads: parses
 * the packet, finds the SA by SPI and checks the replay window before any crypto work
 * ({@link EspInbound#check}, RFC 4303 section 3.4.3), so replays and strangers cost no AES.
 * IKE behind the non-ESP marker leaves on {@code ike}; ESP goes to {@code open}, then a crypto
 * thread ({@link EspOpenJob}) and {@link EspDecryptFinish}, which updates the window in order.
 */
public final class EspDecryptCheck extends Stage<EspDecryptCheck.Params> {
    public static final String NAME = "esp-decrypt-check";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { OPEN, IKE }

    /** Drops are {@code esp-decrypt}'s errors. */
    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, EspDecrypt.Errors.class);

    public record Params(Supplier<SaTable.Snapshot> sas) {}

    private final FrameScratch.PerWorker scratch = new FrameScratch.PerWorker();

    public EspDecryptCheck(Params params) {
        super(SPEC, params);
    }

    /**
     * Headers and SAs first for the whole frame, then the numbers of each run of one SA's
     * packets checked under one hold of its window's monitor, as inline {@code esp-decrypt}
     * does ({@link InboundFrame}).
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
                emit(ctx, frame.get(i), EspInbound.check(mem, data, frame.get(i), sas));
            }
            return;
        }
        int ipip = EspDecrypt.Arcs.IPIP.ordinal();
        for (int i = 0; i < n; i++) {
            s.arcs[i] = EspInbound.parse(mem, data, frame.get(i), sas);
        }
        int i = 0;
        while (i < n) {
            if (s.arcs[i] != ipip) {
                i++;
                continue;
            }
            SaState sa = sas.state(mem.saIndex(frame.get(i)));
            synchronized (sa.window()) {
                for (; i < n && (s.arcs[i] != ipip || sas.state(mem.saIndex(frame.get(i))) == sa); i++) {
                    if (s.arcs[i] == ipip) {
                        s.arcs[i] = EspInbound.checkWindow(mem, data, frame.get(i), sa);
                    }
                }
            }
        }
        for (int j = 0; j < n; j++) {
            emit(ctx, frame.get(j), s.arcs[j]);
        }
    }

    private static void emit(StageContext ctx, int bi, int arc) {
        if (arc < 0) {
            ctx.drop(bi, -1 - arc);
        } else {
            ctx.enqueue(arc == EspDecrypt.Arcs.IPIP.ordinal() ? Arcs.OPEN : Arcs.IKE, bi);
        }
    }
}
