package dev.cipherlane.supervisor.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.ConfigChange;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveSettingsTest {
    private static ConfigChange changed(String path) {
        return new ConfigChange(path, ConfigChange.Kind.CHANGED, 1, 2);
    }

    @Test
    void eachChangeIsMadeTheLeastDisruptiveWayItCanBe() {
        assertEquals(LiveSettings.How.IN_PLACE, LiveSettings.how(changed("cipherlane.dataplane.trace.max-packets")));
        assertEquals(LiveSettings.How.POD, LiveSettings.how(changed("cipherlane.pods[web-1]")));
        assertEquals(LiveSettings.How.POD, LiveSettings.how(changed("cipherlane.pods[web-1].mtu")));
        assertEquals(LiveSettings.How.PEER, LiveSettings.how(changed("cipherlane.peers[node-b].tunnels")));
        assertEquals(LiveSettings.How.PEER, LiveSettings.how(changed("cipherlane.peers[node-b].addresses")));
        assertEquals(LiveSettings.How.PEER, LiveSettings.how(changed("cipherlane.peers[node-b]")));
        assertEquals(LiveSettings.How.REBUILD, LiveSettings.how(changed("cipherlane.ipsec.replay-window")));
        assertEquals(LiveSettings.How.REBUILD, LiveSettings.how(changed("cipherlane.pod-network.mtu")));
        assertEquals(LiveSettings.How.RESTART, LiveSettings.how(changed("cipherlane.dataplane.workers")));
        // Another uplink driver, or another VF, means other devices under the workers.
        assertEquals(LiveSettings.How.RESTART, LiveSettings.how(changed("cipherlane.uplink.driver")));
        assertEquals(LiveSettings.How.RESTART, LiveSettings.how(changed("cipherlane.uplink.avf.device")));
        assertEquals(LiveSettings.How.RESTART, LiveSettings.how(changed("cipherlane.uplink.avf.ring-size")));
        assertEquals("web-1", LiveSettings.podOf(changed("cipherlane.pods[web-1].mtu")));
        assertEquals("node-b", LiveSettings.peerOf(changed("cipherlane.peers[node-b].tunnels")));
        assertThrows(IllegalArgumentException.class, () -> LiveSettings.podOf(changed("cipherlane.peers[x].tunnels")));
    }

    @Test
    void podAndPeerChangesNeedNoRebuild() {
        List<ConfigChange> live = List.of(changed("cipherlane.pods[a]"), changed("cipherlane.peers[b].tunnels"),
                changed("cipherlane.neighbour.reachable-time"));
        assertFalse(LiveSettings.needsRebuild(live));
        assertEquals(List.of(live.get(0)), LiveSettings.made(live, LiveSettings.How.POD));
        assertTrue(LiveSettings.needsRebuild(List.of(changed("cipherlane.buffers.small"))));
    }
}
