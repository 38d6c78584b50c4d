package dev.cipherlane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SettingsRendererTest {

    @Test
    void defaultsRenderLikeReferenceConf() {
        assertEquals("""
                cipherlane {
                  node.name = "node"
                  admin.socket = "/run/cipherlane/admin.sock"
                  dataplane {
                    workers = 1
                    buffers.small = 65536
                    buffers.large = 512
                    ring-size = 1024
                    trace.max-packets = 0
                    idle.spin-polls = 1000
                  }
                  neighbour {
                    reachable-time = 30s
                    max-entries = 4096
                  }
                  routes = []
                  interfaces = []
                }
                """, SettingsRenderer.render(NodeConfigLoader.defaults()));
    }
}
