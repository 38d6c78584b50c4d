package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.supervisor.lab.CheckedStream;
import dev.cipherlane.supervisor.lab.Lab;
import dev.cipherlane.supervisor.lab.LabNode;
import dev.cipherlane.supervisor.lab.LabPod;
import dev.cipherlane.supervisor.lab.LabSpec;
import dev.cipherlane.supervisor.lab.NodeViews;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
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
 * relay, every inner flow (5-tuple) must travel in exactly one outer (source, destination)
 * pair for its whole life, in each direction, and the flows together must use all four
 * pairs; the nodes' {@code show tunnels} must show every tunnel sending.
 *
 * <p>Eight flows on random ports miss one of four tunnels 38% of the time, so the test
 * picks the client ports: with the flow hash the dataplane publishes ({@link FlowHash}) and
 * the bucket rule of its load balancers ({@code path = buckets[hash & (2^k - 1)]}, filled
 * round-robin, 64 buckets for 4 paths), two flows land on each path by design. What the
 * wire shows is still measured, not derived from the hash.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TunnelSpreadTest {
    private static final int TUNNELS = 4;
    private static final int FLOWS = 8;
    private static final int BUCKETS = 64;
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 8 * MIB;
    private static final int SERVER_PORT = 7500;
    private static final int FIRST_CLIENT_PORT = 41000;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void everyFlowKeepsOneTunnelAndEveryTunnelCarriesFlows() throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withTunnels(TUNNELS, TUNNELS - 1).withRelay(true);
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            TunnelFlowCapture capture = new TunnelFlowCapture();
            t.relay().observe(capture);
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);

            List<CheckedStream> streams = new ArrayList<>();
            Set<Integer> clientPorts = new HashSet<>();
            int port = FIRST_CLIENT_PORT;
            for (int k = 0; k < FLOWS; k++) {
                int serverPort = SERVER_PORT + k;
                port = portOnPath(a.ip4(), b.ip4(), port, serverPort, k % TUNNELS);
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
            t.relay().observe(null);

            Set<String> forward = new TreeSet<>();
            Set<String> backward = new TreeSet<>();
            int seen = 0;
            StringBuilder map = new StringBuilder();
            for (Map.Entry<TunnelFlowCapture.InnerFlow, Set<TunnelFlowCapture.OuterPair>> e
                    : capture.flows().entrySet()) {
                TunnelFlowCapture.InnerFlow f = e.getKey();
                map.append(f).append(" in ").append(e.getValue()).append('\n');
                boolean ours = f.protocol() == FlowHash.TCP
                        && (clientPorts.contains(f.sourcePort()) || clientPorts.contains(f.destinationPort()));
                if (!ours) {
                    continue;
                }
                seen++;
                assertEquals(1, e.getValue().size(), () -> f + " changed tunnels: " + e.getValue() + "\n" + map);
                (f.source().equals(a.ip4()) ? forward : backward).add(e.getValue().iterator().next().toString());
            }
            System.out.print("TunnelSpreadTest: inner flow to outer pair, as seen in the relay:\n" + map);
            assertEquals(2 * FLOWS, seen, () -> "every flow seen in both directions on the wire\n" + map);
            assertEquals(Set.of("10.200.0.1 > 10.200.0.2", "10.200.1.1 > 10.200.1.2", "10.200.2.1 > 10.200.2.2",
                    "10.200.3.1 > 10.200.3.2"), forward, map::toString);
            assertEquals(Set.of("10.200.0.2 > 10.200.0.1", "10.200.1.2 > 10.200.1.1", "10.200.2.2 > 10.200.2.1",
                    "10.200.3.2 > 10.200.3.1"), backward, map::toString);

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

    /** The first client port from {@code from} whose flow hashes onto {@code path} of {@link #TUNNELS}. */
    private static int portOnPath(String client, String server, int from, int serverPort, int path) {
        int src = ip4(client);
        int dst = ip4(server);
        for (int p = from; p < 65536; p++) {
            int hash = FlowHash.hash4(src, dst, FlowHash.TCP, p, serverPort);
            if ((hash & (BUCKETS - 1)) % TUNNELS == path) {
                return p;
            }
        }
        throw new IllegalStateException("no client port above " + from + " hashes onto path " + path);
    }

    private static int ip4(String address) {
        return ByteBuffer.wrap(InetAddress.ofLiteral(address).getAddress()).getInt();
    }
}
