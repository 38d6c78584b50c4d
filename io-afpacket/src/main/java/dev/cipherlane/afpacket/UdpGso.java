package dev.cipherlane.afpacket;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ethernet;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.stages.wire.Udp;
import java.lang.foreign.MemorySegment;

/**
 * UDP super-frames as Linux's UDP segmentation offload knows them (virtio-net gso_type
 * {@code GSO_UDP_L4}): one Ethernet, IP and UDP header followed by the payloads of several
 * datagrams of one flow, each {@code gso_size} bytes but the last, which may be shorter.
 * The kernel cuts it into datagrams (Linux {@code __udp_gso_segment}): the same headers on
 * each, IPv4 total length, identification (counting up from the first) and header checksum
 * rewritten, the UDP length set and the UDP checksum completed per datagram.
 *
 * <p>Sending: the frames of a graph frame that go out of the same uplink one after the
 * other to the same UDP flow with the same length (ESP in UDP, RFC 3948, of a TCP stream
 * segmented to one MSS) {@link #fits join} into one super-frame: the first datagram's
 * headers rewritten for the whole ({@link #writeHeaders}) and every datagram's payload,
 * gathered from the packet buffers where they lie ({@link GsoSocket}) and sent with one
 * system call: one skb through the kernel instead of dozens. Receiving: a
 * super-frame the kernel hands over whole (from a veth peer that sent one, or a NIC's UDP
 * GRO) is cut back ({@link #finishSegment}) into datagrams, as the kernel would have.
 *
 * <p>Only plain datagrams join: IPv4 without options and not a fragment, or IPv6 whose next
 * header is UDP, lengths in the headers agreeing with the frame, no VLAN tag.
 */
public final class UdpGso {
    private UdpGso() {}

    /** Payload offset of a plain IPv4 UDP datagram in an Ethernet frame. */
    static final int IP4_PAYLOAD = Ethernet.HEADER_LENGTH + Ip4.MIN_HEADER + Udp.HEADER;
    /** Payload offset of a plain IPv6 UDP datagram in an Ethernet frame. */
    static final int IP6_PAYLOAD = Ethernet.HEADER_LENGTH + Ip6.HEADER + Udp.HEADER;
    /** Linux refuses UDP GSO of more datagrams than this (UDP_MAX_SEGMENTS). */
    static final int MAX_SEGMENTS = 64;
    /** Largest IPv4 total length, or IPv6 payload length: what one super-frame may carry. */
    static final int MAX_IP_LENGTH = 0xFFFF;
    /** Largest super-frame: one IP packet's worth behind an Ethernet header. */
    static final int MAX_FRAME = Ethernet.HEADER_LENGTH + Ip6.HEADER + MAX_IP_LENGTH;

    /**
     * Offset of the UDP payload of the frame of {@code length} bytes at {@code start} when
     * it is a plain datagram that may join a super-frame, else -1.
     */
    static int payloadOffset(MemorySegment d, long start, int length) {
        if (length < IP4_PAYLOAD) {
            return -1;
        }
        int type = Short.toUnsignedInt(d.get(Net.U16, start + Ethernet.ETHERTYPE));
        long ip = start + Ethernet.HEADER_LENGTH;
        if (type == Ethernet.ETHERTYPE_IP4) {
            if (Byte.toUnsignedInt(d.get(Net.U8, ip + Ip4.VERSION_IHL)) != 0x45
                    || Byte.toUnsignedInt(d.get(Net.U8, ip + Ip4.PROTOCOL)) != IpProtocol.UDP
                    || (Short.toUnsignedInt(d.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT))
                        & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0
                    || Short.toUnsignedInt(d.get(Net.U16, ip + Ip4.TOTAL_LENGTH)) != length - Ethernet.HEADER_LENGTH
                    || udpLength(d, start + IP4_PAYLOAD) != length - IP4_PAYLOAD + Udp.HEADER) {
                return -1;
            }
            return IP4_PAYLOAD;
        }
        if (type == Ethernet.ETHERTYPE_IP6 && length >= IP6_PAYLOAD) {
            if ((Byte.toUnsignedInt(d.get(Net.U8, ip + Ip6.VERSION_CLASS_FLOW)) >>> 4) != 6
                    || Byte.toUnsignedInt(d.get(Net.U8, ip + Ip6.NEXT_HEADER)) != IpProtocol.UDP
                    || Short.toUnsignedInt(d.get(Net.U16, ip + Ip6.PAYLOAD_LENGTH)) != length - Ethernet.HEADER_LENGTH - Ip6.HEADER
                    || udpLength(d, start + IP6_PAYLOAD) != length - IP6_PAYLOAD + Udp.HEADER) {
                return -1;
            }
            return IP6_PAYLOAD;
        }
        return -1;
    }

