package dev.cipherlane.tap;

import static dev.cipherlane.tap.TestFrames.concat;
import static dev.cipherlane.tap.TestFrames.echoRequestFrame;
import static dev.cipherlane.tap.TestFrames.plainVnet;
import static dev.cipherlane.tap.TestFrames.tcpFrame;
import static dev.cipherlane.tap.TestFrames.vnet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.linux.Libc;
import dev.cipherlane.linux.Sockets;
import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.buffer.SizeClass;
import dev.cipherlane.stages.testing.StageHarness;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TapInput against a datagram socket pair that behaves like a tap queue (one frame per
 * read): what the kernel would hand over is built byte by byte here, virtio-net header
 * included. The real tap is in {@link TapNamespaceTest}.
 */
class TapInputTest {
    private static final int RX_INTERFACE = 3;
    private static final String NAME = "tap-input-tap0-q0";
    private static final String OUT = NAME + ".ethernet-input";

    private DatagramQueue queue;

    @BeforeEach
    void open() throws Exception {
        queue = new DatagramQueue();
    }

    @AfterEach
    void close() throws Exception {
        queue.close();
    }

    private TapInput stage(int worker) {
        return new TapInput(new TapInput.Params(queue.fd(), RX_INTERFACE, "tap0", 0, worker));
    }

