package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket calls on a local datagram socket pair, which touches no network namespace;
 * UDP (bind, sendto, recvfrom with the sender's address) over a tap is in PodTapTrafficTest.
 */
class SocketsTest {
    private int a;
    private int b;
    private Arena arena;

    @BeforeEach
    void pair() throws Exception {
        int[] fds = Sockets.socketpair(Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0);
        a = fds[0];
        b = fds[1];
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() throws Exception {
        arena.close();
        Libc.close(a);
        Libc.close(b);
    }

    @Test
    void sendAndRecvMoveOneDatagramBetweenOffsets() throws Exception {
        MemorySegment out = arena.allocate(64);
        byte[] text = "datagram".getBytes();
        MemorySegment.copy(text, 0, out, ValueLayout.JAVA_BYTE, 5, text.length);
        assertEquals(text.length, Sockets.send(a, out, 5, text.length, 0));

        MemorySegment in = arena.allocate(64);
        assertEquals(text.length, Sockets.recv(b, in, 10, 50, 0));
        byte[] back = new byte[text.length];
        MemorySegment.copy(in, ValueLayout.JAVA_BYTE, 10, back, 0, back.length);
        assertArrayEquals(text, back);
    }

    @Test
    void emptyNonBlockingReceiveIsWouldBlock() throws Exception {
        MemorySegment in = arena.allocate(16);
        assertEquals(Libc.WOULD_BLOCK, Sockets.recv(b, in, 0, 16, Sockets.MSG_DONTWAIT));
        MemorySegment from = arena.allocate(SockAddr.STORAGE_SIZE);
        assertEquals(Libc.WOULD_BLOCK, Sockets.recvfrom(b, in, 0, 16, Sockets.MSG_DONTWAIT, from));
    }

    @Test
    void truncFlagReportsTheFullDatagramLength() throws Exception {
        MemorySegment out = arena.allocate(100);
        assertEquals(100, Sockets.sendto(a, out, 0, 100, 0, MemorySegment.NULL, 0));
        MemorySegment in = arena.allocate(10);
        assertEquals(100, Sockets.recv(b, in, 0, 10, Sockets.MSG_TRUNC));
    }

    @Test
    void receiveTimeoutEndsABlockingReceive() throws Exception {
        Sockets.setReceiveTimeout(b, 50);
        MemorySegment tv = arena.allocate(16);
        assertEquals(16, Sockets.getsockopt(b, Sockets.SOL_SOCKET, Sockets.SO_RCVTIMEO, tv));
        assertEquals(0, tv.get(ValueLayout.JAVA_LONG, 0));
        // Kept in jiffies, so it comes back rounded up to the next tick.
        long micros = tv.get(ValueLayout.JAVA_LONG, 8);
        assertTrue(micros >= 50_000 && micros < 70_000, micros + " us");
        long start = System.nanoTime();
        assertEquals(Libc.WOULD_BLOCK, Sockets.recv(b, arena.allocate(8), 0, 8, 0));
        assertTrue(System.nanoTime() - start >= 40_000_000L, "waited for the timeout");
    }

    @Test
    void intOptionsRoundTrip() throws Exception {
        assertEquals(Sockets.SOCK_DGRAM, Sockets.getsockoptInt(a, Sockets.SOL_SOCKET, Sockets.SO_TYPE));
        Sockets.setsockopt(a, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF, 64 * 1024);
        // socket(7): the kernel doubles the value for its bookkeeping.
        assertEquals(128 * 1024, Sockets.getsockoptInt(a, Sockets.SOL_SOCKET, Sockets.SO_SNDBUF));
    }

    @Test
    void failuresNameTheCall() throws Exception {
        LinuxException e = assertThrows(LinuxException.class,
                () -> Sockets.socket(Sockets.AF_INET, Sockets.SOCK_STREAM, 255));
        assertTrue(e.call().startsWith("socket(2, 0x1, 255)"), e.call());
        LinuxException opt = assertThrows(LinuxException.class,
                () -> Sockets.getsockoptInt(a, Sockets.SOL_SOCKET, 9999));
        assertEquals(Errno.ENOPROTOOPT, opt.errno());
        assertEquals("getsockopt(" + a + ", 1, 9999)", opt.call());
        MemorySegment inet = arena.allocate(SockAddr.IN_SIZE);
        int len = SockAddr.inet(inet, InetAddress.getByName("127.0.0.1"), 9);
        LinuxException bind = assertThrows(LinuxException.class, () -> Sockets.bind(a, inet, len));
        assertEquals(Errno.EINVAL, bind.errno(), "an AF_UNIX socket takes no inet address");
        assertEquals("bind(" + a + ", 127.0.0.1:9)", bind.call());
    }

    @Test
    void heapBuffersAndShortRangesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Sockets.send(a, MemorySegment.ofArray(new byte[4]), 0, 4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Sockets.recv(b, arena.allocate(4), 2, 4, 0));
    }
}
