package dev.cipherlane.tap;

import static dev.cipherlane.tap.TestFrames.concat;
import static dev.cipherlane.tap.TestFrames.echoRequestFrame;
import static dev.cipherlane.tap.TestFrames.vnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tap rx and tx allocate no Java objects per packet: frames read by TapInput, turned around
 * and written by TapOutput, over many rounds after warm-up, counted as bytes this thread
 * allocated (a count, not a timing). Datagram socket pairs stand in for the tap queues.
 */
class TapAllocationTest {
    private static final int RX = 1;
    private static final int TX = 2;
    private static final int PER_ROUND = 32;
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 2_000;

    /** Sends every packet out of interface {@link #TX}. */
    private static final class Turnaround extends Stage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { TX }

        Turnaround() {
            super(StageSpec.of("turnaround", Arcs.class), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            PacketMemory mem = ctx.memory();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.get(i);
                mem.txInterface(bi, TX);
                ctx.enqueue(Arcs.TX, bi);
            }
        }
    }

    @Test
    void receivingAndSendingAllocateNothingPerPacket() throws Exception {
        try (DatagramQueue rx = new DatagramQueue(); DatagramQueue tx = new DatagramQueue()) {
            TapInput input = new TapInput(new TapInput.Params(rx.fd(), RX, "tap0", 0, 0));
            // A partial checksum, so the offload metadata takes the whole way too.
            byte[] frame = concat(vnet(1, 0, 0, 0, 34, 2), echoRequestFrame(200));
            rx.load(frame);
            try (StageHarness h = new StageHarness(input)) {
                h.add(new Turnaround()).add(new TapOutput(TapOutput.Params.of(Map.of(TX, new int[] {tx.fd()}))));
                h.connect(input.name(), "ethernet-input", "turnaround");
                h.connect("turnaround", "tx", TapOutput.NAME);
                GraphRuntime rt = h.runtime();
                long passed = 0;
                for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                    passed += round(rt, rx, tx, frame.length);
                }
                com.sun.management.ThreadMXBean threads =
                        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int r = 0; r < MEASURED_ROUNDS; r++) {
                    passed += round(rt, rx, tx, frame.length);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                assertEquals((long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * PER_ROUND, passed,
                        "every frame went in and out");
                double perPacket = allocated / (double) ((long) MEASURED_ROUNDS * PER_ROUND);
                // One object per packet would be >= 16 bytes; one per poll still >= 0.5.
                assertTrue(perPacket < 0.05, allocated + " bytes allocated, " + perPacket + " per packet");
            }
        }
    }

    private static int round(GraphRuntime rt, DatagramQueue rx, DatagramQueue tx, int length) throws Exception {
        for (int i = 0; i < PER_ROUND; i++) {
            rx.sendLoaded(length);
        }
        rt.runOnce(Frame.CAPACITY);
        return tx.drain();
    }
}
