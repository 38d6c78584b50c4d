package dev.cipherlane.stages.offload;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
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
 * Software receive offload toward pods: coalesces in-order TCP segments of one flow within
 * a frame into a super-packet that the pod's tap takes as one GSO packet, so the pod's
 * kernel runs its TCP stack once per 64 KB instead of once per segment. Packets arrive
 * starting at their IP header.
 *
 * <p>A segment may join its flow's super-packet only if all of these hold (the rules of
 * Linux's tcp_gro_receive, kept strict):
 * <ul>
 * <li>it is not a super-packet itself; IPv4 without options and not a fragment, or IPv6 with
 *     TCP right after the fixed header;</li>
 * <li>TCP flags exactly ACK or ACK|PSH: SYN, FIN, RST, URG, ECE and CWR each carry meaning
 *     per segment (RFC 9293 section 3.1, RFC 3168 section 6.1) and are never merged;</li>
 * <li>a non-empty payload no longer than the first segment's (the MSS); a shorter one is
 *     the last;</li>
 * <li>sequence number exactly the previous segment's end;</li>
 * <li>identical IPv4 TOS, TTL and DF (IPv6: version/class/flow label word and hop limit),
 *     identical TCP data offset and option bytes. Identical options means a timestamp
 *     option (RFC 7323 section 3) must carry the same TSval and TSecr; a tick in between
 *     ends the super-packet, so the pod's stack sees every timestamp it would otherwise
 *     see;</li>
 * <li>the datagram stays within 65535 bytes;</li>
 * <li>its TCP checksum is good: trusted when CSUM_VALID (or NEEDS_CSUM, a local sender's
 *     partial checksum) is set, otherwise verified. A bad one passes on unmerged, for the
 *     pod's stack to drop and count.</li>
 * </ul>
 * A segment that breaks a rule first flushes its flow's super-packet, then starts a new one
 * or passes on. A PSH segment is appended and then flushes its flow, as the sender asked
 * for prompt delivery (RFC 9293 section 3.9.1.2). At the end of the frame every flow is
 * flushed: nothing is held across frames, so there is no timeout state, and a hot swap
 * has no flow state to hand over.
 *
 * <p>A super-packet keeps the first segment's IP and TCP headers, with the acknowledgment
 * number and window of the last segment and PSH if any segment had it; IPv4 total length
 * and header checksum or IPv6 payload length are rewritten. Its metadata make it a GSO
 * packet (see {@link VirtioNetMetadata}): {@code gsoSize} the MSS, {@code gsoType}
 * TCPV4/TCPV6, NEEDS_CSUM with {@code csumStart} (buffer-relative) at the TCP header and
 * {@code csumOffset} 16, and the checksum field holding the folded pseudo-header sum, not
 * complemented, which the kernel completes. Segments merged into it are freed. A flow that
 * got only one segment passes that segment on unchanged.
 *
 * <p>Flow state is per worker ({@link CoalescingFlows}), allocated for {@code maxWorkers}
 * workers up front: one instance serves every worker thread. A worker with a higher index
 * passes its packets on uncoalesced and counts them.
 */
public final class TcpCoalescing extends Stage<TcpCoalescing.Params> {
    public static final String NAME = "gro";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { OUT }

    /** Counters in index order, with the reasons {@code show errors} prints; this stage drops nothing. */
    public enum Errors implements StageError {
        MERGED("gro packets merged"),
        SUPER_PACKETS_OUT("gro super-packets out"),
        FLUSH_PSH("gro flushes on psh"),
        FLUSH_OUT_OF_ORDER("gro flushes out of order"),
        FLUSH_INELIGIBLE("gro flushes on ineligible segment"),
        FLUSH_SIZE("gro flushes on size limit"),
        BAD_CHECKSUM("gro tcp checksum bad, not merged"),
        NO_BUFFER("gro no buffer for super-packet"),
        NOT_PROVISIONED("gro worker beyond max-workers, not merged"),
        ABORTED("gro super-packet dropped, the stage threw while building it");

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

    public static final String MAX_WORKERS = "gro.max-workers";
    public static final int DEFAULT_MAX_WORKERS = 64;
    private static final int MAX_WORKERS_LIMIT = 4096;

    /** Largest datagram a super-packet may become: IPv4 total length is 16 bits. */
    static final int MAX_DATAGRAM = 0xFFFF;

