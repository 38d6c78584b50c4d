package dev.cipherlane.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** send/sendto/recv/recvfrom on the data path allocate nothing, like read/write (LibcAllocationTest). */
class SocketsAllocationTest {
    private static final int CALLS = 100_000;
    private static final long BUDGET_BYTES = 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long roundTrips(int a, int b, MemorySegment buf, MemorySegment from, int n) throws LinuxException {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            Sockets.send(a, buf, 0, 64, 0);
            sum += Sockets.recv(b, buf, 64, 64, 0);
            Sockets.sendto(a, buf, 0, 32, 0, MemorySegment.NULL, 0);
            sum += Sockets.recvfrom(b, buf, 64, 64, 0, from);
            sum += Sockets.recv(b, buf, 64, 64, Sockets.MSG_DONTWAIT);
        }
        return sum;
    }

    @Test
    void datagramCallsAllocateNothing() throws Exception {
        int[] fds = Sockets.socketpair(Sockets.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(128);
            MemorySegment from = arena.allocate(SockAddr.STORAGE_SIZE);
            roundTrips(fds[0], fds[1], buf, from, CALLS);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long sum = roundTrips(fds[0], fds[1], buf, from, CALLS);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertEquals((64L + 32 + Libc.WOULD_BLOCK) * CALLS, sum);
            assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated by " + CALLS + " rounds");
        } finally {
            Libc.close(fds[0]);
            Libc.close(fds[1]);
        }
    }
}
