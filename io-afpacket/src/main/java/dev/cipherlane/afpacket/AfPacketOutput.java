package dev.cipherlane.afpacket;

import dev.cipherlane.linux.GatherMessage;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.offload.VirtioNetMetadata;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code afpacket-output}: sends complete Ethernet frames out of the uplink their
 * {@code txInterface} names, through that uplink's {@link PacketRing} owned by the running
 * worker. Each packet is copied into the next free tx frame, which is marked
 * TP_STATUS_SEND_REQUEST, and its buffer freed; after the whole frame of packets one
 * {@code send(fd, NULL, 0, MSG_DONTWAIT)} per ring used makes the kernel transmit them all.
 * One system call per frame of up to 256 packets rather than one per packet is the point
 * of the tx ring.
 *
 * <p>When the next tx frame still belongs to the kernel the ring is full and the packet is
 * dropped as "tx ring full": the worker never waits for the device. Rings sized with at
 * least as many tx frames as a graph frame holds (256) are full only when the device
 * falls behind. A failed kick (ENOBUFS, ENXIO while the link is down) is counted; the
 * frames stay requested and go with the next kick.
 *
 * <p>With offloads on the ring ({@link PacketRing.Config#offloads()}) each tx frame starts
 * with the packet's virtio-net header, so a packet whose L4 checksum is still partial
 * leaves with the kernel completing it. And datagrams of one UDP flow that follow each
 * other with the same length, as ESP in UDP of a segmented TCP stream does, leave as one
 * UDP GSO super-frame through the ring's {@link GsoSocket} ({@link UdpGso}), gathered by one
 * {@code sendmsg(2)} from the packets' own buffers: on a veth wire it crosses as one skb,
 * elsewhere the kernel cuts it up just before the device.
 */
public final class AfPacketOutput extends Stage<AfPacketOutput.Params> {
    public static final String NAME = "afpacket-output";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        UNKNOWN_INTERFACE("unknown interface"),
        NO_RING_ON_WORKER("no tx ring on this worker"),
        RUNT("runt frame"),
        FRAME_TOO_LONG("frame too long"),
        TX_RING_FULL("tx ring full"),
        /** Counted, not a drop: the packets were already placed in the ring. */
        KICK_ERROR("tx kick error"),
        /**
         * A super-frame the kernel refused or had no room for: its packets are dropped. A
         * refusal of super-frames as such (an old kernel) turns them off for the ring; packets
         * then go one by one.
         */
        GSO_SEND_ERROR("udp gso send error"),
        /** Counted, not drops: super-frames sent, and the datagrams they carried. */
        GSO_FRAMES("udp gso super-frames sent"),
        GSO_SEGMENTS("udp gso datagrams sent");

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

    private static final StageSpec SPEC =
            StageSpec.of(NAME, NextArc.None.class, Errors.class, VirtioNetMetadata.Errors.class);

    /**
     * @param rings for each interface index, that uplink's rings indexed by worker (null
     *              for an index that is not an uplink); worker {@code w} transmits only
     *              through {@code rings[index][w]}, since a tx ring has one writer. Copied.
     */
    public record Params(PacketRing[][] rings) {
        public Params {
            if (rings == null) {
                throw new IllegalArgumentException(NAME + ": a ring table is required");
            }
            PacketRing[][] copy = new PacketRing[rings.length][];
            for (int i = 0; i < rings.length; i++) {
                copy[i] = rings[i] == null ? null : rings[i].clone();
            }
            rings = copy;
        }

        /** A table from interface index to that uplink's per-worker rings. */
        public static Params of(Map<Integer, List<PacketRing>> byInterface) {
            int size = 0;
            for (int index : byInterface.keySet()) {
                if (index < 0) {
                    throw new IllegalArgumentException(NAME + ": interface index must be >= 0, got " + index);
                }
                size = Math.max(size, index + 1);
            }
            PacketRing[][] table = new PacketRing[size][];
            byInterface.forEach((index, rings) -> table[index] = rings.toArray(PacketRing[]::new));
            return new Params(table);
        }

        /** Rings of interface {@code index}, or null when it is not an uplink. */
        PacketRing[] ringsOf(int index) {
            return index >= 0 && index < rings.length ? rings[index] : null;
        }

        @Override
        public PacketRing[][] rings() {
            PacketRing[][] copy = new PacketRing[rings.length][];
            for (int i = 0; i < rings.length; i++) {
                copy[i] = rings[i] == null ? null : rings[i].clone();
            }
            return copy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Params other && Arrays.deepEquals(rings, other.rings);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(rings);
        }

        @Override
        public String toString() {
            return "Params" + Arrays.deepToString(rings);
        }
    }

    public AfPacketOutput(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int worker = ctx.worker();
        int n = frame.count();
        // The ring filled last, kicked when the next packet goes to another ring or into a
        // super-frame, and at the end: one kick per run of packets for the same uplink.
        PacketRing pending = null;
        for (int i = 0; i < n; ) {
            int bi = frame.get(i);
            PacketRing[] rings = p.ringsOf(mem.txInterface(bi));
            if (rings == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                i++;
                continue;
            }
            PacketRing ring = worker < rings.length ? rings[worker] : null;
            if (ring == null) {
                ctx.drop(bi, Errors.NO_RING_ON_WORKER);
                i++;
                continue;
            }
            int length = mem.length(bi);
            if (length < Ethernet.HEADER_LENGTH) {
                ctx.drop(bi, Errors.RUNT);
                i++;
                continue;
            }
            if (ring.gso() != null && ring.gso().usable()) {
                int joined = superFrame(frame, i, n, ring, mem, ctx, pending);
                if (joined > 0) {
                    pending = null;
                    i += joined;
                    continue;
                }
            }
            i++;
            if (length > ring.txCapacity()) {
                ctx.drop(bi, Errors.FRAME_TOO_LONG);
                continue;
            }
            long slot = ring.txNext();
            if (slot < 0) {
                ctx.drop(bi, Errors.TX_RING_FULL);
                continue;
            }
            if (ring.offloads()) {
                // The tap's header, as is: the kernel reads NEEDS_CSUM and GSO from it on
                // transmit and ignores DATA_VALID (virtio_net_hdr_to_skb).
                int code = VirtioNetMetadata.write(mem, bi, ring.memory(), slot + PacketRing.txHeaderOffset());
                if (code != VirtioNetMetadata.OK) {
                    ctx.drop(bi, VIRTIO_ERRORS + code);
                    continue;
                }
            }
            MemorySegment.copy(data, mem.start(bi), ring.memory(), slot + ring.txPacketOffset(), length);
            ring.txSubmit(slot, length);
            ctx.buffers().free(bi);
            if (pending != ring) {
                if (pending != null) {
                    kick(pending, ctx);
                }
                pending = ring;
            }
        }
        if (pending != null) {
            kick(pending, ctx);
        }
    }

    /**
     * Sends the packets from {@code i} on as one UDP GSO super-frame through the ring's
     * {@link GsoSocket} when at least two of them join ({@link UdpGso}), after kicking the
     * ring with what came before them so the wire keeps their order. Returns how many
     * packets it took (sent, or dropped on a failed send), 0 when fewer than two join.
     */
    private static int superFrame(Frame frame, int i, int n, PacketRing ring, PacketMemory mem, StageContext ctx,
                                  PacketRing pending) {
        MemorySegment data = mem.data();
        int first = frame.get(i);
        if (mem.gsoSize(first) != 0 || i + 1 >= n) {
            return 0;
        }
        long a = mem.start(first);
        int firstLength = mem.length(first);
        int payloadOffset = UdpGso.payloadOffset(data, a, firstLength);
        if (payloadOffset < 0) {
            return 0;
        }
        int tx = mem.txInterface(first);
        int maxFrame = ring.config().superFrameLimit();
        int payloadBytes = firstLength - payloadOffset;
        int segments = 1;
        for (int j = i + 1; j < n; j++) {
            int bj = frame.get(j);
            int length = mem.length(bj);
            if (mem.txInterface(bj) != tx || mem.gsoSize(bj) != 0
                    || !UdpGso.fits(payloadOffset, firstLength, segments, payloadBytes, length, maxFrame)
                    || UdpGso.payloadOffset(data, mem.start(bj), length) != payloadOffset
                    || !UdpGso.sameFlow(data, a, mem.start(bj), payloadOffset)) {
                break;
            }
            payloadBytes += length - payloadOffset;
            segments++;
            if (length < firstLength) {
                break; // only the last segment may be shorter
            }
        }
        if (segments < 2) {
            return 0;
        }
        if (pending != null) {
            kick(pending, ctx);
        }
        // Gathered, not copied: the first datagram's headers are copied once, behind the
        // virtio-net header, and rewritten there for the whole super-frame; every datagram's
        // payload is sent from its own buffer. The wire carries what the kernel cuts from
        // these headers (UdpGso): the same bytes as a super-frame built in one buffer.
        GsoSocket gso = ring.gso();
        MemorySegment headers = gso.headers();
        long at = VirtioNetHeader.LEGACY_SIZE;
        MemorySegment.copy(data, a, headers, at, payloadOffset);
        UdpGso.writeHeaders(headers, 0, at, payloadOffset, firstLength - payloadOffset, payloadBytes);
        GatherMessage message = gso.message();
        message.clear();
        // GsoSocket has a piece for the headers and each of UdpGso.MAX_SEGMENTS payloads, so
        // every add fits; were one refused, a partial super-frame would be sent, so none is.
        boolean whole = message.add(headers, 0, at + payloadOffset);
        for (int k = 0; k < segments; k++) {
            int bk = frame.get(i + k);
            whole &= message.add(data, mem.start(bk) + payloadOffset, mem.length(bk) - payloadOffset);
        }
        boolean sent;
        try {
            sent = whole && gso.send() > 0;
        } catch (LinuxException e) {
            sent = false;
        }
        for (int k = 0; k < segments; k++) {
            int bk = frame.get(i + k);
            if (sent) {
                ctx.buffers().free(bk);
            } else {
                ctx.drop(bk, Errors.GSO_SEND_ERROR);
            }
        }
        if (sent) {
            ctx.count(Errors.GSO_FRAMES, 1);
            ctx.count(Errors.GSO_SEGMENTS, segments);
        }
        return segments;
    }

    private static void kick(PacketRing ring, StageContext ctx) {
        try {
            ring.txKick();
        } catch (LinuxException e) {
            ctx.count(Errors.KICK_ERROR, 1);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return String.format(Locale.ROOT, "tx %d, %d bytes", mem.txInterface(bi), mem.length(bi));
    }
}