    /** @param maxWorkers worker indices 0..maxWorkers-1 get flow tables, 1..4096 */
    public record Params(int maxWorkers) {
        public static final Params DEFAULT = new Params(DEFAULT_MAX_WORKERS);
    }

    private volatile CoalescingFlows[] tables;

    public TcpCoalescing(Params params) {
        this(NAME, params);
    }

    /** A coalescing stage under another name, for graphs that need one per path (IPv4, IPv6). */
    public TcpCoalescing(String name, Params params) {
        super(SPEC.named(name), params);
        tables = newTables(new CoalescingFlows[0], params.maxWorkers());
    }

    public TcpCoalescing() {
        this(Params.DEFAULT);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.maxWorkers() < 1 || p.maxWorkers() > MAX_WORKERS_LIMIT) {
            throw new IllegalArgumentException(MAX_WORKERS + " must be in 1.." + MAX_WORKERS_LIMIT
                    + ", got " + (p == null ? null : p.maxWorkers()));
        }
        return p;
    }

    /** More workers: existing tables stay with their workers, new ones are added. */
    @Override
    protected synchronized void reconfigured(Params old, Params neu) {
        if (neu.maxWorkers() > tables.length) {
            tables = newTables(tables, neu.maxWorkers());
        }
    }

    private static CoalescingFlows[] newTables(CoalescingFlows[] existing, int count) {
        CoalescingFlows[] t = new CoalescingFlows[count];
        System.arraycopy(existing, 0, t, 0, existing.length);
        for (int i = existing.length; i < count; i++) {
            t[i] = new CoalescingFlows();
        }
        return t;
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        CoalescingFlows[] all = tables;
        int n = frame.count();
        int worker = ctx.worker();
        if (worker >= all.length) {
            for (int i = 0; i < n; i++) {
                ctx.enqueue(Arcs.OUT, frame.get(i));
            }
            ctx.count(Errors.NOT_PROVISIONED, n);
            return;
        }
        CoalescingFlows t = all[worker];
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        for (int i = 0; i < n; i++) {
            receive(t, ctx, mem, data, frame.get(i));
        }
        int flows = t.flows();
        for (int f = 0; f < flows; f++) {
            if (t.packet[f] >= 0) {
                flush(t, f, ctx, mem, data);
            }
        }
        t.clear();
    }

    /**
     * A fault in the middle of a frame leaves this worker's flows holding segments and
     * super-packets that were to go out at its end. A held segment is still the frame's: it
     * is forgotten here and goes through the stage again. A super-packet is this stage's own
     * buffer, holding segments already freed, and may be half built: it is dropped. The next
     * frame starts with no flows.
     */
    @Override
    public void aborted(StageContext ctx) {
        CoalescingFlows[] all = tables;
        int worker = ctx.worker();
        if (worker >= all.length) {
            return;
        }
        CoalescingFlows t = all[worker];
        int flows = t.flows();
        for (int f = 0; f < flows; f++) {
            int held = t.packet[f];
            if (held >= 0 && t.merged[f] && ctx.memory().hasFlag(held, PacketFlags.IN_USE)) {
                ctx.drop(held, Errors.ABORTED);
            }
        }
        t.clear();
    }

