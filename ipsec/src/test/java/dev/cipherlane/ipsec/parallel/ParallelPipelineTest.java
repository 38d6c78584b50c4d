package dev.cipherlane.ipsec.parallel;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.BackoffIdle;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ring in real graphs on real worker threads: producers run
 * {@code input -> parallel-submit}, the consumer runs {@code parallel-complete -> sink}.
 * Waits only keep a broken build from hanging; nothing depends on speed.
 */
class ParallelPipelineTest {
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);
    private static final long KEY = 0x6b65796b65794bL;
    private static final List<String> REASONS = List.of("fails on 3 mod 7", "fails on 5 mod 11");

    private static Worker worker(Graph g, PacketMemory mem, int index) {
        return new Worker(g, mem, index, new BackoffIdle(BackoffIdle.SPINS_DEFAULT));
    }

    private static ParallelRing<ChecksumEngine> ring(String name, PacketMemory mem, int threads,
                                                    List<ChecksumEngine> engines) {
        return new ParallelRing<>(name, mem, 4096, threads, k -> {
            ChecksumEngine e = new ChecksumEngine(k, KEY);
            synchronized (engines) {
                engines.add(e);
            }
            return e;
        });
    }

    private static Graph producer(NumberedInput in, ParallelSubmit<ChecksumEngine> submit) {
        return Graph.builder().add(in).add(submit).connect(in.name(), "next", submit.name()).build();
    }

    private static Graph consumer(ParallelComplete<ChecksumEngine> complete, OrderedSink sink) {
        return Graph.builder().add(complete).add(sink).connect(complete.name(), "next", sink.name()).build();
    }

    private static long errors(Worker w, String stage, String reason) {
        return RuntimeReport.errorCount(List.of(w.runtime()), stage, reason);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void twoMillionPacketsComeOutInOrderEachProcessedOnce(int threads) throws Exception {
        long total = 2_000_000;
        List<ChecksumEngine> engines = new ArrayList<>();
        // 4096 buffers and 4096 slots: the ring can never fill, so nothing may be dropped.
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<ChecksumEngine> ring = ring("order", mem, threads, engines)) {
            NumberedInput in = new NumberedInput("input", 0, total, 256);
            ParallelSubmit<ChecksumEngine> submit = new ParallelSubmit<>("submit",
                    new ParallelSubmit.Params<>(ring, new ChecksumJob(1, false)));
            ParallelComplete<ChecksumEngine> complete = new ParallelComplete<>("complete", REASONS,
                    new ParallelComplete.Params<>(ring, 1));
            OrderedSink sink = new OrderedSink("sink", 1, KEY, 1);
            Worker a = worker(producer(in, submit), mem, 0);
            Worker b = worker(consumer(complete, sink), mem, 1);
            b.start();
            a.start();
            try {
                await().atMost(HANG_GUARD).until(() -> sink.received() == total || sink.firstViolation() != null);
            } finally {
                a.stop();
                b.stop();
            }
            assertNull(sink.firstViolation());
            assertEquals(total, sink.received());
            assertEquals(total - 1, sink.last(0));
            assertEquals(0, errors(a, "submit", ParallelSubmit.RING_FULL_ERROR));
            long[] perThread = sink.perThread();
            long sum = 0;
            for (int k = 0; k < threads; k++) {
                assertTrue(perThread[k] > 0, "crypto thread " + k + " did no work");
                sum += perThread[k];
            }
            assertEquals(total, sum);
            for (ChecksumEngine e : engines) {
                assertNull(e.misuse());
            }
            System.out.printf("%d crypto threads: packets per thread %s%n", threads,
                    Arrays.toString(Arrays.copyOf(perThread, threads)));
            assertEquals(0, mem.inUse(), "buffers in use after both workers stopped");
        }
    }

    @Test
    void failedJobsAreDroppedUnderTheirReasonNamesAndTheRestKeepOrder() throws Exception {
        long total = 300_000;
        long seven = 0;
        long eleven = 0;
        long threw = 0;
        for (long s = 0; s < total; s++) {
            switch (ChecksumJob.expected(s)) {
                case ChecksumJob.REASON_SEVEN -> seven++;
                case ChecksumJob.REASON_ELEVEN -> eleven++;
                case ParallelRing.JOB_THREW -> threw++;
                default -> { }
            }
        }
        long passing = total - seven - eleven - threw;
        List<ChecksumEngine> engines = new ArrayList<>();
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<ChecksumEngine> ring = ring("reasons", mem, 2, engines)) {
            NumberedInput in = new NumberedInput("input", 0, total, 256);
            ParallelSubmit<ChecksumEngine> submit = new ParallelSubmit<>("submit",
                    new ParallelSubmit.Params<>(ring, new ChecksumJob(1, true)));
            ParallelComplete<ChecksumEngine> complete = new ParallelComplete<>("complete", REASONS,
                    new ParallelComplete.Params<>(ring, 1));
            OrderedSink sink = new OrderedSink("sink", 1, KEY, 1);
            Worker a = worker(producer(in, submit), mem, 0);
            Worker b = worker(consumer(complete, sink), mem, 1);
            b.start();
            a.start();
            try {
                // The last packet passes, so once it is in, every drop before it was counted.
                assertEquals(PacketJob.PASS, ChecksumJob.expected(total - 1));
                await().atMost(HANG_GUARD).until(() -> sink.received() == passing || sink.firstViolation() != null);
            } finally {
                a.stop();
                b.stop();
            }
            assertNull(sink.firstViolation());
            assertEquals(passing, sink.received());
            assertEquals(seven, errors(b, "complete", "fails on 3 mod 7"));
            assertEquals(eleven, errors(b, "complete", "fails on 5 mod 11"));
            assertEquals(threw, errors(b, "complete", ParallelComplete.JOB_FAILED_ERROR));
            assertEquals(threw, ring.jobFailures());
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void twoProducersIntoOneRingEachKeepTheirOrder() throws Exception {
        long perProducer = 1_000_000;
        List<ChecksumEngine> engines = new ArrayList<>();
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<ChecksumEngine> ring = ring("two", mem, 2, engines)) {
            // One submit stage shared by both producer workers, as in a real graph.
            ParallelSubmit<ChecksumEngine> submit = new ParallelSubmit<>("submit",
                    new ParallelSubmit.Params<>(ring, new ChecksumJob(1, false)));
            NumberedInput in0 = new NumberedInput("input", 0, perProducer, 256);
            NumberedInput in1 = new NumberedInput("input", 1, perProducer, 256);
            ParallelComplete<ChecksumEngine> complete = new ParallelComplete<>("complete", REASONS,
                    new ParallelComplete.Params<>(ring, 2));
            OrderedSink sink = new OrderedSink("sink", 2, KEY, 1);
            Worker p0 = worker(producer(in0, submit), mem, 0);
            Worker p1 = worker(producer(in1, submit), mem, 1);
            Worker c = worker(consumer(complete, sink), mem, 2);
            c.start();
            p0.start();
            p1.start();
            try {
                await().atMost(HANG_GUARD)
                        .until(() -> sink.received() == 2 * perProducer || sink.firstViolation() != null);
            } finally {
                p0.stop();
                p1.stop();
                c.stop();
            }
            assertNull(sink.firstViolation());
            assertEquals(perProducer - 1, sink.last(0));
            assertEquals(perProducer - 1, sink.last(1));
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void oneWorkerCanSubmitAndCompleteItsOwnPackets() throws Exception {
        long total = 500_000;
        List<ChecksumEngine> engines = new ArrayList<>();
        try (PacketMemory mem = new PacketMemory(4096, 0);
             ParallelRing<ChecksumEngine> ring = ring("self", mem, 2, engines)) {
            NumberedInput in = new NumberedInput("input", 0, total, 256);
            ParallelSubmit<ChecksumEngine> submit = new ParallelSubmit<>("submit",
                    new ParallelSubmit.Params<>(ring, new ChecksumJob(1, false)));
            ParallelComplete<ChecksumEngine> complete = new ParallelComplete<>("complete", REASONS,
                    new ParallelComplete.Params<>(ring, 0));
            OrderedSink sink = new OrderedSink("sink", 1, KEY, 1);
            Graph g = Graph.builder().add(in).add(submit).add(complete).add(sink)
                    .connect(in.name(), "next", submit.name())
                    .connect(complete.name(), "next", sink.name())
                    .build();
            Worker w = worker(g, mem, 0);
            w.start();
            try {
                await().atMost(HANG_GUARD).until(() -> sink.received() == total || sink.firstViolation() != null);
            } finally {
                w.stop();
            }
            assertNull(sink.firstViolation());
            assertEquals(total - 1, sink.last(0));
            assertEquals(0, mem.inUse());
        }
    }
}
