package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bad wire between two ESP nodes: the relay loses 1% of the frames, duplicates 1% and
 * holds 1% back behind three later ones, in both directions. TCP between pods must still
 * deliver every byte, in order and unchanged, both ways; the relay's counters show the faults
 * really happened. Every duplicated ESP packet is stopped by the receiver's anti-replay
 * window (RFC 4303 section 3.4.3) and counted as an {@code esp-decrypt} "replay" drop, at
 * most one per frame the relay duplicated toward that node; reordering by three frames stays
 * inside the window, so nothing is dropped as too old, and no packet fails its ICV.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ImpairedWireTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 16 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(3);
    private static final Impairment BAD_WIRE = Impairment.NONE.withLoss(1).withDuplication(1)
            .withReordering(1, 3, Duration.ofMillis(20));

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void espStreamsBothWaysArriveIntactThroughLossDuplicationAndReordering() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(LabSpec.defaults().withPodsPerNode(1).withRelay(true)
                .withIpsec(LabIpsec.ON))) {
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            Ping.firstReply(a.netns(), b.ip4(), 5);
            WireAudit audit = new WireAudit(t.lab().pods());
            t.observe(audit);
            t.relay().impairBoth(BAD_WIRE);
            CheckedStream there = t.closeLater(CheckedStream.between("lossy-n1-to-n2", a, b, b.address4(), 7701,
                    STREAM_BYTES, 0, STALL_LIMIT));
            CheckedStream back = t.closeLater(CheckedStream.between("lossy-n2-to-n1", b, a, a.address6(), 7702,
                    STREAM_BYTES, 0, STALL_LIMIT));
            there.start();
            back.start();
            for (CheckedStream s : List.of(there, back)) {
                CheckedStream.Result r = s.await(STREAM_LIMIT);
                System.out.println("ImpairedWireTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            t.relay().impairBoth(Impairment.NONE);
            t.observe();
            System.out.print("ImpairedWireTest: the wire as the nodes sent it: " + audit.summary());
            assertEquals(List.of(), audit.violations(), () -> audit.violationCount() + " frames in clear or unknown");
            for (Direction d : Direction.values()) {
                RelayCounters c = t.relay().counters(d);
                System.out.println("ImpairedWireTest: relay " + d + ": " + c);
                assertTrue(c.dropped() > 0 && c.duplicated() > 0 && c.reordered() > 0,
                        () -> "the relay impaired " + d + ": " + c);
                assertEquals(0, c.errors(), () -> d + ": " + c);
                LabNode receiver = t.node(d == Direction.A_TO_B ? 2 : 1);
                String errors = receiver.admin("show errors");
                long replays = NodeViews.reasonTotal(errors, "replay");
                System.out.println("ImpairedWireTest: " + receiver.name() + " dropped " + replays
                        + " replayed ESP packets of " + c.duplicated() + " frames duplicated toward it");
                assertTrue(replays > 0 && replays <= c.duplicated(), () -> receiver.name() + ", relay " + d + ": " + c
                        + "\n" + errors);
                assertEquals(0, NodeViews.reasonTotal(errors, "older than the replay window"), errors);
                assertEquals(0, NodeViews.reasonTotal(errors, "integrity check failed"), errors);
            }
            assertNull(t.relay().failure());
            for (LabNode n : t.lab().nodes()) {
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }
}
