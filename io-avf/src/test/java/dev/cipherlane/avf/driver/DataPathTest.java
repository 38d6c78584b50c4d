package dev.cipherlane.avf.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.device.Registers;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.avf.testing.Rig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames through the rings both ways, of many sizes, across wrap-around, with refills batched. */
class DataPathTest {
    private static final int[] SIZES = {42, 60, 64, 65, 127, 128, 511, 1024, 1514, 1518, 2047, 2048, 2049,
            3000, 4095, 4096, 4097, 6144, 8000, 9000, 9728};

    /** Receives everything on {@code queue} until {@code expected} frames came or the step budget ends. */
    private static List<byte[]> receiveAll(Rig rig, int queue, int expected) {
        List<byte[]> got = new ArrayList<>();
        rig.runUntil(() -> {
            int n = rig.driver.receive(queue, rig.rxFrames, rig.rxLengths, 64);
            for (int i = 0; i < n; i++) {
                got.add(rig.rxFrame(i));
            }
            return got.size() >= expected;
        }, 10_000);
        return got;
    }

    private static AvfSettings oneQueue() {
        return AvfSettings.DEFAULT.withQueues(1);
    }

    @Test
    void framesOfEverySizeAreReceivedWhole() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, oneQueue()).bringUp()) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < SIZES.length; i++) {
                byte[] f = Frames.flow(rig.driver.mac(), i, SIZES[i]);
                sent.add(f);
                rig.wire.inject(f);
            }
            List<byte[]> got = receiveAll(rig, 0, sent.size());
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "frame of " + SIZES[i] + " bytes");
            }
            assertEquals(sent.size(), rig.driver.counters(0).rxPackets());
        }
    }

    @Test
    void framesOfEverySizeAreSentWhole() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, oneQueue()).bringUp()) {
            for (int i = 0; i < SIZES.length; i++) {
                rig.txFrame(i, Frames.flow(Frames.PEER, i, SIZES[i]));
            }
            assertEquals(SIZES.length, rig.driver.transmit(0, rig.txFrames, rig.txLengths, SIZES.length));
            rig.runUntil(() -> rig.wire.sentWaiting() == SIZES.length, 1_000);
            for (int i = 0; i < SIZES.length; i++) {
                byte[] out = rig.wire.take();
                assertNotNull(out, "frame " + i);
                assertArrayEquals(Frames.flow(Frames.PEER, i, SIZES[i]), out, "frame of " + SIZES[i] + " bytes");
            }
            assertEquals(SIZES.length, rig.model.ethStats().txUnicast());
        }
    }

    @Test
    void ringsWrapAroundManyTimes() {
        AvfSettings small = oneQueue().withRings(64, 64, 1024).withRefillBatch(8);
        try (Rig rig = new Rig(ModelSettings.DEFAULT, small).bringUp()) {
            int total = 0;
            for (int round = 0; round < 40; round++) {
                // 20 frames a round, some spanning two or three 1 KiB receive buffers and two tx slots.
                List<byte[]> batch = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    int size = 60 + ((round * 20 + i) * 211) % 3000;
                    byte[] f = Frames.flow(rig.driver.mac(), round * 20 + i, size);
                    batch.add(f);
                    rig.txFrame(i, f);
                }
                int sent = 0;
                while (sent < batch.size()) {
                    int n = rig.driver.transmit(0, shift(rig.txFrames, sent), shift(rig.txLengths, sent), batch.size() - sent);
                    sent += n;
                    rig.step();
                }
                rig.runUntil(() -> rig.wire.sentWaiting() == batch.size(), 1_000);
                for (byte[] f : batch) {
                    byte[] out = rig.wire.take();
                    assertArrayEquals(f, out);
                    rig.wire.inject(out);
                }
                List<byte[]> got = receiveAll(rig, 0, batch.size());
                assertEquals(batch.size(), got.size(), "round " + round);
                for (int i = 0; i < got.size(); i++) {
                    assertArrayEquals(batch.get(i), got.get(i), "round " + round + " frame " + i);
                }
                total += got.size();
            }
            assertEquals(800, total);
            assertEquals(0, rig.model.ethStats().rxDiscards());
        }
    }

    private static java.lang.foreign.MemorySegment[] shift(java.lang.foreign.MemorySegment[] a, int from) {
        return java.util.Arrays.copyOfRange(a, from, a.length);
    }

    private static int[] shift(int[] a, int from) {
        return java.util.Arrays.copyOfRange(a, from, a.length);
    }

    @Test
    void receiveTailMovesInMultiplesOfEightAndOnlyInBatches() {
        AvfSettings settings = oneQueue().withRings(128, 128, 2048).withRefillBatch(32);
        try (Rig rig = new Rig(ModelSettings.DEFAULT, settings).bringUp()) {
            int tail = rig.model.read32(Registers.qrxTail(0));
            assertEquals(120, tail, "all but eight descriptors given at start");
            List<Integer> tails = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                rig.wire.inject(Frames.flow(rig.driver.mac(), i, 100));
                rig.step();
                rig.driver.receive(0, rig.rxFrames, rig.rxLengths, 1);
                int t = rig.model.read32(Registers.qrxTail(0));
                if (t != tail) {
                    tails.add(t);
                    assertEquals(0, t % 8, "tail " + t);
                    assertEquals(32, (t - tail + 128) % 128, "moved by one batch");
                    tail = t;
                }
            }
            assertTrue(tails.size() >= 8, "the tail kept moving: " + tails);
            assertEquals(300, rig.driver.counters(0).rxPackets());
            assertEquals(0, rig.model.ethStats().rxDiscards(), "never ran out of descriptors");
        }
    }

    @Test
    void aFullReceiveRingDropsAtTheDeviceAndRecovers() {
        AvfSettings settings = oneQueue().withRings(64, 64, 2048).withRefillBatch(8);
        try (Rig rig = new Rig(ModelSettings.DEFAULT, settings).bringUp()) {
            for (int i = 0; i < 100; i++) {
                rig.wire.inject(Frames.flow(rig.driver.mac(), i, 200));
            }
            rig.runFor(1_000_000);
            assertEquals(100 - 56, rig.model.ethStats().rxDiscards(), "56 descriptors were the device's");
            List<byte[]> got = receiveAll(rig, 0, 56);
            assertEquals(56, got.size());
            rig.wire.inject(Frames.flow(rig.driver.mac(), 1000, 300));
            assertEquals(1, receiveAll(rig, 0, 1).size());
        }
    }

    @Test
    void aFrameLongerThanTheCallersBufferIsDroppedAndCounted() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, oneQueue()).bringUp()) {
            rig.wire.inject(Frames.flow(rig.driver.mac(), 1, 3000));
            rig.wire.inject(Frames.flow(rig.driver.mac(), 2, 100));
            rig.runFor(1_000_000);
            java.lang.foreign.MemorySegment[] tiny = {rig.rxFrames[0].asSlice(0, 2048), rig.rxFrames[1].asSlice(0, 2048)};
            assertEquals(1, rig.driver.receive(0, tiny, rig.rxLengths, 2));
            assertEquals(100, rig.rxLengths[0]);
            assertEquals(1, rig.driver.counters(0).rxTooLong());
        }
    }

    @Test
    void framesForOtherAddressesAreFilteredUnlessPromiscuous() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, oneQueue()).bringUp()) {
            rig.wire.inject(Frames.flow(Frames.PEER, 1, 100));
            rig.wire.inject(Frames.flow(rig.driver.mac(), 2, 100));
            assertEquals(1, receiveAll(rig, 0, 2).size());
        }
        try (Rig rig = new Rig(ModelSettings.DEFAULT, oneQueue().withMac(null, true)).bringUp()) {
            rig.wire.inject(Frames.flow(Frames.PEER, 1, 100));
            rig.wire.inject(Frames.flow(rig.driver.mac(), 2, 100));
            assertEquals(2, receiveAll(rig, 0, 2).size());
        }
    }

    @Test
    void aFullTransmitRingTakesWhatFitsAndTheRestLater() {
        AvfSettings settings = oneQueue().withRings(64, 64, 2048);
        try (Rig rig = new Rig(ModelSettings.DEFAULT, settings).bringUp()) {
            for (int i = 0; i < 100; i++) {
                rig.txFrame(i, Frames.flow(Frames.PEER, i, 100));
            }
            int n = rig.driver.transmit(0, rig.txFrames, rig.txLengths, 100);
            assertEquals(63, n, "one slot stays empty");
            assertEquals(1, rig.driver.counters(0).txRingFull());
            rig.step();
            int more = rig.driver.transmit(0, shift(rig.txFrames, n), shift(rig.txLengths, n), 100 - n);
            assertEquals(37, more);
            rig.runUntil(() -> rig.wire.sentWaiting() == 100, 100);
            for (int i = 0; i < 100; i++) {
                assertArrayEquals(Frames.flow(Frames.PEER, i, 100), rig.wire.take());
            }
        }
    }

    @Test
    void invalidFramesAreTakenAndCountedNotSent() {
        try (Rig rig = new Rig(ModelSettings.DEFAULT, oneQueue()).bringUp()) {
            rig.txFrame(0, Frames.flow(Frames.PEER, 0, 100));
            rig.txLengths[1] = 0;
            rig.txLengths[2] = 9729;
            rig.txFrame(3, Frames.flow(Frames.PEER, 3, 100));
            assertEquals(4, rig.driver.transmit(0, rig.txFrames, rig.txLengths, 4));
            assertEquals(2, rig.driver.counters(0).txInvalid());
            rig.runFor(1_000_000);
            assertEquals(2, rig.wire.sentWaiting());
        }
    }
}
