package dev.cipherlane.stages.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.graph.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs stages under test in a one-worker graph. Arcs not connected with {@link #connect}
 * end in a {@link Capture} named {@code "<stage>.<arc>"}. On {@link #close()} the captured
 * packets are freed and the pool must be back to zero buffers in use: every graph test
 * proves it leaked nothing.
 *
 * <pre>
 * try (StageHarness h = new StageHarness(new Ip4Input(...))) {
 *     h.run("ip4-input", h.packet(bytes, 0));
 *     assertEquals(1, h.captured("ip4-input.lookup").size());
 * }
 * </pre>
 */
public final class StageHarness implements AutoCloseable {
    private final PacketMemory mem;
    private final BufferCache cache;
    private final List<Stage<?>> stages = new ArrayList<>();
    private final Map<String, String> links = new LinkedHashMap<>();
    private final Map<String, Capture> captures = new LinkedHashMap<>();
    private GraphRuntime runtime;

    public StageHarness(Stage<?>... stages) {
        this(1024, 16, stages);
    }

    public StageHarness(int small, int large, Stage<?>... stages) {
        this.mem = new PacketMemory(small, large);
        this.cache = mem.newCache();
        this.stages.addAll(List.of(stages));
    }

    /** Wires {@code from}'s arc to stage {@code to} instead of a capture. Call before the first run. */
    public StageHarness connect(String from, String arc, String to) {
        links.put(from + "." + arc, to);
        return this;
    }

    /** Adds another stage (e.g. a target of {@link #connect}). Call before the first run. */
    public StageHarness add(Stage<?> stage) {
        stages.add(stage);
        return this;
    }

    public GraphRuntime runtime() {
        if (runtime == null) {
            Graph.Builder b = Graph.builder();
            for (Stage<?> s : stages) {
                b.add(s);
            }
            for (Stage<?> s : stages) {
                for (String arc : s.spec().nextArcs()) {
                    String key = s.name() + "." + arc;
                    String to = links.get(key);
                    if (to == null) {
                        Capture c = new Capture(key);
                        captures.put(key, c);
                        b.add(c);
                        to = key;
                    }
                    b.connect(s.name(), arc, to);
                }
            }
            runtime = new GraphRuntime(b.build(), mem, cache, 0);
        }
        return runtime;
    }

    public PacketMemory memory() {
        return mem;
    }

    public BufferCache buffers() {
        return cache;
    }

    /** A new small buffer holding {@code bytes}, received on interface {@code rxInterface}. */
    public int packet(byte[] bytes, int rxInterface) {
        int bi = bytes.length > 1792 ? cache.allocLarge() : cache.allocSmall();
        if (bi < 0) {
            throw new IllegalStateException("test pool exhausted");
        }
        mem.write(bi, bytes);
        mem.rxInterface(bi, rxInterface);
        return bi;
    }

    /** Injects packets into {@code stage} and runs the graph until nothing is pending. */
    public void run(String stage, int... bis) {
        GraphRuntime rt = runtime();
        for (int bi : bis) {
            rt.inject(stage, bi);
        }
        rt.dispatch();
    }

    /** Buffers that reached capture {@code "<stage>.<arc>"}, in arrival order. */
    public List<Integer> captured(String key) {
        runtime();
        Capture c = captures.get(key);
        if (c == null) {
            throw new IllegalArgumentException("no capture '" + key + "'; captures: " + captures.keySet());
        }
        return c.packets();
    }

    /** Bytes of the packets in capture {@code key}. */
    public List<byte[]> capturedBytes(String key) {
        List<byte[]> out = new ArrayList<>();
        for (int bi : captured(key)) {
            out.add(mem.read(bi));
        }
        return out;
    }

    /** Frees the packets capture {@code key} holds and forgets them: for runs longer than the pool. Returns how many. */
    public int freeCaptured(String key) {
        runtime();
        Capture c = captures.get(key);
        if (c == null) {
            throw new IllegalArgumentException("no capture '" + key + "'; captures: " + captures.keySet());
        }
        List<Integer> packets = c.drain();
        for (int bi : packets) {
            cache.free(bi);
        }
        return packets.size();
    }

    public long errors(String stage, String reason) {
        return RuntimeReport.errorCount(List.of(runtime()), stage, reason);
    }

    /** Frees captured packets; the pool must then have no buffer in use. */
    @Override
    public void close() {
        try {
            for (Capture c : captures.values()) {
                for (int bi : c.drain()) {
                    cache.free(bi);
                }
            }
            cache.close();
            assertEquals(0, mem.inUse(), "buffers leaked by the stages under test");
        } finally {
            mem.close();
        }
    }
}
