package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * IPv4 packets addressed to one of our own addresses ({@code ip4-lookup}'s {@code local} arc),
 * dispatched on the protocol field the way a host hands a datagram to its transport (RFC 791
 * section 3.1, RFC 1122 section 3.2.1). The packet starts at the IP header.
 *
 * <p>IPIP, protocol 4 (RFC 2003) and 41 (RFC 4213), goes to {@code ipip}, the tunnel
 * decapsulator, which accepts only known tunnels. Everything else (ICMP echo, IKE's UDP, the
 * node's own traffic) goes to {@code punt}, for the control plane. The dataplane's own protocols
 * are arcs after {@code punt}, so ESP can be added as one more arc without renumbering.
 *
 * <p>Only a header too short to hold the protocol field, or one that is not IPv4, is dropped: a
 * miswired graph, since {@code ip4-input} has validated the header.
 */
public final class Ip4Local extends Stage<Stage.NoParams> {
    public static final String NAME = "ip4-local";

    public static final int ARC_PUNT = 0;
    public static final int ARC_IPIP = 1;

    public static final int RUNT = 0;
    public static final int NOT_IP4 = 1;

    public static final StageSpec SPEC = new StageSpec(NAME, List.of("punt", "ipip"),
            List.of("local ip4 runt", "local packet not ip4"));

    /** Protocol numbers of IPv4-in-IPv4 (RFC 2003 section 3.1) and IPv6-in-IPv4 (RFC 4213 section 3.5). */
    static final int PROTOCOL_IPIP4 = 4;
    static final int PROTOCOL_IPIP6 = 41;

    public Ip4Local() {
        super(SPEC, NoParams.INSTANCE);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            if (mem.length(bi) < Ip4.MIN_HEADER) {
                ctx.drop(bi, RUNT);
                continue;
            }
            long ip = mem.start(bi);
            if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) >>> 4 != 4) {
                ctx.drop(bi, NOT_IP4);
                continue;
            }
            int protocol = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL));
            ctx.enqueue(arcFor(protocol), bi);
        }
    }

    /** The arc for an IP protocol number. */
    static int arcFor(int protocol) {
        return switch (protocol) {
            case PROTOCOL_IPIP4, PROTOCOL_IPIP6 -> ARC_IPIP;
            default -> ARC_PUNT;
        };
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ip4.MIN_HEADER) {
            return "runt, length " + mem.length(bi);
        }
        return Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                + " protocol " + mem.u8(bi, Ip4.PROTOCOL);
    }
}
