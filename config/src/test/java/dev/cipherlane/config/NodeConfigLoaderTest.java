package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.cipherlane.config.net.InterfaceAddress;
import dev.cipherlane.config.net.IpAddress;
import dev.cipherlane.config.net.IpPrefix;
import dev.cipherlane.config.net.MacAddress;
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
            new AdminSettings(Path.of("/run/cipherlane/admin.sock")),
            new DataplaneSettings(1, new BufferSettings(65536, 512), 1024, 0, 1000),
            new NeighbourSettings(Duration.ofSeconds(30), 4096),
            List.of(),
            List.of());

    @Test
    void emptyFileGivesTheDocumentedDefaults() throws Exception {
        assertEquals(DOCUMENTED_DEFAULTS, ConfigFiles.load(dir, ""));
        assertEquals(DOCUMENTED_DEFAULTS, NodeConfigLoader.defaults());
    }

    @Test
    void everySettingCanBeOverridden() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane {
                  node.name = "worker-7.example"
                  admin.socket = "/tmp/cl/admin.sock"
                  dataplane {
                    workers = 8
                    buffers { small = 1024, large = 0 }
                    ring-size = 65536
                    trace.max-packets = 10000
                    idle.spin-polls = 0
                  }
                  neighbour { reachable-time = 5 minutes, max-entries = 16 }
                  routes = [
                    { prefix = "10.1.0.0/16", via = ["192.0.2.1", "192.0.2.2"], interface = "uplink" }
                    { prefix = "fd00:1::/48", via = ["fe80::1"] }
                  ]
                  interfaces = [
                    { name = "uplink", mac = "02:AA:bb:00:00:01", addresses = ["10.0.0.1/24", "fd00::1/64"] }
                    { name = "host0" }
                  ]
                }
                """);
        assertEquals("worker-7.example", settings.name());
        assertEquals(Path.of("/tmp/cl/admin.sock"), settings.admin().socket());
        assertEquals(new DataplaneSettings(8, new BufferSettings(1024, 0), 65536, 10000, 0), settings.dataplane());
        assertEquals(new NeighbourSettings(Duration.ofMinutes(5), 16), settings.neighbour());
        assertEquals(List.of(
                new RouteSettings(IpPrefix.parse("10.1.0.0/16"),
                        List.of(IpAddress.parse("192.0.2.1"), IpAddress.parse("192.0.2.2")), Optional.of("uplink")),
                new RouteSettings(IpPrefix.parse("fd00:1::/48"), List.of(IpAddress.parse("fe80::1")), Optional.empty())),
                settings.routes());
        assertEquals(List.of(
                new InterfaceSettings("uplink", Optional.of(MacAddress.parse("02:aa:bb:00:00:01")),
                        List.of(InterfaceAddress.parse("10.0.0.1/24"), InterfaceAddress.parse("fd00::1/64"))),
                new InterfaceSettings("host0", Optional.empty(), List.of())),
                settings.interfaces());
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
                  routes = [
                    { prefix = "0.0.0.0/0", via = ["192.0.2.1"], interface = "uplink" }
                    { prefix = "::/0", via = ["fe80::1", "fe80::2"] }
                  ]
                  interfaces = [ { name = "uplink", mac = "02:00:00:00:00:01", addresses = ["::ffff:10.0.0.1/128"] } ]
                }
                """);
        String rendered = SettingsRenderer.render(settings);
        assertTrue(rendered.contains("reachable-time = 1500ms"), rendered);
        assertEquals(settings, NodeConfigLoader.load(ConfigFiles.write(dir, "shown.conf", rendered)));
    }
}
