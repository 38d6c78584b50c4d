package dev.cipherlane.cli.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.NodeViews;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two pods on one node ping each other through the node service, over IPv4 and IPv6, and
 * the node's counters show the packets took the forwarding path: in through each pod's tap,
 * Ethernet, IP input, lookup and rewrite, out through tap-output; and every packet buffer
 * is back in its pool afterwards.
 */
@Tag("root")
class PodPingTest {
    private static final Duration PING_LIMIT = Duration.ofSeconds(30);
    /** Counters are summed from the workers' own; give them a moment to be read after a packet. */
    private static final Duration COUNTER_LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private PodTestbed t;

    @BeforeEach
    void startNode() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and taps");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        t = PodTestbed.create(dir);
        t.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void podsPingEachOtherOverIpv4() throws Exception {
        ping(t.a, t.b.ip4(), "ping", "-c", "3", "-W", "2", t.b.ip4());
        ping(t.b, t.a.ip4(), "ping", "-c", "3", "-W", "2", t.a.ip4());
        // 3 requests and 3 replies each way.
        awaitForwarded(List.of("ethernet-input", "ip4-input", "ip4-lookup", "ip4-rewrite", "tap-output"), 12);
        awaitForwarded(List.of(PodTestbed.tapInput(t.a, 0), PodTestbed.tapInput(t.b, 0)), 6);
        assertNoForwardingErrors();
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    @Test
    void podsPingEachOtherOverIpv6() throws Exception {
        ping(t.a, t.b.ip6(), "ping", "-6", "-c", "3", "-W", "2", t.b.ip6());
        ping(t.b, t.a.ip6(), "ping", "-6", "-c", "3", "-W", "2", t.a.ip6());
        awaitForwarded(List.of("ethernet-input", "ip6-input", "ip6-lookup", "ip6-rewrite", "tap-output"), 12);
        awaitForwarded(List.of(PodTestbed.tapInput(t.a, 0), PodTestbed.tapInput(t.b, 0)), 6);
        assertNoForwardingErrors();
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    /** Every echo request answered: nothing on this path may lose a packet. */
    private void ping(LabPod from, String to, String... command) throws Exception {
        Commands.Result r = t.runIn(from, PING_LIMIT, command);
        assertEquals(0, r.exit(), () -> from.name() + " cannot ping " + to + ": " + r + "\n" + t.diagnostics());
        assertTrue(r.output().contains("3 packets transmitted, 3 received"),
                () -> "lost echoes from " + from.name() + " to " + to + ": " + r + "\n" + t.diagnostics());
    }

    private void awaitForwarded(List<String> stages, long atLeast) throws Exception {
        t.waitUntil("at least " + atLeast + " packets through each of " + stages, COUNTER_LIMIT, () -> {
            String runtime = t.admin("show runtime");
            return stages.stream().allMatch(s -> NodeViews.packets(runtime, s) >= atLeast);
        });
    }

    /**
     * Pods also send router solicitations and MLD reports, which the node may drop with a
     * reason; but nothing that was forwarded may fail in a rewrite, in a tap write or read.
     */
    private void assertNoForwardingErrors() throws Exception {
        String errors = t.admin("show errors");
        for (Map.Entry<String, Long> e : NodeViews.errors(errors).entrySet()) {
            String counter = e.getKey();
            boolean forwardingFailure = counter.startsWith("ip4-rewrite:") || counter.startsWith("ip6-rewrite:")
                    || counter.startsWith("tap-output:") || counter.endsWith(": read error");
            assertFalse(forwardingFailure, () -> "unexpected drops: " + counter + " = " + e.getValue() + "\n" + errors);
        }
    }
}
