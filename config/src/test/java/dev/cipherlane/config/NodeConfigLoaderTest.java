package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpFamily;
import dev.cipherlane.net.IpPrefix;
import dev.cipherlane.net.MacAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {

    @TempDir
    Path dir;

    static final NodeSettings DOCUMENTED_DEFAULTS = new NodeSettings(
            "node",
            Path.of("/var/lib/cipherlane"),
            new AdminSettings(Path.of("/run/cipherlane/admin.sock")),
            new DataplaneSettings(1, new BufferSettings(65536, 512), 1024, 1000, 1000, FaultInjectionSettings.OFF),
            new NeighbourSettings(Duration.ofSeconds(30), 4096),
            new PodNetworkSettings(MacAddress.parse("02:fe:00:00:00:01"), IpAddress.parse("169.254.1.1"),
                    IpAddress.parse("fe80::1"), 1400, 1, "eth0"),
            List.of(),
            new UplinkSettings(Optional.empty(), "cl-host", List.of(), 1500),
            List.of(),
            new IpsecSettings(false, Path.of("/etc/cipherlane/keys"), "auto", 0, 1024, true, 1048576,
                    new IpsecLifetime(0, 0, 0, 0, Duration.ZERO, Duration.ZERO)));

    @Test
    void emptyFileGivesTheDocumentedDefaults() throws Exception {
        assertEquals(DOCUMENTED_DEFAULTS, ConfigFiles.load(dir, ""));
        assertEquals(DOCUMENTED_DEFAULTS, NodeConfigLoader.defaults());
    }

    @Test
    void codeDefaultsMatchReferenceConf() {
        NodeSettings defaults = NodeConfigLoader.defaults();
        assertEquals(defaults.stateDir(), NodeSettings.DEFAULT_STATE_DIR);
        assertEquals(defaults.podNetwork(), PodNetworkSettings.DEFAULTS);
        assertEquals(defaults.uplink(), UplinkSettings.DEFAULTS);
        assertEquals(defaults.ipsec(), IpsecSettings.DEFAULTS);
        assertEquals(defaults, new NodeSettings(defaults.name(), defaults.stateDir(), defaults.admin(), defaults.dataplane(),
                defaults.neighbour(), defaults.podNetwork(), defaults.pods(),
                defaults.uplink(), defaults.peers()));
        assertEquals(defaults, new NodeSettings(defaults.name(), defaults.admin(), defaults.dataplane(),
                defaults.neighbour()));
        assertEquals(defaults, new NodeSettings(defaults.name(), defaults.stateDir(), defaults.admin(), defaults.dataplane(),
                defaults.neighbour(), defaults.podNetwork(), defaults.pods()));
    }

    @Test
    void everySettingCanBeOverridden() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane {
                  node.name = "worker-7.example"
                  node.state-dir = "/srv/cl-state"
                  admin.socket = "/tmp/cl/admin.sock"
                  admin.metrics.listen = "[fd00::1]:9464"
                  dataplane {
                    workers = 8
                    buffers { small = 1024, large = 0 }
                    ring-size = 65536
                    trace.max-packets = 10000
                    idle.spin-polls = 0
                  }
                  neighbour { reachable-time = 5 minutes, max-entries = 16 }
                  pod-network {
                    gateway-mac = "0A:00:00:00:00:FE"
                    gateway4 = "169.254.0.1"
                    gateway6 = "fe80::ff:1"
                    mtu = 9000
                    queues = 16
                    interface-name = "pod0"
                  }
                  pods = [ { name = "p", netns = "p", addresses = ["192.0.2.10"], mtu = 1280 } ]
                  uplink {
                    interface = "ens1f0"
                    host-tap = "cl-ens1f0"
                    tunnel-addresses = ["192.0.2.21", "192.0.2.22"]
                    mtu = 576
                  }
                  peers = [
                    { name = "node-b", addresses = ["192.0.2.12", "192.0.2.13"], pod-cidrs = ["10.78.0.0/24", "fd78::/64"]
                      tunnels = 6 }
                    { name = "node-c", addresses = ["198.51.100.7"], pod-cidrs = ["10.79.0.0/16"] }
                  ]
                  ipsec {
                    enabled = true
                    key-dir = "/var/lib/cl-keys"
                    engine = "bouncycastle"
                    crypto-threads = 3
                    replay-window = 64
                    udp-encapsulation = true
                    sequence-block = 16
                    lifetime {
                      soft-bytes = 1000000000
                      hard-bytes = 9223372036854775807
                      soft-packets = 900
                      hard-packets = 1000
                      soft-time = 50 minutes
                      hard-time = 1h
                    }
                  }
                }
                """);
        assertEquals("worker-7.example", settings.name());
        assertEquals(Path.of("/srv/cl-state"), settings.stateDir());
        assertEquals(Path.of("/tmp/cl/admin.sock"), settings.admin().socket());
        assertEquals(Optional.of(new MetricsListen(IpAddress.parse("fd00::1"), 9464)), settings.admin().metricsListen());
        assertEquals(new DataplaneSettings(8, new BufferSettings(1024, 0), 65536, 10000, 0, FaultInjectionSettings.OFF), settings.dataplane());
        assertEquals(new NeighbourSettings(Duration.ofMinutes(5), 16), settings.neighbour());
        assertEquals(new PodNetworkSettings(MacAddress.parse("0a:00:00:00:00:fe"), IpAddress.parse("169.254.0.1"),
                IpAddress.parse("fe80::ff:1"), 9000, 16, "pod0"), settings.podNetwork());
        assertEquals(List.of(new PodSettings("p", "p", List.of(IpAddress.parse("192.0.2.10")), Optional.empty(), 16, 1280)),
                settings.pods());
        assertEquals(new UplinkSettings(Optional.of("ens1f0"), "cl-ens1f0",
                List.of(IpAddress.parse("192.0.2.21"), IpAddress.parse("192.0.2.22")), 576), settings.uplink());
        assertEquals(List.of(
                new PeerSettings("node-b", List.of(IpAddress.parse("192.0.2.12"), IpAddress.parse("192.0.2.13")),
                        List.of(IpPrefix.parse("10.78.0.0/24"), IpPrefix.parse("fd78::/64")), 6),
                // No count: the default 4, cut to the 3 distinct pairs 3 local ends and 1 address give.
                new PeerSettings("node-c", List.of(IpAddress.parse("198.51.100.7")), List.of(IpPrefix.parse("10.79.0.0/16")),
                        3)),
                settings.peers());
        assertEquals(IpAddress.parse("192.0.2.13"), settings.peers().getFirst().address(3));
        assertEquals(new IpsecSettings(true, Path.of("/var/lib/cl-keys"), "bouncycastle", 3, 64, true, 16,
                new IpsecLifetime(1_000_000_000L, Long.MAX_VALUE, 900, 1000, Duration.ofMinutes(50),
                        Duration.ofHours(1))), settings.ipsec());
        assertEquals(Path.of("/var/lib/cl-keys/node-c.2.key"), settings.ipsec().keyFile("node-c", 2));
    }

    @Test
    void ipsecMayBeOnWithoutPeersOrUplink() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, "cipherlane.ipsec { enabled = true, replay-window = 4096 }");
        assertTrue(settings.ipsec().enabled());
        assertEquals(4096, settings.ipsec().replayWindow());
        assertEquals(List.of(), settings.peers());
        assertFalse(settings.uplink().enabled());
    }

    @Test
    void podsLoadWithTheirEffectiveQueuesAndMtu() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane {
                  pod-network.queues = 2
                  pods = [
                    { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10", "fd00::10"]
                      mac = "02:00:00:00:0a:01", queues = 4, mtu = 9000 }
                    { name = "0pod-b9", netns = "/proc/123/ns/net", addresses = ["fd00::11"] }
                    { name = "c", netns = "cni-4f1c.x_y", addresses = ["10.0.0.12"], queues = 1 }
                  ]
                }
                """);
        PodSettings a = new PodSettings("pod-a", "pod-a", List.of(IpAddress.parse("10.0.0.10"), IpAddress.parse("fd00::10")),
                Optional.of(MacAddress.parse("02:00:00:00:0a:01")), 4, 9000);
        PodSettings b = new PodSettings("0pod-b9", "/proc/123/ns/net", List.of(IpAddress.parse("fd00::11")),
                Optional.empty(), 2, 1400);
        PodSettings c = new PodSettings("c", "cni-4f1c.x_y", List.of(IpAddress.parse("10.0.0.12")), Optional.empty(), 1, 1400);
        assertEquals(List.of(a, b, c), settings.pods());
        assertEquals(Path.of("/run/netns/pod-a"), settings.pods().get(0).netnsPath());
        assertEquals(Path.of("/proc/123/ns/net"), settings.pods().get(1).netnsPath());
        assertEquals(Optional.of(IpAddress.parse("fd00::10")), settings.pods().get(0).address(IpFamily.IPV6));
        assertEquals(Optional.empty(), settings.pods().get(1).address(IpFamily.IPV4));
    }

    @Test
    void fileMayReferToDefaultsAndOptionalEnvironment() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane.dataplane.buffers.large = ${cipherlane.dataplane.ring-size}
                cipherlane.node.name = ${?CIPHERLANE_TEST_VARIABLE_THAT_IS_NEVER_SET}
                """);
        assertEquals(1024, settings.dataplane().buffers().large());
        assertEquals("node", settings.name());
    }

    @Test
    void systemPropertiesDoNotOverrideTheFile() throws Exception {
        System.setProperty("cipherlane.dataplane.workers", "9");
        try {
            assertEquals(3, ConfigFiles.load(dir, "cipherlane.dataplane.workers = 3").dataplane().workers());
            assertEquals(1, ConfigFiles.load(dir, "").dataplane().workers());
        } finally {
            System.clearProperty("cipherlane.dataplane.workers");
        }
    }

    @Test
    void referenceConfCommentsEverySetting() {
        Config reference = ConfigFactory.parseResources("reference.conf").getConfig(NodeSettings.ROOT);
        assertFalse(reference.entrySet().isEmpty());
        for (Map.Entry<String, ConfigValue> setting : reference.entrySet()) {
            assertFalse(setting.getValue().origin().comments().isEmpty(), setting.getKey() + " has no comment");
        }
    }

    @Test
    void renderedSettingsLoadBackUnchanged() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane {
                  node.name = "n1"
                  neighbour.reachable-time = 1500ms
                  node.state-dir = "/var/lib/cipherlane-2"
                  pod-network { gateway6 = "FE80:0::2", mtu = 1500 }
                  pods = [
                    { name = "pod-a", netns = "pod-a", addresses = ["fd00::10", "10.0.0.10"], mtu = 1500 }
                    { name = "pod-b", netns = "/run/netns/pod-b", addresses = ["10.0.0.11"], mac = "02:00:00:00:0a:02"
                      queues = 3, mtu = 1280 }
                  ]
                  uplink { interface = "eth0", tunnel-addresses = ["192.0.2.21"] }
                  peers = [ { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["fd78::/64"], tunnels = 1 } ]
                  ipsec { enabled = true, key-dir = "/etc/cl/keys", crypto-threads = 2, replay-window = 2048
                          udp-encapsulation = true, sequence-block = 65536
                          lifetime { soft-bytes = 1, hard-packets = 7, soft-time = 90s, hard-time = 2h } }
                }
                """);
        String rendered = SettingsRenderer.render(settings);
        assertTrue(rendered.contains("reachable-time = 1500ms"), rendered);
        assertEquals(settings, NodeConfigLoader.load(ConfigFiles.write(dir, "shown.conf", rendered)));
    }
}
