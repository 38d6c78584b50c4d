package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.supervisor.lab.CheckedStream;
import dev.cipherlane.supervisor.lab.Lab;
import dev.cipherlane.supervisor.lab.LabNode;
import dev.cipherlane.supervisor.lab.LabPod;
import dev.cipherlane.supervisor.lab.LabSpec;
import dev.cipherlane.supervisor.lab.Ping;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A bad wire between the nodes: the relay loses 1% of the frames, duplicates 1% and holds
 * 1% back behind three later ones, in both directions. Tunnelled TCP between pods must still
 * deliver every byte, in order and unchanged, both ways; the relay's counters show the
 * faults really happened. Nothing is corrupted here: without ESP a flipped bit in an inner
 * payload is caught only by TCP's checksum, which is the pods' business, not the nodes'.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ImpairedWireTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 24 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(3);
    private static final Impairment BAD_WIRE = Impairment.NONE.withLoss(1).withDuplication(1)
            .withReordering(1, 3, Duration.ofMillis(20));

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void streamsBothWaysArriveIntactThroughLossDuplicationAndReordering() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(LabSpec.defaults().withPodsPerNode(1).withRelay(true))) {
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            Ping.firstReply(a.netns(), b.ip4(), 5);
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
            for (Direction d : Direction.values()) {
                RelayCounters c = t.relay().counters(d);
                System.out.println("ImpairedWireTest: relay " + d + ": " + c);
                assertTrue(c.dropped() > 0 && c.duplicated() > 0 && c.reordered() > 0,
                        () -> "the relay impaired " + d + ": " + c);
                assertEquals(0, c.errors(), () -> d + ": " + c);
            }
            assertNull(t.relay().failure());
            for (LabNode n : t.lab().nodes()) {
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }
}
