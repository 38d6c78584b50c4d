package dev.cipherlane.afpacket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.linux.GatherMessage;
import dev.cipherlane.linux.LinuxException;
import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.VirtioNetHeader;
import dev.cipherlane.stages.testing.StageHarness;
import dev.cipherlane.testbed.Lab;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * UDP GSO on a real veth pair: datagrams of one flow leave {@link AfPacketOutput} as one
 * super-frame, cross the veth as one skb, and come out as the same datagrams, whether our
 * {@link AfPacketInput} cuts them up or the receiving kernel's UDP stack does.
 */
@Tag("root")
class UdpGsoVethTest {
    private static final int TX_IF = 1;
    private static final int RX_IF = 2;
    private static final String OUTPUT = AfPacketOutput.NAME;
    private static final String INPUT = AfPacketInput.name(VethPair.B_LINK, 0);
    private static final String CAPTURE = INPUT + ".ethernet-input";

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

    /** Rings with offloads: 4 rx blocks of 128 KB, 128 tx frames of 2 KB. */
    private static PacketRing.Config offloads() {
        return new PacketRing.Config(1 << 17, 4, 2048, 5, 1 << 16, 4, -1, false, true);
    }

    private PacketRing open(boolean a, PacketRing.Config config) throws Exception {
        return a ? pair.openA(config) : pair.openB(config);
    }

    private static void send(StageHarness h, List<byte[]> frames) {
        int[] bis = new int[frames.size()];
        for (int i = 0; i < bis.length; i++) {
            bis[i] = h.packet(frames.get(i), 0);
            h.memory().txInterface(bis[i], TX_IF);
        }
        h.run(OUTPUT, bis);
    }

    private static List<byte[]> ours(StageHarness h) {
        List<byte[]> out = new ArrayList<>();
        for (byte[] f : h.capturedBytes(CAPTURE)) {
            if (Frames.ours(f)) {
                out.add(f);
            }
        }
        return out;
    }

