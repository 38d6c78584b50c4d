package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** sendmsg(2) of a {@link GatherMessage} over a datagram socketpair: one datagram, the pieces in order. */
class GatherMessageTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private int[] fds;

    @BeforeEach
    void open() throws LinuxException {
        fds = Sockets.socketpair(Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0);
    }

    @AfterEach
    void close() throws LinuxException {
        Libc.close(fds[0]);
        Libc.close(fds[1]);
    }

    @Test
    void piecesFromSeveralSegmentsArriveAsOneDatagramInOrder() throws Exception {
        try (Arena arena = Arena.ofConfined(); GatherMessage m = new GatherMessage(8)) {
            MemorySegment a = arena.allocate(100);
            MemorySegment b = arena.allocate(3000);
            for (int i = 0; i < 100; i++) {
                a.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            for (int i = 0; i < 3000; i++) {
                b.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7 + 1));
            }
            m.clear();
            assertTrue(m.add(a, 10, 20));
            assertTrue(m.add(b, 1000, 1500));
            assertTrue(m.add(a, 0, 5));
            assertTrue(m.add(b, 2999, 1));
            assertEquals(4, m.pieces());
            assertEquals(1526, m.bytes());
            assertEquals(1526, Sockets.sendmsg(fds[0], m, 0));

            MemorySegment in = arena.allocate(4096);
            assertEquals(1526, Sockets.recv(fds[1], in, 0, 4096, 0));
            byte[] expected = new byte[1526];
            MemorySegment e = MemorySegment.ofArray(expected);
            MemorySegment.copy(a, 10, e, 0, 20);
            MemorySegment.copy(b, 1000, e, 20, 1500);
            MemorySegment.copy(a, 0, e, 1520, 5);
            MemorySegment.copy(b, 2999, e, 1525, 1);
            assertArrayEquals(expected, in.asSlice(0, 1526).toArray(ValueLayout.JAVA_BYTE));

            // Cleared, it starts again from nothing.
            m.clear();
            m.add(b, 0, 7);
            assertEquals(7, Sockets.sendmsg(fds[0], m, 0));
            assertEquals(7, Sockets.recv(fds[1], in, 0, 4096, 0));
            assertArrayEquals(b.asSlice(0, 7).toArray(ValueLayout.JAVA_BYTE),
                    in.asSlice(0, 7).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aFullMessageRefusesAnotherPieceAndBadPiecesAreRefused() {
        try (Arena arena = Arena.ofConfined(); GatherMessage m = new GatherMessage(2)) {
            MemorySegment a = arena.allocate(16);
            assertTrue(m.add(a, 0, 8));
            assertTrue(m.add(a, 8, 8));
            assertFalse(m.add(a, 0, 1));
            assertEquals(2, m.pieces());
            assertEquals(16, m.bytes());
            assertThrows(IndexOutOfBoundsException.class, () -> m.add(a, 10, 8));
            assertThrows(IllegalArgumentException.class, () -> m.add(MemorySegment.ofArray(new byte[8]), 0, 8));
        }
        assertThrows(IllegalArgumentException.class, () -> new GatherMessage(0));
        assertThrows(IllegalArgumentException.class, () -> new GatherMessage(Msghdr.IOV_MAX + 1));
    }

    @Test
    void aSendOnAFullSocketWouldBlockWithoutWaiting() throws Exception {
        try (Arena arena = Arena.ofConfined(); GatherMessage m = new GatherMessage(2)) {
            MemorySegment a = arena.allocate(1024);
            m.clear();
            m.add(a, 0, 512);
            m.add(a, 512, 512);
            long r;
            int sent = 0;
            do {
                r = Sockets.sendmsg(fds[0], m, Sockets.MSG_DONTWAIT);
                sent++;
            } while (r > 0 && sent < 1_000_000);
            assertEquals(Libc.WOULD_BLOCK, r);
        }
    }

    @Test
    void sendingAllocatesNothing() throws Exception {
        int rounds = 100_000;
        try (Arena arena = Arena.ofConfined(); GatherMessage m = new GatherMessage(4)) {
            MemorySegment a = arena.allocate(256);
            MemorySegment in = arena.allocate(256);
            long warm = rounds(m, a, in, rounds);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long sum = rounds(m, a, in, rounds);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals(warm, sum);
            assertEquals(100L * rounds, sum);
            assertTrue(allocated < 1024, allocated + " bytes allocated by " + rounds + " sends");
        }
    }

    private long rounds(GatherMessage m, MemorySegment a, MemorySegment in, int n) throws LinuxException {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            m.clear();
            m.add(a, 0, 20);
            m.add(a, 100, 50);
            m.add(a, 200, 30);
            Sockets.sendmsg(fds[0], m, 0);
            sum += Sockets.recv(fds[1], in, 0, 256, 0);
        }
        return sum;
    }
}
