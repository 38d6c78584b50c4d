package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The uplink and peer records guard settings built in code as the loader guards files. */
class UplinkSettingsTest {

    private static final UplinkSettings UPLINK = new UplinkSettings(Optional.of("eth0"), "cl-host", List.of(), 1500);

    private static PeerSettings peer(String name, String address, String... podCidrs) {
        return new PeerSettings(name, List.of(IpAddress.parse(address)),
                List.of(podCidrs).stream().map(IpPrefix::parse).toList(), 1);
    }

    private static NodeSettings node(UplinkSettings uplink, List<PodSettings> pods, PeerSettings... peers) {
        NodeSettings defaults = NodeConfigLoader.defaults();
        return new NodeSettings(defaults.name(), defaults.stateDir(), defaults.admin(), defaults.dataplane(),
                defaults.neighbour(), defaults.podNetwork(), pods, uplink,
                List.of(peers));
    }

    private static NodeSettings node(PeerSettings... peers) {
        return node(UPLINK, List.of(), peers);
    }

    @Test
    void uplinkRefusesBadNamesMtuAndTunnelAddresses() {
        List<IpAddress> none = List.of();
        assertFalse(UplinkSettings.DEFAULTS.enabled());
        assertTrue(UPLINK.enabled());
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.of(""), "cl-host", none, 1500));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.of("eth0:1"), "cl-host", none, 1500));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.empty(), "cl/host", none, 1500));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.of("eth0"), "eth0", none, 1500));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.empty(), "cl-host", none, 575));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.empty(), "cl-host", none, 9001));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.empty(), "cl-host",
                List.of(IpAddress.parse("fd00::1")), 1500));
        assertThrows(IllegalArgumentException.class, () -> new UplinkSettings(Optional.empty(), "cl-host",
                List.of(IpAddress.parse("192.0.2.1"), IpAddress.parse("192.0.2.1")), 1500));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2001:db8::1", "0.0.0.0", "127.0.0.1", "224.0.0.1", "169.254.0.1", "255.255.255.255"})
    void underlayAddressesAreUnicastIpv4(String address) {
        assertTrue(PeerSettings.underlayProblem(IpAddress.parse(address)).isPresent(), address);
    }

    @Test
    void peerRefusesBadNamesAddressesCidrsAndTunnels() {
        List<IpAddress> one = List.of(IpAddress.parse("192.0.2.12"));
        List<IpPrefix> cidr = List.of(IpPrefix.parse("10.78.0.0/24"));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("Node-B", one, cidr, 4));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", List.of(), cidr, 4));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", List.of(IpAddress.parse("fd00::1")), cidr, 4));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", one, List.of(), 4));
        assertThrows(IllegalArgumentException.class, () -> peer("b", "192.0.2.12", "10.78.0.0/16", "10.78.1.0/24"));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", one, cidr, 0));
        assertThrows(IllegalArgumentException.class, () -> new PeerSettings("b", one, cidr, 17));
    }

    @Test
    void tunnelsNeedDistinctAddressPairs() {
        assertEquals(1, PeerSettings.distinctPairs(1, 1));
        assertEquals(4, PeerSettings.distinctPairs(4, 4), "tunnel i pairs local i with remote i");
        assertEquals(6, PeerSettings.distinctPairs(3, 2));
        assertEquals(4, PeerSettings.distinctPairs(2, 4));
        PeerSettings four = new PeerSettings("b", List.of(IpAddress.parse("192.0.2.12"), IpAddress.parse("192.0.2.13")),
                List.of(IpPrefix.parse("10.78.0.0/24")), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> node(four));
        assertEquals("peer b: 4 tunnels but only 2 distinct address pairs", e.getMessage());
    }

    @Test
    void tunnelsTakePeerAddressesInTurn() {
        PeerSettings peer = new PeerSettings("b", List.of(IpAddress.parse("192.0.2.12"), IpAddress.parse("192.0.2.13")),
                List.of(IpPrefix.parse("10.78.0.0/24")), 3);
        assertEquals(IpAddress.parse("192.0.2.12"), peer.address(0));
        assertEquals(IpAddress.parse("192.0.2.13"), peer.address(1));
        assertEquals(IpAddress.parse("192.0.2.12"), peer.address(2));
        assertThrows(IndexOutOfBoundsException.class, () -> peer.address(3));
    }

    @Test
    void aNodeRefusesPeersWithoutUplinkSharedNamesAddressesOrOverlappingCidrs() {
        assertEquals(2, node(peer("b", "192.0.2.12", "10.78.0.0/24"), peer("c", "192.0.2.13", "10.79.0.0/24")).peers().size());
        assertThrows(IllegalArgumentException.class,
                () -> node(UplinkSettings.DEFAULTS, List.of(), peer("b", "192.0.2.12", "10.78.0.0/24")));
        assertThrows(IllegalArgumentException.class,
                () -> node(peer("b", "192.0.2.12", "10.78.0.0/24"), peer("b", "192.0.2.13", "10.79.0.0/24")));
        assertThrows(IllegalArgumentException.class,
                () -> node(peer("b", "192.0.2.12", "10.78.0.0/24"), peer("c", "192.0.2.12", "10.79.0.0/24")));
        assertThrows(IllegalArgumentException.class,
                () -> node(peer("b", "192.0.2.12", "10.78.0.0/24"), peer("c", "192.0.2.13", "10.78.0.128/25")));
        UplinkSettings sharedSource = new UplinkSettings(Optional.of("eth0"), "cl-host",
                List.of(IpAddress.parse("192.0.2.12")), 1500);
        assertThrows(IllegalArgumentException.class,
                () -> node(sharedSource, List.of(), peer("b", "192.0.2.12", "10.78.0.0/24")));
    }

    @Test
    void aNodeRefusesAPeerCidrHoldingOneOfItsPods() {
        PodSettings pod = new PodSettings("pod-a", "pod-a", List.of(IpAddress.parse("fd00::10")), Optional.empty(), 1, 1400);
        assertEquals(1, node(UPLINK, List.of(pod), peer("b", "192.0.2.12", "fd78::/64")).peers().size());
        assertThrows(IllegalArgumentException.class, () -> node(UPLINK, List.of(pod), peer("b", "192.0.2.12", "fd00::/64")));
    }
}
