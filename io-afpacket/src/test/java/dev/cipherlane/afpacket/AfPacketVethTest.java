package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.testbed.Lab;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The rings on a real veth pair between two fresh namespaces: frames leave through
 * {@link AfPacketOutput} on the A end and come back through {@link AfPacketInput} on the B
 * end, in the graph of a {@link StageHarness} (whose close checks that no buffer leaked).
 */
@Tag("root")
class AfPacketVethTest {
    /** Dataplane interface indices of the two ends (the harness's, not the kernel's). */
    private static final int TX_IF = 1;
    private static final int RX_IF = 2;
    private static final String OUTPUT = AfPacketOutput.NAME;

    private VethPair pair;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, veth and AF_PACKET");
        pair = VethPair.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (pair != null) {
            pair.close();
        }
    }

    private PacketRing ringA(PacketRing.Config config) throws Exception {
        return pair.openA(config);
    }

    private PacketRing ringB(PacketRing.Config config) throws Exception {
        return pair.openB(config);
    }

    /** 4 rx blocks of 64 KB, 2 KB frames, 128 tx frames, 5 ms retire timeout. */
    private static PacketRing.Config small(int fanoutGroup) {
        return new PacketRing.Config(1 << 16, 4, 2048, 5, 1 << 16, 4, fanoutGroup, false);
    }

    private static AfPacketOutput output(PacketRing ring) {
        return new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(ring))));
    }

    private static AfPacketInput input(PacketRing ring, int member) {
        return new AfPacketInput(new AfPacketInput.Params(ring, RX_IF, VethPair.B_LINK, member, 0));
    }

    private static String capture(int member) {
        return AfPacketInput.name(VethPair.B_LINK, member) + ".ethernet-input";
    }

    /** Puts {@code frames} into one graph frame for afpacket-output. */
    private static void send(StageHarness h, List<byte[]> frames) {
        int[] bis = new int[frames.size()];
        for (int i = 0; i < bis.length; i++) {
            bis[i] = h.packet(frames.get(i), 0);
            h.memory().txInterface(bis[i], TX_IF);
        }
        h.run(OUTPUT, bis);
    }

    /** Our frames in capture {@code key}, in arrival order. */
    private static List<byte[]> ours(StageHarness h, String key) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : h.capturedBytes(key)) {
            if (Frames.ours(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Polls the inputs until {@code expected} of our frames arrived over all members, or 5 s passed. */
    private static void receive(StageHarness h, int members, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            int got = 0;
            for (int m = 0; m < members; m++) {
                got += ours(h, capture(m)).size();
            }
            if (got >= expected) {
                return;
            }
            if (h.runtime().runOnce(256) == 0) {
                Thread.sleep(1);
            }
        }
    }

    @Test
    void aThousandFramesArriveByteIdenticalAndInOrder() throws Exception {
        PacketRing tx = ringA(small(-1));
        PacketRing rx = ringB(PacketRing.Config.defaults(-1));
        List<byte[]> sent = new ArrayList<>();
        try (StageHarness h = new StageHarness(2048, 16, output(tx), input(rx, 0))) {
            for (int batch = 0; batch < 10; batch++) {
                List<byte[]> frames = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    int seq = batch * 100 + i;
                    frames.add(Frames.udp(40000, 9000, seq, 18 + seq % 1400));
                }
                send(h, frames);
                sent.addAll(frames);
                h.runtime().runOnce(256);
            }
            receive(h, 1, sent.size());
            List<byte[]> got = ours(h, capture(0));
            assertEquals(sent.size(), got.size(), "frames received");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "frame " + i);
            }
            PacketMemory mem = h.memory();
            for (int bi : h.captured(capture(0))) {
                assertEquals(RX_IF, mem.rxInterface(bi));
                assertEquals(PacketMemory.HEADROOM, mem.dataOffset(bi));
            }
            assertEquals(0, h.errors(OUTPUT, "tx ring full"));
            assertEquals(0, h.errors(OUTPUT, "tx kick error"));
            assertEquals(0, h.errors(AfPacketInput.name(VethPair.B_LINK, 0), "no buffer"));
            assertEquals(0, h.errors(AfPacketInput.name(VethPair.B_LINK, 0), "frame too long"));
        }
        PacketRing.Statistics stats = rx.statistics();
        assertTrue(stats.packets() >= 1000, "kernel counted " + stats);
        assertEquals(0, stats.drops(), "kernel drops");
        assertEquals(0, stats.freezes(), "queue freezes");
        // Reading resets the kernel's counters; the ring keeps the sums.
        assertEquals(stats, rx.statistics());
    }

    @Test
    void aFanoutGroupSpreadsFlowsAndKeepsEachFlowOnOneMember() throws Exception {
        int group = ThreadLocalRandom.current().nextInt(1, 0xffff);
        PacketRing tx = ringA(small(-1));
        PacketRing first = ringB(small(group));
        PacketRing second = ringB(small(group));
        int flows = 256;
        int perFlow = 4;
        Set<String> sent = new HashSet<>();
        try (StageHarness h = new StageHarness(2048, 16, output(tx), input(first, 0), input(second, 1))) {
            for (int round = 0; round < perFlow; round++) {
                for (int half = 0; half < 2; half++) {
                    List<byte[]> frames = new ArrayList<>();
                    for (int flow = half * flows / 2; flow < (half + 1) * flows / 2; flow++) {
                        byte[] f = Frames.udp(20000 + flow, 9000, round * flows + flow, 32);
                        frames.add(f);
                        sent.add(new String(f, StandardCharsets.ISO_8859_1));
                    }
                    send(h, frames);
                    h.runtime().runOnce(256);
                }
            }
            receive(h, 2, flows * perFlow);
            Map<Integer, Integer> memberOfFlow = new HashMap<>();
            Set<String> received = new HashSet<>();
            int[] share = new int[2];
            for (int m = 0; m < 2; m++) {
                for (byte[] f : ours(h, capture(m))) {
                    int srcPort = (f[34] & 0xff) << 8 | (f[35] & 0xff);
                    Integer before = memberOfFlow.put(srcPort, m);
                    assertTrue(before == null || before == m, "flow " + srcPort + " seen on both members");
                    received.add(new String(f, StandardCharsets.ISO_8859_1));
                    share[m]++;
                }
            }
            assertEquals(sent, received, "every frame arrived once on some member");
            assertEquals(flows * perFlow, share[0] + share[1]);
            assertTrue(share[0] > 0 && share[1] > 0, "both members got a share: " + share[0] + " / " + share[1]);
        }
        assertEquals(0, first.statistics().drops());
        assertEquals(0, second.statistics().drops());
    }

    @Test
    void aFullTxRingDropsAndCounts() throws Exception {
        // One 4 KB tx block of 2 KB frames: room for two frames until the next kick.
        PacketRing tx = ringA(new PacketRing.Config(4096, 1, 2048, 5, 4096, 1, -1, false));
        PacketRing rx = ringB(small(-1));
        assertEquals(2, tx.txFrames());
        try (StageHarness h = new StageHarness(output(tx), input(rx, 0))) {
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                frames.add(Frames.udp(30000, 9000, i, 64));
            }
            send(h, frames);
            assertEquals(3, h.errors(OUTPUT, "tx ring full"));
            receive(h, 1, 2);
            List<byte[]> got = ours(h, capture(0));
            assertEquals(2, got.size());
            assertArrayEquals(frames.get(0), got.get(0));
            assertArrayEquals(frames.get(1), got.get(1));

            // The kick sent them, so the frames are the ring's again.
            send(h, List.of(frames.get(2), frames.get(3)));
            assertEquals(3, h.errors(OUTPUT, "tx ring full"));
            receive(h, 1, 4);
            got = ours(h, capture(0));
            assertEquals(4, got.size());
            assertArrayEquals(frames.get(3), got.get(3));
        }
    }

    @Test
    void aVlanTagTheKernelStrippedIsPutBack() throws Exception {
        PacketRing tx = ringA(small(-1));
        PacketRing rx = ringB(small(-1));
        byte[] plain = Frames.udp(30001, 9000, 1, 100);
        byte[] vid100 = Frames.tagged(Frames.udp(30001, 9000, 2, 100), 0x0064);
        byte[] prio5 = Frames.tagged(Frames.udp(30001, 9000, 3, 100), 0xa00c);
        try (StageHarness h = new StageHarness(output(tx), input(rx, 0))) {
            send(h, List.of(plain, vid100, prio5));
            receive(h, 1, 3);
            List<byte[]> got = ours(h, capture(0));
            assertEquals(3, got.size());
            assertArrayEquals(plain, got.get(0));
            assertArrayEquals(vid100, got.get(1));
            assertArrayEquals(prio5, got.get(2));
        }
    }

    @Test
    void runtAndOversizedPacketsAreNotSent() throws Exception {
        PacketRing tx = ringA(small(-1));
        try (StageHarness h = new StageHarness(output(tx))) {
            send(h, List.of(new byte[10], Frames.udp(30002, 9000, 1, 2048 - 48 - 42 + 1)));
            assertEquals(1, h.errors(OUTPUT, "runt frame"));
            assertEquals(1, h.errors(OUTPUT, "frame too long"));
        }
    }

    @Test
    void framesWithoutABufferAreCountedAndTheRingMovesOn() throws Exception {
        PacketRing tx = ringA(small(-1));
        PacketRing rx = ringB(small(-1));
        String name = AfPacketInput.name(VethPair.B_LINK, 0);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            frames.add(Frames.udp(30003, 9000, i, 64));
        }
        try (StageHarness sender = new StageHarness(output(tx))) {
            send(sender, frames);
        }
        // Eight small buffers: the first eight frames take them all.
        try (StageHarness h = new StageHarness(8, 1, input(rx, 0))) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ours(h, capture(0)).size() + h.errors(name, "no buffer") < 20 && System.nanoTime() < deadline) {
                if (h.runtime().runOnce(256) == 0) {
                    Thread.sleep(1);
                }
            }
            List<byte[]> got = ours(h, capture(0));
            assertEquals(8, got.size());
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(frames.get(i), got.get(i));
            }
            assertEquals(12, h.errors(name, "no buffer"));
        }
    }
}
