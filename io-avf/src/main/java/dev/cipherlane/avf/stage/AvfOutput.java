package dev.cipherlane.avf.stage;

import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.offload.PartialChecksum;
import dev.cipherlane.stages.wire.Ethernet;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code avf-output}: sends complete Ethernet frames out of the VF their {@code txInterface}
 * names. On the worker that owns the VF ({@link AvfPort}) a run of packets for it is one
 * driver call (descriptors written, one tail doorbell: AVF 1.0 section 7.3) and the buffers
 * are freed, the frames having been copied into the ring's DMA buffers; on any other worker
 * the run is handed to the owner through the port's ring (its {@code avf-handoff-<name>}
 * input feeds this stage again there), since the driver has one thread.
 *
 * <p>Our descriptors ask for no offload, so what the tap side left to "hardware" is done
 * here: a checksum left partial is completed (virtio 1.1 section 5.1.6.2). A TCP
 * super-packet longer than the VF's largest frame cannot be sent and is dropped and counted;
 * the graph segments what needs it before ESP.
 *
 * <p>Drops, each counted: an interface that is no VF here, a VF that is not running (reset,
 * failed: {@code show health} says why), runt or too long frames, a full descriptor ring (the
 * worker never waits for the device), a full handoff ring.
 */
public final class AvfOutput extends Stage<AvfOutput.Params> {
    public static final String NAME = "avf-output";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        UNKNOWN_INTERFACE("unknown interface"),
        VF_NOT_RUNNING("vf not running"),
        RUNT("runt frame"),
        FRAME_TOO_LONG("frame too long"),
        GSO_TOO_LONG("gso super-packet longer than a frame"),
        CHECKSUM_RANGE("partial checksum outside the packet"),
        TX_RING_FULL("tx ring full"),
        HANDOFF_FULL("handoff ring full");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    private static final StageSpec SPEC = StageSpec.of(NAME, NextArc.None.class, Errors.class);

    /** @param ports for each interface index, its VF, or null for an index that is no VF. Copied. */
    public record Params(AvfPort[] ports) {
        public Params {
            if (ports == null) {
                throw new IllegalArgumentException(NAME + ": a port table is required");
            }
            ports = ports.clone();
        }

        public static Params of(Map<Integer, AvfPort> byInterface) {
            int size = 0;
            for (int index : byInterface.keySet()) {
                if (index < 0) {
                    throw new IllegalArgumentException(NAME + ": interface index must be >= 0, got " + index);
                }
                size = Math.max(size, index + 1);
            }
            AvfPort[] table = new AvfPort[size];
            byInterface.forEach((index, port) -> table[index] = port);
            return new Params(table);
        }

        AvfPort portOf(int index) {
            return index >= 0 && index < ports.length ? ports[index] : null;
        }

        @Override
        public AvfPort[] ports() {
            return ports.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Params other && Arrays.equals(ports, other.ports);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ports);
        }

        @Override
        public String toString() {
            return "Params" + List.of(ports);
        }
    }

    private final int[] run = new int[Frame.CAPACITY];
    private final long[] offsets = new long[Frame.CAPACITY];
    private final int[] lengths = new int[Frame.CAPACITY];

    public AvfOutput(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        PacketMemory mem = ctx.memory();
        int n = frame.count();
        int i = 0;
        while (i < n) {
            int bi = frame.get(i);
            int tx = mem.txInterface(bi);
            AvfPort port = p.portOf(tx);
            if (port == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                i++;
                continue;
            }
            // The run of packets for the same VF.
            int m = 0;
            while (i < n && mem.txInterface(frame.get(i)) == tx) {
                run[m++] = frame.get(i++);
            }
            if (ctx.worker() == port.worker()) {
                send(port, m, mem, ctx);
            } else {
                handOff(port, m, mem, ctx);
            }
        }
    }

    /** On the owner: checks, then one driver call for the run; what the ring refuses is dropped. */
    private void send(AvfPort port, int m, PacketMemory mem, StageContext ctx) {
        if (port.state() != VfState.RUNNING) {
            for (int k = 0; k < m; k++) {
                ctx.drop(run[k], Errors.VF_NOT_RUNNING);
            }
            return;
        }
        int maxFrame = port.maxFrame();
        int ok = 0;
        for (int k = 0; k < m; k++) {
            int bi = run[k];
            int length = mem.length(bi);
            if (length < Ethernet.HEADER_LENGTH) {
                ctx.drop(bi, Errors.RUNT);
            } else if (length > maxFrame) {
                ctx.drop(bi, mem.gsoSize(bi) != 0 ? Errors.GSO_TOO_LONG : Errors.FRAME_TOO_LONG);
            } else if (mem.hasFlag(bi, PacketFlags.NEEDS_CSUM) && !PartialChecksum.complete(mem, bi)) {
                ctx.drop(bi, Errors.CHECKSUM_RANGE);
            } else {
                run[ok] = bi;
                offsets[ok] = mem.start(bi);
                lengths[ok] = length;
                ok++;
            }
        }
        if (ok == 0) {
            return;
        }
        int taken = port.driver().transmit(0, mem.data(), offsets, lengths, ok);
        for (int k = 0; k < taken; k++) {
            ctx.buffers().free(run[k]);
        }
        for (int k = taken; k < ok; k++) {
            ctx.drop(run[k], Errors.TX_RING_FULL);
        }
        if (taken > 0) {
            port.transmitted(System.nanoTime());
        }
    }

    /** From another worker: the owner's handoff ring takes the run whole, or it is dropped. */
    private void handOff(AvfPort port, int m, PacketMemory mem, StageContext ctx) {
        for (int k = 0; k < m; k++) {
            int bi = run[k];
            // Traces are per worker; the owner's runtime does not know this one's.
            int flags = mem.flags(bi);
            if ((flags & PacketFlags.TRACED) != 0) {
                mem.flags(bi, flags & ~PacketFlags.TRACED);
                mem.trace(bi, -1);
            }
            // The owner has it once offered, even if this stage throws later.
            ctx.keep(bi);
        }
        if (!port.handoff().offer(run, 0, m)) {
            for (int k = 0; k < m; k++) {
                ctx.drop(run[k], Errors.HANDOFF_FULL);
            }
        } else {
            port.wakeOwner();
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return String.format(Locale.ROOT, "tx %d, %d bytes", mem.txInterface(bi), mem.length(bi));
    }
}
