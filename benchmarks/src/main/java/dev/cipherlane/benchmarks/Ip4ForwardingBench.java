package dev.cipherlane.benchmarks;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.builtin.Drop;
import dev.cipherlane.stages.builtin.Ip4Input;
import dev.cipherlane.stages.builtin.Ip4Lookup;
import dev.cipherlane.stages.builtin.Ip4Rewrite;
import dev.cipherlane.stages.fib.AdjacencyTable;
import dev.cipherlane.stages.fib.ForwardingTables;
import dev.cipherlane.stages.fib.Ip4Fib;
import dev.cipherlane.stages.fib.Ip6Fib;
import dev.cipherlane.stages.fib.LoadBalanceTable;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.net.InterfaceTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IPv4 forwarding on one thread: a frame of 256 packets through {@code ip4-lookup} and
 * {@code ip4-rewrite} (and, in the second benchmark, {@code ip4-input} first), with a FIB
 * of 10,000 random prefixes over 64 ECMP load balancers of 1 to 4 paths. Packets are
 * 64-byte Ethernet frames once rewritten (50 bytes of IPv4 + UDP before).
 *
 * <p>One operation is one packet ({@code @OperationsPerInvocation(256)}), so the GC
 * profiler's {@code gc.alloc.rate.norm} is bytes allocated per packet. After the run the
 * benchmark refuses results in which any packet was dropped or lost: a benchmark that
 * measured drops would measure nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class Ip4ForwardingBench {
    static final int PREFIXES = 10_000;
    static final int PACKET_BYTES = 50;

    private PacketMemory mem;
    private BufferCache cache;
    private GraphRuntime runtime;
    private final int[] frame = new int[Frame.CAPACITY];
    private int inputSlot;
    private int lookupSlot;
    private RestoreSink sink;
    private long invocations;

    @Setup(Level.Trial)
    public void setUp() {
        InterfaceTable interfaces = new InterfaceTable();
        for (int i = 0; i < 4; i++) {
            interfaces.put(new NetInterface(i, "eth" + i, 0x020000000000L + i, 1500, List.of(), List.of()));
        }
        AdjacencyTable adjs = new AdjacencyTable();
        LoadBalanceTable lbs = new LoadBalanceTable(adjs);
        Ip4Fib fib = new Ip4Fib(lbs);
        SplittableRandom rnd = new SplittableRandom(42);
        int[] lb = new int[64];
        for (int i = 0; i < lb.length; i++) {
            int paths = 1 + i % 4;
            int[] a = new int[paths];
            for (int p = 0; p < paths; p++) {
                byte[] src = {2, 0, 0, 0, 0, (byte) (p % 4)};
                byte[] dst = {2, 1, 0, 0, (byte) i, (byte) p};
                a[p] = adjs.addRewrite4(p % 4, 0x0A000001 + i * 8 + p, src, dst);
            }
            lb[i] = lbs.create(a);
        }
        int[] prefixes = new int[PREFIXES];
        int[] lengths = new int[PREFIXES];
        for (int i = 0; i < PREFIXES; i++) {
            // Mostly /16../24 as in real tables, some longer to exercise the third ply.
            int len = rnd.nextInt(10) < 8 ? 16 + rnd.nextInt(9) : 25 + rnd.nextInt(8);
            int mask = len == 0 ? 0 : -1 << (32 - len);
            // Unicast destinations only (first octet 1..223, not 127): ip4-input drops the
            // rest, and a dropped packet could not be sent again.
            int first;
            do {
                first = 1 + rnd.nextInt(223);
            } while (first == 127);
            prefixes[i] = (first << 24 | rnd.nextInt() >>> 8) & mask;
            lengths[i] = len;
            fib.add(prefixes[i], len, lb[rnd.nextInt(lb.length)]);
        }
        ForwardingTables tables = ForwardingTables.capture(fib, new Ip6Fib(lbs), lbs, adjs);

        mem = new PacketMemory(4096, 0);
        cache = mem.newCache();
        sink = new RestoreSink();
        Graph g = Graph.builder()
                .add(new Ip4Input())
                .add(new Ip4Lookup(new Ip4Lookup.Params(() -> tables)))
                .add(new Ip4Rewrite(new Ip4Rewrite.Params(() -> tables, interfaces)))
                .add(sink)
                .add(new Drop())
                .connect(Ip4Input.NAME, "lookup", Ip4Lookup.NAME)
                .connect(Ip4Lookup.NAME, "rewrite", Ip4Rewrite.NAME)
                .connect(Ip4Lookup.NAME, "local", Drop.NAME)
                .connect(Ip4Lookup.NAME, "glean", Drop.NAME)
                .connect(Ip4Lookup.NAME, "punt", Drop.NAME)
                .connect(Ip4Lookup.NAME, "tunnel", Drop.NAME)
                .connect(Ip4Rewrite.NAME, "tx", RestoreSink.NAME)
                .connect(Ip4Rewrite.NAME, "icmp-error", Drop.NAME)
                .build();
        runtime = new GraphRuntime(g, mem, cache, 0);
        inputSlot = g.slot(Ip4Input.NAME).index();
        lookupSlot = g.slot(Ip4Lookup.NAME).index();

        for (int i = 0; i < frame.length; i++) {
            int k = rnd.nextInt(PREFIXES);
            int hostBits = lengths[k] == 32 ? 0 : rnd.nextInt() >>> lengths[k];
            frame[i] = PacketFactory.udp4(mem, cache, 0xC0A80001 + i, prefixes[k] | hostBits,
                    1024 + i, 4789, PACKET_BYTES);
        }
    }

    /** Lookup and rewrite only: the packets carry the flow hash ip4-input would set. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void lookupRewrite() {
        runtime.inject(lookupSlot, frame, 0, Frame.CAPACITY);
        runtime.dispatch();
        invocations++;
    }

    /** Header validation (checksum included) and flow hash, then lookup and rewrite. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void inputLookupRewrite() {
        runtime.inject(inputSlot, frame, 0, Frame.CAPACITY);
        runtime.dispatch();
        invocations++;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        String errors = RuntimeReport.errors(List.of(runtime));
        long expected = invocations * Frame.CAPACITY;
        if (sink.forwarded() != expected) {
            throw new IllegalStateException("forwarded " + sink.forwarded() + " of " + expected
                    + " packets; drops:\n" + errors);
        }
        System.out.println();
        System.out.print(RuntimeReport.runtime(List.of(runtime)));
        cache.free(frame, 0, frame.length);
        cache.close();
        if (mem.inUse() != 0) {
            throw new IllegalStateException(mem.inUse() + " buffers leaked");
        }
        mem.close();
    }
}
