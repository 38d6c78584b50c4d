package dev.cipherlane.stages.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Inputs come and go on a running graph: a worker polls an added input from its next round,
 * keeps every other stage's frames and counters, stops polling a removed one, and a removal's
 * {@link Quiescence} passes once no round can still be polling it.
 */
class GraphLiveInputsTest {

    enum NoErrors implements StageError {
        ;

        @Override
        public String reason() {
            return "";
        }
    }

    /** An input named at will, making {@code perPoll} packets a poll while it has any left. */
    static final class Source extends InputStage<Stage.NoParams> {
        enum Arcs implements NextArc { OUT }

        volatile long polls;
        private final int perPoll;

        Source(String name, int perPoll) {
            super(StageSpec.of(name, Arcs.class, NoErrors.class), NoParams.INSTANCE);
            this.perPoll = perPoll;
        }

        @Override
        public int poll(StageContext ctx, int budget) {
            polls++;
            int made = 0;
            while (made < Math.min(budget, perPoll)) {
                int bi = ctx.buffers().allocSmall();
                if (bi < 0) {
                    break;
                }
                ctx.memory().length(bi, 64);
                ctx.enqueue(Arcs.OUT, bi);
                made++;
            }
            return made;
        }
    }

    /** Counts and frees what reaches it. */
    static final class Sink extends Stage<Stage.NoParams> {
        final AtomicLong packets = new AtomicLong();

        Sink() {
            super(StageSpec.of("sink", NextArc.None.class, NoErrors.class), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            for (int i = 0; i < frame.count(); i++) {
                ctx.buffers().free(frame.get(i));
            }
            packets.addAndGet(frame.count());
        }
    }

    private static final Map<String, String> TO_SINK = Map.of("out", "sink");

    @Test
    void anAddedInputIsPolledFromTheNextRoundAndARemovedOneNoMore() {
        Sink sink = new Sink();
        Source a = new Source("source-a", 3);
        Graph g = Graph.builder().add(a).add(sink).connect("source-a", "out", "sink").build();
        try (PacketMemory mem = new PacketMemory(256, 0)) {
            BufferCache cache = mem.newCache();
            GraphRuntime rt = new GraphRuntime(g, mem, cache, 0);
            assertEquals(3, rt.runOnce(Worker.POLL_BUDGET));
            int version = g.version();

            Source b = new Source("source-b", 5);
            StageSlot slot = g.addInput(b, TO_SINK);
            assertEquals(version + 1, g.version());
            assertEquals(2, slot.index(), "the lowest free index");
            assertTrue(g.has("source-b"));
            assertEquals(0, rt.counters("source-b").packets(), "not taken up yet: zeros, not a failure");
            assertEquals(8, rt.runOnce(Worker.POLL_BUDGET));
            assertEquals(5, rt.counters("source-b").packets());
            assertEquals(6, rt.counters("source-a").packets(), "kept its counters across the change");
            assertEquals(11, sink.packets.get());

            StageSlot removed = g.removeInput("source-a");
            assertSame(a, removed.stage());
            assertFalse(g.has("source-a"));
            long polls = a.polls;
            assertEquals(5, rt.runOnce(Worker.POLL_BUDGET));
            assertEquals(polls, a.polls, "a removed input is not polled");
            assertEquals(List.of("sink", "source-b"), g.slots().stream().map(s -> s.stage().name()).toList());

            // The hole is reused; the new node there starts from zero.
            Source c = new Source("source-c", 1);
            assertEquals(0, g.addInput(c, TO_SINK).index());
            assertEquals(6, rt.runOnce(Worker.POLL_BUDGET));
            assertEquals(1, rt.counters("source-c").packets());
            assertEquals(0, mem.inUse(), "every packet reached the sink and was freed");
            cache.close();
        }
    }

    @Test
    void onlyInputsComeAndGoAndEveryArcMustLeadSomewhere() {
        Graph g = Graph.builder().add(new Source("source-a", 1)).add(new Sink())
                .connect("source-a", "out", "sink").build();
        assertThrows(IllegalArgumentException.class, () -> g.removeInput("sink"));
        assertThrows(IllegalArgumentException.class, () -> g.removeInput("no-such"));
        assertThrows(IllegalArgumentException.class, () -> g.addInput(new Source("source-a", 1), TO_SINK));
        assertThrows(IllegalArgumentException.class, () -> g.addInput(new Source("source-x", 1), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> g.addInput(new Source("source-x", 1), Map.of("out", "nowhere")));
        assertThrows(IllegalArgumentException.class,
                () -> g.addInput(new Source("source-x", 1), Map.of("out", "sink", "sideways", "sink")));
        assertEquals(0, g.version(), "a refused change changes nothing");
    }

    @Test
    void aRemovalIsQuiescentOnceEveryRunningWorkerFinishedItsRound() throws Exception {
        Sink sink = new Sink();
        Graph g = Graph.builder().add(new Source("source-a", 1)).add(sink).connect("source-a", "out", "sink").build();
        try (PacketMemory mem = new PacketMemory(4096, 0)) {
            Worker w = new Worker(g, mem, 0, new BackoffIdle(100)).start();
            try {
                for (int i = 0; i < 200; i++) {
                    Source s = new Source("source-" + i, 2);
                    g.addInput(s, TO_SINK);
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (s.polls == 0 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    assertTrue(s.polls > 0, "a running worker takes up an added input");
                    g.removeInput(s.name());
                    assertTrue(Quiescence.mark(List.of(w.runtime())).await(Duration.ofSeconds(5)));
                    long polls = s.polls;
                    long seen = sink.packets.get();
                    while (sink.packets.get() < seen + 10) {
                        Thread.onSpinWait();
                    }
                    assertEquals(polls, s.polls, "once quiescent, the removed input is never polled again");
                }
            } finally {
                w.stop();
            }
            assertEquals(0, mem.inUse());
        }
    }
}
