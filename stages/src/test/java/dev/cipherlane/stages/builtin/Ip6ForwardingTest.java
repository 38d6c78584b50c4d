package dev.cipherlane.stages.builtin;

import static dev.cipherlane.stages.builtin.Ip6TestPackets.addr;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.hi;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.lo;
import static dev.cipherlane.stages.builtin.Ip6TestPackets.udp6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.stages.buffer.PacketFlags;
import dev.cipherlane.stages.buffer.PacketMemory;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.testing.StageHarness;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ip6-input -> ip6-lookup -> ip6-rewrite over the {@link IpTestNetwork}. */
class Ip6ForwardingTest {
    private static final byte[] SENDER = addr("2001:db8:1::9");
    private static final String TX = "ip6-rewrite.tx";
    private static final String ICMP = "ip6-rewrite.icmp-error";

    private final IpTestNetwork net = new IpTestNetwork();

    private StageHarness harness() {
        return new StageHarness(new Ip6Input(), net.ip6Lookup(), net.ip6Rewrite())
                .connect(Ip6Input.NAME, "lookup", Ip6Lookup.NAME)
                .connect(Ip6Lookup.NAME, "rewrite", Ip6Rewrite.NAME);
    }

    private static byte[] expectedFrame(byte[] packet, byte[] dstMac, byte[] srcMac) {
        byte[] ip = packet.clone();
        ip[7]--;
        byte[] l2 = new byte[14];
        System.arraycopy(dstMac, 0, l2, 0, 6);
        System.arraycopy(srcMac, 0, l2, 6, 6);
        l2[12] = (byte) 0x86;
        l2[13] = (byte) 0xDD;
        return Ip4TestPackets.concat(l2, ip);
    }

    @Test
    void forwardsWithHopLimitDecrementedAndEthernetHeaderPrepended() {
        try (StageHarness h = harness()) {
            byte[] viaA = udp6(SENDER, addr("2001:db8:1::77"), 5, 6, 64, 100);
            byte[] viaB = udp6(SENDER, addr("2001:db8:2::77"), 5, 6, 2, 100);
            int a = h.packet(viaA, 0);
            int b = h.packet(viaB, 0);
            h.run(Ip6Input.NAME, a, b);
            assertEquals(List.of(a, b), h.captured(TX));
            assertArrayEquals(expectedFrame(viaA, IpTestNetwork.MAC_A, IpTestNetwork.MAC_IF1), h.memory().read(a));
            assertArrayEquals(expectedFrame(viaB, IpTestNetwork.MAC_B, IpTestNetwork.MAC_IF2), h.memory().read(b));
            assertEquals(net.adjA6, h.memory().nextHop(a));
            assertEquals(2, h.memory().txInterface(b));
        }
    }

    @Test
    void ecmpSpreadsFlowsByFlowHash() {
        try (StageHarness h = harness()) {
            byte[] dst = addr("2001:db8:e::5");
            int flows = 200;
            int[] bis = new int[flows];
            for (int i = 0; i < flows; i++) {
                bis[i] = h.packet(udp6(SENDER, dst, 30000 + i, 443, 64, 10), 0);
            }
            h.run(Ip6Input.NAME, bis);
            Map<Integer, Integer> perPath = new HashMap<>();
            PacketMemory mem = h.memory();
            for (int i = 0; i < flows; i++) {
                int hash = FlowHash.hash6(hi(SENDER), lo(SENDER), hi(dst), lo(dst), 17, 30000 + i, 443);
                int expected = net.current().loadBalances().pick(net.lbEcmp6, hash);
                assertEquals(expected, mem.nextHop(bis[i]), "flow " + i);
                byte[] mac = expected == net.adjA6 ? IpTestNetwork.MAC_A : IpTestNetwork.MAC_B;
                assertArrayEquals(mac, Arrays.copyOf(mem.read(bis[i]), 6));
                perPath.merge(expected, 1, Integer::sum);
            }
            assertEquals(2, perPath.size());
            assertTrue(perPath.get(net.adjA6) >= 50 && perPath.get(net.adjB6) >= 50, perPath.toString());
        }
    }

