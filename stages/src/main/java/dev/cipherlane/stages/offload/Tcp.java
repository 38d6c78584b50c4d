package dev.cipherlane.stages.offload;

import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * TCP header layout (RFC 9293 section 3.1), its checksum pseudo-headers, and the one walk
 * over IPv6 extension headers that segmentation and coalescing accept. Offsets are from the
 * first byte of the TCP header.
 */
public final class Tcp {
    private Tcp() {}

    public static final int SOURCE_PORT = 0;
    public static final int DESTINATION_PORT = 2;
    public static final int SEQUENCE = 4;
    public static final int ACKNOWLEDGMENT = 8;
    /** Data offset in the top four bits (32-bit words), then reserved bits. */
    public static final int DATA_OFFSET = 12;
    public static final int FLAGS = 13;
    public static final int WINDOW = 14;
    public static final int CHECKSUM = 16;
    public static final int URGENT_POINTER = 18;

    public static final int MIN_HEADER = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    /** {@link #ip6TcpOffset}: the chain ends in an upper layer other than TCP. */
    public static final int IP6_NOT_TCP = -1;
    /** {@link #ip6TcpOffset}: an extension header runs past the datagram. */
    public static final int IP6_TRUNCATED = -2;
    /** {@link #ip6TcpOffset}: a Routing, Fragment or AH header stands before TCP. */
    public static final int IP6_UNSUPPORTED = -3;

    /** Header length in bytes from the data offset field at {@code tcp}. */
    public static int headerLength(MemorySegment data, long tcp) {
        return (Byte.toUnsignedInt(data.get(Net.U8, tcp + DATA_OFFSET)) >>> 4) * 4;
    }

    /**
     * Unfolded sum of the IPv4 pseudo-header (RFC 9293 section 3.1): source, destination,
     * zero, protocol, TCP length. {@code ip} is the IPv4 header.
     */
    public static long pseudoHeader4(MemorySegment data, long ip, int tcpLength) {
        return Checksum.sum(data, ip + Ip4.SOURCE, 8, IpProtocol.TCP + tcpLength);
    }

    /**
     * Unfolded sum of the IPv6 pseudo-header (RFC 8200 section 8.1): source, destination,
     * 32-bit upper-layer length, three zero bytes, next header. The destination is the one in
     * the fixed header, which is the final one because {@link #ip6TcpOffset} refuses Routing
     * headers.
     */
    public static long pseudoHeader6(MemorySegment data, long ip, int tcpLength) {
        return Checksum.sum(data, ip + Ip6.SOURCE, 32, IpProtocol.TCP + tcpLength);
    }

    /**
     * Offset of the TCP header from the IPv6 header at {@code ip}, stepping over Hop-by-Hop
     * and Destination Options headers (RFC 8200 sections 4.3 and 4.6), or one of the negative
     * {@code IP6_*} codes. Routing headers are refused because the pseudo-header would need
     * the last address of the route (RFC 8200 section 8.1), Fragment headers because a
     * fragment is not a TCP segment, AH because rewriting lengths would break its ICV.
     * {@code ipLength} bounds the walk: the IPv6 header plus its payload length.
     */
    public static int ip6TcpOffset(MemorySegment data, long ip, int ipLength) {
        int next = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip6.NEXT_HEADER));
        int at = Ip6.HEADER;
        for (int i = 0; i <= Ip6.MAX_EXTENSION_HEADERS; i++) {
            if (next == IpProtocol.TCP) {
                return at;
            }
            if (next != Ip6.HOP_BY_HOP && next != Ip6.DESTINATION_OPTIONS) {
                return next == Ip6.ROUTING || next == Ip6.FRAGMENT || next == Ip6.AUTH
                        ? IP6_UNSUPPORTED : IP6_NOT_TCP;
            }
            if (at + 2 > ipLength) {
                return IP6_TRUNCATED;
            }
            int size = (Byte.toUnsignedInt(data.get(Net.U8, ip + at + 1)) + 1) * 8;
            if (at + size > ipLength) {
                return IP6_TRUNCATED;
            }
            next = Byte.toUnsignedInt(data.get(Net.U8, ip + at));
            at += size;
        }
        return IP6_UNSUPPORTED;
    }
}
