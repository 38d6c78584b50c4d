package dev.cipherlane.stages.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphRuntimeTest {

    /** Sends even sequence numbers to "even", odd ones to "odd", drops multiples of 7. */
    static final class Splitter extends Stage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { EVEN, ODD }

        /** Errors, in index order, with the reasons {@code show errors} prints. */
        public enum Errors implements StageError {
            MULTIPLE_OF_SEVEN("multiple of seven");

            private final String reason;

            Errors(String reason) {
                this.reason = reason;
            }

            @Override
            public String reason() {
                return reason;
            }
        }

        Splitter() {
            super(StageSpec.of("split", Arcs.class, Errors.class), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            PacketMemory mem = ctx.memory();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.get(i);
                int seq = mem.u32(bi, 0);
                if (seq % 7 == 0) {
                    ctx.drop(bi, Errors.MULTIPLE_OF_SEVEN);
                } else {
                    ctx.enqueue(seq % 2 == 0 ? Arcs.EVEN : Arcs.ODD, bi);
                }
            }
        }

        @Override
        public String formatTrace(PacketMemory mem, int bi) {
            return "seq " + mem.u32(bi, 0);
        }
    }

    /** An input stage producing numbered packets, {@code budget} at a time. */
    static final class Counter extends InputStage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { OUT }

        /** Errors, in index order, with the reasons {@code show errors} prints. */
        public enum Errors implements StageError {
            NO_BUFFER("no buffer");

            private final String reason;

            Errors(String reason) {
                this.reason = reason;
            }

            @Override
            public String reason() {
                return reason;
            }
        }

        volatile int next;
        final int limit;

        Counter(int limit) {
            super(StageSpec.of("counter", Arcs.class, Errors.class), NoParams.INSTANCE);
            this.limit = limit;
        }

        @Override
        public int poll(StageContext ctx, int budget) {
            int made = 0;
            while (made < budget && next < limit) {
                int bi = ctx.buffers().allocSmall();
                if (bi < 0) {
                    ctx.count(Errors.NO_BUFFER, 1);
                    break;
                }
                ctx.memory().length(bi, 64);
                ctx.memory().u32(bi, 0, next++);
                ctx.enqueue(Arcs.OUT, bi);
                made++;
            }
            return made;
        }
    }

    private static byte[] seq(int n) {
        return new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n, 0, 0, 0, 0};
    }

    @Test
    void routesEveryPacketAndKeepsOrderAcrossFrames() {
        try (StageHarness h = new StageHarness(2048, 0, new Splitter())) {
            int[] bis = new int[1000];
            for (int i = 0; i < bis.length; i++) {
                bis[i] = h.packet(seq(i + 1), 0);
            }
            h.run("split", bis);
            List<Integer> even = seqs(h, "split.even");
            List<Integer> odd = seqs(h, "split.odd");
            int dropped = (int) h.errors("split", "multiple of seven");
            assertEquals(1000, even.size() + odd.size() + dropped);
            assertEquals(142, dropped);
            assertAscending(even);
            assertAscending(odd);
            NodeCounters c = h.runtime().counters("split");
            assertEquals(1000, c.packets());
            // 1000 packets arrive as frames of at most 256.
            assertEquals(4, c.vectors());
        }
    }

    @Test
    void pollsInputsThenDispatchesToCompletion() {
        Counter counter = new Counter(600);
        try (StageHarness h = new StageHarness(2048, 0, counter, new Splitter())) {
            h.connect("counter", "out", "split");
            GraphRuntime rt = h.runtime();
            int total = 0;
            int got;
            while ((got = rt.runOnce(256)) > 0) {
                total += got;
            }
            assertEquals(600, total);
            assertEquals(600, h.captured("split.even").size() + h.captured("split.odd").size()
                    + h.errors("split", "multiple of seven"));
            assertEquals(600, rt.counters("counter").packets());
            // 600 packets at 256 per poll: three productive polls, each timed.
            assertEquals(3, rt.counters("counter").vectors());
            assertTrue(rt.counters("counter").nanos() > 0);
            String report = RuntimeReport.runtime(List.of(rt));
            assertTrue(report.contains("split"), report);
            String errors = RuntimeReport.errors(List.of(rt));
            assertTrue(errors.contains("multiple of seven"), errors);
        }
    }

    @Test
    void exhaustedPoolIsCountedNotThrown() {
        Counter counter = new Counter(100);
        try (StageHarness h = new StageHarness(40, 0, counter)) {
            GraphRuntime rt = h.runtime();
            rt.runOnce(256);
            assertEquals(40, h.captured("counter.out").size());
            assertEquals(1, h.errors("counter", "no buffer"));
        }
    }

    @Test
    void traceFollowsArmedPacketsThroughEveryStage() {
        Counter counter = new Counter(10);
        try (StageHarness h = new StageHarness(64, 0, counter, new Splitter())) {
            h.connect("counter", "out", "split");
            GraphRuntime rt = h.runtime();
            rt.trace().arm(3);
            rt.runOnce(256);
            assertEquals(3, rt.trace().packets());
            String t = rt.trace().format();
            assertTrue(t.contains("Packet 1\ncounter: 64 bytes\n  -> out\nsplit: seq 0\n  drop: split multiple of seven"), t);
            assertTrue(t.contains("split: seq 1\n  -> odd"), t);
            assertTrue(t.contains("split: seq 2\n  -> even"), t);
            assertTrue(!t.contains("seq 3"), "only armed packets are traced: " + t);
        }
    }

    /** Issue: the trace was never cleared and grew without bound. */
    @Test
    void theTraceHoldsNoMoreThanItsLimitUntilCleared() {
        Counter counter = new Counter(40);
        try (StageHarness h = new StageHarness(64, 0, counter, new Splitter())) {
            h.connect("counter", "out", "split");
            GraphRuntime rt = h.runtime();
            rt.trace().limit(5);
            assertEquals(5, rt.trace().arm(8), "arming asks for the room left only");
            rt.runOnce(256);
            assertEquals(5, rt.trace().packets());
            assertEquals(0, rt.trace().arm(3), "full");
            rt.runOnce(256);
            assertEquals(5, rt.trace().packets(), "a full trace records nothing more");
            rt.trace().clear();
            assertEquals(0, rt.trace().packets());
            assertEquals(2, rt.trace().arm(2));
            rt.trace().limit(1);
            assertEquals(1, rt.trace().arm(2), "a lower limit lowers what is armed");
            assertThrows(IllegalArgumentException.class, () -> rt.trace().limit(PacketTrace.MAX_PACKETS + 1));
        }
    }

    @Test
    void unconnectedArcOrUnknownTargetRefusedAtBuild() {
        Graph.Builder b = Graph.builder().add(new Splitter());
        assertThrows(IllegalStateException.class, b::build);
        Graph.Builder b2 = Graph.builder().add(new Splitter())
                .connect("split", "even", "nowhere").connect("split", "odd", "nowhere");
        assertThrows(IllegalStateException.class, b2::build);
        assertThrows(IllegalArgumentException.class,
                () -> Graph.builder().add(new Splitter()).connect("split", "sideways", "x"));
        assertThrows(IllegalArgumentException.class,
                () -> Graph.builder().add(new Splitter()).add(new Splitter()));
    }

    @Test
    void slotPublishTakesEffectAtNextFrameAndRequiresSameSpec() {
        try (StageHarness h = new StageHarness(64, 0, new Splitter())) {
            GraphRuntime rt = h.runtime();
            StageSlot slot = rt.graph().slot("split");
            Splitter replacement = new Splitter();
            assertTrue(slot.publish(replacement) != replacement);
            assertEquals(replacement, slot.stage());
            assertThrows(IllegalArgumentException.class,
                    () -> slot.publish(new Counter(1)));
            h.run("split", h.packet(seq(3), 0));
            assertEquals(1, h.captured("split.odd").size());
        }
    }

    @Test
    void workerThreadRunsGraphAndReturnsItsBuffersOnStop() throws Exception {
        Counter counter = new Counter(50_000);
        Graph g = Graph.builder().add(counter).add(new dev.cipherlane.stages.builtin.Drop())
                .connect("counter", "out", "drop").build();
        try (PacketMemory mem = new PacketMemory(1024, 0)) {
            Worker w = new Worker(g, mem, 0, new BackoffIdle(10)).start();
            org.awaitility.Awaitility.await().until(() -> counter.next == 50_000);
            w.stop();
            assertEquals(50_000, RuntimeReport.errorCount(List.of(w.runtime()), "drop", "dropped"));
            assertEquals(0, mem.inUse());
        }
    }

    private static List<Integer> seqs(StageHarness h, String key) {
        List<Integer> out = new ArrayList<>();
        for (int bi : h.captured(key)) {
            out.add(h.memory().u32(bi, 0));
        }
        return out;
    }

    private static void assertAscending(List<Integer> xs) {
        for (int i = 1; i < xs.size(); i++) {
            assertTrue(xs.get(i - 1) < xs.get(i), "order broken at " + i + ": " + xs);
        }
    }
}
