package dev.cipherlane.ipsec.esp;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.sa.ReplayWindow;
import dev.cipherlane.ipsec.sa.SaDrop;
import dev.cipherlane.ipsec.sa.SaState;
import dev.cipherlane.ipsec.sa.SaTable;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;

/**
 * ESP on the way in, for one packet, in the three steps RFC 4303 section 3.4 orders:
 * {@link #check} (find the SA by SPI, reject replays before spending crypto on them, section
 * 3.4.3), {@link #open} (verify the ICV and decrypt, section 3.4.4) and {@link #finish} (only
 * now record the sequence number in the window, then check the trailer and strip ESP). A
 * pipeline may run {@link #open} on other threads; {@link #check} and {@link #finish} of one SA
 * run in packet order. {@code esp-decrypt} runs all three back to back.
 *
 * <p>Between the steps the packet carries its SA index in {@code saIndex} and the high half of
 * its sequence number (0 without ESN) in {@code opaque}. Return values are
 * {@link EspDecrypt.Arcs#IPIP} (go on), {@link EspDecrypt.Arcs#IKE} (from {@link #check} only) or
 * {@code -1 - error}, the error one of {@link EspDecrypt}'s.
 */
public final class EspInbound {
    private EspInbound() {}

    /**
     * Parses the outer header (IPv4, protocol 50, or UDP to port 4500 per RFC 3948), tells IKE
     * (non-ESP marker) and NAT keepalives from ESP, finds the inbound SA by SPI and checks the
     * sequence number against its replay window. Trims link padding past the IP total length.
     */
    public static int check(PacketMemory mem, MemorySegment data, int bi, SaTable.Snapshot sas) {
        int arc = parse(mem, data, bi, sas);
        return arc != EspDecrypt.Arcs.IPIP.ordinal() ? arc : checkWindow(mem, data, bi, sas.state(mem.saIndex(bi)));
    }

