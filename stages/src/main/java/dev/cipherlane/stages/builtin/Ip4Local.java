package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
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
 * IPv4 packets addressed to one of our own addresses ({@code ip4-lookup}'s {@code local} arc),
 * dispatched on the protocol field the way a host hands a datagram to its transport (RFC 791
 * section 3.1, RFC 1122 section 3.2.1). The packet starts at the IP header.
 *
 * <p>IPIP, protocol 4 (RFC 2003) and 41 (RFC 4213), goes to {@code ipip}, the tunnel
 * decapsulator, which accepts only known tunnels. Everything else (ICMP echo, IKE's UDP, the
 * node's own traffic) goes to {@code punt}, for the control plane. The dataplane's own protocols
 * are arcs after {@code punt}: ESP (protocol 50, or UDP to port 4500 per RFC 3948) leaves on
 * {@code esp}, for the decryptor.
 *
 * <p>Only a header too short to hold the protocol field, or one that is not IPv4, is dropped: a
 * miswired graph, since {@code ip4-input} has validated the header.
 */
public final class Ip4Local extends Stage<Stage.NoParams> {
    public static final String NAME = "ip4-local";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { PUNT, IPIP, ESP }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        RUNT("local ip4 runt"),
        NOT_IP4("local packet not ip4");

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
                ctx.drop(bi, Errors.RUNT);
                continue;
            }
            long ip = mem.start(bi);
            if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) >>> 4 != 4) {
                ctx.drop(bi, Errors.NOT_IP4);
                continue;
            }
            int protocol = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL));
            int arc = arcFor(protocol);
            if (protocol == IpProtocol.UDP && isNatTraversal(mem, data, bi, ip)) {
                arc = Arcs.ESP.ordinal();
            }
            ctx.enqueue(arc, bi);
        }
    }

    /** The arc for an IP protocol number. */
    static int arcFor(int protocol) {
        return switch (protocol) {
            case IpProtocol.IPIP4, IpProtocol.IPIP6 -> Arcs.IPIP.ordinal();
            case IpProtocol.ESP -> Arcs.ESP.ordinal();
            default -> Arcs.PUNT.ordinal();
        };
    }

    /**
     * UDP to port 4500 (RFC 3948): ESP in UDP, or IKE behind its non-ESP marker, which the ESP
     * stage tells apart. A first fragment or a header too short to hold the ports is not.
     */
    private static boolean isNatTraversal(PacketMemory mem, MemorySegment data, int bi, long ip) {
        int headerLength = (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) & 0x0F) * 4;
        if (mem.length(bi) < headerLength + Udp.HEADER
                || (data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
            return false;
        }
        return Short.toUnsignedInt(data.get(Net.U16, ip + headerLength + 2)) == Udp.NAT_TRAVERSAL_PORT;
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
