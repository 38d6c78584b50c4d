package dev.cipherlane.tap;

import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.LinuxException;
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
import dev.cipherlane.stages.offload.VirtioNetMetadata;
import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tap-output}: sends complete Ethernet frames to the tap their {@code txInterface}
 * names. The 12-byte virtio-net header (the taps are opened with {@code TUNSETVNETHDRSZ 12}) goes into the headroom right in front of the frame
 * ({@link VirtioNetMetadata#write}: a super-packet keeps its GSO type and size so the pod's
 * kernel receives one large TCP segment, a partial checksum stays partial), and header
 * plus frame leave in one {@code write(2)}; the buffer is freed once written.
 *
 * <p>Queue: worker {@code w} writes to queue {@code w % queues} of the tap, so workers do
 * not contend for one queue while there are as many queues as workers (tun writes are
 * safe from several threads in any case). Tap writes never block the worker: the queues
 * are non-blocking, and EAGAIN (the tap's socket send buffer is full because the pod does
 * not read) drops the frame as "tap queue full". Write errors (EIO while the tap is down,
 * EINVAL for a frame tun refuses) drop it as "write error".
 */
public final class TapOutput extends Stage<TapOutput.Params> {
    public static final String NAME = "tap-output";

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        UNKNOWN_INTERFACE("unknown interface"),
        RUNT("runt frame"),
        NO_HEADROOM("no headroom for virtio-net header"),
        QUEUE_FULL("tap queue full"),
        WRITE_ERROR("write error");

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

    private static final int VNET_HEADER = VirtioNetHeader.SIZE;

    /**
     * @param queues for each interface index, the descriptors of that tap's queues (null or
     *               empty for an index that is not a tap); copied, so the caller may reuse
     *               its arrays
     */
    public record Params(int[][] queues) {
        public Params {
            if (queues == null) {
                throw new IllegalArgumentException(NAME + ": a queue table is required");
            }
            int[][] copy = new int[queues.length][];
            for (int i = 0; i < queues.length; i++) {
                int[] q = queues[i];
                if (q == null) {
                    continue;
                }
                for (int fd : q) {
                    if (fd < 0) {
                        throw new IllegalArgumentException(NAME + ": interface " + i + " has queue fd " + fd);
                    }
                }
                copy[i] = q.clone();
            }
            queues = copy;
        }

        /** A table from interface index to queue descriptors. */
        public static Params of(Map<Integer, int[]> byInterface) {
            int size = 0;
            for (int index : byInterface.keySet()) {
                if (index < 0) {
                    throw new IllegalArgumentException(NAME + ": interface index must be >= 0, got " + index);
                }
                size = Math.max(size, index + 1);
            }
            int[][] table = new int[size][];
            byInterface.forEach((index, fds) -> table[index] = fds);
            return new Params(table);
        }

        /** Queue descriptors of interface {@code index}, or null when it is not a tap. */
        public int[] queuesOf(int index) {
            int[] q = index >= 0 && index < queues.length ? queues[index] : null;
            return q == null || q.length == 0 ? null : q;
        }

        @Override
        public int[][] queues() {
            int[][] copy = new int[queues.length][];
            for (int i = 0; i < queues.length; i++) {
                copy[i] = queues[i] == null ? null : queues[i].clone();
            }
            return copy;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Params other && Arrays.deepEquals(queues, other.queues);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(queues);
        }

        @Override
        public String toString() {
            return "Params" + Arrays.deepToString(queues);
        }
    }

    public TapOutput(Params params) {
        super(SPEC, params);
    }

    @Override
    public void process(Frame frame, StageContext ctx) {
        Params p = params();
        PacketMemory mem = ctx.memory();
        MemorySegment data = mem.data();
        int worker = ctx.worker();
        int n = frame.count();
        for (int i = 0; i < n; i++) {
            int bi = frame.get(i);
            int[] fds = p.queuesOf(mem.txInterface(bi));
            if (fds == null) {
                ctx.drop(bi, Errors.UNKNOWN_INTERFACE);
                continue;
            }
            int length = mem.length(bi);
            if (length < Ethernet.HEADER_LENGTH) {
                ctx.drop(bi, Errors.RUNT);
                continue;
            }
            if (mem.dataOffset(bi) < VNET_HEADER) {
                ctx.drop(bi, Errors.NO_HEADROOM);
                continue;
            }
            long header = mem.start(bi) - VNET_HEADER;
            int code = VirtioNetMetadata.write(mem, bi, header);
            if (code != VirtioNetMetadata.OK) {
                ctx.drop(bi, VIRTIO_ERRORS + code);
                continue;
            }
            // num_buffers: tun ignores it on write; zero rather than whatever the headroom held.
            data.set(Net.U16, header + VirtioNetHeader.NUM_BUFFERS, (short) 0);
            long total = VNET_HEADER + (long) length;
            long r;
            try {
                r = Libc.write(fds[worker % fds.length], data, header, total);
            } catch (LinuxException e) {
                ctx.drop(bi, Errors.WRITE_ERROR);
                continue;
            }
            if (r == Libc.WOULD_BLOCK) {
                ctx.drop(bi, Errors.QUEUE_FULL);
            } else if (r != total) {
                // tun takes a frame whole or not at all; anything else is a broken descriptor.
                ctx.drop(bi, Errors.WRITE_ERROR);
            } else {
                ctx.buffers().free(bi);
            }
        }
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "tx %d, %d bytes",
                mem.txInterface(bi), mem.length(bi)));
        if (mem.gsoSize(bi) > 0) {
            sb.append(String.format(Locale.ROOT, ", gso type 0x%02x size %d", mem.gsoType(bi), mem.gsoSize(bi)));
        }
        if (mem.hasFlag(bi, PacketFlags.NEEDS_CSUM)) {
            sb.append(", needs csum");
        }
        return sb.toString();
    }
}
