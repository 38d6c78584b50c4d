package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.MemorySegment;

/**
 * {@code esp-encrypt}: ESP tunnel protection of IPIP packets (RFC 4303 with AES-256-GCM, RFC
 * 4106), like VPP's tunnel protection. Input: an IPIP packet from {@code ipip-encap}, starting at
 * its 20-byte outer IPv4 header, with {@code saIndex} the tunnel's outbound SA and {@code nextHop},
 * {@code txInterface} and {@code flowHash} already set for the underlay (they are left alone).
 * Output on {@code rewrite} (to {@code ip4-rewrite}): the outer header, protocol 50 or UDP with
 * the SA's ports (RFC 3948), then SPI, sequence number, IV, the encrypted inner packet and
 * trailer, and the ICV; {@code l3Offset} at the outer header. The layout and the two steps are in
 * {@link EspOutbound}.
 *
 * <p>Fail closed (RFC 4301 section 5.1, DESIGN.md): a packet whose SA index names no usable
 * outbound SA is dropped and counted, never sent in clear. So is one whose SA ran out of
 * sequence numbers: RFC 4303 section 3.3.3 forbids the counter to cycle.
 *
 * <p>Each worker uses its own crypto engine, {@code engines.get(ctx.worker())}. The SA snapshot
 * is read once per frame, and each SA's shared state once per frame too: one atomic
 * reservation of sequence numbers for all its packets in the frame ({@link OutboundFrame}), one
 * update of its counters at the end ({@link FrameCounters}).
 */
public final class EspEncrypt extends Stage<EspStageParams> {
    public static final String NAME = "esp-encrypt";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { REWRITE }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_OUTBOUND_SA("no outbound sa"),
        HARD_LIMIT(SaDrop.HARD_LIMIT.reason()),
        SEQUENCE_EXHAUSTED(SaDrop.SEQUENCE_EXHAUSTED.reason()),
        SEQUENCE_PENDING(SaDrop.SEQUENCE_PENDING.reason()),
        SEQUENCE_CLOSED(SaDrop.SEQUENCE_CLOSED.reason()),
        NOT_IP4("outer header not ip4 without options"),
        LENGTH_MISMATCH("outer ip4 length mismatch"),
        NOT_IPIP("not an ipip packet"),
        GSO_NOT_SEGMENTED("gso packet not segmented"),
        TOO_BIG("packet too big for esp"),
        NO_HEADROOM("no headroom for esp header"),
        NO_TAILROOM("no tailroom for esp trailer"),
        NO_ENGINE("no crypto engine for worker"),
        CRYPTO_ERROR("encryption failed");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    public static final StageSpec SPEC = StageSpec.of(NAME, Arcs.class, Errors.class);

    /** Per worker, by worker index; a worker beyond it (params swapped for more) works per packet. */
    private final OutboundFrame[] frames;
    private final FrameCounters[] counters;

    public EspEncrypt(EspStageParams params) {
        super(SPEC, params);
        frames = new OutboundFrame[params.engines().size()];
        counters = new FrameCounters[frames.length];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = new OutboundFrame();
            counters[i] = new FrameCounters();
        }
    }

    @Override
    protected EspStageParams validate(EspStageParams p) {
        return EspStageParams.require(NAME, p);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        EspStageParams p = params();
        SaTable.Snapshot sas = p.sas().get();
        int worker = ctx.worker();
        AeadEngine engine = p.engine(worker);
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        OutboundFrame batch = worker < frames.length ? frames[worker] : null;
        FrameCounters counted = batch != null ? counters[worker] : null;
        if (batch != null) {
            batch.begin(frame, mem, sas.size());
            counted.begin(sas.size());
        }
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int arc = encrypt(sas, engine, mem, data, bi, batch, counted);
            if (arc < 0) {
                ctx.drop(bi, -1 - arc);
            } else {
                ctx.enqueue(arc, bi);
            }
        }
        if (counted != null) {
            counted.finish();
        }
    }

    private static int encrypt(SaTable.Snapshot sas, AeadEngine engine, PacketMemory mem, MemorySegment data, int bi,
            OutboundFrame batch, FrameCounters counted) {
        SaState sa = sas.state(mem.saIndex(bi));
        if (sa == null || !sa.outbound()) {
            return -1 - Errors.NO_OUTBOUND_SA.ordinal();
        }
        if (!sa.usable()) {
            sa.counters().drop(SaDrop.HARD_LIMIT);
            return -1 - Errors.HARD_LIMIT.ordinal();
        }
        if (engine == null) {
            return -1 - Errors.NO_ENGINE.ordinal();
        }
        int arc = EspOutbound.encapsulate(mem, data, bi, sa, batch, counted);
        return arc < 0 ? arc : EspOutbound.seal(mem, data, bi, sa, engine);
    }

    /** Traced on entry: the SA and the IPIP packet it is about to protect. */
    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        int length = mem.length(bi);
        String outer = length >= Ip4.MIN_HEADER
                ? Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                        + " proto " + mem.u8(bi, Ip4.PROTOCOL)
                : "runt";
        return "sa " + mem.saIndex(bi) + " " + outer + " length " + length;
    }
}
