package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.lang.foreign.MemorySegment;
import java.util.List;

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
 * <p>Each worker uses its own crypto engine, {@code engines.get(ctx.worker())}.
 */
public final class EspDecrypt extends Stage<EspStageParams> {
    public static final String NAME = "esp-decrypt";

    public static final int ARC_IPIP = 0;
    public static final int ARC_IKE = 1;

    public static final int RUNT = 0;
    public static final int NOT_IP4 = 1;
    public static final int LENGTH_MISMATCH = 2;
    public static final int OUTER_FRAGMENT = 3;
    public static final int NOT_ESP = 4;
    public static final int NAT_KEEPALIVE = 5;
    public static final int UNKNOWN_SPI = 6;
    public static final int HARD_LIMIT = 7;
    public static final int REPLAY = 8;
    public static final int TOO_OLD = 9;
    public static final int INTEGRITY = 10;
    public static final int BAD_PADDING = 11;
    public static final int BAD_NEXT_HEADER = 12;
    public static final int NO_ENGINE = 13;
    public static final int REPLAY_UNPERSISTED = 14;

    public static final StageSpec SPEC = new StageSpec(NAME, List.of("ipip", "ike"), List.of(
            "esp runt",
            "outer header not ip4",
            "outer ip4 length mismatch",
            "outer ip4 fragment",
            "not esp",
            "nat keepalive",
            "unknown spi",
            SaDrop.HARD_LIMIT.reason(),
            SaDrop.REPLAY.reason(),
            SaDrop.TOO_OLD.reason(),
            SaDrop.INTEGRITY.reason(),
            SaDrop.BAD_PADDING.reason(),
            SaDrop.BAD_NEXT_HEADER.reason(),
            "no crypto engine for worker",
            SaDrop.REPLAY_UNPERSISTED.reason()));

    public EspDecrypt(EspStageParams params) {
        super(SPEC, params);
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
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int arc = decrypt(sas, engine, mem, data, bi);
            if (arc < 0) {
                ctx.drop(bi, -1 - arc);
            } else {
                ctx.enqueue(arc, bi);
            }
        }
    }

    private static int decrypt(SaTable.Snapshot sas, AeadEngine engine, PacketMemory mem, MemorySegment data, int bi) {
        int arc = EspInbound.check(mem, data, bi, sas);
        if (arc != ARC_IPIP) {
            return arc;
        }
        if (engine == null) {
            return -1 - NO_ENGINE;
        }
        SaState sa = sas.state(mem.saIndex(bi));
        arc = EspInbound.open(mem, data, bi, sa, engine);
        return arc < 0 ? arc : EspInbound.finish(mem, data, bi, sa);
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
        int esp = headerLength + (protocol == Esp.PROTOCOL_UDP ? Esp.UDP_HEADER : 0);
        String addresses = Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> "
                + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION));
        if (length < esp + Esp.HEADER) {
            return addresses + " proto " + protocol + " length " + length;
        }
        return addresses + (protocol == Esp.PROTOCOL_UDP ? " udp" : "") + " spi 0x"
                + Integer.toHexString(mem.u32(bi, esp)) + " seq " + Integer.toUnsignedString(mem.u32(bi, esp + 4))
                + " length " + length;
    }
}
