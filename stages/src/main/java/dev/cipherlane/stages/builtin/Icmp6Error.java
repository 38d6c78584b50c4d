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
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Turns a packet into the ICMPv6 error about it (RFC 4443), in the same buffer, and sends
 * the error to {@code ip6-lookup}. The IPv6 twin of {@link Icmp4Error}: the packet arrives
 * starting at its IPv6 header with the request in its opaque word ({@link IcmpErrorRequest}).
 *
 * <p>Quote: as much of the invoking packet as fits without the error exceeding the minimum
 * IPv6 MTU of 1280 bytes (RFC 4443 section 2.4 (c)), i.e. up to 1232 bytes, left in place
 * with the 40-byte IPv6 and 8-byte ICMPv6 headers put in the headroom in front.
 *
 * <p>The error: hop limit 64, source an address of the interface the invoking packet came
 * in on (a global one unless the destination is link-local; RFC 4443 section 2.2),
 * destination the invoking packet's source, checksum over the pseudo-header (RFC 8200
 * section 8.1). Packet Too Big carries the MTU and Parameter Problem the pointer in the
 * 32-bit field after the checksum.
 *
 * <p>No error is sent (RFC 4443 section 2.4 (e)) about an ICMPv6 error (type below 128), a
 * packet to a multicast address (except Packet Too Big and Parameter Problem code 2), or a
 * packet whose source is unspecified, loopback or multicast. A non-first fragment of
 * ICMPv6 is treated as a possible error and not answered; link-layer multicast cannot be
 * seen at this layer. Errors are rate limited per worker (section 2.4 (f)).
 */
public final class Icmp6Error extends IcmpError {
    public static final String NAME = "icmp6-error";

    public static final StageSpec SPEC = spec(NAME);

    /** IPv6 minimum MTU (RFC 8200 section 5), the ceiling for an error (RFC 4443 section 2.4 (c)). */
    public static final int MAX_ERROR_BYTES = 1280;
    public static final int ERROR_HEADERS = Ip6.HEADER + ICMP_HEADER;
    public static final int MAX_QUOTE = MAX_ERROR_BYTES - ERROR_HEADERS;

    public static final String ERRORS_PER_SECOND = "icmp6-error.errors-per-second";
    public static final String BURST = "icmp6-error.burst";

    static final int HOP_LIMIT = 64;
    private static final int DESTINATION_UNREACHABLE = 1;
    private static final int PARAMETER_PROBLEM = 4;
    /** Parameter Problem code 2: unrecognised IPv6 option (RFC 4443 section 3.4). */
    private static final int UNRECOGNIZED_OPTION = 2;

    public Icmp6Error(Params params) {
        super(SPEC, params);
    }

