package dev.cipherlane.stages.builtin;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.fib.Prefixes;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.net.NetInterface;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * Turns a packet into the ICMPv4 error about it, in the same buffer, and sends the error to
 * {@code ip4-lookup} to be routed back to the sender. The packet arrives starting at its IP
 * header, with the error wanted in its opaque word ({@link IcmpErrorRequest}).
 *
 * <p>Quote: as much of the invoking packet as keeps the error within 576 bytes (RFC 1812
 * section 4.3.2.3), i.e. up to 548 bytes, rather than RFC 792's header plus 8 bytes: the
 * longer quote lets the sender match the error to a tunnel or a socket even behind options
 * or encapsulation. Those first bytes stay where they are and become the ICMP payload; the
 * 8-byte ICMP header and a 20-byte IP header go into the headroom in front (or, if the
 * headroom is short, the quote moves right first).
 *
 * <p>Layout of the error: IP header (TOS precedence 6, RFC 1812 section 4.3.2.5; DF set and
 * ID 0, an atomic datagram per RFC 6864 section 4.1; TTL 64; source the primary address of
 * the interface the invoking packet came in on, RFC 1812 section 4.3.2.4; destination the
 * invoking packet's source), then type, code, checksum, and the 4-byte field that holds the
 * next-hop MTU for Fragmentation Needed (RFC 1191 section 4) or the pointer for Parameter
 * Problem.
 *
 * <p>No error is sent (RFC 1812 section 4.3.2.7) about an ICMP error (types other than the
 * queries and replies count as errors, so an unknown type is never answered), a fragment
 * other than the first, a packet to multicast or broadcast, or a packet whose source does not
 * name one host. Errors are rate limited per worker by a token bucket (RFC 1812 section
 * 4.3.2.8).
 */
public final class Icmp4Error extends IcmpError {
    public static final String NAME = "icmp4-error";

    public static final StageSpec SPEC = spec(NAME);

    /** Largest error datagram, RFC 1812 section 4.3.2.3. */
    public static final int MAX_ERROR_BYTES = 576;
    public static final int ERROR_HEADERS = Ip4.MIN_HEADER + ICMP_HEADER;
    public static final int MAX_QUOTE = MAX_ERROR_BYTES - ERROR_HEADERS;

    public static final String ERRORS_PER_SECOND = "icmp4-error.errors-per-second";
    public static final String BURST = "icmp4-error.burst";

    static final int TTL = 64;
    /** Precedence 6, internetwork control (RFC 1812 section 4.3.2.5). */
    static final int TOS = 0xC0;
    private static final int PARAMETER_PROBLEM = 12;

    public Icmp4Error(Params params) {
        super(SPEC, params);
    }

    @Override
    int build(Params p, StageContext ctx, PacketMemory mem, MemorySegment data, int bi) {
        int request = mem.opaque(bi);
        int type = IcmpErrorRequest.type(request);
        if (type != IcmpErrorRequest.ICMP4_UNREACHABLE && type != IcmpErrorRequest.ICMP4_TIME_EXCEEDED
                && type != PARAMETER_PROBLEM) {
            return Errors.BAD_REQUEST.ordinal();
        }
        int length = mem.length(bi);
        long ip = mem.start(bi);
        if (length < Ip4.MIN_HEADER) {
            return Errors.MALFORMED.ordinal();
        }
        int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, ip));
        int headerLength = (versionIhl & 0xF) * 4;
        if (versionIhl >>> 4 != 4 || headerLength < Ip4.MIN_HEADER || headerLength > length) {
            return Errors.MALFORMED.ordinal();
        }
        int originalSource = data.get(Net.U32, ip + Ip4.SOURCE);
        if (suppressed(data, ip, length, headerLength, originalSource)) {
            return Errors.SUPPRESSED.ordinal();
        }
        NetInterface rx = p.interfaces().get(mem.rxInterface(bi));
        int source = rx == null ? 0 : rx.primary4();
        if (source == 0) {
            return Errors.NO_SOURCE_ADDRESS.ordinal();
        }
        if (!tryAcquire(p, ctx)) {
            return Errors.RATE_LIMITED.ordinal();
        }

        int quote = Math.min(length, MAX_QUOTE);
        long h = prepend(mem, data, bi, ip, quote, ERROR_HEADERS);

        int total = ERROR_HEADERS + quote;
        data.set(Net.U8, h + Ip4.VERSION_IHL, (byte) 0x45);
        data.set(Net.U8, h + Ip4.TOS, (byte) TOS);
        data.set(Net.U16, h + Ip4.TOTAL_LENGTH, (short) total);
        data.set(Net.U16, h + Ip4.IDENTIFICATION, (short) 0);
        data.set(Net.U16, h + Ip4.FLAGS_FRAGMENT, (short) Ip4.DONT_FRAGMENT);
        data.set(Net.U8, h + Ip4.TTL, (byte) TTL);
        data.set(Net.U8, h + Ip4.PROTOCOL, (byte) IpProtocol.ICMP);
        data.set(Net.U16, h + Ip4.CHECKSUM, (short) 0);
        data.set(Net.U32, h + Ip4.SOURCE, source);
        data.set(Net.U32, h + Ip4.DESTINATION, originalSource);
        data.set(Net.U16, h + Ip4.CHECKSUM, (short) Checksum.compute(data, h, Ip4.MIN_HEADER));

        long icmp = h + Ip4.MIN_HEADER;
        int parameter = IcmpErrorRequest.parameter(request);
        // RFC 1191 section 4: low 16 bits of the unused word carry the next-hop MTU;
        // RFC 792: Parameter Problem puts its pointer in the first byte.
        int field = type == PARAMETER_PROBLEM ? parameter << 24
                : type == IcmpErrorRequest.ICMP4_UNREACHABLE ? parameter : 0;
        writeIcmpHeader(data, icmp, type, IcmpErrorRequest.code(request), field);
        data.set(Net.U16, icmp + 2, (short) Checksum.compute(data, icmp, ICMP_HEADER + quote));

        int flags = mem.flags(bi) & ~(PacketFlags.IP6 | PacketFlags.LOCAL | PacketFlags.NEEDS_CSUM
                | PacketFlags.CSUM_VALID);
        resetMetadata(mem, bi, Ip4.MIN_HEADER, flags, FlowHash.hash4(source, originalSource, IpProtocol.ICMP, 0, 0));
        return -1;
    }

    /** RFC 1812 section 4.3.2.7: the packets that must not cause an ICMP error. */
    static boolean suppressed(MemorySegment data, long ip, int length, int headerLength, int source) {
        if (Ip4.isInvalidSource(source)) {
            return true;
        }
        if (Ip4.isMulticastOrBroadcast(data.get(Net.U32, ip + Ip4.DESTINATION))) {
            return true;
        }
        if ((data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT) & Ip4.FRAGMENT_OFFSET_MASK) != 0) {
            return true;
        }
        if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL)) != IpProtocol.ICMP) {
            return false;
        }
        // Without its type byte an ICMP packet might be an error: stay silent.
        return length <= headerLength || !isQueryOrReply(Byte.toUnsignedInt(data.get(Net.U8, ip + headerLength)));
    }

    /**
     * ICMP types that are not errors: echo reply and request (0, 8), router advertisement and
     * solicitation (9, 10), timestamp (13, 14), information (15, 16), address mask (17, 18).
     */
    private static boolean isQueryOrReply(int type) {
        return type == 0 || type == 8 || type == 9 || type == 10 || (type >= 13 && type <= 18);
    }

    @Override
    String about(PacketMemory mem, int bi) {
        return mem.length(bi) >= Ip4.MIN_HEADER
                ? " about " + Prefixes.format4(mem.u32(bi, Ip4.SOURCE)) + " -> " + Prefixes.format4(mem.u32(bi, Ip4.DESTINATION))
                : "";
    }
}
