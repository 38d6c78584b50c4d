package dev.cipherlane.stages.fib;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.wire.IpProtocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The per-packet path (flow hash, FIB lookup, path pick, adjacency read) must not allocate.
 * Measured as bytes allocated by this thread, not as time, so the check is not flaky on a
 * loaded machine.
 */
class LookupAllocationTest {

    private static final int CALLS = 1_000_000;
    private static final long BUDGET_BYTES = 1024;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** A node's IPv6 table has few distinct lengths; each one costs a probe. */
    private static final int[] LENGTHS6 = {0, 32, 48, 56, 64, 96, 112, 128};

    private static ForwardingTables tables;
    private static int[] addresses4;
    private static long[] addresses6;
    private static int ecmp;

    @BeforeAll
    static void build() {
        Random random = new Random(5);
        AdjacencyTable adjacencies = new AdjacencyTable();
        byte[] mac = {2, 0, 0, 0, 0, 1};
        int[] paths = new int[4];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = adjacencies.addRewrite4(i, 0x0A00_0000 | i, mac, mac);
        }
        LoadBalanceTable loadBalances = new LoadBalanceTable(adjacencies);
        ecmp = loadBalances.create(paths);
        Ip4Fib ip4 = new Ip4Fib(loadBalances);
        Ip6Fib ip6 = new Ip6Fib(loadBalances);
        for (int i = 0; i < 5_000; i++) {
            int length = Ip4FibTest.realisticLength(random);
            ip4.add(random.nextInt() & Prefixes.mask4(length), length, ecmp);
            int length6 = LENGTHS6[random.nextInt(LENGTHS6.length)];
            ip6.add(random.nextLong() & Prefixes.mask6Hi(length6), random.nextLong() & Prefixes.mask6Lo(length6),
                    length6, ecmp);
        }
        tables = ForwardingTables.capture(ip4, ip6, loadBalances, adjacencies);
        addresses4 = new int[1024];
        addresses6 = new long[2 * 1024];
        for (int i = 0; i < addresses4.length; i++) {
            addresses4[i] = random.nextInt();
            addresses6[2 * i] = random.nextLong();
            addresses6[2 * i + 1] = random.nextLong();
        }
    }

    @Test
    void ip4ForwardingDecisionAllocatesNothing() {
        ip4Decisions(CALLS);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long sink = ip4Decisions(CALLS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertNotEquals(0, sink);
        assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated by " + CALLS + " IPv4 lookups");
    }

    @Test
    void ip6ForwardingDecisionAllocatesNothing() {
        ip6Decisions(CALLS);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        long sink = ip6Decisions(CALLS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        assertNotEquals(0, sink);
        assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated by " + CALLS + " IPv6 lookups");
    }

    @Test
    void hashingPacketHeadersAllocatesNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packets = arena.allocate(64 * 128);
            Random random = new Random(6);
            for (int i = 0; i < 64; i++) {
                long at = i * 128L;
                packets.set(ValueLayout.JAVA_BYTE, at, (byte) 0x45);
                packets.set(ValueLayout.JAVA_BYTE, at + 9, (byte) IpProtocol.UDP);
                packets.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at + 12, random.nextInt());
                packets.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), at + 16, random.nextInt());
                packets.set(ValueLayout.JAVA_INT_UNALIGNED, at + 20, random.nextInt());
                // An IPv6 header after it, next header TCP.
                packets.set(ValueLayout.JAVA_BYTE, at + 40 + 6, (byte) IpProtocol.TCP);
                packets.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 40 + 8, random.nextLong());
                packets.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 40 + 24, random.nextLong());
            }
            packetHashes(packets, CALLS);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            long sink = packetHashes(packets, CALLS);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
            assertNotEquals(0, sink);
            assertTrue(allocated < BUDGET_BYTES, allocated + " bytes allocated by " + CALLS + " packet hashes");
        }
    }

    private static long ip4Decisions(int calls) {
        ForwardingTables t = tables;
        long sink = 0;
        for (int i = 0; i < calls; i++) {
            int dst = addresses4[i & 1023];
            int lb = t.ip4().lookup(dst);
            int adj = t.loadBalances().pick(lb, FlowHash.hash4(0x0A00_0001, dst, IpProtocol.TCP, i & 0xFFFF, 443));
            sink += adj + t.adjacencies().kind(adj).ordinal() + t.adjacencies().rewriteOffset(adj);
        }
        return sink;
    }

    private static long ip6Decisions(int calls) {
        ForwardingTables t = tables;
        long sink = 0;
        for (int i = 0; i < calls; i++) {
            long hi = addresses6[2 * (i & 1023)];
            long lo = addresses6[2 * (i & 1023) + 1];
            int lb = t.ip6().lookup(hi, lo);
            int adj = t.loadBalances().pick(lb, FlowHash.hash6(hi, lo, lo, hi, IpProtocol.UDP, i & 0xFFFF, 4789));
            sink += adj + t.adjacencies().txInterface(adj) + 1;
        }
        return sink;
    }

    private static long packetHashes(MemorySegment packets, int calls) {
        long sink = 0;
        for (int i = 0; i < calls; i++) {
            long at = (i & 63) * 128L;
            sink += FlowHash.hash4(packets, at, at + 20);
            sink += FlowHash.hash6(packets, at + 40, at + 80);
        }
        return sink == 0 ? 1 : sink;
    }
}
