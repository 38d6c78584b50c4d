package dev.cipherlane.ipsec.parallel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@code parallel-submit} and {@code parallel-complete} in the one-worker harness: the
 * worker submits its own packets and completes them in a later round, as a worker that
 * encrypts for one SA with helper threads would.
 */
class ParallelStagesTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(2);

    /** Fails packets by their first byte: 0 passes, 1 and 2 are reasons, 9 is a code with no name. */
    private static final PacketJob<Object> BY_FIRST_BYTE = (engine, mem, bi, thread) -> mem.u8(bi, 0);

    private static byte[] packet(int first, int id) {
        byte[] b = new byte[64];
        b[0] = (byte) first;
        b[1] = (byte) id;
        return b;
    }

    private static void pollUntil(StageHarness h, String capture, int packets) {
        await().atMost(HANG_GUARD).until(() -> {
            h.runtime().runOnce(256);
            return h.captured(capture).size() == packets;
        });
    }

    @Test
    void passingPacketsContinueInOrderAndFailuresCountUnderTheirNames() {
        try (StageHarness g = new StageHarness()) {
            ParallelRing<Object> ring = new ParallelRing<>("esp", g.memory(), 64, 2, k -> new Object());
            g.add(new ParallelSubmit<>("parallel-submit", new ParallelSubmit.Params<>(ring, BY_FIRST_BYTE)));
            g.add(new ParallelComplete<>("parallel-complete", List.of("esp integrity check failed", "esp replayed"),
                    new ParallelComplete.Params<>(ring, 0)));
            try {
                int[] firsts = {0, 1, 0, 2, 9, 0, 0, 1};
                List<Integer> expectedIds = new ArrayList<>();
                int[] bis = new int[firsts.length];
                for (int i = 0; i < firsts.length; i++) {
                    bis[i] = g.packet(packet(firsts[i], i), 0);
                    if (firsts[i] == 0) {
                        expectedIds.add(i);
                    }
                }
                g.run("parallel-submit", bis);
                pollUntil(g, "parallel-complete.next", expectedIds.size());
                List<Integer> ids = new ArrayList<>();
                for (byte[] b : g.capturedBytes("parallel-complete.next")) {
                    ids.add((int) b[1]);
                }
                assertEquals(expectedIds, ids);
                assertEquals(2, g.errors("parallel-complete", "esp integrity check failed"));
                assertEquals(1, g.errors("parallel-complete", "esp replayed"));
                assertEquals(1, g.errors("parallel-complete", ParallelComplete.JOB_FAILED_ERROR));
            } finally {
                ring.shutdown();
            }
        }
    }

    @Test
    void aFullRingDropsTheFrameAsRingFull() {
        CountDownLatch release = new CountDownLatch(1);
        PacketJob<Object> held = (engine, mem, bi, thread) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return PacketJob.PASS;
        };
        try (StageHarness g = new StageHarness(4096, 0)) {
            ParallelRing<Object> ring = new ParallelRing<>("full", g.memory(), 64, 1, k -> new Object());
            g.add(new ParallelSubmit<>("parallel-submit", new ParallelSubmit.Params<>(ring, held)));
            g.add(new ParallelComplete<>("parallel-complete", List.of(), new ParallelComplete.Params<>(ring, 0)));
            try {
                // 70 frames of 2 packets; the ring holds 64 of them while the job is held.
                for (int f = 0; f < 70; f++) {
                    g.run("parallel-submit", g.packet(packet(0, f), 0), g.packet(packet(0, f), 0));
                }
                assertEquals(12, g.errors("parallel-submit", ParallelSubmit.RING_FULL_ERROR));
                release.countDown();
                pollUntil(g, "parallel-complete.next", 128);
                List<byte[]> out = g.capturedBytes("parallel-complete.next");
                for (int i = 0; i < out.size(); i++) {
                    assertEquals(i / 2, out.get(i)[1], "frame order kept");
                }
            } finally {
                release.countDown();
                ring.shutdown();
            }
        }
    }

    @Test
    void stagesRefuseMissingParameters() {
        try (PacketMemory mem = new PacketMemory(1, 0);
             ParallelRing<Object> ring = new ParallelRing<>("r", mem, 64, 1, k -> new Object())) {
            assertThrows(IllegalArgumentException.class,
                    () -> new ParallelSubmit<>("s", new ParallelSubmit.Params<>(ring, null)));
            assertThrows(IllegalArgumentException.class,
                    () -> new ParallelComplete<>("c", List.of(), new ParallelComplete.Params<>(ring, -1)));
        }
        assertEquals(List.of("parallel job failed", "a", "b"), ParallelComplete.spec("c", List.of("a", "b")).errors());
    }
}
