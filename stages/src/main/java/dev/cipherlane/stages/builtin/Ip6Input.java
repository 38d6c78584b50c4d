package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * Validates received IPv6 headers (RFC 8200 section 3). The packet starts at the IPv6 header:
 * after {@code ethernet-input}, or injected directly.
 *
 * <p>Checks, each failure a counted drop: at least 40 bytes; version 6; 40 + payload length
 * within the frame (a longer frame is trimmed: Ethernet padding); a source that is neither
 * multicast (RFC 4291 section 2.7) nor loopback (section 2.5.3); a destination that is
 * neither unspecified nor loopback; an extension header chain that stays inside the packet.
 *
 * <p>Extension headers are stepped over only as far as {@link Ip6#walk} goes (Hop-by-Hop,
 * Routing, Fragment, Destination Options, AH; at most {@link Ip6#MAX_EXTENSION_HEADERS}) to
 * find {@code l4Offset} for the flow hash; their options are not processed. Jumbograms
 * (RFC 2675, payload length 0 with a Hop-by-Hop jumbo option) are not supported: trimmed to
 * 40 bytes, their Hop-by-Hop header no longer fits and they are dropped as truncated.
 * Hop limit is judged by {@code ip6-rewrite}, for forwarded packets only (RFC 8200 section 3:
 * a node decrements it when it forwards).
 */
public final class Ip6Input extends Stage<Stage.NoParams> {
    public static final String NAME = "ip6-input";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { LOOKUP }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("ip6 runt"),
        BAD_VERSION("ip6 bad version"),
        LENGTH_MISMATCH("ip6 length mismatch"),
        SOURCE_INVALID("ip6 source address invalid"),
        DESTINATION_INVALID("ip6 destination address invalid"),
        BAD_EXTENSION_HEADER("ip6 extension header truncated");

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

    public Ip6Input() {
        super(SPEC, NoParams.INSTANCE);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int error = check(mem, data, bi);
            if (error >= 0) {
                ctx.drop(bi, error);
            } else {
                ctx.enqueue(Arcs.LOOKUP, bi);
            }
        }
    }

    /** Validates and annotates one packet; returns the error index, or -1 when it is good. */
    private static int check(PacketMemory mem, MemorySegment data, int bi) {
        int frameLength = mem.length(bi);
        if (frameLength < Ip6.HEADER) {
            return Errors.RUNT.ordinal();
        }
        int offset = mem.dataOffset(bi);
        long ip = mem.base(bi) + offset;
        if (Byte.toUnsignedInt(data.get(Net.U8, ip)) >>> 4 != 6) {
            return Errors.BAD_VERSION.ordinal();
        }
        int length = Ip6.HEADER + Short.toUnsignedInt(data.get(Net.U16, ip + Ip6.PAYLOAD_LENGTH));
        if (length > frameLength) {
            return Errors.LENGTH_MISMATCH.ordinal();
        }
        long srcHi = data.get(Net.U64, ip + Ip6.SOURCE);
        long srcLo = data.get(Net.U64, ip + Ip6.SOURCE + 8);
        if (Ip6.isMulticast(srcHi) || Ip6.isLoopback(srcHi, srcLo)) {
            return Errors.SOURCE_INVALID.ordinal();
        }
        long dstHi = data.get(Net.U64, ip + Ip6.DESTINATION);
        long dstLo = data.get(Net.U64, ip + Ip6.DESTINATION + 8);
        if (Ip6.isUnspecified(dstHi, dstLo) || Ip6.isLoopback(dstHi, dstLo)) {
            return Errors.DESTINATION_INVALID.ordinal();
        }
        int walk = Ip6.walk(data, ip, length);
        if (walk < 0) {
            return Errors.BAD_EXTENSION_HEADER.ordinal();
        }
        if (length < frameLength) {
            mem.length(bi, length);
        }
        int l4 = Ip6.walkOffset(walk);
        mem.l3Offset(bi, offset);
        mem.l4Offset(bi, offset + l4);
        mem.setFlag(bi, PacketFlags.IP6);
        int protocol = Ip6.walkNextHeader(walk);
        boolean ports = (walk & Ip6.WALK_FRAGMENT) == 0
                && (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == FlowHash.SCTP);
        // FlowHash reads ports only when the chain ends on them; a packet too short to hold
        // them hashes on addresses and protocol instead of reading past its end.
        int hash = ports && length - l4 < 4
                ? FlowHash.hash6(srcHi, srcLo, dstHi, dstLo, protocol, 0, 0)
                : FlowHash.hash6(data, ip, ip + l4);
        mem.flowHash(bi, hash);
        return -1;
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ip6.HEADER) {
            return "runt of " + mem.length(bi) + " bytes";
        }
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        return Prefixes.format6(data.get(Net.U64, ip + Ip6.SOURCE), data.get(Net.U64, ip + Ip6.SOURCE + 8))
                + " -> " + Prefixes.format6(data.get(Net.U64, ip + Ip6.DESTINATION),
                        data.get(Net.U64, ip + Ip6.DESTINATION + 8))
                + " next header " + mem.u8(bi, Ip6.NEXT_HEADER) + " hop limit " + mem.u8(bi, Ip6.HOP_LIMIT)
                + " payload " + mem.u16(bi, Ip6.PAYLOAD_LENGTH);
    }
}