    private static void receive(CoalescingFlows t, StageContext ctx, PacketMemory mem, MemorySegment data, int bi) {
        long ip = mem.start(bi);
        if (!identify(t, mem, data, bi, ip)) {
            ctx.enqueue(Arcs.OUT, bi);
            return;
        }
        int ipLength = t.atIpLength;
        int tcpOffset = t.atTcpOffset;
        long tcp = ip + tcpOffset;
        int flags = Byte.toUnsignedInt(data.get(Net.U8, tcp + Tcp.FLAGS));
        int payload = ipLength - t.atHeaders;
        boolean eligible = mem.gsoSize(bi) == 0 && mem.gsoType(bi) == VirtioNetHeader.GSO_NONE
                && tcpOffset == (t.keyVersion == 4 ? Ip4.MIN_HEADER : Ip6.HEADER)
                && (flags & ~Tcp.PSH) == Tcp.ACK
                && payload > 0;
        if (eligible && !checksumTrusted(mem, data, bi, ip, t.keyVersion, tcpOffset, ipLength - tcpOffset)) {
            ctx.count(Errors.BAD_CHECKSUM, 1);
            eligible = false;
        }
        int sequence = data.get(Net.U32, tcp + Tcp.SEQUENCE);
        boolean push = (flags & Tcp.PSH) != 0;

        int f = t.find();
        if (f >= 0 && t.packet[f] >= 0) {
            int reason = eligible ? mismatch(t, f, data, mem.start(t.packet[f]), ip, sequence, payload)
                    : Errors.FLUSH_INELIGIBLE.ordinal();
            if (reason < 0 && (t.merged[f] || promote(t, f, ctx, mem, data))) {
                append(t, f, ctx, mem, data, bi, ip, payload, flags);
                if (push) {
                    flush(t, f, ctx, mem, data);
                    ctx.count(Errors.FLUSH_PSH, 1);
                } else if (payload < t.mss[f]) {
                    flush(t, f, ctx, mem, data); // a short segment is the last one
                }
                return;
            }
            flush(t, f, ctx, mem, data);
            if (reason >= 0) {
                ctx.count(reason, 1);
            }
        }
        if (!eligible || push) {
            ctx.enqueue(Arcs.OUT, bi);
            return;
        }
        if (f < 0) {
            f = t.insert();
            if (f < 0) {
                ctx.enqueue(Arcs.OUT, bi);
                return;
            }
        }
        t.packet[f] = bi;
        t.merged[f] = false;
        t.nextSequence[f] = sequence + payload;
        t.mss[f] = payload;
        t.ipLength[f] = ipLength;
        t.tcpOffset[f] = tcpOffset;
        t.headers[f] = t.atHeaders;
    }