    private static void receive(StageHarness h, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ours(h).size() < expected && System.nanoTime() < deadline) {
            if (h.runtime().runOnce(256) == 0) {
                Thread.sleep(1);
            }
        }
    }

    /** 40 datagrams of one flow, 1200 payload bytes each but the last (500), IDs counting up. */
    private static List<byte[]> oneFlow(int first, int count) {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            frames.add(Frames.udp(40000, 9000, first + i, i == count - 1 ? 500 : 1200));
        }
        return frames;
    }

    @Test
    void aRunOfOneFlowCrossesAsOneSuperFrameAndIsCutBackIntoTheSameDatagrams() throws Exception {
        PacketRing tx = open(true, offloads());
        PacketRing rx = open(false, offloads());
        List<byte[]> sent = new ArrayList<>(oneFlow(0, 40));
        // Another flow, then a lone datagram: they go through the ring, in order after the run.
        sent.addAll(oneFlow(100, 3).stream().map(f -> withSourcePort(f, 40001)).toList());
        sent.add(Frames.udp(40002, 9000, 200, 64));
        try (StageHarness h = new StageHarness(2048, 16,
                new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(tx)))),
                new AfPacketInput(new AfPacketInput.Params(rx, RX_IF, VethPair.B_LINK, 0, 0)))) {
            send(h, sent);
            assertEquals(2, h.errors(OUTPUT, "udp gso super-frames sent"));
            assertEquals(43, h.errors(OUTPUT, "udp gso datagrams sent"));
            receive(h, sent.size());
            List<byte[]> got = ours(h);
            assertEquals(sent.size(), got.size(), "datagrams received");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "datagram " + i);
            }
            // Two super-frames crossed the veth whole and were cut here; the lone one was not.
            assertEquals(2, h.errors(INPUT, "udp gso super-frames split"));
            assertEquals(0, h.errors(INPUT, "frame too long"));
            assertEquals(0, h.errors(OUTPUT, "udp gso send error"));
        }
        assertEquals(0, rx.statistics().drops());
    }

    @Test
    void aRunLongerThanTheKernelsSegmentLimitIsGatheredIntoTwoSuperFramesAndArrivesByteForByte() throws Exception {
        PacketRing tx = open(true, offloads());
        PacketRing rx = open(false, offloads());
        // 64 datagrams (UDP_MAX_SEGMENTS: 65 pieces, the headers and 64 payloads) then 6 more;
        // the packets sit where the pool put them, not next to each other, and each one's
        // payload is its own, so a piece pointing at the wrong buffer would show.
        List<byte[]> sent = oneFlow(1000, 70);
        try (StageHarness h = new StageHarness(2048, 16,
                new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(tx)))),
                new AfPacketInput(new AfPacketInput.Params(rx, RX_IF, VethPair.B_LINK, 0, 0)))) {
            int[] spacer = new int[7];
            for (int i = 0; i < spacer.length; i++) {
                spacer[i] = h.packet(Frames.udp(1, 2, i, 10), 0); // buffers between ours
            }
            send(h, sent);
            assertEquals(2, h.errors(OUTPUT, "udp gso super-frames sent"));
            assertEquals(70, h.errors(OUTPUT, "udp gso datagrams sent"));
            receive(h, sent.size());
            List<byte[]> got = ours(h);
            assertEquals(sent.size(), got.size(), "datagrams received");
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "datagram " + i);
            }
            assertEquals(2, h.errors(INPUT, "udp gso super-frames split"));
            for (int bi : spacer) {
                h.buffers().free(bi);
            }
        }
        assertEquals(0, rx.statistics().drops());
    }

    @Test
    void theReceivingKernelSeesEveryDatagramOfASuperFrame() throws Exception {
        // B gets the address and MAC the frames are sent to, and a UDP socket on the port.
        pair.b.rtnetlink().linkSetMac(pair.indexB, MacAddress.parse("02:00:00:00:00:0b"));
        pair.b.rtnetlink().addressAdd(pair.indexB, InetAddress.ofLiteral("10.77.0.2"), 24);
        PacketRing tx = open(true, offloads());
        try (DatagramChannel socket = pair.nsB.runIn(() -> {
                    DatagramChannel c = DatagramChannel.open();
                    c.bind(new InetSocketAddress("10.77.0.2", 9000));
                    return c;
                });
             StageHarness h = new StageHarness(2048, 16,
                     new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(tx)))))) {
            socket.configureBlocking(true);
            List<byte[]> sent = oneFlow(0, 40);
            send(h, sent);
            assertEquals(1, h.errors(OUTPUT, "udp gso super-frames sent"));
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            socket.socket().setSoTimeout(5000);
            for (int i = 0; i < sent.size(); i++) {
                buffer.clear();
                assertNotNull(socket.receive(buffer), "datagram " + i);
                buffer.flip();
                byte[] payload = new byte[buffer.remaining()];
                buffer.get(payload);
                byte[] expected = Arrays.copyOfRange(sent.get(i), 42, sent.get(i).length);
                assertArrayEquals(expected, payload, "payload of datagram " + i);
            }
        }
    }

    @Test
    void withoutOffloadsNothingIsJoined() throws Exception {
        PacketRing tx = open(true, offloads().withOffloads(false));
        PacketRing rx = open(false, offloads());
        assertTrue(tx.gso() == null);
        List<byte[]> sent = oneFlow(0, 10);
        try (StageHarness h = new StageHarness(2048, 16,
                new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(tx)))),
                new AfPacketInput(new AfPacketInput.Params(rx, RX_IF, VethPair.B_LINK, 0, 0)))) {
            send(h, sent);
            receive(h, sent.size());
            List<byte[]> got = ours(h);
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "datagram " + i);
            }
            assertEquals(0, h.errors(OUTPUT, "udp gso super-frames sent"));
            assertEquals(0, h.errors(INPUT, "udp gso super-frames split"));
        }
    }

    @Test
    void aKernelRefusingSuperFramesTurnsThemOff() throws Exception {
        PacketRing tx = open(true, offloads());
        PacketRing rx = open(false, offloads());
        GsoSocket gso = tx.gso();
        assertTrue(gso.usable());
        // A header the kernel refuses whatever it supports: hdr_len past the frame (EINVAL).
        byte[] frame = Frames.udp(40000, 9000, 1, 100);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = gso.headers();
            VirtioNetHeader.set(header, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP_L4, 4000, 100, 34, 6);
            MemorySegment packet = arena.allocate(frame.length);
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, packet, 0, frame.length);
            GatherMessage message = gso.message();
            message.clear();
            message.add(header, 0, VirtioNetHeader.LEGACY_SIZE);
            message.add(packet, 0, frame.length);
            assertThrows(LinuxException.class, gso::send);
        }
        assertFalse(gso.usable());

        // From then on a run of one flow goes frame by frame through the ring, and arrives.
        List<byte[]> sent = oneFlow(0, 10);
        try (StageHarness h = new StageHarness(2048, 16,
                new AfPacketOutput(AfPacketOutput.Params.of(Map.of(TX_IF, List.of(tx)))),
                new AfPacketInput(new AfPacketInput.Params(rx, RX_IF, VethPair.B_LINK, 0, 0)))) {
            send(h, sent);
            assertEquals(0, h.errors(OUTPUT, "udp gso super-frames sent"));
            receive(h, sent.size());
            List<byte[]> got = ours(h);
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "datagram " + i);
            }
        }
    }

    private static byte[] withSourcePort(byte[] frame, int port) {
        byte[] f = frame.clone();
        f[34] = (byte) (port >>> 8);
        f[35] = (byte) port;
        return f;
    }
}