    private static int udpLength(MemorySegment d, long payload) {
        return Short.toUnsignedInt(d.get(Net.U16, payload - Udp.HEADER + Udp.LENGTH));
    }

    /**
     * Whether the datagram at {@code b} may follow the one at {@code a} in a super-frame,
     * both plain datagrams with payload at {@code payloadOffset}: every header field that the
     * kernel copies to each segment is equal (MAC addresses and type; IPv4 version to TOS,
     * flags, TTL, protocol and addresses; IPv6 version, class, flow label, next header, hop
     * limit and addresses; UDP ports). Lengths, IPv4 identification and the checksums differ
     * and are rewritten per segment.
     */
    static boolean sameFlow(MemorySegment d, long a, long b, int payloadOffset) {
        if (d.get(Net.U64, a) != d.get(Net.U64, b) || d.get(Net.U32, a + 8) != d.get(Net.U32, b + 8)
                || d.get(Net.U16, a + 12) != d.get(Net.U16, b + 12)) {
            return false;
        }
        long ia = a + Ethernet.HEADER_LENGTH;
        long ib = b + Ethernet.HEADER_LENGTH;
        if (payloadOffset == IP4_PAYLOAD) {
            return d.get(Net.U16, ia) == d.get(Net.U16, ib)
                    && d.get(Net.U16, ia + Ip4.FLAGS_FRAGMENT) == d.get(Net.U16, ib + Ip4.FLAGS_FRAGMENT)
                    && d.get(Net.U16, ia + Ip4.TTL) == d.get(Net.U16, ib + Ip4.TTL)
                    && d.get(Net.U64, ia + Ip4.SOURCE) == d.get(Net.U64, ib + Ip4.SOURCE)
                    && d.get(Net.U32, a + payloadOffset - Udp.HEADER) == d.get(Net.U32, b + payloadOffset - Udp.HEADER);
        }
        return d.get(Net.U32, ia) == d.get(Net.U32, ib)
                && d.get(Net.U16, ia + Ip6.NEXT_HEADER) == d.get(Net.U16, ib + Ip6.NEXT_HEADER)
                && d.get(Net.U64, ia + Ip6.SOURCE) == d.get(Net.U64, ib + Ip6.SOURCE)
                && d.get(Net.U64, ia + Ip6.SOURCE + 8) == d.get(Net.U64, ib + Ip6.SOURCE + 8)
                && d.get(Net.U64, ia + Ip6.DESTINATION) == d.get(Net.U64, ib + Ip6.DESTINATION)
                && d.get(Net.U64, ia + Ip6.DESTINATION + 8) == d.get(Net.U64, ib + Ip6.DESTINATION + 8)
                && d.get(Net.U32, a + payloadOffset - Udp.HEADER) == d.get(Net.U32, b + payloadOffset - Udp.HEADER);
    }

    /**
     * Whether a datagram of {@code length} bytes may be segment number {@code segments} (0
     * based) of a super-frame whose first datagram is {@code firstLength} bytes and whose
     * payloads so far add up to {@code payloadBytes}: it is no longer than the first (only
     * the last may be shorter, which the caller ensures by ending the run after a shorter
     * one), has a payload, the whole stays within one IP packet and {@code maxFrame} bytes
     * of Ethernet frame, and within Linux's segment limit.
     */
    static boolean fits(int payloadOffset, int firstLength, int segments, int payloadBytes, int length, int maxFrame) {
        int payload = length - payloadOffset;
        int total = payloadBytes + payload;
        int ipLength = (payloadOffset == IP4_PAYLOAD ? Ip4.MIN_HEADER : 0) + Udp.HEADER + total;
        return payload > 0 && length <= firstLength && segments < MAX_SEGMENTS && ipLength <= MAX_IP_LENGTH
                && payloadOffset + total <= maxFrame;
    }

