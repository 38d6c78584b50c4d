package dev.cipherlane.stages.ring;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.BackoffIdle;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real worker threads handing packets to each other through rings. Producers run
 * {@code source -> handoff}; the consumer runs {@code ring-input -> check}. The waits only
 * keep a broken build from hanging: nothing here depends on how fast it runs.
 */
class CrossWorkerHandoffTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);
    private static final String RING_FULL = "handoff ring full";

    private static Worker worker(Graph g, PacketMemory mem, int index) {
        return new Worker(g, mem, index, new BackoffIdle(BackoffIdle.SPINS_DEFAULT));
    }

    private static Graph producer(NumberedSource source, Handoff handoff) {
        return Graph.builder().add(source).add(handoff)
                .connect(source.name(), "next", handoff.name()).build();
    }

    private static Graph consumer(FrameRing ring, int worker, OrderCheck check) {
        RingInput in = new RingInput(new RingInput.Params(ring, worker));
        return Graph.builder().add(in).add(check).connect(in.name(), "next", check.name()).build();
    }

    private static long drops(Worker w) {
        return RuntimeReport.errorCount(List.of(w.runtime()), Handoff.NAME, RING_FULL);
    }

    @Test
    void fiveMillionPacketsCrossInOrderAndNoneLeaks() throws Exception {
        long total = 5_000_000;
        // At most 4096 packets exist at once and a slot holds at least one, so a ring of
        // 4096 slots never fills: every packet must arrive.
        try (PacketMemory mem = new PacketMemory(4096, 0)) {
            FrameRing ring = new FrameRing("to-w1", 4096);
            NumberedSource source = new NumberedSource("source", 0, total, 256);
            OrderCheck check = new OrderCheck("check", 1);
            Worker a = worker(producer(source, new Handoff(2, Handoff.Params.byFlowHash(List.of(ring)))), mem, 0);
            Worker b = worker(consumer(ring, 1, check), mem, 1);
            b.start();
            a.start();
            try {
                await().atMost(HANG_GUARD).until(() -> check.received() == total || check.firstViolation() != null);
            } finally {
                a.stop();
                b.stop();
            }
            assertNull(check.firstViolation());
            assertEquals(total, check.received());
            assertEquals(total, check.nextExpected(0));
            assertEquals(0, drops(a));
            assertEquals(0, mem.inUse(), "buffers in use after both workers stopped");
        }
    }

    @Test
    void aFullRingDropsExactlyWhatItCannotHoldAndNeverBlocksTheProducer() throws Exception {
        int slots = 64;
        int perFrame = 16;
        int frames = 100;
        try (PacketMemory mem = new PacketMemory(4096, 0)) {
            FrameRing ring = new FrameRing("to-w1", slots);
            // One poll makes one frame of 16, which the handoff offers as one slot.
            NumberedSource source = new NumberedSource("source", 0, (long) frames * perFrame, perFrame);
            OrderCheck check = new OrderCheck("check", 1);
            Worker a = worker(producer(source, new Handoff(2, Handoff.Params.fixed(List.of(ring), 0))), mem, 0);
            Worker b = worker(consumer(ring, 1, check), mem, 1);
            try {
                // The consumer is not running: the producer must get through every frame anyway.
                a.start();
                await().atMost(HANG_GUARD).until(() -> source.produced() == (long) frames * perFrame);
                a.stop();
                assertEquals((long) (frames - slots) * perFrame, drops(a));
                assertEquals(0, ring.remainingCapacity());

                b.start();
                await().atMost(HANG_GUARD).until(() -> check.received() == (long) slots * perFrame);
            } finally {
                a.stop();
                b.stop();
            }
            assertNull(check.firstViolation());
            assertEquals((long) slots * perFrame, check.nextExpected(0), "the first 64 frames, in order");
            assertEquals(slots, ring.remainingCapacity());
            assertEquals(0, mem.inUse(), "dropped and delivered packets all freed");
        }
    }

    @Test
    void severalProducersIntoOneRingKeepEachProducersOrder() throws Exception {
        long perProducer = 1_000_000;
        try (PacketMemory mem = new PacketMemory(4096, 0)) {
            FrameRing ring = new FrameRing("to-w2", 4096);
            // One handoff instance shared by both producer workers, as in a real graph.
            Handoff handoff = new Handoff(3, Handoff.Params.byFlowHash(List.of(ring)));
            NumberedSource s0 = new NumberedSource("source", 0, perProducer, 256);
            NumberedSource s1 = new NumberedSource("source", 1, perProducer, 256);
            OrderCheck check = new OrderCheck("check", 2);
            Worker p0 = worker(producer(s0, handoff), mem, 0);
            Worker p1 = worker(producer(s1, handoff), mem, 1);
            Worker c = worker(consumer(ring, 2, check), mem, 2);
            c.start();
            p0.start();
            p1.start();
            try {
                await().atMost(HANG_GUARD)
                        .until(() -> check.received() == 2 * perProducer || check.firstViolation() != null);
            } finally {
                p0.stop();
                p1.stop();
                c.stop();
            }
            assertNull(check.firstViolation());
            assertEquals(perProducer, check.nextExpected(0));
            assertEquals(perProducer, check.nextExpected(1));
            assertEquals(0, drops(p0) + drops(p1));
            assertEquals(0, mem.inUse());
        }
    }
}
