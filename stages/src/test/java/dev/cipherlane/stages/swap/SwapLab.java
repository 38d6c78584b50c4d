package dev.cipherlane.stages.swap;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.BackoffIdle;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.InputStage;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.graph.Worker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Workers running source → tag → sink: each worker's source numbers its packets, the
 * swappable {@code tag} stage stamps them with its implementation's id, and the sink checks
 * that every worker's packets arrive each once and in order.
 */
public final class SwapLab implements AutoCloseable {
    static final int WORKERS = 2;
    static final StageSpec TAG_SPEC = new StageSpec("tag", List.of("out"), List.of());
    /** Frames a tag instance processed after it was closed; must stay 0 (the jar's stage counts here too). */
    public static final AtomicInteger PROCESSED_AFTER_CLOSE = new AtomicInteger();

    /** Numbers packets per worker until stopped. */
    static final class Source extends InputStage<Stage.NoParams> {
        final int[] next = new int[WORKERS];
        volatile boolean stopped;

        Source() {
            super(new StageSpec("source", List.of("out"), List.of()), NoParams.INSTANCE);
        }

        @Override
        public int poll(StageContext ctx, int budget) {
            int made = 0;
            int w = ctx.worker();
            while (!stopped && made < 16) {
                int bi = ctx.buffers().allocSmall();
                if (bi < 0) {
                    break;
                }
                ctx.memory().length(bi, 60);
                ctx.memory().u32(bi, 0, next[w]++);
                ctx.memory().u32(bi, 4, 0);
                ctx.enqueue(0, bi);
                made++;
            }
            return made;
        }
    }

    /** The swappable stage: stamps its id and, slowly enough to be caught, notes being run after close. */
    static final class Tag extends Stage<Stage.NoParams> {
        final int id;
        volatile boolean closed;
        /** Packets tagged by this instance and those it took over from. */
        AtomicLong handled = new AtomicLong();

        Tag(int id) {
            super(TAG_SPEC, NoParams.INSTANCE);
            this.id = id;
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            if (closed) {
                PROCESSED_AFTER_CLOSE.incrementAndGet();
            }
            for (int i = 0; i < frame.count(); i++) {
                ctx.memory().u32(frame.get(i), 4, id);
                ctx.enqueue(0, frame.get(i));
            }
            handled.addAndGet(frame.count());
            // A frame takes a while, so a close that does not wait would land inside one.
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 5_000) {
                Thread.onSpinWait();
            }
            if (closed) {
                PROCESSED_AFTER_CLOSE.incrementAndGet();
            }
        }

        @Override
        public void takeOver(Stage<?> predecessor) {
            if (predecessor instanceof Tag t) {
                handled = t.handled;
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** Checks order per worker and counts packets per tag id. */
    static final class Sink extends Stage<Stage.NoParams> {
        final int[] expected = new int[WORKERS];
        final AtomicLong misordered = new AtomicLong();
        final AtomicLongArray received = new AtomicLongArray(WORKERS);
        final AtomicLongArray byTag = new AtomicLongArray(256);

        Sink() {
            super(new StageSpec("sink", List.of(), List.of()), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            int w = ctx.worker();
            for (int i = 0; i < frame.count(); i++) {
                int bi = frame.get(i);
                int seq = ctx.memory().u32(bi, 0);
                if (seq != expected[w]) {
                    misordered.incrementAndGet();
                }
                expected[w] = seq + 1;
                byTag.incrementAndGet(ctx.memory().u32(bi, 4) & 0xFF);
                received.incrementAndGet(w);
                ctx.buffers().free(bi);
            }
        }

        long total() {
            long t = 0;
            for (int w = 0; w < WORKERS; w++) {
                t += received.get(w);
            }
            return t;
        }
    }

    final Source source = new Source();
    final Sink sink = new Sink();
    final List<Tag> tags = new CopyOnWriteArrayList<>();
    final PacketMemory memory = new PacketMemory(4096, 0);
    final Graph graph;
    final List<Worker> workers = new ArrayList<>();
    final StageSwitchboard board;

    SwapLab() {
        Tag first = new Tag('a');
        tags.add(first);
        graph = Graph.builder().add(source).add(first).add(sink).connect("source", "out", "tag")
                .connect("tag", "out", "sink").build();
        List<GraphRuntime> runtimes = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            Worker worker = new Worker(graph, memory, w, new BackoffIdle(10));
            workers.add(worker);
            runtimes.add(worker.runtime());
        }
        StageCatalog catalog = new StageCatalog(List.of(
                StageProvider.of("tag", StageCatalog.BUILTIN, "1", Stage.NoParams.class, p -> tag('a')),
                StageProvider.of("tag", "b", "1", Stage.NoParams.class, p -> tag('b'))));
        board = new StageSwitchboard(graph, runtimes, catalog, "1", Duration.ofSeconds(5), Clock.systemUTC());
    }

    private Tag tag(int id) {
        Tag t = new Tag(id);
        tags.add(t);
        return t;
    }

    SwapLab start() {
        for (Worker w : workers) {
            w.start();
        }
        return this;
    }

    long produced() {
        long n = 0;
        for (int w = 0; w < WORKERS; w++) {
            n += source.next[w];
        }
        return n;
    }

    long tagPackets() {
        long n = 0;
        for (Worker w : workers) {
            n += w.runtime().counters("tag").packets();
        }
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        source.stopped = true;
        for (Worker w : workers) {
            w.stop();
        }
        memory.close();
    }
}
