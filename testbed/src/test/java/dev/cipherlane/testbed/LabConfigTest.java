package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.IpsecSettings;
import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.config.NodeSettings;
import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.config.PodSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config files the lab writes are ones the node service accepts, and say what the lab
 * means: read back through the service's own loader (reference.conf underneath, full
 * validation), they give the expected pods, uplink and peers. No root needed.
 */
class LabConfigTest {
    @TempDir
    Path dir;

    private NodeSettings load(LabSpec spec, int node) throws Exception {
        List<LabPod> pods = new java.util.ArrayList<>();
        for (int p = 1; p <= spec.podsPerNode(); p++) {
            pods.add(new LabPod("n" + node + "p" + p, "clt00000-n" + node + "p" + p, node,
                    AddressPlan.pod4(node, p), AddressPlan.pod6(node, p)));
        }
        Path file = dir.resolve("n" + node + ".conf");
        Files.writeString(file, LabConfig.render(spec, node, LabNode.WIRE, pods, dir.resolve("state"),
                dir.resolve("admin.sock"), dir.resolve("keys")));
        return NodeConfigLoader.load(file);
    }

    @Test
    void aNodeOfTheDefaultLabHasItsPodsItsWireAsUplinkAndTheOtherNodeAsPeer() throws Exception {
        NodeSettings n1 = load(LabSpec.defaults(), 1);
        assertEquals("n1", n1.name());
        assertEquals(dir.resolve("state"), n1.stateDir());
        assertEquals("127.0.0.1:9464", n1.admin().metricsListen().orElseThrow().toString());
        assertEquals(List.of("n1p1", "n1p2"), n1.pods().stream().map(PodSettings::name).toList());
        assertEquals(List.of(IpAddress.parse("10.1.1.11"), IpAddress.parse("fd01:1::11")),
                n1.pods().getFirst().addresses());
        assertEquals(Optional.of("wire0"), n1.uplink().interfaceName());
        assertEquals(List.of(IpAddress.parse("10.200.1.1"), IpAddress.parse("10.200.2.1"),
                IpAddress.parse("10.200.3.1")), n1.uplink().tunnelAddresses());
        assertEquals(1, n1.peers().size());
        PeerSettings peer = n1.peers().getFirst();
        assertEquals("n2", peer.name());
        assertEquals(List.of(IpAddress.parse("10.200.0.2"), IpAddress.parse("10.200.1.2"),
                IpAddress.parse("10.200.2.2"), IpAddress.parse("10.200.3.2")), peer.addresses());
        assertEquals(List.of(IpPrefix.parse("10.1.2.0/24"), IpPrefix.parse("fd01:2::/64")), peer.podCidrs());
        assertEquals(4, peer.tunnels());
        assertEquals(1400, n1.podNetwork().mtu());
        assertEquals(1500, n1.uplink().mtu());
    }

    /**
     * Tunnel i runs from local address i mod n to peer address i mod m (reference.conf): with
     * three extra addresses on each side, four tunnels use four different outer pairs, which
     * is what lets the underlay tell them apart.
     */
    @Test
    void fourTunnelsOverFourAddressesPerNodeHaveFourOuterPairs() throws Exception {
        LabSpec spec = LabSpec.defaults();
        NodeSettings n1 = load(spec, 1);
        List<String> local = LabConfig.tunnelSources(spec, 1);
        PeerSettings peer = n1.peers().getFirst();
        Set<String> pairs = new HashSet<>();
        for (int i = 0; i < peer.tunnels(); i++) {
            pairs.add(local.get(i % local.size()) + " > " + peer.address(i));
        }
        assertEquals(4, pairs.size(), pairs::toString);
        assertTrue(pairs.contains("10.200.0.1 > 10.200.0.2"), pairs::toString);
        assertTrue(pairs.contains("10.200.3.1 > 10.200.3.2"), pairs::toString);
    }

