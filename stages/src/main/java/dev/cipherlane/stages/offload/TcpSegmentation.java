package dev.cipherlane.stages.offload;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import dev.cipherlane.stages.wire.Ip6;
import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * Software TCP segmentation offload: cuts the TCP super-packets a pod's kernel hands us
 * (gso_type TCPV4/TCPV6, see {@link VirtioNetMetadata}) into segments of {@code gsoSize}
 * payload bytes, where the next hop cannot take super-packets (before ESP, onto the wire).
 * Packets arrive starting at their IP header.
 *
 * <p>Each segment goes into a new buffer (small when headers plus MSS fit behind the
 * headroom, else large) and gets, as RFC 9293 section 3.8.6 / Linux's tcp_gso_segment do:
 * the IP header and TCP header with options copied; IPv4 total length, identification
 * {@code id + i} and a fresh header checksum, or the IPv6 payload length; sequence number
 * {@code seq + i * mss}; CWR on the first segment only (RFC 3168 section 6.1.2: it answers
 * one ECE once), FIN and PSH on the last only; a full TCP checksum over its pseudo-header. GSO
 * fields are cleared, NEEDS_CSUM too, and CSUM_VALID is set. The super-packet's buffer is
 * freed; the segments leave on {@code out} in sequence order. A super-packet whose payload
 * already fits one segment is finished in place instead.
 *
 * <p>No buffer for some segment: the segments already cut for that super-packet are freed
 * and the super-packet is dropped ("no buffer for segment"), as VPP does. Emitting a prefix
 * would also be legal TCP, but the pool is exhausted at that moment and the sender
 * retransmits from the first lost byte either way.
 *
 * <p>Segments are chained through their opaque word while they are being built, so a
 * super-packet of any segment count needs no scratch array and no Java object.
 *
 * <p>Packets without GSO pass unchanged, except that with {@code completeChecksums} a partial
 * checksum (NEEDS_CSUM) is completed, for next hops that cannot do it.
 */
public final class TcpSegmentation extends Stage<TcpSegmentation.Params> {
    public static final String NAME = "gso";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { OUT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NOT_TCP("gso not tcp"),
        HEADER_TRUNCATED("gso header truncated"),
        BAD_GSO_SIZE("gso bad gso size"),
        NO_BUFFER("no buffer for segment"),
        BAD_IP_HEADER("gso bad ip header"),
        CHECKSUM_OUTSIDE_PACKET("gso partial checksum outside packet"),
        GSO_SIZE_TOO_SMALL("gso size below " + MIN_GSO_SIZE),
        TOO_MANY_SEGMENTS("gso more than " + MAX_SEGMENTS + " segments"),
        /** Counters, not drops. */
        SEGMENTED("gso super-packets segmented"),
        SEGMENTS_OUT("gso segments out"),
        CHECKSUMS_COMPLETED("gso checksums completed");

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

    public static final String COMPLETE_CHECKSUMS = "gso.complete-checksums";
    public static final boolean DEFAULT_COMPLETE_CHECKSUMS = true;

    /** Payload bytes behind the headroom of a small buffer. */
    static final int SMALL_ROOM = SizeClass.SMALL.bytes - PacketMemory.HEADROOM;
    /** Largest IP datagram a segment may become (IPv4 total length is 16 bits). */
    static final int MAX_DATAGRAM = 0xFFFF;
    /**
     * The least segment size taken: Linux's tcp_min_snd_mss default (ip-sysctl.rst), below
     * which its own TCP never segments. A pod that asks for less (gso_size 1 makes a 64 KB
     * super-packet ~65,000 segments) would take the whole pool and be amplified onto the uplink.
     */
    static final int MIN_GSO_SIZE = 48;
    /**
     * The most segments one super-packet may become: two frames' worth, what 64 KB makes at
     * a segment size of 128, so a pod's burst costs a bounded number of buffers.
     */
    static final int MAX_SEGMENTS = 2 * Frame.CAPACITY;

    /**
     * @param completeChecksums complete partial checksums of packets that are not
     *                          super-packets, because the next hop cannot
     */
    public record Params(boolean completeChecksums) {
        public static final Params DEFAULT = new Params(DEFAULT_COMPLETE_CHECKSUMS);
    }

    public TcpSegmentation(Params params) {
        super(SPEC, params);
    }

    public TcpSegmentation() {
        this(Params.DEFAULT);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        boolean complete = params().completeChecksums();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int type = mem.gsoType(bi) & ~VirtioNetHeader.GSO_ECN;
            int mss = mem.gsoSize(bi);
            if (type == VirtioNetHeader.GSO_NONE && mss == 0) {
                passThrough(complete, ctx, mem, bi);
                continue;
            }
            int error = segment(ctx, mem, data, bi, type, mss);
            if (error >= 0) {
                ctx.drop(bi, error);
            }
        }
    }

