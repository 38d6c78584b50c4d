package dev.cipherlane.benchmarks;

import dev.cipherlane.ipsec.crypto.AeadEngine;
import dev.cipherlane.ipsec.crypto.AeadEngines;
import dev.cipherlane.ipsec.crypto.JdkAesGcm;
import dev.cipherlane.ipsec.esp.EspEncryptPrepare;
import dev.cipherlane.ipsec.esp.EspSealJob;
import dev.cipherlane.ipsec.parallel.ParallelComplete;
import dev.cipherlane.ipsec.parallel.ParallelRing;
import dev.cipherlane.ipsec.parallel.ParallelSubmit;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.BackoffIdle;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.IdleStrategy;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Worker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * One SA's encryption through the ordered parallel crypto ring, with 1 and 2 crypto threads:
 * the benchmark thread is the worker that owns the SA. It runs {@code esp-encrypt-prepare}
 * (sequence numbers, headers, trailer: the in-order half of {@code esp-encrypt}) and a
 * {@code parallel-submit}, which hands each frame of 256 packets to the ring; crypto thread
 * {@code k} runs {@link EspSealJob} on the frames whose ring slot is {@code k} mod N with its
 * own JDK engine; a {@code parallel-complete}, polled by the same worker, takes frames back in
 * ring order, and a sink checks that the ESP sequence numbers come out consecutive, puts the
 * outer header back and returns the packets to the worker's free pool.
 *
 * <p>{@value #FRAMES_IN_FLIGHT} frames of 1400-byte inner packets circulate, so the ring is
 * never empty while the worker keeps up; one benchmark call submits one frame, first waiting
 * (as a worker does: spin, yield, park) until a frame's worth of packets has come back. One
 * operation is one packet: the score is packets per second through the ring, at most
 * {@value #FRAMES_IN_FLIGHT} frames off over a whole iteration. The GC profiler counts every
 * thread of the JVM, so {@code gc.alloc.rate.norm} includes what the crypto threads allocate.
 *
 * <p>At tear-down the CPU time per packet of the worker and of each crypto thread is printed
 * ({@link CpuPerPacket}): on a machine where the worker and two crypto threads share two
 * cores with other loads, that says what the packets cost apart from what the scheduler gave.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class EspParallelBench {
    static final int FRAMES_IN_FLIGHT = 16;
    static final int PACKETS = FRAMES_IN_FLIGHT * Frame.CAPACITY;
    /** More slots than frames in flight: the ring is never full, so nothing is dropped. */
    static final int RING_SLOTS = ParallelRing.SIZE_MIN;
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final String SUBMIT = "esp-seal-submit";
    private static final String COMPLETE = "esp-seal-complete";

    @Param({"1", "2"})
    public int cryptoThreads;

    private PacketMemory mem;
    private BufferCache cache;
    private SavedPackets saved;
    private ParallelRing<AeadEngine> ring;
    private GraphRuntime worker;
    private int prepareSlot;
    private PacketRewind sink;
    private final IdleStrategy idle = new BackoffIdle(BackoffIdle.SPINS_DEFAULT);
    /** Packets back from the ring, oldest first, waiting to be submitted again. */
    private final int[] pool = new int[PACKETS];
    private int poolHead;
    private int poolCount;
    private final int[] frame = new int[Frame.CAPACITY];
    private long submitted;
    private CpuPerPacket cpu;

    @Setup(Level.Trial)
    public void setUp() {
        EspFixture esp = new EspFixture();
        mem = new PacketMemory(PACKETS, 0);
        cache = mem.newCache();
        int[] packets = esp.ipipPackets(mem, cache, PACKETS);
        saved = new SavedPackets(mem, PACKETS, packets);
        ring = new ParallelRing<>("esp-bench", mem, RING_SLOTS, cryptoThreads, k -> AeadEngines.create(JdkAesGcm.NAME));
        sink = new PacketRewind("encrypted", saved, 20, true, this::recycle);
        Graph g = Graph.builder()
                .add(new EspEncryptPrepare(new EspEncryptPrepare.Params(esp.sas::current)))
                .add(new ParallelSubmit<>(SUBMIT, new ParallelSubmit.Params<>(ring, new EspSealJob(esp.sas::current))))
                .add(new ParallelComplete<>(COMPLETE, EspSealJob.REASONS, new ParallelComplete.Params<>(ring, 0)))
                .add(sink)
                .connect(EspEncryptPrepare.NAME, "seal", SUBMIT)
                .connect(COMPLETE, "next", sink.name())
                .build();
        worker = new GraphRuntime(g, mem, cache, 0);
        prepareSlot = g.slot(EspEncryptPrepare.NAME).index();
        for (int bi : packets) {
            recycle(bi);
        }
        Thread[] crypto = ring.cryptoThreads();
        Thread[] counted = new Thread[1 + crypto.length];
        counted[0] = Thread.currentThread();
        System.arraycopy(crypto, 0, counted, 1, crypto.length);
        cpu = new CpuPerPacket(counted);
    }

    @Setup(Level.Iteration)
    public void iterationStart(IterationParams iteration) {
        cpu.iterationStart(iteration, sink.packets());
    }

    @TearDown(Level.Iteration)
    public void iterationEnd() {
        cpu.iterationEnd(sink.packets());
    }

    private void recycle(int bi) {
        pool[(poolHead + poolCount) % PACKETS] = bi;
        poolCount++;
    }

    /** Waits for a frame's worth of encrypted packets if need be, then submits a frame. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void encrypt() {
        while (poolCount < Frame.CAPACITY) {
            idle.idle(worker.runOnce(Worker.POLL_BUDGET));
        }
        for (int i = 0; i < Frame.CAPACITY; i++) {
            frame[i] = pool[poolHead];
            poolHead = (poolHead + 1) % PACKETS;
        }
        poolCount -= Frame.CAPACITY;
        worker.inject(prepareSlot, frame, 0, Frame.CAPACITY);
        worker.dispatch();
        submitted += Frame.CAPACITY;
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) {
        long deadline = System.nanoTime() + DRAIN_NANOS;
        while (poolCount < PACKETS && System.nanoTime() < deadline) {
            idle.idle(worker.runOnce(Worker.POLL_BUDGET));
        }
        String errors = RuntimeReport.errors(List.of(worker));
        try {
            if (sink.packets() != submitted || sink.outOfOrder() != 0 || ring.jobFailures() != 0) {
                throw new IllegalStateException("submitted " + submitted + ", came back " + sink.packets() + ", "
                        + sink.outOfOrder() + " out of sequence, " + ring.jobFailures() + " jobs failed; drops:\n"
                        + errors);
            }
            System.out.println();
            System.out.print(RuntimeReport.runtime(List.of(worker)));
            System.out.print(cpu.report(benchmark.id()));
        } finally {
            ring.shutdown();
            for (int i = 0; i < poolCount; i++) {
                cache.free(pool[(poolHead + i) % PACKETS]);
            }
            cache.close();
            saved.close();
        }
        if (mem.inUse() != 0) {
            throw new IllegalStateException(mem.inUse() + " buffers leaked");
        }
        mem.close();
    }
}
