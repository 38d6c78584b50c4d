package dev.cipherlane.cli.pods;

import dev.cipherlane.testbed.CheckedStream;
import dev.cipherlane.testbed.Commands;
import dev.cipherlane.testbed.InterfaceState;
import dev.cipherlane.testbed.Lab;
import dev.cipherlane.testbed.LabPod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart without disruption (DESIGN.md): the node service is SIGKILLed in the middle of
 * two paced TCP streams between its pods, one over IPv4 and one over IPv6. The pods' taps
 * are persistent, so while no node runs the pods keep their interface, addresses, routes
 * and gateway neighbours; the restarted node re-attaches the same taps (same interface
 * index, not new ones) and the same TCP connections carry on to the end with every byte
 * intact. The pause the pods saw is printed, not asserted.
 */
@Tag("root")
class PodRestartTest {
    private static final long MB = 1_000_000;
    /** 100 MB at 5 MB/s: 20 s per stream, long enough to kill and restart the node in the middle. */
    private static final long BYTES = 100 * MB;
    private static final long RATE = 5 * MB;
    /** The receivers give up after this long without a byte: the generous bound on the pause. */
    private static final Duration STALL_LIMIT = Duration.ofSeconds(120);
    private static final Duration STREAM_LIMIT = Duration.ofMinutes(5);
    /** The node stays dead this long, so the pods really run without it for a while. */
    private static final Duration DOWN_TIME = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private PodTestbed t;

    @BeforeEach
    void startNode() throws Exception {
        assumeTrue(Lab.runningAsRoot(), "needs root for namespaces and taps");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        t = PodTestbed.create(dir);
        t.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (t != null) {
            t.close();
        }
    }

    @Test
    void tcpConnectionsSurviveAKilledAndRestartedNode() throws Exception {
        Map<String, Integer> indexBefore = new HashMap<>();
        for (LabPod p : t.pods()) {
            indexBefore.put(p.name(), t.link(p).orElseThrow().link().index());
        }
        CheckedStream v4 = t.closeLater(PodTestbed.stream("restart-v4", t.a, t.b, t.b.address4(), 7101,
                BYTES, RATE, STALL_LIMIT)).start();
        CheckedStream v6 = t.closeLater(PodTestbed.stream("restart-v6", t.b, t.a, t.a.address6(), 7102,
                BYTES, RATE, STALL_LIMIT)).start();
        t.waitUntil("a fifth of both streams arrives", STREAM_LIMIT,
                () -> v4.received() >= BYTES / 5 && v6.received() >= BYTES / 5);

        long killedAt = System.nanoTime();
        t.kill();
        for (LabPod p : t.pods()) {
            assertPodKeepsItsNetworking(p, indexBefore.get(p.name()));
        }
        Thread.sleep(DOWN_TIME.toMillis());
        for (LabPod p : t.pods()) {
            assertPodKeepsItsNetworking(p, indexBefore.get(p.name()));
        }
        assertTrue(v4.received() < BYTES && v6.received() < BYTES,
                "a stream ended before the node came back: the restart would prove nothing");

        t.start();
        long restartedAt = System.nanoTime();
        for (LabPod p : t.pods()) {
            assertEquals(indexBefore.get(p.name()), t.link(p).orElseThrow().link().index(),
                    () -> p.name() + "'s tap was replaced, not re-attached\n" + t.diagnostics());
        }

        CheckedStream.Result r4 = v4.await(STREAM_LIMIT);
        CheckedStream.Result r6 = v6.await(STREAM_LIMIT);
        System.out.printf("PodRestartTest: node down for %d ms (SIGKILL until the restarted node had both pods)%n",
                (restartedAt - killedAt) / 1_000_000);
        System.out.println("PodRestartTest: IPv4 pod-a -> pod-b across the restart: " + r4);
        System.out.println("PodRestartTest: IPv6 pod-b -> pod-a across the restart: " + r6);
        assertTrue(r4.intact(), () -> "IPv4 stream: " + r4 + "\n" + t.diagnostics());
        assertTrue(r6.intact(), () -> "IPv6 stream: " + r6 + "\n" + t.diagnostics());
        t.awaitNoBuffersInUse();
        assertEquals(List.of(), t.nodeErrors(), t::nodeLog);
    }

    /** What a pod needs to carry on once a node is back, checked while none runs. */
    private void assertPodKeepsItsNetworking(LabPod p, int index) throws Exception {
        InterfaceState link = t.link(p).orElseThrow(
                () -> new AssertionError(p.name() + " lost its interface while the node was down\n" + t.diagnostics()));
        assertEquals(index, link.link().index(), p.name() + "'s interface was replaced while the node was down");
        assertTrue(link.link().up(), () -> p.name() + "'s interface is administratively down: " + link);
        assertEquals(t.mtu(), link.link().mtu(), () -> p.name() + ": " + link);
        assertTrue(link.addresses().containsAll(List.of(p.ip4() + "/32", p.ip6() + "/128")),
                () -> p.name() + " lost an address while the node was down: " + link);
        String routes4 = Commands.run(Duration.ofSeconds(30), List.of("ip", "-n", p.netns(), "-4", "route", "show", "default")).output();
        String routes6 = Commands.run(Duration.ofSeconds(30), List.of("ip", "-n", p.netns(), "-6", "route", "show", "default")).output();
        assertTrue(routes4.contains("via " + PodTestbed.GATEWAY4 + " dev " + PodTestbed.POD_INTERFACE),
                () -> p.name() + " lost its IPv4 default route: " + routes4);
        assertTrue(routes6.contains("via " + PodTestbed.GATEWAY6 + " dev " + PodTestbed.POD_INTERFACE),
                () -> p.name() + " lost its IPv6 default route: " + routes6);
        String neighbours = Commands.run(Duration.ofSeconds(30), List.of("ip", "-n", p.netns(), "neigh", "show", "nud", "permanent"))
                .output();
        for (String gateway : List.of(PodTestbed.GATEWAY4, PodTestbed.GATEWAY6)) {
            assertTrue(neighbours.contains(gateway + " dev " + PodTestbed.POD_INTERFACE + " lladdr "
                            + PodTestbed.GATEWAY_MAC),
                    () -> p.name() + " lost its permanent neighbour " + gateway + ": " + neighbours);
        }
    }
}
