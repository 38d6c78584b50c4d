package dev.cipherlane.benchmarks;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.Launcher;
import dev.cipherlane.testbed.Ping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cross-node benchmark's reference paths: the same pods joined by the nodes' kernels and
 * by wireguard-go, without Cipherlane.
 */
@Tag("root")
class ReferenceRoutingTest {
    private static final String FAMILY = "clt";
    private static final long MIB = 1 << 20;

    @BeforeEach
    void needsRoot() throws IOException {
        assumeTrue(Lab.runningAsRoot(), "needs root for network namespaces");
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
}
