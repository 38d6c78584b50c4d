package dev.cipherlane.avf.stage;

import dev.cipherlane.avf.driver.AvfDriver;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageError;
import dev.cipherlane.stages.graph.StageSpec;
import java.util.Locale;

/**
 * {@code avf-input-<name>}: the VF's receive queues, polled by the worker that owns the VF
 * ({@link AvfPort}); every received frame goes to {@code ethernet-input}. The RSS hash is not
 * kept: the graph's own flow hash is symmetric (a flow and its replies hash alike), Toeplitz
 * with an arbitrary key is not.
 *
 * <p>Each poll first runs the control path ({@link AvfPort#service}: resets, the mailbox,
 * statistics, watchdogs), then, queue by queue, takes a batch of small buffers, lets the
 * driver copy frames into them straight from its DMA buffers, and gives back the ones left
 * empty: one allocation and one free call per batch, no object per packet. A frame longer
 * than a small buffer holds is dropped and counted by the driver (rxTooLong), as a NIC drops
 * a frame above its configured maximum. Without a buffer nothing is taken from the ring: the
 * frames wait there, and once the ring is full the device drops them (AVF 1.0 7.2: a queue
 * without free descriptors discards) and says so in its statistics. On other workers this
 * stage produces nothing.
 */
public final class AvfInput extends InputStage<AvfInput.Params> {
    public static final String NAME_PREFIX = "avf-input-";
    /** Frames per driver call: one batch of buffers. */
    static final int BATCH = 32;
    /** Largest frame a small buffer takes, with 64 bytes of tailroom for ESP trailers (as afpacket-input). */
    public static final int FRAME_MAX = SizeClass.SMALL.bytes - PacketMemory.HEADROOM - 64;

    /** Next arcs, in index order. */
    public enum Arcs implements NextArc { ETHERNET_INPUT }

    /** Errors, in index order, with the reasons {@code show errors} prints. */
    public enum Errors implements StageError {
        /** Counted, not a drop: a poll found no buffers, and the frames stayed in the ring. */
        NO_BUFFER("no buffer (frames left in the ring)");

        private final String reason;

        Errors(String reason) {
            this.reason = reason;
        }

        @Override
        public String reason() {
            return reason;
        }
    }

    /**
     * @param port           the VF
     * @param interfaceIndex dataplane index of the uplink, stored as each packet's rx interface
     */
    public record Params(AvfPort port, int interfaceIndex) {}

    private final int[] buffers = new int[BATCH];
    private final long[] offsets = new long[BATCH];
    private final int[] lengths = new int[BATCH];

    public AvfInput(Params params) {
        super(spec(name(params.port().name())), params);
    }

    public static String name(String port) {
        return NAME_PREFIX + port;
    }

    public static StageSpec spec(String name) {
        return StageSpec.of(name, Arcs.class, Errors.class);
    }

    @Override
    protected Params validate(Params p) {
        if (p == null || p.port() == null || p.interfaceIndex() < 0) {
            throw new IllegalArgumentException("avf input: a port and an interface index >= 0 are required, got " + p);
        }
        Params cur = params();
        if (cur != null && !cur.port().name().equals(p.port().name())) {
            throw new IllegalArgumentException(name() + ": cannot become " + name(p.port().name()));
        }
        return p;
    }

    @Override
    public int poll(StageContext ctx, int budget) {
        Params p = params();
        AvfPort port = p.port();
        if (ctx.worker() != port.worker()) {
            return 0;
        }
        port.service(System.nanoTime());
        AvfDriver driver = port.driver();
        int queues = driver.queues();
        PacketMemory mem = ctx.memory();
        BufferCache cache = ctx.buffers();
        int produced = 0;
        for (int q = 0; q < queues && produced < budget; q++) {
            while (produced < budget) {
                int want = Math.min(BATCH, budget - produced);
                int got = cache.allocSmall(buffers, want);
                if (got == 0) {
                    ctx.count(Errors.NO_BUFFER, 1);
                    return produced;
                }
                for (int i = 0; i < got; i++) {
                    offsets[i] = mem.start(buffers[i]);
                }
                int n = driver.receive(q, mem.data(), offsets, FRAME_MAX, lengths, null, got);
                for (int i = 0; i < n; i++) {
                    int bi = buffers[i];
                    mem.length(bi, lengths[i]);
                    mem.rxInterface(bi, p.interfaceIndex());
                    ctx.enqueue(Arcs.ETHERNET_INPUT, bi);
                }
                if (n < got) {
                    cache.free(buffers, n, got - n);
                }
                produced += n;
                if (n < want) {
                    break;
                }
            }
        }
        return produced;
    }

    @Override
    public String formatTrace(PacketMemory mem, int bi) {
        return String.format(Locale.ROOT, "%s, %d bytes", params().port().name(), mem.length(bi));
    }
}
