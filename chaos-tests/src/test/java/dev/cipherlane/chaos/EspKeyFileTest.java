package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.ipsec.keys.StaticKeyFile;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * Fail closed (DESIGN.md, IPsec): node n1's key file for tunnel 0 to n2 is readable by
 * everyone (0644). n1 starts anyway, logs that it refused the file, and runs tunnel 0 with
 * no SA: UDP flows that hash onto tunnel 0 are dropped and counted both ways (n1's
 * {@code esp-encrypt} has no outbound SA; n2 encrypts with its own good keys and n1's
 * {@code esp-decrypt} finds no SA for the SPI), while flows on tunnel 1 get through. The
 * wire never carries n1's tunnel 0 SPI, and nothing crosses it in clear ({@link WireAudit}).
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EspKeyFileTest {
    private static final int TUNNELS = 2;
    private static final int DATAGRAMS = 200;
    private static final int SERVER_PORT = 9100;
    private static final int FIRST_CLIENT_PORT = 42000;
    private static final Duration SPACING = Duration.ofMillis(5);
    private static final Duration SETTLE = Duration.ofSeconds(2);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void aKeyFileOthersCanReadIsRefusedAndItsTunnelDropsItsTraffic() throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withTunnels(TUNNELS, TUNNELS - 1).withRelay(true);
        try (NodeTestbed t = NodeTestbed.build(spec)) {
            LabNode n1 = t.node(1);
            LabNode n2 = t.node(2);
            Path loose = n1.keyFile(2, 0);
            Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
            // n2's file for the same tunnel names both SPIs: what n1 would send on, what n2 sends on.
            StaticKeyFile mirror = StaticKeyFile.load(n2.keyFile(1, 0));
            int n1Sends = mirror.inbound().spi();
            int n2Sends = mirror.outbound().spi();
            mirror.destroy();
            WireAudit audit = new WireAudit(t.lab().pods());
            t.observe(audit);
            t.lab().start();

            String log = n1.log();
            assertTrue(log.contains("tunnel 0 to n2: no usable keys") && log.contains("mode 0644"),
                    () -> "n1 says why it refused " + loose + ":\n" + log);
            String health = n1.admin("show health");
            assertTrue(health.startsWith("degraded: traffic dropped\n  tunnel n2/0 drops its traffic: no usable keys: ")
                    && health.contains("mode 0644"), health);
            List<NodeViews.SaRow> n1Sas = NodeViews.sas(n1.admin("show sa"));
            assertEquals(2, n1Sas.size(), () -> "n1 has SAs for tunnel 1 only:\n" + t.diagnostics());
            assertEquals(2 * TUNNELS, NodeViews.sas(n2.admin("show sa")).size(), t::diagnostics);

            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            int there0 = EcmpPorts.onPath(a.ip4(), b.ip4(), IpProtocol.UDP, FIRST_CLIENT_PORT, SERVER_PORT, 0, TUNNELS);
            int there1 = EcmpPorts.onPath(a.ip4(), b.ip4(), IpProtocol.UDP, FIRST_CLIENT_PORT, SERVER_PORT, 1, TUNNELS);
            int back0 = EcmpPorts.onPath(b.ip4(), a.ip4(), IpProtocol.UDP, FIRST_CLIENT_PORT, SERVER_PORT, 0, TUNNELS);
            int back1 = EcmpPorts.onPath(b.ip4(), a.ip4(), IpProtocol.UDP, FIRST_CLIENT_PORT, SERVER_PORT, 1, TUNNELS);
            Map<Integer, Integer> there = UdpProbe.send(a.netns(), a.ip4(), List.of(there0, there1), b.netns(),
                    new InetSocketAddress(b.address4(), SERVER_PORT), DATAGRAMS, SPACING, SETTLE);
            Map<Integer, Integer> back = UdpProbe.send(b.netns(), b.ip4(), List.of(back0, back1), a.netns(),
                    new InetSocketAddress(a.address4(), SERVER_PORT), DATAGRAMS, SPACING, SETTLE);
            t.observe();
            System.out.println("EspKeyFileTest: n1 -> n2 datagrams arrived per source port (tunnel 0: " + there0
                    + ", tunnel 1: " + there1 + "): " + there + "; n2 -> n1 (tunnel 0: " + back0 + ", tunnel 1: "
                    + back1 + "): " + back + "\n" + audit.summary());

            String why = t.diagnostics();
            assertEquals(0, there.get(there0), () -> "nothing on n1's keyless tunnel reaches n2\n" + why);
            assertEquals(0, back.get(back0), () -> "nothing n2 sends on that tunnel is taken by n1\n" + why);
            assertTrue(there.get(there1) > DATAGRAMS / 2, () -> "tunnel 1 works from n1 to n2\n" + why);
            assertTrue(back.get(back1) > DATAGRAMS / 2, () -> "tunnel 1 works from n2 to n1\n" + why);

            String errors = n1.admin("show errors");
            assertTrue(NodeViews.error(errors, "esp-encrypt", "no outbound sa") >= DATAGRAMS, errors);
            assertTrue(NodeViews.error(errors, "esp-decrypt", "unknown spi") >= DATAGRAMS, errors);
            assertEquals(List.of(), audit.violations(), () -> audit.violationCount() + " frames in clear or unknown");
            assertFalse(audit.spis().containsKey(n1Sends), audit::summary);
            WireAudit.SpiUse fromN2 = audit.spis().get(n2Sends);
            assertTrue(fromN2 != null && fromN2.packets() >= DATAGRAMS, audit::summary);

            for (LabNode n : List.of(n1, n2)) {
                Awaits.noBuffersInUse(n, t::diagnostics);
            }
            assertEquals(List.of(), n1.logErrors().stream().filter(l -> !l.contains("no usable keys")).toList(),
                    n1::log);
            assertEquals(List.of(), n2.logErrors(), n2::log);
        }
    }
}