    @Test
    void aLabOfFourNodesGivesEveryNodeThreePeersAndAPodsOnlyLabNone() throws Exception {
        NodeSettings n3 = load(LabSpec.defaults().withNodes(4).withTunnels(2, 1), 3);
        assertEquals(List.of("n1", "n2", "n4"), n3.peers().stream().map(PeerSettings::name).toList());
        assertEquals(List.of(IpAddress.parse("10.200.0.4"), IpAddress.parse("10.200.1.4")),
                n3.peers().get(2).addresses());

        NodeSettings podsOnly = load(LabSpec.defaults().withUplink(false).withPodsPerNode(3), 2);
        assertFalse(podsOnly.uplink().enabled());
        assertTrue(podsOnly.peers().isEmpty());
        assertEquals(3, podsOnly.pods().size());
    }

    @Test
    void theDefaultLabProtectsItsTunnelsWithEspFromItsKeyDirectory() throws Exception {
        IpsecSettings ipsec = load(LabSpec.defaults(), 2).ipsec();
        assertTrue(ipsec.enabled());
        assertEquals(dir.resolve("keys"), ipsec.keyDir());
        assertEquals(dir.resolve("keys").resolve("n1.3.key"), ipsec.keyFile("n1", 3));
        assertEquals("auto", ipsec.engine());
        assertFalse(ipsec.udpEncapsulation());
        assertEquals(0, ipsec.cryptoThreads());
    }

    @Test
    void espVariantsReachTheNodeAndPlainIpipTurnsItOff() throws Exception {
        LabIpsec variant = LabIpsec.ON.withUdpEncapsulation(true).withEngine("bouncycastle").withCryptoThreads(2)
                .withSequenceBlock(4096);
        IpsecSettings ipsec = load(LabSpec.defaults().withIpsec(variant), 1).ipsec();
        assertTrue(ipsec.enabled());
        assertTrue(ipsec.udpEncapsulation());
        assertEquals("bouncycastle", ipsec.engine());
        assertEquals(2, ipsec.cryptoThreads());
        assertEquals(4096, ipsec.sequenceBlock());

        assertFalse(load(LabSpec.defaults().withIpsec(LabIpsec.OFF), 1).ipsec().enabled());
    }

    /**
     * The pod MTU must leave room for what the tunnel adds: 20 bytes of IPIP; with ESP also
     * 8 header, 8 IV, up to 3 padding, 2 trailer and 16 ICV, and 8 more in UDP.
     */
    @Test
    void thePodMtuLeavesRoomForTheTunnelsOverhead() {
        LabSpec d = LabSpec.defaults();
        assertEquals(1443, d.withMtu(1443, 1500).podMtu());
        assertThrows(IllegalArgumentException.class, () -> d.withMtu(1444, 1500));
        LabSpec udp = d.withIpsec(LabIpsec.ON.withUdpEncapsulation(true));
        assertEquals(1435, udp.withMtu(1435, 1500).podMtu());
        assertThrows(IllegalArgumentException.class, () -> udp.withMtu(1436, 1500));
        assertEquals(1480, d.withIpsec(LabIpsec.OFF).withMtu(1480, 1500).podMtu());
    }

    @Test
    void specsThatCannotBeBuiltAreRefused() {
        LabSpec d = LabSpec.defaults();
        for (Runnable bad : List.<Runnable>of(
                () -> d.withNodes(3).withRelay(true),
                () -> d.withNodes(1),
                () -> d.withTunnels(4, 2),
                () -> d.withMtu(1490, 1500),
                () -> d.withIpsec(null),
                () -> d.withIpsec(LabIpsec.ON.withEngine("rot13")),
                () -> d.withIpsec(LabIpsec.ON.withCryptoThreads(17)),
                () -> d.withFamily("xx"),
                () -> d.withNodes(AddressPlan.MAX_NODES + 1))) {
            try {
                bad.run();
                throw new AssertionError("accepted a spec it cannot build");
            } catch (IllegalArgumentException expected) {
                assertFalse(expected.getMessage().isBlank());
            }
        }
        assertEquals(1, d.withUplink(false).withNodes(1).nodes(), "one node is fine without an uplink");
    }

    @Test
    void quotedStringsSurviveHocon() {
        assertEquals("\"a\\\"b\\\\c\"", LabConfig.quote("a\"b\\c"));
    }
}
