package dev.cipherlane.avf.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.model.Toeplitz;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.avf.testing.Rig;
import org.junit.jupiter.api.Test;

/**
 * Flows spread over the queues as the key and LUT the driver configured say: every frame
 * lands on the queue its Toeplitz hash picks from the LUT, computed here independently, and
 * the hash the descriptor reports is that hash.
 */
class RssTest {
    private static final int FLOWS = 2000;

    /** The hash of a {@link Frames#flow} frame: source, destination, source port, destination port. */
    private static int expectedHash(Toeplitz t, byte[] frame) {
        byte[] input = new byte[12];
        System.arraycopy(frame, 26, input, 0, 8);
        System.arraycopy(frame, 34, input, 8, 4);
        return t.hash(input, 12);
    }

    private static int[] spread(Rig rig, byte[] lut) {
        Toeplitz t = new Toeplitz(AvfSettings.DEFAULT_RSS_KEY);
        int queues = rig.driver.queues();
        int[] perQueue = new int[queues];
        for (int f = 0; f < FLOWS; f++) {
            byte[] frame = Frames.flow(rig.driver.mac(), f * 7919, 80);
            int hash = expectedHash(t, frame);
            int expectedQueue = lut[Integer.remainderUnsigned(hash, lut.length)];
            rig.wire.inject(frame);
            rig.step();
            int seen = -1;
            for (int q = 0; q < queues; q++) {
                int n = rig.driver.receive(q, rig.rxFrames, rig.rxLengths, rig.rxHashes, 8);
                if (n > 0) {
                    assertEquals(1, n);
                    assertEquals(-1, seen, "one frame, one queue");
                    seen = q;
                    assertEquals(hash, rig.rxHashes[0], "the descriptor's RSS hash");
                }
            }
            assertEquals(expectedQueue, seen, "flow " + f);
            perQueue[seen]++;
        }
        return perQueue;
    }

    @Test
    void roundRobinLutSpreadsFlowsOverAllQueues() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, AvfSettings.DEFAULT.withQueues(4)).bringUp()) {
            int[] perQueue = spread(rig, dev.cipherlane.avf.virtchnl.RssLut.roundRobin(64, 4));
            for (int q = 0; q < 4; q++) {
                assertTrue(perQueue[q] > FLOWS / 4 * 0.8 && perQueue[q] < FLOWS / 4 * 1.2,
                        "queue " + q + " got " + perQueue[q] + " of " + FLOWS);
            }
        }
    }

    @Test
    void aSkewedLutIsFollowed() {
        // Three quarters of the entries to queue 2, the rest to queue 0; queues 1 and 3 get nothing.
        byte[] lut = new byte[64];
        for (int i = 0; i < 64; i++) {
            lut[i] = (byte) (i % 4 == 0 ? 0 : 2);
        }
        try (Rig rig = new Rig(ModelSettings.DEFAULT, AvfSettings.DEFAULT.withRss(null, lut)).bringUp()) {
            int[] perQueue = spread(rig, lut);
            assertEquals(0, perQueue[1]);
            assertEquals(0, perQueue[3]);
            assertTrue(perQueue[2] > perQueue[0] * 2, java.util.Arrays.toString(perQueue));
        }
    }

    @Test
    void anotherKeyMovesFlows() {
        byte[] key = AvfSettings.DEFAULT_RSS_KEY.clone();
        key[0] ^= 0x5A;
        key[7] ^= 0x11;
        try (Rig rig = new Rig(ModelSettings.DEFAULT, AvfSettings.DEFAULT.withRss(key, null)).bringUp()) {
            Toeplitz t = new Toeplitz(key);
            byte[] frame = Frames.flow(rig.driver.mac(), 12345, 80);
            rig.wire.inject(frame);
            rig.runFor(1_000_000);
            int hash = expectedHash(t, frame);
            int q = Integer.remainderUnsigned(hash, 64) % 4;
            assertEquals(1, rig.driver.receive(q, rig.rxFrames, rig.rxLengths, rig.rxHashes, 8));
            assertEquals(hash, rig.rxHashes[0]);
        }
    }

    @Test
    void framesWithoutAFlowGoToQueueZero() {
        try (Rig rig = new Rig().bringUp()) {
            byte[] arp = Frames.flow(rig.driver.mac(), 1, 60);
            arp[12] = 0x08;
            arp[13] = 0x06;
            rig.wire.inject(arp);
            rig.runFor(1_000_000);
            assertEquals(1, rig.driver.receive(0, rig.rxFrames, rig.rxLengths, rig.rxHashes, 8));
            assertEquals(0, rig.rxHashes[0]);
        }
    }
}
