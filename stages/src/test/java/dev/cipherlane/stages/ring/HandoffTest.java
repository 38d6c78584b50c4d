package dev.cipherlane.stages.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class HandoffTest {
    private static final FrameRing.Drain<List<Integer>> COLLECT = (out, bis, off, n) -> {
        for (int i = 0; i < n; i++) {
            out.add(bis[off + i]);
        }
    };
    private static final FrameRing.Drain<BufferCache> FREE = (cache, bis, off, n) -> cache.free(bis, off, n);

    private static int packet(StageHarness h, int flowHash) {
        int bi = h.packet(new byte[] {0x45, 0, 0, 20}, 0);
        h.memory().flowHash(bi, flowHash);
        return bi;
    }

    /** Packets of the ring's next slot; the budget of 1 takes exactly one slot. */
    private static List<Integer> oneSlot(FrameRing ring) {
        List<Integer> out = new ArrayList<>();
        ring.poll(COLLECT, out, 1);
        return out;
    }

    @Test
    void flowHashPicksTheRingAndEachRingGetsItsPacketsInOrderAsOneSlot() {
        List<FrameRing> rings = List.of(new FrameRing("w0", 64), new FrameRing("w1", 64), new FrameRing("w2", 64));
        try (StageHarness h = new StageHarness(new Handoff(1, Handoff.Params.byFlowHash(rings)))) {
            int[] hashes = {5, -1, 3, 0, 7, 2, -7, 9, 0x8000_0001, 4};
            int[] bis = new int[hashes.length];
            List<List<Integer>> expected = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            for (int i = 0; i < hashes.length; i++) {
                bis[i] = packet(h, hashes[i]);
                // The hash is unsigned: -1 is 2^32-1.
                expected.get((int) ((hashes[i] & 0xFFFF_FFFFL) % 3)).add(bis[i]);
            }
            h.run(Handoff.NAME, bis);
            for (int r = 0; r < 3; r++) {
                assertEquals(expected.get(r), oneSlot(rings.get(r)), "ring " + r);
                assertEquals(List.of(), oneSlot(rings.get(r)), "ring " + r + " got one slot only");
            }
            assertEquals(0, h.errors(Handoff.NAME, "handoff ring full"));
            for (List<Integer> e : expected) {
                for (int bi : e) {
                    h.buffers().free(bi);
                }
            }
        }
    }

    @Test
    void fixedTargetSendsTheWholeFrameToOneRing() {
        List<FrameRing> rings = List.of(new FrameRing("w0", 64), new FrameRing("w1", 64));
        try (StageHarness h = new StageHarness(new Handoff("handoff-w1", 1, Handoff.Params.fixed(rings, 1)))) {
            int[] bis = {packet(h, 0), packet(h, 1), packet(h, 2), packet(h, 3)};
            h.run("handoff-w1", bis);
            assertEquals(List.of(), oneSlot(rings.get(0)));
            assertEquals(List.of(bis[0], bis[1], bis[2], bis[3]), oneSlot(rings.get(1)));
            h.buffers().free(bis, 0, bis.length);
        }
    }

    @Test
    void aFullRingDropsAndCountsWhatItRefuses() {
        FrameRing ring = new FrameRing("w0", 64);
        try (StageHarness h = new StageHarness(new Handoff(1, Handoff.Params.fixed(List.of(ring), 0)))) {
            for (int s = 0; s < 64; s++) {
                int[] one = {packet(h, 0)};
                ring.offer(one, 0, 1);
            }
            h.run(Handoff.NAME, packet(h, 1), packet(h, 2), packet(h, 3));
            assertEquals(3, h.errors(Handoff.NAME, "handoff ring full"));
            assertEquals(64, ring.poll(FREE, h.buffers(), Integer.MAX_VALUE));
        }
    }

    @Test
    void theTraceMarkStaysWithTheWorkerThatStartedIt() {
        FrameRing ring = new FrameRing("w0", 64);
        try (StageHarness h = new StageHarness(new Handoff(1, Handoff.Params.fixed(List.of(ring), 0)))) {
            PacketMemory mem = h.memory();
            int bi = packet(h, 0);
            mem.setFlag(bi, PacketFlags.TRACED);
            mem.trace(bi, 0);
            h.run(Handoff.NAME, bi);
            assertEquals(List.of(bi), oneSlot(ring));
            assertFalse(mem.hasFlag(bi, PacketFlags.TRACED));
            assertEquals(-1, mem.trace(bi));
            assertEquals("to w0", new Handoff(1, Handoff.Params.fixed(List.of(ring), 0)).formatTrace(mem, bi));
            h.buffers().free(bi);
        }
    }

    @Test
    void reconfigRetargetsFromTheNextFrame() {
        List<FrameRing> rings = List.of(new FrameRing("w0", 64), new FrameRing("w1", 64));
        Handoff handoff = new Handoff(1, Handoff.Params.fixed(rings, 0));
        try (StageHarness h = new StageHarness(handoff)) {
            int a = packet(h, 0);
            h.run(Handoff.NAME, a);
            handoff.reconfig(Handoff.Params.fixed(rings, 1));
            int b = packet(h, 0);
            h.run(Handoff.NAME, b);
            assertEquals(List.of(a), oneSlot(rings.get(0)));
            assertEquals(List.of(b), oneSlot(rings.get(1)));
            assertThrows(IllegalArgumentException.class, () -> handoff.reconfig(Handoff.Params.fixed(rings, 2)));
            h.buffers().free(a);
            h.buffers().free(b);
        }
    }

    @Test
    void aWorkerBeyondTheScratchItWasBuiltForDropsInsteadOfFailing() {
        FrameRing ring = new FrameRing("w0", 64);
        Handoff handoff = new Handoff(2, Handoff.Params.byFlowHash(List.of(ring)));
        try (PacketMemory mem = new PacketMemory(64, 0)) {
            BufferCache cache = mem.newCache();
            GraphRuntime rt = new GraphRuntime(Graph.builder().add(handoff).build(), mem, cache, 2);
            rt.inject(Handoff.NAME, cache.allocSmall());
            rt.inject(Handoff.NAME, cache.allocSmall());
            rt.dispatch();
            assertEquals(2, RuntimeReport.errorCount(List.of(rt), Handoff.NAME, "worker index above handoff limit"));
            assertEquals(List.of(), oneSlot(ring));
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void parametersAreCheckedUpFront() {
        FrameRing ring = new FrameRing("w0", 64);
        assertThrows(IllegalArgumentException.class, () -> new Handoff(1, Handoff.Params.byFlowHash(List.of())));
        assertThrows(IllegalArgumentException.class, () -> new Handoff(1, Handoff.Params.fixed(List.of(ring), 1)));
        assertThrows(IllegalArgumentException.class, () -> new Handoff(1, Handoff.Params.fixed(List.of(ring), -2)));
        assertThrows(IllegalArgumentException.class, () -> new Handoff(0, Handoff.Params.fixed(List.of(ring), 0)));
        List<FrameRing> tooMany = Collections.nCopies(Handoff.MAX_RINGS + 1, ring);
        assertThrows(IllegalArgumentException.class, () -> new Handoff(1, Handoff.Params.byFlowHash(tooMany)));
    }
}
