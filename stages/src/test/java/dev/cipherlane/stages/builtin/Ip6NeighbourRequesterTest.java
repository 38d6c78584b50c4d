package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.IF0_MAC;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.NS;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.OUR_GLOBAL;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.addr;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ethernet;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.hi;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.icmp6;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.ip6;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.lo;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.message;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.multicastMac;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.option;
import static dev.cipherlane.stages.builtin.NeighbourDiscoveryTestPackets.solicitedNode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.neighbour.Ip6NeighbourRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throttle with explicit times: one solicitation per neighbour per second. */
class Ip6NeighbourRequesterTest {
    private static final long S = 1_000_000_000L;
    private static final byte[] TARGET = addr("2001:db8:1::7");
    private static final byte[] OTHER = addr("2001:db8:1::8");

    private final NetInterface uplink = NeighbourDiscoveryTestPackets.interfaces().get(IF0);
    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
    private final Ip6NeighbourRequester requester = new Ip6NeighbourRequester(neighbours,
            Ip6NeighbourRequester.INTERVAL_DEFAULT);

    private int request(BufferCache cache, byte[] target, long now) {
        return requester.request(cache, uplink, hi(target), lo(target), now);
    }

    @Test
    void oneSolicitationPerNeighbourPerSecond() {
        try (PacketMemory mem = new PacketMemory(16, 0)) {
            BufferCache cache = mem.newCache();
            long t0 = 123 * S;
            int first = request(cache, TARGET, t0);
            assertTrue(first >= 0);
            byte[] group = solicitedNode(TARGET);
            assertArrayEquals(ethernet(multicastMac(group), IF0_MAC,
                    icmp6(OUR_GLOBAL, group, 255, message(NS, 0, 0, TARGET, option(1, IF0_MAC)))), mem.read(first));
            assertEquals(Ip6NeighbourRequester.FRAME_LENGTH, mem.length(first));
            assertEquals(IF0, mem.txInterface(first));
            assertEquals(mem.dataOffset(first) + 14, mem.l3Offset(first));
            cache.free(first);

            assertEquals(Ip6NeighbourRequester.RATE_LIMITED, request(cache, TARGET, t0 + S / 2));
            assertEquals(Ip6NeighbourRequester.RATE_LIMITED, request(cache, TARGET, t0 + S - 1));
            int other = request(cache, OTHER, t0 + S - 1);
            assertTrue(other >= 0, "another neighbour is not held back");
            cache.free(other);

            int second = request(cache, TARGET, t0 + S);
            assertTrue(second >= 0, "a second later the neighbour is asked again");
            cache.free(second);
            assertEquals(Ip6NeighbourRequester.RATE_LIMITED, request(cache, TARGET, t0 + S + 1));

            neighbours.refresh6(IF0, hi(TARGET), lo(TARGET), 0x5254_0000_0007L, t0 + 2 * S);
            assertEquals(Ip6NeighbourRequester.RESOLVED, request(cache, TARGET, t0 + 5 * S));
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void anEmptyPoolYieldsNoBufferAndStillCountsForTheThrottle() {
        try (PacketMemory mem = new PacketMemory(1, 0)) {
            BufferCache cache = mem.newCache();
            int held = cache.allocSmall();
            assertEquals(Ip6NeighbourRequester.NO_BUFFER, request(cache, TARGET, 0));
            cache.free(held);
            assertEquals(Ip6NeighbourRequester.RATE_LIMITED, request(cache, TARGET, 1));
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void solicitsFromTheAddressOnTheTargetsPrefixElseLinkLocal() {
        NetInterface multi = new NetInterface(3, "multi", 0x0200_0000_0003L, 1500, List.of(),
                List.of(ip6("2001:db8:1::1", 64), ip6("fe80::3", 64), ip6("fd00:5::1", 48)));
        assertEquals(0, Ip6NeighbourRequester.sourceFor(multi, hi(TARGET), lo(TARGET)));
        byte[] ula = addr("fd00:5:0:9::4");
        assertEquals(2, Ip6NeighbourRequester.sourceFor(multi, hi(ula), lo(ula)));
        byte[] linkLocal = addr("fe80::99");
        assertEquals(1, Ip6NeighbourRequester.sourceFor(multi, hi(linkLocal), lo(linkLocal)));
        byte[] elsewhere = addr("2001:db8:99::1");
        assertEquals(1, Ip6NeighbourRequester.sourceFor(multi, hi(elsewhere), lo(elsewhere)));
        NetInterface globalOnly = new NetInterface(4, "global", 0x0200_0000_0004L, 1500, List.of(),
                List.of(ip6("2001:db8:1::1", 64)));
        assertEquals(0, Ip6NeighbourRequester.sourceFor(globalOnly, hi(elsewhere), lo(elsewhere)));
        NetInterface bare = new NetInterface(5, "bare", 0x0200_0000_0005L, 1500, List.of(), List.of());
        assertEquals(-1, Ip6NeighbourRequester.sourceFor(bare, hi(TARGET), lo(TARGET)));
    }

    @Test
    void refusesANonPositiveIntervalOrNoTable() {
        assertThrows(IllegalArgumentException.class, () -> new Ip6NeighbourRequester(neighbours, 0));
        assertThrows(IllegalArgumentException.class, () -> new Ip6NeighbourRequester(null, S));
    }
}
