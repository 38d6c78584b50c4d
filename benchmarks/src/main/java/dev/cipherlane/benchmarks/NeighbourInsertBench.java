package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.neighbour.NeighbourTable;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A learned ARP sender into a full neighbour table, every insert evicting the least
 * recently confirmed entry: what a flood of spoofed senders costs per packet (issue 10 item
 * 5). The table holds {@code size} entries on one interface; the cost must not depend on
 * {@code size} (before, choosing a victim scanned the whole table). Read
 * {@code gc.alloc.rate.norm} with {@code -prof gc}: an insert allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class NeighbourInsertBench {
    private static final long S = 1_000_000_000L;
    /** An odd multiplier is a bijection on ints: distinct, scattered senders. */
    private static final int SCATTER = 0x9E37_79B1;

    @Param({"1000", "10000", "100000"})
    int size;

    private NeighbourTable table;
    private int next;

    @Setup
    public void fill() {
        table = new NeighbourTable(new NeighbourTable.Params(30 * S, 60 * S, 3 * S, size, size));
        for (next = 0; next < size; next++) {
            table.learn4(1, next * SCATTER, 0x0200_0000_0001L, next);
        }
    }

    @Benchmark
    public boolean learnNewSender() {
        int i = next++;
        return table.learn4(1, i * SCATTER, 0x0200_0000_0001L, i);
    }
}
