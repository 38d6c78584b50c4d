package dev.cipherlane.supervisor.lab;

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
import java.time.Duration;
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
        assumeTrue(isRoot(), "needs root for network namespaces");
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

    /** The benchmark's comparison path: the same pods, routed by the nodes' kernels. */
    @Test
    void kernelRoutingJoinsPodsOnDifferentNodesWithoutCipherlane() throws Exception {
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withPodsPerNode(1).withNodes(3);
        try (Lab lab = Lab.create(spec, null, Launcher.thisJvm())) {
            KernelRouting.plumb(lab);
            LabPod a = lab.node(1).pod(1);
            LabPod c = lab.node(3).pod(1);
            assertTrue(Ping.run(a.netns(), c.ip4(), 3).allAnswered());
            String route = Commands.check("ip", "-n", a.netns(), "route", "show", "default");
            assertTrue(route.contains("via " + KernelRouting.GATEWAY4 + " dev " + LabNode.POD_INTERFACE), route);
            CheckedStream s = lab.closeLater(CheckedStream.between("kernel", a, c, c.address4(), 7310, 4 * MIB, 0,
                    Duration.ofSeconds(60)));
            assertTrue(s.start().await(Duration.ofMinutes(1)).intact());
        }
    }

    /**
     * The benchmark's encrypted reference: pods on two nodes joined by wireguard-go. The wire
     * carries the pods' traffic only as WireGuard's UDP, and the daemons remove their control
     * sockets when the lab closes.
     */
    @Test
    void wireguardJoinsPodsOnTwoNodesAndLeavesNoControlSocket() throws Exception {
        assumeTrue(Commands.run("wireguard-go", "--version").ok() && Commands.run("wg", "--version").ok(),
                "needs Debian's wireguard-go and wireguard-tools (benchmarks/cross-node.sh installs them)");
        LabSpec spec = LabSpec.defaults().withFamily(FAMILY).withUplink(false).withPodsPerNode(1);
        List<Path> sockets;
        try (Lab lab = Lab.create(spec, null, Launcher.thisJvm())) {
            WireGuardRouting.plumb(lab);
            sockets = lab.nodes().stream().map(n -> Path.of("/var/run/wireguard",
                    WireGuardRouting.interfaceName(lab, n) + ".sock")).toList();
            LabPod a = lab.node(1).pod(1);
            LabPod b = lab.node(2).pod(1);
            Ping.firstReply(a.netns(), b.ip4(), 5);
            assertTrue(Ping.run(a.netns(), b.ip4(), 3).allAnswered(), lab::diagnostics);
            CheckedStream s = lab.closeLater(CheckedStream.between("wireguard", a, b, b.address4(), 7320, 4 * MIB, 0,
                    Duration.ofSeconds(60)));
            assertTrue(s.start().await(Duration.ofMinutes(1)).intact());
            String shown = Commands.checkIn(lab.node(1).netns(), "wg", "show",
                    WireGuardRouting.interfaceName(lab, lab.node(1)), "transfer");
            long received = Long.parseLong(shown.strip().split("\\s+")[1]);
            long sent = Long.parseLong(shown.strip().split("\\s+")[2]);
            assertTrue(sent > 4 * MIB && received > 0, () -> "the stream went through WireGuard: " + shown);
            for (Path socket : sockets) {
                assertTrue(Files.exists(socket), socket::toString);
            }
        }
        for (Path socket : sockets) {
            assertFalse(Files.exists(socket), () -> socket + " left behind");
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
        return LabNode.interfaceState(n.netns(), LabNode.WIRE).addresses().stream()
                .filter(a -> !a.startsWith("fe80")).toList();
    }

    private static List<String> namespacesWith(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(Path.of(NetNamespace.NAMED_DIRECTORY))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix + "-")).sorted().toList();
        }
    }

    private static boolean isRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
    }
}
