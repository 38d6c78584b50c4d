package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SequenceSource;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;

/**
 * ESP on the way out, for one packet, in two steps so a pipeline can run them on different
 * threads: {@link #encapsulate} (takes the sequence number, so it must run in packet order per
 * SA) and {@link #seal} (the crypto, which may run anywhere once the packet is encapsulated; it
 * reads all it needs from the packet). {@code esp-encrypt} runs both back to back.
 *
 * <p>The input is an IPIP packet from {@code ipip-encap}: a 20-byte outer IPv4 header with
 * protocol 4 or 41, then the inner packet. ESP goes between the two, as tunnel protection of
 * the IPIP tunnel: the outer header moves forward into the headroom by the size of the ESP
 * header and IV (and UDP header), the trailer and ICV go into the tailroom, and the inner packet
 * is encrypted where it lies. Return values are {@link EspEncrypt.Arcs#REWRITE} or
 * {@code -1 - error}, the error one of {@link EspEncrypt}'s.
 */
public final class EspOutbound {
    private EspOutbound() {}

    private static final int VERSION_IHL = 0x45;
    /** SPI, sequence number high and low halves (RFC 4106 section 5). */
    static final int ESN_AAD = 12;

    /**
     * Checks the packet, takes a sequence number and builds the ESP packet around the still
     * clear inner packet: outer header, optional UDP header, SPI, sequence number, IV, padding,
     * pad length, next header. {@code sa} is an outbound, usable SA. The inner bytes count
     * towards the SA's limits.
     */
    public static int encapsulate(PacketMemory mem, MemorySegment data, int bi, SaState sa) {
        return encapsulate(mem, data, bi, sa, null, null);
    }

