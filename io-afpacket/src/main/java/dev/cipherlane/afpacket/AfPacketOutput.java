package dev.cipherlane.afpacket;

import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
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
 */
public final class AfPacketOutput extends Stage<AfPacketOutput.Params> {
    public static final String NAME = "afpacket-output";

    public static final int UNKNOWN_INTERFACE = 0;
    public static final int NO_RING_ON_WORKER = 1;
    public static final int RUNT = 2;
    public static final int FRAME_TOO_LONG = 3;
    public static final int TX_RING_FULL = 4;
    /** Counted, not a drop: the packets were already placed in the ring. */
    public static final int KICK_ERROR = 5;

    private static final List<String> ERRORS = List.of(
            "unknown interface",
            "no tx ring on this worker",
            "runt frame",
            "frame too long",
            "tx ring full",
            "tx kick error");

    private static final StageSpec SPEC = new StageSpec(NAME, List.of(), ERRORS);

    private static final int ETHERNET_HEADER = 14;

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
        // The ring filled last, kicked when the next packet goes to another ring and at the
        // end: one kick per run of packets for the same uplink (almost always the whole frame).
        PacketRing pending = null;
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            PacketRing[] rings = p.ringsOf(mem.txInterface(bi));
            if (rings == null) {
                ctx.drop(bi, UNKNOWN_INTERFACE);
                continue;
            }
            PacketRing ring = worker < rings.length ? rings[worker] : null;
            if (ring == null) {
                ctx.drop(bi, NO_RING_ON_WORKER);
                continue;
            }
            int length = mem.length(bi);
            if (length < ETHERNET_HEADER) {
                ctx.drop(bi, RUNT);
                continue;
            }
            if (length > ring.txCapacity()) {
                ctx.drop(bi, FRAME_TOO_LONG);
                continue;
            }
            long slot = ring.txNext();
            if (slot < 0) {
                ctx.drop(bi, TX_RING_FULL);
                continue;
            }
            MemorySegment.copy(data, mem.start(bi), ring.memory(), slot + PacketRing.txDataOffset(), length);
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

    private static void kick(PacketRing ring, StageContext ctx) {
        try {
            ring.txKick();
        } catch (LinuxException e) {
            ctx.count(KICK_ERROR, 1);
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return String.format(Locale.ROOT, "tx %d, %d bytes", mem.txInterface(bi), mem.length(bi));
    }
}
