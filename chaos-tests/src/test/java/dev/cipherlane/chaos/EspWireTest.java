package dev.cipherlane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cipherlane.stages.fib.FlowHash;
import dev.cipherlane.stages.wire.IpProtocol;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With ESP on, pods on two nodes ping and stream to each other over IPv4 and IPv6, both ways,
 * while the relay watches the wire: nothing of the pods crosses it in clear. Every frame is
 * ARP, ESP (protocol 50, or UDP 4500 with encapsulation, never the other one) or the nodes'
 * own host traffic; none is IPIP, none holds a byte of the streams or a pod address pair
 * ({@link WireAudit}). The same ESP packets, opened outside the node with the lab's keys and
 * the JDK's AES-GCM ({@link EspFlowCapture}), all verify and hold the pods' flows and stream
 * bytes. {@code show sa} counted on every tunnel that carried traffic, and {@code esp-decrypt}
 * found no integrity failure. Run with and without UDP encapsulation (RFC 3948), and with the
 * crypto on two crypto threads instead of the worker (the ordered ring of DESIGN.md).
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class EspWireTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 8 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @ParameterizedTest(name = "udp encapsulation {0}, {1} crypto threads")
    @CsvSource({"false, 0", "true, 0", "false, 2"})
    void podTrafficCrossesTheWireOnlyAsEsp(boolean udp, int cryptoThreads) throws Exception {
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withRelay(true)
                .withIpsec(LabIpsec.ON.withUdpEncapsulation(udp).withCryptoThreads(cryptoThreads));
        try (NodeTestbed t = NodeTestbed.start(spec)) {
            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            Map<LabNode, List<NodeViews.SaRow>> before = new HashMap<>();
            for (LabNode n : t.lab().nodes()) {
                before.put(n, NodeViews.sas(n.admin("show sa")));
                assertEquals(2 * spec.tunnels(), before.get(n).size(),
                        () -> n + " has an inbound and an outbound SA per tunnel\n" + t.diagnostics());
            }
            WireAudit audit = new WireAudit(t.lab().pods());
            EspFlowCapture opened = EspFlowCapture.of(t.lab());
            t.observe(audit, opened);

            for (String[] ping : new String[][] {{a.netns(), b.ip4()}, {b.netns(), a.ip4()}, {a.netns(), b.ip6()},
                    {b.netns(), a.ip6()}}) {
                Ping.firstReply(ping[0], ping[1], 5);
                Ping.Result r = Ping.run(ping[0], ping[1], 3);
                assertTrue(r.allAnswered(), () -> "ping " + ping[1] + " from " + ping[0] + ": " + r + "\n"
                        + r.output() + t.diagnostics());
            }
            List<CheckedStream> streams = new ArrayList<>();
            streams.add(stream(t, "esp-v4-n1-to-n2", a, b, b.address4(), 7901));
            streams.add(stream(t, "esp-v4-n2-to-n1", b, a, a.address4(), 7902));
            streams.add(stream(t, "esp-v6-n1-to-n2", a, b, b.address6(), 7903));
            streams.add(stream(t, "esp-v6-n2-to-n1", b, a, a.address6(), 7904));
            streams.forEach(CheckedStream::start);
            for (CheckedStream s : streams) {
                CheckedStream.Result r = s.await(STREAM_LIMIT);
                System.out.println("EspWireTest: " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }
            t.observe();

            System.out.print("EspWireTest: the wire, udp encapsulation " + udp + ": " + audit.summary());
            assertEquals(List.of(), audit.violations(), () -> audit.violationCount() + " frames in clear or unknown");
            WireAudit.Kind used = udp ? WireAudit.Kind.ESP_IN_UDP : WireAudit.Kind.ESP;
            WireAudit.Kind unused = udp ? WireAudit.Kind.ESP : WireAudit.Kind.ESP_IN_UDP;
            assertTrue(audit.count(used) > 4 * STREAM_BYTES / 1500, audit::summary);
            assertEquals(0, audit.count(unused), audit::summary);

            System.out.println("EspWireTest: opened " + opened.opened() + " ESP packets, " + opened.withStreamBytes()
                    + " holding stream bytes, rejected " + opened.rejected() + " " + opened.failures());
            assertEquals(0, opened.rejected(), () -> "every ESP packet opens: " + opened.failures());
            assertEquals(audit.count(used), opened.opened(), "the capture opened every ESP packet the audit saw");
            assertTrue(opened.withStreamBytes() > 4 * STREAM_BYTES / 1500,
                    "the streams really crossed inside the ESP packets");
            for (int port = 7901; port <= 7904; port++) {
                int p = port;
                assertTrue(opened.flows().keySet().stream().anyMatch(f -> f.protocol() == IpProtocol.TCP
                        && f.destinationPort() == p), () -> "stream to port " + p + " inside ESP: "
                        + opened.flows().keySet());
            }

            for (LabNode n : t.lab().nodes()) {
                saCountersGrewOnEveryBusyTunnel(t, n, before.get(n));
                String errors = n.admin("show errors");
                assertEquals(0, NodeViews.reasonTotal(errors, "integrity check failed"), () -> n + ":\n" + errors);
                assertEquals(0, NodeViews.reasonTotal(errors, "unknown spi"), () -> n + ":\n" + errors);
            }
            for (LabNode n : t.lab().nodes()) {
                Awaits.noBuffersInUse(n, t::diagnostics);
                assertEquals(List.of(), n.logErrors(), n::log);
            }
        }
    }

    /**
     * For every tunnel that sent, its outbound SA counted packets since {@code before} and
     * its next sequence number moved on by at least as many; for every tunnel that received,
     * its inbound SA counted packets. Both directions must have carried something.
     */
    private static void saCountersGrewOnEveryBusyTunnel(NodeTestbed t, LabNode n, List<NodeViews.SaRow> before)
            throws Exception {
        String tunnels = n.admin("show tunnels");
        String sa = n.admin("show sa");
        System.out.print("EspWireTest: " + n.name() + " show tunnels\n" + tunnels + "EspWireTest: " + n.name()
                + " show sa\n" + sa);
        List<NodeViews.SaRow> after = NodeViews.sas(sa);
        int sending = 0;
        int receiving = 0;
        for (NodeViews.TunnelRow tunnel : NodeViews.tunnels(tunnels)) {
            NodeViews.SaRow out0 = sa(before, tunnel.index(), true);
            NodeViews.SaRow out1 = sa(after, tunnel.index(), true);
            NodeViews.SaRow in0 = sa(before, tunnel.index(), false);
            NodeViews.SaRow in1 = sa(after, tunnel.index(), false);
            String where = n.name() + " tunnel " + tunnel.index() + ": " + tunnel + "\n" + sa + t.diagnostics();
            if (tunnel.txPackets() > 0) {
                sending++;
                assertTrue(out1.packets() > out0.packets(), where);
                assertTrue(out1.nextSequence() - out0.nextSequence() >= out1.packets() - out0.packets(), where);
            }
            if (tunnel.rxPackets() > 0) {
                receiving++;
                assertTrue(in1.packets() > in0.packets(), where);
            }
        }
        assertTrue(sending > 0 && receiving > 0, () -> n.name() + " sent and received through its tunnels\n"
                + tunnels + t.diagnostics());
    }

    private static NodeViews.SaRow sa(List<NodeViews.SaRow> rows, int tunnel, boolean outbound) {
        return rows.stream().filter(r -> r.tunnel() == tunnel && r.outbound() == outbound).findFirst()
                .orElseThrow(() -> new AssertionError("no " + (outbound ? "outbound" : "inbound") + " SA for tunnel "
                        + tunnel + " in " + rows));
    }

    private static CheckedStream stream(NodeTestbed t, String name, LabPod from, LabPod to, InetAddress address,
                                        int port) throws Exception {
        return t.closeLater(CheckedStream.between(name, from, to, address, port, STREAM_BYTES, 0, STALL_LIMIT));
    }
}
