package dev.cipherlane.supervisor.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cipherlane.config.PeerSettings;
import dev.cipherlane.net.IpAddress;
import dev.cipherlane.net.IpPrefix;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The peer manager runs one tunnel actor per tunnel the dataplane has, starts and stops them as
 * tunnel counts change, and undoes the peers it changed when a later one fails.
 */
class PeerManagerTest {
    private static final Duration PERIOD = Duration.ofMillis(20);
    private static final ActorTestKit KIT = ActorTestKit.create();

    @AfterAll
    static void shutDown() {
        KIT.shutdownTestKit();
    }

    /** Tunnels as counts per peer; each tunnel's checks are counted; a peer named in {@code refuse} fails. */
    private static final class FakeTunnels implements PeerTunnels {
        final Map<String, Integer> counts = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
        volatile String refuse = "";

        FakeTunnels(Map<String, Integer> start) {
            counts.putAll(start);
        }

        private TunnelControl control(String peer, int i) {
            String name = peer + "/" + i;
            AtomicInteger n = checks.computeIfAbsent(name, k -> new AtomicInteger());
            return new TunnelControl() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public boolean checkLimits() {
                    n.incrementAndGet();
                    return false;
                }
            };
        }

        @Override
        public List<TunnelControl> tunnelControls() {
            List<TunnelControl> out = new ArrayList<>();
            counts.forEach((peer, count) -> {
                for (int i = 0; i < count; i++) {
                    out.add(control(peer, i));
                }
            });
            return out;
        }

        @Override
        public TunnelChange changePeer(PeerSettings from, PeerSettings to) throws IOException {
            String name = to != null ? to.name() : from.name();
            if (name.equals(refuse)) {
                throw new IOException("no usable keys");
            }
            PeerSettings peer = to != null ? to : new PeerSettings(name, from.addresses(), from.podCidrs(), 1);
            int after = to != null ? to.tunnels() : 0;
            int before = counts.getOrDefault(name, 0);
            List<TunnelControl> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            for (int i = before; i < after; i++) {
                added.add(control(peer.name(), i));
            }
            for (int i = after; i < before; i++) {
                removed.add(peer.name() + "/" + i);
            }
            counts.put(peer.name(), after);
            return new TunnelChange(added, removed);
        }

        int checks(String tunnel) {
            AtomicInteger n = checks.get(tunnel);
            return n == null ? 0 : n.get();
        }
    }

    private static PeerSettings peer(String name, int tunnels) {
        List<IpAddress> addresses = new ArrayList<>();
        for (int i = 0; i < tunnels; i++) {
            addresses.add(IpAddress.parse("10.200.0." + (2 + i)));
        }
        return new PeerSettings(name, addresses, List.of(IpPrefix.parse("10.1.9.0/24")), tunnels);
    }

    @Test
    void tunnelActorsFollowTheCountsAndAFailedPeerUndoesTheOthers() {
        FakeTunnels tunnels = new FakeTunnels(Map.of("b", 2, "c", 1));
        ActorRef<PeerManager.Command> manager = KIT.spawn(PeerManager.supervised(tunnels, PERIOD));
        TestProbe<PeerManager.PeersSet> probe = KIT.createTestProbe();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tunnels.checks("b/1") > 2 && tunnels.checks("c/0") > 2);

        manager.tell(new PeerManager.SetPeers(List.of("b"), List.of(peer("b", 3)), List.of(peer("b", 2)), probe.ref()));
        assertNull(probe.receiveMessage().failure());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tunnels.checks("b/2") > 2);

        manager.tell(new PeerManager.SetPeers(List.of("b"), List.of(peer("b", 1)), List.of(peer("b", 3)), probe.ref()));
        assertNull(probe.receiveMessage().failure());
        int stopped = awaitSteady(tunnels, "b/2");
        assertEquals(stopped, tunnels.checks("b/2"), "a removed tunnel's actor stops");
        assertTrue(tunnels.checks("b/0") > 0);

        // b goes to 2, then c is refused: b goes back to 1, and the answer names c.
        tunnels.refuse = "c";
        manager.tell(new PeerManager.SetPeers(List.of("b", "c"), List.of(peer("b", 2), peer("c", 2)),
                List.of(peer("b", 1), peer("c", 1)), probe.ref()));
        String failure = probe.receiveMessage().failure();
        assertEquals("peer c: no usable keys", failure);
        assertEquals(1, tunnels.counts.get("b"));
        assertEquals(1, tunnels.counts.get("c"));
    }

    @Test
    void aPeerAddedGetsTunnelActorsAndARemovedOneLosesThem() {
        FakeTunnels tunnels = new FakeTunnels(Map.of("b", 1));
        ActorRef<PeerManager.Command> manager = KIT.spawn(PeerManager.supervised(tunnels, PERIOD));
        TestProbe<PeerManager.PeersSet> probe = KIT.createTestProbe();
        manager.tell(new PeerManager.SetPeers(List.of("d"), List.of(peer("b", 1), peer("d", 2)), List.of(peer("b", 1)),
                probe.ref()));
        assertNull(probe.receiveMessage().failure());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> tunnels.checks("d/1") > 2);
        manager.tell(new PeerManager.SetPeers(List.of("d"), List.of(peer("b", 1)), List.of(peer("b", 1), peer("d", 2)),
                probe.ref()));
        assertNull(probe.receiveMessage().failure());
        assertEquals(0, tunnels.counts.get("d"));
        int stopped = awaitSteady(tunnels, "d/0");
        assertEquals(stopped, tunnels.checks("d/0"));
    }

    /** Waits until {@code tunnel}'s checks stop moving, and returns their count. */
    private static int awaitSteady(FakeTunnels tunnels, String tunnel) {
        int[] last = {-1};
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200)).until(() -> {
            int now = tunnels.checks(tunnel);
            boolean steady = now == last[0];
            last[0] = now;
            return steady;
        });
        return last[0];
    }
}
