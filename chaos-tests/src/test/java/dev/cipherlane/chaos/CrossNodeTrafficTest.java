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
import dev.cipherlane.testbed.Ping;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pods on different nodes reach each other through the nodes' plain IPIP tunnels (ESP off;
 * {@link EspWireTest} is the encrypted counterpart): ping over IPv4
 * and IPv6, and byte-checked TCP streams both ways over both families at once. Afterwards
 * both nodes' tunnels have sent and received, every packet buffer is back in its pool and
 * neither node logged an error. Throughput is printed, never asserted.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CrossNodeTrafficTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 64 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @Test
    void podsOnTwoNodesPingAndStreamBothWaysOverBothFamilies() throws Exception {
        try (NodeTestbed t = NodeTestbed.start(LabSpec.defaults().withPodsPerNode(1).withIpsec(LabIpsec.OFF))) {
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            // The first packets may wait for ARP on the wire and toward the pod.
            for (String[] ping : new String[][] {{a.netns(), b.ip4()}, {b.netns(), a.ip4()}, {a.netns(), b.ip6()},
                    {b.netns(), a.ip6()}}) {
                Ping.firstReply(ping[0], ping[1], 5);
                Ping.Result r = Ping.run(ping[0], ping[1], 5);
                assertTrue(r.allAnswered(), () -> "ping " + ping[1] + " from " + ping[0] + ": " + r + "\n"
                        + r.output() + t.diagnostics());
            }

            List<CheckedStream> streams = new ArrayList<>();
            streams.add(stream(t, "v4-n1-to-n2", a, b, b.address4(), 7401));
            streams.add(stream(t, "v4-n2-to-n1", b, a, a.address4(), 7402));
            streams.add(stream(t, "v6-n1-to-n2", a, b, b.address6(), 7403));
            streams.add(stream(t, "v6-n2-to-n1", b, a, a.address6(), 7404));
            streams.forEach(CheckedStream::start);
            for (CheckedStream s : streams) {
                CheckedStream.Result r = s.await(STREAM_LIMIT);
                System.out.println("CrossNodeTrafficTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }

            for (LabNode n : t.lab().nodes()) {
                List<NodeViews.TunnelRow> tunnels = NodeViews.tunnels(n.admin("show tunnels"));
                assertEquals(4, tunnels.size(), () -> n + " has 4 tunnels to its peer\n" + t.diagnostics());
                long tx = tunnels.stream().mapToLong(NodeViews.TunnelRow::txBytes).sum();
                long rx = tunnels.stream().mapToLong(NodeViews.TunnelRow::rxBytes).sum();
                assertTrue(tx > 2 * STREAM_BYTES && rx > 2 * STREAM_BYTES,
                        () -> n + " sent and received both directions' streams through its tunnels\n"
                                + t.diagnostics());
            }
            for (LabNode n : t.lab().nodes()) {
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }

    private static CheckedStream stream(NodeTestbed t, String name, LabPod from, LabPod to, InetAddress address,
                                        int port) throws Exception {
        return t.closeLater(CheckedStream.between(name, from, to, address, port, STREAM_BYTES, 0, STALL_LIMIT));
    }
}