    /**
     * Writes the super-frame's headers in place: the first datagram at {@code frame}
     * (payload at {@code payloadOffset}) is followed by {@code payloadBytes} of payload in
     * all, each segment {@code segmentSize} bytes but the last. Sets the IP and UDP lengths
     * to the whole, the IPv4 header checksum, and the UDP checksum field to the pseudo-header
     * sum over the whole (folded, not complemented: the kernel completes each segment's,
     * Linux's CHECKSUM_PARTIAL convention). Then the virtio-net header at {@code header}:
     * NEEDS_CSUM from the UDP header, GSO_UDP_L4 with {@code segmentSize}.
     */
    static void writeHeaders(MemorySegment d, long header, long frame, int payloadOffset, int segmentSize,
                             int payloadBytes) {
        long ip = frame + Ethernet.HEADER_LENGTH;
        long udp = frame + payloadOffset - Udp.HEADER;
        int udpLength = Udp.HEADER + payloadBytes;
        d.set(Net.U16, udp + Udp.LENGTH, (short) udpLength);
        long pseudo;
        if (payloadOffset == IP4_PAYLOAD) {
            d.set(Net.U16, ip + Ip4.TOTAL_LENGTH, (short) (Ip4.MIN_HEADER + udpLength));
            d.set(Net.U16, ip + Ip4.CHECKSUM, (short) 0);
            d.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.compute(d, ip, Ip4.MIN_HEADER));
            pseudo = Checksum.sum(d, ip + Ip4.SOURCE, 8, IpProtocol.UDP + udpLength);
        } else {
            d.set(Net.U16, ip + Ip6.PAYLOAD_LENGTH, (short) udpLength);
            pseudo = Checksum.sum(d, ip + Ip6.SOURCE, 32, IpProtocol.UDP + udpLength);
        }
        d.set(Net.U16, udp + Udp.CHECKSUM, (short) Checksum.fold(pseudo));
        VirtioNetHeader.set(d, header, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, payloadOffset,
                segmentSize, payloadOffset - Udp.HEADER, Udp.CHECKSUM);
    }

    /**
     * Offset of the UDP payload of a received super-frame of {@code length} bytes at
     * {@code start} (IPv4 without options, or IPv6 with UDP next), else -1. Its lengths are
     * not checked: they are rewritten per segment.
     */
    public static int superFramePayload(MemorySegment d, long start, int length) {
        if (length < IP4_PAYLOAD) {
            return -1;
        }
        int type = Short.toUnsignedInt(d.get(Net.U16, start + Ethernet.ETHERTYPE));
        long ip = start + Ethernet.HEADER_LENGTH;
        if (type == Ethernet.ETHERTYPE_IP4) {
            return Byte.toUnsignedInt(d.get(Net.U8, ip + Ip4.VERSION_IHL)) == 0x45
                    && Byte.toUnsignedInt(d.get(Net.U8, ip + Ip4.PROTOCOL)) == IpProtocol.UDP ? IP4_PAYLOAD : -1;
        }
        if (type == Ethernet.ETHERTYPE_IP6 && length >= IP6_PAYLOAD) {
            return (Byte.toUnsignedInt(d.get(Net.U8, ip)) >>> 4) == 6
                    && Byte.toUnsignedInt(d.get(Net.U8, ip + Ip6.NEXT_HEADER)) == IpProtocol.UDP ? IP6_PAYLOAD : -1;
        }
        return -1;
    }

    /**
     * Turns the copy of a super-frame's headers at {@code frame}, followed by
     * {@code payload} bytes of segment number {@code index}, into a datagram of its own:
     * lengths, IPv4 identification (the first's plus {@code index}, modulo 2^16) and header
     * checksum, and the UDP checksum: 0 over IPv4, where RFC 768 lets it mean "none" and RFC
     * 3948 section 2.1 asks for it on ESP in UDP; computed over IPv6, where 0 is not allowed
     * (RFC 8200 section 8.1).
     */
    public static void finishSegment(MemorySegment d, long frame, int payloadOffset, int index, int payload) {
        long ip = frame + Ethernet.HEADER_LENGTH;
        long udp = frame + payloadOffset - Udp.HEADER;
        int udpLength = Udp.HEADER + payload;
        d.set(Net.U16, udp + Udp.LENGTH, (short) udpLength);
        d.set(Net.U16, udp + Udp.CHECKSUM, (short) 0);
        if (payloadOffset == IP4_PAYLOAD) {
            d.set(Net.U16, ip + Ip4.TOTAL_LENGTH, (short) (Ip4.MIN_HEADER + udpLength));
            int id = Short.toUnsignedInt(d.get(Net.U16, ip + Ip4.IDENTIFICATION));
            d.set(Net.U16, ip + Ip4.IDENTIFICATION, (short) (id + index));
            d.set(Net.U16, ip + Ip4.CHECKSUM, (short) 0);
            d.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.compute(d, ip, Ip4.MIN_HEADER));
        } else {
            d.set(Net.U16, ip + Ip6.PAYLOAD_LENGTH, (short) udpLength);
            long sum = Checksum.sum(d, ip + Ip6.SOURCE, 32, IpProtocol.UDP + udpLength);
            int check = ~Checksum.fold(Checksum.sum(d, udp, udpLength, sum)) & 0xFFFF;
            // RFC 768: a computed checksum of zero is sent as all ones.
            d.set(Net.U16, udp + Udp.CHECKSUM, (short) (check == 0 ? 0xFFFF : check));
        }
    }
}
