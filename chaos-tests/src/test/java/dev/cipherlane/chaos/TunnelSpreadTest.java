package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.ipsec.keys.StaticKeyFile;
import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.wire.IpProtocol;
import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabIpsec;
import dev.cipherlane.testbed.LabNode;
import dev.cipherlane.testbed.LabPod;
import dev.cipherlane.testbed.LabSpec;
import dev.cipherlane.testbed.NodeViews;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Four tunnels between two nodes, each from its own local address to its own peer address,
 * and eight concurrent TCP flows between a pod on each node. Watching the wire inside the
 * relay, every inner flow (5-tuple) must travel in exactly one tunnel for its whole life, in
 * each direction, and the flows together must use all four; the nodes' {@code show tunnels}
 * must show every tunnel sending and receiving.
 *
 * <p>In plain IPIP a tunnel is its outer (source, destination) pair and the inner flow is
 * read from the frame ({@link TunnelFlowCapture}). With ESP the inner flow is sealed: the
 * capture opens every packet with the lab's key files ({@link EspFlowCapture}) and a tunnel
 * is its SPI and outer pair, which must be the SPI of that tunnel's key file.
 *
 * <p>Eight flows on random ports miss one of four tunnels 38% of the time, so the test
 * picks the client ports ({@link EcmpPorts}): two flows land on each path by design. What
 * the wire shows is still measured, not derived from the hash.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TunnelSpreadTest {
    private static final int TUNNELS = 4;
    private static final int FLOWS = 8;
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 4 * MIB;
    private static final int SERVER_PORT = 7500;
    private static final int FIRST_CLIENT_PORT = 41000;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    private static final Set<String> FORWARD_PAIRS = Set.of("10.200.0.1 > 10.200.0.2", "10.200.1.1 > 10.200.1.2",
            "10.200.2.1 > 10.200.2.2", "10.200.3.1 > 10.200.3.2");
    private static final Set<String> BACKWARD_PAIRS = Set.of("10.200.0.2 > 10.200.0.1", "10.200.1.2 > 10.200.1.1",
            "10.200.2.2 > 10.200.2.1", "10.200.3.2 > 10.200.3.1");

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    private static LabSpec spec(LabIpsec ipsec) {
        return LabSpec.defaults().withPodsPerNode(1).withTunnels(TUNNELS, TUNNELS - 1).withRelay(true)
                .withIpsec(ipsec);
    }

    @Test
    void everyFlowKeepsOneTunnelAndEveryTunnelCarriesFlows() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(spec(LabIpsec.OFF))) {
            TunnelFlowCapture capture = new TunnelFlowCapture();
            t.observe(capture);
            Set<Integer> clientPorts = runFlows(t);
            t.observe();

            Set<String> forward = new TreeSet<>();
            Set<String> backward = new TreeSet<>();
            int seen = 0;
            StringBuilder map = new StringBuilder();
            for (Map.Entry<TunnelFlowCapture.InnerFlow, Set<TunnelFlowCapture.OuterPair>> e
                    : capture.flows().entrySet()) {
                TunnelFlowCapture.InnerFlow f = e.getKey();
                map.append(f).append(" in ").append(e.getValue()).append('\n');
                if (!ours(f, clientPorts)) {
                    continue;
                }
                seen++;
                assertEquals(1, e.getValue().size(), () -> f + " changed tunnels: " + e.getValue() + "\n" + map);
                (f.source().equals(t.pod(1, 1).ip4()) ? forward : backward)
                        .add(e.getValue().iterator().next().toString());
            }
            System.out.print("TunnelSpreadTest: inner flow to outer pair, as seen in the relay:\n" + map);
            assertEquals(2 * FLOWS, seen, () -> "every flow seen in both directions on the wire\n" + map);
            assertEquals(FORWARD_PAIRS, forward, map::toString);
            assertEquals(BACKWARD_PAIRS, backward, map::toString);
            everyTunnelSentAndReceived(t);
        }
    }

    @Test
    void withEspEveryFlowKeepsOneSaAndEveryTunnelsSaCarriesFlows() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(spec(LabIpsec.ON))) {
            EspFlowCapture capture = EspFlowCapture.of(t.lab());
            WireAudit audit = new WireAudit(t.lab().pods());
            t.observe(capture, audit);
            Set<Integer> clientPorts = runFlows(t);
            t.observe();

            // Tunnel i of n1 sends on the spi-out of n1's key file i, from its i-th address pair.
            Set<String> forwardTunnels = new TreeSet<>();
            Set<String> backwardTunnels = new TreeSet<>();
            for (int i = 0; i < TUNNELS; i++) {
                String pair = "10.200." + i + ".1 > 10.200." + i + ".2";
                String back = "10.200." + i + ".2 > 10.200." + i + ".1";
                StaticKeyFile keys = StaticKeyFile.load(t.node(1).keyFile(2, i));
                try {
                    forwardTunnels.add(path(keys.outbound().spi(), pair));
                    backwardTunnels.add(path(keys.inbound().spi(), back));
                } finally {
                    keys.destroy();
                }
            }

            Set<String> forward = new TreeSet<>();
            Set<String> backward = new TreeSet<>();
            int seen = 0;
            StringBuilder map = new StringBuilder();
            for (Map.Entry<TunnelFlowCapture.InnerFlow, Set<EspFlowCapture.EspPath>> e : capture.flows().entrySet()) {
                TunnelFlowCapture.InnerFlow f = e.getKey();
                map.append(f).append(" in ").append(e.getValue()).append('\n');
                if (!ours(f, clientPorts)) {
                    continue;
                }
                seen++;
                assertEquals(1, e.getValue().size(), () -> f + " changed SA or tunnel: " + e.getValue() + "\n" + map);
                (f.source().equals(t.pod(1, 1).ip4()) ? forward : backward)
                        .add(e.getValue().iterator().next().toString());
            }
            System.out.print("TunnelSpreadTest: inner flow to SPI and outer pair, opened in the relay:\n" + map
                    + audit.summary());
            assertEquals(0, capture.rejected(), () -> "every ESP packet opens: " + capture.failures());
            assertEquals(List.of(), audit.violations(), "nothing crossed the wire in clear");
            assertEquals(2 * FLOWS, seen, () -> "every flow seen in both directions on the wire\n" + map);
            assertEquals(forwardTunnels, forward, map::toString);
            assertEquals(backwardTunnels, backward, map::toString);
            everyTunnelSentAndReceived(t);
        }
    }

    private static String path(int spi, String outerPair) {
        return String.format("spi 0x%08x (%s)", spi, outerPair);
    }

    /** Runs the eight flows from pod n1p1 to pod n2p1, two per path; returns their client ports. */
    private static Set<Integer> runFlows(NodeTestbed t) throws Exception {
        LabPod a = t.pod(1, 1);
        LabPod b = t.pod(2, 1);
        List<CheckedStream> streams = new ArrayList<>();
        Set<Integer> clientPorts = new HashSet<>();
        int port = FIRST_CLIENT_PORT;
        for (int k = 0; k < FLOWS; k++) {
            int serverPort = SERVER_PORT + k;
            port = EcmpPorts.onPath(a.ip4(), b.ip4(), IpProtocol.TCP, port, serverPort, k % TUNNELS, TUNNELS);
            clientPorts.add(port);
            streams.add(t.closeLater(CheckedStream.between("flow-" + k, a.netns(),
                    new InetSocketAddress(a.address4(), port), b.netns(),
                    new InetSocketAddress(b.address4(), serverPort), STREAM_BYTES, 0, STALL_LIMIT)));
            port++;
        }
        streams.forEach(CheckedStream::start);
        for (CheckedStream s : streams) {
            CheckedStream.Result r = s.await(STREAM_LIMIT);
            System.out.println("TunnelSpreadTest: " + s.name() + ": " + r);
            assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
        }
        return clientPorts;
    }

    private static boolean ours(TunnelFlowCapture.InnerFlow f, Set<Integer> clientPorts) {
        return f.protocol() == IpProtocol.TCP
                && (clientPorts.contains(f.sourcePort()) || clientPorts.contains(f.destinationPort()));
    }

    private static void everyTunnelSentAndReceived(NodeTestbed t) throws Exception {
        for (LabNode n : t.lab().nodes()) {
            String shown = n.admin("show tunnels");
            List<NodeViews.TunnelRow> rows = NodeViews.tunnels(shown);
            assertEquals(TUNNELS, rows.size(), shown);
            for (NodeViews.TunnelRow row : rows) {
                assertTrue(row.txPackets() > 0 && row.rxPackets() > 0,
                        () -> n.name() + "'s tunnel " + row.index() + " idle:\n" + shown);
            }
        }
    }
}
