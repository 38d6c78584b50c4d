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
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * Validates received IPv4 headers (RFC 791 section 3.1, RFC 1812 section 5.2.2) before
 * anything trusts them. The packet starts at the IP header: after {@code ethernet-input},
 * or injected directly.
 *
 * <p>Checks, in this order, each failure a counted drop: at least 20 bytes; version 4; IHL
 * at least 5 and within the frame; total length at least the header and within the frame;
 * header checksum; a source that names one host; a destination that can exist on a wire.
 * A frame longer than its total length is trimmed (Ethernet pads short frames to 60 bytes).
 *
 * <p>TTL is not judged here. A packet for one of our addresses is received even with TTL 0
 * or 1 (RFC 1812 section 5.3.1); only a packet to be forwarded expires, and only lookup knows
 * which is which, so {@code ip4-rewrite} judges TTL, as VPP's ip4-rewrite does. Options are
 * carried but not processed, and fragments are forwarded as they are.
 *
 * <p>On the way out: {@code l3Offset} and {@code l4Offset} (buffer-relative), the flow hash
 * for ECMP, and the IP6 flag cleared.
 */
public final class Ip4Input extends Stage<Stage.NoParams> {
    public static final String NAME = "ip4-input";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { LOOKUP }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("ip4 runt"),
        BAD_VERSION("ip4 bad version"),
        BAD_HEADER_LENGTH("ip4 bad header length"),
        LENGTH_MISMATCH("ip4 length mismatch"),
        CHECKSUM_ERROR("ip4 header checksum error"),
        SOURCE_INVALID("ip4 source address invalid"),
        DESTINATION_INVALID("ip4 destination address invalid");

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

    public Ip4Input() {
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
        if (frameLength < Ip4.MIN_HEADER) {
            return Errors.RUNT.ordinal();
        }
        int offset = mem.dataOffset(bi);
        long ip = mem.base(bi) + offset;
        int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL));
        if (versionIhl >>> 4 != 4) {
            return Errors.BAD_VERSION.ordinal();
        }
        int headerLength = (versionIhl & 0xF) * 4;
        if (headerLength < Ip4.MIN_HEADER || headerLength > frameLength) {
            return Errors.BAD_HEADER_LENGTH.ordinal();
        }
        int totalLength = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TOTAL_LENGTH));
        if (totalLength < headerLength || totalLength > frameLength) {
            return Errors.LENGTH_MISMATCH.ordinal();
        }
        if (!Checksum.verify(data, ip, headerLength)) {
            return Errors.CHECKSUM_ERROR.ordinal();
        }
        int source = data.get(Net.U32, ip + Ip4.SOURCE);
        if (Ip4.isInvalidSource(source)) {
            return Errors.SOURCE_INVALID.ordinal();
        }
        int destination = data.get(Net.U32, ip + Ip4.DESTINATION);
        if (Ip4.isInvalidDestination(destination)) {
            return Errors.DESTINATION_INVALID.ordinal();
        }
        if (totalLength < frameLength) {
            mem.length(bi, totalLength);
        }
        mem.l3Offset(bi, offset);
        mem.l4Offset(bi, offset + headerLength);
        mem.clearFlag(bi, PacketFlags.IP6);
        mem.flowHash(bi, flowHash(data, ip, headerLength, totalLength, source, destination));
        return -1;
    }

    /**
     * FlowHash reads the ports of TCP, UDP and SCTP; a first fragment or whole datagram too
     * short to hold them hashes on addresses and protocol alone instead of reading past it.
     */
    private static int flowHash(MemorySegment data, long ip, int headerLength, int totalLength,
                                int source, int destination) {
        int protocol = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL));
        boolean ports = protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == FlowHash.SCTP;
        if (ports && totalLength - headerLength < 4) {
            return FlowHash.hash4(source, destination, protocol, 0, 0);
        }
        return FlowHash.hash4(data, ip, ip + headerLength);
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ip4.MIN_HEADER) {
            return "runt of " + mem.length(bi) + " bytes";
        }
        return Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                + " proto " + mem.u8(bi, Ip4.PROTOCOL) + " ttl " + mem.u8(bi, Ip4.TTL)
                + " length " + mem.u16(bi, Ip4.TOTAL_LENGTH) + " checksum 0x"
                + Integer.toHexString(mem.u16(bi, Ip4.CHECKSUM));
    }
}