    /**
     * Loads the flow key and layout of {@code bi} into {@code t}; false when it is no TCP
     * segment we can attribute to a flow (not IP, not TCP, truncated, an IPv4 fragment, an
     * IPv6 chain with Routing/Fragment/AH). Those pass on untouched.
     */
    private static boolean identify(CoalescingFlows t, PacketMemory mem, MemorySegment data, int bi, long ip) {
        int length = mem.length(bi);
        if (length < Ip4.MIN_HEADER) {
            return false;
        }
        int versionIhl = Byte.toUnsignedInt(data.get(Net.U8, ip));
        int version = versionIhl >>> 4;
        int ipLength;
        int tcpOffset;
        if (version == 4) {
            tcpOffset = (versionIhl & 0xF) * 4;
            ipLength = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.TOTAL_LENGTH));
            int fragment = Short.toUnsignedInt(data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT));
            if (tcpOffset < Ip4.MIN_HEADER || ipLength < tcpOffset || ipLength > length
                    || Byte.toUnsignedInt(data.get(Net.U8, ip + Ip4.PROTOCOL)) != IpProtocol.TCP
                    || (fragment & (Ip4.MORE_FRAGMENTS | Ip4.FRAGMENT_OFFSET_MASK)) != 0) {
                return false;
            }
            t.keyA = data.get(Net.U64, ip + Ip4.SOURCE); // source and destination
            t.keyB = 0;
            t.keyC = 0;
            t.keyD = 0;
        } else if (version == 6) {
            if (length < Ip6.HEADER) {
                return false;
            }
            ipLength = Ip6.HEADER + Short.toUnsignedInt(data.get(Net.U16, ip + Ip6.PAYLOAD_LENGTH));
            if (ipLength > length) {
                return false;
            }
            tcpOffset = Tcp.ip6TcpOffset(data, ip, ipLength);
            if (tcpOffset < 0) {
                return false;
            }
            t.keyA = data.get(Net.U64, ip + Ip6.SOURCE);
            t.keyB = data.get(Net.U64, ip + Ip6.SOURCE + 8);
            t.keyC = data.get(Net.U64, ip + Ip6.DESTINATION);
            t.keyD = data.get(Net.U64, ip + Ip6.DESTINATION + 8);
        } else {
            return false;
        }
        if (tcpOffset + Tcp.MIN_HEADER > ipLength) {
            return false;
        }
        int tcpHeader = Tcp.headerLength(data, ip + tcpOffset);
        if (tcpHeader < Tcp.MIN_HEADER || tcpOffset + tcpHeader > ipLength) {
            return false;
        }
        t.keyVersion = version;
        t.keyPorts = data.get(Net.U32, ip + tcpOffset + Tcp.SOURCE_PORT);
        t.atIpLength = ipLength;
        t.atTcpOffset = tcpOffset;
        t.atHeaders = tcpOffset + tcpHeader;
        return true;
    }

    private static boolean checksumTrusted(PacketMemory mem, MemorySegment data, int bi, long ip, int version,
                                           int tcpOffset, int tcpLength) {
        if ((mem.flags(bi) & (PacketFlags.CSUM_VALID | PacketFlags.NEEDS_CSUM)) != 0) {
            return true;
        }
        long pseudo = version == 4 ? Tcp.pseudoHeader4(data, ip, tcpLength) : Tcp.pseudoHeader6(data, ip, tcpLength);
        return Checksum.fold(Checksum.sum(data, ip + tcpOffset, tcpLength, pseudo)) == 0xFFFF;
    }

    /**
     * Why an eligible segment at {@code ip} cannot join flow {@code f}, whose packet starts at
     * {@code first} (its headers are the first segment's): a flush counter, or -1 if it can.
     */
    private static int mismatch(CoalescingFlows t, int f, MemorySegment data, long first, long ip,
                                int sequence, int payload) {
        if (sequence != t.nextSequence[f]) {
            return Errors.FLUSH_OUT_OF_ORDER.ordinal();
        }
        if (payload > t.mss[f]) {
            return Errors.FLUSH_INELIGIBLE.ordinal();
        }
        if (t.ipLength[f] + payload > MAX_DATAGRAM) {
            return Errors.FLUSH_SIZE.ordinal();
        }
        if (t.version(f) == 4) {
            if (data.get(Net.U8, first + Ip4.TOS) != data.get(Net.U8, ip + Ip4.TOS)
                    || data.get(Net.U8, first + Ip4.TTL) != data.get(Net.U8, ip + Ip4.TTL)
                    || data.get(Net.U16, first + Ip4.FLAGS_FRAGMENT) != data.get(Net.U16, ip + Ip4.FLAGS_FRAGMENT)) {
                return Errors.FLUSH_INELIGIBLE.ordinal();
            }
        } else if (data.get(Net.U32, first + Ip6.VERSION_CLASS_FLOW) != data.get(Net.U32, ip + Ip6.VERSION_CLASS_FLOW)
                || data.get(Net.U8, first + Ip6.HOP_LIMIT) != data.get(Net.U8, ip + Ip6.HOP_LIMIT)) {
            return Errors.FLUSH_INELIGIBLE.ordinal();
        }
        int tcpOffset = t.tcpOffset[f];
        long a = first + tcpOffset;
        long b = ip + tcpOffset;
        if (data.get(Net.U8, a + Tcp.DATA_OFFSET) != data.get(Net.U8, b + Tcp.DATA_OFFSET)) {
            return Errors.FLUSH_INELIGIBLE.ordinal();
        }
        // Same data offset, so the options are the same length.
        int end = t.headers[f] - tcpOffset;
        if (end > Tcp.MIN_HEADER && MemorySegment.mismatch(data, a + Tcp.MIN_HEADER, a + end,
                data, b + Tcp.MIN_HEADER, b + end) >= 0) {
            return Errors.FLUSH_INELIGIBLE.ordinal();
        }
        return -1;
    }

    /**
     * Moves the held first segment of flow {@code f} into a new large buffer so payload can
     * be appended; false (nothing changed) when no large buffer is free.
     */
    private static boolean promote(CoalescingFlows t, int f, StageContext ctx, PacketMemory mem, MemorySegment data) {
        int held = t.packet[f];
        int s = ctx.buffers().allocLarge();
        if (s < 0) {
            ctx.count(Errors.NO_BUFFER, 1);
            return false;
        }
        MemorySegment.copy(data, mem.start(held), data, mem.start(s), t.ipLength[f]);
        mem.length(s, t.ipLength[f]);
        DerivedPacket.inherit(mem, held, s, t.version(f) == 6, t.tcpOffset[f]);
        ctx.buffers().free(held);
        t.packet[f] = s;
        t.merged[f] = true;
        ctx.count(Errors.MERGED, 1);
        return true;
    }

    /** Appends the payload of {@code bi} to flow {@code f}'s super-packet and frees {@code bi}. */
    private static void append(CoalescingFlows t, int f, StageContext ctx, PacketMemory mem, MemorySegment data,
                               int bi, long ip, int payload, int flags) {
        int s = t.packet[f];
        long superStart = mem.start(s);
        MemorySegment.copy(data, ip + t.headers[f], data, superStart + t.ipLength[f], payload);
        t.ipLength[f] += payload;
        mem.length(s, t.ipLength[f]);
        long superTcp = superStart + t.tcpOffset[f];
        long tcp = ip + t.tcpOffset[f];
        data.set(Net.U32, superTcp + Tcp.ACKNOWLEDGMENT, data.get(Net.U32, tcp + Tcp.ACKNOWLEDGMENT));
        data.set(Net.U16, superTcp + Tcp.WINDOW, data.get(Net.U16, tcp + Tcp.WINDOW));
        if ((flags & Tcp.PSH) != 0) {
            data.set(Net.U8, superTcp + Tcp.FLAGS, (byte) (data.get(Net.U8, superTcp + Tcp.FLAGS) | Tcp.PSH));
        }
        t.nextSequence[f] += payload;
        ctx.buffers().free(bi);
        ctx.count(Errors.MERGED, 1);
    }

    /** Sends flow {@code f}'s packet on: a held segment as it is, a super-packet finished. */
    private static void flush(CoalescingFlows t, int f, StageContext ctx, PacketMemory mem, MemorySegment data) {
        int s = t.packet[f];
        if (!t.merged[f]) {
            ctx.enqueue(Arcs.OUT, s);
            // Forgotten only once passed on, so that aborted() still finds it if that threw.
            t.packet[f] = -1;
            return;
        }
        long ip = mem.start(s);
        int ipLength = t.ipLength[f];
        int tcpOffset = t.tcpOffset[f];
        int tcpLength = ipLength - tcpOffset;
        boolean ip6 = t.version(f) == 6;
        long pseudo;
        if (ip6) {
            data.set(Net.U16, ip + Ip6.PAYLOAD_LENGTH, (short) (ipLength - Ip6.HEADER));
            pseudo = Tcp.pseudoHeader6(data, ip, tcpLength);
        } else {
            data.set(Net.U16, ip + Ip4.TOTAL_LENGTH, (short) ipLength);
            data.set(Net.U16, ip + Ip4.CHECKSUM, (short) 0);
            data.set(Net.U16, ip + Ip4.CHECKSUM, (short) Checksum.compute(data, ip, tcpOffset));
            pseudo = Tcp.pseudoHeader4(data, ip, tcpLength);
        }
        // CHECKSUM_PARTIAL convention (virtio 1.1 section 5.1.6.2): the field holds the
        // pseudo-header sum, folded but not complemented; the kernel adds the rest.
        data.set(Net.U16, ip + tcpOffset + Tcp.CHECKSUM, (short) Checksum.fold(pseudo));
        mem.gsoSize(s, t.mss[f]);
        mem.gsoType(s, ip6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4);
        mem.flags(s, (mem.flags(s) & ~PacketFlags.CSUM_VALID) | PacketFlags.NEEDS_CSUM);
        mem.csumStart(s, mem.dataOffset(s) + tcpOffset);
        mem.csumOffset(s, Tcp.CHECKSUM);
        ctx.count(Errors.SUPER_PACKETS_OUT, 1);
        ctx.enqueue(Arcs.OUT, s);
        t.packet[f] = -1;
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        int length = mem.length(bi);
        if (length < Ip4.MIN_HEADER) {
            return "runt of " + length + " bytes";
        }
        int version = mem.u8(bi, 0) >>> 4;
        int tcpOffset;
        if (version == 4 && mem.u8(bi, Ip4.PROTOCOL) == IpProtocol.TCP) {
            tcpOffset = (mem.u8(bi, 0) & 0xF) * 4;
        } else if (version == 6 && length >= Ip6.HEADER && mem.u8(bi, Ip6.NEXT_HEADER) == IpProtocol.TCP) {
            tcpOffset = Ip6.HEADER;
        } else {
            return "not tcp, ip version " + version + ", length " + length;
        }
        if (tcpOffset + Tcp.MIN_HEADER > length) {
            return "tcp header truncated, length " + length;
        }
        return "tcp " + mem.u16(bi, tcpOffset) + " -> " + mem.u16(bi, tcpOffset + Tcp.DESTINATION_PORT)
                + " seq " + Integer.toUnsignedString(mem.u32(bi, tcpOffset + Tcp.SEQUENCE))
                + " ack " + Integer.toUnsignedString(mem.u32(bi, tcpOffset + Tcp.ACKNOWLEDGMENT))
                + " flags 0x" + Integer.toHexString(mem.u8(bi, tcpOffset + Tcp.FLAGS))
                + ", length " + length;
    }
}