    @Override
    int build(Params p, StageContext ctx, PacketMemory mem, MemorySegment data, int bi) {
        int request = mem.opaque(bi);
        int type = IcmpErrorRequest.type(request);
        int code = IcmpErrorRequest.code(request);
        if (type < DESTINATION_UNREACHABLE || type > PARAMETER_PROBLEM) {
            return Errors.BAD_REQUEST.ordinal();
        }
        int length = mem.length(bi);
        long ip = mem.start(bi);
        if (length < Ip6.HEADER || Byte.toUnsignedInt(data.get(Net.U8, ip)) >>> 4 != 6) {
            return Errors.MALFORMED.ordinal();
        }
        long srcHi = data.get(Net.U64, ip + Ip6.SOURCE);
        long srcLo = data.get(Net.U64, ip + Ip6.SOURCE + 8);
        if (suppressed(data, ip, length, srcHi, srcLo, type, code)) {
            return Errors.SUPPRESSED.ordinal();
        }
        NetInterface rx = p.interfaces().get(mem.rxInterface(bi));
        int address = rx == null ? -1 : sourceFor(rx, Ip6.isLinkLocal(srcHi));
        if (address < 0) {
            return Errors.NO_SOURCE_ADDRESS.ordinal();
        }
        if (!tryAcquire(p, ctx)) {
            return Errors.RATE_LIMITED.ordinal();
        }
        NetInterface.Ip6Address source = rx.ip6().get(address);

        int quote = Math.min(length, MAX_QUOTE);
        long h = prepend(mem, data, bi, ip, quote, ERROR_HEADERS);
        int payload = ICMP_HEADER + quote;

        data.set(Net.U32, h + Ip6.VERSION_CLASS_FLOW, 6 << 28);
        data.set(Net.U16, h + Ip6.PAYLOAD_LENGTH, (short) payload);
        data.set(Net.U8, h + Ip6.NEXT_HEADER, (byte) IpProtocol.ICMP6);
        data.set(Net.U8, h + Ip6.HOP_LIMIT, (byte) HOP_LIMIT);
        data.set(Net.U64, h + Ip6.SOURCE, source.hi());
        data.set(Net.U64, h + Ip6.SOURCE + 8, source.lo());
        data.set(Net.U64, h + Ip6.DESTINATION, srcHi);
        data.set(Net.U64, h + Ip6.DESTINATION + 8, srcLo);

        long icmp = h + Ip6.HEADER;
        // Packet Too Big: MTU; Parameter Problem: pointer; the others: unused, zero.
        int field = type == IcmpErrorRequest.ICMP6_PACKET_TOO_BIG || type == PARAMETER_PROBLEM
                ? IcmpErrorRequest.parameter(request) : 0;
        writeIcmpHeader(data, icmp, type, code, field);
        // RFC 8200 section 8.1 pseudo-header: both addresses, upper-layer length, next header.
        long acc = Checksum.sum(data, h + Ip6.SOURCE, 32, payload + IpProtocol.ICMP6);
        acc = Checksum.sum(data, icmp, payload, acc);
        data.set(Net.U16, icmp + 2, (short) (~Checksum.fold(acc) & 0xFFFF));

        int flags = (mem.flags(bi) | PacketFlags.IP6)
                & ~(PacketFlags.LOCAL | PacketFlags.NEEDS_CSUM | PacketFlags.CSUM_VALID);
        resetMetadata(mem, bi, Ip6.HEADER, flags,
                FlowHash.hash6(source.hi(), source.lo(), srcHi, srcLo, IpProtocol.ICMP6, 0, 0));
        return -1;
    }

    /** RFC 4443 section 2.4 (e): the packets that must not cause an ICMPv6 error. */
    static boolean suppressed(MemorySegment data, long ip, int length, long srcHi, long srcLo, int type, int code) {
        if (Ip6.isUnspecified(srcHi, srcLo) || Ip6.isLoopback(srcHi, srcLo) || Ip6.isMulticast(srcHi)) {
            return true;
        }
        boolean tooBigOrOption = type == IcmpErrorRequest.ICMP6_PACKET_TOO_BIG
                || (type == PARAMETER_PROBLEM && code == UNRECOGNIZED_OPTION);
        if (Ip6.isMulticast(data.get(Net.U64, ip + Ip6.DESTINATION)) && !tooBigOrOption) {
            return true;
        }
        int walk = Ip6.walk(data, ip, length);
        if (walk < 0) {
            return true;
        }
        if (Ip6.walkNextHeader(walk) != IpProtocol.ICMP6) {
            return false;
        }
        int at = Ip6.walkOffset(walk);
        // A later fragment or a missing type byte could hide an error message: stay silent.
        return (walk & Ip6.WALK_LATER_FRAGMENT) != 0 || at >= length
                || Byte.toUnsignedInt(data.get(Net.U8, ip + at)) < 128;
    }

    /**
     * Index in {@code itf.ip6()} of the error's source: the first address of the wanted scope
     * (link-local when answering a link-local source, else global), otherwise the first
     * address; -1 when the interface has none.
     */
    private static int sourceFor(NetInterface itf, boolean linkLocal) {
        List<NetInterface.Ip6Address> addresses = itf.ip6();
        int count = addresses.size();
        for (int i = 0; i < count; i++) {
            if (Ip6.isLinkLocal(addresses.get(i).hi()) == linkLocal) {
                return i;
            }
        }
        return count > 0 ? 0 : -1;
    }

    @Override
    String about(PacketMemory mem, int bi) {
        if (mem.length(bi) < Ip6.HEADER) {
            return "";
        }
        MemorySegment data = mem.data();
        long ip = mem.start(bi);
        return " about " + Prefixes.format6(data.get(Net.U64, ip + Ip6.SOURCE), data.get(Net.U64, ip + Ip6.SOURCE + 8));
    }
}
