package dev.cipherlane.ipsec.ike.port;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.BufferCache;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.wire.Checksum;
import dev.cipherlane.stages.wire.Ip4;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Datagrams in from the IKE queue, out through the ring to ip4-rewrite, with checksums right. */
class IkePortTest {
    private static final int US = 0x0AC8_0001;
    private static final int PEER = 0x0AC8_0002;

    private static List<Integer> drain(IkePort port) {
        List<Integer> out = new ArrayList<>();
        port.ring().poll((list, bis, off, n) -> {
            for (int i = 0; i < n; i++) {
                list.add(bis[off + i]);
            }
        }, out, Integer.MAX_VALUE);
        return out;
    }

    @Test
    void whatIsSentParsesBackAndCarriesValidChecksumsAndTheMarkerOn4500() throws Exception {
        try (PacketMemory mem = new PacketMemory(1024, 0)) {
            BufferCache cache = mem.newCache();
            IkePort port = new IkePort(mem, 16);
            byte[] message = new byte[301];
            for (int i = 0; i < message.length; i++) {
                message[i] = (byte) (i * 7);
            }
            assertTrue(port.send(new IkePort.Datagram(US, PEER, 500, 500, message), 9, 3));
            assertTrue(port.send(new IkePort.Datagram(US, PEER, 4500, 4500, message), 9, 3));
            List<Integer> out = drain(port);
            assertEquals(2, out.size());
            for (int bi : out) {
                assertEquals(9, mem.nextHop(bi), "through the tunnel's underlay adjacency");
                assertEquals(3, mem.txInterface(bi), "on the uplink");
                assertEquals(IkePort.TTL, mem.u8(bi, Ip4.TTL));
                assertTrue(Checksum.verify(mem.data(), mem.start(bi), Ip4.MIN_HEADER), "ip header checksum");
                long ip = mem.start(bi);
                int udpLength = mem.length(bi) - Ip4.MIN_HEADER;
                long sum = Checksum.sum(mem.data(), ip + Ip4.SOURCE, 8, 17 + udpLength);
                sum = Checksum.sum(mem.data(), ip + Ip4.MIN_HEADER, udpLength, sum);
                assertEquals(0xFFFF, Checksum.fold(sum), "udp checksum over the pseudo-header (RFC 768)");
                // The UDP checksum covers the pseudo-header: swap the addresses in, as the receiver sees it.
                IkePort.Datagram back = IkePort.parse(mem, bi);
                assertEquals(PEER, back.local(), "parsed from the receiver's side");
                assertEquals(US, back.remote());
                assertArrayEquals(message, back.message(), "the marker on 4500 is stripped again");
            }
            assertEquals(4, mem.u32(out.get(1), Ip4.MIN_HEADER + 8) == 0 ? 4 : 0, "four zero bytes before the message");
            assertEquals(20 + 8 + 4 + 301, mem.length(out.get(1)));
            out.forEach(cache::free);
            port.close();
            cache.close();
            assertEquals(0, mem.inUse());
        }
    }

    @Test
    void receivedDatagramsReachTheReceiverAndGarbageIsCounted() throws Exception {
        try (PacketMemory mem = new PacketMemory(1024, 0)) {
            BufferCache cache = mem.newCache();
            IkePort sender = new IkePort(mem, 16);
            sender.send(new IkePort.Datagram(PEER, US, 500, 500, new byte[] {1, 2, 3}), 1, 3);
            int good = drain(sender).getFirst();
            int garbage = cache.allocSmall();
            mem.dataOffset(garbage, PacketMemory.HEADROOM);
            mem.length(garbage, 12);
            assertNull(IkePort.parse(mem, garbage));
            IkePort port = new IkePort(mem, 16);
            List<IkePort.Datagram> got = new CopyOnWriteArrayList<>();
            port.start(got::add);
            assertTrue(port.offer(garbage));
            assertTrue(port.offer(good));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 1 && port.malformed() == 1);
            assertEquals(US, got.getFirst().local());
            assertEquals(PEER, got.getFirst().remote());
            assertArrayEquals(new byte[] {1, 2, 3}, got.getFirst().message());
            port.close();
            sender.close();
            cache.close();
            assertEquals(0, mem.inUse(), "the port frees what it took");
        }
    }
}