    @Test
    void localGleanPuntAndNoRoute() {
        try (StageHarness h = harness()) {
            byte[] toUs = udp6(SENDER, addr("fd00::1"), 1, 2, 1, 8);
            int local = h.packet(toUs, 0);
            int glean = h.packet(udp6(SENDER, addr("fd00:1::7"), 1, 2, 64, 8), 0);
            int punt = h.packet(udp6(SENDER, addr("ff02::5"), 1, 2, 64, 8), 0);
            int none = h.packet(udp6(SENDER, addr("3fff::1"), 1, 2, 64, 8), 0);
            h.run(Ip6Input.NAME, local, glean, punt, none);
            assertEquals(List.of(local), h.captured("ip6-lookup.local"));
            assertArrayEquals(toUs, h.memory().read(local), "hop limit 1 delivered untouched");
            assertTrue(h.memory().hasFlag(local, PacketFlags.LOCAL));
            assertEquals(List.of(glean), h.captured("ip6-lookup.glean"));
            assertEquals(net.adjGlean6, h.memory().nextHop(glean));
            assertEquals(List.of(punt), h.captured("ip6-lookup.punt"));
            assertEquals(1, h.errors(Ip6Lookup.NAME, "no route"));
        }
    }

    @Test
    void hopLimitOneOrZeroAsksForTimeExceeded() {
        try (StageHarness h = harness()) {
            byte[] one = udp6(SENDER, addr("2001:db8:1::77"), 1, 2, 1, 8);
            int a = h.packet(one, 0);
            int b = h.packet(udp6(SENDER, addr("2001:db8:1::77"), 1, 2, 0, 8), 0);
            h.run(Ip6Input.NAME, a, b);
            assertEquals(List.of(a, b), h.captured(ICMP));
            assertEquals(2, h.errors(Ip6Rewrite.NAME, "ttl expired"));
            assertEquals(3, IcmpErrorRequest.type(h.memory().opaque(a)));
            assertEquals(0, IcmpErrorRequest.code(h.memory().opaque(a)));
            assertArrayEquals(one, h.memory().read(a));
        }
    }

    @Test
    void tooBigAsksForPacketTooBigWhateverTheFlags() {
        try (StageHarness h = harness()) {
            byte[] fits = udp6(SENDER, addr("2001:db8:2::5"), 1, 2, 64, 1400 - 48);
            byte[] tooBig = udp6(SENDER, addr("2001:db8:2::5"), 1, 2, 64, 1400 - 47);
            int f = h.packet(fits, 0);
            int t = h.packet(tooBig, 0);
            h.run(Ip6Input.NAME, f, t);
            assertEquals(List.of(f), h.captured(TX));
            assertEquals(List.of(t), h.captured(ICMP));
            int request = h.memory().opaque(t);
            assertEquals(2, IcmpErrorRequest.type(request));
            assertEquals(1400, IcmpErrorRequest.parameter(request));
            assertEquals(1, h.errors(Ip6Rewrite.NAME, "mtu exceeded"));
        }
    }

    @Test
    void unspecifiedSourceAndLinkLocalAddressesAreNotForwarded() {
        try (StageHarness h = harness()) {
            int unspecified = h.packet(udp6(addr("::"), addr("2001:db8:1::77"), 1, 2, 64, 8), 0);
            int linkLocalSource = h.packet(udp6(addr("fe80::9"), addr("2001:db8:1::77"), 1, 2, 64, 8), 0);
            h.run(Ip6Input.NAME, unspecified, linkLocalSource);
            assertEquals(1, h.errors(Ip6Rewrite.NAME, "ip6 unspecified source not forwarded"));
            assertEquals(1, h.errors(Ip6Rewrite.NAME, "ip6 link-local not forwarded"));
            assertEquals(0, h.captured(TX).size());
            assertEquals(0, h.captured(ICMP).size());
        }
    }

    @Test
    void rewriteRefusesStaleAdjacencies() {
        try (StageHarness h = new StageHarness(net.ip6Rewrite())) {
            int bi = h.packet(udp6(SENDER, addr("2001:db8:1::77"), 1, 2, 64, 8), 0);
            h.memory().nextHop(bi, net.adjGlean6);
            int gone = h.packet(udp6(SENDER, addr("2001:db8:1::77"), 1, 2, 64, 8), 0);
            h.memory().nextHop(gone, -3);
            h.run(Ip6Rewrite.NAME, bi, gone);
            assertEquals(2, h.errors(Ip6Rewrite.NAME, "adjacency not complete"));
        }
    }
}
