package dev.cipherlane.benchmarks;

import dev.cipherlane.avf.driver.AvfDriver;
import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.MemoryWire;
import dev.cipherlane.avf.model.ModelSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

/**
 * The AVF driver and the software model of the VF on one thread, frames of 64 and 1400
 * bytes: a batch of 256 frames is received (the model writes them into receive descriptors
 * from its wire, the driver takes them out and rearms), then transmitted (the driver fills
 * transmit descriptors and rings the doorbell, the model fetches them, writes DESC_DONE and
 * puts them on the wire), and the wire, a {@link MemoryWire} in loopback, hands the same
 * frames back for the next batch. Both sides' copies, descriptor work and register accesses
 * are in the figure; no kernel, no socket.
 *
 * <p>One operation is one packet received and sent again ({@code @OperationsPerInvocation(256)}),
 * so {@code gc.alloc.rate.norm} is bytes allocated per packet. The run is refused if a
 * frame was lost: the driver must have taken and sent every one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class AvfBench {
    static final int BATCH = 256;

    @Param({"64", "1400"})
    public int frameBytes;

    private MemoryWire wire;
    private AvfModel model;
    private AvfDriver driver;
    private Arena arena;
    private final MemorySegment[] frames = new MemorySegment[BATCH];
    private final int[] lengths = new int[BATCH];
    private long batches;
    private long received;
    private long sent;

    @Setup(Level.Trial)
    public void setUp() {
        wire = new MemoryWire(1024).loopback(true);
        model = new AvfModel(wire, ModelSettings.DEFAULT.withQueuePairs(1));
        driver = new AvfDriver(model, AvfSettings.DEFAULT.withQueues(1));
        long now = System.nanoTime();
        driver.start(now);
        long deadline = now + 5_000_000_000L;
        while (driver.state() != VfState.RUNNING) {
            now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException("VF not running: " + driver.failure());
            }
            model.service(now);
            driver.poll(now);
        }
        arena = Arena.ofShared();
        for (int i = 0; i < BATCH; i++) {
            frames[i] = arena.allocate(2048, 64);
        }
        byte[] frame = new byte[frameBytes];
        long mac = ModelSettings.DEFAULT.mac().value();
        for (int b = 0; b < 6; b++) {
            frame[b] = (byte) (mac >>> (40 - 8 * b));
        }
        frame[6] = 0x02;
        frame[12] = 0x08;
        for (int i = 0; i < BATCH; i++) {
            frame[20] = (byte) i;
            if (!wire.inject(frame)) {
                throw new IllegalStateException("wire full");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int receiveAndSend() {
        long now = System.nanoTime();
        model.service(now);
        driver.poll(now);
        int n = driver.receive(0, frames, lengths, BATCH);
        int m = driver.transmit(0, frames, lengths, n);
        model.serviceTransmit(now);
        batches++;
        received += n;
        sent += m;
        return m;
    }

    @TearDown(Level.Trial)
    public void check() {
        try {
            // Every batch after the first one moves all 256 frames; the first may find some
            // still on the wire while the model's round was under way.
            if (received < (batches - 1) * BATCH || sent != received || wire.dropped() != 0) {
                throw new IllegalStateException("frames lost: " + batches + " batches, " + received + " received, "
                        + sent + " sent, " + wire.dropped() + " dropped by the wire");
            }
        } finally {
            driver.close();
            model.close();
            wire.close();
            arena.close();
        }
    }
}
