package dev.cipherlane.ipsec.esp;

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

    public EspDecryptCheck(Params params) {
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
            int arc = EspInbound.check(mem, data, bi, sas);
            if (arc < 0) {
                ctx.drop(bi, -1 - arc);
            } else {
                ctx.enqueue(arc == EspDecrypt.Arcs.IPIP.ordinal() ? Arcs.OPEN : Arcs.IKE, bi);
            }
        }
    }
}
