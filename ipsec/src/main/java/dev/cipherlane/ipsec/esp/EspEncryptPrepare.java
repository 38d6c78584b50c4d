package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.sa.SaDrop;
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
 * The first half of {@code esp-encrypt} when one SA's encryption is spread over crypto threads
 * (DESIGN.md, "Threads and Disruptor rings"): on the worker, in order, it takes the packet's
 * sequence number and lays out ESP header, IV, padding and trailer ({@link EspOutbound#encapsulate});
 * the AES-GCM seal runs later on a crypto thread ({@link EspSealJob}). Sequence numbers are thus
 * assigned in the order packets reach this stage, whichever thread then encrypts them. Drops
 * use {@code esp-encrypt}'s reasons.
 *
 * <p>Per frame, as {@link EspEncrypt} does inline: one sequence reservation per SA for all its
 * packets in the frame ({@link OutboundFrame}) and the SA counters added once
 * ({@link FrameCounters}), so workers sharing an SA meet on its counters once a frame, not once
 * a packet.
 */
public final class EspEncryptPrepare extends Stage<EspEncryptPrepare.Params> {
    public static final String NAME = "esp-encrypt-prepare";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { SEAL }

    /** Drops are {@code esp-encrypt}'s errors. */
    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, EspEncrypt.Errors.class);

    public record Params(Supplier<SaTable.Snapshot> sas) {}

    /** Per worker, by worker index, made on a worker's first frame; a worker beyond works per packet. */
    private final OutboundFrame[] frames = new OutboundFrame[MAX_WORKERS];
    private final FrameCounters[] counters = new FrameCounters[MAX_WORKERS];
    /** dataplane.workers' bound. */
    static final int MAX_WORKERS = 64;

    public EspEncryptPrepare(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        SaTable.Snapshot sas = params().sas().get();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int worker = ctx.worker();
        OutboundFrame batch = null;
        FrameCounters counted = null;
        if (worker < MAX_WORKERS) {
            // Each slot is written by its own worker only.
            if (frames[worker] == null) {
                frames[worker] = new OutboundFrame();
                counters[worker] = new FrameCounters();
            }
            batch = frames[worker];
            counted = counters[worker];
            batch.begin(frame, mem, sas.size());
            counted.begin(sas.size());
        }
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            SaState sa = sas.state(mem.saIndex(bi));
            int arc;
            if (sa == null || !sa.outbound()) {
                arc = -1 - EspEncrypt.Errors.NO_OUTBOUND_SA.ordinal();
            } else if (!sa.usable()) {
                sa.counters().drop(SaDrop.HARD_LIMIT);
                arc = -1 - EspEncrypt.Errors.HARD_LIMIT.ordinal();
            } else {
                arc = EspOutbound.encapsulate(mem, data, bi, sa, batch, counted);
            }
            if (arc < 0) {
                ctx.drop(bi, -1 - arc);
            } else {
                ctx.enqueue(Arcs.SEAL, bi);
            }
        }
        if (counted != null) {
            counted.finish();
        }
    }
}
