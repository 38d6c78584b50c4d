package dev.cipherlane.stages.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.testing.StageHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Issue: a stage that threw killed its worker silently while the node reported running. */
class FaultContainmentTest {

    /** Passes packets on, drops those whose number ends in 5, and throws on those ending in 3. */
    static final class Flaky extends Stage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { OUT }

        /** Errors, in index order, with the reasons {@code show errors} prints. */
        public enum Errors implements StageError {
            FIVE("ends in five");

            private final String reason;

            Errors(String reason) {
                this.reason = reason;
            }

            @Override
            public String reason() {
                return reason;
            }
        }

        private final Throwable toThrow;
        final List<Integer> seen = new CopyOnWriteArrayList<>();

        Flaky(Throwable toThrow) {
            super(StageSpec.of("flaky", Arcs.class, Errors.class), NoParams.INSTANCE);
            this.toThrow = toThrow;
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.get(i);
                int seq = ctx.memory().u32(bi, 0);
                seen.add(seq);
                if (seq % 10 == 3) {
                    sneakyThrow(toThrow);
                } else if (seq % 10 == 5) {
                    ctx.drop(bi, Errors.FIVE);
                } else {
                    ctx.enqueue(Arcs.OUT, bi);
                }
            }
        }

        @SuppressWarnings("unchecked")
        private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
            throw (T) t;
        }
    }

    /** Passes every packet on; for the fault injector. */
    static final class Pass extends Stage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { OUT }

        Pass() {
            super(StageSpec.of("pass", Arcs.class), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            for (int i = 0; i < frame.count(); i++) {
                ctx.enqueue(Arcs.OUT, frame.get(i));
            }
        }
    }

    private static int[] numbered(StageHarness h, int n) {
        int[] bis = new int[n];
        for (int i = 0; i < n; i++) {
            bis[i] = h.packet(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i, 0, 0, 0, 0}, 0);
        }
        return bis;
    }

    private static List<Integer> numbers(StageHarness h, String capture) {
        List<Integer> out = new ArrayList<>();
        for (int bi : h.captured(capture)) {
            out.add(h.memory().u32(bi, 0));
        }
        return out;
    }

    @Test
    void aStageThatThrowsOnAPacketDropsThatPacketAloneAndGoesOn() {
        Flaky flaky = new Flaky(new IllegalStateException("bug on packet"));
        try (StageHarness h = new StageHarness(2048, 0, flaky)) {
            h.run("flaky", numbered(h, 1000));
            List<Integer> out = numbers(h, "flaky.out");
            assertEquals(800, out.size());
            for (int i = 1; i < out.size(); i++) {
                assertTrue(out.get(i - 1) < out.get(i), "order kept: " + out);
            }
            assertTrue(out.stream().allMatch(s -> s % 10 != 3 && s % 10 != 5));
            assertEquals(100, h.errors("flaky", "ends in five"), "its own drops counted as usual");
            assertEquals(100, h.errors("flaky", NodeCounters.EXCEPTION));
            assertEquals(1000, flaky.seen.size(), "each packet handled once, none twice");
            String errors = RuntimeReport.errors(List.of(h.runtime()));
            assertTrue(errors.matches("(?s).*100\\s+flaky\\s+exception.*"), errors);
        } // the harness checks that no buffer is left in use
    }

    @Test
    void errorsAStageCanCauseAreContainedToo() {
        for (Throwable t : List.of(new StackOverflowError(), new AssertionError("x"),
                new NoClassDefFoundError("gone"), new java.io.IOException("checked, thrown sneakily"))) {
            try (StageHarness h = new StageHarness(256, 0, new Flaky(t))) {
                h.run("flaky", numbered(h, 20));
                assertEquals(2, h.errors("flaky", NodeCounters.EXCEPTION), t.toString());
                assertEquals(16, h.captured("flaky.out").size());
            }
        }
    }

    @Test
    void injectedFaultsHitOnePacketInN() {
        try (StageHarness h = new StageHarness(4096, 0, new Pass())) {
            h.runtime().injectFaults("pass", 100, false);
            h.run("pass", numbered(h, 1000));
            h.run("pass", numbered(h, 1000));
            assertEquals(20, h.errors("pass", NodeCounters.EXCEPTION));
            assertEquals(1980, h.captured("pass.out").size());
        }
    }

    @Test
    void anInjectedWorkerDeathEndsTheWorkerAndTheRestartGoesOn() throws Exception {
        Source source = new Source(5_000);
        Graph g = Graph.builder().add(source).add(new Pass()).add(new Drop())
                .connect("source", "out", "pass").connect("pass", "out", "drop").build();
        List<Throwable> deaths = new CopyOnWriteArrayList<>();
        ExecutorService supervisor = Executors.newSingleThreadExecutor();
        try (PacketMemory mem = new PacketMemory(1024, 0)) {
            Worker w = new Worker(g, mem, 0, new BackoffIdle(10), restartingWatch(supervisor, deaths));
            w.runtime().injectFaults("pass", 1000, true);
            w.start();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                    RuntimeReport.errorCount(List.of(w.runtime()), "drop", "dropped")
                            + RuntimeReport.errorCount(List.of(w.runtime()), "pass", NodeCounters.EXCEPTION) == 5_000);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> w.health().running());
            assertEquals(5, deaths.size(), deaths.toString());
            assertTrue(deaths.get(0) instanceof FaultInjector.InjectedWorkerDeath, deaths.toString());
            assertEquals(5, w.health().restarts());
            w.stop();
            assertEquals(0, mem.inUse());
        } finally {
            supervisor.shutdownNow();
        }
    }

    @Test
    void aFaultInjectorNeedsAtLeastTwo() {
        try (StageHarness h = new StageHarness(64, 0, new Pass())) {
            assertThrows(IllegalArgumentException.class, () -> h.runtime().injectFaults("pass", 1, false));
        }
    }

    @Test
    void theRuntimeOwnsTheExceptionReason() {
        enum Bad implements StageError {
            EXCEPTION;

            @Override
            public String reason() {
                return NodeCounters.EXCEPTION;
            }
        }
        assertThrows(IllegalArgumentException.class, () -> StageSpec.of("bad", NextArc.None.class, Bad.class));
    }

    /** An input whose poll throws every other round. */
    static final class FlakyInput extends InputStage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { OUT }

        int rounds;

        FlakyInput() {
            super(StageSpec.of("flaky-input", Arcs.class), NoParams.INSTANCE);
        }

        @Override
        public int poll(StageContext ctx, int budget) {
            if (rounds++ % 2 == 0) {
                throw new IllegalStateException("poll failed");
            }
            int bi = ctx.buffers().allocSmall();
            ctx.memory().length(bi, 60);
            ctx.enqueue(Arcs.OUT, bi);
            return 1;
        }
    }

    @Test
    void anInputThatThrowsIsCountedAndTheOtherRoundsGoOn() {
        try (StageHarness h = new StageHarness(64, 0, new FlakyInput())) {
            for (int i = 0; i < 10; i++) {
                h.runtime().runOnce(32);
            }
            assertEquals(5, h.captured("flaky-input.out").size());
            assertEquals(5, h.errors("flaky-input", NodeCounters.EXCEPTION));
        }
    }

    /** Numbered packets, one per poll round, up to a limit. */
    static final class Source extends InputStage<Stage.NoParams> {
        /** Next arcs, in index order. */
        public enum Arcs implements NextArc { OUT }

        volatile int next;
        final int limit;

        Source(int limit) {
            super(StageSpec.of("source", Arcs.class), NoParams.INSTANCE);
            this.limit = limit;
        }

        @Override
        public int poll(StageContext ctx, int budget) {
            int made = 0;
            while (made < 8 && next < limit) {
                int bi = ctx.buffers().allocSmall();
                if (bi < 0) {
                    break;
                }
                ctx.memory().length(bi, 60);
                ctx.memory().u32(bi, 0, next++);
                ctx.enqueue(Arcs.OUT, bi);
                made++;
            }
            return made;
        }
    }

    @Test
    void aWorkerKilledByAnUncontainedErrorIsReportedRestartedAndLosesNoBuffer() throws Exception {
        Source source = new Source(20_000);
        Graph g = Graph.builder().add(source).add(new Flaky(new OutOfMemoryError("injected"))).add(new Drop())
                .connect("source", "out", "flaky").connect("flaky", "out", "drop").build();
        List<Throwable> deaths = new CopyOnWriteArrayList<>();
        ExecutorService supervisor = Executors.newSingleThreadExecutor();
        try (PacketMemory mem = new PacketMemory(1024, 0)) {
            Worker w = new Worker(g, mem, 0, new BackoffIdle(10), restartingWatch(supervisor, deaths)).start();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> accounted(w) == 20_000);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> w.health().running());
            Worker.Health health = w.health();
            assertTrue(deaths.size() > 1, "every packet ending in 3 ends the worker");
            assertEquals("injected", deaths.get(0).getMessage());
            assertEquals(deaths.size(), health.restarts());
            assertTrue(health.lastFailure().contains("OutOfMemoryError: injected"), health.lastFailure());
            assertNotNull(health.failedAt());
            w.stop();
            assertFalse(w.health().running());
            assertFalse(w.restart(), "a stopped worker is not restarted");
            assertEquals(0, mem.inUse(), "the packets of the frames a fatal error interrupted were given back");
        } finally {
            supervisor.shutdownNow();
        }
    }

    @Test
    void aWorkerNoOneWatchesStaysDownWithItsFailureShown() throws Exception {
        Source source = new Source(100);
        Graph g = Graph.builder().add(source).add(new Flaky(new OutOfMemoryError("injected"))).add(new Drop())
                .connect("source", "out", "flaky").connect("flaky", "out", "drop").build();
        try (PacketMemory mem = new PacketMemory(256, 0)) {
            Worker w = new Worker(g, mem, 0, new BackoffIdle(10)).start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> w.health().lastFailure() != null);
            assertFalse(w.health().running());
            assertEquals(0, w.health().restarts());
            w.stop();
            assertEquals(0, mem.inUse());
        }
    }

    /** As the node's supervisor does: told on the dying thread, restarts from its own. */
    private static Worker.Watch restartingWatch(ExecutorService supervisor, List<Throwable> deaths) {
        return (worker, cause) -> {
            deaths.add(cause);
            supervisor.execute(() -> {
                try {
                    worker.restart();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        };
    }

    /** Packets the worker has dealt with: passed on to the drop stage, or dropped by the flaky one. */
    private static long accounted(Worker w) {
        return RuntimeReport.errorCount(List.of(w.runtime()), "drop", "dropped") + dropped(w);
    }

    private static long dropped(Worker w) {
        return RuntimeReport.errorCount(List.of(w.runtime()), "flaky", NodeCounters.EXCEPTION)
                + RuntimeReport.errorCount(List.of(w.runtime()), "flaky", "ends in five");
    }

    @Test
    void aWorkerRestartedFromItsOwnThreadIsRefused() throws Exception {
        Source source = new Source(100);
        Graph g = Graph.builder().add(source).add(new Flaky(new OutOfMemoryError("injected"))).add(new Drop())
                .connect("source", "out", "flaky").connect("flaky", "out", "drop").build();
        List<Throwable> refusals = new CopyOnWriteArrayList<>();
        try (PacketMemory mem = new PacketMemory(256, 0)) {
            Worker w = new Worker(g, mem, 0, new BackoffIdle(10), (worker, cause) -> {
                try {
                    worker.restart();
                } catch (Throwable t) {
                    refusals.add(t);
                }
            }).start();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> refusals.size() == 1);
            assertTrue(refusals.get(0) instanceof IllegalStateException, refusals.toString());
            w.stop();
            assertEquals(0, mem.inUse());
        }
    }
}