    @Test
    void anMtuFrameArrivesInASmallBufferWithTheHeaderGone() throws Exception {
        byte[] frame = echoRequestFrame(98);
        queue.send(concat(plainVnet(), frame));
        try (StageHarness h = new StageHarness(stage(0))) {
            assertEquals(1, h.runtime().runOnce(256));
            List<Integer> got = h.captured(OUT);
            assertEquals(1, got.size());
            int bi = got.get(0);
            PacketMemory mem = h.memory();
            assertArrayEquals(frame, mem.read(bi));
            assertEquals(SizeClass.SMALL, mem.sizeClass(bi));
            assertEquals(PacketMemory.HEADROOM, mem.dataOffset(bi));
            assertEquals(RX_INTERFACE, mem.rxInterface(bi));
            assertEquals(0, mem.gsoSize(bi));
            assertFalse(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertFalse(mem.hasFlag(bi, PacketFlags.CSUM_VALID));
            assertEquals(0, h.errors(NAME, "gso super-packets received"));
        }
    }

    @Test
    void aPartialChecksumIsKeptRelativeToTheBufferBase() throws Exception {
        byte[] frame = tcpFrame(100);
        // csum_start at the TCP header (14 + 20), the checksum field 16 bytes into it.
        queue.send(concat(vnet(1, 0, 0, 0, 34, 16), frame));
        try (StageHarness h = new StageHarness(stage(0))) {
            h.runtime().runOnce(256);
            int bi = h.captured(OUT).get(0);
            PacketMemory mem = h.memory();
            assertTrue(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertEquals(PacketMemory.HEADROOM + 34, mem.csumStart(bi));
            assertEquals(16, mem.csumOffset(bi));
            assertEquals(SizeClass.SMALL, mem.sizeClass(bi));
        }
    }

    @Test
    void dataValidBecomesChecksumValid() throws Exception {
        queue.send(concat(vnet(2, 0, 0, 0, 0, 0), echoRequestFrame(60)));
        try (StageHarness h = new StageHarness(stage(0))) {
            h.runtime().runOnce(256);
            int bi = h.captured(OUT).get(0);
            assertTrue(h.memory().hasFlag(bi, PacketFlags.CSUM_VALID));
            assertFalse(h.memory().hasFlag(bi, PacketFlags.NEEDS_CSUM));
        }
    }

    @Test
    void aTsoSuperPacketKeepsItsLargeBuffer() throws Exception {
        byte[] frame = tcpFrame(20_000);
        queue.send(concat(vnet(1, 1, 66, 1448, 34, 16), frame));
        try (StageHarness h = new StageHarness(stage(0))) {
            assertEquals(1, h.runtime().runOnce(256));
            int bi = h.captured(OUT).get(0);
            PacketMemory mem = h.memory();
            assertEquals(SizeClass.LARGE, mem.sizeClass(bi));
            assertArrayEquals(frame, mem.read(bi));
            assertEquals(PacketMemory.HEADROOM, mem.dataOffset(bi));
            assertEquals(1, mem.gsoType(bi));
            assertEquals(1448, mem.gsoSize(bi));
            assertTrue(mem.hasFlag(bi, PacketFlags.NEEDS_CSUM));
            assertEquals(1, h.errors(NAME, "gso super-packets received"));
            String trace = stage(0).formatTrace(mem, bi);
            assertTrue(trace.contains("gso type 0x01 size 1448"), trace);
            assertTrue(trace.contains("needs csum start 34 offset 16"), trace);
        }
    }

    @Test
    void framesAroundTheSmallBufferLimitGoWhereTheyFit() throws Exception {
        byte[] fits = echoRequestFrame(TapInput.SMALL_FRAME_MAX);
        byte[] tooBig = echoRequestFrame(TapInput.SMALL_FRAME_MAX + 1);
        queue.send(concat(plainVnet(), fits));
        queue.send(concat(plainVnet(), tooBig));
        try (StageHarness h = new StageHarness(stage(0))) {
            assertEquals(2, h.runtime().runOnce(256));
            List<Integer> got = h.captured(OUT);
            assertEquals(SizeClass.SMALL, h.memory().sizeClass(got.get(0)));
            assertEquals(SizeClass.LARGE, h.memory().sizeClass(got.get(1)));
            assertArrayEquals(fits, h.memory().read(got.get(0)));
            assertArrayEquals(tooBig, h.memory().read(got.get(1)));
        }
    }

    @Test
    void runtsAndBadHeadersAreCountedAndTheScratchReused() throws Exception {
        queue.send(concat(plainVnet(), new byte[13]));
        queue.send(new byte[5]);
        queue.send(concat(vnet(0, 9, 0, 0, 0, 0), echoRequestFrame(60)));
        queue.send(concat(vnet(0, 1, 0, 0, 0, 0), tcpFrame(10)));
        queue.send(concat(vnet(1, 0, 0, 0, 50, 16), echoRequestFrame(60)));
        queue.send(concat(vnet(0, 0x83, 0, 1400, 0, 0), echoRequestFrame(60)));
        queue.send(concat(vnet(0, 0, 200, 0, 0, 0), echoRequestFrame(60)));
        byte[] good = echoRequestFrame(74);
        queue.send(concat(plainVnet(), good));
        try (StageHarness h = new StageHarness(stage(0))) {
            assertEquals(1, h.runtime().runOnce(256));
            assertEquals(List.of(good.length), h.capturedBytes(OUT).stream().map(b -> b.length).toList());
            assertEquals(2, h.errors(NAME, "runt frame"));
            assertEquals(1, h.errors(NAME, "virtio-net gso type unknown"));
            assertEquals(1, h.errors(NAME, "virtio-net gso size invalid"));
            assertEquals(1, h.errors(NAME, "virtio-net checksum beyond packet"));
            assertEquals(1, h.errors(NAME, "virtio-net ecn without tcp gso"));
            assertEquals(1, h.errors(NAME, "virtio-net header length beyond packet"));
        }
    }

    @Test
    void aPollTakesNoMoreThanItsBudget() throws Exception {
        for (int i = 0; i < 5; i++) {
            queue.send(concat(plainVnet(), echoRequestFrame(60 + i)));
        }
        try (StageHarness h = new StageHarness(stage(0))) {
            assertEquals(3, h.runtime().runOnce(3));
            assertEquals(3, h.captured(OUT).size());
            assertEquals(2, h.runtime().runOnce(3));
            assertEquals(0, h.runtime().runOnce(3));
            List<byte[]> got = h.capturedBytes(OUT);
            for (int i = 0; i < 5; i++) {
                assertEquals(60 + i, got.get(i).length, "frames keep their order");
            }
        }
    }

    @Test
    void anotherWorkersQueueIsLeftAlone() throws Exception {
        byte[] sent = concat(plainVnet(), echoRequestFrame(60));
        queue.send(sent);
        try (StageHarness h = new StageHarness(stage(1))) {
            assertEquals(0, h.runtime().runOnce(256));
            assertTrue(h.captured(OUT).isEmpty());
        }
        // Still queued for its owner: read it back from the stage's end.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            assertEquals(sent.length, Libc.read(queue.fd(), buf, 0, 256));
        }
    }

    @Test
    void withNoLargeBufferMtuFramesStillPassAndSuperPacketsAreCounted() throws Exception {
        byte[] small = echoRequestFrame(1500);
        queue.send(concat(plainVnet(), small));
        queue.send(concat(vnet(1, 1, 66, 1448, 34, 16), tcpFrame(5000)));
        queue.send(concat(plainVnet(), small));
        try (StageHarness h = new StageHarness(64, 0, stage(0))) {
            assertEquals(2, h.runtime().runOnce(256));
            assertEquals(1, h.errors(NAME, "no large buffer"));
            for (byte[] b : h.capturedBytes(OUT)) {
                assertArrayEquals(small, b);
            }
        }
    }

    @Test
    void anEmptyPoolIsCountedAndLeavesFramesQueued() throws Exception {
        queue.send(concat(plainVnet(), echoRequestFrame(60)));
        try (StageHarness h = new StageHarness(1, 0, stage(0))) {
            int held = h.buffers().allocSmall();
            assertEquals(0, h.runtime().runOnce(256));
            assertEquals(1, h.errors(NAME, "no buffer"));
            h.buffers().free(held);
            assertEquals(1, h.runtime().runOnce(256));
        }
    }

    @Test
    void aReadErrorIsCountedNotThrown() throws Exception {
        // An unconnected stream socket refuses reads with an error, not EAGAIN.
        int fd = Sockets.socket(Sockets.AF_UNIX, Sockets.SOCK_STREAM | Sockets.SOCK_NONBLOCK, 0);
        try (StageHarness h = new StageHarness(new TapInput(new TapInput.Params(fd, RX_INTERFACE, "tap0", 0, 0)))) {
            assertEquals(0, h.runtime().runOnce(256));
            assertEquals(0, h.runtime().runOnce(256));
            assertEquals(2, h.errors(NAME, "read error"));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void nothingQueuedMeansNothingProducedAndNothingHeld() throws Exception {
        try (StageHarness h = new StageHarness(stage(0))) {
            for (int i = 0; i < 1000; i++) {
                assertEquals(0, h.runtime().runOnce(256));
            }
            assertEquals(0, h.memory().inUse());
        }
    }

    @Test
    void theNameSaysWhichQueue() {
        TapInput s = new TapInput(new TapInput.Params(7, 1, "cali1234", 3, 2));
        assertEquals("tap-input-cali1234-q3", s.name());
        assertEquals(List.of("ethernet-input"), s.spec().nextArcs());
        s.reconfig(new TapInput.Params(9, 1, "cali1234", 3, 0));
        assertEquals(9, s.params().fd());
        assertThrows(IllegalArgumentException.class, () -> s.reconfig(new TapInput.Params(9, 1, "cali1234", 4, 0)));
        assertThrows(IllegalArgumentException.class, () -> new TapInput(new TapInput.Params(-1, 1, "x", 0, 0)));
        assertThrows(IllegalArgumentException.class, () -> new TapInput(new TapInput.Params(1, 1, " ", 0, 0)));
        assertEquals("virtio-net gso type unknown", s.spec().errors().get(TapInput.VIRTIO_ERRORS));
    }
}
