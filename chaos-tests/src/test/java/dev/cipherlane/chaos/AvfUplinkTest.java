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
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Node 1 runs its uplink on our AVF driver over the software model of a VF
 * ({@code uplink.driver = "avf"}, {@code device = "model"}: the model's wire is a packet
 * socket on the lab's veth), node 2 on AF_PACKET as usual. With ESP on the tunnels, pods on
 * the two nodes ping each other over IPv4 and IPv6 and pass byte-checked TCP streams both
 * ways over both families. {@code show interfaces} on node 1 shows the VF running with
 * frames counted both ways, no packet is dropped for a VF that is not running, no ESP packet
 * fails its integrity check, every buffer is back and neither node logged an error. In ESP in
 * UDP node 2 sends runs of datagrams as UDP GSO super-frames that cross the veth whole; the
 * model's wire cuts them into the datagrams a NIC would have seen. With two workers, what the
 * second one sends reaches the VF through the owner's handoff ring.
 */
@Tag("root")
@ExtendWith(NodeLogs.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AvfUplinkTest {
    private static final long MIB = 1 << 20;
    private static final long STREAM_BYTES = 8 * MIB;
    private static final Duration STALL_LIMIT = Duration.ofSeconds(60);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(2);
    private static final Pattern VF_COUNTS = Pattern.compile("avf rx: (\\d+) packets, \\d+ dropped; tx: (\\d+) packets");

    @BeforeEach
    void needsRoot() {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces, taps and packet sockets");
    }

    @ParameterizedTest(name = "udp encapsulation {0}, {1} workers")
    @CsvSource({"false, 1", "true, 1", "true, 2"})
    void aNodeOnTheAvfModelAndOneOnAfPacketCarryEspStreamsBothWays(boolean udp, int workers) throws Exception {
        // With two workers the pod's second tap queue is read by worker 1, which hands what it
        // sends out of the uplink to worker 0, the VF's owner.
        LabSpec spec = LabSpec.defaults().withPodsPerNode(1).withWorkers(workers, workers)
                .withIpsec(LabIpsec.ON.withUdpEncapsulation(udp));
        try (NodeTestbed t = NodeTestbed.build(spec)) {
            LabNode avf = t.lab().node(1);
            // HOCON merges this object into the uplink section the lab wrote above it.
            Files.writeString(avf.config(), "cipherlane.uplink { driver = \"avf\", avf { device = \"model\", queues = 2 } }\n",
                    StandardOpenOption.APPEND);
            t.lab().start();
            String interfaces = avf.admin("show interfaces");
            assertTrue(interfaces.contains("avf avf-model-") && interfaces.contains("(software model): RUNNING"),
                    () -> "node 1's uplink is the VF, running:\n" + interfaces + t.diagnostics());

            LabPod a = t.pod(1, 1);
            LabPod b = t.pod(2, 1);
            for (String[] ping : new String[][] {{a.netns(), b.ip4()}, {b.netns(), a.ip4()}, {a.netns(), b.ip6()},
                    {b.netns(), a.ip6()}}) {
                Ping.firstReply(ping[0], ping[1], 5);
                Ping.Result r = Ping.run(ping[0], ping[1], 3);
                assertTrue(r.allAnswered(), () -> "ping " + ping[1] + " from " + ping[0] + ": " + r + "\n"
                        + r.output() + t.diagnostics());
            }
            // The kernel's own first frames (neighbour discovery on the host tap) may come
            // while the VF is still being brought up; from here on none may be dropped so.
            long notRunningBefore = NodeViews.reasonTotal(avf.admin("show errors"), "vf not running");
            List<CheckedStream> streams = new ArrayList<>();
            streams.add(stream(t, "avf-v4-n1-to-n2", a, b, b.address4(), 7911));
            streams.add(stream(t, "avf-v4-n2-to-n1", b, a, a.address4(), 7912));
            streams.add(stream(t, "avf-v6-n1-to-n2", a, b, b.address6(), 7913));
            streams.add(stream(t, "avf-v6-n2-to-n1", b, a, a.address6(), 7914));
            streams.forEach(CheckedStream::start);
            for (CheckedStream s : streams) {
                CheckedStream.Result r = s.await(STREAM_LIMIT);
                System.out.println("AvfUplinkTest: udp " + udp + ": " + s.name() + ": " + r);
                assertTrue(r.intact(), () -> s.name() + ": " + r + "\n" + t.diagnostics());
            }

            String after = avf.admin("show interfaces");
            System.out.print("AvfUplinkTest: node 1 show interfaces\n" + after);
            Matcher m = VF_COUNTS.matcher(after);
            assertTrue(m.find(), after);
            long rx = Long.parseLong(m.group(1));
            long tx = Long.parseLong(m.group(2));
            // Each way carries two streams' data; the counters are published once a second.
            assertTrue(rx > STREAM_BYTES / 1500 && tx > STREAM_BYTES / 1500,
                    () -> "the streams crossed the VF both ways: rx " + rx + ", tx " + tx + "\n" + after);
            if (workers > 1) {
                String runtime = avf.admin("show runtime");
                assertTrue(NodeViews.packets(runtime, "avf-handoff-wire0") > 0,
                        () -> "worker 1 handed packets to the VF's owner:\n" + runtime);
            }
            for (LabNode n : t.lab().nodes()) {
                String errors = n.admin("show errors");
                assertEquals(0, NodeViews.reasonTotal(errors, "integrity check failed"), () -> n + ":\n" + errors);
            }
            String errors = avf.admin("show errors");
            assertEquals(notRunningBefore, NodeViews.reasonTotal(errors, "vf not running"), errors);
            String health = avf.admin("show health");
            assertTrue(health.startsWith("ok:") && !health.contains("uplink VF"), () -> "healthy:\n" + health);
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
