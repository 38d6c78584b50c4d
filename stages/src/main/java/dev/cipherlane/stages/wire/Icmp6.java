package dev.cipherlane.stages.wire;

import dev.cipherlane.stages.buffer.Net;
import java.lang.foreign.MemorySegment;

/**
 * ICMPv6 message header (RFC 4443 section 2.1), the message types the dataplane tells
 * apart, and the checksum over the IPv6 pseudo-header (RFC 8200 section 8.1, RFC 4443
 * section 2.3). Offsets are from the first byte of the ICMPv6 header.
 */
public final class Icmp6 {
    private Icmp6() {}

    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    /** Type, code and checksum; the message body follows. */
    public static final int HEADER = 4;

    /** RFC 4443 section 4. */
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    /** RFC 4861 section 4. */
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;

    /**
     * Whether the {@code length} bytes of ICMPv6 at {@code icmp}, carried in the IPv6 packet
     * whose header is at {@code ip}, sum to all ones with their pseudo-header (source,
     * destination, upper-layer length, next header 58).
     */
    public static boolean verify(MemorySegment data, long ip, long icmp, int length) {
        return Checksum.fold(sum(data, ip, icmp, length)) == 0xFFFF;
    }

    /** Computes and stores the checksum of a message whose checksum field may hold anything. */
    public static void writeChecksum(MemorySegment data, long ip, long icmp, int length) {
        data.set(Net.U16, icmp + CHECKSUM, (short) 0);
        data.set(Net.U16, icmp + CHECKSUM, (short) (~Checksum.fold(sum(data, ip, icmp, length)) & 0xFFFF));
    }

    private static long sum(MemorySegment data, long ip, long icmp, int length) {
        // The pseudo-header's 32-bit length and its zero-padded next header are two 32-bit
        // words; adding their values to the accumulator adds the words.
        long acc = Checksum.sum(data, ip + Ip6.SOURCE, 32, (long) length + IpProtocol.ICMP6);
        return Checksum.sum(data, icmp, length, acc);
    }
}