    private static void passThrough(boolean complete, StageContext ctx, PacketMemory mem, int bi) {
        if (complete && mem.hasFlag(bi, PacketFlags.NEEDS_CSUM)) {
            if (!PartialChecksum.complete(mem, bi)) {
                ctx.drop(bi, Errors.CHECKSUM_OUTSIDE_PACKET);
                return;
            }
            ctx.count(Errors.CHECKSUMS_COMPLETED, 1);
        }
        ctx.enqueue(Arcs.OUT, bi);
    }

    /**
     * Validates super-packet {@code bi} and sends its segments on; returns the drop reason,
     * or -1 when {@code bi} has been consumed (segmented and freed, or finished in place).
     */
    private static int segment(StageContext ctx, PacketMemory mem, MemorySegment data, int bi, int type, int mss) {
        if (type != VirtioNetHeader.GSO_TCPV4 && type != VirtioNetHeader.GSO_TCPV6) {
            // A size without a type is inconsistent metadata; a UDP or unknown type is not ours.
            return type == VirtioNetHeader.GSO_NONE ? Errors.BAD_GSO_SIZE.ordinal() : Errors.NOT_TCP.ordinal();
        }
        if (mss <= 0) {
            return Errors.BAD_GSO_SIZE.ordinal();
        }
        boolean ip6 = type == VirtioNetHeader.GSO_TCPV6;
        long ip = mem.start(bi);
        int length = mem.length(bi);
        int ipLength;
        int tcpOffset;
        if (!ip6) {
            if (length < Ip4.MIN_HEADER) {
                return Errors.HEADER_TRUNCATED.ordinal();
            }
            int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.VERSION_IHL));
            tcpOffset = (versionIhl & 0xF) * 4;
            ipLength = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TOTAL_LENGTH));
            if (versionIhl >>> 4 != 4 || tcpOffset < Ip4.MIN_HEADER || ipLength < tcpOffset) {
                return Errors.BAD_IP_HEADER.ordinal();
            }
            if (ipLength > length) {
                return Errors.HEADER_TRUNCATED.ordinal();
            }
            // A fragment is no TCP segment; a super-packet never is one (RFC 791 section 3.2).
            int fragment = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT));
            if ((fragment & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
                return Errors.BAD_IP_HEADER.ordinal();
            }
            if (Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL)) != IpProtocol.TCP) {
                return Errors.NOT_TCP.ordinal();
            }
        } else {
            if (length < Ip6.HEADER) {
                return Errors.HEADER_TRUNCATED.ordinal();
            }
            int payloadLength = Short.toUnsignedInt(data.get(Net.U16, ip + Ip6.PAYLOAD_LENGTH));
            // Payload length 0 would be a jumbogram (RFC 2675), which no buffer of ours holds.
            if (Byte.toUnsignedInt(data.get(Net.U8, ip)) >>> 4 != 6 || payloadLength == 0) {
                return Errors.BAD_IP_HEADER.ordinal();
            }
            ipLength = Ip6.HEADER + payloadLength;
            if (ipLength > length) {
                return Errors.HEADER_TRUNCATED.ordinal();
            }
            tcpOffset = Tcp.ip6TcpOffset(data, ip, ipLength);
            if (tcpOffset < 0) {
                return tcpOffset == Tcp.IP6_NOT_TCP ? Errors.NOT_TCP.ordinal()
                        : tcpOffset == Tcp.IP6_TRUNCATED ? Errors.HEADER_TRUNCATED.ordinal()
                        : Errors.BAD_IP_HEADER.ordinal();
            }
        }
        if (tcpOffset + Tcp.MIN_HEADER > ipLength) {
            return Errors.HEADER_TRUNCATED.ordinal();
        }
        int tcpHeader = Tcp.headerLength(data, ip + tcpOffset);
        int headers = tcpOffset + tcpHeader;
        if (tcpHeader < Tcp.MIN_HEADER || headers > ipLength) {
            return Errors.HEADER_TRUNCATED.ordinal();
        }
        if (headers + mss > MAX_DATAGRAM) {
            return Errors.BAD_GSO_SIZE.ordinal();
        }
        int payload = ipLength - headers;
        if (payload <= mss) {
            finishInPlace(mem, data, bi, ip, ip6, ipLength, tcpOffset);
            ctx.enqueue(Arcs.OUT, bi);
            return -1;
        }
        if (mss < MIN_GSO_SIZE) {
            return Errors.GSO_SIZE_TOO_SMALL.ordinal();
        }
        int segments = (payload + mss - 1) / mss;
        if (segments > MAX_SEGMENTS) {
            return Errors.TOO_MANY_SEGMENTS.ordinal();
        }
        int head = cut(ctx.buffers(), mem, data, bi, ip, ip6, tcpOffset, headers, payload, mss, segments);
        if (head < 0) {
            return Errors.NO_BUFFER.ordinal();
        }
        ctx.buffers().free(bi);
        int s = head;
        for (int i = 0; i < segments; i++) {
            int next = mem.opaque(s);
            mem.opaque(s, 0);
            ctx.enqueue(Arcs.OUT, s);
            s = next;
        }
        ctx.count(Errors.SEGMENTED, 1);
        ctx.count(Errors.SEGMENTS_OUT, segments);
        return -1;
    }

    /**
     * Builds all segments, chained through their opaque word; returns the first, or -1 after
     * freeing the ones built when the pool ran dry.
     */
    private static int cut(BufferCache buffers, PacketMemory mem, MemorySegment data, int bi, long ip, boolean ip6,
                           int tcpOffset, int headers, int payload, int mss, int segments) {
        boolean small = headers + mss <= SMALL_ROOM;
        int sequence = data.get(Net.U32, ip + tcpOffset + Tcp.SEQUENCE);
        int flags = Byte.toUnsignedInt(data.get(Net.U8, ip + tcpOffset + Tcp.FLAGS));
        int id = ip6 ? 0 : Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.IDENTIFICATION));
        // Summed once per super-packet: segments' IPv4 headers differ only in total length
        // and identification, their pseudo-headers only in the TCP length.
        long ip4Shared = ip6 ? 0 : ip4SharedSum(data, ip, tcpOffset);
        long pseudo = ip6 ? Tcp.pseudoHeader6(data, ip, 0) : Tcp.pseudoHeader4(data, ip, 0);
        int head = -1;
        int tail = -1;
        for (int i = 0; i < segments; i++) {
            int s = small ? buffers.allocSmall() : buffers.allocLarge();
            if (s < 0) {
                freeChain(buffers, mem, head, i);
                return -1;
            }
            if (head < 0) {
                head = s;
            } else {
                mem.opaque(tail, s);
            }
            tail = s;

            int offset = i * mss;
            int chunk = Math.min(mss, payload - offset);
            int ipLength = headers + chunk;
            long seg = mem.start(s);
            MemorySegment.copy(data, ip, data, seg, headers);
            MemorySegment.copy(data, ip + headers + offset, data, seg + headers, chunk);
            mem.length(s, ipLength);

            if (ip6) {
                data.set(Net.U16, seg + Ip6.PAYLOAD_LENGTH, (short) (ipLength - Ip6.HEADER));
            } else {
                // Linux's inet_gso_segment numbers segments id, id+1, ...; RFC 6864 section
                // 4.1 lets atomic datagrams carry any ID, and non-atomic ones need distinct IDs.
                int segmentId = (id + i) & 0xFFFF;
                data.set(Net.U16, seg + Ip4.TOTAL_LENGTH, (short) ipLength);
                data.set(Net.U16, seg + Ip4.IDENTIFICATION, (short) segmentId);
                int header = Checksum.fold(ip4Shared + ipLength + segmentId);
                data.set(Net.U16, seg + Ip4.CHECKSUM, (short) (~header & 0xFFFF));
            }
            long tcp = seg + tcpOffset;
            data.set(Net.U32, tcp + Tcp.SEQUENCE, sequence + offset);
            int f = flags;
            if (i > 0) {
                f &= ~Tcp.CWR;
            }
            if (i < segments - 1) {
                f &= ~(Tcp.FIN | Tcp.PSH);
            }
            data.set(Net.U8, tcp + Tcp.FLAGS, (byte) f);
            tcpChecksum(data, tcp, ipLength - tcpOffset, pseudo + ipLength - tcpOffset);

            DerivedPacket.inherit(mem, bi, s, ip6, tcpOffset);
            mem.setFlag(s, PacketFlags.CSUM_VALID);
        }
        return head;
    }

    private static void freeChain(BufferCache buffers, PacketMemory mem, int head, int count) {
        int s = head;
        for (int i = 0; i < count; i++) {
            int next = mem.opaque(s);
            buffers.free(s);
            s = next;
        }
    }

    /** A super-packet of one segment (or none): only checksums and metadata change. */
    private static void finishInPlace(PacketMemory mem, MemorySegment data, int bi, long ip, boolean ip6,
                                      int ipLength, int tcpOffset) {
        mem.length(bi, ipLength);
        if (!ip6) {
            ip4HeaderChecksum(data, ip, tcpOffset);
        }
        int tcpLength = ipLength - tcpOffset;
        long pseudo = ip6 ? Tcp.pseudoHeader6(data, ip, tcpLength) : Tcp.pseudoHeader4(data, ip, tcpLength);
        tcpChecksum(data, ip + tcpOffset, tcpLength, pseudo);
        mem.gsoSize(bi, 0);
        mem.gsoType(bi, VirtioNetHeader.GSO_NONE);
        mem.csumStart(bi, 0);
        mem.csumOffset(bi, 0);
        int flags = (mem.flags(bi) & ~PacketFlags.NEEDS_CSUM) | PacketFlags.CSUM_VALID;
        mem.flags(bi, ip6 ? flags | PacketFlags.IP6 : flags & ~PacketFlags.IP6);
        int l3 = mem.dataOffset(bi);
        mem.l3Offset(bi, l3);
        mem.l4Offset(bi, l3 + tcpOffset);
    }

    private static void ip4HeaderChecksum(MemorySegment data, long ip, int headerLength) {
        data.set(Net.U16, ip + Ip4.CHECKSUM, (short) 0);
        data.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.compute(data, ip, headerLength));
    }

    /**
     * The sum of the IPv4 header at {@code ip} without its total length, identification and
     * checksum words, which every segment sets anew. A word leaves a one's complement sum by
     * adding its complement (RFC 1624 section 3); the version word keeps the sum above zero,
     * so folding it with a segment's two words gives what summing that header would.
     */
    private static long ip4SharedSum(MemorySegment data, long ip, int headerLength) {
        return Checksum.sum(data, ip, headerLength, 0)
                + (~data.get(Net.U16, ip + Ip4.TOTAL_LENGTH) & 0xFFFF)
                + (~data.get(Net.U16, ip + Ip4.IDENTIFICATION) & 0xFFFF)
                + (~data.get(Net.U16, ip + Ip4.CHECKSUM) & 0xFFFF);
    }

    /**
     * Full TCP checksum of the {@code tcpLength} bytes at {@code tcp} (RFC 9293 section 3.1),
     * their pseudo-header summing to {@code pseudo}.
     */
    private static void tcpChecksum(MemorySegment data, long tcp, int tcpLength, long pseudo) {
        data.set(Net.U16, tcp + Tcp.CHECKSUM, (short) 0);
        int sum = Checksum.fold(Checksum.sum(data, tcp, tcpLength, pseudo));
        data.set(Net.U16, tcp + Tcp.CHECKSUM, (short) (~sum & 0xFFFF));
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        int type = mem.gsoType(bi);
        String checksum = mem.hasFlag(bi, PacketFlags.NEEDS_CSUM)
                ? " partial checksum at " + (mem.csumStart(bi) - mem.dataOffset(bi)) + "+" + mem.csumOffset(bi)
                : "";
        if (mem.gsoSize(bi) == 0 && type == VirtioNetHeader.GSO_NONE) {
            return "no gso, length " + mem.length(bi) + checksum;
        }
        String name = switch (type & ~VirtioNetHeader.GSO_ECN) {
            case VirtioNetHeader.GSO_TCPV4 -> "tcpv4";
            case VirtioNetHeader.GSO_TCPV6 -> "tcpv6";
            case VirtioNetHeader.GSO_UDP -> "udp";
            default -> "type " + type;
        };
        return "gso " + name + ((type & VirtioNetHeader.GSO_ECN) != 0 ? "+ecn" : "")
                + " size " + mem.gsoSize(bi) + ", length " + mem.length(bi) + checksum;
    }
}
