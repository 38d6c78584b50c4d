package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import dev.cipherlane.testbed.Ping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes negotiate their tunnels' keys with IKEv2 and a pre-shared key, and rekey them under
 * a byte-checked stream: CHILD SAs every 10 s, IKE SAs every 30 s (less jitter), for 30 s. The
 * streams arrive intact, the SAs the nodes use change several times, and each node's inbound
 * SPIs are the other's outbound ones.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IkeRekeyTest {
    private static final long MIB = 1 << 20;
    private static final long RATE = 4 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final Duration SENDING = Duration.ofSeconds(30);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    /** Both nodes on IKE with the given lifetimes, the PSK in a file beside each node's config. */
    static NodeTestbed ikeLab(String lifetimes) throws Exception {
        return ikeLab(LabSpec.defaults().withPodsPerNode(1).withTunnels(2, 1).withIpsec(LabIpsec.ON), lifetimes);
    }

    /** The same for a lab of {@code spec}, started. */
    static NodeTestbed ikeLab(LabSpec spec, String lifetimes) throws Exception {
        NodeTestbed t = NodeTestbed.build(spec);
        for (LabNode n : List.of(t.node(1), t.node(2))) {
            Path psk = n.directory().resolve("ike.psk");
            Files.writeString(psk, "a pre-shared key for the lab, long enough\n");
            Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(n.config(), "\ncipherlane.ipsec.keys = \"ike\"\ncipherlane.ipsec.ike { psk-file = \""
                    + psk + "\", " + lifetimes + " }\n", StandardOpenOption.APPEND);
        }
        t.lab().start();
        return t;
    }

    /**
     * kill -9 of the node with the smaller address (the responder): once it serves again it
     * starts IKE itself, the other node replaces its old SAs on the INITIAL_CONTACT, and the
     * tunnels carry traffic again; the time it took is printed, not asserted (a figure, not a rule).
     */
    @Test
    void afterKillNineTheTunnelsComeBackAndThePeerReplacesItsOldSas() throws Exception {
        try (NodeTestbed t = ikeLab("liveness = 30s")) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            assertTrue(Ping.firstReply(a.netns(), b.ip4(), 20).received() > 0, t::diagnostics);
            Set<Integer> old = outboundSpis(n2);
            n1.kill();
            n1.startAndAwait();
            long serving = System.nanoTime();
            // Polled, not asserted: how long after serving again its tunnels are keyed.
            long deadline = serving + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && !allEstablished(n1)) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - serving) / 1e9;
            assertTrue(allEstablished(n1), () -> "the tunnels came back:\n" + t.diagnostics());
            Ping.Result back = Ping.firstReply(a.netns(), b.ip4(), 10);
            assertTrue(back.received() > 0, () -> "the renegotiated tunnels carry traffic: " + back + t.diagnostics());
            System.out.printf("IkeRekeyTest: after kill -9, every tunnel of the restarted node established %.2f s after"
                    + " it served again%n", seconds);
            String ike = n2.admin("show ike");
            assertTrue(ike.contains("INITIAL_CONTACT"), ike);
            Set<Integer> now = outboundSpis(n2);
            assertTrue(now.stream().noneMatch(old::contains), () -> "n2 replaced " + old + " by " + now);
        }
    }

    @Test
    void negotiatedTunnelsRekeyUnderTrafficAndLoseNothing() throws Exception {
        rekeysUnderTraffic(SENDING);
    }

    /** The same for five minutes: about thirty CHILD and ten IKE rekeys per tunnel. */
    @Test
    @Tag("soak")
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void fiveMinutesOfRekeysUnderTraffic() throws Exception {
        rekeysUnderTraffic(Duration.ofMinutes(5));
    }

    private void rekeysUnderTraffic(Duration sending) throws Exception {
        try (NodeTestbed t = ikeLab("child-lifetime = 10s, ike-lifetime = 30s, liveness = 5s")) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            Ping.Result first = Ping.firstReply(a.netns(), b.ip4(), 20);
            assertTrue(first.received() > 0, () -> "the negotiated tunnels carry traffic: " + first + t.diagnostics());
            Set<Integer> before = outboundSpis(n1);
            System.out.println("IkeRekeyTest: n1 after the first negotiation:\n" + n1.admin("show sa"));

            CheckedStream there = t.closeLater(CheckedStream.between("ike-n1-to-n2", a, b, b.address4(), 7741,
                    RATE * sending.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(sending).start();
            CheckedStream back = t.closeLater(CheckedStream.between("ike-n2-to-n1", b, a, a.address4(), 7742,
                    RATE * sending.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(sending).start();
            Set<Integer> seen = new HashSet<>(before);
            long end = System.nanoTime() + sending.toNanos();
            while (System.nanoTime() < end) {
                seen.addAll(outboundSpis(n1));
                Thread.sleep(500);
            }
            for (CheckedStream s : new CheckedStream[] {there, back}) {
                CheckedStream.Result r = s.await(sending.plusMinutes(1));
                System.out.println("IkeRekeyTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            String ike = n1.admin("show ike");
            System.out.println("IkeRekeyTest: n1 at the end:\n" + n1.admin("show sa") + n1.admin("show health") + ike);
            assertTrue(ike.lines().filter(l -> l.startsWith("n2/")).allMatch(l -> l.contains(" responder ")
                    && l.contains(" established ") && l.contains("AES_GCM_16_256")), ike);
            String json = n2.admin("show ike --json");
            com.fasterxml.jackson.databind.JsonNode rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
                    .get("tunnels");
            assertEquals(2, rows.size(), json);
            for (com.fasterxml.jackson.databind.JsonNode row : rows) {
                assertEquals("initiator", row.get("role").asText(), json);
                assertTrue(row.get("ikeRekeys").asLong() >= 1 || row.get("lastEvent").asText().contains("rekeyed"), json);
            }
            // Two tunnels, each rekeyed at least once every 10 s: at least 2 (1 + seconds / 15) SPIs each.
            long least = 2 * (1 + sending.toSeconds() / 15);
            assertTrue(seen.size() >= least, () -> "outbound SPIs seen on n1: " + seen + "\n" + t.diagnostics());
            Set<Integer> in2 = new HashSet<>();
            NodeViews.sas(n2.admin("show sa")).stream().filter(s -> !s.outbound()).forEach(s -> in2.add(s.spi()));
            assertTrue(in2.containsAll(outboundSpis(n1)), () -> "n2 takes what n1 sends under: " + in2 + t.diagnostics());
            assertEquals(List.of(), n1.logErrors(), n1::log);
            assertEquals(List.of(), n2.logErrors(), n2::log);
        }
    }

    /** Whether {@code show ike} lists every tunnel established. */
    private static boolean allEstablished(LabNode n) throws Exception {
        List<String> rows = n.admin("show ike").lines().filter(l -> l.matches("n\\d+/\\d+ .*")).toList();
        return !rows.isEmpty() && rows.stream().allMatch(l -> l.contains(" established "));
    }

    private static Set<Integer> outboundSpis(LabNode n) throws Exception {
        return NodeViews.outboundSpis(n.admin("show sa"));
    }
}
