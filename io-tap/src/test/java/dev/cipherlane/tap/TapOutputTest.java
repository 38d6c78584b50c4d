package dev.cipherlane.tap;

import static dev.cipherlane.tap.TestFrames.echoRequestFrame;
import static dev.cipherlane.tap.TestFrames.le16;
import static dev.cipherlane.tap.TestFrames.tcpFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.Sockets;
import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.graph.Graph;
import dev.cipherlane.stages.graph.GraphRuntime;
import dev.cipherlane.stages.graph.RuntimeReport;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TapOutput against datagram socket pairs standing in for tap queues: each write must be
 * one datagram holding the virtio-net header and the frame, as tun expects.
 */
class TapOutputTest {
    private static final int TAP = 4;

    private DatagramQueue q0;
    private DatagramQueue q1;

    @BeforeEach
    void open() throws Exception {
        q0 = new DatagramQueue();
        q1 = new DatagramQueue();
    }

    @AfterEach
    void close() throws Exception {
        q0.close();
        q1.close();
    }

    private TapOutput stage() {
        return new TapOutput(TapOutput.Params.of(Map.of(TAP, new int[] {q0.fd(), q1.fd()})));
    }

    private static int packet(StageHarness h, byte[] frame) {
        int bi = h.packet(frame, 0);
        h.memory().txInterface(bi, TAP);
        return bi;
    }

    @Test
    void aFrameLeavesWithAZeroHeaderInOneWrite() throws Exception {
        byte[] frame = echoRequestFrame(98);
        try (StageHarness h = new StageHarness(stage())) {
            h.run(TapOutput.NAME, packet(h, frame));
            byte[] got = q0.receive();
            assertEquals(12 + frame.length, got.length);
            assertArrayEquals(new byte[12], Arrays.copyOf(got, 12));
            assertArrayEquals(frame, Arrays.copyOfRange(got, 12, got.length));
            assertNull(q0.receive());
            assertNull(q1.receive(), "worker 0 writes to queue 0 only");
        }
    }

