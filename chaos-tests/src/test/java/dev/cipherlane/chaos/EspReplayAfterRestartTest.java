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
import java.net.InetSocketAddress;
import java.nio.file.Path;
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
 * Anti-replay survives a crash (RFC 4303 section 3.4.3, DESIGN.md "Replay windows, like
 * sequence numbers, survive restarts"): the ESP that n2 sends to n1 during a checked stream
 * is recorded off the wire, n1 is SIGKILLed and started again with the same keys, and
 * Debian's scapy sends the recording to n1 again on its wire. Every replayed packet is
 * dropped as a replay ({@code show errors}: replay or older than the window), none reaches
 * the pod; then new checked streams both ways arrive intact.
 *
 * <p>After a crash n1's window resumes at the mark it had persisted ahead, up to one
 * sequence block above what it really accepted, so n2's next numbers in that gap are dropped
 * as replays too (the safe side); a burst of datagrams from n2's pod uses them up before the
 * new streams. A small block keeps that short.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EspReplayAfterRestartTest {
    private static final long MB = 1_000_000;
    private static final long BYTES = 2 * MB;
    private static final long RATE = 4 * MB;
    private static final long SEQUENCE_BLOCK = 1024;
    private static final int KEPT = 3000;
    private static final int SERVER_PORT = 9200;
    private static final int BURST_PORT = 43000;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @BeforeEach
    void needs() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import scapy.all").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assumeTrue(p.waitFor() == 0, "needs Debian's python3-scapy for " + PYTHON);
    }

    private static long replayDrops(LabNode n) throws Exception {
        String errors = n.admin("show errors");
        return NodeViews.reasonTotal(errors, "replay") + NodeViews.reasonTotal(errors, "older than the replay window");
    }

    private static long inboundPackets(LabNode n) throws Exception {
        return NodeViews.sas(n.admin("show sa")).stream().filter(sa -> !sa.outbound())
                .mapToLong(NodeViews.SaRow::packets).sum();
    }

    @Test
    void packetsCapturedBeforeAKillAreDroppedAsReplaysAfterTheRestart() throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withTunnels(1, 0).withRelay(true)
                .withIpsec(LabIpsec.ON.withSequenceBlock(SEQUENCE_BLOCK));
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            LabNode n1 = t.node(1);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            // Port A faces n1: what n2 sends to n1 crosses the relay from B to A.
            EspCapture capture = new EspCapture(Direction.B_TO_A, KEPT);
            t.observe(capture);
            CheckedStream before = t.closeLater(CheckedStream.between("replay-before-n2-to-n1", b, a, a.address4(),
                    7961, BYTES, RATE, STALL_LIMIT)).start();
            CheckedStream.Result r0 = before.await(STREAM_LIMIT);
            assertTrue(r0.intact(), () -> before.name() + ": " + r0 + "\n" + t.diagnostics());
            t.observe();
            Path pcap = t.lab().directory().resolve("n2-to-n1-esp.pcap");
            int recorded = capture.writePcap(pcap);
            assertTrue(recorded > 500, () -> "recorded " + recorded + " ESP packets from n2 to n1");
            long acceptedBefore = inboundPackets(n1);

            n1.kill();
            n1.startAndAwait();
            assertEquals(0, replayDrops(n1), "a fresh process counts from 0");
            long acceptedAtStart = inboundPackets(n1);

            Process scapy = t.lab().spawn(t.lab().relayNetns(), "scapy-replay", List.of(PYTHON.toString(), "-c",
                    "import sys\nfrom scapy.all import rdpcap, sendp\n"
                            + "sendp(rdpcap(sys.argv[1]), iface=sys.argv[2], verbose=False)",
                    pcap.toString(), Lab.RELAY_PORT_A));
            assertTrue(scapy.waitFor(60, TimeUnit.SECONDS), "scapy did not finish");
            String scapyLog = t.lab().toolLog("scapy-replay");
            assertEquals(0, scapy.exitValue(), scapyLog);
            Poll.until("n1 counted every replayed packet", Duration.ofSeconds(20),
                    () -> replayDrops(n1) >= recorded, t::diagnostics);
            String errors = n1.admin("show errors");
            System.out.println("EspReplayAfterRestartTest: " + recorded + " packets replayed (n1 had accepted "
                    + acceptedBefore + " before the kill)\n" + errors);
            assertEquals(recorded, replayDrops(n1), () -> "every replayed packet dropped as a replay:\n" + errors);
            assertEquals(0, NodeViews.reasonTotal(errors, "integrity check failed"), errors);
            assertEquals(0, NodeViews.reasonTotal(errors, "replay mark not yet persisted"), errors);
            assertEquals(acceptedAtStart, inboundPackets(n1), "not one replayed packet passed n1's window");

            // n2's own next numbers up to n1's resumed mark count as seen: use them up.
            Map<Integer, Integer> burst = UdpProbe.send(b.netns(), b.ip4(), List.of(BURST_PORT), a.netns(),
                    new InetSocketAddress(a.address4(), SERVER_PORT), (int) (2 * SEQUENCE_BLOCK),
                    Duration.ofNanos(200_000), Duration.ofSeconds(1));
            assertTrue(burst.get(BURST_PORT) > 0, () -> "datagrams from n2 arrive again: " + burst);

            CheckedStream there = t.closeLater(CheckedStream.between("replay-after-n1-to-n2", a, b, b.address4(),
                    7962, BYTES, RATE, STALL_LIMIT)).start();
            CheckedStream back = t.closeLater(CheckedStream.between("replay-after-n2-to-n1", b, a, a.address6(),
                    7963, BYTES, RATE, STALL_LIMIT)).start();
            CheckedStream.Result r1 = there.await(STREAM_LIMIT);
            CheckedStream.Result r2 = back.await(STREAM_LIMIT);
            System.out.println("EspReplayAfterRestartTest: burst " + burst + ", " + there.name() + ": " + r1 + ", "
                    + back.name() + ": " + r2);
            assertTrue(r1.intact(), () -> there.name() + ": " + r1 + "\n" + t.diagnostics());
            assertTrue(r2.intact(), () -> back.name() + ": " + r2 + "\n" + t.diagnostics());
            for (LabNode n : t.lab().nodes()) {
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }
}
