package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.testbed.AddressPlan;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import dev.cipherlane.testbed.Ping;
import dev.cipherlane.testbed.Poll;
import dev.cipherlane.testbed.StrongSwan;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * Interop with Debian's strongSwan 5.9.8 as a gateway: one lab node runs Cipherlane, the other
 * charon with kernel-libipsec, configured by swanctl. The Cipherlane node lists the other as a
 * peer of kind "gateway", so the CHILD SAs' selectors are its pod CIDR against an address
 * behind strongSwan (on the gateway's loopback). Both roles are tried, by the rule that the
 * larger address initiates: with strongSwan on node 1, Cipherlane (node 2) initiates; with
 * strongSwan on node 2, strongSwan does, and Cipherlane answers. Under byte-checked streams
 * between a pod and the address behind strongSwan, CHILD SAs are rekeyed by either side and
 * the IKE SA by either side; then deletes from strongSwan are honoured, and each side finds
 * the other gone by its liveness checks (DPD).
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StrongSwanInteropTest {
    private static final String PSK = "a pre-shared key for the strongSwan lab";
    private static final long RATE = 2L << 20;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);

    @BeforeEach
    void needsRootAndStrongSwan() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
        assumeTrue(StrongSwan.missing().isEmpty(), () -> "strongSwan is missing: " + StrongSwan.missing().orElseThrow());
    }

    /** A Cipherlane node and a strongSwan gateway on one wire, nothing started. */
    private record GatewayLab(NodeTestbed t, int cipherlane, int gateway) implements AutoCloseable {
        LabNode node() {
            return t.node(cipherlane);
        }

        LabPod pod() {
            return t.pod(cipherlane, 1);
        }

        /** The address behind strongSwan that the pod talks to. */
        String behind() {
            return AddressPlan.pod4(gateway, 1);
        }

        String gatewayNetns() {
            return t.node(gateway).netns();
        }

        @Override
        public void close() throws Exception {
            t.close();
        }
    }

    private static GatewayLab gatewayLab(int cipherlane, int gateway, String lifetimes) throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withTunnels(1, 0).withIpsec(LabIpsec.ON);
        NodeTestbed t = NodeTestbed.build(spec);
        try {
            LabNode n = t.node(cipherlane);
            Path psk = n.directory().resolve("ike.psk");
            Files.writeString(psk, PSK + "\n");
            Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-------"));
            Files.writeString(n.config(), "\ncipherlane.ipsec.keys = \"ike\"\ncipherlane.ipsec.ike { psk-file = \""
                    + psk + "\", " + lifetimes + " }\n"
                    + "cipherlane.peers = [ { name = \"gw\", addresses = [\"" + AddressPlan.underlay(gateway)
                    + "\"], pod-cidrs = [\"" + AddressPlan.podCidr4(gateway) + "\"], tunnels = 1, kind = \"gateway\","
                    + " local-cidrs = [\"" + AddressPlan.podCidr4(cipherlane) + "\"] } ]\n",
                    StandardOpenOption.APPEND);
            // kernel-libipsec routes the peer's selectors from an address of its own selectors.
            t.lab().namespace(t.node(gateway).netns()).exec("ip", "address", "add", AddressPlan.pod4(gateway, 1) + "/32",
                    "dev", "lo");
            return new GatewayLab(t, cipherlane, gateway);
        } catch (Exception | Error e) {
            t.close();
            throw e;
        }
    }

    /** swanctl.conf for the gateway: one connection "cl" with child "pods", ESP in UDP, no ESN. */
    private static String swanctl(GatewayLab g, String startAction, String ikeRekey, String childRekey) {
        String local = AddressPlan.underlay(g.gateway());
        String remote = AddressPlan.underlay(g.cipherlane());
        return """
                connections {
                  cl {
                    version = 2
                    local_addrs = %1$s
                    remote_addrs = %2$s
                    proposals = aes256gcm16-prfsha256-x25519
                    encap = yes
                    dpd_delay = 2s
                    rekey_time = %5$s
                    local { auth = psk
                      id = %1$s }
                    remote { auth = psk
                      id = %2$s }
                    children {
                      pods {
                        mode = tunnel
                        local_ts = %3$s/32
                        remote_ts = %4$s
                        esp_proposals = aes256gcm16-x25519-noesn
                        rekey_time = %6$s
                        start_action = %7$s
                        dpd_action = clear
                      }
                    }
                  }
                }
                secrets {
                  ike-cl {
                    id-1 = %1$s
                    id-2 = %2$s
                    secret = "%8$s"
                  }
                }
                """.formatted(local, remote, g.behind(), AddressPlan.podCidr4(g.cipherlane()), ikeRekey, childRekey,
                startAction, PSK);
    }

    /**
     * strongSwan answers, Cipherlane (the larger address) initiates. Rekeys by both, deletes from
     * strongSwan, then DPD: charon killed, Cipherlane's liveness removes the SAs, and once
     * charon is back Cipherlane negotiates again; Cipherlane killed, charon's DPD clears its SAs.
     */
    @Test
    void cipherlaneInitiatesRekeysAndFindsAGoneGateway() throws Exception {
        try (GatewayLab g = gatewayLab(2, 1, "child-lifetime = 12s, ike-lifetime = 1h, liveness = 2s")) {
            StrongSwan sw = g.t().lab().closeLater(StrongSwan.start(g.t().lab(), g.gatewayNetns(), "charon-n1",
                    swanctl(g, "none", "0", "0"), List.of("retransmit_timeout = 0.5", "retransmit_base = 1.4",
                            "retransmit_tries = 3")));
            g.t().lab().launcher().prepare();
            g.node().startAndAwait();
            awaitEstablished(g, sw);
            String ike0 = g.node().admin("show ike");
            assertTrue(ike0.lines().anyMatch(l -> l.matches("gw/0\\s+initiator\\s+established .*")), ike0);
            Ping.Result first = Ping.firstReply(g.pod().netns(), g.behind(), 20);
            assertTrue(first.received() > 0, () -> "the pod reaches the address behind strongSwan: " + first
                    + diagnostics(g, sw));

            Set<Integer> spis = new HashSet<>(outboundSpis(g.node()));
            rekeysUnderStreams(g, sw, spis, Duration.ofSeconds(30), false);

            // A CHILD SA deleted by strongSwan is removed here, and the IKE SA that carries
            // nothing then is ended; Cipherlane starts again with new SAs.
            Set<Integer> before = outboundSpis(g.node());
            sw.swanctl("--terminate", "--child", "pods");
            awaitEstablishedAgain(g, sw, before);
            before = outboundSpis(g.node());
            sw.swanctl("--terminate", "--ike", "cl");
            awaitEstablishedAgain(g, sw, before);
            assertTrue(Ping.firstReply(g.pod().netns(), g.behind(), 10).received() > 0, () -> diagnostics(g, sw));

            // DPD from our side: charon dies without a word; the liveness checks find it gone.
            sw.kill();
            // Whichever request finds it gone, the liveness check or a rekey, the session ends.
            Poll.until("the liveness checks found the gateway dead", Duration.ofSeconds(60),
                    () -> admin(g.node(), "show ike").contains("closed: dead peer")
                            || admin(g.node(), "show ike").contains("closed: peer not responding"),
                    () -> diagnostics(g, sw));
            assertEquals(Set.of(), outboundSpis(g.node()), "its SAs went with it");
            StrongSwan back = g.t().lab().closeLater(StrongSwan.start(g.t().lab(), g.gatewayNetns(), "charon-n1-again",
                    swanctl(g, "none", "0", "0"), List.of("retransmit_timeout = 0.5", "retransmit_base = 1.4",
                            "retransmit_tries = 3")));
            awaitEstablished(g, back);
            assertTrue(Ping.firstReply(g.pod().netns(), g.behind(), 20).received() > 0, () -> diagnostics(g, back));

            // DPD from strongSwan's side: the Cipherlane node dies; charon's checks clear its SAs.
            g.node().kill();
            Poll.until("charon cleared the SAs of a dead peer", Duration.ofSeconds(40),
                    () -> sas(back).isBlank() || !sas(back).contains("ESTABLISHED"), back::log);
            assertTrue(back.log().contains("giving up after"), back::log);
        }
    }

    /**
     * strongSwan (the larger address) initiates and Cipherlane answers. Rekeys by both; an IKE SA
     * deleted by strongSwan goes here, and strongSwan's next initiation is answered again.
     */
    @Test
    void cipherlaneAnswersAStrongSwanInitiator() throws Exception {
        try (GatewayLab g = gatewayLab(1, 2, "child-lifetime = 12s, ike-lifetime = 14s, liveness = 5s")) {
            // strongSwan starts first and keeps asking every 0.2 s, so Cipherlane hears it within
            // its grace and answers rather than starting a session itself.
            StrongSwan sw = g.t().lab().closeLater(StrongSwan.start(g.t().lab(), g.gatewayNetns(), "charon-n2",
                    swanctl(g, "start", "0", "0"), List.of("retransmit_timeout = 0.2", "retransmit_base = 1.0",
                            "retransmit_tries = 300")));
            g.t().lab().launcher().prepare();
            g.node().startAndAwait();
            awaitEstablished(g, sw);
            String ike = g.node().admin("show ike");
            assertTrue(ike.lines().anyMatch(l -> l.matches("gw/0\\s+responder\\s+established .*")), ike);
            Ping.Result first = Ping.firstReply(g.pod().netns(), g.behind(), 20);
            assertTrue(first.received() > 0, () -> first + diagnostics(g, sw));

            Set<Integer> spis = new HashSet<>(outboundSpis(g.node()));
            rekeysUnderStreams(g, sw, spis, Duration.ofSeconds(30), true);

            Set<Integer> before = outboundSpis(g.node());
            sw.swanctl("--terminate", "--ike", "cl");
            Poll.until("the deleted SAs went", Duration.ofSeconds(10), () -> outboundSpisQuietly(g.node()).isEmpty(),
                    () -> diagnostics(g, sw));
            sw.swanctl("--initiate", "--child", "pods");
            awaitEstablishedAgain(g, sw, before);
            assertTrue(g.node().admin("show ike").lines().anyMatch(l -> l.matches("gw/0\\s+responder\\s+established .*")),
                    () -> diagnostics(g, sw));
            assertTrue(Ping.firstReply(g.pod().netns(), g.behind(), 10).received() > 0, () -> diagnostics(g, sw));
            assertEquals(List.of(), g.node().logErrors(), g.node()::log);
        }
    }

    /**
     * Streams both ways between the pod and the address behind strongSwan for {@code sending},
     * while strongSwan rekeys the CHILD SA (at a quarter) and the IKE SA (at three quarters), and
     * Cipherlane's child lifetime (12 s) has it rekey the CHILD SA too, and with
     * {@code ourIkeRekey} its IKE lifetime (14 s) the IKE SA; nothing is lost, the CHILD SA
     * changed at least twice, and strongSwan's log shows each of those exchanges.
     */
    private static void rekeysUnderStreams(GatewayLab g, StrongSwan sw, Set<Integer> spis, Duration sending,
            boolean ourIkeRekey) throws Exception {
        InetAddress behind = InetAddress.ofLiteral(g.behind());
        CheckedStream there = g.t().closeLater(CheckedStream.between("pod-to-gateway", g.pod().netns(),
                g.gatewayNetns(), new InetSocketAddress(behind, 7751), RATE * sending.toSeconds() * 2, RATE,
                STALL_LIMIT)).sendFor(sending).start();
        CheckedStream back = g.t().closeLater(CheckedStream.between("gateway-to-pod", g.gatewayNetns(),
                g.pod().netns(), new InetSocketAddress(g.pod().address4(), 7752), RATE * sending.toSeconds() * 2, RATE,
                STALL_LIMIT)).sendFor(sending).start();
        long start = System.nanoTime();
        boolean childRekeyed = false;
        boolean ikeRekeyed = false;
        while (System.nanoTime() - start < sending.toNanos()) {
            long elapsed = System.nanoTime() - start;
            if (!childRekeyed && elapsed > sending.toNanos() / 4) {
                sw.swanctl("--rekey", "--child", "pods");
                childRekeyed = true;
            }
            if (!ikeRekeyed && elapsed > sending.toNanos() * 3 / 4) {
                sw.swanctl("--rekey", "--ike", "cl");
                ikeRekeyed = true;
            }
            spis.addAll(outboundSpis(g.node()));
            Thread.sleep(250);
        }
        for (CheckedStream s : new CheckedStream[] {there, back}) {
            CheckedStream.Result r = s.await(sending.plusMinutes(1));
            System.out.println("StrongSwanInteropTest: " + s.name() + ": " + r);
            assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + diagnostics(g, sw));
        }
        String log = sw.log();
        System.out.println("StrongSwanInteropTest: SPIs Cipherlane sent under: " + spis.size() + "\n"
                + g.node().admin("show ike"));
        assertTrue(spis.size() >= 3, () -> "the CHILD SA was rekeyed by both: " + spis + diagnostics(g, sw));
        // CHILD rekeys carry REKEY_SA and selectors, IKE rekeys neither (RFC 7296 sections 1.3.2, 1.3.3).
        assertTrue(has(log, "generating CREATE_CHILD_SA request \\d+ \\[ N\\(REKEY_SA\\)"),
                () -> "strongSwan rekeyed the CHILD SA:\n" + log);
        assertTrue(has(log, "parsed CREATE_CHILD_SA request \\d+ \\[ N\\(REKEY_SA\\)"),
                () -> "Cipherlane rekeyed the CHILD SA:\n" + log);
        assertTrue(has(log, "generating CREATE_CHILD_SA request \\d+ \\[ SA No KE \\]"),
                () -> "strongSwan rekeyed the IKE SA:\n" + log);
        assertTrue(!ourIkeRekey || has(log, "parsed CREATE_CHILD_SA request \\d+ \\[ SA No KE \\]"),
                () -> "Cipherlane rekeyed the IKE SA:\n" + log);
        assertTrue(sas(sw).contains("ESTABLISHED") && sas(sw).contains("INSTALLED"), () -> diagnostics(g, sw));
    }

    private static boolean has(String log, String regex) {
        return java.util.regex.Pattern.compile(regex).matcher(log).find();
    }

    private static void awaitEstablished(GatewayLab g, StrongSwan sw) throws Exception {
        Poll.until("the tunnel to strongSwan was established", Duration.ofSeconds(20),
                () -> established(g.node()) && sas(sw).contains("INSTALLED"), () -> diagnostics(g, sw));
    }

    /** Established again under new SAs: none of {@code before} is still sent under. */
    private static void awaitEstablishedAgain(GatewayLab g, StrongSwan sw, Set<Integer> before) throws Exception {
        Poll.until("established again under new SAs (before: " + before + ")", Duration.ofSeconds(30), () -> {
            Set<Integer> now = outboundSpisQuietly(g.node());
            return established(g.node()) && !now.isEmpty() && now.stream().noneMatch(before::contains)
                    && sas(sw).contains("INSTALLED");
        }, () -> diagnostics(g, sw));
    }

    private static boolean established(LabNode n) {
        return admin(n, "show ike").lines().anyMatch(l -> l.startsWith("gw/0 ") && l.contains(" established "));
    }

    private static Set<Integer> outboundSpis(LabNode n) throws Exception {
        return NodeViews.outboundSpis(n.admin("show sa"));
    }

    private static Set<Integer> outboundSpisQuietly(LabNode n) {
        try {
            return outboundSpis(n);
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static String admin(LabNode n, String request) {
        try {
            return n.admin(request);
        } catch (Exception e) {
            return "";
        }
    }

    private static String sas(StrongSwan sw) {
        try {
            return sw.sas();
        } catch (Exception e) {
            return "";
        }
    }

    private static String diagnostics(GatewayLab g, StrongSwan sw) {
        return "\n--- Cipherlane ---\n" + g.node().diagnostics() + admin(g.node(), "show ike") + "\n--- strongSwan ---\n" + sas(sw) + "\n" + sw.log();
    }
}