    /**
     * {@link #check} up to the window: the headers, the SA by SPI and its hard limit. On
     * {@link EspDecrypt#ARC_IPIP} the packet's length is trimmed to the IP total length and its
     * {@code saIndex} is the inbound SA's.
     */
    static int parse(PacketMemory mem, MemorySegment data, int bi, SaTable.Snapshot sas) {
        int length = mem.length(bi);
        if (length < Ip4.MIN_HEADER) {
            return -1 - EspDecrypt.Errors.RUNT.ordinal();
        }
        long ip = mem.start(bi);
        int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL));
        int headerLength = (versionIhl & 0x0F) * 4;
        if (versionIhl >>> 4 != 4 || headerLength < Ip4.MIN_HEADER) {
            return -1 - EspDecrypt.Errors.NOT_IP4.ordinal();
        }
        int total = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TOTAL_LENGTH));
        if (total > length || total < headerLength) {
            return -1 - EspDecrypt.Errors.LENGTH_MISMATCH.ordinal();
        }
        if ((data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT) & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
            return -1 - EspDecrypt.Errors.OUTER_FRAGMENT.ordinal();
        }
        int protocol = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL));
        int at = headerLength;
        if (protocol == IpProtocol.UDP) {
            if (total - headerLength < Udp.HEADER) {
                return -1 - EspDecrypt.Errors.RUNT.ordinal();
            }
            long udp = ip + headerLength;
            if (Short.toUnsignedInt(data.get(Net.U16, udp + 2)) != Udp.NAT_TRAVERSAL_PORT) {
                return -1 - EspDecrypt.Errors.NOT_ESP.ordinal();
            }
            if (Short.toUnsignedInt(data.get(Net.U16, udp + 4)) != total - headerLength) {
                return -1 - EspDecrypt.Errors.LENGTH_MISMATCH.ordinal();
            }
            int payload = total - headerLength - Udp.HEADER;
            long first = udp + Udp.HEADER;
            if (payload == 1 && Byte.toUnsignedInt(data.get(Net.U8, first)) == Esp.NAT_KEEPALIVE) {
                return -1 - EspDecrypt.Errors.NAT_KEEPALIVE.ordinal();
            }
            if (payload >= Esp.NON_ESP_MARKER && data.get(Net.U32, first) == 0) {
                // RFC 3948 section 2.2: a zero where the SPI would be marks IKE.
                return EspDecrypt.Arcs.IKE.ordinal();
            }
            at += Udp.HEADER;
        } else if (protocol != IpProtocol.ESP) {
            return -1 - EspDecrypt.Errors.NOT_ESP.ordinal();
        }
        if (total - at < Esp.MIN_PACKET) {
            return -1 - EspDecrypt.Errors.RUNT.ordinal();
        }
        long esp = ip + at;
        int index = sas.findInbound(data.get(Net.U32, esp));
        SaState sa = sas.state(index);
        if (sa == null) {
            return -1 - EspDecrypt.Errors.UNKNOWN_SPI.ordinal();
        }
        if (!sa.usable()) {
            sa.counters().drop(SaDrop.HARD_LIMIT);
            return -1 - EspDecrypt.Errors.HARD_LIMIT.ordinal();
        }
        mem.length(bi, total);
        mem.saIndex(bi, index);
        return EspDecrypt.Arcs.IPIP.ordinal();
    }

    /**
     * The rest of {@link #check} for a packet {@link #parse} passed: its full sequence number
     * (ESN inferred from the window) must be new to the window (RFC 4303 section 3.4.3);
     * the high half goes to {@code opaque}.
     */
    static int checkWindow(PacketMemory mem, MemorySegment data, int bi, SaState sa) {
        ReplayWindow window = sa.window();
        long seq = window.sequence(data.get(Net.U32, mem.start(bi) + espOffset(data, mem.start(bi)) + 4));
        int verdict = window.check(seq);
        if (verdict != ReplayWindow.OK) {
            return -1 - replayed(sa, verdict);
        }
        mem.opaque(bi, (int) (seq >>> 32));
        return EspDecrypt.Arcs.IPIP.ordinal();
    }

    /**
     * Verifies the ICV and decrypts the payload in place (RFC 4303 section 3.4.4). The AAD is
     * SPI and sequence number, with ESN SPI, high half, low half (RFC 4106 section 5): the high
     * half is not on the wire, so for ESN the 12 bytes are staged over the sequence number and
     * IV fields, right before the payload, and those are written back afterwards.
     */
    public static int open(PacketMemory mem, MemorySegment data, int bi, SaState sa, AeadEngine engine) {
        long ip = mem.start(bi);
        int at = espOffset(data, ip);
        long esp = ip + at;
        int text = mem.length(bi) - at - Esp.PAYLOAD - Esp.ICV;
        long iv = data.get(Net.U64, esp + Esp.HEADER);
        boolean opened;
        if (sa.esn()) {
            int low = data.get(Net.U32, esp + 4);
            data.set(Net.U32, esp + 4, sa.spi());
            data.set(Net.U32, esp + 8, mem.opaque(bi));
            data.set(Net.U32, esp + 12, low);
            opened = engine.open(sa.key(), iv, data, esp + 4, EspOutbound.ESN_AAD, data, esp + Esp.PAYLOAD, text);
            data.set(Net.U32, esp + 4, low);
            data.set(Net.U64, esp + Esp.HEADER, iv);
        } else {
            opened = engine.open(sa.key(), iv, data, esp, Esp.HEADER, data, esp + Esp.PAYLOAD, text);
        }
        if (!opened) {
            sa.counters().drop(SaDrop.INTEGRITY);
            return -1 - EspDecrypt.Errors.INTEGRITY.ordinal();
        }
        return EspDecrypt.Arcs.IPIP.ordinal();
    }

    /**
     * After the ICV passed: records the sequence number in the window (refusing it if another
     * worker accepted the same number meanwhile), checks the trailer (padding 1, 2, 3...,
     * RFC 4303 section 2.4; next header IPv4 or IPv6) and strips UDP, ESP header, IV, trailer
     * and ICV, leaving the outer IPv4 header (protocol = next header, length and checksum
     * fixed) right before the inner packet for {@code ipip-decap}.
     */
    public static int finish(PacketMemory mem, MemorySegment data, int bi, SaState sa) {
        return finish(mem, data, bi, sa, null);
    }

    /** As {@link #finish(PacketMemory, MemorySegment, int, SaState)}, counting into {@code counters} unless null. */
    static int finish(PacketMemory mem, MemorySegment data, int bi, SaState sa, FrameCounters counters) {
        int arc = accept(mem, data, bi, sa);
        return arc != EspDecrypt.Arcs.IPIP.ordinal() ? arc : strip(mem, data, bi, sa, counters);
    }

    /**
     * The first half of {@link #finish}: records the sequence number in the window, refusing it
     * if another packet (another worker's, or an earlier one of the same frame) was accepted
     * with it since {@link #checkWindow}.
     */
    static int accept(PacketMemory mem, MemorySegment data, int bi, SaState sa) {
        long esp = mem.start(bi) + espOffset(data, mem.start(bi));
        long seq = (long) mem.opaque(bi) << 32 | Integer.toUnsignedLong(data.get(Net.U32, esp + 4));
        int verdict = sa.window().accept(seq);
        return verdict == ReplayWindow.OK ? EspDecrypt.Arcs.IPIP.ordinal() : -1 - replayed(sa, verdict);
    }

    /** The second half of {@link #finish}, for an accepted packet: the trailer checked, ESP stripped. */
    static int strip(PacketMemory mem, MemorySegment data, int bi, SaState sa, FrameCounters counters) {
        long ip = mem.start(bi);
        int at = espOffset(data, ip);
        long esp = ip + at;
        int text = mem.length(bi) - at - Esp.PAYLOAD - Esp.ICV;
        long end = esp + Esp.PAYLOAD + text;
        int nextHeader = Byte.toUnsignedInt(data.get(Net.U8, end - 1));
        int pad = Byte.toUnsignedInt(data.get(Net.U8, end - 2));
        if (pad > text - Esp.TRAILER || !paddingValid(data, end - Esp.TRAILER - pad, pad)) {
            sa.counters().drop(SaDrop.BAD_PADDING);
            return -1 - EspDecrypt.Errors.BAD_PADDING.ordinal();
        }
        if (nextHeader != IpProtocol.IPIP4 && nextHeader != IpProtocol.IPIP6) {
            sa.counters().drop(SaDrop.BAD_NEXT_HEADER);
            return -1 - EspDecrypt.Errors.BAD_NEXT_HEADER.ordinal();
        }
        int inner = text - Esp.TRAILER - pad;
        if (counters != null) {
            counters.account(sa, inner);
        } else {
            sa.counters().account(inner);
        }

        int headerLength = (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) & 0x0F) * 4;
        long outer = esp + Esp.PAYLOAD - headerLength;
        MemorySegment.copy(data, ip, data, outer, headerLength);
        data.set(Net.U8, outer + Ip4.PROTOCOL, (byte) nextHeader);
        data.set(Net.U16, outer + Ip4.TOTAL_LENGTH, (short) (headerLength + inner));
        data.set(Net.U16, outer + Ip4.CHECKSUM, (short) 0);
        data.set(Net.U16, outer + Ip4.CHECKSUM, (short) Checksum.compute(data, outer, headerLength));
        mem.push(bi, -(int) (outer - ip));
        mem.length(bi, headerLength + inner);
        mem.l3Offset(bi, mem.dataOffset(bi));
        mem.opaque(bi, 0);
        // Whatever the uplink said of a checksum (partial, or verified) was about the outer
        // UDP or the ciphertext; nothing is known yet of the inner packet's own.
        mem.flags(bi, mem.flags(bi) & ~(PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID));
        mem.gsoType(bi, 0);
        mem.gsoSize(bi, 0);
        return EspDecrypt.Arcs.IPIP.ordinal();
    }

    /** Offset of the SPI from the IP header of a packet {@link #check} accepted. */
    private static int espOffset(MemorySegment data, long ip) {
        int headerLength = (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL)) & 0x0F) * 4;
        boolean udp = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL)) == IpProtocol.UDP;
        return udp ? headerLength + Udp.HEADER : headerLength;
    }

    /** RFC 4303 section 2.4: the padding bytes are 1, 2, 3... in order. */
    private static boolean paddingValid(MemorySegment data, long from, int pad) {
        for (int i = 0; i < pad; i++) {
            if (Byte.toUnsignedInt(data.get(Net.U8, from + i)) != i + 1) {
                return false;
            }
        }
        return true;
    }

    private static int replayed(SaState sa, int verdict) {
        if (verdict == ReplayWindow.REPLAY) {
            sa.counters().drop(SaDrop.REPLAY);
            return EspDecrypt.Errors.REPLAY.ordinal();
        }
        if (verdict == ReplayWindow.UNPERSISTED) {
            sa.counters().drop(SaDrop.REPLAY_UNPERSISTED);
            return EspDecrypt.Errors.REPLAY_UNPERSISTED.ordinal();
        }
        sa.counters().drop(SaDrop.TOO_OLD);
        return EspDecrypt.Errors.TOO_OLD.ordinal();
    }
}
