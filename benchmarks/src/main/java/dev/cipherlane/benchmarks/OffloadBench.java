package dev.cipherlane.benchmarks;

import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.Net;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Frame;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.NextArc;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Stage;
import dev.cipherlane.stages.graph.StageContext;
import dev.cipherlane.stages.graph.StageSpec;
import dev.cipherlane.stages.offload.TcpCoalescing;
import dev.cipherlane.stages.offload.TcpSegmentation;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

/**
 * The software offload stages on one thread, with the sizes of the cross-node run (pods
 * with a 1400-byte MTU, one TCP/IPv4 flow with timestamps: 20 + 32 header bytes and an MSS
 * of 1348): the Internet checksum they are built on, over one 1400-byte packet;
 * {@code gso} cutting a 64 KB super-packet (48 full segments) into 1400-byte segments; and
 * {@code gro4} coalescing a frame of 256 in-order 1400-byte segments (five 48-segment
 * super-packets and one of 16) whose checksums it has to verify.
 *
 * <p>One operation is one packet: for {@link #checksum} one 1400-byte sum, for
 * {@link #segmentation} one segment out (48 per super-packet), for {@link #coalescing} one
 * segment in. So the GC profiler's {@code gc.alloc.rate.norm} is bytes per packet.
 *
 * <p>The stages free what they consume, so each invocation allocates its input afresh,
 * without copying payload: every large buffer holds the super-packet template and every
 * small buffer the segment payload from set-up on, and neither stage writes into its input
 * (gso copies out of the super-packet; gro copies out of the segments). An input therefore
 * needs only its metadata and, for gro, its 52 header bytes (sequence number and checksum
 * differ per position in the frame). {@link #coalescingInput} does that preparation alone
 * and frees the packets again: subtract it from {@link #coalescing} for gro's own cost.
 * As nothing touches the segments' payload between frames, gro reads it from L2 or L3
 * rather than from L1, where a packet a previous stage just wrote would mostly be: an upper
 * bound for gro, where {@link #checksum} (the same 1400 bytes summed again and again) is the
 * lower bound for the checksum.
 *
 * <p>Sinks free and count what arrives; a run in which a segment was lost, dropped or left
 * unmerged (a checksum the stage found bad, say) is refused at tear-down, which also prints
 * CPU time per packet ({@link CpuPerPacket}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class OffloadBench {
    static final int IP_HEADER = Ip4.MIN_HEADER;
    /** TCP header with the timestamp option (RFC 7323 section 3) padded by two NOPs. */
    static final int TCP_HEADER = 32;
    static final int HEADERS = IP_HEADER + TCP_HEADER;
    static final int MTU = 1400;
    static final int MSS = MTU - HEADERS;
    /** Full segments in a super-packet: 52 + 48 * 1348 = 64756 bytes fit 65535, 49 would not. */
    static final int SEGMENTS = 48;
    static final int SUPER_PAYLOAD = SEGMENTS * MSS;
    /** Super-packets gro makes of one frame: five of 48 segments and one of the 16 left. */
    static final int SUPER_PACKETS_PER_FRAME = (Frame.CAPACITY + SEGMENTS - 1) / SEGMENTS;

    static final int SOURCE = 0x0A01_0001;
    static final int DESTINATION = 0x0A02_0001;
    static final int FIRST_SEQUENCE = 0x1000_0000;

    /** {@link Checksum#sum} over the 1400 bytes of a packet in packet memory. */
    @State(Scope.Thread)
    public static class Sum {
        private PacketMemory mem;
        private BufferCache cache;
        private int bi;
        private long at;
        private MemorySegment data;

        @Setup(Level.Trial)
        public void setUp() {
            mem = new PacketMemory(1, 0);
            cache = mem.newCache();
            bi = cache.allocSmall();
            byte[] bytes = new byte[MTU];
            new SplittableRandom(1071).nextBytes(bytes);
            mem.write(bi, bytes);
            at = mem.start(bi);
            data = mem.data();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            cache.free(bi);
            cache.close();
            mem.close();
        }
    }

    /** {@code gso} alone, its segments freed by a counting sink. */
    @State(Scope.Thread)
    public static class Segmentation {
        private static final int LARGE_BUFFERS = 4;

        private PacketMemory mem;
        private BufferCache cache;
        private GraphRuntime runtime;
        private int slot;
        private final int[] input = new int[1];
        private FreeingSink sink;
        private long superPackets;
        private CpuPerPacket cpu;

        @Setup(Level.Trial)
        public void setUp() {
            mem = new PacketMemory(2 * SEGMENTS, LARGE_BUFFERS);
            cache = mem.newCache();
            byte[] template = superPacketBytes();
            int[] large = new int[LARGE_BUFFERS];
            for (int i = 0; i < large.length; i++) {
                large[i] = cache.allocLarge();
                mem.write(large[i], template);
            }
            cache.free(large, 0, large.length);
            sink = new FreeingSink();
            Graph g = Graph.builder()
                    .add(new TcpSegmentation())
                    .add(sink)
                    .connect(TcpSegmentation.NAME, "out", FreeingSink.NAME)
                    .build();
            runtime = new GraphRuntime(g, mem, cache, 0);
            slot = g.slot(TcpSegmentation.NAME).index();
            cpu = new CpuPerPacket(Thread.currentThread());
        }

        /**
         * IPv4 and TCP with timestamps, flags ACK|PSH, random payload; the checksum field
         * holds the pseudo-header sum the way the pod's kernel leaves it (NEEDS_CSUM).
         */
        private static byte[] superPacketBytes() {
            byte[] p = new byte[HEADERS + SUPER_PAYLOAD];
            new SplittableRandom(9293).nextBytes(p);
            ip4Header(p, p.length, 0x3000);
            tcpHeader(p, FIRST_SEQUENCE, 0x18);
            put16(p, IP_HEADER + 16, fold(pseudoHeaderSum(p.length - IP_HEADER)));
            return p;
        }

        /** A super-packet from a large buffer, with the metadata tap input gives it. */
        int superPacket(BufferCache cache) {
            int bi = cache.allocLarge();
            mem.length(bi, HEADERS + SUPER_PAYLOAD);
            mem.gsoType(bi, VirtioNetHeader.GSO_TCPV4);
            mem.gsoSize(bi, MSS);
            mem.flags(bi, mem.flags(bi) | PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) + IP_HEADER);
            mem.csumOffset(bi, 16);
            return bi;
        }

        @Setup(Level.Iteration)
        public void iterationStart(IterationParams iteration) {
            cpu.iterationStart(iteration, superPackets * SEGMENTS);
        }

        @TearDown(Level.Iteration)
        public void iterationEnd() {
            cpu.iterationEnd(superPackets * SEGMENTS);
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams benchmark) {
            long expected = superPackets * SEGMENTS;
            if (sink.packets != expected || sink.bytes != expected * MTU) {
                throw new IllegalStateException("gso sent " + sink.packets + " segments (" + sink.bytes
                        + " bytes) of " + expected + "; drops:\n" + RuntimeReport.errors(List.of(runtime)));
            }
            System.out.println();
            System.out.print(RuntimeReport.runtime(List.of(runtime)));
            System.out.print(cpu.report(benchmark.id()));
            cache.close();
            if (mem.inUse() != 0) {
                throw new IllegalStateException(mem.inUse() + " buffers leaked");
            }
            mem.close();
        }
    }

    /** {@code gro4} alone, its super-packets freed by a counting sink. */
    @State(Scope.Thread)
    public static class Coalescing {
        private static final String NAME = "gro4";
        private static final int SMALL_BUFFERS = 2 * Frame.CAPACITY;

        private PacketMemory mem;
        private BufferCache cache;
        private GraphRuntime runtime;
        private int slot;
        private final int[] frame = new int[Frame.CAPACITY];
        private final Arena arena = Arena.ofShared();
        /** The headers of the segment at each position of the frame, 52 bytes each. */
        private MemorySegment headers;
        private FreeingSink sink;
        private long frames;
        private long inputFrames;
        private CpuPerPacket cpu;

        @Setup(Level.Trial)
        public void setUp() {
            mem = new PacketMemory(SMALL_BUFFERS, SUPER_PACKETS_PER_FRAME + BufferCache.LARGE_BATCH);
            cache = mem.newCache();
            byte[] payload = new byte[MSS];
            new SplittableRandom(7323).nextBytes(payload);
            int[] small = new int[SMALL_BUFFERS];
            for (int i = 0; i < small.length; i++) {
                small[i] = cache.allocSmall();
                MemorySegment.copy(payload, 0, mem.data(), Net.U8, mem.start(small[i]) + HEADERS, MSS);
            }
            cache.free(small, 0, small.length);
            long payloadSum = onesSum(payload, 0, MSS, 0);
            headers = arena.allocate((long) Frame.CAPACITY * HEADERS);
            byte[] h = new byte[HEADERS];
            for (int i = 0; i < Frame.CAPACITY; i++) {
                ip4Header(h, MTU, 0x3000 + i);
                tcpHeader(h, FIRST_SEQUENCE + i * MSS, 0x10);
                long sum = onesSum(h, IP_HEADER, TCP_HEADER, pseudoHeaderSum(MTU - IP_HEADER) + payloadSum);
                put16(h, IP_HEADER + 16, ~fold(sum) & 0xFFFF);
                MemorySegment.copy(h, 0, headers, Net.U8, (long) i * HEADERS, HEADERS);
            }
            sink = new FreeingSink();
            Graph g = Graph.builder()
                    .add(new TcpCoalescing(NAME, TcpCoalescing.Params.DEFAULT))
                    .add(sink)
                    .connect(NAME, "out", FreeingSink.NAME)
                    .build();
            runtime = new GraphRuntime(g, mem, cache, 0);
            slot = g.slot(NAME).index();
            cpu = new CpuPerPacket(Thread.currentThread());
        }

        /** Fills {@link #frame} with the segments as they come off the tunnel, checksum unverified. */
        void prepare() {
            MemorySegment data = mem.data();
            for (int i = 0; i < Frame.CAPACITY; i++) {
                int bi = cache.allocSmall();
                MemorySegment.copy(headers, (long) i * HEADERS, data, mem.start(bi), HEADERS);
                mem.length(bi, MTU);
                frame[i] = bi;
            }
        }

        private long packets() {
            return (frames + inputFrames) * Frame.CAPACITY;
        }

        @Setup(Level.Iteration)
        public void iterationStart(IterationParams iteration) {
            cpu.iterationStart(iteration, packets());
        }

        @TearDown(Level.Iteration)
        public void iterationEnd() {
            cpu.iterationEnd(packets());
        }

        @TearDown(Level.Trial)
        public void tearDown(BenchmarkParams benchmark) {
            long expected = frames * SUPER_PACKETS_PER_FRAME;
            long bytes = frames * ((long) Frame.CAPACITY * MSS + SUPER_PACKETS_PER_FRAME * HEADERS);
            if (sink.packets != expected || sink.bytes != bytes) {
                throw new IllegalStateException("gro sent " + sink.packets + " packets (" + sink.bytes + " bytes), expected "
                        + expected + " super-packets (" + bytes + " bytes); counters:\n"
                        + RuntimeReport.errors(List.of(runtime)));
            }
            System.out.println();
            if (frames > 0) {
                System.out.print(RuntimeReport.runtime(List.of(runtime)));
            }
            System.out.print(cpu.report(benchmark.id()));
            cache.close();
            arena.close();
            if (mem.inUse() != 0) {
                throw new IllegalStateException(mem.inUse() + " buffers leaked");
            }
            mem.close();
        }
    }

    /** One's complement sum of 1400 bytes, unfolded (folding is part of every caller's use). */
    @Benchmark
    public long checksum(Sum s) {
        return Checksum.sum(s.data, s.at, MTU, 0);
    }

    /** One 64 KB super-packet into 48 segments; one operation is one segment out. */
    @Benchmark
    @OperationsPerInvocation(SEGMENTS)
    public void segmentation(Segmentation s) {
        s.input[0] = s.superPacket(s.cache);
        s.runtime.inject(s.slot, s.input, 0, 1);
        s.runtime.dispatch();
        s.superPackets++;
    }

    /** A frame of 256 segments into six super-packets; one operation is one segment in. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void coalescing(Coalescing c) {
        c.prepare();
        c.runtime.inject(c.slot, c.frame, 0, Frame.CAPACITY);
        c.runtime.dispatch();
        c.frames++;
    }

    /** What {@link #coalescing} spends outside gro: preparing the frame, and freeing it. */
    @Benchmark
    @OperationsPerInvocation(Frame.CAPACITY)
    public void coalescingInput(Coalescing c) {
        c.prepare();
        c.cache.free(c.frame, 0, Frame.CAPACITY);
        c.inputFrames++;
    }

    /** Frees and counts every packet that reaches it. */
    static final class FreeingSink extends Stage<Stage.NoParams> {
        static final String NAME = "freeing-sink";
        long packets;
        long bytes;

        FreeingSink() {
            super(StageSpec.of(NAME, NextArc.None.class), NoParams.INSTANCE);
        }

        @Override
        public void process(Frame frame, StageContext ctx) {
            PacketMemory mem = ctx.memory();
            int n = frame.count();
            for (int i = 0; i < n; i++) {
                int bi = frame.get(i);
                bytes += mem.length(bi);
                ctx.buffers().free(bi);
            }
            packets += n;
        }
    }

    // ---- packet building (set-up only), with its own plain checksum --------------------------

    /** IPv4 header, DF, TTL 64, protocol TCP, with its checksum, at the start of {@code p}. */
    static void ip4Header(byte[] p, int totalLength, int id) {
        p[0] = 0x45;
        p[1] = 0;
        put16(p, 2, totalLength);
        put16(p, 4, id);
        put16(p, 6, 0x4000);
        p[8] = 64;
        p[9] = 6;
        put16(p, 10, 0);
        put32(p, 12, SOURCE);
        put32(p, 16, DESTINATION);
        put16(p, 10, ~fold(onesSum(p, 0, IP_HEADER, 0)) & 0xFFFF);
    }

    /** TCP header with NOP, NOP, timestamps after the IPv4 header; checksum field 0. */
    static void tcpHeader(byte[] p, int sequence, int flags) {
        int t = IP_HEADER;
        put16(p, t, 40000);
        put16(p, t + 2, 5201);
        put32(p, t + 4, sequence);
        put32(p, t + 8, 0x2000_0000);
        p[t + 12] = (byte) ((TCP_HEADER / 4) << 4);
        p[t + 13] = (byte) flags;
        put16(p, t + 14, 501);
        put16(p, t + 16, 0);
        put16(p, t + 18, 0);
        p[t + 20] = 1;
        p[t + 21] = 1;
        p[t + 22] = 8;
        p[t + 23] = 10;
        put32(p, t + 24, 0x0102_0304);
        put32(p, t + 28, 0x0506_0708);
    }

    /** Sum of the IPv4 pseudo-header of {@link #SOURCE}, {@link #DESTINATION}, TCP, {@code tcpLength}. */
    static long pseudoHeaderSum(int tcpLength) {
        return (SOURCE >>> 16) + (SOURCE & 0xFFFF) + (DESTINATION >>> 16) + (DESTINATION & 0xFFFF) + 6 + tcpLength;
    }

    /** Sum of 16-bit big-endian words, unfolded. */
    static long onesSum(byte[] b, int off, int len, long initial) {
        long sum = initial;
        for (int i = 0; i < len; i += 2) {
            sum += (b[off + i] & 0xFF) << 8 | (i + 1 < len ? b[off + i + 1] & 0xFF : 0);
        }
        return sum;
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        put16(b, off + 2, v);
    }
}
