package dev.cipherlane.avf.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.MemoryWire;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The data path allocates no Java objects per packet: frames go out through the transmit
 * ring, the model sends them onto a looped-back wire, hashes them to a receive queue and
 * writes them back, and the driver takes them in, all on this thread, with the control
 * path polled between rounds. Bytes allocated by this thread are counted by the JVM over
 * many rounds after warm-up: a byte count, not a timing, so it holds on a loaded machine.
 */
class DataPathAllocationTest {
    private static final int BATCH = 32;
    private static final int WARM_UP_ROUNDS = 3_000;
    private static final int MEASURED_ROUNDS = 3_000;

    @Test
    void transmitAndReceiveAllocateNothingPerPacket() {
        try (Arena arena = Arena.ofConfined();
             MemoryWire wire = new MemoryWire(1024).loopback(true);
             AvfModel model = new AvfModel(wire, ModelSettings.DEFAULT)) {
            AvfDriver driver = new AvfDriver(model, AvfSettings.DEFAULT);
            long[] now = {1_000_000_000L};
            driver.start(now[0]);
            for (int i = 0; i < 20_000 && driver.state() != VfState.RUNNING; i++) {
                now[0] += 100_000;
                model.service(now[0]);
                driver.poll(now[0]);
            }
            assertEquals(VfState.RUNNING, driver.state(), driver.failure());

            MemorySegment[] out = new MemorySegment[BATCH];
            int[] outLengths = new int[BATCH];
            MemorySegment[] in = new MemorySegment[BATCH];
            int[] inLengths = new int[BATCH];
            int[] hashes = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                byte[] f = Frames.flow(driver.mac(), i * 977, 64 + i * 45);
                out[i] = arena.allocate(16 * 1024);
                MemorySegment.copy(MemorySegment.ofArray(f), 0, out[i], 0, f.length);
                outLengths[i] = f.length;
                in[i] = arena.allocate(16 * 1024);
            }
            long[] moved = {0};
            Runnable round = () -> {
                moved[0] -= driver.transmit(0, out, outLengths, BATCH);
                now[0] += 1_000;
                model.service(now[0]);
                driver.poll(now[0]);
                for (int q = 0; q < 4; q++) {
                    moved[0] += driver.receive(q, in, inLengths, hashes, BATCH);
                }
            };
            for (int r = 0; r < WARM_UP_ROUNDS; r++) {
                round.run();
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < MEASURED_ROUNDS; r++) {
                round.run();
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            long packets = (long) MEASURED_ROUNDS * BATCH;
            long sent = 0;
            long received = 0;
            for (int q = 0; q < 4; q++) {
                sent += driver.counters(q).txPackets();
                received += driver.counters(q).rxPackets();
            }
            assertEquals((long) (WARM_UP_ROUNDS + MEASURED_ROUNDS) * BATCH, sent, "every frame was sent");
            assertEquals(sent, received, "and came back");
            assertEquals(0, wire.dropped());
            double perPacket = allocated / (double) packets;
            // One object per packet would be >= 16 bytes; one per batch still >= 0.5.
            assertTrue(perPacket < 0.01, allocated + " bytes allocated, " + perPacket + " per packet");
            driver.close();
        }
    }
}
