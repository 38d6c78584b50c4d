package dev.cipherlane.cli.pods;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.NodeViews;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRO toward pods: when the sending pod's kernel does not segment-offload (TSO and GSO off
 * on its interface), its TCP segments reach the node one by one, and the node must hand
 * the receiving pod coalesced super-packets, with every byte intact.
 */
@Tag("root")
class PodCoalescingTest {
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private PodTestbed t;

    @BeforeEach
    void needsRoot() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and taps");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/ethtool")) || Files.isExecutable(Path.of("/sbin/ethtool")),
                "needs ethtool (bin/lib/install-packages.sh installs it)");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void segmentsFromAPodWithoutTsoReachTheOtherPodCoalesced() throws Exception {
        t = PodTestbed.create(dir, 1, 1);
        t.start();
        Commands.Result off = t.runIn(t.a, Duration.ofSeconds(30), "ethtool", "-K", "eth0", "tso", "off", "gso", "off");
        assertTrue(off.ok(), off::toString);

        CheckedStream s = t.closeLater(PodTestbed.stream("gro", t.a, t.b, t.b.address4(), 7101, 64 * MIB, 0,
                Duration.ofSeconds(120)));
        CheckedStream.Result r = s.start().await(Duration.ofMinutes(5));
        assertTrue(r.intact(), () -> "stream pod-a -> pod-b: " + r + "\n" + t.diagnostics());

        String errors = t.admin("show errors");
        long merged = NodeViews.error(errors, "gro4", "gro packets merged");
        long superPackets = NodeViews.error(errors, "gro4", "gro super-packets out");
        System.out.println("PodCoalescingTest: " + merged + " segments merged into " + superPackets
                + " super-packets\n" + errors);
        assertTrue(merged > 0 && superPackets > 0, () -> "no coalescing toward pod-b:\n" + errors);
        assertTrue(NodeViews.error(errors, PodTestbed.tapInput(t.a, 0), "gso super-packets received") == 0,
                () -> "pod-a still sent super-packets with TSO off:\n" + errors);
        t.awaitNoBuffersInUse();
    }
}
