package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.EthernetFrames.BROADCAST;
import static dev.cipherlane.stages.builtin.EthernetFrames.IF0_MAC_BYTES;
import static dev.cipherlane.stages.builtin.EthernetFrames.ZERO_MAC;
import static dev.cipherlane.stages.builtin.EthernetFrames.bytes;
import static dev.cipherlane.stages.builtin.EthernetFrames.ip;
import static dev.cipherlane.stages.builtin.EthernetFrames.ipBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.neighbour.ArpRequester;
import dev.cipherlane.stages.neighbour.NeighbourTable;
import dev.cipherlane.stages.net.NetInterface;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The throttle with explicit times: one request per next hop per second. */
class ArpRequesterTest {
    private static final long S = 1_000_000_000L;

    private final NetInterface uplink = EthernetFrames.interfaces().get(EthernetFrames.IF0);
    private final NeighbourTable neighbours = new NeighbourTable(NeighbourTable.Params.defaults());
    private final ArpRequester requester = new ArpRequester(neighbours, ArpRequester.INTERVAL_DEFAULT);

    @Test
    void oneRequestPerNextHopPerSecond() {
        try (PacketMemory mem = new PacketMemory(16, 0)) {
            BufferCache cache = mem.newCache();
            long t0 = 123 * S;
            int first = requester.request(cache, uplink, ip(10, 0, 0, 7), t0);
            assertTrue(first >= 0);
            assertArrayEquals(bytes(BROADCAST, IF0_MAC_BYTES, new byte[] {0x08, 0x06},
                    new byte[] {0, 1, 0x08, 0x00, 6, 4, 0, 1},
                    IF0_MAC_BYTES, ipBytes(10, 0, 0, 1), ZERO_MAC, ipBytes(10, 0, 0, 7)), mem.read(first));
            assertEquals(EthernetFrames.IF0, mem.txInterface(first));
            cache.free(first);

            assertEquals(ArpRequester.RATE_LIMITED, requester.request(cache, uplink, ip(10, 0, 0, 7), t0 + S / 2));
            assertEquals(ArpRequester.RATE_LIMITED, requester.request(cache, uplink, ip(10, 0, 0, 7), t0 + S - 1));
            int other = requester.request(cache, uplink, ip(10, 0, 0, 8), t0 + S - 1);
            assertTrue(other >= 0, "another next hop is not held back");
            cache.free(other);

            int second = requester.request(cache, uplink, ip(10, 0, 0, 7), t0 + S);
            assertTrue(second >= 0, "a second later the next hop is asked again");
            cache.free(second);
            assertEquals(ArpRequester.RATE_LIMITED, requester.request(cache, uplink, ip(10, 0, 0, 7), t0 + S + 1));

            neighbours.learn4(EthernetFrames.IF0, ip(10, 0, 0, 7), 0x5254_0000_0007L, t0 + 3 * S);
            assertEquals(ArpRequester.RESOLVED, requester.request(cache, uplink, ip(10, 0, 0, 7), t0 + 5 * S));
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void anEmptyPoolYieldsNoBuffer() {
        try (PacketMemory mem = new PacketMemory(1, 0)) {
            BufferCache cache = mem.newCache();
            int held = cache.allocSmall();
            assertEquals(ArpRequester.NO_BUFFER, requester.request(cache, uplink, ip(10, 0, 0, 7), 0));
            cache.free(held);
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void asksFromTheAddressOnTheTargetsSubnet() {
        NetInterface twoSubnets = new NetInterface(3, "multi", 0x0200_0000_0003L, 1500,
                List.of(new NetInterface.Ip4Address(ip(10, 0, 0, 1), 24),
                        new NetInterface.Ip4Address(ip(192, 168, 5, 1), 24)), List.of());
        assertEquals(ip(192, 168, 5, 1), ArpRequester.sourceFor(twoSubnets, ip(192, 168, 5, 9)));
        assertEquals(ip(10, 0, 0, 1), ArpRequester.sourceFor(twoSubnets, ip(10, 0, 0, 9)));
        assertEquals(ip(10, 0, 0, 1), ArpRequester.sourceFor(twoSubnets, ip(8, 8, 8, 8)));
        NetInterface unnumbered = new NetInterface(4, "pod", 0x0200_0000_0004L, 1500, List.of(), List.of());
        assertEquals(0, ArpRequester.sourceFor(unnumbered, ip(10, 0, 0, 9)));
    }

    @Test
    void refusesANonPositiveInterval() {
        assertThrows(IllegalArgumentException.class, () -> new ArpRequester(neighbours, 0));
    }
}
