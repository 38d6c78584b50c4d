package dev.cipherlane.afpacket;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.offload.VirtioNetMetadata;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * {@code afpacket-input-<ifname>-<n>}: receives from one {@link PacketRing} (member
 * {@code n} of the uplink's fanout group) and sends each frame to {@code ethernet-input}.
 *
 * <p>Each packet the kernel put in an rx block is copied into a small buffer, or a large
 * one when it does not fit, and the block goes back to the kernel once all its packets are
 * copied: the ring's memory is never lent to the graph, so a slow stage downstream cannot
 * starve the kernel of blocks. A poll stops after {@code budget} packets, in the middle of
 * a block if need be, and the next poll goes on from there.
 *
 * <p>The kernel takes an 802.1Q tag out of the frame into tp_vlan_tci (tp_status
 * TP_STATUS_VLAN_VALID); it is put back after the MAC addresses so ethernet-input sees the
 * frame as it was on the wire (IEEE 802.1Q section 9).
 *
 * <p>With offloads on the ring ({@link PacketRing.Config#offloads()}) the kernel puts a
 * virtio-net header before each frame. A UDP GSO super-frame (a peer's batch that crossed a
 * veth whole, or a NIC's UDP GRO) is cut back into its datagrams here ({@link UdpGso}), so
 * the graph and ESP see each datagram as it would be on a wire. Any other frame keeps what
 * the header says in its metadata ({@link VirtioNetMetadata#parse}): a TCP super-packet, a
 * checksum still partial (a peer in the same host left it to "hardware"), or already
 * verified.
 *
 * <p>A frame that cannot be delivered (no buffer, too long, truncated by the ring, runt) is
 * counted and its ring slot released: it never became a packet. Like a NIC rx queue, a
 * ring belongs to one worker; on other workers poll produces nothing.
 */
public final class AfPacketInput extends InputStage<AfPacketInput.Params> {
    public static final String NAME_PREFIX = "afpacket-input-";

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { ETHERNET_INPUT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        NO_BUFFER("no buffer"),
        FRAME_TOO_LONG("frame too long"),
        RUNT("runt frame"),
        /** A UDP GSO super-frame that is not plain IPv4/IPv6 UDP or has no segment size. */
        UDP_GSO_MALFORMED("udp gso super-frame malformed"),
        /** Counted, not dropped: super-frames cut into datagrams. */
        UDP_GSO_SPLIT("udp gso super-frames split"),
        /** A frame this host sent, looped back to the ring. */
        OWN_FRAME("own frame looped back");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /** Error index of {@link VirtioNetMetadata} code 0: its errors follow this stage's own. */
    public static final int VIRTIO_ERRORS = Errors.values().length;

    /** Largest frame copied into a small buffer; 64 bytes of tailroom stay free for ESP trailers. */
    public static final int SMALL_FRAME_MAX = SizeClass.SMALL.bytes - PacketMemory.HEADROOM - 64;
    /** Largest frame taken at all. */
    public static final int LARGE_FRAME_MAX = SizeClass.LARGE.bytes - PacketMemory.HEADROOM - 64;

    /**
     * @param ring           the fanout member this stage reads
     * @param interfaceIndex dataplane index of the uplink, stored as each packet's rx interface
     * @param interfaceName  kernel name of the uplink, for the stage name and traces
     * @param member         number of the ring within the fanout group, for the stage name
     * @param worker         the one worker that reads this ring
     */
    public record Params(PacketRing ring, int interfaceIndex, String interfaceName, int member, int worker) {}

    public AfPacketInput(Params params) {
        super(spec(name(params.interfaceName(), params.member())), params);
    }

    /** The stage name of member {@code member} of {@code interfaceName}'s fanout group. */
    public static String name(String interfaceName, int member) {
        return NAME_PREFIX + interfaceName + "-" + member;
    }

    public static StageSpec spec(String name) {
        return StageSpec.of(name, Arcs.class, Errors.class, VirtioNetMetadata.Errors.class);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.ring() == null || p.interfaceName() == null || p.interfaceName().isBlank()) {
            throw new IllegalArgumentException("afpacket input: a ring and an interface name are required");
        }
        if (p.interfaceIndex() < 0 || p.member() < 0 || p.worker() < 0) {
            throw new IllegalArgumentException(name(p.interfaceName(), p.member())
                    + ": interface index, member and worker must be >= 0, got " + p);
        }
        Params cur = params();
        if (cur != null && (!cur.interfaceName().equals(p.interfaceName()) || cur.member() != p.member())) {
            throw new IllegalArgumentException(name() + ": cannot become " + name(p.interfaceName(), p.member()));
        }
        return p;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        Params p = params();
        if (ctx.worker() != p.worker()) {
            return 0;
        }
        PacketRing ring = p.ring();
        MemorySegment rx = ring.memory();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        BufferCache buffers = ctx.buffers();
        int produced = 0;
        for (int seen = 0; seen < budget && produced < budget; seen++) {
            long h = ring.rxNext();
            if (h < 0) {
                break;
            }
            int snap = rx.get(ValueLayout.JAVA_INT, h + Tpacket.H3_SNAPLEN);
            int wire = rx.get(ValueLayout.JAVA_INT, h + Tpacket.H3_LEN);
            int status = rx.get(ValueLayout.JAVA_INT, h + Tpacket.H3_STATUS);
            long from = h + Short.toUnsignedInt(rx.get(ValueLayout.JAVA_SHORT, h + Tpacket.H3_MAC));
            boolean tagged = (status & Tpacket.TP_STATUS_VLAN_VALID) != 0;
            if (rx.get(ValueLayout.JAVA_BYTE, h + Tpacket.H3_SLL + Tpacket.SLL_PKTTYPE) == Tpacket.PACKET_OUTGOING) {
                // Our own GsoSocket's frames: PACKET_IGNORE_OUTGOING does not reach a fanout
                // group's hook, and the kernel only skips frames of the group's own members.
                ctx.count(Errors.OWN_FRAME, 1);
                ring.rxRelease();
                continue;
            }
            long vnet = from - VirtioNetHeader.LEGACY_SIZE;
            if (ring.offloads() && snap == wire && !tagged
                    && (VirtioNetHeader.gsoType(rx, vnet) & ~VirtioNetHeader.GSO_ECN) == VirtioNetHeader.GSO_UDP_L4) {
                produced += split(ctx, p, rx, from, snap, VirtioNetHeader.gsoSize(rx, vnet));
                ring.rxRelease();
                continue;
            }
            int frame = tagged ? snap + Ethernet.VLAN_TAG_LENGTH : snap;
            int error = -1;
            if (snap < wire || frame > LARGE_FRAME_MAX) {
                error = Errors.FRAME_TOO_LONG.ordinal();
            } else if (snap < Ethernet.HEADER_LENGTH) {
                error = Errors.RUNT.ordinal();
            }
            int bi = -1;
            if (error < 0) {
                bi = frame <= SMALL_FRAME_MAX ? buffers.allocSmall() : buffers.allocLarge();
                if (bi < 0) {
                    error = Errors.NO_BUFFER.ordinal();
                }
            }
            if (error >= 0) {
                ctx.count(error, 1);
                ring.rxRelease();
                continue;
            }
            long to = mem.start(bi);
            if (tagged) {
                int tpid = (status & Tpacket.TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt(rx.get(ValueLayout.JAVA_SHORT, h + Tpacket.H3_VLAN_TPID))
                        : Ethernet.ETHERTYPE_VLAN;
                int tci = rx.get(ValueLayout.JAVA_INT, h + Tpacket.H3_VLAN_TCI) & 0xffff;
                // The tag goes where the EtherType was, right after the two MAC addresses.
                int macs = Ethernet.ETHERTYPE;
                MemorySegment.copy(rx, from, data, to, macs);
                data.set(Net.U16, to + macs, (short) tpid);
                data.set(Net.U16, to + macs + 2, (short) tci);
                MemorySegment.copy(rx, from + macs, data, to + macs + Ethernet.VLAN_TAG_LENGTH, snap - macs);
            } else {
                MemorySegment.copy(rx, from, data, to, snap);
            }
            mem.length(bi, frame);
            mem.rxInterface(bi, p.interfaceIndex());
            if (ring.offloads()) {
                // parse reads the header from packet memory: the headroom right before the frame.
                long header = to - VirtioNetHeader.LEGACY_SIZE;
                MemorySegment.copy(rx, vnet, data, header, VirtioNetHeader.LEGACY_SIZE);
                ring.rxRelease();
                int code = VirtioNetMetadata.parse(mem, bi, header);
                if (code != VirtioNetMetadata.OK) {
                    ctx.drop(bi, VIRTIO_ERRORS + code);
                    continue;
                }
                if (tagged && mem.hasFlag(bi, PacketFlags.NEEDS_CSUM)) {
                    // The kernel counted from the untagged frame; the tag is back in ours.
                    mem.csumStart(bi, mem.csumStart(bi) + Ethernet.VLAN_TAG_LENGTH);
                }
            } else {
                ring.rxRelease();
            }
            ctx.enqueue(Arcs.ETHERNET_INPUT, bi);
            produced++;
        }
        return produced;
    }

    /**
     * Cuts the UDP GSO super-frame of {@code length} bytes at {@code from} in the ring into
     * datagrams of {@code segmentSize} payload bytes (the last one shorter), each in a
     * buffer of its own with its own headers ({@link UdpGso#finishSegment}), and sends them
     * on in order. Returns how many it sent; a segment without a buffer is counted and lost,
     * like a datagram the wire dropped.
     */
    private int split(StageContext ctx, Params p, MemorySegment rx, long from, int length, int segmentSize) {
        int payloadOffset = UdpGso.superFramePayload(rx, from, length);
        int total = length - payloadOffset;
        if (payloadOffset < 0 || segmentSize <= 0 || total <= 0) {
            ctx.count(Errors.UDP_GSO_MALFORMED, 1);
            return 0;
        }
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        BufferCache buffers = ctx.buffers();
        int produced = 0;
        int index = 0;
        for (int pos = 0; pos < total; pos += segmentSize, index++) {
            int payload = Math.min(segmentSize, total - pos);
            int frame = payloadOffset + payload;
            int bi = frame <= SMALL_FRAME_MAX ? buffers.allocSmall()
                    : frame <= LARGE_FRAME_MAX ? buffers.allocLarge() : -1;
            if (bi < 0) {
                ctx.count(frame <= LARGE_FRAME_MAX ? Errors.NO_BUFFER : Errors.FRAME_TOO_LONG, 1);
                continue;
            }
            long to = mem.start(bi);
            MemorySegment.copy(rx, from, data, to, payloadOffset);
            MemorySegment.copy(rx, from + payloadOffset + pos, data, to + payloadOffset, payload);
            UdpGso.finishSegment(data, to, payloadOffset, index, payload);
            mem.length(bi, frame);
            mem.rxInterface(bi, p.interfaceIndex());
            ctx.enqueue(Arcs.ETHERNET_INPUT, bi);
            produced++;
        }
        ctx.count(Errors.UDP_GSO_SPLIT, 1);
        return produced;
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        Params p = params();
        return String.format(Locale.ROOT, "%s member %d, %d bytes", p.interfaceName(), p.member(), mem.length(bi));
    }
}
