package dev.cipherlane.tap;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.wire.Ethernet;

/**
 * Test stage playing the host at {@link TapNamespace#NODE_IP} behind the tap: answers ICMP
 * echo requests, echoes UDP datagrams back to their sender, and answers a TCP SYN with a
 * SYN-ACK (MSS 1460, no other options) so the kernel opens a connection and starts sending.
 * Replies are rewritten in place and leave on {@code tx} toward the interface they came
 * from; anything else goes to {@code other} for the test to look at.
 *
 * <p>UDP replies keep the offload state they arrived with: swapping addresses and ports
 * leaves the one's complement sum (full or pseudo-header partial) unchanged, so a
 * NEEDS_CSUM datagram goes back still partial and the kernel has to accept it that way.
 */
final class PeerResponder extends Stage<Stage.NoParams> {
    static final String NAME = "peer";

    /** Next arcs, in index order. */
    enum Arcs implements NextArc { TX, OTHER }

    /** Our initial sequence number on every SYN-ACK. */
    static final int ISN = 0x10000000;

    /** Counters (not drops) of what the responder answered, for tests to check. */
    static final String ECHO_REPLIES = "icmp echo replies";
    static final String UDP_ECHOES = "udp echoes";
    static final String SYN_ACKS = "syn-acks";

    /** The counters above, in index order. */
    enum Errors implements StageError {
        ECHO_REPLY(ECHO_REPLIES),
        UDP_ECHO(UDP_ECHOES),
        SYN_ACK(SYN_ACKS);

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private static final int NONE = -1;

    PeerResponder() {
        super(StageSpec.of(NAME, Arcs.class, Errors.class), NoParams.INSTANCE);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        PacketMemory mem = ctx.memory();
        for (int i = 0; i < frame.count(); i++) {
            int bi = frame.get(i);
            int answered = respond(mem, bi);
            if (answered == NONE) {
                ctx.enqueue(Arcs.OTHER, bi);
            } else {
                ctx.count(answered, 1);
                ctx.enqueue(Arcs.TX, bi);
            }
        }
    }

    private static int respond(PacketMemory mem, int bi) {
        if (mem.length(bi) < 34 || mem.u16(bi, 12) != Ethernet.ETHERTYPE_IP4) {
            return NONE;
        }
        int ihl = (mem.u8(bi, 14) & 0xF) * 4;
        int l4 = 14 + ihl;
        int protocol = mem.u8(bi, 23);
        int answered;
        if (protocol == 1 && mem.u8(bi, l4) == 8) {
            mem.u8(bi, l4, 0);
            int icmpLength = mem.u16(bi, 16) - ihl;
            mem.u16(bi, l4 + 2, 0);
            mem.u16(bi, l4 + 2, ~fold(sum(mem, bi, l4, icmpLength)) & 0xFFFF);
            answered = Errors.ECHO_REPLY.ordinal();
        } else if (protocol == 17) {
            int sport = mem.u16(bi, l4);
            mem.u16(bi, l4, mem.u16(bi, l4 + 2));
            mem.u16(bi, l4 + 2, sport);
            answered = Errors.UDP_ECHO.ordinal();
        } else if (protocol == 6 && (mem.u8(bi, l4 + 13) & 0x12) == 0x02) {
            synAck(mem, bi, ihl, l4);
            answered = Errors.SYN_ACK.ordinal();
        } else {
            return NONE;
        }
        int src = mem.u32(bi, 26);
        mem.u32(bi, 26, mem.u32(bi, 30));
        mem.u32(bi, 30, src);
        for (int b = 0; b < 6; b++) {
            mem.u8(bi, b, mem.u8(bi, 6 + b));
            mem.u8(bi, 6 + b, (int) (TestFrames.NODE_MAC >>> (40 - 8 * b)));
        }
        mem.txInterface(bi, mem.rxInterface(bi));
        return answered;
    }

    /** Rewrites a SYN into the SYN-ACK answering it (RFC 9293 section 3.5), addresses still unswapped. */
    private static void synAck(PacketMemory mem, int bi, int ihl, int l4) {
        int sport = mem.u16(bi, l4);
        int seq = mem.u32(bi, l4 + 4);
        mem.u16(bi, l4, mem.u16(bi, l4 + 2));
        mem.u16(bi, l4 + 2, sport);
        mem.u32(bi, l4 + 4, ISN);
        mem.u32(bi, l4 + 8, seq + 1);
        mem.u8(bi, l4 + 12, 6 << 4);
        mem.u8(bi, l4 + 13, 0x12);
        mem.u16(bi, l4 + 14, 65535);
        mem.u16(bi, l4 + 18, 0);
        mem.u8(bi, l4 + 20, 2);
        mem.u8(bi, l4 + 21, 4);
        mem.u16(bi, l4 + 22, 1460);
        int tcpLength = 24;
        mem.length(bi, l4 + tcpLength);
        mem.u16(bi, 16, ihl + tcpLength);
        mem.u16(bi, 24, 0);
        mem.u16(bi, 24, ~fold(sum(mem, bi, 14, ihl)) & 0xFFFF);
        // Pseudo-header (RFC 9293 section 3.1): the addresses sum the same either way round.
        long pseudo = (mem.u32(bi, 26) >>> 16) + (mem.u32(bi, 26) & 0xFFFF)
                + (mem.u32(bi, 30) >>> 16) + (mem.u32(bi, 30) & 0xFFFF) + 6 + tcpLength;
        mem.u16(bi, l4 + 16, 0);
        mem.u16(bi, l4 + 16, ~fold(pseudo + sum(mem, bi, l4, tcpLength)) & 0xFFFF);
        mem.flags(bi, mem.flags(bi) & ~(PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID));
        mem.csumStart(bi, 0);
        mem.csumOffset(bi, 0);
        mem.gsoType(bi, 0);
        mem.gsoSize(bi, 0);
    }

    private static long sum(PacketMemory mem, int bi, int off, int len) {
        long s = 0;
        for (int i = 0; i + 1 < len; i += 2) {
            s += mem.u16(bi, off + i);
        }
        if ((len & 1) != 0) {
            s += mem.u8(bi, off + len - 1) << 8;
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) s;
    }
}
