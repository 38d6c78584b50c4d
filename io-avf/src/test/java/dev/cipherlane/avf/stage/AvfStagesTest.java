package dev.cipherlane.avf.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.avf.driver.AvfSettings;
import dev.cipherlane.avf.driver.VfState;
import dev.cipherlane.avf.model.AvfModel;
import dev.cipherlane.avf.model.MemoryWire;
import dev.cipherlane.avf.model.ModelSettings;
import dev.cipherlane.avf.testing.Frames;
import dev.cipherlane.avf.virtchnl.VirtchnlOp;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** avf-input and avf-output around a driver on the model, in a one-worker graph. */
class AvfStagesTest {
    private static final int UPLINK = 3;
    private static final String INPUT = AvfInput.name("vf0");
    private static final String RECEIVED = INPUT + ".ethernet-input";

    private final MemoryWire wire = new MemoryWire(4096);
    private AvfModel model;
    private AvfPort port;

    private AvfPort port(int worker, AvfSettings settings) {
        model = new AvfModel(wire, ModelSettings.DEFAULT.withQueuePairs(2));
        port = AvfPort.onModel("vf0", model, wire, settings, worker, 64);
        port.start(System.nanoTime());
        return port;
    }

    @AfterEach
    void close() {
        if (port != null) {
            port.close();
        }
    }

    private static StageHarness harness(AvfPort port) {
        return new StageHarness(new AvfInput(new AvfInput.Params(port, UPLINK)),
                new AvfOutput(AvfOutput.Params.of(Map.of(UPLINK, port))));
    }

