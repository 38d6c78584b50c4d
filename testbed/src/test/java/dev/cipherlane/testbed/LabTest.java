package dev.cipherlane.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.config.NodeConfigLoader;
import dev.cipherlane.linux.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The lab's own mechanics, without an uplink: namespaces and wires are built as the spec
 * says and leave no trace after close, the config files are ones the service accepts, and
 * nodes started from them serve their pods. The node processes run this JVM's class path
 * ({@link Launcher#thisJvm()}): the launcher script could rebuild this module under the
 * running tests.
 */
@Tag("root")
class LabTest {
    private static final String FAMILY = "clt";
    private static final long MIB = 1 << 20;

    @BeforeEach
    void needsRoot() throws IOException {
        assumeTrue(Lab.runningAsRoot(), "needs root for network namespaces");
    }

    @Test
    void twoNodesOnOneWireAreBuiltAndLeaveNoTrace() throws Exception {
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withPodsPerNode(1);
        Lab lab = Lab.create(spec, null, Launcher.thisJvm());
        String prefix = lab.prefix();
        Path dir = lab.directory();
        try (lab) {
            assertTrue(prefix.matches("clt[0-9a-f]{5}"), prefix);
            assertEquals(List.of(prefix + "-n1", prefix + "-n1p1", prefix + "-n2", prefix + "-n2p1"),
                    namespacesWith(prefix));
            assertEquals(List.of("10.200.0.1/16"), wireAddresses(lab.node(1)));
            assertEquals(List.of("10.200.0.2/16"), wireAddresses(lab.node(2)));
            assertTrue(Ping.run(lab.node(1).netns(), lab.node(2).underlay(), 3).allAnswered(),
                    "the wire joins the two node namespaces");
            for (LabNode n : lab.nodes()) {
                assertEquals(n.name(), NodeConfigLoader.load(n.config()).name());
            }
        }
        assertEquals(List.of(), namespacesWith(prefix));
        assertFalse(Files.exists(dir), "the lab's directory is removed");
    }

    @Test
    void aRelayNamespaceSplitsTheWireAndMoreNodesShareABridge() throws Exception {
        LabSpec relayed = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withPodsPerNode(0).withRelay(true);
        try (Lab lab = Lab.create(relayed, null, Launcher.thisJvm())) {
            String ports = Commands.check("ip", "-n", lab.relayNetns(), "-br", "link");
            assertTrue(ports.contains(Lab.RELAY_PORT_A + "@") && ports.contains(Lab.RELAY_PORT_B + "@"), ports);
            // Nothing forwards between the relay's two ends until a relay runs there.
            assertEquals(0, Ping.run(lab.node(1).netns(), lab.node(2).underlay(), 2).received());
            String features = Commands.checkIn(lab.node(1).netns(), "ethtool", "-k", LabNode.WIRE);
            assertTrue(features.contains("tcp-segmentation-offload: off"), features);
        }
        LabSpec three = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withPodsPerNode(0).withNodes(3);
        try (Lab lab = Lab.create(three, null, Launcher.thisJvm())) {
            assertTrue(namespacesWith(lab.prefix()).contains(lab.prefix() + "-hub"));
            assertTrue(Ping.run(lab.node(1).netns(), lab.node(3).underlay(), 2).allAnswered());
            assertTrue(Ping.run(lab.node(3).netns(), lab.node(2).underlay(), 2).allAnswered());
        }
    }


    @Test
    void aNodeThatCannotStartIsReportedAndTheLabStillCleansUp() throws Exception {
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withNodes(1).withPodsPerNode(1);
        // A launcher that exits at once, as a node refusing its config would.
        Launcher failing = new Launcher(List.of("false"), Map.of(), false);
        Lab lab = Lab.create(spec, null, failing);
        String prefix = lab.prefix();
        try (lab) {
            IOException e = assertThrows(IOException.class, lab::start);
            assertTrue(e.getMessage().contains("n1 exited with status 1"), e::getMessage);
        }
        assertEquals(List.of(), namespacesWith(prefix));
    }

    private static List<String> wireAddresses(LabNode n) throws Exception {
        return InterfaceState.of(n.netns(), LabNode.WIRE).addresses().stream()
                .filter(a -> !a.startsWith("fe80")).toList();
    }

    private static List<String> namespacesWith(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(NetNamespace.NAMED_DIRECTORY))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix + "-")).sorted().toList();
        }
    }
}
