package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDiffTest {

    @TempDir
    Path dir;

    private NodeSettings load(String content) throws ConfigValidationException {
        return NodeConfigLoader.load(ConfigFiles.write(dir, "c" + content.hashCode() + ".conf", content));
    }

    private static List<String> lines(List<ConfigChange> changes) {
        return changes.stream().map(ConfigChange::toString).toList();
    }

    @Test
    void identicalConfigsDiffToNothing() throws Exception {
        assertEquals(List.of(), ConfigDiff.between(load(PODS), load(PODS)));
        assertEquals(List.of(), ConfigDiff.between(NodeConfigLoader.defaults(), NodeConfigLoader.defaults()));
    }

    @Test
    void reorderingPodsIsNoChange() throws Exception {
        NodeSettings reordered = load("""
                cipherlane.pods = [
                  { name = "pod-c", netns = "pod-c", addresses = ["10.0.0.12"], mtu = 1500 }
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10", "fd00::10"] }
                  { name = "pod-b", netns = "pod-b", addresses = ["10.0.0.11"], queues = 2 }
                ]
                """);
        assertEquals(List.of(), ConfigDiff.between(load(PODS), reordered));
    }

    @Test
    void leafChangesShowOldAndNew() throws Exception {
        NodeSettings old = NodeConfigLoader.defaults();
        NodeSettings neu = load("""
                cipherlane.node.name = "n2"
                cipherlane.dataplane.workers = 2
                cipherlane.neighbour.reachable-time = 1m
                """);
        List<ConfigChange> changes = ConfigDiff.between(old, neu);
        assertEquals(List.of(
                "~ cipherlane.node.name: \"node\" -> \"n2\"",
                "~ cipherlane.dataplane.workers: 1 -> 2",
                "~ cipherlane.neighbour.reachable-time: 30s -> 1m"), lines(changes));
        assertEquals(new ConfigChange("cipherlane.dataplane.workers", ConfigChange.Kind.CHANGED, 1, 2), changes.get(1));
    }

    @Test
    void everyScalarSettingHasADiffPath() throws Exception {
        NodeSettings neu = load("""
                cipherlane {
                  node.name = "other"
                  admin.socket = "/tmp/other.sock"
                  admin.metrics.listen = "127.0.0.1:9464"
                  dataplane { workers = 2, buffers { small = 2048, large = 0 }, ring-size = 64
                              trace.max-packets = 1, idle.spin-polls = 1, fault-injection { one-in = 2, kills-worker = true } }
                  neighbour { reachable-time = 1s, max-entries = 16, max-per-interface = 8 }
                  node.state-dir = "/tmp/state"
                  pod-network { gateway-mac = "02:fe:00:00:00:02", gateway4 = "169.254.0.1", gateway6 = "fe80::2"
                                mtu = 1500, queues = 2, interface-name = "eth1" }
                  uplink { interface = "eth0", host-tap = "cl-host1", tunnel-addresses = ["192.0.2.21"], mtu = 9000
                           offloads = false, driver = "avf", avf { device = "0000:3b:02.0", queues = 4, ring-size = 1024 } }
                  ipsec { enabled = true, key-dir = "/tmp/keys", engine = "bouncycastle", crypto-threads = 1
                          replay-window = 64, udp-encapsulation = false, sequence-block = 16
                          lifetime { soft-bytes = 1, hard-bytes = 2, soft-packets = 1, hard-packets = 2
                                     soft-time = 1s, hard-time = 2s }
                          keys = "ike", ike { psk-file = "/tmp/psk", psk-env = "", ike-lifetime = 30s
                                              child-lifetime = 10s, liveness = 5s, pfs = false
                                              proposals = ["aes256-sha256"], groups = ["ecp256", "x25519"]
                                              esn = true } }
                }
                """);
        Set<String> changed = ConfigDiff.between(NodeConfigLoader.defaults(), neu).stream()
                .map(ConfigChange::path).collect(Collectors.toCollection(TreeSet::new));
        // The PSK comes from a file or the environment, never both: the other one on its own.
        ConfigDiff.between(NodeConfigLoader.defaults(), load("cipherlane.ipsec.ike.psk-env = \"CL_PSK\"\n")).stream()
                .map(ConfigChange::path).forEach(changed::add);
        Set<String> scalars = ConfigFactory.parseResources("reference.conf").withOnlyPath(NodeSettings.ROOT).entrySet()
                .stream().map(e -> e.getKey())
                .filter(path -> !path.endsWith(".pods")
                        && !path.endsWith(".peers"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(scalars, changed);
    }

    private static final String PODS = """
            cipherlane.pods = [
              { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10", "fd00::10"] }
              { name = "pod-b", netns = "pod-b", addresses = ["10.0.0.11"], queues = 2 }
              { name = "pod-c", netns = "pod-c", addresses = ["10.0.0.12"], mtu = 1500 }
            ]
            """;

    @Test
    void podsAreComparedByName() throws Exception {
        NodeSettings old = load(PODS);
        NodeSettings neu = load("""
                cipherlane.pods = [
                  { name = "pod-d", netns = "pod-d", addresses = ["10.0.0.13"] }
                  { name = "pod-c", netns = "/run/netns/pod-c2", addresses = ["fd00::12", "10.0.0.12"]
                    mac = "02:00:00:00:0a:03", queues = 3, mtu = 1400 }
                  { name = "pod-a", netns = "pod-a", addresses = ["fd00::10", "10.0.0.10"] }
                ]
                """);
        List<ConfigChange> changes = ConfigDiff.between(old, neu);
        assertEquals(List.of(
                "- cipherlane.pods[pod-b]",
                "+ cipherlane.pods[pod-d]",
                "~ cipherlane.pods[pod-c].netns: \"pod-c\" -> \"/run/netns/pod-c2\"",
                "~ cipherlane.pods[pod-c].addresses: [10.0.0.12] -> [fd00::12, 10.0.0.12]",
                "~ cipherlane.pods[pod-c].mac: (none) -> 02:00:00:00:0a:03",
                "~ cipherlane.pods[pod-c].queues: 1 -> 3",
                "~ cipherlane.pods[pod-c].mtu: 1500 -> 1400",
                "~ cipherlane.pods[pod-a].addresses: [10.0.0.10, fd00::10] -> [fd00::10, 10.0.0.10]"), lines(changes));
        assertEquals(old.pods().get(1), changes.get(0).oldValue());
        assertEquals(neu.pods().getFirst(), changes.get(1).newValue());
    }

    @Test
    void aPodNetworkDefaultReachesThePodsThatTakeIt() throws Exception {
        NodeSettings neu = load(PODS + """
                cipherlane.pod-network { queues = 2, mtu = 1500 }
                cipherlane.node.state-dir = "/srv/cipherlane"
                """);
        assertEquals(List.of(
                "~ cipherlane.node.state-dir: /var/lib/cipherlane -> /srv/cipherlane",
                "~ cipherlane.pod-network.mtu: 1400 -> 1500",
                "~ cipherlane.pod-network.queues: 1 -> 2",
                "~ cipherlane.pods[pod-a].queues: 1 -> 2",
                "~ cipherlane.pods[pod-a].mtu: 1400 -> 1500",
                "~ cipherlane.pods[pod-b].mtu: 1400 -> 1500",
                "~ cipherlane.pods[pod-c].queues: 1 -> 2"), lines(ConfigDiff.between(load(PODS), neu)));
    }

    private static final String PEERS = """
            cipherlane.uplink.interface = "eth0"
            cipherlane.peers = [
              { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] }
              { name = "node-c", addresses = ["192.0.2.13"], pod-cidrs = ["10.79.0.0/24", "fd79::/64"], tunnels = 1 }
              { name = "node-d", addresses = ["192.0.2.14"], pod-cidrs = ["10.80.0.0/24"] }
            ]
            """;

    @Test
    void peersAreComparedByName() throws Exception {
        NodeSettings old = load(PEERS);
        NodeSettings neu = load("""
                cipherlane.uplink { interface = "eth1", tunnel-addresses = ["192.0.2.21"], mtu = 9000 }
                cipherlane.peers = [
                  { name = "node-e", addresses = ["192.0.2.15"], pod-cidrs = ["10.81.0.0/24"] }
                  { name = "node-d", addresses = ["192.0.2.14"], pod-cidrs = ["10.80.0.0/24"] }
                  { name = "node-c", addresses = ["192.0.2.13", "192.0.2.16"], pod-cidrs = ["10.79.0.0/24"], tunnels = 2 }
                ]
                """);
        List<ConfigChange> changes = ConfigDiff.between(old, neu);
        assertEquals(List.of(
                "~ cipherlane.uplink.interface: \"eth0\" -> \"eth1\"",
                "~ cipherlane.uplink.tunnel-addresses: [] -> [192.0.2.21]",
                "~ cipherlane.uplink.mtu: 1500 -> 9000",
                "- cipherlane.peers[node-b]",
                "+ cipherlane.peers[node-e]",
                // node-d names no count: one more local address allows a second tunnel.
                "~ cipherlane.peers[node-d].tunnels: 1 -> 2",
                "~ cipherlane.peers[node-c].addresses: [192.0.2.13] -> [192.0.2.13, 192.0.2.16]",
                "~ cipherlane.peers[node-c].pod-cidrs: [10.79.0.0/24, fd79::/64] -> [10.79.0.0/24]",
                "~ cipherlane.peers[node-c].tunnels: 1 -> 2"), lines(changes));
        assertEquals(old.peers().getFirst(), changes.get(3).oldValue());
        assertEquals(neu.peers().getFirst(), changes.get(4).newValue());
        assertEquals(List.of(), ConfigDiff.between(load(PEERS), load(PEERS)));
    }

    @Test
    void aPeerBecomingAGatewayShowsItsKindAndLocalSide() throws Exception {
        NodeSettings old = load("""
                cipherlane.uplink.interface = "eth0"
                cipherlane.peers = [ { name = "gw", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] } ]
                """);
        NodeSettings neu = load("""
                cipherlane.uplink.interface = "eth0"
                cipherlane.peers = [ { name = "gw", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"]
                                       kind = "gateway", local-cidrs = ["10.77.0.0/24"] } ]
                """);
        assertEquals(List.of(
                "~ cipherlane.peers[gw].kind: \"cipherlane\" -> \"gateway\"",
                "~ cipherlane.peers[gw].local-cidrs: [] -> [10.77.0.0/24]"), lines(ConfigDiff.between(old, neu)));
    }

    @Test
    void removingTheUplinkShowsAsNone() throws Exception {
        assertEquals(List.of(
                "~ cipherlane.uplink.interface: \"eth0\" -> (none)",
                "- cipherlane.peers[node-b]",
                "- cipherlane.peers[node-c]",
                "- cipherlane.peers[node-d]"), lines(ConfigDiff.between(load(PEERS), NodeConfigLoader.defaults())));
    }

    @Test
    void ipsecChangesLeafByLeafAfterThePeers() throws Exception {
        NodeSettings old = load(PEERS);
        NodeSettings neu = load(PEERS + """
                cipherlane.ipsec { enabled = true, key-dir = "/srv/keys", engine = "bouncycastle", crypto-threads = 2
                                   replay-window = 0, udp-encapsulation = false, sequence-block = 4096 }
                cipherlane.peers = [ { name = "node-b", addresses = ["192.0.2.12"], pod-cidrs = ["10.78.0.0/24"] } ]
                """);
        List<ConfigChange> changes = ConfigDiff.between(old, neu);
        assertEquals(List.of(
                "- cipherlane.peers[node-c]",
                "- cipherlane.peers[node-d]",
                "~ cipherlane.ipsec.enabled: false -> true",
                "~ cipherlane.ipsec.key-dir: /etc/cipherlane/keys -> /srv/keys",
                "~ cipherlane.ipsec.engine: \"auto\" -> \"bouncycastle\"",
                "~ cipherlane.ipsec.crypto-threads: 0 -> 2",
                "~ cipherlane.ipsec.replay-window: 1024 -> 0",
                "~ cipherlane.ipsec.udp-encapsulation: true -> false",
                "~ cipherlane.ipsec.sequence-block: 1048576 -> 4096"), lines(changes));
        assertEquals(new ConfigChange("cipherlane.ipsec.sequence-block", ConfigChange.Kind.CHANGED, 1L << 20, 4096L),
                changes.getLast());
        assertEquals(new ConfigChange("cipherlane.ipsec.enabled", ConfigChange.Kind.CHANGED, false, true), changes.get(2));
    }

    @Test
    void ipsecLifetimeChangesOneLeafPerLimit() throws Exception {
        NodeSettings old = load("""
                cipherlane.ipsec.lifetime { soft-bytes = 100, hard-bytes = 200, soft-time = 50m, hard-time = 1h }
                """);
        NodeSettings neu = load("""
                cipherlane.ipsec.lifetime { soft-bytes = 100, hard-bytes = 300, hard-packets = 1000000
                                            soft-time = 0s, hard-time = 3600s }
                """);
        List<ConfigChange> changes = ConfigDiff.between(old, neu);
        assertEquals(List.of(
                "~ cipherlane.ipsec.lifetime.hard-bytes: 200 -> 300",
                "~ cipherlane.ipsec.lifetime.hard-packets: 0 -> 1000000",
                "~ cipherlane.ipsec.lifetime.soft-time: 50m -> 0s"), lines(changes));
        assertEquals(new ConfigChange("cipherlane.ipsec.lifetime.hard-bytes", ConfigChange.Kind.CHANGED, 200L, 300L),
                changes.getFirst());
        assertEquals(List.of(), ConfigDiff.between(neu, load("cipherlane.ipsec.lifetime { soft-bytes = 100, hard-bytes = 300"
                + ", hard-packets = 1000000, hard-time = 60m }")));
    }
}
