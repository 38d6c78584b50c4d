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
import dev.cipherlane.testbed.Poll;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The IV is never reused under a key, not even across a crash (DESIGN.md, IPsec): node n1 is
 * SIGKILLed while paced TCP streams between the pods run both ways over ESP, and started again
 * with the same config and key files. The streams carry on to the end with every byte intact,
 * and a capture of the whole test on the wire never sees one (SPI, sequence number) pair twice
 * ({@link WireAudit}, {@link SequenceLedger}): the restarted node continues above the sequence
 * numbers it had reserved on disk. A small reservation block (ipsec.sequence-block) makes the
 * node reserve many times before the kill, so the kill lands inside a block.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EspRestartTest {
    private static final long MB = 1_000_000;
    /** 12 MB at 1 MB/s each way: long enough to kill and restart n1 in the middle. */
    private static final long BYTES = 12 * MB;
    private static final long RATE = MB;
    private static final long SEQUENCE_BLOCK = 1024;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(120);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(3);
    private static final Duration DOWN_TIME = Duration.ofSeconds(1);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void aKilledNodeComesBackAndNeverSendsASequenceNumberTwice() throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withRelay(true)
                .withIpsec(LabIpsec.ON.withSequenceBlock(SEQUENCE_BLOCK));
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            LabNode n1 = t.node(1);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            WireAudit audit = new WireAudit(t.lab().pods());
            t.observe(audit);
            CheckedStream there = t.closeLater(CheckedStream.between("restart-v4-n1-to-n2", a, b, b.address4(),
                    7951, BYTES, RATE, STALL_LIMIT)).start();
            CheckedStream back = t.closeLater(CheckedStream.between("restart-v6-n2-to-n1", b, a, a.address6(),
                    7952, BYTES, RATE, STALL_LIMIT)).start();
            Poll.until("a quarter of both streams arrives", STREAM_LIMIT,
                    () -> there.received() >= BYTES / 4 && back.received() >= BYTES / 4, t::diagnostics);

            List<NodeViews.SaRow> before = NodeViews.sas(n1.admin("show sa"));
            long killedAt = System.nanoTime();
            n1.kill();
            long sentBeforeKill = audit.espPackets(Direction.A_TO_B);
            Map<Integer, WireAudit.SpiUse> wireBeforeKill = audit.spis();
            Thread.sleep(DOWN_TIME.toMillis());
            assertTrue(there.received() < BYTES && back.received() < BYTES,
                    "a stream ended before n1 came back: the restart would prove nothing");
            n1.startAndAwait();
            long restartedAt = System.nanoTime();
            List<NodeViews.SaRow> after = NodeViews.sas(n1.admin("show sa"));

            CheckedStream.Result r1 = there.await(STREAM_LIMIT);
            CheckedStream.Result r2 = back.await(STREAM_LIMIT);
            t.observe();
            System.out.printf("EspRestartTest: n1 down for %d ms (SIGKILL until serving again)%n",
                    (restartedAt - killedAt) / 1_000_000);
            System.out.println("EspRestartTest: " + there.name() + ": " + r1);
            System.out.println("EspRestartTest: " + back.name() + ": " + r2);
            System.out.println("EspRestartTest: n1 show sa before the kill: " + before + "\nafter the restart: "
                    + after + "\nthe wire: " + audit.summary());
            assertTrue(r1.intact(), () -> there.name() + ": " + r1 + "\n" + t.diagnostics());
            assertTrue(r2.intact(), () -> back.name() + ": " + r2 + "\n" + t.diagnostics());

            assertEquals(0, audit.repeatedSequences(), () -> "sequence numbers sent twice: " + audit.repeats());
            assertEquals(List.of(), audit.violations(), () -> audit.violationCount() + " frames in clear or unknown");
            assertTrue(audit.espPackets(Direction.A_TO_B) > sentBeforeKill,
                    () -> "the restarted n1 sent ESP again\n" + audit.summary());
            // The restarted node starts above everything the killed one put on the wire.
            for (NodeViews.SaRow sa : after) {
                WireAudit.SpiUse use = wireBeforeKill.get(sa.spi());
                if (sa.outbound() && use != null) {
                    assertTrue(sa.nextSequence() > use.highestSequence(), () -> String.format(
                            "spi 0x%08x restarted at %d, the killed node had sent up to %d", sa.spi(),
                            sa.nextSequence(), use.highestSequence()));
                }
            }
            for (LabNode n : t.lab().nodes()) {
                String errors = n.admin("show errors");
                assertEquals(0, NodeViews.reasonTotal(errors, "integrity check failed"), () -> n + ":\n" + errors);
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }
}