    /** Runs rounds of the graph in real time until {@code done}, at most 5 s. */
    private static boolean until(StageHarness h, BooleanSupplier done) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            h.runtime().runOnce(256);
            if (done.getAsBoolean()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void framesFromTheWireEnterTheGraphAndPacketsLeaveOnIt() {
        AvfPort p = port(0, AvfSettings.DEFAULT.withQueues(2));
        try (StageHarness h = harness(p)) {
            assertTrue(until(h, () -> p.state() == VfState.RUNNING), () -> p.driver().failure());
            List<byte[]> in = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                // Many flows, so RSS spreads them over both queues.
                byte[] f = Frames.flow(ModelSettings.DEFAULT.mac(), i, 60 + i * 14);
                in.add(f);
                wire.inject(f);
            }
            assertTrue(until(h, () -> h.captured(RECEIVED).size() == in.size()),
                    () -> h.captured(RECEIVED).size() + " of " + in.size());
            List<byte[]> got = h.capturedBytes(RECEIVED);
            // Queues are taken one after the other, so compare as sets of frames.
            for (byte[] f : in) {
                assertTrue(got.stream().anyMatch(g -> java.util.Arrays.equals(f, g)), "every frame arrived intact");
            }
            for (int bi : h.captured(RECEIVED)) {
                assertEquals(UPLINK, h.memory().rxInterface(bi));
            }
            assertTrue(model.rxEnabled(1), "two queues in use");

            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int bi = h.packet(Frames.flow(Frames.PEER, i, 64 + i * 20), 0);
                h.memory().txInterface(bi, UPLINK);
                out.add(bi);
            }
            List<byte[]> sent = new ArrayList<>();
            for (int bi : out) {
                sent.add(h.memory().read(bi));
            }
            h.run(AvfOutput.NAME, out.stream().mapToInt(Integer::intValue).toArray());
            List<byte[]> onWire = new ArrayList<>();
            assertTrue(until(h, () -> {
                for (byte[] f = wire.take(); f != null; f = wire.take()) {
                    onWire.add(f);
                }
                return onWire.size() == sent.size();
            }), () -> onWire.size() + " of " + sent.size() + " on the wire");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), onWire.get(i), "frame " + i + " in order, intact");
            }
        }
    }

    @Test
    void aFailedVfIsReportedAndWhatIsSentToItIsACountedDrop() {
        AvfPort p = port(0, AvfSettings.DEFAULT.withQueues(1));
        model.misbehave().fail(VirtchnlOp.CONFIG_VSI_QUEUES, -5);
        try (StageHarness h = harness(p)) {
            assertTrue(until(h, () -> p.state() == VfState.FAILED), () -> "state " + p.state());
            AvfPort.Status s = p.status();
            assertEquals(VfState.FAILED, s.state());
            assertNotNull(s.failure());
            assertTrue(s.failure().contains("CONFIG_VSI_QUEUES"), s.failure());
            int bi = h.packet(Frames.flow(Frames.PEER, 1, 100), 0);
            h.memory().txInterface(bi, UPLINK);
            h.run(AvfOutput.NAME, bi);
            assertEquals(1, h.errors(AvfOutput.NAME, "vf not running"));
        }
    }

    @Test
    void anotherWorkerHandsItsPacketsToTheOwner() {
        // The VF belongs to worker 1; the harness runs worker 0.
        AvfPort p = port(1, AvfSettings.DEFAULT.withQueues(1));
        try (StageHarness h = harness(p)) {
            int a = h.packet(Frames.flow(Frames.PEER, 1, 100), 0);
            int b = h.packet(Frames.flow(Frames.PEER, 2, 100), 0);
            h.memory().txInterface(a, UPLINK);
            h.memory().txInterface(b, UPLINK);
            h.run(AvfOutput.NAME, a, b);
            List<Integer> handed = new ArrayList<>();
            p.handoff().poll((List<Integer> l, int[] bis, int off, int n) -> {
                for (int i = 0; i < n; i++) {
                    l.add(bis[off + i]);
                }
            }, handed, 256);
            assertEquals(List.of(a, b), handed);
            assertEquals(0, wire.sentWaiting(), "worker 0 never touches the VF");
            assertTrue(p.state() != VfState.RUNNING, "nor polls it: bring-up has not gone anywhere");
            for (int bi : handed) {
                h.buffers().free(bi);
            }
        }
    }

    @Test
    void aPartialChecksumIsCompletedOnTheWayOut() {
        AvfPort p = port(0, AvfSettings.DEFAULT.withQueues(1));
        try (StageHarness h = harness(p)) {
            assertTrue(until(h, () -> p.state() == VfState.RUNNING), () -> p.driver().failure());
            byte[] frame = Frames.udp4(Frames.PEER, Frames.ip(10, 0, 0, 1), Frames.ip(10, 0, 0, 2), 1000, 2000, 200, 3);
            // As a tap leaves it: the UDP checksum field holds the pseudo-header sum only.
            int udp = 14 + 20;
            int pseudo = pseudoHeaderSum(frame, udp);
            byte[] expected = frame.clone();
            long sum = pseudo;
            for (int i = udp; i < frame.length; i += 2) {
                sum += (frame[i] & 0xff) << 8 | (i + 1 < frame.length ? frame[i + 1] & 0xff : 0);
            }
            while (sum > 0xffff) {
                sum = (sum & 0xffff) + (sum >>> 16);
            }
            int checksum = ~(int) sum & 0xffff;
            checksum = checksum == 0 ? 0xffff : checksum;
            expected[udp + 6] = (byte) (checksum >> 8);
            expected[udp + 7] = (byte) checksum;
            frame[udp + 6] = (byte) (pseudo >> 8);
            frame[udp + 7] = (byte) pseudo;
            int bi = h.packet(frame, 0);
            PacketMemory mem = h.memory();
            mem.txInterface(bi, UPLINK);
            mem.flags(bi, mem.flags(bi) | PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) + udp);
            mem.csumOffset(bi, 6);
            h.run(AvfOutput.NAME, bi);
            byte[][] got = new byte[1][];
            assertTrue(until(h, () -> (got[0] = wire.take()) != null));
            assertArrayEquals(expected, got[0]);
        }
    }

    /** RFC 768 pseudo-header sum (addresses, protocol, UDP length), folded, not complemented. */
    private static int pseudoHeaderSum(byte[] f, int udp) {
        long sum = 0;
        for (int i = 26; i < 34; i += 2) {
            sum += (f[i] & 0xff) << 8 | f[i + 1] & 0xff;
        }
        sum += 17;
        sum += (f[udp + 4] & 0xff) << 8 | f[udp + 5] & 0xff;
        while (sum > 0xffff) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }
}
