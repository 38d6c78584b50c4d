package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.MacAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The records guard settings built in code (tests, the demo, `ctl pod add`) as the loader guards files. */
class PodSettingsTest {

    private static PodSettings pod(String name, String netns, String... addresses) {
        return new PodSettings(name, netns, List.of(addresses).stream().map(IpAddress::parse).toList(),
                Optional.empty(), 1, 1400);
    }

    private static NodeSettings node(PodSettings... pods) {
        NodeSettings defaults = NodeConfigLoader.defaults();
        return new NodeSettings(defaults.name(), defaults.stateDir(), defaults.admin(), defaults.dataplane(),
                defaults.neighbour(), defaults.podNetwork(), List.of(pods));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "pod-a", "a1-b2-c3", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefgh"})
    void acceptsDnsLabels(String name) {
        assertTrue(PodSettings.isValidName(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "a-", "Pod", "pod_a", "pod.a", "abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghij-abcdefghi"})
    void refusesOtherNames(String name) {
        assertFalse(PodSettings.isValidName(name), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"pod-a", "cni-1234.a_b", "...", "/proc/123/ns/net", "/run/netns/x", "/var/run/netns/.x"})
    void acceptsNamespaceNamesAndAbsolutePaths(String netns) {
        assertTrue(PodSettings.isValidNetns(netns), netns);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "Pod", "a/b", "pod a", "/", "/proc/./1/ns/net", "/proc/1/ns/net/..", "/a\0b"})
    void refusesOtherNamespaces(String netns) {
        assertFalse(PodSettings.isValidNetns(netns), netns);
    }

    @Test
    void resolvesItsNamespaceFile() {
        assertEquals(Path.of("/run/netns/pod-a"), pod("a", "pod-a", "10.0.0.1").netnsPath());
        assertEquals(Path.of("/proc/7/ns/net"), pod("a", "/proc/7/ns/net", "10.0.0.1").netnsPath());
    }

    @Test
    void refusesBadAddressSets() {
        assertThrows(IllegalArgumentException.class, () -> pod("a", "a"));
        assertThrows(IllegalArgumentException.class, () -> pod("a", "a", "10.0.0.1", "10.0.0.2"));
        assertThrows(IllegalArgumentException.class, () -> pod("a", "a", "10.0.0.1", "fd00::1", "10.0.0.2"));
        assertThrows(IllegalArgumentException.class, () -> pod("a", "a", "127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> pod("a", "a", "::ffff:10.0.0.1"));
        assertEquals(2, pod("a", "a", "fd00::1", "10.0.0.1").addresses().size());
    }

    @Test
    void refusesOutOfRangeQueuesMtuAndMulticastMac() {
        List<IpAddress> one = List.of(IpAddress.parse("10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new PodSettings("a", "a", one, Optional.empty(), 0, 1400));
        assertThrows(IllegalArgumentException.class, () -> new PodSettings("a", "a", one, Optional.empty(), 17, 1400));
        assertThrows(IllegalArgumentException.class, () -> new PodSettings("a", "a", one, Optional.empty(), 1, 1279));
        assertThrows(IllegalArgumentException.class, () -> new PodSettings("a", "a", one, Optional.empty(), 1, 9001));
        assertThrows(IllegalArgumentException.class,
                () -> new PodSettings("a", "a", one, Optional.of(MacAddress.parse("01:00:00:00:00:01")), 1, 1400));
    }

    @Test
    void aNodeRefusesPodsThatShareANameANamespaceAnAddressOrTheGatewayMac() {
        assertEquals(2, node(pod("a", "a", "10.0.0.1"), pod("b", "b", "10.0.0.2")).pods().size());
        assertThrows(IllegalArgumentException.class, () -> node(pod("a", "a", "10.0.0.1"), pod("a", "b", "10.0.0.2")));
        assertThrows(IllegalArgumentException.class,
                () -> node(pod("a", "a", "10.0.0.1"), pod("b", "/run/netns/a", "10.0.0.2")));
        assertThrows(IllegalArgumentException.class,
                () -> node(pod("a", "a", "10.0.0.1", "fd00::1"), pod("b", "b", "fd00::1")));
        PodSettings gatewayMac = new PodSettings("a", "a", List.of(IpAddress.parse("10.0.0.1")),
                Optional.of(PodNetworkSettings.DEFAULTS.gatewayMac()), 1, 1400);
        assertThrows(IllegalArgumentException.class, () -> node(gatewayMac));
    }

    @Test
    void podNetworkGatewaysAreLinkLocalOfTheirFamily() {
        MacAddress mac = MacAddress.parse("02:fe:00:00:00:01");
        IpAddress v4 = IpAddress.parse("169.254.1.1");
        IpAddress v6 = IpAddress.parse("fe80::1");
        assertThrows(IllegalArgumentException.class, () -> new PodNetworkSettings(mac, v6, v6, 1400, 1, "eth0"));
        assertThrows(IllegalArgumentException.class,
                () -> new PodNetworkSettings(mac, IpAddress.parse("10.0.0.1"), v6, 1400, 1, "eth0"));
        assertThrows(IllegalArgumentException.class,
                () -> new PodNetworkSettings(mac, v4, IpAddress.parse("fd00::1"), 1400, 1, "eth0"));
        assertThrows(IllegalArgumentException.class,
                () -> new PodNetworkSettings(MacAddress.parse("ff:ff:ff:ff:ff:ff"), v4, v6, 1400, 1, "eth0"));
        assertThrows(IllegalArgumentException.class, () -> new PodNetworkSettings(mac, v4, v6, 1400, 1, "eth/0"));
        assertEquals(v6, new PodNetworkSettings(mac, v4, v6, 1400, 1, "eth0").gateway(IpFamily.IPV6));
    }

    @Test
    void stateDirIsAbsoluteWithoutDotSegments() {
        assertTrue(NodeSettings.isValidStateDir("/var/lib/cipherlane"));
        assertFalse(NodeSettings.isValidStateDir("var/lib/cipherlane"));
        assertFalse(NodeSettings.isValidStateDir("/var/lib/./cipherlane"));
        assertFalse(NodeSettings.isValidStateDir("/"));
        assertFalse(NodeSettings.isValidStateDir("/" + "a".repeat(PathText.MAX_PATH_BYTES)));
    }
}
