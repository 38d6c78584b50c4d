package dev.cipherlane.chaos;

import dev.cipherlane.stages.wire.Ethernet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-direction impairment logic, without sockets: frames are numbered byte arrays. */
class RelayLaneTest {
    private static final int FRAME = 64;

    private final List<byte[]> out = new ArrayList<>();
    private final MemorySegment buf = Arena.ofAuto().allocate(FRAME);

    private RelayLane lane(long seed) {
        return new RelayLane((frame, length) -> {
            byte[] b = new byte[length];
            MemorySegment.copy(frame, ValueLayout.JAVA_BYTE, 0, b, 0, length);
            out.add(b);
        }, seed, FRAME);
    }

    private void offer(RelayLane lane, int number, long now) {
        buf.fill((byte) 0);
        buf.set(ValueLayout.JAVA_INT, 20, number);
        lane.accept(buf, FRAME, now);
    }

    private static int number(byte[] frame) {
        return MemorySegment.ofArray(frame).get(ValueLayout.JAVA_INT_UNALIGNED, 20);
    }

    private List<Integer> numbers() {
        return out.stream().map(RelayLaneTest::number).toList();
    }

    @Test
    void cleanWireForwardsEverythingInOrder() {
        RelayLane lane = lane(1);
        for (int i = 0; i < 100; i++) {
            offer(lane, i, 0);
        }
        assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), numbers());
        RelayCounters c = lane.counters();
        assertEquals(100, c.received());
        assertEquals(100, c.forwarded());
        assertEquals(0, c.dropped() + c.duplicated() + c.reordered() + c.corrupted() + c.partitioned());
    }

    @Test
    void partitionDropsAllAndHealsWhenLifted() {
        RelayLane lane = lane(1);
        lane.impairment(Impairment.NONE.withPartition(true));
        for (int i = 0; i < 10; i++) {
            offer(lane, i, 0);
        }
        assertTrue(out.isEmpty());
        lane.impairment(Impairment.NONE);
        offer(lane, 10, 0);
        assertEquals(List.of(10), numbers());
        assertEquals(10, lane.counters().partitioned());
    }

    @Test
    void partitionAlsoLosesFramesInFlight() {
        RelayLane lane = lane(8);
        lane.impairment(Impairment.NONE.withDelay(Duration.ofMillis(5), Duration.ZERO));
        offer(lane, 1, 0);
        lane.impairment(Impairment.NONE.withReordering(100, 1, Duration.ofMillis(5)));
        offer(lane, 2, 0);
        lane.impairment(Impairment.NONE.withPartition(true));
        lane.poll(Duration.ofMillis(5).toNanos());
        assertTrue(out.isEmpty());
        assertEquals(0, lane.waiting());
        assertEquals(2, lane.counters().partitioned());
    }

    @Test
    void fullLossAndFullDuplication() {
        RelayLane lane = lane(2);
        lane.impairment(Impairment.NONE.withLoss(100));
        offer(lane, 1, 0);
        assertTrue(out.isEmpty());
        lane.impairment(Impairment.NONE.withDuplication(100));
        offer(lane, 2, 0);
        assertEquals(List.of(2, 2), numbers());
        RelayCounters c = lane.counters();
        assertEquals(1, c.dropped());
        assertEquals(1, c.duplicated());
        assertEquals(2, c.forwarded());
    }

    @Test
    void heldFrameIsOvertakenByTheNextGapFrames() {
        RelayLane lane = lane(3);
        lane.impairment(Impairment.NONE.withReordering(100, 2, Duration.ofSeconds(10)));
        offer(lane, 0, 0);
        lane.impairment(Impairment.NONE.withReordering(0, 2, Duration.ofSeconds(10)));
        offer(lane, 1, 0);
        offer(lane, 2, 0);
        offer(lane, 3, 0);
        assertEquals(List.of(1, 2, 0, 3), numbers());
        assertEquals(1, lane.counters().reordered());
    }

    @Test
    void heldFrameIsReleasedAfterItsHoldTimeWithoutTraffic() {
        RelayLane lane = lane(4);
        lane.impairment(Impairment.NONE.withReordering(100, 5, Duration.ofMillis(20)));
        offer(lane, 7, 0);
        assertTrue(out.isEmpty());
        assertEquals(Duration.ofMillis(20).toNanos(), lane.nextDeadline());
        lane.poll(Duration.ofMillis(19).toNanos());
        assertTrue(out.isEmpty());
        lane.poll(Duration.ofMillis(20).toNanos());
        assertEquals(List.of(7), numbers());
        assertEquals(0, lane.waiting());
    }

    @Test
    void delayedFramesLeaveWhenDue() {
        RelayLane lane = lane(5);
        lane.impairment(Impairment.NONE.withDelay(Duration.ofMillis(10), Duration.ZERO));
        offer(lane, 1, 0);
        offer(lane, 2, 1_000_000);
        lane.poll(9_999_999);
        assertTrue(out.isEmpty());
        lane.poll(10_000_000);
        assertEquals(List.of(1), numbers());
        lane.poll(11_000_000);
        assertEquals(List.of(1, 2), numbers());
    }

    @Test
    void corruptionFlipsExactlyOneByteAfterTheEthernetHeader() {
        RelayLane lane = lane(6);
        lane.impairment(Impairment.NONE.withCorruption(100));
        for (int i = 0; i < 50; i++) {
            buf.fill((byte) 0);
            lane.accept(buf, FRAME, 0);
        }
        assertEquals(50, out.size());
        for (byte[] f : out) {
            int changed = 0;
            for (int i = 0; i < f.length; i++) {
                if (f[i] != 0) {
                    assertTrue(i >= Ethernet.HEADER_LENGTH, "byte " + i + " is in the Ethernet header");
                    changed++;
                }
            }
            assertEquals(1, changed);
        }
        assertEquals(50, lane.counters().corrupted());
    }

    @Test
    void sameSeedSameFaults() {
        Impairment messy = Impairment.NONE.withLoss(10).withDuplication(10).withCorruption(10)
                .withReordering(10, 3, Duration.ofSeconds(1));
        List<byte[]> first = run(messy, 42);
        List<byte[]> second = run(messy, 42);
        List<byte[]> other = run(messy, 43);
        assertEquals(first.size(), second.size());
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i));
        }
        assertNotEquals(fingerprint(first), fingerprint(other));
    }

    private List<byte[]> run(Impairment impairment, long seed) {
        out.clear();
        RelayLane lane = lane(seed);
        lane.impairment(impairment);
        for (int i = 0; i < 1000; i++) {
            offer(lane, i, 0);
        }
        return new ArrayList<>(out);
    }

    private static int fingerprint(List<byte[]> frames) {
        return frames.stream().mapToInt(Arrays::hashCode).reduce(17, (a, b) -> 31 * a + b);
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withLoss(101));
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withDuplication(-1));
        assertThrows(IllegalArgumentException.class, () -> Impairment.NONE.withCorruption(Double.NaN));
        assertThrows(IllegalArgumentException.class,
                () -> Impairment.NONE.withReordering(1, 0, Duration.ofMillis(1)));
        assertThrows(IllegalArgumentException.class,
                () -> Impairment.NONE.withDelay(Duration.ofMillis(-1), Duration.ZERO));
    }
}
