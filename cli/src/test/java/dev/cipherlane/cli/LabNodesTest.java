package dev.cipherlane.cli;

import dev.cipherlane.testbed.NodeViews;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Launcher;
import dev.cipherlane.testbed.Ping;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Nodes started by the lab from the config files it writes serve their pods. The node
 * processes run this JVM's class path ({@link Launcher#thisJvm()}), which holds the cli.
 */
@Tag("root")
class LabNodesTest {
    private static final String FAMILY = "clt";
    private static final long MIB = 1 << 20;

    @BeforeEach
    void needsRoot() throws IOException {
        assumeTrue(Lab.runningAsRoot(), "needs root for network namespaces");
    }

    @Test
    void podsOnlyNodesStartFromTheirConfigsAndForwardBetweenTheirPods() throws Exception {
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false);
        try (Lab lab = Lab.create(spec, null, Launcher.thisJvm())) {
            lab.start();
            for (LabNode n : lab.nodes()) {
                LabPod a = n.pod(1);
                LabPod b = n.pod(2);
                // The first packet toward a pod may be dropped while the node resolves its neighbour.
                Ping.firstReply(a.netns(), b.ip4(), 5);
                Ping.firstReply(b.netns(), a.ip6(), 5);
                assertTrue(Ping.run(a.netns(), b.ip4(), 3).allAnswered(), () -> n + "\n" + lab.diagnostics());
                assertTrue(Ping.run(b.netns(), a.ip6(), 3).allAnswered(), () -> n + "\n" + lab.diagnostics());
                CheckedStream s = lab.closeLater(CheckedStream.between(n.name() + "-stream", a, b, b.address4(),
                        7300, 16 * MIB, 0, Duration.ofSeconds(60)));
                CheckedStream.Result r = s.start().await(Duration.ofMinutes(2));
                System.out.println("LabTest: " + n.name() + " pod to pod: " + r);
                assertTrue(r.intact(), () -> r + "\n" + lab.diagnostics());
                Map<String, NodeViews.StageRow> families = NodeViews.runtimeByFamily(n.admin("show runtime"));
                assertTrue(families.containsKey("tap-input"), families::toString);
            }
            assertEquals(0, lab.node(1).stop(), lab.node(1)::log);
            assertFalse(lab.node(1).running());
            assertEquals(List.of(), lab.node(2).logErrors(), lab.node(2)::log);
        }
    }
}