    /**
     * As {@link #encapsulate(PacketMemory, MemorySegment, int, SaState)}, with the sequence
     * number from {@code frame}'s reservation and the counting left to {@code counters}; both
     * null take and count per packet.
     */
    static int encapsulate(PacketMemory mem, MemorySegment data, int bi, SaState sa, OutboundFrame frame,
            FrameCounters counters) {
        if (mem.gsoSize(bi) > 0) {
            return -1 - EspEncrypt.Errors.GSO_NOT_SEGMENTED.ordinal();
        }
        int length = mem.length(bi);
        long ip = mem.start(bi);
        if (length < Ip4.MIN_HEADER || Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) != VERSION_IHL) {
            return -1 - EspEncrypt.Errors.NOT_IP4.ordinal();
        }
        int total = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TOTAL_LENGTH));
        if (total < Ip4.MIN_HEADER || total > length) {
            return -1 - EspEncrypt.Errors.LENGTH_MISMATCH.ordinal();
        }
        int protocol = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL));
        if (protocol != IpProtocol.IPIP4 && protocol != IpProtocol.IPIP6) {
            return -1 - EspEncrypt.Errors.NOT_IPIP.ordinal();
        }
        int inner = total - Ip4.MIN_HEADER;
        int pad = Esp.padding(inner);
        int udp = sa.udpEncapsulated() ? Udp.HEADER : 0;
        int grow = udp + Esp.PAYLOAD;
        int tail = pad + Esp.TRAILER + Esp.ICV;
        int outTotal = total + grow + tail;
        if (outTotal > 0xFFFF) {
            return -1 - EspEncrypt.Errors.TOO_BIG.ordinal();
        }
        int offset = mem.dataOffset(bi);
        if (offset < grow) {
            return -1 - EspEncrypt.Errors.NO_HEADROOM.ordinal();
        }
        if (mem.bufferBytes(bi) - offset - total < tail) {
            return -1 - EspEncrypt.Errors.NO_TAILROOM.ordinal();
        }
        long seq = frame != null ? frame.take(sa) : sa.sequence().next();
        if (seq < 1) {
            return -1 - refused(sa, seq);
        }
        if (counters != null) {
            counters.account(sa, inner);
        } else {
            sa.counters().account(inner);
        }

        // Trailer right after the inner packet (RFC 4303 section 2.4: padding bytes 1, 2, 3...).
        long trailer = ip + total;
        for (int i = 1; i <= pad; i++) {
            data.set(Net.U8, trailer + i - 1, (byte) i);
        }
        data.set(Net.U8, trailer + pad, (byte) pad);
        data.set(Net.U8, trailer + pad + 1, (byte) protocol);

        long outer = ip - grow;
        MemorySegment.copy(data, ip, data, outer, Ip4.MIN_HEADER);
        data.set(Net.U16, outer + Ip4.TOTAL_LENGTH, (short) outTotal);
        data.set(Net.U8, outer + Ip4.PROTOCOL, (byte) (udp != 0 ? IpProtocol.UDP : IpProtocol.ESP));
        data.set(Net.U16, outer + Ip4.CHECKSUM, (short) 0);
        data.set(Net.U16, outer + Ip4.CHECKSUM, (short) Checksum.compute(data, outer, Ip4.MIN_HEADER));
        long esp = outer + Ip4.MIN_HEADER;
        if (udp != 0) {
            // RFC 3948 section 2.1: checksum 0, which RFC 768 allows over IPv4 and 3948 asks for.
            data.set(Net.U16, esp, (short) sa.udpSourcePort());
            data.set(Net.U16, esp + 2, (short) sa.udpDestinationPort());
            data.set(Net.U16, esp + 4, (short) (outTotal - Ip4.MIN_HEADER));
            data.set(Net.U16, esp + 6, (short) 0);
            esp += Udp.HEADER;
        }
        data.set(Net.U32, esp, sa.spi());
        data.set(Net.U32, esp + 4, (int) seq);
        // The IV is the full sequence number: unique under the key (RFC 4106 section 3.1).
        data.set(Net.U64, esp + Esp.HEADER, seq);

        mem.push(bi, grow);
        mem.length(bi, outTotal);
        mem.l3Offset(bi, mem.dataOffset(bi));
        return EspEncrypt.Arcs.REWRITE.ordinal();
    }

    /**
     * Encrypts an encapsulated packet in place and writes its ICV. The AAD is the SPI and the
     * sequence number, 8 bytes; with ESN 12: SPI, high half, low half (RFC 4106 section 5). The
     * high half is not on the wire, but our IV is the 64-bit sequence number, high half first,
     * so SPI written over the low half right before the IV makes the 12 bytes contiguous; the
     * low half is written back afterwards.
     */
    public static int seal(PacketMemory mem, MemorySegment data, int bi, SaState sa, AeadEngine engine) {
        long esp = mem.start(bi) + Ip4.MIN_HEADER + (sa.udpEncapsulated() ? Udp.HEADER : 0);
        int text = mem.length(bi) - (int) (esp - mem.start(bi)) - Esp.PAYLOAD - Esp.ICV;
        long seq = data.get(Net.U64, esp + Esp.HEADER);
        boolean sealed;
        if (sa.esn()) {
            data.set(Net.U32, esp + 4, sa.spi());
            sealed = engine.seal(sa.key(), seq, data, esp + 4, ESN_AAD, data, esp + Esp.PAYLOAD, text);
            data.set(Net.U32, esp + 4, (int) seq);
        } else {
            sealed = engine.seal(sa.key(), seq, data, esp, Esp.HEADER, data, esp + Esp.PAYLOAD, text);
        }
        if (!sealed) {
            sa.counters().drop(SaDrop.CRYPTO_ERROR);
            return -1 - EspEncrypt.Errors.CRYPTO_ERROR.ordinal();
        }
        return EspEncrypt.Arcs.REWRITE.ordinal();
    }

    /** The error for a refused sequence number, counted on the SA. */
    private static int refused(SaState sa, long code) {
        if (code == SequenceSource.EXHAUSTED || code == 0) {
            sa.counters().drop(SaDrop.SEQUENCE_EXHAUSTED);
            return EspEncrypt.Errors.SEQUENCE_EXHAUSTED.ordinal();
        }
        if (code == SequenceSource.CLOSED) {
            sa.counters().drop(SaDrop.SEQUENCE_CLOSED);
            return EspEncrypt.Errors.SEQUENCE_CLOSED.ordinal();
        }
        sa.counters().drop(SaDrop.SEQUENCE_PENDING);
        return EspEncrypt.Errors.SEQUENCE_PENDING.ordinal();
    }
}
