package dev.cipherlane.stages.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingInputTest {
    private static final FrameRing.Drain<BufferCache> FREE = (cache, bis, off, n) -> cache.free(bis, off, n);

    private static int[] packets(StageHarness h, int n) {
        int[] bis = new int[n];
        for (int i = 0; i < n; i++) {
            bis[i] = h.packet(new byte[] {(byte) i}, 0);
        }
        return bis;
    }

    private static List<Integer> list(int[] a, int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(a[i]);
        }
        return out;
    }

    @Test
    void passesSlotsOnInRingOrderTakingWholeSlotsPastTheBudget() {
        FrameRing ring = new FrameRing("to-w0", 64);
        try (StageHarness h = new StageHarness(new RingInput(new RingInput.Params(ring, 0)))) {
            int[] bis = packets(h, 300);
            ring.offer(bis, 0, 100);
            ring.offer(bis, 100, 100);
            ring.offer(bis, 200, 100);
            GraphRuntime rt = h.runtime();

            assertEquals(200, rt.poll(150), "two whole slots for a budget of 150");
            rt.dispatch();
            assertEquals(list(bis, 0, 200), h.captured("ring-input.next"));

            assertEquals(100, rt.poll(1));
            rt.dispatch();
            assertEquals(list(bis, 0, 300), h.captured("ring-input.next"));
            assertEquals(0, rt.poll(256), "ring empty");
        }
    }

    @Test
    void onlyTheOwningWorkerDrainsTheRing() {
        FrameRing ring = new FrameRing("to-w1", 64);
        try (StageHarness h = new StageHarness(new RingInput("ring-input-w1", new RingInput.Params(ring, 1)))) {
            int[] bis = packets(h, 3);
            ring.offer(bis, 0, 3);
            assertEquals(0, h.runtime().poll(256), "the harness runs as worker 0");
            h.runtime().dispatch();
            assertEquals(List.of(), h.captured("ring-input-w1.next"));
            assertEquals(3, ring.poll(FREE, h.buffers(), 256), "still in the ring");
        }
    }

    @Test
    void needsARingAndAWorker() {
        assertThrows(IllegalArgumentException.class, () -> new RingInput(new RingInput.Params(null, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> new RingInput(new RingInput.Params(new FrameRing("r", 64), -1)));
    }
}
