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
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;

/**
 * {@code esp-decrypt}: ESP packets addressed to us (from {@code ip4-local}), starting at their
 * outer IPv4 header: protocol 50, or UDP to port 4500 (RFC 3948). Finds the inbound SA by SPI,
 * rejects replays before decrypting (RFC 4303 section 3.4.3, ESN high bits inferred per
 * appendix A2), verifies the ICV and decrypts, then records the sequence number, checks the
 * trailer and strips ESP (the steps are in {@link EspInbound}).
 *
 * <p>On {@code ipip} (to {@code ipip-decap}): the outer IPv4 header, its protocol now the ESP
 * next header (4 or 41), followed by the inner packet; {@code saIndex} is the inbound SA, so the
 * tunnel can check the SA protects it. On {@code ike}: UDP packets with the non-ESP marker
 * (RFC 3948 section 2.2), untouched, for the IKE daemon. NAT keepalives (RFC 3948 section 2.3)
 * are counted and dropped.
 *
 * <p>Each worker uses its own crypto engine, {@code engines.get(ctx.worker())}. The SA snapshot
 * is read once per frame, each SA's counters are added once per frame ({@link FrameCounters}),
 * and the frame goes through RFC 4303's steps one at a time so each SA's replay window is locked
 * once per run of its packets, checked before any is opened and updated in order after their
 * ICVs passed ({@link InboundFrame}).
 */
public final class EspDecrypt extends Stage<EspStageParams> {
    public static final String NAME = "esp-decrypt";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { IPIP, IKE }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("esp runt"),
        NOT_IP4("outer header not ip4"),
        LENGTH_MISMATCH("outer ip4 length mismatch"),
        OUTER_FRAGMENT("outer ip4 fragment"),
        NOT_ESP("not esp"),
        NAT_KEEPALIVE("nat keepalive"),
        UNKNOWN_SPI("unknown spi"),
        HARD_LIMIT(SaDrop.HARD_LIMIT.reason()),
        REPLAY(SaDrop.REPLAY.reason()),
        TOO_OLD(SaDrop.TOO_OLD.reason()),
        INTEGRITY(SaDrop.INTEGRITY.reason()),
        BAD_PADDING(SaDrop.BAD_PADDING.reason()),
        BAD_NEXT_HEADER(SaDrop.BAD_NEXT_HEADER.reason()),
        NO_ENGINE("no crypto engine for worker"),
        REPLAY_UNPERSISTED(SaDrop.REPLAY_UNPERSISTED.reason());

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

    /** Per worker, by worker index; a worker beyond it (params swapped for more) counts per packet. */
    private final FrameCounters[] counters;
    private final InboundFrame[] frames;

    public EspDecrypt(EspStageParams params) {
        super(SPEC, params);
        counters = new FrameCounters[params.engines().size()];
        frames = new InboundFrame[counters.length];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new FrameCounters();
            frames[i] = new InboundFrame();
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
        int n = frame.count();
        if (worker >= frames.length) {
            for (int i = 0; i < n; i++) {
                emit(ctx, frame.get(i), decrypt(sas, engine, mem, data, frame.get(i), null));
            }
            return;
        }
        FrameCounters counted = counters[worker];
        InboundFrame steps = frames[worker];
        counted.begin(sas.size());
        steps.run(frame, mem, data, sas, engine, counted);
        for (int i = 0; i < n; i++) {
            emit(ctx, frame.get(i), steps.arc(i));
        }
        counted.finish();
    }

    private static void emit(StageContext ctx, int bi, int arc) {
        if (arc < 0) {
            ctx.drop(bi, -1 - arc);
        } else {
            ctx.enqueue(arc, bi);
        }
    }

    private static int decrypt(SaTable.Snapshot sas, AeadEngine engine, PacketMemory mem, MemorySegment data, int bi,
            FrameCounters counted) {
        int arc = EspInbound.check(mem, data, bi, sas);
        if (arc != Arcs.IPIP.ordinal()) {
            return arc;
        }
        if (engine == null) {
            return -1 - Errors.NO_ENGINE.ordinal();
        }
        SaState sa = sas.state(mem.saIndex(bi));
        arc = EspInbound.open(mem, data, bi, sa, engine);
        return arc < 0 ? arc : EspInbound.finish(mem, data, bi, sa, counted);
    }

    /** Traced on entry: the outer addresses, SPI and sequence number as received. */
    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        int length = mem.length(bi);
        if (length < Ip4.MIN_HEADER) {
            return "runt, length " + length;
        }
        int headerLength = (mem.u8(bi, Ip4.VERSION_IHL) & 0x0F) * 4;
        int protocol = mem.u8(bi, Ip4.PROTOCOL);
        int esp = headerLength + (protocol == IpProtocol.UDP ? Udp.HEADER : 0);
        String addresses = Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> "
                + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION));
        if (length < esp + Esp.HEADER) {
            return addresses + " proto " + protocol + " length " + length;
        }
        return addresses + (protocol == IpProtocol.UDP ? " udp" : "") + " spi 0x"
                + Integer.toHexString(mem.u32(bi, esp)) + " seq " + Integer.toUnsignedString(mem.u32(bi, esp + 4))
                + " length " + length;
    }
}