    @Test
    void aPartialChecksumIsSentRelativeToTheFrameStart() throws Exception {
        try (StageHarness h = new StageHarness(stage())) {
            int bi = packet(h, tcpFrame(100));
            PacketMemory mem = h.memory();
            mem.setFlag(bi, PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) + 34);
            mem.csumOffset(bi, 16);
            h.run(TapOutput.NAME, bi);
            byte[] got = q0.receive();
            assertEquals(1, got[0], "flags: NEEDS_CSUM");
            assertEquals(0, got[1], "gso type: none");
            assertEquals(34, le16(got, 6));
            assertEquals(16, le16(got, 8));
        }
    }

    @Test
    void aSuperPacketKeepsItsGsoMetadata() throws Exception {
        byte[] frame = tcpFrame(30_000);
        try (StageHarness h = new StageHarness(stage())) {
            int bi = packet(h, frame);
            PacketMemory mem = h.memory();
            mem.setFlag(bi, PacketFlags.NEEDS_CSUM);
            mem.csumStart(bi, mem.dataOffset(bi) + 34);
            mem.csumOffset(bi, 16);
            mem.gsoType(bi, 1);
            mem.gsoSize(bi, 1448);
            h.run(TapOutput.NAME, bi);
            byte[] got = q0.receive();
            assertEquals(12 + frame.length, got.length);
            assertEquals(1, got[0]);
            assertEquals(1, got[1], "gso type TCPV4");
            assertEquals(14 + 20 + 32, le16(got, 2), "hdr_len: Ethernet, IPv4 and TCP headers");
            assertEquals(1448, le16(got, 4));
            assertEquals(34, le16(got, 6));
            assertEquals(16, le16(got, 8));
            assertArrayEquals(frame, Arrays.copyOfRange(got, 12, got.length));
        }
    }

    @Test
    void aSuperPacketWithoutPartialChecksumIsRefused() throws Exception {
        try (StageHarness h = new StageHarness(stage())) {
            int bi = packet(h, tcpFrame(5000));
            h.memory().gsoType(bi, 1);
            h.memory().gsoSize(bi, 1448);
            h.run(TapOutput.NAME, bi);
            assertEquals(1, h.errors(TapOutput.NAME, "virtio-net gso without partial checksum"));
            assertNull(q0.receive());
        }
    }

    @Test
    void badPacketsAreDroppedByName() throws Exception {
        try (StageHarness h = new StageHarness(stage())) {
            int unknown = packet(h, echoRequestFrame(60));
            h.memory().txInterface(unknown, 5);
            int negative = packet(h, echoRequestFrame(60));
            h.memory().txInterface(negative, -1);
            int runt = packet(h, new byte[13]);
            int noRoom = packet(h, echoRequestFrame(60));
            // As if something had used up the headroom: the frame now starts 4 bytes in.
            h.memory().dataOffset(noRoom, 4);
            h.memory().length(noRoom, 60);
            h.run(TapOutput.NAME, unknown, negative, runt, noRoom);
            assertEquals(2, h.errors(TapOutput.NAME, "unknown interface"));
            assertEquals(1, h.errors(TapOutput.NAME, "runt frame"));
            assertEquals(1, h.errors(TapOutput.NAME, "no headroom for virtio-net header"));
            assertNull(q0.receive());
        }
    }

    @Test
    void aFullQueueDropsInsteadOfBlocking() throws Exception {
        // Nobody reads q0: a unix datagram socket takes only so many before EAGAIN.
        int sent = 300;
        try (StageHarness h = new StageHarness(stage())) {
            int[] bis = new int[sent];
            for (int i = 0; i < sent; i++) {
                bis[i] = packet(h, echoRequestFrame(1000));
            }
            h.run(TapOutput.NAME, bis);
            long full = h.errors(TapOutput.NAME, "tap queue full");
            int received = 0;
            while (q0.receive() != null) {
                received++;
            }
            assertTrue(full > 0, "expected the queue to fill");
            assertEquals(sent, received + full);
        }
    }

    @Test
    void aWriteErrorIsADrop() throws Exception {
        int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK, 0);
        try (StageHarness h = new StageHarness(new TapOutput(TapOutput.Params.of(Map.of(TAP, new int[] {fd}))))) {
            h.run(TapOutput.NAME, packet(h, echoRequestFrame(60)));
            assertEquals(1, h.errors(TapOutput.NAME, "write error"));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void theWorkerPicksTheQueue() throws Exception {
        TapOutput out = stage();
        Graph g = Graph.builder().add(out).build();
        try (PacketMemory mem = new PacketMemory(16, 0)) {
            for (int worker = 0; worker < 4; worker++) {
                BufferCache cache = mem.newCache();
                GraphRuntime rt = new GraphRuntime(g, mem, cache, worker);
                int bi = cache.allocSmall();
                mem.write(bi, echoRequestFrame(60 + worker));
                mem.txInterface(bi, TAP);
                rt.inject(TapOutput.NAME, bi);
                rt.dispatch();
                DatagramQueue expected = worker % 2 == 0 ? q0 : q1;
                DatagramQueue other = worker % 2 == 0 ? q1 : q0;
                assertEquals(12 + 60 + worker, expected.receive().length, "worker " + worker);
                assertNull(other.receive());
                assertEquals(0, RuntimeReport.errorCount(List.of(rt), TapOutput.NAME, "write error"));
                cache.close();
            }
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void paramsAreCopiedAndChecked() {
        int[] fds = {5, 6};
        TapOutput.Params p = TapOutput.Params.of(Map.of(2, fds));
        fds[0] = 99;
        assertArrayEquals(new int[] {5, 6}, p.queuesOf(2));
        assertNull(p.queuesOf(1));
        assertNull(p.queuesOf(3));
        assertEquals(p, TapOutput.Params.of(Map.of(2, new int[] {5, 6})));
        assertThrows(IllegalArgumentException.class, () -> TapOutput.Params.of(Map.of(1, new int[] {-1})));
        assertThrows(IllegalArgumentException.class, () -> TapOutput.Params.of(Map.of(-1, new int[] {3})));
    }
}
