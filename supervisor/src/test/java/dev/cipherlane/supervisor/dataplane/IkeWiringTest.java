package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cipherlane.config.IkeSettings;
import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.ike.session.IkeConfig;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A tunnel's IKE selectors follow its peer's kind: the outer addresses with IPIP, or the CIDRs. */
class IkeWiringTest {
    private static final PreSharedKey PSK = PreSharedKey.of("a key long enough for the test".getBytes(StandardCharsets.UTF_8));
    private static final int LOCAL = 0x0AC8_0002; // 10.200.0.2
    private static final int REMOTE = 0x0AC8_0001; // 10.200.0.1
    private static final NodeForwarding.TunnelInfo TUNNEL = new NodeForwarding.TunnelInfo(0, "gw", 0, LOCAL, REMOTE);

    @Test
    void aCipherlanePeersSelectorsAreTheTunnelAddressesWithIpip() throws Exception {
        PeerSettings peer = new PeerSettings("gw", List.of(IpAddress.ipv4(REMOTE)), List.of(IpPrefix.parse("10.1.1.0/24")),
                1);
        IkeConfig c = IkeWiring.config(TUNNEL, peer, PSK, IkeSettings.DEFAULTS);
        assertEquals(List.of(TrafficSelector.range(4, ip("10.200.0.2"), ip("10.200.0.2"))), c.localSelectors());
        assertEquals(List.of(TrafficSelector.range(4, ip("10.200.0.1"), ip("10.200.0.1"))), c.remoteSelectors());
    }

    @Test
    void aGatewaysSelectorsAreTheCidrsOfAnyProtocol() throws Exception {
        PeerSettings peer = new PeerSettings("gw", List.of(IpAddress.ipv4(REMOTE)),
                List.of(IpPrefix.parse("10.1.1.0/24"), IpPrefix.parse("fd01:1::/64")), 1, PeerSettings.Kind.GATEWAY,
                List.of(IpPrefix.parse("10.1.2.0/24")));
        IkeConfig c = IkeWiring.config(TUNNEL, peer, PSK, IkeSettings.DEFAULTS);
        assertEquals(List.of(TrafficSelector.range(0, ip("10.1.2.0"), ip("10.1.2.255"))), c.localSelectors());
        assertEquals(List.of(TrafficSelector.range(0, ip("10.1.1.0"), ip("10.1.1.255")),
                TrafficSelector.range(0, ip("fd01:1::"), ip("fd01:1::ffff:ffff:ffff:ffff"))), c.remoteSelectors());
        assertEquals(500, c.peer().getPort());
        assertEquals(ip("10.200.0.1"), c.peer().getAddress());
    }

    @Test
    void theProposalsGroupsAndEsnOfTheSettingsReachTheSession() throws Exception {
        PeerSettings peer = new PeerSettings("gw", List.of(IpAddress.ipv4(REMOTE)), List.of(IpPrefix.parse("10.1.1.0/24")),
                1);
        IkeSettings ike = new IkeSettings(java.util.Optional.empty(), java.util.Optional.empty(),
                java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(10), java.time.Duration.ofSeconds(10), true,
                List.of("aes256-sha256"), List.of("ecp256", "modp2048"), true);
        IkeConfig c = IkeWiring.config(TUNNEL, peer, PSK, ike);
        assertEquals(List.of(dev.cipherlane.ipsec.ike.keys.IkeSuite.AES_CBC_256_HMAC_SHA2_256_128), c.ikeSuites());
        assertEquals(List.of(dev.cipherlane.ipsec.ike.keys.DhGroup.ECP_256, dev.cipherlane.ipsec.ike.keys.DhGroup.MODP_2048),
                c.groups());
        assertEquals(java.util.Optional.of(dev.cipherlane.ipsec.ike.keys.DhGroup.ECP_256), c.childPfs(),
                "PFS in the first group");
        assertEquals(true, c.offerEsn());
        for (String name : IkeSettings.PROPOSALS) {
            IkeWiring.suite(name); // every name the config takes has a suite
        }
        for (String name : IkeSettings.GROUPS) {
            IkeWiring.group(name);
        }
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }
}
