package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.ipsec.ike.keys.PreSharedKey;
import dev.cipherlane.ipsec.ike.message.TrafficSelector;
import dev.cipherlane.ipsec.ike.session.Effect;
import dev.cipherlane.ipsec.ike.session.IkeConfig;
import dev.cipherlane.ipsec.ike.session.IkeSession;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import dev.cipherlane.testbed.Ping;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IKE as the wire sees it, two nodes negotiating through the relay: a flood of IKE_SA_INIT
 * requests is turned away while the tunnels carry their streams, and a node killed with
 * SIGKILL comes back under new SAs without a single (SPI, sequence number) pair repeated on
 * the wire, which under AES-GCM would be a nonce used twice (RFC 4106 section 3.1).
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class IkeWireTest {
    private static final long MB = 1_000_000;
    private static final long RATE = 2 * MB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final int UNKNOWN = 1000;
    private static final int SPOOFED = 1000;
    private static final Pattern TURNED_AWAY = Pattern.compile(
            "answered with a cookie: (\\d+), dropped for a full tunnel: (\\d+); IKE from addresses no tunnel has,"
                    + " dropped: (\\d+)");

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    private static LabSpec spec() {
        return LabSpec.defaults().withPodsPerNode(1).withTunnels(2, 1).withRelay(true).withIpsec(LabIpsec.ON);
    }

    /**
     * A thousand IKE_SA_INIT requests from as many addresses no tunnel has, and a thousand more
     * from the peer's own address with fresh SPIs, all at n1 (the responder of its tunnels):
     * the first are dropped before any session sees them (RFC 4301 section 5.2), the others meet
     * cookies beyond two half-open SAs (RFC 7296 section 2.6), costing neither state nor
     * Diffie-Hellman. The established tunnels keep their SAs and their streams arrive intact.
     */
    @Test
    void aFloodOfIkeSaInitIsTurnedAwayWhileTheTunnelsCarryTheirStreams() throws Exception {
        try (NodeTestbed t = IkeRekeyTest.ikeLab(spec(), "liveness = 30s")) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            assertTrue(Ping.firstReply(a.netns(), b.ip4(), 20).received() > 0, () -> ikeDiagnostics(t));
            Set<Integer> before = outboundSpis(n1);
            Duration sending = Duration.ofSeconds(20);
            CheckedStream there = t.closeLater(CheckedStream.between("flood-n1-to-n2", a, b, b.address4(), 7781,
                    RATE * sending.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(sending).start();
            CheckedStream back = t.closeLater(CheckedStream.between("flood-n2-to-n1", b, a, a.address4(), 7782,
                    RATE * sending.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(sending).start();

            String mac = t.lab().namespace(n1.netns()).exec("cat", "/sys/class/net/" + LabNode.WIRE + "/address").strip();
            Process flood = t.lab().spawn(t.lab().relayNetns(), "ike-flood", List.of(PYTHON.toString(), "-c", script(),
                    Lab.RELAY_PORT_A, mac, n1.underlay(), HexFormat.of().formatHex(init(n2.underlay(), n1.underlay())),
                    Integer.toString(UNKNOWN), "10.200.100.1", Integer.toString(SPOOFED), n2.underlay()));
            assertTrue(flood.waitFor(60, TimeUnit.SECONDS), "the flood did not finish");
            String log = t.lab().toolLog("ike-flood");
            assertEquals(0, flood.exitValue(), log);
            assertTrue(log.contains("sent " + (UNKNOWN + SPOOFED)), log);

            CheckedStream.Result r1 = there.await(STREAM_LIMIT);
            CheckedStream.Result r2 = back.await(STREAM_LIMIT);
            String ike = n1.admin("show ike");
            System.out.println("IkeWireTest: " + there.name() + ": " + r1 + ", " + back.name() + ": " + r2 + "\n" + ike);
            assertTrue(r1.intact(), () -> there.name() + ": " + r1 + "\n" + t.diagnostics());
            assertTrue(r2.intact(), () -> back.name() + ": " + r2 + "\n" + t.diagnostics());
            Matcher m = TURNED_AWAY.matcher(ike);
            assertTrue(m.find(), ike);
            long cookies = Long.parseLong(m.group(1));
            long full = Long.parseLong(m.group(2));
            long unknown = Long.parseLong(m.group(3));
            assertTrue(unknown >= UNKNOWN, () -> "every request from an unknown address was dropped:\n" + ike);
            // Two half-open SAs may stand; each further request got a cookie, none needed room.
            assertTrue(cookies >= SPOOFED - 2, () -> "the spoofed requests met cookies:\n" + ike);
            assertEquals(0, full, ike);
            assertEquals(before, outboundSpis(n1), "the tunnels kept their SAs");
            assertTrue(ike.lines().filter(l -> l.startsWith("n2/")).allMatch(l -> l.contains(" established ")), ike);
            assertEquals(List.of(), n1.logErrors(), n1::log);
        }
    }

    /**
     * kill -9 of n1 during streams both ways: after its restart the tunnels are negotiated
     * again, the streams finish intact, and the wire never carried one (SPI, sequence) pair
     * twice, nor anything in clear.
     */
    @Test
    void afterKillNineNoSpiAndSequencePairIsSeenTwiceOnTheWire() throws Exception {
        try (NodeTestbed t = IkeRekeyTest.ikeLab(spec(), "liveness = 30s")) {
            LabNode n1 = t.node(1);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            WireAudit audit = new WireAudit(t.lab().pods());
            t.observe(audit);
            assertTrue(Ping.firstReply(a.netns(), b.ip4(), 20).received() > 0, () -> ikeDiagnostics(t));
            long bytes = 24 * MB;
            CheckedStream there = t.closeLater(CheckedStream.between("kill-n1-to-n2", a, b, b.address4(), 7783, bytes,
                    RATE, Duration.ofMinutes(2))).start();
            CheckedStream back = t.closeLater(CheckedStream.between("kill-n2-to-n1", b, a, a.address6(), 7784, bytes,
                    RATE, Duration.ofMinutes(2))).start();
            Thread.sleep(3000);
            Set<Integer> old = new HashSet<>();
            for (LabNode n : t.lab().nodes()) {
                old.addAll(outboundSpis(n));
            }
            n1.kill();
            Thread.sleep(1000);
            n1.startAndAwait();
            CheckedStream.Result r1 = there.await(STREAM_LIMIT);
            CheckedStream.Result r2 = back.await(STREAM_LIMIT);
            t.observe();
            System.out.println("IkeWireTest: " + there.name() + ": " + r1 + ", " + back.name() + ": " + r2
                    + "\nthe wire: " + audit.summary());
            assertTrue(r1.intact(), () -> there.name() + ": " + r1 + "\n" + t.diagnostics());
            assertTrue(r2.intact(), () -> back.name() + ": " + r2 + "\n" + t.diagnostics());
            assertEquals(0, audit.repeatedSequences(), () -> "pairs sent twice: " + audit.repeats());
            assertEquals(List.of(), audit.violations(), () -> audit.violationCount() + " frames in clear or unknown");
            Set<Integer> now = new HashSet<>();
            for (LabNode n : t.lab().nodes()) {
                now.addAll(outboundSpis(n));
            }
            assertTrue(now.stream().noneMatch(old::contains), () -> "new SAs on both nodes: " + old + " then " + now);
        }
    }

    /** An IKE_SA_INIT request as our own engine writes it, from {@code from} to {@code to}. */
    private static byte[] init(String from, String to) throws Exception {
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByName(from), 500);
        InetSocketAddress peer = new InetSocketAddress(InetAddress.getByName(to), 500);
        IkeConfig c = IkeConfig.builder(local, peer, PreSharedKey.of("not the lab's key, never used".getBytes(
                        StandardCharsets.UTF_8)))
                .selectors(List.of(TrafficSelector.range(4, local.getAddress(), local.getAddress())),
                        List.of(TrafficSelector.range(4, peer.getAddress(), peer.getAddress())))
                .build();
        for (Effect e : new IkeSession(c, new SecureRandom()).start(0)) {
            if (e instanceof Effect.Send send) {
                return send.message();
            }
        }
        throw new IllegalStateException("the session sent no IKE_SA_INIT");
    }

    private static String script() throws Exception {
        try (InputStream in = IkeWireTest.class.getResourceAsStream("ike_flood.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Set<Integer> outboundSpis(LabNode n) throws Exception {
        return NodeViews.outboundSpis(n.admin("show sa"));
    }

    private static String ikeDiagnostics(NodeTestbed t) {
        StringBuilder sb = new StringBuilder(t.diagnostics());
        for (LabNode n : t.lab().nodes()) {
            try {
                sb.append("--- ").append(n.name()).append(": show ike, show sa ---\n").append(n.admin("show ike"))
                        .append(n.admin("show sa"));
            } catch (Exception e) {
                sb.append(n.name()).append(": ").append(e).append('\n');
            }
        }
        return sb.toString();
    }
}
