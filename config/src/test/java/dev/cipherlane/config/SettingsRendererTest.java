package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsRendererTest {

    @TempDir
    Path dir;

    /** How a document with reference.conf's ipsec ends. */
    private static final String DEFAULT_IPSEC = """
              ipsec {
                enabled = false
                key-dir = "/etc/cipherlane/keys"
                engine = "auto"
                crypto-threads = 0
                replay-window = 1024
                udp-encapsulation = true
                sequence-block = 1048576
                lifetime {
                  soft-bytes = 0
                  hard-bytes = 0
                  soft-packets = 0
                  hard-packets = 0
                  soft-time = 0s
                  hard-time = 0s
                }
                keys = "static"
                ike {
                  psk-file = ""
                  psk-env = ""
                  ike-lifetime = 4h
                  child-lifetime = 1h
                  liveness = 30s
                  pfs = true
                  proposals = ["aes256gcm16-prfsha256", "aes256-sha256"]
                  groups = ["x25519", "ecp256", "modp2048"]
                  esn = false
                }
              }
            }
            """;

    @Test
    void defaultsRenderLikeReferenceConf() {
        assertEquals("""
                cipherlane {
                  node.name = "node"
                  node.state-dir = "/var/lib/cipherlane"
                  admin.socket = "/run/cipherlane/admin.sock"
                  admin.metrics.listen = ""
                  dataplane {
                    workers = 1
                    buffers.small = 65536
                    buffers.large = 512
                    ring-size = 1024
                    trace.max-packets = 1000
                    idle.spin-polls = 1000
                    fault-injection.one-in = 100
                    fault-injection.kills-worker = false
                  }
                  neighbour {
                    reachable-time = 30s
                    max-entries = 4096
                    max-per-interface = 1024
                  }
                  pod-network {
                    gateway-mac = "02:fe:00:00:00:01"
                    gateway4 = "169.254.1.1"
                    gateway6 = "fe80::1"
                    mtu = 1400
                    queues = 1
                    interface-name = "eth0"
                  }
                  pods = []
                  uplink {
                    interface = ""
                    host-tap = "cl-host"
                    tunnel-addresses = []
                    mtu = 1500
                    offloads = true
                    driver = "afpacket"
                    avf {
                      device = "model"
                      queues = 1
                      ring-size = 512
                    }
                  }
                  peers = []
                """ + DEFAULT_IPSEC, SettingsRenderer.render(NodeConfigLoader.defaults()));
    }

    @Test
    void podsShowOnlyWhatDiffersFromThePodNetwork() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane.pod-network { mtu = 1500, queues = 2 }
                cipherlane.pods = [
                  { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10", "FD00::0010"] }
                  { name = "pod-b", netns = "/proc/123/ns/net", addresses = ["fd00::11"], mac = "02:00:00:00:0A:02"
                    queues = 2, mtu = 9000 }
                  { name = "pod-c", netns = "pod-c", addresses = ["10.0.0.12"], queues = 4, mtu = 1500 }
                ]
                """);
        String rendered = SettingsRenderer.render(settings);
        assertTrue(rendered.endsWith("""
                  pod-network {
                    gateway-mac = "02:fe:00:00:00:01"
                    gateway4 = "169.254.1.1"
                    gateway6 = "fe80::1"
                    mtu = 1500
                    queues = 2
                    interface-name = "eth0"
                  }
                  pods = [
                    { name = "pod-a", netns = "pod-a", addresses = ["10.0.0.10", "fd00::10"] }
                    { name = "pod-b", netns = "/proc/123/ns/net", addresses = ["fd00::11"], mac = "02:00:00:00:0a:02", mtu = 9000 }
                    { name = "pod-c", netns = "pod-c", addresses = ["10.0.0.12"], queues = 4 }
                  ]
                  uplink {
                    interface = ""
                    host-tap = "cl-host"
                    tunnel-addresses = []
                    mtu = 1500
                    offloads = true
                    driver = "afpacket"
                    avf {
                      device = "model"
                      queues = 1
                      ring-size = 512
                    }
                  }
                  peers = []
                """ + DEFAULT_IPSEC), rendered);
        assertEquals(settings, NodeConfigLoader.load(ConfigFiles.write(dir, "shown.conf", rendered)));
    }

    @Test
    void uplinkAndPeersRoundTrip() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane.uplink { interface = "eth0", host-tap = "cl-host0", tunnel-addresses = ["192.0.2.21", "192.0.2.22"]
                                    mtu = 9000, driver = "avf", avf.device = "0000:3b:02.0" }
                cipherlane.peers = [
                  { name = "node-b", addresses = ["192.0.2.12", "192.0.2.13"], pod-cidrs = ["10.78.0.0/24", "FD78:0::/64"] }
                  { name = "node-c", addresses = ["198.51.100.7"], pod-cidrs = ["10.79.0.0/24"], tunnels = 3 }
                  { name = "gw", addresses = ["198.51.100.9"], pod-cidrs = ["10.80.0.0/24"], kind = "gateway",
                    local-cidrs = ["10.77.0.0/24"] }
                ]
                """);
        String rendered = SettingsRenderer.render(settings);
        assertTrue(rendered.endsWith("""
                  uplink {
                    interface = "eth0"
                    host-tap = "cl-host0"
                    tunnel-addresses = ["192.0.2.21", "192.0.2.22"]
                    mtu = 9000
                    offloads = true
                    driver = "avf"
                    avf {
                      device = "0000:3b:02.0"
                      queues = 1
                      ring-size = 512
                    }
                  }
                  peers = [
                    { name = "node-b", addresses = ["192.0.2.12", "192.0.2.13"], pod-cidrs = ["10.78.0.0/24", "fd78::/64"], tunnels = 4 }
                    { name = "node-c", addresses = ["198.51.100.7"], pod-cidrs = ["10.79.0.0/24"], tunnels = 3 }
                    { name = "gw", addresses = ["198.51.100.9"], pod-cidrs = ["10.80.0.0/24"], tunnels = 3, kind = "gateway", local-cidrs = ["10.77.0.0/24"] }
                  ]
                """ + DEFAULT_IPSEC), rendered);
        assertEquals(settings, NodeConfigLoader.load(ConfigFiles.write(dir, "shown.conf", rendered)));
    }

    @Test
    void ipsecRoundTripsWithBooleansAndNumbersBare() throws Exception {
        NodeSettings settings = ConfigFiles.load(dir, """
                cipherlane.ipsec { enabled = true, key-dir = "/srv/keys dir", engine = "bouncycastle", crypto-threads = 16
                                   replay-window = 0, udp-encapsulation = true, sequence-block = 1073741824
                                   lifetime { soft-bytes = 1000, hard-bytes = 2000, soft-packets = 10, hard-packets = 0
                                              soft-time = 1500ms, hard-time = 1 day } }
                """);
        String rendered = SettingsRenderer.render(settings);
        assertTrue(rendered.endsWith("""
                  ipsec {
                    enabled = true
                    key-dir = "/srv/keys dir"
                    engine = "bouncycastle"
                    crypto-threads = 16
                    replay-window = 0
                    udp-encapsulation = true
                    sequence-block = 1073741824
                    lifetime {
                      soft-bytes = 1000
                      hard-bytes = 2000
                      soft-packets = 10
                      hard-packets = 0
                      soft-time = 1500ms
                      hard-time = 1d
                    }
                    keys = "static"
                    ike {
                      psk-file = ""
                      psk-env = ""
                      ike-lifetime = 4h
                      child-lifetime = 1h
                      liveness = 30s
                      pfs = true
                      proposals = ["aes256gcm16-prfsha256", "aes256-sha256"]
                      groups = ["x25519", "ecp256", "modp2048"]
                      esn = false
                    }
                  }
                }
                """), rendered);
        assertEquals(settings, NodeConfigLoader.load(ConfigFiles.write(dir, "shown.conf", rendered)));
    }
}
