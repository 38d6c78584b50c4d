package dev.cipherlane.host.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.net.MacAddress;
import dev.cipherlane.linux.TapSpec;
import dev.cipherlane.linux.Tun;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PodSpecTest {
    private static final MacAddress GATEWAY_MAC = MacAddress.parse("02:fe:00:00:00:01");
    private static final InetAddress IP4 = InetAddress.ofLiteral("10.0.0.10");
    private static final InetAddress IP6 = InetAddress.ofLiteral("fd00::10");

    private static PodSpec pod() {
        return PodSpec.of("pod-a", "pod-a", List.of(IP4, IP6), GATEWAY_MAC);
    }

    @Test
    void ofSortsTheAddressesByFamilyAndTakesTheDefaults() {
        PodSpec p = PodSpec.of("pod-a", "cni-1234", List.of(IP6, IP4), GATEWAY_MAC);
        assertEquals(Optional.of((Inet4Address) IP4), p.ip4());
        assertEquals(Optional.of((Inet6Address) IP6), p.ip6());
        assertEquals("eth0", p.interfaceName());
        assertEquals(1400, p.mtu());
        assertEquals(1, p.queues());
        assertEquals(InetAddress.ofLiteral("169.254.1.1"), p.gateway4());
        assertEquals(InetAddress.ofLiteral("fe80::1"), p.gateway6());
        assertEquals(PodSpec.stableMac("pod-a"), p.mac());
    }

    @Test
    void theDerivedMacIsStableLocallyAdministeredAndUnicast() {
        MacAddress a = PodSpec.stableMac("pod-a");
        // The first 5 bytes of SHA-256("pod-a") behind 02: pinned, so no change to the
        // derivation can silently give restarted pods new MACs.
        assertEquals(MacAddress.parse("02:9b:b8:60:b4:a6"), a);
        assertEquals(MacAddress.parse("02:27:4a:81:a3:a7"), PodSpec.stableMac("pod-b"));
        assertTrue(a.isLocallyAdministered());
        assertFalse(a.isMulticast());
        assertEquals(a, PodSpec.of("pod-a", "other-ns", List.of(IP4), GATEWAY_MAC).mac(), "the name alone decides");
    }

    @Test
    void anExplicitMacWins() {
        MacAddress mac = MacAddress.parse("02:00:00:00:0a:01");
        assertEquals(mac, pod().withMac(mac).mac());
    }

    @Test
    void theNamespaceIsANameUnderRunNetnsOrAPath() {
        assertEquals("/run/netns/pod-a", pod().namespacePath());
        assertEquals("/proc/123/ns/net", PodSpec.of("pod-a", "/proc/123/ns/net", List.of(IP4), GATEWAY_MAC)
                .namespacePath());
    }

    @Test
    void theTapIsAPersistentMultiQueueTapWithTheInterfaceName() {
        TapSpec tap = pod().withQueues(4).withInterfaceName("net1").tapSpec();
        assertEquals("net1", tap.name());
        assertEquals(4, tap.queues());
        assertTrue(tap.persistent());
        assertEquals(Tun.IFF_MULTI_QUEUE | Tun.IFF_VNET_HDR, tap.flags() & (Tun.IFF_MULTI_QUEUE | Tun.IFF_VNET_HDR));
    }

    @Test
    void anIpv4OnlyPodMayHaveASmallMtuButAnIpv6PodNeeds1280() {
        assertEquals(576, PodSpec.of("pod-a", "n", List.of(IP4), GATEWAY_MAC).withMtu(576).mtu());
        rejects(() -> pod().withMtu(1279), "below IPv6's minimum of 1280");
        rejects(() -> pod().withMtu(67), "mtu must be 68..65521");
        rejects(() -> pod().withMtu(65522), "mtu must be 68..65521");
    }

    @Test
    void badValuesAreRefusedNamingThePod() {
        rejects(() -> PodSpec.of("pod-a", "n", List.of(), GATEWAY_MAC), "pod pod-a: needs an IPv4 or an IPv6 address");
        rejects(() -> PodSpec.of("pod-a", "n", List.of(IP4, InetAddress.ofLiteral("10.0.0.11")), GATEWAY_MAC),
                "pod pod-a: two addresses of one family");
        rejects(() -> PodSpec.of("pod-a", "n", List.of(InetAddress.ofLiteral("169.254.3.3")), GATEWAY_MAC),
                "pod pod-a: address 169.254.3.3 is link-local");
        rejects(() -> PodSpec.of("pod-a", "n", List.of(InetAddress.ofLiteral("224.0.0.1")), GATEWAY_MAC),
                "is multicast");
        rejects(() -> PodSpec.of("pod-a", "n", List.of(InetAddress.ofLiteral("::")), GATEWAY_MAC), "is unspecified");
        rejects(() -> PodSpec.of("Pod_A", "n", List.of(IP4), GATEWAY_MAC), "is not a DNS subdomain");
        rejects(() -> PodSpec.of("pod-a", "..", List.of(IP4), GATEWAY_MAC), "netns \"..\"");
        rejects(() -> PodSpec.of("pod-a", "a/b", List.of(IP4), GATEWAY_MAC), "netns \"a/b\"");
        rejects(() -> PodSpec.of("pod-a", "/run/netns/a b", List.of(IP4), GATEWAY_MAC), "spaces");
        rejects(() -> pod().withMac(MacAddress.parse("01:00:5e:00:00:01")), "pod pod-a: mac 01:00:5e:00:00:01 is not");
        rejects(() -> pod().withMac(GATEWAY_MAC), "is the gateway's");
        rejects(() -> PodSpec.of("pod-a", "n", List.of(IP4), MacAddress.parse("ff:ff:ff:ff:ff:ff")),
                "gateway MAC ff:ff:ff:ff:ff:ff is not a unicast address");
        rejects(() -> pod().withQueues(0), "queues must be 1..256");
        rejects(() -> pod().withQueues(257), "queues must be 1..256");
        for (String bad : List.of("", "a/b", "a:b", "has space", "sixteen-bytes-xx", ".", "..")) {
            rejects(() -> pod().withInterfaceName(bad), "interface name \"" + bad + "\"");
        }
        assertEquals("fifteen-bytes-x", pod().withInterfaceName("fifteen-bytes-x").interfaceName());
        rejects(() -> pod().withGateways((Inet4Address) IP4, (Inet6Address) InetAddress.ofLiteral("fd00::1")),
                "gateway6 fd00:0:0:0:0:0:0:1 must be an unscoped link-local address");
    }

    @Test
    void specsWithTheSameFieldsAreEqual() {
        assertEquals(pod(), pod());
        assertNotEquals(pod(), pod().withQueues(2));
    }

    private static void rejects(Supplier<PodSpec> build, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(expected), "\"" + e.getMessage() + "\" should contain \"" + expected + "\"");
    }
}
