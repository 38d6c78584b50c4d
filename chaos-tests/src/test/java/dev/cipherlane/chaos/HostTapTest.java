package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import dev.cipherlane.testbed.Ping;
import dev.cipherlane.testbed.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node's own traffic while the service holds its uplink: the kernel of each node
 * namespace keeps talking to the other over the host tap (ping and a byte-checked TCP
 * stream between the two nodes' own addresses, through both dataplanes), and the uplink is
 * given back as it was, compared field by field with {@code ip -j}: after a SIGTERM, and
 * after a SIGKILL (which gives nothing back) followed by a restart and a final SIGTERM.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HostTapTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 8 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    /** Addresses the kernel configures itself (IPv6 link-local) come back a moment after the interface. */
    private static final Duration RESTORE_LIMIT = Duration.ofSeconds(15);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void nodesTalkOverTheirHostTapsAndGetTheirUplinksBackAfterStopAndAfterACrash() throws Exception {
        try (NodeTestbed t = NodeTestbed.build(LabSpec.defaults().withPodsPerNode(1))) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            KernelState before1 = KernelState.settled(n1.netns());
            KernelState before2 = KernelState.settled(n2.netns());
            t.lab().start();

            nodesTalk(t, n1, n2, 7601);
            long hostPackets = NodeViews.runtimeByFamily(n1.admin("show runtime"))
                    .getOrDefault("tap-input", new NodeViews.StageRow(0, 0, 0)).packets();
            assertTrue(hostPackets > 0, () -> "n1's kernel traffic came in through a tap\n" + t.diagnostics());

            assertEquals(0, n1.stop(), n1::log);
            assertEquals(0, n2.stop(), n2::log);
            awaitRestored(t, n1, before1);
            awaitRestored(t, n2, before2);

            n1.startAndAwait();
            n2.startAndAwait();
            nodesTalk(t, n1, n2, 7602);
            n1.kill();
            n1.startAndAwait(); // takes the uplink from the state the killed process left
            nodesTalk(t, n1, n2, 7603);
            assertEquals(0, n1.stop(), n1::log);
            assertEquals(0, n2.stop(), n2::log);
            awaitRestored(t, n1, before1);
            awaitRestored(t, n2, before2);
            for (LabNode n : List.of(n1, n2)) {
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }

    /** Ping both ways, then a checked stream each way between the nodes' own addresses. */
    private static void nodesTalk(NodeTestbed t, LabNode n1, LabNode n2, int port) throws Exception {
        Ping.firstReply(n1.netns(), n2.underlay(), 5);
        for (LabNode[] p : new LabNode[][] {{n1, n2}, {n2, n1}}) {
            Ping.Result r = Ping.run(p[0].netns(), p[1].underlay(), 3);
            assertTrue(r.allAnswered(), () -> p[0].name() + " pings " + p[1].name() + ": " + r + "\n" + r.output()
                    + t.diagnostics());
        }
        CheckedStream there = t.closeLater(CheckedStream.between("host-" + port + "-n1-to-n2", n1.netns(),
                n2.netns(), new InetSocketAddress(n2.underlay(), port), STREAM_BYTES, 0, STALL_LIMIT));
        CheckedStream back = t.closeLater(CheckedStream.between("host-" + port + "-n2-to-n1", n2.netns(),
                n1.netns(), new InetSocketAddress(n1.underlay(), port), STREAM_BYTES, 0, STALL_LIMIT));
        there.start();
        back.start();
        for (CheckedStream s : List.of(there, back)) {
            CheckedStream.Result r = s.await(STREAM_LIMIT);
            System.out.println("HostTapTest: " + s.name() + ": " + r);
            assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            s.close();
        }
    }

    private static void awaitRestored(NodeTestbed t, LabNode n, KernelState before) throws Exception {
        KernelState[] now = new KernelState[1];
        try {
            Poll.until(n.name() + "'s kernel interfaces, addresses and routes as before the node started",
                    RESTORE_LIMIT, () -> before.equals(now[0] = KernelState.of(n.netns())), () -> "");
        } catch (IOException e) {
            throw new AssertionError(n.name() + " after exit:\n" + now[0] + "expected, as before start:\n" + before
                    + n.log(), e);
        }
    }
}
