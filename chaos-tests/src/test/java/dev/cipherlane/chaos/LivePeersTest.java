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
import dev.cipherlane.testbed.Ping;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Peers come and go on a running encrypted node: node 1 is reloaded without its peer n3 and
 * with it again, over and over, while a byte-checked stream runs between node 1 and node 2.
 * Without n3, node 1 routes nothing to n3's pods and takes nothing from its tunnels; with it,
 * n3's pod is reached through the tunnels again. The stream to n2, a peer no change touches,
 * arrives intact, and node 1's dataplane is never rebuilt.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LivePeersTest {
    private static final long MIB = 1 << 20;
    private static final long RATE = 4 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(30);
    private static final Duration SENDING = Duration.ofSeconds(40);
    private static final int CYCLES = 8;
    private static final String STARTED = "dataplane running:";

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void aPeerRemovedAndAddedLiveLeavesTheOtherPeersFlowsAlone() throws Exception {
        LabSpec spec = LabSpec.defaults().withNodes(3).withPodsPerNode(1).withTunnels(2, 1).withIpsec(LabIpsec.ON);
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            LabNode n1 = t.node(1);
            String original = Files.readString(n1.config());
            String withoutN3 = original.lines().filter(l -> !l.contains("name = \"n3\""))
                    .collect(Collectors.joining("\n", "", "\n"));
            assertTrue(withoutN3.length() < original.length(), original);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            LabPod c = t.pod(3, 1);
            assertTrue(Ping.firstReply(a.netns(), c.ip4(), 10).received() > 0, t::diagnostics);
            CheckedStream there = t.closeLater(CheckedStream.between("peers-n1-to-n2", a, b, b.address4(), 7731,
                    RATE * SENDING.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(SENDING).start();
            CheckedStream back = t.closeLater(CheckedStream.between("peers-n2-to-n1", b, a, a.address4(), 7732,
                    RATE * SENDING.toSeconds() * 2, RATE, STALL_LIMIT)).sendFor(SENDING).start();

            for (int i = 0; i < CYCLES; i++) {
                reload(t, n1, withoutN3);
                String tunnels = n1.admin("show tunnels");
                assertTrue(!tunnels.contains("n3/") && tunnels.contains("n2/0"), tunnels);
                assertEquals(0, Ping.run(a.netns(), c.ip4(), 2).received(), "nothing reaches a removed peer");
                reload(t, n1, original);
                assertTrue(n1.admin("show tunnels").contains("n3/1"), n1::log);
                Ping.Result ping = Ping.firstReply(a.netns(), c.ip4(), 10);
                assertTrue(ping.received() > 0, () -> "the peer added again is reached: " + ping + t.diagnostics());
            }

            for (CheckedStream s : new CheckedStream[] {there, back}) {
                CheckedStream.Result r = s.await(SENDING.plusMinutes(1));
                System.out.println("LivePeersTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            assertEquals(1, n1.log().split(STARTED, -1).length - 1, () -> "no peer change rebuilt the dataplane:\n" + n1.log());
            Awaits.noBuffersInUse(n1, t::diagnostics);
        }
    }

    private static void reload(NodeTestbed t, LabNode n, String config) throws Exception {
        Files.writeString(n.config(), config);
        String answer = n.admin("reload");
        // The file watch may have applied it first: then the reload finds nothing to do.
        assertTrue(answer.startsWith("reload: applied") || answer.equals("reload: no changes\n"),
                () -> n.name() + ": " + answer + t.diagnostics());
    }
}
