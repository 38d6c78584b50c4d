package dev.cipherlane.avf.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.MemoryWire;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * avf-input and avf-output allocate nothing per packet: frames circle from the wire (in
 * loopback) through avf-input straight into avf-output and back onto the wire, round after
 * round of the graph, and the JVM counts the bytes this thread allocated meanwhile. The
 * port's once-a-second status (a few records) is all that may show.
 */
class AvfStagesAllocationTest {
    private static final int FRAMES = 32;
    private static final int WARM_UP_ROUNDS = 5_000;
    private static final int MEASURED_ROUNDS = 5_000;

    @Test
    void framesCirclingThroughBothStagesAllocateNothing() {
        MemoryWire wire = new MemoryWire(1024).loopback(true);
        AvfModel model = new AvfModel(wire, ModelSettings.DEFAULT.withQueuePairs(1));
        try (AvfPort port = AvfPort.onModel("vf0", model, wire, AvfSettings.DEFAULT.withQueues(1), 0, 64)) {
            port.start(System.nanoTime());
            // Interface 0: what avf-input marks as received is what avf-output sends on.
            AvfInput in = new AvfInput(new AvfInput.Params(port, 0));
            try (StageHarness h = new StageHarness(in, new AvfOutput(AvfOutput.Params.of(Map.of(0, port))))) {
                h.connect(in.name(), "ethernet-input", AvfOutput.NAME);
                // The model's reset takes 20 ms of real time: bounded by time, not rounds.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (port.state() != VfState.RUNNING && System.nanoTime() < deadline) {
                    h.runtime().runOnce(256);
                }
                assertEquals(VfState.RUNNING, port.state(), port.driver().failure());
                for (int i = 0; i < FRAMES; i++) {
                    wire.inject(Frames.flow(ModelSettings.DEFAULT.mac(), i, 64 + i * 40));
                }
                for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                    h.runtime().runOnce(256);
                }
                long rxBefore = port.driver().counters(0).rxPackets();
                com.sun.management.ThreadMXBean threads =
                        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int r = 0; r < MEASURED_ROUNDS; r++) {
                    h.runtime().runOnce(256);
                }
                long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                long packets = port.driver().counters(0).rxPackets() - rxBefore;
                assertTrue(packets >= (long) MEASURED_ROUNDS * FRAMES / 2,
                        () -> "the frames kept circling: " + packets + " in " + MEASURED_ROUNDS + " rounds");
                assertEquals(0, h.errors(AvfOutput.NAME, "tx ring full") + h.errors(AvfOutput.NAME, "unknown interface"));
                assertTrue(allocated < 8_192, () -> allocated + " bytes allocated for " + packets + " packets");
                // Back to the pool before the harness checks for leaks: drain the loop.
                wire.loopback(false);
                for (int r = 0; r < 100; r++) {
                    h.runtime().runOnce(256);
                }
            }
        }
    }
}
